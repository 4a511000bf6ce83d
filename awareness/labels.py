"""Names in the reader's language for the models and fields that were
declared without one (a foreign key named only by its attribute, the
history models' plain fields), so the admin reads in Chinese throughout.

They are given when the apps are ready, to the display name only
(`verbose_name`): a field's migration state is read from what it was
declared with (`_verbose_name`, `Meta` as written), so this changes no
migration. Declaring the names in the models instead would be the same to
a reader and would need a migration that alters nothing in the database.
"""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext_lazy as _

APPS = ("cases", "lessons", "completion")

# app_label.model_name → (singular, plural), for models declared without a name.
MODEL_NAMES = {
    "lessons.attempt": (_("attempt"), _("attempts")),
    "lessons.attemptquestion": (_("question asked"), _("questions asked")),
    "lessons.attemptchoice": (_("choice shown"), _("choices shown")),
    "lessons.decisionresponse": (_("decision response"), _("decision responses")),
    "completion.duedatechange": (_("due date change"), _("due date changes")),
    "completion.exportjob": (_("export job"), _("export jobs")),
    "completion.bulkprintjob": (_("bulk print job"), _("bulk print jobs")),
    "completion.scheduledrun": (_("scheduled run"), _("scheduled runs")),
    "completion.serialcounter": (_("serial number counter"), _("serial number counters")),
    "completion.publiclookup": (_("public certificate lookup"), _("public certificate lookups")),
}

# Field name → its name, for fields declared without one (whatever model).
FIELD_NAMES = {
    "case": _("case"),
    "module": _("module"),
    "event": _("timeline event"),
    "red_flag": _("red flag"),
    "provision": _("legal provision"),
    "themes": _("themes"),
    "decision_point": _("decision point"),
    "question": _("question"),
    "choice": _("choice"),
    "option": _("option chosen"),
    "option_text": _("option chosen (as shown)"),
    "was_recommended": _("the recommended option"),
    "user": _("user"),
    "unit": _("unit"),
    "parent": _("parent unit"),
    "path": _("path in the tree"),
    "depth": _("depth"),
    "attempt": _("attempt"),
    "attempt_question": _("question asked"),
    "assignment": _("assignment"),
    "assigned_by": _("assigned by"),
    "completion": _("completion"),
    "acknowledgement_text": _("commitment confirmed"),
    "token": _("check token"),
    "revoked_by": _("revoked by"),
    "status": _("status"),
    "pass_mark": _("pass mark (%)"),
    "module_title": _("module title"),
    "language": _("language"),
    "started_at": _("started"),
    "submitted_at": _("submitted"),
    "correct_count": _("correct answers"),
    "question_count": _("questions"),
    "passed": _("passed"),
    "position": _("position"),
    "kind": _("kind"),
    "text": _("text"),
    "explanation": _("explanation"),
    "answered_at": _("answered"),
    "is_correct": _("correct"),
    "selected": _("selected"),
    "created_at": _("created"),
    "old_due_date": _("old due date"),
    "new_due_date": _("new due date"),
    "changed_by": _("changed by"),
    "changed_at": _("changed"),
    "requested_by": _("requested by"),
    "filters": _("filters"),
    "state": _("state"),
    "total": _("total"),
    "done": _("done"),
    "error": _("error"),
    "progressed_at": _("last progress"),
    "finished_at": _("finished"),
    "file": _("file"),
    "task": _("task"),
    "last_enqueued_at": _("last enqueued"),
    "year": _("year"),
    "last": _("last number"),
    "address": _("address"),
    "at": _("time"),
}


def name_the_unnamed() -> None:
    """Give every model and field of the project's apps declared without a
    name the one above (called once, from CasesConfig.ready)."""
    for app_label in APPS:
        for model in apps.get_app_config(app_label).get_models():
            opts = model._meta
            names = MODEL_NAMES.get(opts.label_lower)
            if names and "verbose_name" not in opts.original_attrs:
                opts.verbose_name, opts.verbose_name_plural = names
            for field in opts.get_fields():
                declared = getattr(field, "_verbose_name", "")
                if declared is None and field.name in FIELD_NAMES:
                    field.verbose_name = FIELD_NAMES[field.name]
