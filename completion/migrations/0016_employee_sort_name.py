"""Employee.sort_name: the key the report sorts names by (pinyin for Chinese),
filled in for the people already there."""

from django.db import migrations, models

from completion.models.organisation import sort_name

CHUNK = 5000


def fill(apps, schema_editor):
    Employee = apps.get_model("completion", "Employee")
    people = Employee.objects.order_by("pk").only("pk", "full_name")
    last = 0
    while chunk := list(people.filter(pk__gt=last)[:CHUNK]):
        for employee in chunk:
            employee.sort_name = sort_name(employee.full_name)
        Employee.objects.bulk_update(chunk, ["sort_name"])
        last = chunk[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("completion", "0015_invitations_remind_now"),
    ]

    operations = [
        migrations.AddField(
            model_name="employee",
            name="sort_name",
            field=models.CharField(blank=True, editable=False, max_length=255),
        ),
        migrations.AddField(
            model_name="historicalemployee",
            name="sort_name",
            field=models.CharField(blank=True, editable=False, max_length=255),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
