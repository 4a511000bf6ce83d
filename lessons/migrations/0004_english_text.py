"""Existing content moves into the new per-language columns (English)."""

from django.db import migrations
from django.db.models import F

TRANSLATED = {
    "module": ("title", "intro", "acknowledgement"),
    "lessonsection": ("title", "body"),
    "decisionpoint": ("prompt", "what_happened"),
    "decisionoption": ("text", "feedback"),
    "question": ("text", "explanation"),
    "choice": ("text",),
}


def forwards(apps, schema_editor):
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("lessons", model_name)
        model.objects.update(**{f"{name}_en": F(name) for name in fields})


class Migration(migrations.Migration):
    dependencies = [("lessons", "0003_translations_sections_and_language")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
