"""Load the case content and create the demo accounts, idempotently.

`python manage.py demo` may run any number of times: content already in the
database is left as it is (a trainer's edits are never overwritten), and the
accounts are created only when missing.
"""

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat

from completion.management.commands._demo_organisation import EXAMPLE_DOMAIN, Builder
from completion.models import Assignment, Campaign, Employee, Unit, UnitAdmin, local_today
from completion.trainers import TRAINERS
from lessons.models import Module

DEMO_PASSWORD = "awareness-demo"
# The demo's people read in Chinese, as the public servants it is for do;
# the header's switch still changes it for each of them.
DEMO_LANGUAGE = "zh-hans"
FIXTURES_DIR = settings.BASE_DIR / "fixtures"


def fixture_is_loaded(path: Path) -> bool:
    """A fixture counts as loaded when the first object it describes exists."""
    objects = json.loads(path.read_text(encoding="utf-8"))
    if not objects:
        return True
    first = objects[0]
    model = apps.get_model(first["model"])
    return model._default_manager.filter(pk=first["pk"]).exists()


DEMO_USERNAMES = ["employee", "unitadmin", "trainer", "admin"]
DEMO_ORGANISATION_SIZE = 100
DEMO_YEARLY_STUDY_HOURS = Decimal("1.5")
# A name for trying campaigns with, not one of a real national occasion.
DEMO_CAMPAIGN = "2026年度保密教育集中学习（示范）"
# Beyond this size the attempts keep only which questions were missed, not
# every choice shown: enough for the reports, and the benchmark stays quick.
CHOICES_UP_TO = 1000
# The demo employee's own history, one outcome per planned assignment: the
# first case passed, the second in progress, the third not started.
EMPLOYEE_OUTCOMES = ["pass_first", "in_progress", "not_started", "not_started"]


class Command(BaseCommand):
    help = (
        "Load the demo content, create the demo accounts and a demo organisation "
        "with training history (idempotent)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--employees",
            type=int,
            default=DEMO_ORGANISATION_SIZE,
            help="How many people the demo organisation has (e.g. 100000 for benchmarks).",
        )

    def handle(self, *args, employees: int = DEMO_ORGANISATION_SIZE, **options) -> None:
        with transaction.atomic():
            self.load_content()
            trainers = self.trainers_group()
            province = self.province()
            builder = Builder(
                province=province,
                employees=employees,
                with_choices=employees <= CHOICES_UP_TO,
                language=DEMO_LANGUAGE,
                log=self.stdout.write,
            )
            departments = builder.units()
            self.create_accounts(trainers, province=province, home=departments[7])
            self.build_organisation(builder, departments)
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
        # Made by migrate and again after a flush (completion/trainers.py).
        return Group.objects.get(name=TRAINERS)

    def province(self) -> Unit:
        province = Unit.objects.filter(code="DEMO").first()
        if province is None:
            province = Unit.objects.create_child(None, code="DEMO", name="示范省")
            # The demo's people owe the hours of its three modules a year: a
            # figure to try the study-hours pages with, not a rule.
            province.yearly_study_hours = DEMO_YEARLY_STUDY_HOURS
            province.save(update_fields=["yearly_study_hours"])
        return province

    def build_organisation(self, builder: Builder, departments: list[Unit]) -> None:
        """People, assignments and history, each made once: a second run
        finds them and changes nothing."""
        province = builder.province
        people = Employee.objects.filter(unit__path__startswith=province.path).exclude(
            user__username__in=DEMO_USERNAMES
        )
        if not people.exists():
            builder.people(departments, password=DEMO_PASSWORD)
        modules = list(Module.objects.published().order_by("order", "pk")[:3])
        if not modules or Assignment.objects.filter(unit=province).exists():
            return
        plan = builder.assignments(modules, departments, by=UnitAdmin.objects.first().user)
        employee = Employee.objects.get(user__username="employee")
        everyone = [*people.order_by("pk"), employee]
        builder.history(everyone, plan, scripted={employee.pk: EMPLOYEE_OUTCOMES[: len(plan)]})
        self.stdout.write(f"Assigned {len(modules)} modules with history")
        self.campaign(province, modules)

    def campaign(self, province: Unit, modules: list[Module]) -> None:
        """A running campaign over the demo's modules and bureaus, so its page
        ranks them. It is made over the assignments above rather than through
        them: the demo's due dates and history stay as they are."""
        first = Assignment.objects.filter(unit=province).order_by("created_at").first()
        today = local_today()
        campaign = Campaign.objects.create(
            name=DEMO_CAMPAIGN,
            unit=province,
            starts_on=first.assigned_on if first else today,
            ends_on=today + timedelta(days=30),
            due_date=None,
            days_allowed=first.days_allowed if first else 30,
            created_by=first.assigned_by if first else None,
        )
        campaign.modules.set(modules)
        campaign.target_units.set(Unit.objects.filter(parent=province))

    def create_accounts(self, trainers: Group, *, province: Unit, home: Unit) -> None:
        from django.contrib.auth import get_user_model

        User = get_user_model()
        people = [
            # username, full name, staff, superuser, language. A Chinese name
            # is kept whole (family name first) rather than split in two.
            ("employee", "王小明", False, False, DEMO_LANGUAGE),
            ("unitadmin", "陈静", False, False, DEMO_LANGUAGE),
            ("trainer", "刘伟", True, False, DEMO_LANGUAGE),
            ("admin", "Administrator", True, True, ""),
        ]
        for number, (username, name, staff, superuser, language) in enumerate(people, start=1):
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": name,
                    "email": f"{username}@{EXAMPLE_DOMAIN}",
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
                    # The employee works in a department; the others sit at the top.
                    "unit": home if username == "employee" else province,
                    "employee_number": f"DEMO-{number:04d}",
                    "full_name": name,
                    "language": language,
                    "unit_since": local_today() - timedelta(days=730),
                },
            )
        # Demo databases made before people had addresses get them now.
        User.objects.filter(email="", employee__unit__path__startswith=province.path).update(
            email=Concat("username", Value(f"@{EXAMPLE_DOMAIN}"))
        )
        User.objects.get(username="trainer").groups.add(trainers)
        UnitAdmin.objects.get_or_create(user=User.objects.get(username="unitadmin"), unit=province)
