import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_it_creates_the_demo_accounts_with_their_roles(demo):
    User = get_user_model()
    assert User.objects.get(username="admin").is_superuser
    trainer = User.objects.get(username="trainer")
    assert trainer.is_staff and not trainer.is_superuser
    assert trainer.groups.filter(name="Trainers").exists()
    assert trainer.has_perm("cases.change_case")
    assert not trainer.has_perm("auth.change_user")
    assert not trainer.has_perm("completion.change_unit")
    assert User.objects.get(username="employee").check_password("awareness-demo")


def test_running_it_twice_changes_nothing(demo):
    from django.apps import apps

    def counts():
        return {m._meta.label: m._default_manager.count() for m in apps.get_models()}

    before = counts()
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts() == before


def test_it_builds_an_organisation_of_about_a_hundred_people(demo):
    from completion.models import Employee, Unit

    province = Unit.objects.get(code="DEMO")
    assert Unit.objects.filter(parent=province).count() >= 4  # bureaus
    assert Unit.objects.filter(depth=2).count() >= 12  # departments
    people = Employee.objects.filter(unit__path__startswith=province.path).exclude(
        user__username__in=["employee", "unitadmin", "trainer", "admin"]
    )
    assert people.count() == 100
    # Chinese names, family name first, kept whole.
    assert all(1 < len(name) <= 3 for name in people.values_list("full_name", flat=True))


def test_it_gives_the_demo_accounts_their_places(demo):
    from completion.models import Employee, Unit

    employee = Employee.objects.get(user__username="employee")
    assert employee.unit.depth == 2  # a department, below a bureau
    admin_units = Unit.objects.filter(admins__user__username="unitadmin")
    assert list(admin_units.values_list("code", flat=True)) == ["DEMO"]


def test_it_gives_the_organisation_a_realistic_spread_of_statuses(demo):
    from collections import Counter

    from completion import reports
    from completion.models import Unit, local_today

    province = Unit.objects.get(code="DEMO")
    modules = list(reports.assigned_modules())
    assert len(modules) == 3
    rows = reports.person_rows(province, modules, reports.Filters(), today=local_today())
    counts = Counter(row["training_status"] for row in rows)
    assert set(counts) >= {"passed", "failed", "in_progress", "overdue", "not_started"}
    assert counts["passed"] < sum(counts.values()) * 0.8  # not everyone is done


def test_it_builds_a_large_organisation_on_request(db):
    from completion.models import Employee

    call_command("demo", employees=600, stdout=open("/dev/null", "w"))  # noqa: SIM115
    demo_accounts = ["employee", "unitadmin", "trainer", "admin"]
    assert Employee.objects.exclude(user__username__in=demo_accounts).count() == 600


def test_its_people_read_in_chinese_and_their_history_is_in_chinese(chinese_demo):
    from completion.models import Certificate, Employee
    from lessons.models import Attempt

    assert set(
        Employee.objects.exclude(user__username="admin").values_list("language", flat=True)
    ) == {"zh-hans"}
    assert Employee.objects.get(user__username="admin").language == ""
    # Their past attempts were copied in Chinese, and certificates print in it.
    attempt = Attempt.objects.filter(user__username="employee", passed=True).first()
    assert attempt.language == "zh-hans"
    assert attempt.questions.first().text == attempt.questions.first().question.text_zh_hans
    certificate = Certificate.objects.filter(user__username="employee").first()
    assert certificate.language == "zh-hans"
    assert certificate.module_title_zh_hans == attempt.module.title_zh_hans
    assert certificate.module_title_en == attempt.module.title_en


def test_signing_in_brings_back_the_language_chosen(chinese_demo, client):
    response = client.post(
        "/accounts/login/", {"username": "employee", "password": "awareness-demo"}
    )
    assert response.cookies["django_language"].value == "zh-hans"
    assert "王小明，您好" in client.get("/").content.decode()

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert language_of("employee") == "en"
    client.post("/accounts/logout/")
    client.cookies.clear()
    client.post("/accounts/login/", {"username": "employee", "password": "awareness-demo"})
    assert "Welcome" in client.get("/").content.decode()


def language_of(username: str) -> str:
    from completion.models import Employee

    return Employee.objects.get(user__username=username).language
