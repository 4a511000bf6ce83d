"""Modules built from cases: lesson sections, decision points, the question
bank and quiz attempts.

An attempt copies every question and choice it shows (AttemptQuestion,
AttemptChoice), so a trainer editing or deleting a question later never changes
what a past attempt recorded or how it was scored.
"""

from __future__ import annotations

import random
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache, cached_property

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from awareness.converters import as_id
from awareness.dates import add_months
from cases.models import Case, Event, RedFlag, Status


class ModuleQuerySet(models.QuerySet):
    def published(self) -> ModuleQuerySet:
        return self.filter(status=Status.PUBLISHED, case__status=Status.PUBLISHED)

    def visible_to(self, user) -> ModuleQuerySet:
        # Drafts only for those who may see the content (trainers), not
        # for every staff user.
        return self if can_preview(user) else self.published()


def can_preview(user) -> bool:
    """Whether `user` may see draft modules and preview a quiz's bank with
    its answer key: the content permission, not merely staff status."""
    # Only staff reach the admin, so a learner costs no permission query.
    return user.is_staff and user.has_perm("lessons.view_module")


class Module(models.Model):
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="module")
    slug = models.SlugField(_("slug"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction (Markdown)"))
    estimated_minutes = models.PositiveSmallIntegerField(_("estimated minutes"), default=15)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    order = models.PositiveSmallIntegerField(_("display order"), default=0)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=80,
        help_text=_("Percentage of correct answers needed, from 1 to 100."),
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    questions_per_attempt = models.PositiveSmallIntegerField(
        _("questions per attempt"),
        default=8,
        help_text=_("At least 1, and no more than the active questions in the bank."),
        validators=[MinValueValidator(1)],
    )
    attempt_limit = models.PositiveSmallIntegerField(
        _("attempt limit"),
        default=3,
        help_text=_("0 means unlimited. Counted afresh in each cycle of recertification."),
    )
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        default=0,
        help_text=_(
            "How long a pass counts before the person must take the module again; "
            "0 means it never expires."
        ),
    )
    # 学时: what a pass credits towards a person's yearly requirement (once a
    # cycle). A completion keeps the hours of its attempt, so changing them
    # here never rewrites what was credited.
    study_hours = models.DecimalField(
        _("study hours"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Credited once for each pass (for example 0.5); 0 credits none."),
    )
    acknowledgement = models.TextField(
        _("acknowledgement"),
        help_text=_("The commitment the employee confirms after passing."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ModuleQuerySet.as_manager()

    class Meta:
        ordering = ["order", "title"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        constraints = [
            # A pass mark of 0 lets a blank attempt pass; above 100 nobody can.
            models.CheckConstraint(
                condition=models.Q(pass_mark__gte=1, pass_mark__lte=100),
                name="module_pass_mark_1_to_100",
            ),
            models.CheckConstraint(
                condition=models.Q(questions_per_attempt__gte=1),
                name="module_draws_at_least_one_question",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("lessons:module", args=[self.slug])

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    def publishing_problems(
        self, *, active_questions: int | None = None, questions_per_attempt: int | None = None
    ) -> list[str]:
        """Why this module cannot be published as it stands (empty when it can).
        The counts may be given when the caller already has them (an admin
        list annotation, a form about to change the draw)."""
        if active_questions is None:
            active_questions = self.questions.active().count() if self.pk else 0
        draw = questions_per_attempt
        if draw is None:
            draw = self.questions_per_attempt
        if active_questions < draw or not active_questions:
            return [
                _(
                    "“%(title)s” draws %(draw)d questions per attempt but has only "
                    "%(count)d active questions in its bank."
                )
                % {
                    "title": self.title,
                    "draw": draw,
                    "count": active_questions,
                }
            ]
        return []

    def readiness_problems(
        self,
        *,
        with_case: bool = False,
        values=None,
        active_questions: int | None = None,
        questions_per_attempt: int | None = None,
    ) -> list[str]:
        """Everything that keeps this module from being published: its
        bank (`publishing_problems`), its case still a draft (unless
        `with_case`, published with it) and any learner-facing text missing
        in a language (lessons/publishing.py). `values`: the module's own
        fields as a form is about to save them."""
        from lessons.publishing import case_problems, translation_problems

        problems = self.publishing_problems(
            active_questions=active_questions, questions_per_attempt=questions_per_attempt
        )
        if self.case_id is not None:
            problems += case_problems(self, with_case=with_case)
        return problems + translation_problems(self, values)

    def story_for(self, user) -> Story:
        """The case's events in order, told as far as `user` has got: up to
        and including the event of the first decision they have not made.

        Each event carries its `decision_points` (each with the person's
        `response` or None, and its options in `shown_options`, shuffled
        for this person and the same on every visit) and the `red_flags`
        to show with it. A decision point's own red flag is shown only in
        its feedback, once the person has chosen; the red flags of the
        event where a decision is still open are held back with it."""
        answers = {
            response.decision_point_id: response
            for response in DecisionResponse.objects.filter(
                user=user, decision_point__module=self
            ).select_related("option")
        }
        points = list(
            self.decision_points.select_related("red_flag__provision").prefetch_related("options")
        )
        taught = {point.red_flag_id for point in points}
        by_event: dict[int, list[DecisionPoint]] = {}
        for point in points:
            point.response = answers.get(point.pk)
            point.shown_options = point.options_for(user)
            by_event.setdefault(point.event_id, []).append(point)
        events = []
        number = 0
        for event in self.case.events.prefetch_related("red_flags__provision"):
            event.decision_points = by_event.get(event.pk, [])
            for point in event.decision_points:
                # Numbered in the order the story tells them, so each
                # decision's landmark has a name of its own ("decision 2 of
                # 3") rather than the same heading as the one before.
                number += 1
                point.number = number
            pending = any(point.response is None for point in event.decision_points)
            event.shown_red_flags = (
                [] if pending else [f for f in event.red_flags.all() if f.pk not in taught]
            )
            events.append(event)
            if pending:
                return Story(events=events, complete=False, decisions=len(points))
        return Story(events=events, complete=True, decisions=len(points))

    def progress_for(self, user) -> ModuleProgress:
        """The person's attempts at this module and what they may do next."""
        # The latest reopening rides along on each attempt (one query): with
        # no attempts there is nothing for a reopening to discount.
        latest_reopening = (
            Reopening.objects.filter(user=user, module=self)
            .order_by("-created_at")
            .values("created_at")[:1]
        )
        attempts = list(
            self.attempts.filter(user=user)
            .annotate(reopened_at=models.Subquery(latest_reopening))
            .order_by("-number")
        )
        return ModuleProgress(
            module=self,
            attempts=attempts,
            reopened_at=attempts[0].reopened_at if attempts else None,
            today=timezone.localdate(timezone=timezone.get_default_timezone()),
        )


def valid_until(passed_at: datetime, validity_months: int) -> date | None:
    """The last day a pass at `passed_at` counts (a date in the
    organisation's time zone), or None when it never expires."""
    if not validity_months:
        return None
    passed_on = timezone.localdate(passed_at, timezone=timezone.get_default_timezone())
    return add_months(passed_on, validity_months)


@dataclass
class Story:
    """The part of a case's story a person has reached (see `Module.story_for`)."""

    events: list[Event]
    # False while a decision is still to be made: the rest of the story, the
    # case's lesson and its ending wait for it.
    complete: bool
    # How many decisions the whole story has, told or not yet.
    decisions: int


@dataclass
class ModuleProgress:
    """Where one person stands with one module's quiz."""

    module: Module
    attempts: list  # newest first
    # After a reopening, only the attempts since then decide whether the
    # module is passed and how many attempts remain.
    reopened_at: datetime | None = None
    today: date | None = None

    @cached_property
    def cycle(self) -> int:
        """The cycle of recertification the person is in: 1 at first, one
        more each time a pass expires. Each cycle has its own attempts (and
        attempt limit), completion and certificate."""
        latest = max((a.cycle for a in self.attempts), default=1)
        return latest + 1 if self.lapsed else latest

    def valid_until_of(self, cycle: int) -> date | None:
        """Until when the first pass of `cycle` counts (None: no pass, or one
        that never expires)."""
        passes = [a for a in self.attempts if a.cycle == cycle and a.passed and a.submitted_at]
        if not passes:
            return None
        first = min(passes, key=lambda a: a.submitted_at)
        return valid_until(first.submitted_at, first.validity_months)

    @property
    def lapsed(self) -> bool:
        latest = max((a.cycle for a in self.attempts), default=1)
        until = self.valid_until_of(latest)
        return until is not None and self.today is not None and self.today > until

    @property
    def expired_on(self) -> date | None:
        """When the pass of the previous cycle stopped counting, while the
        person has not passed again (None otherwise)."""
        if self.cycle == 1 or self.passed:
            return None
        return self.valid_until_of(self.cycle - 1)

    @property
    def current(self) -> list:
        in_cycle = [a for a in self.attempts if a.cycle == self.cycle]
        if self.reopened_at is None:
            return in_cycle
        return [a for a in in_cycle if a.started_at >= self.reopened_at]

    @property
    def used(self) -> int:
        return len(self.current)

    @property
    def total(self) -> int:
        """Every attempt ever made, including those before a reopening."""
        return len(self.attempts)

    @property
    def unlimited(self) -> bool:
        return self.module.attempt_limit == 0

    @property
    def remaining(self) -> int | None:
        if self.unlimited:
            return None
        return max(self.module.attempt_limit - self.used, 0)

    @property
    def in_progress(self) -> Attempt | None:
        return next((a for a in self.attempts if a.is_in_progress), None)

    @property
    def last_result(self) -> Attempt | None:
        return next((a for a in self.attempts if a.is_submitted), None)

    @property
    def passed(self) -> bool:
        return any(a.passed for a in self.current)

    @property
    def out_of_attempts(self) -> bool:
        """Failed for good: every allowed attempt used, none passed."""
        return not self.passed and self.in_progress is None and self.remaining == 0

    @property
    def can_start(self) -> bool:
        return not self.passed and self.in_progress is None and not self.out_of_attempts

    @property
    def shows_answer_key(self) -> bool:
        """Whether results may name the right choice of a question answered
        wrongly: only once the module is passed or every attempt is used.
        Before that a result says what was right and wrong and teaches the
        rule, but a retake could not be answered from it."""
        return self.passed or self.out_of_attempts


class ReopeningQuerySet(models.QuerySet):
    def reopen(self, *, user, module: Module, reason: str) -> Reopening:
        """Open a passed (or failed) module again for one person: earlier
        attempts stay as history, and new ones count from now."""
        return self.create(user=user, module=module, reason=reason)


class Reopening(models.Model):
    """A module opened again for one person, e.g. after their certificate
    was revoked, so that they can pass it anew."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="reopenings")
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("reopened"), default=timezone.now)

    objects = ReopeningQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reopening")
        verbose_name_plural = _("reopenings")

    def __str__(self) -> str:
        return f"{self.user} – {self.module}"


class LessonSection(models.Model):
    """One rule to remember, tied to the moment in the case it comes from."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body (Markdown)"))
    event = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    red_flag = models.ForeignKey(
        RedFlag, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("lesson section")
        verbose_name_plural = _("lesson sections")

    def __str__(self) -> str:
        return self.title


class DecisionPoint(models.Model):
    """An unscored "what would you do?" at a moment of the story."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="decision_points")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    red_flag = models.ForeignKey(
        RedFlag,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("red flag revealed after the choice"),
    )
    prompt = models.TextField(_("prompt"))
    what_happened = models.TextField(
        _("what the person actually did, and what followed (Markdown)")
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("decision point")
        verbose_name_plural = _("decision points")

    def __str__(self) -> str:
        return self.prompt[:80]

    def options_for(self, user) -> list[DecisionOption]:
        """The options in an order of this person's own: shuffled, so the
        recommended one is not always first, and the same on every visit."""
        options = list(self.options.all())
        random.Random(f"{user.pk}:{self.pk}").shuffle(options)
        return options

    def respond(self, *, user, option_id) -> DecisionResponse:
        """Record what `user` chose here. The first answer stands: asking
        again returns it unchanged."""
        number = as_id(option_id)
        option = self.options.filter(pk=number).first() if number else None
        if option is None:
            raise ValidationError(_("Choose one of the options."))
        response, _created = DecisionResponse.objects.get_or_create(
            user=user,
            decision_point=self,
            defaults={
                "option": option,
                "option_text": option.text,
                "was_recommended": option.is_recommended,
            },
        )
        return response


class DecisionOption(models.Model):
    decision_point = models.ForeignKey(
        DecisionPoint, on_delete=models.CASCADE, related_name="options"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("text"), max_length=300)
    is_recommended = models.BooleanField(_("the right thing to do"), default=False)
    feedback = models.TextField(_("feedback (Markdown)"))

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("decision option")
        verbose_name_plural = _("decision options")

    def __str__(self) -> str:
        return self.text


class DecisionResponse(models.Model):
    """What an employee chose at a decision point, kept so they are not asked again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    decision_point = models.ForeignKey(
        DecisionPoint, on_delete=models.CASCADE, related_name="responses"
    )
    option = models.ForeignKey(DecisionOption, on_delete=models.SET_NULL, null=True)
    option_text = models.CharField(max_length=300)
    was_recommended = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "decision_point"], name="one_response_per_decision"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.option_text}"


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")
    SCENARIO = "scenario", _("Scenario: what should you do?")


class QuestionQuerySet(models.QuerySet):
    def active(self) -> QuestionQuerySet:
        return self.filter(is_active=True)

    def with_statistics(self) -> QuestionQuerySet:
        """Each question with the sums of its item analysis (times drawn,
        facility, discrimination: see `lessons.statistics`), summed in this
        one query; read them as `question.statistics`."""
        from lessons.statistics import aggregates

        return self.annotate(**aggregates("attempt_questions__"))


class Question(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=12, choices=QuestionKind.choices)
    text = models.TextField(_("question"))
    explanation = models.TextField(
        _("explanation (Markdown)"),
        help_text=_(
            "Shown with every result: teach the rule and refer back to the case, "
            "without naming the right choice."
        ),
    )
    section = models.ForeignKey(
        LessonSection,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("lesson section that teaches it"),
    )
    event = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    red_flag = models.ForeignKey(
        RedFlag, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_active = models.BooleanField(
        _("in the bank"), default=True, help_text=_("Untick to retire a question.")
    )

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["module", "order", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def statistics(self):
        """Its item analysis: from `with_statistics()` when the queryset
        had it, else counted now."""
        from lessons.statistics import ItemStatistics, aggregates

        if not hasattr(self, "stat_drawn"):
            row = Question.objects.filter(pk=self.pk).with_statistics().values(*aggregates())
            return ItemStatistics.of(row.first() or {})
        return ItemStatistics.of(self)


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("text"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.text


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")


# Kinds where exactly one option is the answer (a scenario asks "what should
# you do?" and has one right course of action).
ONE_ANSWER_KINDS = {QuestionKind.SINGLE, QuestionKind.TRUE_FALSE, QuestionKind.SCENARIO}


class AttemptQuerySet(models.QuerySet):
    def submitted(self) -> AttemptQuerySet:
        return self.filter(status=AttemptStatus.SUBMITTED)

    def in_progress(self) -> AttemptQuerySet:
        return self.filter(status=AttemptStatus.IN_PROGRESS)

    def start(self, *, user, module: Module, rng: random.Random | None = None) -> Attempt:
        """Start an attempt at `module`'s quiz, or return the one in progress.

        Draws `questions_per_attempt` active questions (those the person has
        not been asked yet first, then those asked longest ago; at random
        among equals) and copies them, in a fixed order with shuffled choices, so the attempt no
        longer depends on the bank. Refuses (ValidationError) once the module
        is passed or its attempt limit is used up."""
        rng = rng or random.SystemRandom()
        with transaction.atomic():
            # Lock the person's row so two tabs starting at once get one attempt.
            get_user_model().objects.select_for_update().filter(pk=user.pk).first()
            if not module.is_published or not module.case.is_published:
                # A draft is previewed, never taken: no attempt, completion
                # or certificate comes of it.
                raise ValidationError(
                    _("This module is a draft: its quiz can be previewed but not taken.")
                )
            progress = module.progress_for(user)
            if progress.in_progress and progress.in_progress.questions.exists():
                return progress.in_progress
            if progress.passed:
                raise ValidationError(_("You have already passed this module."))
            if progress.out_of_attempts:
                raise ValidationError(
                    _("You have used all %(limit)d attempts at this module.")
                    % {"limit": module.attempt_limit}
                )
            bank = list(module.questions.active().prefetch_related("choices"))
            if len(bank) < module.questions_per_attempt or not bank:
                raise ValidationError(
                    _("This quiz is not ready yet: its question bank is too small.")
                )
            if progress.in_progress:
                # An attempt left without questions (made outside the quiz)
                # gets its draw now, rather than an empty review.
                attempt = progress.in_progress
                drawn = prefer_unseen(
                    bank, user=user, module=module, count=module.questions_per_attempt, rng=rng
                )
                attempt.question_count = len(drawn)
                attempt.save(update_fields=["question_count"])
                AttemptQuestion.objects.save_copies(
                    AttemptQuestion.objects.copies(attempt, drawn, rng=rng)
                )
                return attempt
            drawn = prefer_unseen(
                bank, user=user, module=module, count=module.questions_per_attempt, rng=rng
            )
            attempt = self.create(
                user=user,
                module=module,
                number=progress.total + 1,
                cycle=progress.cycle,
                validity_months=module.validity_months,
                study_hours=module.study_hours,
                pass_mark=module.pass_mark,
                module_title=module.title,
                # Copied in the language the person reads the site in.
                language=get_language(),
                question_count=len(drawn),
            )
            AttemptQuestion.objects.save_copies(
                AttemptQuestion.objects.copies(attempt, drawn, rng=rng)
            )
        return attempt


def prefer_unseen(
    bank: list[Question], *, user, module: Module, count: int, rng: random.Random
) -> list[Question]:
    """`count` questions of `bank` for `user`'s next attempt: the questions
    no earlier attempt of theirs showed come first, then those shown longest
    ago (by attempt), at random among equals; the draw is then shuffled."""
    last_seen = dict(
        AttemptQuestion.objects.filter(
            attempt__user=user, attempt__module=module, question__isnull=False
        )
        .values("question_id")
        .annotate(last=models.Max("attempt__number"))
        .values_list("question_id", "last")
        .order_by()
    )
    pool = list(bank)
    rng.shuffle(pool)
    pool.sort(key=lambda question: last_seen.get(question.pk, 0))  # stable: random among equals
    drawn = pool[:count]
    rng.shuffle(drawn)
    return drawn


class Attempt(models.Model):
    """One sitting of a module's quiz. History: never deleted by cascade."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attempts"
    )
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveSmallIntegerField(_("attempt number"))
    # The cycle of recertification it belongs to (see ModuleProgress.cycle),
    # and the module's validity when it started: a pass counts that long.
    cycle = models.PositiveSmallIntegerField(_("cycle"), default=1)
    validity_months = models.PositiveSmallIntegerField(default=0)
    # The module's study hours when it started: what a pass of it credits.
    study_hours = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))
    status = models.CharField(
        max_length=12, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS
    )
    # Frozen when the attempt starts, so a later change to the module's
    # grading policy never re-grades it.
    pass_mark = models.PositiveSmallIntegerField()
    module_title = models.CharField(max_length=200)
    # The language the questions were copied in: the attempt reads as it was
    # answered whatever language the interface is in later.
    language = models.CharField(max_length=10, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    correct_count = models.PositiveSmallIntegerField(null=True, blank=True)
    question_count = models.PositiveSmallIntegerField(default=0)
    score = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "module", "number"], name="unique_attempt_number"
            )
        ]
        indexes = [models.Index(fields=["module", "user"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.module_title} #{self.number}"

    @property
    def is_submitted(self) -> bool:
        return self.status == AttemptStatus.SUBMITTED

    @property
    def is_in_progress(self) -> bool:
        return self.status == AttemptStatus.IN_PROGRESS

    def first_unanswered_position(self) -> int | None:
        question = self.questions.filter(answered_at__isnull=True).order_by("position").first()
        return question.position if question else None

    def read_questions(self) -> dict[int, AttemptQuestion]:
        """Every question of this attempt by position, each with its choices
        in order as `shown_choices`, in one query (the choices joined to
        their questions), kept on the attempt as `questions_read`, with
        `answered_count`.

        The objects carry what the question page shows and an answer is
        checked against (no explanation, no answer key); any other field is
        loaded when first read, like `defer()`. The question page and an
        answer read only the questions they show, with the attempt
        (`read_attempt`)."""
        db = self._state.db or "default"
        rows = _read_question_rows(connections[db], self.pk)
        self.questions_read = _questions_from_rows(self, rows)
        self.answered_count = sum(q.is_answered for q in self.questions_read.values())
        return self.questions_read

    def answer(self, *, position: int, choice_ids: Iterable) -> AttemptQuestion:
        """Record the choices picked for the question at `position`.

        `choice_ids` are ids of this attempt's AttemptChoice rows. Anything
        that does not fit (a question not in this attempt, a choice of another
        question, the wrong number of choices, an attempt already submitted)
        raises ValidationError and stores nothing.

        Checked against the questions the attempt has read (`questions_read`,
        as `read_attempt` leaves them; else they are read now): an attempt's
        questions and choices never change once drawn. The write checks that
        the attempt is still in progress as it writes, in the same statement
        on PostgreSQL (`_write_answer`): a submit in another tab either waits
        for this answer and counts it, or comes first, and then this answer
        is refused, writes nothing, and `status` says why. The answer is left
        on what was read (`selected`, `answered_at`, `answered_count`), so
        the next question is shown with no further query."""
        try:
            ids = {int(choice_id) for choice_id in choice_ids}
        except (TypeError, ValueError):
            raise ValidationError(_("That answer names a choice that does not exist.")) from None
        submitted = ValidationError(
            _("This attempt has been submitted; its answers can no longer be changed.")
        )
        if self.is_submitted:
            raise submitted
        question = getattr(self, "questions_read", {}).get(position)
        if question is None:
            question = self.read_questions().get(position)
        if question is None:
            raise ValidationError(
                _("Question %(position)s is not part of this attempt.") % {"position": position}
            )
        if not ids <= {choice.pk for choice in question.shown_choices}:
            raise ValidationError(
                _("That answer names a choice that does not belong to this question.")
            )
        if question.kind in ONE_ANSWER_KINDS and len(ids) != 1:
            raise ValidationError(_("Choose one answer."))
        if not ids:
            raise ValidationError(_("Choose at least one answer."))
        answered_at = timezone.now()
        written = _write_answer(
            connections[self._state.db or "default"],
            attempt_id=self.pk,
            question_id=question.pk,
            choice_ids=ids,
            answered_at=answered_at,
        )
        if not written:
            # Submitted meanwhile (another tab): nothing was written.
            self.refresh_from_db(fields=["status"])
            raise submitted
        if not question.is_answered and hasattr(self, "answered_count"):
            self.answered_count += 1
        question.answered_at = answered_at
        for choice in question.shown_choices:
            choice.selected = choice.pk in ids
        return question

    def submit(self) -> bool:
        """Score the attempt from its stored choices and close it.

        Returns True if this call submitted it, False if it was already
        submitted (a second tab, a double click): the first result stands.
        Unanswered questions count as wrong."""
        if self.is_submitted:
            return False
        with transaction.atomic():
            questions = list(self.questions.prefetch_related("choices"))
            if not questions:
                # Scoring 0 of 0 would use up an attempt for nothing.
                raise ValidationError(
                    _("This attempt has no questions, so it cannot be submitted.")
                )
            for question in questions:
                question.is_correct = question.answered_at is not None and all(
                    choice.selected == choice.is_correct for choice in question.choices.all()
                )
            correct = sum(question.is_correct for question in questions)
            total = len(questions)
            now = timezone.now()
            fields = {
                "status": AttemptStatus.SUBMITTED,
                "submitted_at": now,
                "correct_count": correct,
                "question_count": total,
                # Rounded down, and the pass compared exactly, so 79.9 % never passes at 80 %.
                "score": correct * 100 // total if total else 0,
                "passed": total > 0 and correct * 100 >= self.pass_mark * total,
            }
            # Only an attempt still in progress is closed, whatever this instance believes.
            closed = Attempt.objects.filter(pk=self.pk, status=AttemptStatus.IN_PROGRESS).update(
                **fields
            )
            if not closed:
                self.refresh_from_db()
                return False
            AttemptQuestion.objects.bulk_update(questions, ["is_correct"])
        for name, value in fields.items():
            setattr(self, name, value)
        return True


class AttemptQuestionQuerySet(models.QuerySet):
    def copies(
        self, attempt: Attempt, questions: Iterable[Question], *, rng, explanations: bool = True
    ) -> list[AttemptQuestion]:
        """Unsaved copies of `questions` for `attempt`, in the order given,
        each with the copies of its choices in `shown_choices`: shuffled,
        except true/false, which keeps its natural order. The one place a
        bank question becomes part of an attempt (the quiz and the demo)."""
        copies = []
        for position, question in enumerate(questions, start=1):
            copy = self.model(
                attempt=attempt,
                question=question,
                position=position,
                kind=question.kind,
                text=question.text,
                explanation=question.explanation if explanations else "",
            )
            shown = list(question.choices.all())
            if question.kind != QuestionKind.TRUE_FALSE:
                rng.shuffle(shown)
            copy.shown_choices = [
                AttemptChoice(
                    choice=choice, position=number, text=choice.text, is_correct=choice.is_correct
                )
                for number, choice in enumerate(shown, start=1)
            ]
            copies.append(copy)
        return copies

    def save_copies(
        self, copies: list[AttemptQuestion], *, choices: bool = True, batch_size: int | None = None
    ) -> None:
        """Insert `copies` (from `copies()`) and, unless told not to, their choices."""
        self.bulk_create(copies, batch_size=batch_size)
        if choices:
            shown = []
            for copy in copies:
                for choice in copy.shown_choices:
                    choice.attempt_question = copy
                    shown.append(choice)
            AttemptChoice.objects.bulk_create(shown, batch_size=batch_size)


class AttemptQuestion(models.Model):
    """A question as drawn and shown in an attempt, with the answer given."""

    attempt = models.ForeignKey(Attempt, on_delete=models.PROTECT, related_name="questions")
    question = models.ForeignKey(
        Question, on_delete=models.SET_NULL, null=True, related_name="attempt_questions"
    )
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=12, choices=QuestionKind.choices)
    text = models.TextField()
    explanation = models.TextField()
    answered_at = models.DateTimeField(null=True, blank=True)
    is_correct = models.BooleanField(null=True, blank=True)

    objects = AttemptQuestionQuerySet.as_manager()

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="unique_attempt_position")
        ]

    def __str__(self) -> str:
        return f"{self.attempt} Q{self.position}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @cached_property
    def shown_choices(self) -> list[AttemptChoice]:
        """The choices in the order shown: from the rows `Attempt.read_questions`
        read, else from the database. (`copies()` sets them on a new copy.)"""
        rows = getattr(self, "choice_rows", None)
        if rows is None:
            return list(self.choices.order_by("position"))
        db = self._state.db or "default"
        return [
            AttemptChoice.from_db(db, CHOICE_READ, [choice_id, self.pk, position, text, selected])
            for choice_id, position, text, selected in rows
        ]

    def choices_shown(self) -> list[tuple[int, str, bool]]:
        """(id, text, selected) of each choice in the order shown, for the
        question page: from the rows `Attempt.read_questions` read, with no
        objects made, unless `shown_choices` were made (an answer updates
        them)."""
        rows = getattr(self, "choice_rows", None)
        if rows is None or "shown_choices" in self.__dict__:
            return [(choice.pk, choice.text, choice.selected) for choice in self.shown_choices]
        return [(choice_id, text, selected) for choice_id, _position, text, selected in rows]

    @property
    def allows_several(self) -> bool:
        return self.kind == QuestionKind.MULTIPLE

    @property
    def kind_label(self) -> str:
        # get_kind_display() builds a dict of every choice each time it is
        # called; the question page shows this on every answer.
        return QuestionKind(self.kind).label


class AttemptChoice(models.Model):
    """A choice as shown in an attempt (in its shuffled order) and whether it was picked."""

    attempt_question = models.ForeignKey(
        AttemptQuestion, on_delete=models.PROTECT, related_name="choices"
    )
    choice = models.ForeignKey(Choice, on_delete=models.SET_NULL, null=True, related_name="+")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=500)
    is_correct = models.BooleanField()
    selected = models.BooleanField(default=False)

    class Meta:
        ordering = ["attempt_question", "position"]

    def __str__(self) -> str:
        return self.text


# The fields `Attempt.read_questions` loads, in the models' field order.
QUESTION_READ = ["id", "attempt_id", "position", "kind", "text", "answered_at"]
CHOICE_READ = ["id", "attempt_question_id", "position", "text", "selected"]


# The quiz's hot path in SQL (issue 17) ----------------------------------------
#
# The answer POST and the question page (lessons.views.question) are what
# every learner sends, again and again, on deadline day. Building an ORM
# statement took 0.1–0.5 ms of Python and running it 0.01–0.05 ms (SQLite,
# one process: bench/README.md), and building them was most of what an
# answer cost beyond a bare view. So these statements are written out here,
# with their tables and columns taken from the models' `_meta`, and run on a
# plain cursor. Everything else goes through the ORM.


class _Columns:
    """The columns a hand-written SELECT reads, as (table alias, model field)
    pairs in order: its SELECT list, and a row's values converted as the
    ORM converts them (SQLite returns a datetime as text, a boolean as 0/1)."""

    def __init__(self, *columns: tuple[str, models.Field]) -> None:
        self.columns = columns
        # Converters belong to a connection (its time zone, its types).
        self._converters = weakref.WeakKeyDictionary()

    def select(self, connection) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{alias}.{quote(field.column)}" for alias, field in self.columns)

    def convert(self, connection, row: tuple) -> list:
        converters = self._converters.get(connection)
        if converters is None:
            converters = []
            for index, (alias, field) in enumerate(self.columns):
                column = field.get_col(alias)
                functions = connection.ops.get_db_converters(column)
                functions += column.get_db_converters(connection)
                if functions:
                    converters.append((index, column, functions))
            self._converters[connection] = converters
        values = list(row)
        for index, column, functions in converters:
            for function in functions:
                values[index] = function(values[index], column, connection)
        return values


def _sql(connection, template: str, **names) -> str:
    """`template` with each `{name}` replaced by the quoted column of a
    field, the quoted table of a model, the SELECT list of `_Columns` or a
    string of SQL; kept once made, for each kind of database. Each template
    is written once, with the same tables and columns: only its strings of
    SQL (the number of `%s` marks) tell its statements apart."""
    key = (connection.vendor, template, *(item for item in names.values() if isinstance(item, str)))
    statement = _statements.get(key)
    if statement is None:

        def sql(item) -> str:
            if isinstance(item, str):
                return item
            if isinstance(item, _Columns):
                return item.select(connection)
            if isinstance(item, models.Field):
                return connection.ops.quote_name(item.column)
            return connection.ops.quote_name(item._meta.db_table)

        statement = template.format(**{name: sql(item) for name, item in names.items()})
        _statements[key] = statement
    return statement


_statements: dict[tuple, str] = {}


# Built when first used: django-modeltranslation adds the modules'
# translated columns once every app is loaded.
@cache
def _attempt_and_module() -> _Columns:
    return _Columns(
        *[("a", field) for field in Attempt._meta.concrete_fields],
        *[("m", field) for field in Module._meta.concrete_fields],
    )


# What `Attempt.read_questions` reads, less the attempt it reads them for.
_QUESTION_AND_CHOICE = _Columns(
    ("q", AttemptQuestion._meta.pk),
    *[("q", AttemptQuestion._meta.get_field(name)) for name in QUESTION_READ[2:]],
    ("c", AttemptChoice._meta.pk),
    *[("c", AttemptChoice._meta.get_field(name)) for name in CHOICE_READ[2:]],
)


def read_attempt(
    *, attempt_id: int, user, positions: Sequence[int] = (), using: str = "default"
) -> Attempt | None:
    """`user`'s attempt `attempt_id` with its module, in one statement, or
    None if they have no such attempt.

    With `positions`, the same statement also reads those of its questions,
    each with its choices (`questions_read`, as `Attempt.read_questions`
    leaves them, less the positions not asked for), and how many of its
    questions are answered (`answered_count`): what the question page and an
    answer need (lessons.views.question). Nothing is locked: an answer's
    write checks that the attempt is still open as it writes
    (`Attempt.answer`)."""
    connection = connections[using]
    head = _attempt_and_module()
    if positions:
        sql = _sql(
            connection,
            "SELECT {head}, (SELECT COUNT(*) FROM {questions} n"
            " WHERE n.{attempt} = a.{pk} AND n.{answered} IS NOT NULL), {rows}"
            " FROM {attempts} a INNER JOIN {modules} m ON m.{module_pk} = a.{module}"
            " LEFT JOIN {questions} q ON q.{attempt} = a.{pk} AND q.{position} IN ({marks})"
            " LEFT JOIN {choices} c ON c.{question} = q.{question_pk}"
            " WHERE a.{pk} = %s AND a.{user} = %s ORDER BY q.{position}, c.{choice_position}",
            head=head,
            rows=_QUESTION_AND_CHOICE,
            marks=", ".join(["%s"] * len(positions)),
            **_NAMES,
        )
        params = [*positions, attempt_id, user.pk]
    else:
        sql = _sql(
            connection,
            "SELECT {head} FROM {attempts} a INNER JOIN {modules} m ON m.{module_pk} = a.{module}"
            " WHERE a.{pk} = %s AND a.{user} = %s",
            head=head,
            **_NAMES,
        )
        params = [attempt_id, user.pk]
    with _hot_cursor(connection) as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return None
    split = len(head.columns)
    values = head.convert(connection, rows[0][:split])
    fields, module_fields = Attempt._meta.concrete_fields, Module._meta.concrete_fields
    attempt = Attempt.from_db(using, [field.attname for field in fields], values[: len(fields)])
    attempt.module = Module.from_db(
        using, [field.attname for field in module_fields], values[len(fields) :]
    )
    if positions:
        attempt.answered_count = rows[0][split]
        attempt.questions_read = _questions_from_rows(
            attempt,
            # A position the attempt does not have joins no question (NULLs).
            [
                _QUESTION_AND_CHOICE.convert(connection, row[split + 1 :])
                for row in rows
                if row[split + 1] is not None
            ],
        )
    return attempt


def _hot_cursor(connection):
    """A cursor for the statements every answer runs. On PostgreSQL it binds
    its parameters at the server, so psycopg prepares a statement once it
    has run `prepare_threshold` (5) times on a connection, and the server
    plans it once a connection rather than on every request: planning the
    attempt's read took longer than running it (0.3-0.4 ms against 0.1-0.2
    in EXPLAIN ANALYZE). The app's other cursors bind on the client,
    Django's default, which the rest of its SQL is written for. Wrapped as
    Django wraps its own, so the statements are logged and counted, their
    errors translated and execute_wrappers run."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID, ServerBindingCursor
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        cursor = ServerBindingCursor(connection.connection)
    # As Django's own cursors: the connection's time zone if it differs.
    loader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    if connection.timezone != loader.timezone:
        register_tzloader(connection.timezone, cursor)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


def _read_question_rows(connection, attempt_id: int) -> list[list]:
    """The rows of `Attempt.read_questions`: every choice of the attempt with
    its question, in the order shown."""
    sql = _sql(
        connection,
        "SELECT {rows} FROM {choices} c INNER JOIN {questions} q ON q.{question_pk} = c.{question}"
        " WHERE q.{attempt} = %s ORDER BY q.{position}, c.{choice_position}",
        rows=_QUESTION_AND_CHOICE,
        **_NAMES,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [attempt_id])
        rows = cursor.fetchall()
    return [_QUESTION_AND_CHOICE.convert(connection, row) for row in rows]


def _questions_from_rows(attempt: Attempt, rows: list[list]) -> dict[int, AttemptQuestion]:
    """`attempt`'s questions by position from rows of `_QUESTION_AND_CHOICE`
    (a question's choices become objects when `shown_choices` is first read:
    a page shows one question, an answer checks one and shows the next)."""
    db = attempt._state.db or "default"
    questions: dict[int, AttemptQuestion] = {}
    for question_id, position, kind, text, answered_at, *choice in rows:
        question = questions.get(position)
        if question is None:
            question = AttemptQuestion.from_db(
                db, QUESTION_READ, [question_id, attempt.pk, position, kind, text, answered_at]
            )
            question.attempt = attempt
            question.choice_rows = []
            questions[position] = question
        question.choice_rows.append(choice)
    return questions


def _write_answer(
    connection, *, attempt_id: int, question_id: int, choice_ids: set[int], answered_at
) -> bool:
    """Select exactly `choice_ids` of the question and mark it answered, if
    the attempt is still in progress as this writes; False (and nothing
    written) if it is not.

    A submit locks the attempt (completion.services.submit_attempt), so the
    check takes the attempt's row too: on PostgreSQL it is shared-locked in
    the same statement as the writes (one round trip, its own transaction
    unless the caller is in one), so a submit waits until the answer is
    written, and an answer arriving during a submit waits and then finds the
    attempt closed. On SQLite, the IMMEDIATE transaction holds the
    database's write lock for both writes: the question is marked if the
    attempt is open, and only then its choices are."""
    open_attempt = _sql(
        connection,
        "SELECT 1 FROM {attempts} WHERE {pk} = %s AND {status} = %s",
        attempts=Attempt,
        pk=Attempt._meta.pk,
        status=Attempt._meta.get_field("status"),
    )
    select_choices = _sql(
        connection,
        "UPDATE {choices} SET {selected} = ({choice_pk} IN ({marks})) WHERE {question} = %s",
        selected=AttemptChoice._meta.get_field("selected"),
        choice_pk=AttemptChoice._meta.pk,
        marks=", ".join(["%s"] * len(choice_ids)),
        **_NAMES,
    )
    answered = AttemptQuestion._meta.get_field("answered_at")
    mark_answered = _sql(
        connection,
        "UPDATE {questions} SET {answered} = %s WHERE {question_pk} = %s",
        **_NAMES,
    )
    open_params = [attempt_id, AttemptStatus.IN_PROGRESS]
    choices_params = [*choice_ids, question_id]
    answered_params = [answered.get_db_prep_value(answered_at, connection), question_id]
    if connection.vendor == "postgresql":
        sql = _sql(
            connection,
            "WITH open AS ({open} FOR SHARE),"
            " selected AS ({choices} AND EXISTS (SELECT 1 FROM open))"
            " {answered} AND EXISTS (SELECT 1 FROM open)",
            open=open_attempt,
            choices=select_choices,
            answered=mark_answered,
        )
        with _hot_cursor(connection) as cursor:
            cursor.execute(sql, open_params + choices_params + answered_params)
            return cursor.rowcount == 1
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(
            _sql(
                connection,
                "{answered} AND EXISTS ({open})",
                answered=mark_answered,
                open=open_attempt,
            ),
            answered_params + open_params,
        )
        if cursor.rowcount != 1:
            return False
        cursor.execute(select_choices, choices_params)
    return True


# The tables and columns the statements above name.
_NAMES = {
    "attempts": Attempt,
    "modules": Module,
    "questions": AttemptQuestion,
    "choices": AttemptChoice,
    "pk": Attempt._meta.pk,
    "user": Attempt._meta.get_field("user"),
    "module": Attempt._meta.get_field("module"),
    "module_pk": Module._meta.pk,
    "question_pk": AttemptQuestion._meta.pk,
    "attempt": AttemptQuestion._meta.get_field("attempt"),
    "position": AttemptQuestion._meta.get_field("position"),
    "answered": AttemptQuestion._meta.get_field("answered_at"),
    "question": AttemptChoice._meta.get_field("attempt_question"),
    "choice_position": AttemptChoice._meta.get_field("position"),
}
