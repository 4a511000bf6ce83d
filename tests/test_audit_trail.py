"""The audit trail (django-simple-history): who changed what and when, for
content, units, employees, unit admins, assignments and certificate
revocations, read in the admin's history pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Event
from completion.models import Assignment, Certificate, Employee, Unit, UnitAdmin
from lessons.models import Choice, Module, Question
from tests.factories import completed, make_admin, make_module, make_person, make_unit
from tests.test_cases_admin import CHANGE_URL, change_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(client):
    user = get_user_model().objects.create_superuser("root", password="x")
    client.force_login(user)
    return user


def columns(model) -> set[str]:
    with connection.cursor() as cursor:
        table = model.history.model._meta.db_table
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


@pytest.mark.parametrize(
    ("model", "translated"),
    [
        (Case, "title"),
        (Event, "body"),
        (Module, "title"),
        (Question, "explanation"),
        (Choice, "text"),
        (Certificate, "module_title"),
    ],
)
def test_the_history_tables_keep_every_language(model, translated):
    assert {f"{translated}_en", f"{translated}_zh_hans"} <= columns(model)


def test_editing_a_case_in_the_admin_records_who_changed_what(demo, client):
    trainer = get_user_model().objects.get(username="trainer")
    client.force_login(trainer)
    case = Case.objects.get(pk=1)
    # The demo's content is loaded from fixtures, which write no history:
    # a first save gives the case (and the event it changes) a first record.
    first = change_form_data(case) | {"events-0-body_en": "A first rewrite."}
    assert client.post(CHANGE_URL, first).status_code == 302
    data = change_form_data(case)
    data["title_zh_hans"] = "把涉密文件带回家（修订）"
    data["events-0-body_en"] = "A rewritten first event."
    assert client.post(CHANGE_URL, data).status_code == 302

    before, record = Case.history.filter(id=1).order_by("history_id")
    assert (record.history_type, record.history_user) == ("~", trainer)
    assert record.title_zh_hans == "把涉密文件带回家（修订）"
    assert record.diff_against(before).changed_fields == ["title_zh_hans"]
    assert timezone.now() - record.history_date < timedelta(minutes=1)
    # The inline's change has its own record, with the same person.
    event = Event.history.filter(case_id=1, body_en__isnull=False).latest()
    assert (event.body_en, event.history_user) == ("A rewritten first event.", trainer)

    page = client.get(reverse("admin:cases_case_history", args=[1])).content.decode()
    assert "把涉密文件带回家（修订）" in page
    assert "trainer" in page
    # The inline rows' changes are listed on the case's page, with the field.
    parts = page[page.index("Changes to its timeline events") :]
    assert "what happened (Markdown) [en]" in parts


def test_a_revocation_is_recorded_with_who_when_and_why(client, superuser):
    person = make_person(make_unit(None, "Province", code="P"), "王小明", username="wang")
    completion = completed(person, make_module())
    certificate = Certificate.objects.issue_for(completion=completion)
    client.post(
        reverse("admin:completion_certificate_changelist"),
        {
            "action": "revoke",
            ACTION_CHECKBOX_NAME: [certificate.pk],
            "reason": "Passed under someone else's account",
        },
    )
    issued, revoked = Certificate.history.filter(id=certificate.pk).order_by("history_id")
    assert (issued.history_type, issued.revoked_at) == ("+", None)
    assert revoked.history_type == "~"
    assert revoked.history_user == superuser
    assert revoked.revoked_reason == "Passed under someone else's account"
    assert revoked.revoked_at is not None and revoked.revoked_by == superuser

    page = client.get(reverse("admin:completion_certificate_history", args=[certificate.pk]))
    assert page.status_code == 200
    assert "Passed under someone else&#x27;s account" in page.content.decode()


def test_a_unit_admins_assignment_and_due_date_change_are_recorded(client):
    bureau = make_unit(make_unit(None, "省"), "甲局")
    admin, module = make_admin(bureau), make_module("papers")
    client.force_login(admin)
    url = reverse("completion:assign", args=[bureau.pk])
    for days in (14, 30):
        due = (timezone.localdate() + timedelta(days=days)).isoformat()
        data = {"modules": [module.pk], "target": "unit", "unit": bureau.pk, "due_date": due}
        checked = client.post(url, data)  # the preview: rolled back, so no history
        assert checked.status_code == 200
        data["previewed"] = checked.context["form"]["previewed"].value()
        assert client.post(url, data).status_code == 302

    assignment = Assignment.objects.get()
    created, moved = assignment.history.order_by("history_id")
    assert (created.history_type, created.history_user) == ("+", admin)
    assert (moved.history_type, moved.history_user) == ("~", admin)
    assert moved.diff_against(created).changed_fields == ["due_date"]
    assert moved.due_date == timezone.localdate() + timedelta(days=30)


def test_units_employees_and_unit_admins_are_recorded(client, superuser):
    province = Unit.objects.create_child(None, code="P", name="省")
    bureau = Unit.objects.create_child(province, code="B", name="甲局")
    other = Unit.objects.create_child(province, code="C", name="乙局")
    department = Unit.objects.create_child(bureau, code="D", name="处")
    person = make_person(department, "李雷")
    grant = UnitAdmin.objects.create(user=person, unit=bureau)
    # Moving a unit in the admin (renamed at the same time).
    response = client.post(
        reverse("admin:completion_unit_change", args=[department.pk]),
        {"code": "D", "name": "综合处", "parent": other.pk},
    )
    assert response.status_code == 302
    moved = department.history.latest()
    assert (moved.parent_id, moved.name, moved.history_user) == (other.pk, "综合处", superuser)
    assert moved.path.startswith(other.path)

    employee = Employee.objects.get(user=person)
    assert employee.history.get().history_type == "+"
    grant_id = grant.pk
    grant.delete()
    assert UnitAdmin.history.filter(id=grant_id).latest().history_type == "-"


def test_a_trainer_reads_the_contents_history(demo, client):
    client.force_login(get_user_model().objects.get(username="trainer"))
    for url in [
        reverse("admin:cases_case_history", args=[1]),
        reverse("admin:lessons_module_history", args=[Module.objects.first().pk]),
        reverse("admin:lessons_question_history", args=[Question.objects.first().pk]),
    ]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("name", ["employee", "unit", "unitadmin", "assignment", "certificate"])
def test_a_trainer_cannot_read_the_history_of_people_or_units(demo, client, name):
    model = {
        "employee": Employee,
        "unit": Unit,
        "unitadmin": UnitAdmin,
        "assignment": Assignment,
        "certificate": Certificate,
    }[name]
    pk = model.objects.values_list("pk", flat=True).first()
    client.force_login(get_user_model().objects.get(username="trainer"))
    assert client.get(reverse(f"admin:completion_{name}_history", args=[pk])).status_code == 403
    record = model.history.filter(id=pk).first()
    if record is not None:
        url = reverse(f"admin:completion_{name}_simple_history", args=[pk, record.pk])
        assert client.get(url).status_code == 403


def test_the_trainers_group_views_content_history_only(db):
    from django.contrib.auth.models import Group

    perms = set(
        Group.objects.get(name="Trainers")
        .permissions.filter(codename__contains="historical")
        .values_list("content_type__app_label", "codename")
    )
    assert ("cases", "view_historicalcase") in perms
    assert ("lessons", "view_historicalchoice") in perms
    assert {app for app, _codename in perms} == {"cases", "lessons"}
    assert all(codename.startswith("view_") for _app, codename in perms)


def test_an_old_version_cannot_be_saved_back(demo, client, superuser):
    case = Case.objects.get(pk=1)
    case.title = "Changed once"
    case.save()
    old = case.history.order_by("history_id").first()
    url = reverse("admin:cases_case_simple_history", args=[1, old.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, change_form_data(old.instance)).status_code == 405
    case.refresh_from_db()
    assert case.title == "Changed once"


def test_the_demos_bulk_people_write_no_history(demo):
    """bulk_create skips the signals that write history: only the named demo
    accounts, made one by one, have any; that keeps `demo --employees
    100000` fast."""
    named = set(Employee.history.values_list("user__username", flat=True))
    assert Employee.objects.count() > 50
    assert named and named <= {"employee", "unitadmin", "trainer", "admin"}


@pytest.mark.parametrize(
    "url",
    [
        "/admin/cases/case/abc/history/",
        "/admin/cases/case/1%00/history/",
        "/admin/cases/case/99999999999999999999999/history/",
        "/admin/cases/case/1/history/abc/",
        "/admin/completion/certificate/x/history/1/",
    ],
)
def test_malformed_history_addresses_are_not_found(client, superuser, url):
    assert client.get(url).status_code == 404
