"""Load the case content and create the demo accounts, idempotently.

`python manage.py demo` may run any number of times: content already in the
database is left as it is (a trainer's edits are never overwritten), and the
accounts are created only when missing.
"""

import json
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from completion.models import Employee, Unit, UnitAdmin

DEMO_PASSWORD = "awareness-demo"
FIXTURES_DIR = settings.BASE_DIR / "fixtures"
# Trainers edit content: everything in the cases and lessons apps, except the
# attempts and answers, which are history and read-only to them.
TRAINER_APPS = ("cases", "lessons")
TRAINER_READ_ONLY = {"attempt", "attemptquestion", "attemptchoice", "decisionresponse"}


def fixture_is_loaded(path: Path) -> bool:
    """A fixture counts as loaded when the first object it describes exists."""
    objects = json.loads(path.read_text(encoding="utf-8"))
    if not objects:
        return True
    first = objects[0]
    model = apps.get_model(first["model"])
    return model._default_manager.filter(pk=first["pk"]).exists()


class Command(BaseCommand):
    help = "Load the demo content and create the demo accounts (idempotent)."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            self.load_content()
            trainers = self.trainers_group()
            self.create_accounts(trainers)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(
            f"Demo sign-ins (password for all: {DEMO_PASSWORD}): "
            "employee, unitadmin, trainer, admin"
        )

    def load_content(self) -> None:
        for path in sorted(FIXTURES_DIR.glob("*.json")):
            if not fixture_is_loaded(path):
                call_command("loaddata", str(path), verbosity=0)
                self.stdout.write(f"Loaded {path.name}")

    def trainers_group(self) -> Group:
        group, _ = Group.objects.get_or_create(name="Trainers")
        permissions = Permission.objects.filter(content_type__app_label__in=TRAINER_APPS).exclude(
            content_type__model__in=TRAINER_READ_ONLY, codename__regex=r"^(add|change|delete)_"
        )
        group.permissions.set(permissions)
        return group

    def create_accounts(self, trainers: Group) -> None:
        from django.contrib.auth import get_user_model

        User = get_user_model()
        province, _ = Unit.objects.get_or_create(
            code="DEMO", defaults={"name": "Demo Province", "path": "0001/", "depth": 0}
        )
        people = [
            # username, full name, staff, superuser. A Chinese name is kept
            # whole (family name first) rather than split into first/last.
            ("employee", "王小明", False, False),
            ("unitadmin", "陈静", False, False),
            ("trainer", "刘伟", True, False),
            ("admin", "Administrator", True, True),
        ]
        for number, (username, name, staff, superuser) in enumerate(people, start=1):
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": name,
                    "is_staff": staff,
                    "is_superuser": superuser,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            Employee.objects.get_or_create(
                user=user,
                defaults={
                    "unit": province,
                    "employee_number": f"DEMO-{number:04d}",
                    "full_name": name,
                },
            )
        User.objects.get(username="trainer").groups.add(trainers)
        UnitAdmin.objects.get_or_create(user=User.objects.get(username="unitadmin"), unit=province)
