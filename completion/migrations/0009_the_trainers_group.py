"""The Trainers group, with the content permissions and nothing else (see
completion/trainers.py)."""

from django.db import migrations

from completion.trainers import CONTENT, make_trainers_group


def create_trainers(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are made after all migrations; make the ones needed now.
    for label in CONTENT:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    make_trainers_group(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("completion", "0008_jobs_move_on_and_the_schedule"),
        ("cases", "0004_case_source_is_a_disclosure"),
        ("lessons", "0004_english_text"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_trainers, migrations.RunPython.noop)]
