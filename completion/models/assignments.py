"""Who must complete which module by when: a unit's whole subtree (people who
join later included) or one person, with every change of due date kept."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Case, ExpressionWrapper, F, Value, When
from django.db.models.functions import Greatest
from django.db.models.lookups import GreaterThan, StartsWith
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from awareness.dates import AddDays
from completion.models.organisation import Unit
from lessons.models import Module


class AssignmentQuerySet(models.QuerySet):
    def assign(
        self,
        *,
        module: Module,
        due_date: date | None,
        by,
        unit: Unit | None = None,
        user=None,
        days_allowed: int | None = None,
        renewal_days: int | None = None,
        campaign=None,
    ) -> tuple[Assignment, bool]:
        """Assign `module` to everyone in `unit` (and below), or to `user`,
        due on `due_date`, or, with `due_date=None`, within `days_allowed`
        days of being assigned or of joining the unit, whichever is later.

        Assigning again never duplicates: the existing assignment keeps its
        history and only its due date rule changes, recorded as a
        DueDateChange. `campaign`, the campaign making the assignment, is
        recorded on a new assignment only: an existing one keeps where it
        came from. Returns the assignment and whether it was new."""
        rule = {"due_date": due_date}
        if days_allowed is not None:
            rule["days_allowed"] = days_allowed
        if renewal_days is not None:
            rule["renewal_days"] = renewal_days
        with transaction.atomic():
            assignment, created = self.select_for_update().get_or_create(
                module=module,
                unit=unit,
                user=user,
                defaults={**rule, "assigned_by": by, "campaign": campaign},
            )
            changed = {
                name: value for name, value in rule.items() if getattr(assignment, name) != value
            }
            if not created and changed:
                DueDateChange.objects.create(
                    assignment=assignment,
                    old_due_date=assignment.due_date,
                    new_due_date=due_date,
                    old_days_allowed=assignment.days_allowed,
                    new_days_allowed=rule.get("days_allowed", assignment.days_allowed),
                    changed_by=by,
                )
                for name, value in changed.items():
                    setattr(assignment, name, value)
                assignment.save(update_fields=list(changed))
        return assignment, created

    def covering(self, *, user, member_path, module) -> AssignmentQuerySet:
        """The assignments of `module` that apply to a person: their own, and
        those of their unit or any unit above it (`member_path` starts with
        the assignment unit's path). The arguments may be values or
        OuterRef()s, so the same rule serves one person and a whole report."""
        member_path = ExpressionWrapper(member_path, output_field=models.CharField())
        in_unit_below = StartsWith(member_path, F("unit__path"))
        return self.filter(module=module).filter(
            models.Q(user=user) | models.Q(models.Q(unit__isnull=False) & in_unit_below)
        )


class Assignment(models.Model):
    """A module someone must complete by a date: everyone in a unit's subtree
    (including people who join later), or one person."""

    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="assignments")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="assignments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
    )
    # Fixed (a date) or relative (no date: within `days_allowed` days of
    # being assigned or of joining the unit, whichever is later). With a
    # fixed date, someone who joins the unit after the assignment was made
    # still gets `days_allowed` days from joining.
    due_date = models.DateField(_("due date"), null=True, blank=True)
    days_allowed = models.PositiveSmallIntegerField(
        _("days to complete"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("For people who join later, or for a due date relative to each person."),
    )
    # Once a pass expires (the module's validity), days to pass it again.
    renewal_days = models.PositiveSmallIntegerField(
        _("days to pass again"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The campaign that made the assignment, if one did (where it came from;
    # assigning again later does not change it).
    campaign = models.ForeignKey(
        "completion.Campaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        editable=False,
    )

    objects = AssignmentQuerySet.as_manager()
    # Who assigned, and who moved the due date when (DueDateChange keeps the
    # dates side by side for the inspection pack; this is the admin's view).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=True) ^ models.Q(user__isnull=True),
                name="assignment_has_one_target",
            ),
            models.UniqueConstraint(
                fields=["module", "unit"],
                condition=models.Q(unit__isnull=False),
                name="unique_unit_assignment",
            ),
            models.UniqueConstraint(
                fields=["module", "user"],
                condition=models.Q(user__isnull=False),
                name="unique_user_assignment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.module} → {self.unit or self.user}"

    @property
    def assigned_on(self) -> date:
        """The local date the assignment was made."""
        return timezone.localdate(self.created_at, timezone=timezone.get_default_timezone())

    @property
    def is_relative(self) -> bool:
        return self.due_date is None

    def due_for(self, unit_since: date) -> date:
        """The due date of someone in the unit since `unit_since`."""
        start = max(self.assigned_on, unit_since)
        if self.due_date is None:
            return start + timedelta(days=self.days_allowed)
        if unit_since > self.assigned_on:
            return max(self.due_date, unit_since + timedelta(days=self.days_allowed))
        return self.due_date

    def due_expression(self, unit_since=None):
        """`due_for` in SQL, for the person of each row (`unit_since` is
        their Employee.unit_since column; F("unit_since") by default)."""
        unit_since = unit_since if unit_since is not None else F("unit_since")
        assigned_on = Value(self.assigned_on, output_field=models.DateField())
        from_joining = AddDays(unit_since, Value(self.days_allowed))
        if self.due_date is None:
            return AddDays(Greatest(assigned_on, unit_since), Value(self.days_allowed))
        due = Value(self.due_date, output_field=models.DateField())
        return Case(
            When(GreaterThan(unit_since, assigned_on), then=Greatest(due, from_joining)),
            default=due,
            output_field=models.DateField(),
        )


class DueDateChange(models.Model):
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="due_date_changes"
    )
    # A date, or none for a due date relative to each person (days_allowed).
    old_due_date = models.DateField(null=True, blank=True)
    new_due_date = models.DateField(null=True, blank=True)
    old_days_allowed = models.PositiveSmallIntegerField(null=True, blank=True)
    new_days_allowed = models.PositiveSmallIntegerField(null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.old_due_date} → {self.new_due_date}"
