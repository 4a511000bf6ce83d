"""Signing in with the organisation's directory, and `sync_directory`,
against a real OpenLDAP slapd (tests/directory_helpers.py)."""

from __future__ import annotations

import contextlib
import io
import logging
import os

import ldap
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from completion.models import Assignment, Certificate, Completion, Employee, Unit
from completion.schedule import run_due
from tests.directory_helpers import PEOPLE_PASSWORD, person_dn, person_ldif
from tests.factories import make_admin, make_attempt, make_module, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(db) -> dict[str, Unit]:
    """The site's units: the directory's, less 人事处 (SZT-RSC)."""
    root = Unit.objects.create_child(None, code="SZT", name="示范厅")
    made = {"SZT": root}
    for code, name in [("SZT-BGS", "办公室"), ("SZT-BMC", "保密处"), ("SZT-XXC", "信息处")]:
        made[code] = Unit.objects.create_child(root, code=code, name=name)
    return made


@pytest.fixture
def newcomer(directory):
    """A person added to the directory for one test, and removed after it."""
    added = []

    def add(uid: str, name: str, number: str, unit_code: str) -> str:
        connection = directory.admin()
        ldif = person_ldif(uid, name, number, unit_code)
        attrs = [line.split(": ", 1) for line in ldif.strip().splitlines()[1:]]
        entry = {}
        for key, value in attrs:
            entry.setdefault(key, []).append(value.encode())
        dn = person_dn(uid, unit_code)
        connection.add_s(dn, list(entry.items()))
        added.append(dn)
        return dn

    yield add
    connection = directory.admin()
    for dn in added:
        with contextlib.suppress(ldap.NO_SUCH_OBJECT):
            connection.delete_s(dn)


def sign_in(client, username: str, password: str = PEOPLE_PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def sync(*args: str) -> str:
    out = io.StringIO()
    call_command("sync_directory", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_directory_person_signs_in_through_the_form_and_sees_name_and_unit(
    client, directory, units
):
    response = sign_in(client, "zhangwei")
    assert response.status_code == 302
    assert response.url == reverse("home")
    html = client.get(reverse("home")).content.decode()
    assert "Welcome, 张伟" in html
    assert "Unit: 办公室" in html


def test_the_first_sign_in_maps_the_entrys_attributes(client, directory, units):
    sign_in(client, "chenjing")
    employee = Employee.objects.select_related("user", "unit").get(employee_number="D2001")
    assert employee.full_name == "陈静"
    assert employee.unit == units["SZT-BMC"]
    assert employee.from_directory
    assert employee.user.username == "chenjing"
    assert employee.user.email == "chenjing@awareness.test"
    assert employee.user.first_name == "陈静"
    # The directory holds the password; the site has none to guess.
    assert not employee.user.has_usable_password()


def test_configured_attributes_are_read_and_the_name_falls_back_to_cn(
    client, directory, units, settings
):
    settings.AUTH_LDAP_ATTR_FULL_NAME = "title"  # absent: cn is read instead
    settings.AUTH_LDAP_ATTR_EMPLOYEE_NUMBER = "uid"
    sign_in(client, "yangmin")
    employee = Employee.objects.get(user__username="yangmin")
    assert (employee.full_name, employee.employee_number) == ("杨敏", "yangmin")


def test_a_wrong_directory_password_is_refused_like_a_local_one(client, directory, units):
    response = sign_in(client, "zhangwei", "not-the-password")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not get_user_model().objects.filter(username="zhangwei").exists()


def test_a_disabled_directory_account_cannot_sign_in(client, directory, units):
    response = sign_in(client, "zhengtao")
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_later_sign_in_follows_a_move_and_keeps_the_history(client, directory, units):
    sign_in(client, "zhaolei")
    user = get_user_model().objects.get(username="zhaolei")
    module = make_module("papers")
    make_attempt(user, module, score=100, at=timezone.now())
    client.post(reverse("logout"))
    dn = person_dn("zhaolei", "SZT-BMC")
    connection = directory.admin()
    connection.modify_s(
        dn,
        [
            (ldap.MOD_REPLACE, "departmentNumber", [b"SZT-XXC"]),
            (ldap.MOD_REPLACE, "displayName", ["赵磊磊".encode()]),
            (ldap.MOD_REPLACE, "mail", [b"zhaolei@new.awareness.test"]),
        ],
    )
    try:
        sign_in(client, "zhaolei")
    finally:
        connection.modify_s(
            dn,
            [
                (ldap.MOD_REPLACE, "departmentNumber", [b"SZT-BMC"]),
                (ldap.MOD_REPLACE, "displayName", ["赵磊".encode()]),
                (ldap.MOD_REPLACE, "mail", [b"zhaolei@awareness.test"]),
            ],
        )
    employee = Employee.objects.select_related("user").get(user=user)
    assert employee.unit == units["SZT-XXC"]
    assert employee.full_name == "赵磊磊"
    assert employee.user.email == "zhaolei@new.awareness.test"
    assert Completion.objects.filter(user=user, module=module).exists()
    assert "Unit: 信息处" in client.get(reverse("home")).content.decode()


def test_a_person_of_an_unknown_unit_signs_in_not_placed_and_is_told_whom_to_ask(
    client, directory, units
):
    root_admin = make_admin(units["SZT"], username="root-admin")
    assert sign_in(client, "sunli").status_code == 302
    employee = Employee.objects.get(user__username="sunli")
    assert employee.unit is None and employee.directory_unit_code == "SZT-RSC"
    html = client.get(reverse("home")).content.decode()
    assert "You are not placed in a unit yet." in html
    assert "“SZT-RSC”" in html
    assert "Ask 管理员 to add your unit." in html
    # The admin of the top of the tree sees her as not placed, not as one of
    # the unit's people.
    module = make_module("papers")
    Assignment.objects.assign(
        module=module, unit=units["SZT"], due_date=timezone.localdate(), by=None
    )
    client.force_login(root_admin)
    response = client.get(reverse("completion:unit_report", args=[units["SZT"].pk]))
    assert "Not placed" in response.content.decode()
    assert [e.full_name for e in response.context["not_placed"]] == ["孙丽"]
    assert "孙丽" not in [row["full_name"] for row in response.context["page"].object_list]


def test_a_sub_units_admin_never_sees_the_not_placed(client, directory, units):
    sign_in(client, "sunli")
    client.force_login(make_admin(units["SZT-BGS"], username="bgs-admin"))
    response = client.get(reverse("completion:unit_report", args=[units["SZT-BGS"].pk]))
    assert "孙丽" not in response.content.decode()
    assert "Not placed" not in response.content.decode()
    # Nor does the top unit's report open for them.
    assert client.get(reverse("completion:unit_report", args=[units["SZT"].pk])).status_code == 404


def test_a_local_account_of_the_same_name_is_never_taken_over(
    client, directory, units, django_user_model
):
    django_user_model.objects.create_user("zhangwei", password="local-pw-for-tests", is_staff=True)
    assert "_auth_user_id" not in sign_in(client, "zhangwei").wsgi_request.session
    assert not Employee.objects.filter(user__username="zhangwei").exists()
    assert sign_in(client, "zhangwei", "local-pw-for-tests").status_code == 302


@pytest.mark.parametrize("problem", ["down", "bind refused"])
def test_a_directory_it_cannot_use_is_said_on_the_sign_in_page_and_logged(
    client, directory, units, settings, caplog, django_user_model, problem
):
    if problem == "down":
        settings.AUTH_LDAP_SERVER_URI = "ldap://127.0.0.1:9"  # nothing listens there
    else:
        settings.AUTH_LDAP_BIND_PASSWORD = "not-the-service-password"
    with caplog.at_level(logging.ERROR, logger="completion.directory"):
        response = sign_in(client, "zhangwei")
    assert response.status_code == 200
    assert "directory cannot be reached just now" in response.content.decode()
    assert "The directory could not be used" in caplog.text
    # The local superuser still signs in.
    django_user_model.objects.create_superuser("admin", password="admin-pw-for-tests")
    assert sign_in(client, "admin", "admin-pw-for-tests").status_code == 302


def test_sign_ins_the_directory_could_not_check_do_not_count_toward_the_lockout(
    client, directory, units, settings
):
    """Ten tries while the directory is down lock no one out once it is back;
    wrong passwords, once it answers, count as usual."""
    from axes.models import AccessAttempt

    real_address = settings.AUTH_LDAP_SERVER_URI
    settings.AUTH_LDAP_SERVER_URI = "ldap://127.0.0.1:9"  # nothing listens there
    for _ in range(10):
        assert sign_in(client, "zhangwei").status_code == 200
    assert not AccessAttempt.objects.exists()
    settings.AUTH_LDAP_SERVER_URI = real_address
    assert sign_in(client, "zhangwei").status_code == 302
    client.logout()
    statuses = [sign_in(client, "zhangwei", "wrong-password").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]


def test_sync_directory_creates_everyone_and_changes_nothing_the_second_time(directory, units):
    first = sync()
    # Eleven people may sign in (the twelfth is disabled); 孙丽 is not placed.
    assert first.strip() == (
        "created 11, updated 0, moved 0, deactivated 0, not placed 1, errors 0"
    )
    assert Employee.objects.filter(unit=units["SZT-BGS"]).count() == 4
    assert not get_user_model().objects.filter(username="zhengtao").exists()
    assert sync().strip() == "created 0, updated 0, moved 0, deactivated 0, not placed 1, errors 0"


def test_sync_directory_reads_in_pages(directory, units):
    assert "created 11" in sync("--page-size", "3")


def test_sync_directory_deactivates_people_gone_and_keeps_their_records(
    client, directory, units, newcomer
):
    dn = newcomer("qianfang", "钱芳", "D1009", "SZT-BGS")
    assert sign_in(client, "qianfang").status_code == 302
    user = get_user_model().objects.get(username="qianfang")
    module = make_module("papers")
    Assignment.objects.assign(
        module=module, unit=units["SZT"], due_date=timezone.localdate(), by=None
    )
    make_attempt(user, module, score=100, at=timezone.now())
    completion = Completion.objects.get(user=user)
    certificate = Certificate.objects.issue_for(completion=completion)
    sync()

    directory.admin().delete_s(dn)
    assert "deactivated 1" in sync()
    user.refresh_from_db()
    assert not user.is_active
    # The session they had ends, and they cannot sign in again.
    assert client.get(reverse("home")).status_code == 302
    refused = sign_in(client, "qianfang")
    assert "Please enter a correct username and password" in refused.content.decode()
    # Their completion and certificate are still in their unit's report.
    client.force_login(make_admin(units["SZT"], username="root-admin"))
    response = client.get(
        reverse("completion:unit_report", args=[units["SZT"].pk]), {"module": "papers"}
    )
    rows = {row["full_name"]: row for row in response.context["page"].object_list}
    assert rows["钱芳"]["training_status"] == "passed"
    assert Certificate.objects.visible_to(response.wsgi_request.user).valid().get() == certificate
    # Nobody is deactivated twice.
    assert "deactivated 0" in sync()


def test_sync_directory_moves_people_between_units(directory, units):
    sync()
    dn = person_dn("wujun", "SZT-XXC")
    connection = directory.admin()
    connection.modify_s(dn, [(ldap.MOD_REPLACE, "departmentNumber", [b"SZT-BGS"])])
    try:
        assert "moved 1" in sync()
    finally:
        connection.modify_s(dn, [(ldap.MOD_REPLACE, "departmentNumber", [b"SZT-XXC"])])
    assert Employee.objects.get(user__username="wujun").unit == units["SZT-BGS"]


def test_sync_directory_units_builds_the_tree_from_the_organisational_units(directory, db):
    output = sync("--units")
    assert "units: created 5, updated 0, moved 0" in output
    assert "not placed 0" in output
    root = Unit.objects.get(code="SZT")
    assert root.name == "示范厅" and root.parent is None
    assert sorted(root.children.values_list("name", flat=True)) == [
        "人事处",
        "保密处",
        "信息处",
        "办公室",
    ]
    assert Employee.objects.get(user__username="sunli").unit.name == "人事处"
    assert "units: created 0, updated 0, moved 0" in sync("--units")


def test_sync_directory_says_when_the_directory_is_down(directory, settings):
    settings.AUTH_LDAP_SERVER_URI = "ldap://127.0.0.1:9"
    with pytest.raises(CommandError, match="cannot bind"):
        sync()


# The worker closes its connections when it ends, which inside a test
# transaction (PostgreSQL) would end the test's own.
@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_scheduled_sync(directory, units, settings):
    settings.SCHEDULE = {"completion.tasks.sync_directory": 60}
    assert run_due() == ["completion.tasks.sync_directory"]
    call_command("db_worker", batch=True, no_startup_delay=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert Employee.objects.filter(from_directory=True).count() == 11


def test_the_scheduled_sync_is_off_unless_configured():
    from django.conf import settings

    assert settings.SCHEDULE["completion.tasks.sync_directory"] == 0


def test_an_entry_whose_staff_number_another_account_holds_is_skipped_and_said(
    client, directory, units
):
    make_person(units["SZT-BGS"], name="张伟", username="local-zhang")
    Employee.objects.filter(user__username="local-zhang").update(employee_number="D1001")
    err = io.StringIO()
    call_command("sync_directory", stdout=io.StringIO(), stderr=err)
    assert "employee number D1001 belongs to another account" in err.getvalue()
    assert not get_user_model().objects.filter(username="zhangwei").exists()
    response = sign_in(client, "zhangwei")
    assert "Your directory account cannot be used on this site yet" in response.content.decode()


def test_a_person_not_placed_is_placed_once_their_unit_exists(directory, units):
    sync()
    Unit.objects.create_child(units["SZT"], code="SZT-RSC", name="人事处")
    assert "moved 1, deactivated 0, not placed 0" in sync()
    assert Employee.objects.get(user__username="sunli").unit.name == "人事处"


def test_a_csv_import_cannot_change_a_directory_person(client, directory, units):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from completion import imports

    sync()
    upload = SimpleUploadedFile(
        "people.csv",
        "full_name,employee_number,unit_code,email\n改名,D1001,SZT-BGS,x@example.cn\n".encode(),
    )
    rows, problems = imports.read(upload, root=units["SZT"])
    assert rows == []
    assert "employee number D1001 cannot be imported from here" in problems[0].message
