"""Trainer admin: modules with their lesson and decision points, the question
bank with per-question statistics, and attempts as read-only history."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from awareness.history import HistoryAdmin
from cases.admin import side_by_side
from cases.models import Status
from lessons.models import (
    Attempt,
    AttemptQuestion,
    Choice,
    DecisionOption,
    DecisionPoint,
    DecisionResponse,
    LessonSection,
    Module,
    Question,
    QuestionKind,
    Reopening,
)
from lessons.statistics import choice_picks


class CaseMomentsMixin:
    """Offer only the events and red flags of the module's own case."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        case_id = getattr(request, "_lessons_case_id", None)
        if field is not None and case_id and db_field.name in ("event", "red_flag"):
            field.queryset = field.queryset.filter(case_id=case_id)
        return field


def remember_case(request, case_id) -> None:
    # Read by CaseMomentsMixin while the forms of this request are built.
    request._lessons_case_id = case_id


class LessonSectionInline(CaseMomentsMixin, TranslationStackedInline):
    model = LessonSection
    extra = 0
    fields = ["order", side_by_side("title"), side_by_side("body"), "event", "red_flag"]


class DecisionPointInline(CaseMomentsMixin, TranslationStackedInline):
    model = DecisionPoint
    extra = 0
    fields = [
        "order",
        "event",
        "red_flag",
        side_by_side("prompt"),
        side_by_side("what_happened"),
    ]
    show_change_link = True


class ModuleAdminForm(forms.ModelForm):
    # The admin supplies the model and fields.

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == Status.PUBLISHED:
            draw = cleaned.get("questions_per_attempt") or 0
            for problem in self.instance.publishing_problems(questions_per_attempt=draw):
                self.add_error("status", problem)
        return cleaned


@admin.register(Module)
class ModuleAdmin(HistoryAdmin, TranslationAdmin):
    form = ModuleAdminForm
    list_display = ["title", "case", "status", "active_questions", "questions_per_attempt", "links"]
    list_filter = ["status"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [LessonSectionInline, DecisionPointInline]
    actions = ["publish", "unpublish"]

    def get_object(self, request, object_id, from_field=None):
        module = super().get_object(request, object_id, from_field)
        if module is not None:
            remember_case(request, module.case_id)
        return module

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("case")
            .annotate(active_question_count=Count("questions", filter=Q(questions__is_active=True)))
        )

    @admin.display(description=_("active questions"), ordering="active_question_count")
    def active_questions(self, module: Module) -> int:
        return module.active_question_count

    @admin.display(description=_("learner view"))
    def links(self, module: Module) -> str:
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("lessons:module", args=[module.slug]),
            _("module"),
            reverse("lessons:preview", args=[module.slug]),
            _("preview the quiz"),
        )

    @admin.action(description=_("Publish the selected modules"), permissions=["change"])
    def publish(self, request, queryset) -> None:
        published = 0
        for module in queryset:
            problems = module.publishing_problems(active_questions=module.active_question_count)
            for problem in problems:
                self.message_user(request, problem, messages.ERROR)
            if not problems:
                Module.objects.filter(pk=module.pk).update(status=Status.PUBLISHED)
                published += 1
        if published:
            message = _("%(count)d module(s) published.") % {"count": published}
            self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Return the selected modules to draft"), permissions=["change"])
    def unpublish(self, request, queryset) -> None:
        count = queryset.update(status=Status.DRAFT)
        self.message_user(request, _("%(count)d module(s) returned to draft.") % {"count": count})


class DecisionOptionInline(TranslationStackedInline):
    model = DecisionOption
    extra = 0
    fields = [("order", "is_recommended"), side_by_side("text"), side_by_side("feedback")]


@admin.register(DecisionPoint)
class DecisionPointAdmin(CaseMomentsMixin, HistoryAdmin, TranslationAdmin):
    list_display = ["__str__", "module", "event", "order"]
    list_filter = ["module"]
    list_select_related = ["module", "event"]
    inlines = [DecisionOptionInline]

    def get_object(self, request, object_id, from_field=None):
        point = super().get_object(request, object_id, from_field)
        if point is not None:
            remember_case(request, point.module.case_id)
        return point


class ChoiceInlineFormSet(forms.BaseInlineFormSet):
    """The choices must make sense for the kind of question."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        correct = sum(bool(data.get("is_correct")) for data in kept)
        kind = self.instance.kind
        if kind == QuestionKind.TRUE_FALSE and (len(kept) != 2 or correct != 1):
            raise forms.ValidationError(
                _("A true/false question has exactly two choices, one of them correct.")
            )
        if kind in (QuestionKind.SINGLE, QuestionKind.SCENARIO) and correct != 1:
            raise forms.ValidationError(
                _("A single-choice or scenario question has exactly one correct choice.")
            )
        if kind == QuestionKind.MULTIPLE and correct < 1:
            raise forms.ValidationError(
                _("A multiple-choice question has at least one correct choice.")
            )
        if len(kept) < 2:
            raise forms.ValidationError(_("A question needs at least two choices."))


class ChoiceInline(TranslationTabularInline):
    model = Choice
    formset = ChoiceInlineFormSet
    extra = 0
    fields = ["order", *side_by_side("text"), "is_correct"]
    formfield_overrides = {models.CharField: {"widget": forms.TextInput(attrs={"size": 70})}}


class QuestionAdminForm(forms.ModelForm):
    # The admin supplies the model and fields.

    def clean(self):
        cleaned = super().clean()
        module = cleaned.get("module")
        retiring = self.instance.pk and self.instance.is_active and not cleaned.get("is_active")
        if module and module.is_published and retiring:
            remaining = module.questions.active().exclude(pk=self.instance.pk).count()
            if remaining < module.questions_per_attempt:
                self.add_error(
                    "is_active",
                    _(
                        "“%(module)s” is published and draws %(draw)d questions: retiring this "
                        "one would leave only %(count)d. Add a question first."
                    )
                    % {"module": module, "draw": module.questions_per_attempt, "count": remaining},
                )
        return cleaned


@admin.register(Question)
class QuestionAdmin(CaseMomentsMixin, HistoryAdmin, TranslationAdmin):
    form = QuestionAdminForm
    list_display = [
        "short_text",
        "kind",
        "is_active",
        "times_drawn",
        "facility",
        "discrimination",
        "flags",
    ]
    list_filter = ["module", "kind", "is_active"]
    search_fields = ["text"]
    list_select_related = ["module"]
    readonly_fields = ["item_analysis"]
    inlines = [ChoiceInline]

    def get_object(self, request, object_id, from_field=None):
        question = super().get_object(request, object_id, from_field)
        if question is not None:
            remember_case(request, question.module.case_id)
        return question

    def get_queryset(self, request):
        # Item analysis of submitted attempts, summed in SQL in the list's
        # own query (lessons.statistics). Aggregates only: no one's answers.
        return super().get_queryset(request).with_statistics()

    @admin.display(description=_("question"), ordering="text")
    def short_text(self, question: Question) -> str:
        return str(question)

    @admin.display(description=_("times drawn"), ordering="stat_drawn")
    def times_drawn(self, question: Question) -> int:
        return question.statistics.drawn

    @admin.display(description=_("facility"))
    def facility(self, question: Question) -> str:
        return percent(question.statistics.facility)

    @admin.display(description=_("discrimination"))
    def discrimination(self, question: Question) -> str:
        return correlation(question.statistics.discrimination)

    @admin.display(description=_("to review"))
    def flags(self, question: Question) -> str:
        return "; ".join(question.statistics.flags) or "—"

    @admin.display(description=_("item analysis"))
    def item_analysis(self, question: Question) -> str:
        if question.pk is None:
            return "—"
        stats = question.statistics
        picks = choice_picks(AttemptQuestion.objects.filter(question=question))
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    choice.text,
                    _("correct") if choice.is_correct else "",
                    picks.get(choice.pk, (0, 0))[0],
                    percent(share(*picks.get(choice.pk, (0, 0)))),
                )
                for choice in question.choices.all()
            ),
        )
        return format_html(
            "<p>{}</p><p>{}</p><table><thead><tr><th>{}</th><th></th><th>{}</th><th>{}</th>"
            "</tr></thead><tbody>{}</tbody></table><p>{}</p>",
            _(
                "Drawn %(drawn)d times in submitted attempts; facility %(facility)s; "
                "discrimination %(discrimination)s (first attempts: %(first)d)."
            )
            % {
                "drawn": stats.drawn,
                "facility": percent(stats.facility),
                "discrimination": correlation(stats.discrimination),
                "first": stats.first,
            },
            "; ".join(stats.flags),
            _("choice"),
            _("times picked"),
            _("share of the times shown"),
            rows,
            _(
                "Facility: the share of draws answered correctly. Discrimination: how "
                "well the question separates those who know the module from those who "
                "do not (correlation with the rest of the score on first attempts). "
                "Flagged for review: discrimination below 0.2 or facility above 0.95."
            ),
        )


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def percent(value: float | None) -> str:
    return "—" if value is None else f"{round(100 * value)} %"


def correlation(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


class ReadOnlyAdmin(admin.ModelAdmin):
    """History: visible to trainers, changed by nobody."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AttemptQuestionInline(admin.TabularInline):
    model = AttemptQuestion
    fields = ["position", "kind", "text", "answer", "is_correct", "answered_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("choices")

    @admin.display(description=_("answer given"))
    def answer(self, question: AttemptQuestion) -> str:
        picked = [choice.text for choice in question.choices.all() if choice.selected]
        return "; ".join(picked) or "—"


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = ["user", "module_title", "number", "status", "score", "passed", "started_at"]
    list_filter = ["status", "passed", "module"]
    search_fields = ["user__username", "module_title"]
    list_select_related = ["user"]
    date_hierarchy = "started_at"
    inlines = [AttemptQuestionInline]


@admin.register(DecisionResponse)
class DecisionResponseAdmin(ReadOnlyAdmin):
    list_display = ["user", "decision_point", "option_text", "was_recommended", "created_at"]
    list_filter = ["decision_point__module", "was_recommended"]
    list_select_related = ["user", "decision_point"]


@admin.register(Reopening)
class ReopeningAdmin(ReadOnlyAdmin):
    list_display = ["user", "module", "reason", "created_at"]
    list_filter = ["module"]
    list_select_related = ["user", "module"]
