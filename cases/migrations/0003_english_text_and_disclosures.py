"""Existing content moves into the new per-language columns (English), and
each distinct source of the cases becomes a Disclosure."""

from django.db import migrations
from django.db.models import F

TRANSLATED = {
    "theme": ("name", "description"),
    "legalprovision": ("law", "article", "title", "summary"),
    "case": ("title", "hook", "summary", "lesson"),
    "person": ("label", "role", "description", "fate"),
    "event": ("title", "body"),
    "redflag": ("sign", "explanation", "correct_behaviour", "rule"),
    "outcome": ("description",),
}


def forwards(apps, schema_editor):
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("cases", model_name)
        model.objects.update(**{f"{name}_en": F(name) for name in fields})
    Case = apps.get_model("cases", "Case")
    Disclosure = apps.get_model("cases", "Disclosure")
    for case in Case.objects.all():
        disclosure, _created = Disclosure.objects.get_or_create(
            publisher=case.source_publisher,
            title=case.source_title,
            published_on=case.source_date,
            note=case.source_note,
            defaults={
                "publisher_en": case.source_publisher,
                "title_en": case.source_title,
                "note_en": case.source_note,
            },
        )
        case.disclosure = disclosure
        case.save(update_fields=["disclosure"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_disclosure_and_translations")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
