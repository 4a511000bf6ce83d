"""Admin for the organisation (units, employees, unit admins), assignments,
completions, certificates and background jobs. Day-to-day work (assigning,
importing, reports, printing) happens on the unit admin's own pages; the
admin is for superusers putting things right.

Certificates are history: the admin can read and revoke them (with a reason,
recording who and when) but never add, edit or delete one.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from awareness.history import HistoryAdmin, ReadOnlyAdmin
from completion.models import (
    Assignment,
    BulkPrintJob,
    Campaign,
    Certificate,
    Completion,
    DueDateChange,
    Employee,
    ExportJob,
    Invitation,
    Reminder,
    Unit,
    UnitAdmin,
)


@admin.register(Unit)
class UnitModelAdmin(HistoryAdmin):
    list_display = ["indented_name", "code", "report_link"]
    search_fields = ["name", "code"]
    readonly_fields = ["path", "depth"]
    autocomplete_fields = ["parent"]

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, unit: Unit) -> str:
        return f"{'— ' * unit.depth}{unit.name}"

    @admin.display(description=_("report"))
    def report_link(self, unit: Unit) -> str:
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("completion:unit_report", args=[unit.pk]),
            _("Report"),
            reverse("completion:import_employees", args=[unit.pk]),
            _("Import employees"),
        )

    def save_model(self, request: HttpRequest, unit: Unit, form, change: bool) -> None:
        # The path is the tree: new units and moves go through the explicit calls.
        if not change:
            with transaction.atomic():
                created = Unit.objects.create_child(unit.parent, code=unit.code, name=unit.name)
                if unit.yearly_study_hours is not None:
                    created.yearly_study_hours = unit.yearly_study_hours
                    created.save(update_fields=["yearly_study_hours"])
            unit.pk, unit.path, unit.depth = created.pk, created.path, created.depth
            return
        if "parent" in form.changed_data and unit.parent is not None:
            Unit.objects.filter(pk=unit.pk).update(
                code=unit.code, name=unit.name, yearly_study_hours=unit.yearly_study_hours
            )
            Unit.objects.get(pk=unit.pk).move_to(unit.parent)
            return
        unit.parent = Unit.objects.get(pk=unit.pk).parent  # making a root is not supported
        super().save_model(request, unit, form, change)


@admin.register(Employee)
class EmployeeAdmin(HistoryAdmin):
    list_display = ["full_name", "employee_number", "unit"]
    search_fields = ["full_name", "employee_number", "user__username"]
    list_select_related = ["unit"]
    autocomplete_fields = ["user", "unit"]


@admin.register(UnitAdmin)
class UnitAdminAdmin(HistoryAdmin):
    list_display = ["user", "unit"]
    autocomplete_fields = ["user", "unit"]


class DueDateChangeInline(admin.TabularInline):
    model = DueDateChange
    extra = 0
    can_delete = False
    readonly_fields = ["old_due_date", "new_due_date", "changed_by", "changed_at"]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Assignment)
class AssignmentAdmin(HistoryAdmin):
    list_display = ["module", "unit", "user", "due_date", "assigned_by", "campaign", "created_at"]
    list_filter = ["module"]
    list_select_related = ["module", "unit", "user", "assigned_by", "campaign"]
    inlines = [DueDateChangeInline]
    # Changing a due date here would skip its DueDateChange record: use the
    # assign page, which keeps the history. The campaign is where it came from.
    readonly_fields = [
        "module",
        "unit",
        "user",
        "due_date",
        "assigned_by",
        "campaign",
        "created_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Campaign)
class CampaignAdmin(HistoryAdmin):
    """Campaigns are made and ended on the unit admin's pages, which make
    their assignments; here they are read, and never deleted (their
    assignments point at them)."""

    list_display = ["name", "unit", "starts_on", "ends_on", "ended_at", "created_by"]
    list_select_related = ["unit", "created_by"]
    readonly_fields = [
        "unit",
        "modules",
        "target_units",
        "due_date",
        "days_allowed",
        "created_by",
        "created_at",
        "ended_at",
        "ended_by",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Completion)
class CompletionAdmin(ReadOnlyAdmin):
    """Completions are history, written once by the quiz hand-off."""

    list_display = ["user", "module", "score", "completed_at", "acknowledged_at"]
    list_filter = ["module"]
    list_select_related = ["user", "module"]
    search_fields = ["user__username", "user__first_name"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    """Reminders are a record of what was sent (completion/reminders.py): read only."""

    list_display = ["recipient", "label", "module", "due_date", "outcome", "tries", "sent_at"]
    list_filter = ["kind", "outcome", "module"]
    list_select_related = ["recipient", "module"]
    search_fields = ["recipient__username", "recipient__first_name", "email"]
    date_hierarchy = "created_at"


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """Invitations to set a password are a record of what was sent
    (completion/invitations.py): read only."""

    list_display = ["user", "reason", "sent_by", "email", "outcome", "created_at", "sent_at"]
    list_filter = ["reason", "outcome"]
    list_select_related = ["user", "sent_by"]
    search_fields = ["user__username", "user__first_name", "email"]
    date_hierarchy = "created_at"


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revocation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the certificate; the public check page shows only the date."),
    )


@admin.action(description=_("Revoke the selected certificates"), permissions=["change"])
def revoke(modeladmin, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
    queryset = queryset.filter(revoked_at__isnull=True)
    form = RevokeForm(request.POST if "reason" in request.POST else None)
    if form.is_valid():
        count = sum(
            certificate.revoke(by=request.user, reason=form.cleaned_data["reason"])
            for certificate in queryset
        )
        modeladmin.message_user(
            request,
            ngettext("Revoked %d certificate.", "Revoked %d certificates.", count) % count,
            messages.SUCCESS,
        )
        return None
    # First step (or a missing reason): ask for the reason before revoking.
    return TemplateResponse(
        request,
        "completion/certificate_revoke.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": _("Revoke certificates"),
            "opts": modeladmin.model._meta,
            "certificates": queryset,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        },
    )


@admin.register(Certificate)
class CertificateAdmin(HistoryAdmin):
    list_display = ["serial", "holder_name", "module_title", "passed_at", "is_valid", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "module_title", "passed_at"]
    search_fields = ["serial", "holder_name", "user__username", "module_title"]
    date_hierarchy = "passed_at"
    actions = [revoke]
    list_select_related = []
    fields = [
        "serial",
        "holder_name",
        "module_title",
        "score",
        "passed_at",
        "issuing_organisation",
        "issued_at",
        "user",
        "completion",
        "attempt",
        "revoked_at",
        "revoked_by",
        "revoked_reason",
    ]
    readonly_fields = fields

    @admin.display(boolean=True, description=_("valid"))
    def is_valid(self, certificate: Certificate) -> bool:
        return certificate.is_valid

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class BackgroundJobAdmin(admin.ModelAdmin):
    """Where an administrator reads why a job failed: every job is read-only."""

    list_display = ["created_at", "requested_by", "unit", "state", "done", "total", "finished_at"]
    list_filter = ["state"]
    list_select_related = ["requested_by", "unit"]
    readonly_fields = [
        "requested_by",
        "unit",
        "filters",
        "language",
        "state",
        "total",
        "done",
        "file",
        "error",
        "created_at",
        "finished_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    # Deleting a job deletes its file too: no file outlives its job.
    def delete_model(self, request: HttpRequest, job) -> None:
        job.discard()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        queryset.discard()


@admin.register(ExportJob)
class ExportJobAdmin(BackgroundJobAdmin):
    list_display = [*BackgroundJobAdmin.list_display, "kind"]
    readonly_fields = [*BackgroundJobAdmin.readonly_fields, "kind"]


@admin.register(BulkPrintJob)
class BulkPrintJobAdmin(BackgroundJobAdmin):
    pass
