"""How far people are: completions (the first pass of a module, written
once and never deleted) and the status rules, computed in SQL."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import models, transaction
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
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.db.models.lookups import (
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from awareness.dates import AddDays, DeadlineOf
from completion.models.assignments import Assignment
from completion.models.organisation import Employee
from lessons.models import Attempt, AttemptStatus, Module, valid_until


class CompletionQuerySet(models.QuerySet):
    def record(self, *, attempt: Attempt) -> Completion:
        """Record `attempt` (a passed, submitted attempt) as the completion of
        its module in its cycle, unless the person already completed that
        cycle: the first pass is the one that counts, and it is never
        rewritten."""
        with transaction.atomic():
            previous_valid_until = None
            if attempt.cycle > 1:
                previous_valid_until = (
                    self.filter(user=attempt.user, module=attempt.module, cycle=attempt.cycle - 1)
                    .values_list("valid_until", flat=True)
                    .first()
                )
                # The earlier cycles' completions stay as they were; they are
                # only marked as no longer the person's current one.
                self.filter(
                    user=attempt.user,
                    module=attempt.module,
                    cycle__lt=attempt.cycle,
                    superseded_at__isnull=True,
                ).update(superseded_at=attempt.submitted_at)
            completion, _ = self.get_or_create(
                user=attempt.user,
                module=attempt.module,
                cycle=attempt.cycle,
                defaults={
                    "attempt": attempt,
                    "score": attempt.score,
                    "completed_at": attempt.submitted_at,
                    "valid_until": valid_until(attempt.submitted_at, attempt.validity_months),
                    "previous_valid_until": previous_valid_until,
                    "study_hours": attempt.study_hours,
                },
            )
        return completion


class Completion(models.Model):
    """The first pass of a module by a person in one cycle, written once.

    A module with a validity period is passed again when the pass expires:
    each cycle (1, 2, …) has its own completion, attempts and certificate,
    and a new cycle's completion supersedes the one before without changing
    it."""

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
    cycle = models.PositiveSmallIntegerField(_("cycle"), default=1)
    # The last day the pass counts (the module's validity when the attempt
    # began); none when it never expires. After it the person is "expired".
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    # When a later cycle's pass took over (none for the current completion).
    # A later cycle also keeps the day the one before it expired, from
    # which its due date is counted.
    previous_valid_until = models.DateField(null=True, blank=True, editable=False)
    superseded_at = models.DateTimeField(_("superseded"), null=True, blank=True)
    # The study hours (学时) this pass credited: its attempt's, so a later
    # change to the module's hours does not rewrite them.
    study_hours = models.DecimalField(
        _("study hours"), max_digits=5, decimal_places=2, default=Decimal("0")
    )

    objects = CompletionQuerySet.as_manager()

    class Meta:
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "module", "cycle"], name="one_completion_per_cycle"
            ),
            models.UniqueConstraint(
                fields=["user", "module"],
                condition=models.Q(superseded_at__isnull=True),
                name="one_current_completion_per_module",
            ),
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
    # A pass that no longer counts: the module is to be passed again.
    EXPIRED = "expired", _("Expired (to pass again)")
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
    renewal_days=None,
    as_of: datetime | None = None,
) -> models.QuerySet:
    """Annotate `queryset` with how far a person is with a module, in SQL.

    The same rules serve both directions: My training annotates the modules
    of one person (`via=""`, `match={"user": pk}`), the unit report the
    people assigned one module (`via="user__"`, `match={"module": pk}`).
    `user` and `module` are values or OuterRef()s naming the person and the
    module; `due_date` and `assigned_at` are expressions saying when the
    person must complete the module (NULL when not assigned) and since when;
    `renewal_days` how many days they have to pass again once a pass has
    expired (NULL when not assigned).

    The current completion and the first attempt are LEFT JOINs (at most
    one row each), so the status below reads plain columns and the database
    computes each fact once per row. A pass that has expired puts the person
    in the next cycle: their due date becomes the day it expired plus
    `renewal_days`, and only that cycle's attempts count.

    A due date D means "by the end of D" in the organisation's time zone
    (settings.TIME_ZONE, Asia/Shanghai): a pass at 23:30 on D local time
    (15:30 UTC) is on time, one at 00:30 on D+1 local time (16:30 UTC on D)
    is late: the pass is compared with that instant (`DeadlineOf`), worked
    out in SQL from the row's due date. `today` is the local date the
    overdue test uses.
    With `as_of` (an instant in the past, the end of an earlier year) the
    status is the one at that instant: the completion current then (passed
    by then and not yet superseded), and only the attempts begun and
    submitted by then; `today` is then that instant's local date.
    """
    renewed = Q(done__previous_valid_until__isnull=False)
    if renewal_days is None:
        renewal_days = Value(None, output_field=models.IntegerField())

    def joined(relation: str, *extra: Q, **condition) -> FilteredRelation:
        conditions = {**match, **condition}
        where = {f"{via}{relation}__{name}": value for name, value in conditions.items()}
        return FilteredRelation(f"{via}{relation}", condition=Q(*extra, **where))

    def on(relation: str, **condition) -> Q:
        return Q(**{f"{via}{relation}__{name}": value for name, value in condition.items()})

    expired = Q(done__valid_until__lt=today)
    if as_of is None:
        done = joined("completions", superseded_at__isnull=True)
        first_attempt = joined("attempts", number=1)
    else:
        # The completion current at `as_of`: passed by then, and not yet
        # superseded by a later cycle's pass.
        done = joined(
            "completions",
            on("completions", superseded_at__isnull=True)
            | on("completions", superseded_at__gt=as_of),
            completed_at__lte=as_of,
        )
        first_attempt = joined("attempts", number=1, started_at__lte=as_of)
    queryset = queryset.annotate(done=done, first_attempt=first_attempt).annotate(
        current_cycle=Case(
            When(expired, then=F("done__cycle") + 1),
            When(done__isnull=False, then=F("done__cycle")),
            default=Value(1),
            output_field=models.IntegerField(),
        ),
    )
    in_cycle = Attempt.objects.filter(
        user=user, module=module, cycle=OuterRef("current_cycle")
    ).order_by()
    submitted = Q(status=AttemptStatus.SUBMITTED)
    reopened = Q(done__reopened_at__isnull=False)
    if as_of is not None:
        in_cycle = in_cycle.filter(started_at__lte=as_of)
        submitted &= Q(submitted_at__lte=as_of)
        reopened = Q(done__reopened_at__lte=as_of)
    if isinstance(attempt_limit, int):
        attempt_limit = Value(attempt_limit)
    queryset = queryset.annotate(
        due_date=Case(
            When(expired, then=AddDays(F("done__valid_until"), renewal_days)),
            When(renewed, then=AddDays(F("done__previous_valid_until"), renewal_days)),
            default=due_date,
            output_field=models.DateField(),
        ),
        assigned_at=assigned_at,
        completed_at=F("done__completed_at"),
        valid_until=F("done__valid_until"),
        attempts_used=Coalesce(per_person(in_cycle, Count("pk")), 0),
        attempts_submitted=Coalesce(per_person(in_cycle.filter(submitted), Count("pk")), 0),
        score=Coalesce(
            "done__score",
            per_person(
                Attempt.objects.filter(submitted, user=user, module=module).order_by(),
                Max("score"),
            ),
        ),
        first_attempt_passed=F("first_attempt__passed"),
    )
    out_of_attempts = GreaterThan(attempt_limit, 0) & GreaterThanOrEqual(
        F("attempts_submitted"), attempt_limit
    )
    return queryset.annotate(
        training_status=Case(
            # Expired, and every attempt of the new cycle used: failed.
            When(expired & out_of_attempts, then=Value(TrainingStatus.FAILED)),
            When(expired, then=Value(TrainingStatus.EXPIRED)),
            When(reopened, then=Value(TrainingStatus.REOPENED)),
            # Passed without a due date (a module taken unassigned): passed.
            When(done__isnull=False, due_date__isnull=True, then=Value(TrainingStatus.PASSED)),
            When(
                Q(done__isnull=False)
                & LessThan(F("completed_at"), DeadlineOf(F("due_date"), on=today)),
                then=Value(TrainingStatus.PASSED),
            ),
            When(done__isnull=False, then=Value(TrainingStatus.PASSED_LATE)),
            When(out_of_attempts, then=Value(TrainingStatus.FAILED)),
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
    place = Employee.objects.filter(user=user).values("unit__path", "unit_since").first() or {}
    unit_since = Value(place.get("unit_since") or today, output_field=models.DateField())
    covering = Assignment.objects.covering(
        user=user.pk, member_path=Value(place.get("unit__path") or ""), module=OuterRef("pk")
    )
    # The assignment's rule for this person (see Assignment.due_for), in SQL.
    assigned_on = TruncDate("created_at", tzinfo=timezone.get_default_timezone())
    from_joining = AddDays(unit_since, F("days_allowed"))
    due_for_them = Case(
        When(
            due_date__isnull=True,
            then=AddDays(Greatest(assigned_on, unit_since), F("days_allowed")),
        ),
        When(GreaterThan(unit_since, assigned_on), then=Greatest(F("due_date"), from_joining)),
        default=F("due_date"),
        output_field=models.DateField(),
    )
    return with_progress(
        Module.objects.published(),
        via="",
        match={"user": user.pk},
        user=user.pk,
        module=OuterRef("pk"),
        due_date=per_person(covering.annotate(due_for_them=due_for_them), Min("due_for_them")),
        assigned_at=per_person(covering, Min("created_at")),
        renewal_days=per_person(covering, Min("renewal_days")),
        attempt_limit=F("attempt_limit"),
        today=today,
    )
