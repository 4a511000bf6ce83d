"""Modules built from cases: lesson sections, decision points, the question
bank and quiz attempts.

An attempt copies every question and choice it shows (AttemptQuestion,
AttemptChoice), so a trainer editing or deleting a question later never changes
what a past attempt recorded or how it was scored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Event, RedFlag, Status


class ModuleQuerySet(models.QuerySet):
    def published(self) -> ModuleQuerySet:
        return self.filter(status=Status.PUBLISHED, case__status=Status.PUBLISHED)

    def visible_to(self, user) -> ModuleQuerySet:
        return self if user.is_staff else self.published()


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
        _("pass mark (%)"), default=80, help_text=_("Percentage of correct answers needed.")
    )
    questions_per_attempt = models.PositiveSmallIntegerField(_("questions per attempt"), default=8)
    attempt_limit = models.PositiveSmallIntegerField(
        _("attempt limit"), default=3, help_text=_("0 means unlimited.")
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

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("lessons:module", args=[self.slug])


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


class Question(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=12, choices=QuestionKind.choices)
    text = models.TextField(_("question"))
    explanation = models.TextField(
        _("explanation (Markdown)"),
        help_text=_("Shown with the result; refer back to the case."),
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


class Attempt(models.Model):
    """One sitting of a module's quiz. History: never deleted by cascade."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attempts"
    )
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveSmallIntegerField(_("attempt number"))
    status = models.CharField(
        max_length=12, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS
    )
    # Frozen when the attempt starts, so a later change to the module's
    # grading policy never re-grades it.
    pass_mark = models.PositiveSmallIntegerField()
    module_title = models.CharField(max_length=200)
    started_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    correct_count = models.PositiveSmallIntegerField(null=True, blank=True)
    question_count = models.PositiveSmallIntegerField(default=0)
    score = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)

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

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="unique_attempt_position")
        ]

    def __str__(self) -> str:
        return f"{self.attempt} Q{self.position}"


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
