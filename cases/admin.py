"""The trainers' editor for cases: one change page per case with its people,
timeline, red flags and outcomes inline (each collapsed under a heading that
counts its items, ordered by dragging or "Move up"/"Move down"), draft/publish,
and "Preview as a learner" (staff see drafts there as a learner would)."""

from adminsortable2.admin import SortableAdminBase
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.forms import CheckboxSelectMultiple, Textarea
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin
from modeltranslation.utils import get_translation_fields

from awareness.history import HistoryAdmin
from cases.admin_support import (
    OrderedFormSet,
    OrderedStackedInline,
    SlugFromTitleForm,
    TrainerFormMixin,
    install_site,
)
from cases.models import Case, Disclosure, Event, LegalProvision, Outcome, Person, RedFlag, Theme


def side_by_side(*names: str) -> tuple[str, ...]:
    """The fields `names` in every language, as one row of the form: a
    trainer writes the English and the Chinese text next to each other."""
    return tuple(field for name in names for field in get_translation_fields(name))


install_site(admin.site)


class CaseChildFormSet(OrderedFormSet):
    """Offer only the events and people of this case in the inline's choices."""

    same_case_fields = {"event": Event, "person": Person}

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        for name, model in self.same_case_fields.items():
            if name in form.fields:
                form.fields[name].queryset = model.objects.filter(case=self.instance.pk)


class CaseChildInline(OrderedStackedInline):
    # Collapsed: the case's own fields come first, and each list opens when wanted.
    classes = ["collapse"]
    # A case page holds dozens of text fields; short boxes keep it scannable
    # (the browser lets the trainer drag one larger).
    formfield_overrides = {models.TextField: {"widget": Textarea(attrs={"rows": 3, "cols": 80})}}


class PersonInline(CaseChildInline):
    model = Person
    fields = [
        side_by_side("label"),
        (*side_by_side("role"), "age"),
        side_by_side("description"),
        side_by_side("fate"),
    ]


class EventInline(CaseChildInline):
    model = Event
    fields = ["phase", side_by_side("title"), side_by_side("body")]


class RedFlagInline(CaseChildInline):
    model = RedFlag
    formset = CaseChildFormSet
    fields = [
        "event",
        side_by_side("sign"),
        side_by_side("explanation"),
        side_by_side("correct_behaviour"),
        side_by_side("rule"),
        "provision",
    ]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["event"].help_text = _(
            "A new timeline event can be chosen here once the case has been saved."
        )
        return formset


class OutcomeInline(CaseChildInline):
    model = Outcome
    formset = CaseChildFormSet
    fields = [("person", "kind"), side_by_side("description"), "provision"]


class CaseForm(SlugFromTitleForm):
    pass


@admin.register(Case)
class CaseAdmin(TrainerFormMixin, HistoryAdmin, SortableAdminBase, TranslationAdmin):
    form = CaseForm
    list_display = ["title", "status", "order", "updated_at"]
    list_display_links = ["title"]
    list_editable = ["order"]
    list_filter = ["status", "themes"]
    search_fields = ["title", "hook", "summary", "events__title", "people__label"]
    prepopulated_fields = {"slug": ["title"]}
    # A handful of themes: boxes to tick (Django's two-list filter
    # widget labels its search boxes in a way axe rejects).
    formfield_overrides = {models.ManyToManyField: {"widget": CheckboxSelectMultiple}}
    readonly_fields = ["updated_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    side_by_side("title"),
                    "slug",
                    side_by_side("hook"),
                    side_by_side("summary"),
                    side_by_side("lesson"),
                    "themes",
                ]
            },
        ),
        (_("Publication"), {"fields": ["status", "order", "updated_at"]}),
        (_("Source"), {"fields": ["disclosure"]}),
    ]
    inlines = [PersonInline, EventInline, RedFlagInline, OutcomeInline]
    actions = ["publish", "unpublish"]

    def get_search_results(self, request, queryset, search_term):
        queryset, _may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # Searching across events and people can match a case several times.
        return queryset, True

    @admin.action(description=_("Publish selected cases"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Case]) -> None:
        count = queryset.publish()
        self.message_user(
            request,
            ngettext("%(count)d case published.", "%(count)d cases published.", count)
            % {"count": count},
        )

    @admin.action(description=_("Unpublish selected cases (back to draft)"), permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Case]) -> None:
        count = queryset.unpublish()
        self.message_user(
            request,
            ngettext(
                "%(count)d case returned to draft.", "%(count)d cases returned to draft.", count
            )
            % {"count": count},
        )


class ThemeForm(SlugFromTitleForm):
    title_fields = ("name_en", "name_zh_hans")


@admin.register(Theme)
class ThemeAdmin(TrainerFormMixin, HistoryAdmin, TranslationAdmin):
    form = ThemeForm
    list_display = ["name", "slug", "description"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(LegalProvision)
class LegalProvisionAdmin(TrainerFormMixin, HistoryAdmin, TranslationAdmin):
    list_display = ["law", "article", "title", "code"]
    list_filter = ["law"]
    search_fields = ["law", "article", "title", "summary", "code"]


@admin.register(Disclosure)
class DisclosureAdmin(TrainerFormMixin, HistoryAdmin, TranslationAdmin):
    list_display = ["publisher", "title", "published_on"]
    search_fields = ["publisher", "title"]
