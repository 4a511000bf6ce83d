"""Who must complete which module by when: a unit's whole subtree (people who
join later included) or one person, with every change of due date kept."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models, transaction
from django.db.models import ExpressionWrapper, F
from django.db.models.lookups import StartsWith
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from completion.models.organisation import Unit
from lessons.models import Module


class AssignmentQuerySet(models.QuerySet):
    def assign(
        self,
        *,
        module: Module,
        due_date: date,
        by,
        unit: Unit | None = None,
        user=None,
    ) -> tuple[Assignment, bool]:
        """Assign `module` to everyone in `unit` (and below), or to `user`.

        Assigning again never duplicates: the existing assignment keeps its
        history and only its due date changes, recorded as a DueDateChange.
        Returns the assignment and whether it was new."""
        with transaction.atomic():
            assignment, created = self.select_for_update().get_or_create(
                module=module,
                unit=unit,
                user=user,
                defaults={"due_date": due_date, "assigned_by": by},
            )
            if not created and assignment.due_date != due_date:
                DueDateChange.objects.create(
                    assignment=assignment,
                    old_due_date=assignment.due_date,
                    new_due_date=due_date,
                    changed_by=by,
                )
                assignment.due_date = due_date
                assignment.save(update_fields=["due_date"])
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
    due_date = models.DateField(_("due date"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

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


class DueDateChange(models.Model):
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="due_date_changes"
    )
    old_due_date = models.DateField()
    new_due_date = models.DateField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.old_due_date} → {self.new_due_date}"
