"""Admin for certificates and bulk print jobs.

Certificates are history: the admin can read and revoke them (with a reason,
recording who and when) but never add, edit or delete one.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from completion.certificate_models import BulkPrintJob, Certificate


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
class CertificateAdmin(admin.ModelAdmin):
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


@admin.register(BulkPrintJob)
class BulkPrintJobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "requested_by", "unit", "state", "done", "total", "finished_at"]
    list_filter = ["state"]
    readonly_fields = [
        "requested_by",
        "unit",
        "filters",
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
