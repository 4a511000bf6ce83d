"""How far people are: completions (the first pass of a module, written
once and never deleted) and the status rules, computed in SQL."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import (
    Case,
    Count,
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
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import LessThan, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from completion.models.assignments import Assignment
from completion.models.organisation import Employee
from lessons.models import Attempt, AttemptStatus, Module


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
    # Set when the certificate is revoked (the module is reopened for the
    # person), cleared when they pass again: until then they are "reopened".
    reopened_at = models.DateTimeField(_("reopened"), null=True, blank=True)

    objects = CompletionQuerySet.as_manager()

    class Meta:
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        constraints = [
            models.UniqueConstraint(fields=["user", "module"], name="one_completion_per_module")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.module}"

    def passed_again(self) -> None:
        """The person passed a module reopened for them: it stands again."""
        if self.reopened_at is not None:
            Completion.objects.filter(pk=self.pk).update(reopened_at=None)
            self.reopened_at = None


class TrainingStatus(models.TextChoices):
    """Where a person stands with one module. Exactly one applies, so a
    status never contradicts the score, attempts or certificate beside it."""

    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    OVERDUE = "overdue", _("Overdue")
    FAILED = "failed", _("Failed (no attempts left)")
    # The certificate was revoked and the module reopened: pass it again.
    REOPENED = "reopened", _("Reopened (to pass again)")
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
            When(done__reopened_at__isnull=False, then=Value(TrainingStatus.REOPENED)),
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


def local_today() -> date:
    """Today in the organisation's time zone: what "overdue" is measured against."""
    return timezone.localdate(timezone=timezone.get_default_timezone())
