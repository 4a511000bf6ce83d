"""Admin for the organisation: units, employees, unit admins, assignments and
completions. Day-to-day work (assigning, importing, reports) happens on the
unit admin's own pages; the admin is for superusers putting things right."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from completion import certificate_admin  # noqa: F401  (registers the certificate admin)
from completion.models import (
    Assignment,
    Completion,
    DueDateChange,
    Employee,
    ExportJob,
    Unit,
    UnitAdmin,
)


@admin.register(Unit)
class UnitModelAdmin(admin.ModelAdmin):
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
            created = Unit.objects.create_child(unit.parent, code=unit.code, name=unit.name)
            unit.pk, unit.path, unit.depth = created.pk, created.path, created.depth
            return
        if "parent" in form.changed_data and unit.parent is not None:
            Unit.objects.filter(pk=unit.pk).update(code=unit.code, name=unit.name)
            Unit.objects.get(pk=unit.pk).move_to(unit.parent)
            return
        unit.parent = Unit.objects.get(pk=unit.pk).parent  # making a root is not supported
        super().save_model(request, unit, form, change)


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ["full_name", "employee_number", "unit"]
    search_fields = ["full_name", "employee_number", "user__username"]
    list_select_related = ["unit"]
    autocomplete_fields = ["user", "unit"]


@admin.register(UnitAdmin)
class UnitAdminAdmin(admin.ModelAdmin):
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
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["module", "unit", "user", "due_date", "assigned_by", "created_at"]
    list_filter = ["module"]
    list_select_related = ["module", "unit", "user", "assigned_by"]
    inlines = [DueDateChangeInline]
    # Changing a due date here would skip its DueDateChange record: use the
    # assign page, which keeps the history.
    readonly_fields = ["module", "unit", "user", "due_date", "assigned_by", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Completion)
class CompletionAdmin(admin.ModelAdmin):
    """Completions are history, written once by the quiz hand-off."""

    list_display = ["user", "module", "score", "completed_at", "acknowledged_at"]
    list_filter = ["module"]
    list_select_related = ["user", "module"]
    search_fields = ["user__username", "user__first_name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Where an administrator reads why an export failed."""

    list_display = ["created_at", "requested_by", "unit", "kind", "state", "done", "total"]
    list_filter = ["state"]
    list_select_related = ["requested_by", "unit"]
    readonly_fields = [
        "requested_by",
        "unit",
        "kind",
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
