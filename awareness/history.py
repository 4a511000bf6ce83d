"""The admin's history pages (django-simple-history): who changed what and
when, read only. Old versions can be looked at but never saved back: a
revert would skip the rules the models keep (a unit's path, a due date's
change record, a certificate that is never un-revoked)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.forms.models import _get_foreign_key
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from simple_history.admin import SimpleHistoryAdmin

from awareness.converters import as_id

# Changes to an object's parts (a case's people, a question's choices) listed
# on its history page, newest first.
PARTS_SHOWN = 100


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that are history themselves (attempts, completions, reminders
    sent …): shown in the admin, added, changed and deleted by nobody."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class HistoryAdmin(SimpleHistoryAdmin):
    """A model admin with a History page. Seeing it takes the "view
    historical …" permission of the model (SIMPLE_HISTORY_ENFORCE_HISTORY_
    MODEL_PERMISSIONS), which the Trainers group has for content only. The
    page also lists the recorded changes of the rows edited inline."""

    object_history_template = "admin/history_with_parts.html"

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        pk = self._pk_or_404(object_id)
        parts = self.parts_history(pk)
        context = {**(extra_context or {}), "parts_history": parts}
        return super().history_view(request, object_id, context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context=None
    ) -> HttpResponse:
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        self._pk_or_404(object_id)
        if not (version_id.isdigit() and len(version_id) <= 9):  # history ids are ints
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _pk_or_404(self, object_id: str):
        # An id that is not one, or beyond a bigint, would reach the database
        # as it is (a 500).
        try:
            pk = self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            raise Http404 from None
        if isinstance(pk, int) and as_id(pk) is None:
            raise Http404
        return pk

    def parts_history(self, pk) -> list[dict]:
        sections = []
        for inline in self.inlines:
            model = inline.model
            if not hasattr(model._meta, "simple_history_manager_attribute"):
                continue
            fk = _get_foreign_key(self.model, model, fk_name=inline.fk_name)
            records = list(
                model.history.filter(**{fk.attname: pk})
                .select_related("history_user")
                .order_by("history_date", "history_id")
            )
            last = {}
            for record in records:
                before = last.get(record.id)
                names = record.diff_against(before).changed_fields if before else []
                record.changed = [model._meta.get_field(name).verbose_name for name in names]
                last[record.id] = record
            sections.append(
                {"name": model._meta.verbose_name_plural, "records": records[::-1][:PARTS_SHOWN]}
            )
        return sections
