"""The admin's history pages (django-simple-history): who changed what and
when, read only. Old versions can be looked at but never saved back: a
revert would skip the rules the models keep (a unit's path, a due date's
change record, a certificate that is never un-revoked)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    """A model admin with a History page. Seeing it takes the "view
    historical …" permission of the model (SIMPLE_HISTORY_ENFORCE_HISTORY_
    MODEL_PERMISSIONS), which the Trainers group has for content only."""

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context=None
    ) -> HttpResponse:
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        return super().history_form_view(request, object_id, version_id, extra_context)
