"""Who must complete which module by when, who did, and their certificates.

Units form a tree stored as a materialised path ("0001/0003/"), so a whole
subtree is one indexed `path LIKE '0001/%'` query and reports never walk the
tree in Python. Completions and certificates are history: never deleted.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, Substr, TruncDate
from django.db.models.lookups import LessThan, LessThanOrEqual, StartsWith
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lessons.models import Attempt, AttemptStatus, Module

# Each level of the path is a fixed-width segment, so a unit's children sort
# in creation order and "every unit below X" is `path LIKE 'X.path%'`.
SEGMENT_WIDTH = 4
SEGMENT_LIMIT = 10**SEGMENT_WIDTH - 1


class UnitQuerySet(models.QuerySet):
    def subtree(self, unit: Unit) -> UnitQuerySet:
        return self.filter(path__startswith=unit.path)

    def roots(self) -> UnitQuerySet:
        return self.filter(parent__isnull=True)

    def administered_by(self, user) -> UnitQuerySet:
        """Every unit `user` has rights over: the units they administer and
        everything below them (all units for a superuser)."""
        if user.is_superuser:
            return self.all()
        path = ExpressionWrapper(OuterRef("path"), output_field=models.CharField())
        rights = UnitAdmin.objects.filter(StartsWith(path, F("unit__path")), user=user)
        return self.filter(Exists(rights))

    def next_path(self, parent: Unit | None) -> str:
        siblings = self.filter(parent=parent) if parent else self.roots()
        last = siblings.order_by("-path").values_list("path", flat=True).first()
        number = int(last.rstrip("/").rsplit("/", 1)[-1]) + 1 if last else 1
        if number > SEGMENT_LIMIT:
            raise ValueError(f"a unit cannot have more than {SEGMENT_LIMIT} children")
        prefix = parent.path if parent else ""
        return f"{prefix}{number:0{SEGMENT_WIDTH}d}/"

    def create_child(self, parent: Unit | None, *, code: str, name: str) -> Unit:
        """Create a unit under `parent` (a root when None), its path and depth
        set from the parent's."""
        return self.create(
            code=code,
            name=name,
            parent=parent,
            path=self.next_path(parent),
            depth=parent.depth + 1 if parent else 0,
        )


class Unit(models.Model):
    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

    def is_below(self, other: Unit) -> bool:
        return self.path.startswith(other.path)

    @transaction.atomic
    def move_to(self, parent: Unit) -> None:
        """Move this unit, with everything below it, under `parent`: one
        UPDATE rewrites the paths and depths of the whole subtree."""
        if parent.is_below(self):
            raise ValueError("a unit cannot move below itself")
        old_path, new_path = self.path, Unit.objects.next_path(parent)
        shift = parent.depth + 1 - self.depth
        Unit.objects.subtree(self).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + shift,
        )
        Unit.objects.filter(pk=self.pk).update(parent=parent)
        self.refresh_from_db()


class Employee(models.Model):
    """A person's place in the organisation: one unit, a staff number, a name."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="employee"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="employees")
    employee_number = models.CharField(_("employee number"), max_length=50, unique=True)
    full_name = models.CharField(_("full name"), max_length=200)

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("employee")
        verbose_name_plural = _("employees")

    def __str__(self) -> str:
        return self.full_name


class UnitAdmin(models.Model):
    """Rights over a unit and every unit below it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="admin_of"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="admins")

    class Meta:
        verbose_name = _("unit admin")
        verbose_name_plural = _("unit admins")
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="unique_unit_admin")]

    def __str__(self) -> str:
        return f"{self.user} → {self.unit}"


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


class CompletionQuerySet(models.QuerySet):
    def record(self, *, attempt: Attempt) -> Completion:
        """Record `attempt` (a passed, submitted attempt) as the completion of
        its module, unless the person already completed it: the first pass is
        the one that counts, and it is never rewritten."""
        completion, _ = self.get_or_create(
            user=attempt.user,
            module=attempt.module,
            defaults={
                "attempt": attempt,
                "score": attempt.score,
                "completed_at": attempt.submitted_at,
            },
        )
        return completion


class Completion(models.Model):
    """The first pass of a module by a person, written once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="completions"
    )
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="completions")
    attempt = models.OneToOneField(Attempt, on_delete=models.PROTECT, related_name="completion")
    score = models.PositiveSmallIntegerField(_("score (%)"))
    completed_at = models.DateTimeField(_("completed"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledgement_text = models.TextField(blank=True)

    objects = CompletionQuerySet.as_manager()

    class Meta:
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        constraints = [
            models.UniqueConstraint(fields=["user", "module"], name="one_completion_per_module")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.module}"


class TrainingStatus(models.TextChoices):
    """Where a person stands with one module. Exactly one applies, so a
    status never contradicts the score, attempts or certificate beside it."""

    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    OVERDUE = "overdue", _("Overdue")
    FAILED = "failed", _("Failed (no attempts left)")
    PASSED_LATE = "passed_late", _("Passed late")
    PASSED = "passed", _("Passed")


COMPLETED_STATUSES = (TrainingStatus.PASSED, TrainingStatus.PASSED_LATE)


def with_progress(
    queryset: models.QuerySet,
    *,
    via: str,
    match: dict,
    user,
    module,
    due_date,
    assigned_at,
    attempt_limit,
    today: date,
    deadline=None,
) -> models.QuerySet:
    """Annotate `queryset` with how far a person is with a module, in SQL.

    The same rules serve both directions: My training annotates the modules
    of one person (`via=""`, `match={"user": pk}`), the unit report the
    people assigned one module (`via="user__"`, `match={"module": pk}`).
    `user` and `module` are values or OuterRef()s naming the person and the
    module; `due_date` and `assigned_at` are expressions saying when the
    person must complete the module (NULL when not assigned) and since when.

    The completion and the first and last allowed attempts are LEFT JOINs
    (at most one row each), so the status below reads plain columns and
    the database computes each fact once per row.

    A due date D means "by the end of D" in the organisation's time zone
    (settings.TIME_ZONE, Asia/Shanghai): a pass at 23:30 on D local time
    (15:30 UTC) is on time, one at 00:30 on D+1 local time (16:30 UTC on D)
    is late. `deadline`, when given, is that instant (the midnight ending D)
    as an expression; otherwise each completion time is converted to a
    local date, which SQLite does in Python, one call per row. `today` is
    the local date the overdue test uses.
    """
    if deadline is None:
        local_date = TruncDate("done__completed_at", tzinfo=timezone.get_default_timezone())
        on_time = LessThanOrEqual(local_date, F("due_date"))
    else:
        on_time = LessThan(F("done__completed_at"), deadline)

    def joined(relation: str, **condition) -> FilteredRelation:
        conditions = {**match, **condition}
        where = {f"{via}{relation}__{name}": value for name, value in conditions.items()}
        return FilteredRelation(f"{via}{relation}", condition=Q(**where))

    attempts = Attempt.objects.filter(user=user, module=module).order_by()

    queryset = queryset.annotate(
        done=joined("completions"),
        first_attempt=joined("attempts", number=1),
        # Attempts are numbered 1, 2, …: the last one allowed exists only
        # when the limit is used (never, for a limit of 0 meaning unlimited).
        last_attempt=joined("attempts", number=attempt_limit),
    ).annotate(
        due_date=due_date,
        assigned_at=assigned_at,
        completed_at=F("done__completed_at"),
        attempts_used=Coalesce(per_person(attempts, Count("pk")), 0),
        score=Coalesce(
            "done__score",
            per_person(attempts.filter(status=AttemptStatus.SUBMITTED), Max("score")),
        ),
        first_attempt_passed=F("first_attempt__passed"),
    )
    return queryset.annotate(
        training_status=Case(
            When(on_time, then=Value(TrainingStatus.PASSED)),
            # Passed without a due date (a module taken unassigned): passed.
            When(done__isnull=False, due_date__isnull=True, then=Value(TrainingStatus.PASSED)),
            When(done__isnull=False, then=Value(TrainingStatus.PASSED_LATE)),
            When(last_attempt__status=AttemptStatus.SUBMITTED, then=Value(TrainingStatus.FAILED)),
            When(due_date__lt=today, then=Value(TrainingStatus.OVERDUE)),
            When(first_attempt__isnull=False, then=Value(TrainingStatus.IN_PROGRESS)),
            default=Value(TrainingStatus.NOT_STARTED),
            output_field=models.CharField(),
        )
    )


def per_person(queryset: models.QuerySet, function) -> Subquery:
    """An aggregate over one (person, module)'s rows, as a subquery: grouped
    by the module, a constant within it."""
    return Subquery(queryset.order_by().values("module").annotate(v=function).values("v"))


def training_of(user, *, today: date) -> models.QuerySet[Module]:
    """The published modules with `user`'s progress in each: assigned ones
    carry a due date, the others (taken by choice) none."""
    unit_path = Employee.objects.filter(user=user).values_list("unit__path", flat=True).first()
    covering = Assignment.objects.covering(
        user=user.pk, member_path=Value(unit_path or ""), module=OuterRef("pk")
    )
    return with_progress(
        Module.objects.published(),
        via="",
        match={"user": user.pk},
        user=user.pk,
        module=OuterRef("pk"),
        due_date=per_person(covering, Min("due_date")),
        assigned_at=per_person(covering, Min("created_at")),
        attempt_limit=F("attempt_limit"),
        today=today,
    )


class BackgroundJob(models.Model):
    """A unit admin's request too large to do while they wait: the worker
    (`manage.py db_worker`) does it, and the job's page shows how far it has
    got. The export and the bulk certificate print are both jobs."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        # Not the quiz's "Failed" (did not pass): the job broke off.
        FAILED = "failed", pgettext_lazy("background job", "Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    filters = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def is_finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


class ExportJob(BackgroundJob):
    """A report export written by the worker (Excel files of many rows)."""

    class Kind(models.TextChoices):
        XLSX = "xlsx", _("Excel")

    # `filters` holds the report page's query (module, status, sub-unit, name,
    # sort), read again by the task through the page's own filter form.
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.XLSX)
    # The requester's language when they asked: headers and statuses in it.
    language = models.CharField(max_length=10, blank=True)
    file = models.FileField(upload_to="exports/", blank=True)

    def __str__(self) -> str:
        return f"{self.unit} {self.kind} ({self.get_state_display()})"

    @property
    def filename(self) -> str:
        """The name the file downloads as, dated the day it was asked for."""
        day = timezone.localdate(self.created_at).isoformat()
        return f"report-{self.unit.code}-{day}.{self.kind}"


# Certificates live in their own module; importing them here registers them
# as models of this app.
from completion.certificate_models import BulkPrintJob, Certificate, SerialCounter  # noqa: E402

__all__ = [
    "Assignment",
    "BulkPrintJob",
    "Certificate",
    "Completion",
    "DueDateChange",
    "Employee",
    "ExportJob",
    "SerialCounter",
    "Unit",
    "UnitAdmin",
]
