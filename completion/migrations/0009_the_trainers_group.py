"""The Trainers group, with the content permissions and nothing else: cases,
lessons, questions and choices. No view of attempts, answers, decision
responses, reopenings, people, completions or certificates — those are
personal data, and trainers see per-question statistics as aggregates."""

from django.db import migrations

CONTENT = {
    "cases": ["theme", "legalprovision", "disclosure", "case", "person", "event", "redflag", "outcome"],
    "lessons": ["module", "lessonsection", "decisionpoint", "decisionoption", "question", "choice"],
}


def create_trainers(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are made after all migrations; make the ones needed now.
    for label in CONTENT:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="Trainers")
    wanted = Permission.objects.none()
    for label, models in CONTENT.items():
        wanted |= Permission.objects.filter(
            content_type__app_label=label, content_type__model__in=models
        )
    group.permissions.set(wanted)


class Migration(migrations.Migration):
    dependencies = [
        ("completion", "0008_jobs_move_on_and_the_schedule"),
        ("cases", "0004_case_source_is_a_disclosure"),
        ("lessons", "0004_english_text"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_trainers, migrations.RunPython.noop)]
