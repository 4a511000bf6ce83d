"""Trainer admin: modules with their lesson and decision points, the question
bank with per-question statistics, and attempts as read-only history."""

from __future__ import annotations

from adminsortable2.admin import SortableAdminBase
from django import forms
from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from awareness.history import HistoryAdmin, ReadOnlyAdmin
from cases.admin import side_by_side
from cases.admin_support import (
    OrderedFormSet,
    OrderedStackedInline,
    OrderedTabularInline,
    SlugFromTitleForm,
    TrainerFormMixin,
)
from cases.models import Case, Status
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
from lessons.publishing import shortened
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


class LessonSectionInline(CaseMomentsMixin, OrderedStackedInline):
    model = LessonSection
    classes = ["collapse"]
    fields = [side_by_side("title"), side_by_side("body"), "event", "red_flag"]


class DecisionPointInline(CaseMomentsMixin, OrderedStackedInline):
    model = DecisionPoint
    classes = ["collapse"]
    fields = [
        "event",
        "red_flag",
        side_by_side("prompt"),
        side_by_side("what_happened"),
    ]
    show_change_link = True


class ModuleAdminForm(SlugFromTitleForm):
    # The admin supplies the model and the other fields.
    publish_case = forms.BooleanField(
        label=_("Publish its case too"),
        required=False,
        help_text=_(
            "A module is shown to learners only with its case: tick this to publish "
            "a case still in draft together with the module."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == Status.PUBLISHED and cleaned.get("case"):
            module = self.instance
            module.case = cleaned["case"]
            problems = module.readiness_problems(
                with_case=cleaned.get("publish_case", False),
                values=cleaned,
                questions_per_attempt=cleaned.get("questions_per_attempt") or 0,
            )
            for problem in shortened(problems):
                self.add_error("status", problem)
        return cleaned


def publish_modules(modeladmin, request, queryset, *, with_case: bool) -> None:
    """Publish each module that is ready (and, if asked, its case with it);
    name every problem of the others, which stay as they were."""
    published = 0
    for module in queryset:
        problems = module.readiness_problems(
            with_case=with_case, active_questions=module.active_question_count
        )
        for problem in shortened(problems):
            modeladmin.message_user(request, f"{module}: {problem}", messages.ERROR)
        if problems:
            continue
        with transaction.atomic():
            if with_case:
                Case.objects.filter(pk=module.case_id).publish()
            Module.objects.filter(pk=module.pk).update(status=Status.PUBLISHED)
        published += 1
    if published:
        message = _("%(count)d module(s) published.") % {"count": published}
        modeladmin.message_user(request, message, messages.SUCCESS)


@admin.register(Module)
class ModuleAdmin(TrainerFormMixin, HistoryAdmin, SortableAdminBase, TranslationAdmin):
    form = ModuleAdminForm
    list_display = ["title", "case", "status", "active_questions", "questions_per_attempt", "links"]
    list_filter = ["status"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [LessonSectionInline, DecisionPointInline]
    actions = ["publish", "publish_with_case", "unpublish"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "case",
                    side_by_side("title"),
                    "slug",
                    side_by_side("intro"),
                    side_by_side("acknowledgement"),
                ]
            },
        ),
        (
            _("Quiz"),
            {
                "fields": [
                    "questions_per_attempt",
                    "pass_mark",
                    "attempt_limit",
                    "validity_months",
                    "study_hours",
                    "estimated_minutes",
                ]
            },
        ),
        (_("Publication"), {"fields": ["status", "publish_case", "order"]}),
    ]

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

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if obj.is_published and form.cleaned_data.get("publish_case"):
            Case.objects.filter(pk=obj.case_id).publish()

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        module = form.instance
        if not module.is_published:
            return
        # The sections and decision points of this same save count too: if
        # they left a text missing, the module goes back to draft, saying why.
        problems = module.readiness_problems(with_case=True)
        if problems:
            Module.objects.filter(pk=module.pk).update(status=Status.DRAFT)
            module.status = Status.DRAFT
            for problem in shortened(problems):
                self.message_user(request, problem, messages.ERROR)
            self.message_user(
                request, _("The module stays a draft until this is put right."), messages.ERROR
            )

    @admin.action(description=_("Publish the selected modules"), permissions=["change"])
    def publish(self, request, queryset) -> None:
        publish_modules(self, request, queryset, with_case=False)

    @admin.action(
        description=_("Publish the selected modules and their cases"), permissions=["change"]
    )
    def publish_with_case(self, request, queryset) -> None:
        publish_modules(self, request, queryset, with_case=True)

    @admin.action(description=_("Return the selected modules to draft"), permissions=["change"])
    def unpublish(self, request, queryset) -> None:
        count = queryset.update(status=Status.DRAFT)
        self.message_user(request, _("%(count)d module(s) returned to draft.") % {"count": count})


class DecisionOptionInline(OrderedStackedInline):
    model = DecisionOption
    fields = ["is_recommended", side_by_side("text"), side_by_side("feedback")]


@admin.register(DecisionPoint)
class DecisionPointAdmin(
    CaseMomentsMixin, TrainerFormMixin, HistoryAdmin, SortableAdminBase, TranslationAdmin
):
    list_display = ["__str__", "module", "event", "order"]
    list_filter = ["module"]
    list_select_related = ["module", "event"]
    inlines = [DecisionOptionInline]

    def get_object(self, request, object_id, from_field=None):
        point = super().get_object(request, object_id, from_field)
        if point is not None:
            remember_case(request, point.module.case_id)
        return point


class ChoiceInlineFormSet(OrderedFormSet):
    """The choices must make sense for the kind of question."""

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        # A table row's tick box has only its column heading to name it.
        if "DELETE" in form.fields and index is not None:
            form.fields["DELETE"].widget.attrs["aria-label"] = _("Delete choice %(number)d") % {
                "number": index + 1
            }

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


class ChoiceInline(OrderedTabularInline):
    model = Choice
    formset = ChoiceInlineFormSet
    fields = [*side_by_side("text"), "is_correct"]
    formfield_overrides = {models.CharField: {"widget": forms.TextInput(attrs={"size": 40})}}

    def get_extra(self, request, obj=None, **kwargs) -> int:
        # A new question opens with four empty choices; a saved one adds rows on demand.
        return 4 if obj is None else 0


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
class QuestionAdmin(
    CaseMomentsMixin, TrainerFormMixin, HistoryAdmin, SortableAdminBase, TranslationAdmin
):
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
            "<p>{}</p><p>{}</p><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
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
            _("answer key"),
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
