"""The trainers' editor for cases: one change page per case with its people,
timeline, red flags and outcomes inline, draft/publish, and a preview through
"View on site" (staff see drafts there as a learner would)."""

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.forms import Textarea
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cases.models import Case, Disclosure, Event, LegalProvision, Outcome, Person, RedFlag, Theme


class CaseChildFormSet(BaseInlineFormSet):
    """Offer only the events and people of this case in the inline's choices."""

    same_case_fields = {"event": Event, "person": Person}

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        for name, model in self.same_case_fields.items():
            if name in form.fields:
                form.fields[name].queryset = model.objects.filter(case=self.instance.pk)


class CaseChildInline(admin.StackedInline):
    extra = 0
    # A case page holds dozens of text fields; short boxes keep it scannable
    # (the browser lets the trainer drag one larger).
    formfield_overrides = {models.TextField: {"widget": Textarea(attrs={"rows": 3, "cols": 80})}}


class PersonInline(CaseChildInline):
    model = Person
    fields = [("label", "order"), ("role", "age"), "description", "fate"]


class EventInline(CaseChildInline):
    model = Event
    fields = [("order", "phase"), "title", "body"]


class RedFlagInline(CaseChildInline):
    model = RedFlag
    formset = CaseChildFormSet
    fields = [
        ("order", "event"),
        "sign",
        "explanation",
        "correct_behaviour",
        ("rule", "provision"),
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
    fields = [("order", "person", "kind"), "description", "provision"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "order", "updated_at"]
    list_display_links = ["title"]
    list_editable = ["order"]
    list_filter = ["status", "themes"]
    search_fields = ["title", "hook", "summary", "events__title", "people__label"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["themes"]
    readonly_fields = ["updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "hook", "summary", "lesson", "themes"]}),
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


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "description"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(LegalProvision)
class LegalProvisionAdmin(admin.ModelAdmin):
    list_display = ["law", "article", "title", "code"]
    list_filter = ["law"]
    search_fields = ["law", "article", "title", "summary", "code"]


@admin.register(Disclosure)
class DisclosureAdmin(admin.ModelAdmin):
    list_display = ["publisher", "title", "published_on"]
    search_fields = ["publisher", "title"]
