"""A page per person for the admins above them: assignments with status,
attempts, certificates, due date changes and reminders; nobody else's."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from completion.models import Assignment, Employee, Reminder
from tests.factories import certified, local, make_admin, make_attempt, make_module, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(org):
    """李明 of 甲局's section: the module assigned to the province (its due
    date moved once), one failed attempt then a pass with its certificate,
    and a reminder sent; 钱芳 of 乙局 with nothing done."""
    module = org["module"]
    today = timezone.localdate()
    Assignment.objects.assign(module=module, unit=org["province"], due_date=today, by=None)
    mover = make_admin(org["province"], username="mover")
    Assignment.objects.assign(
        module=module, unit=org["province"], due_date=today + timedelta(days=9), by=mover
    )
    li = make_person(org["section"], "李明")
    make_attempt(li, module, score=50, at=local(2026, 1, 1, 9))
    certified(li, module)
    Reminder.objects.create(
        recipient=li,
        module=module,
        due_date=today,
        kind=Reminder.Kind.BEFORE,
        step=7,
        outcome=Reminder.Outcome.SENT,
        sent_at=timezone.now(),
    )
    org["li"] = Employee.objects.get(user=li)
    org["qian"] = Employee.objects.get(user=make_person(org["sibling"], "钱芳"))
    return org


def url(employee):
    return reverse("completion:person", args=[employee.pk])


def test_it_shows_a_persons_whole_record(client, org):
    client.force_login(make_admin(org["bureau"]))
    response = client.get(url(org["li"]))
    assert response.status_code == 200
    record = response.context["record"]
    assert [row["training_status"] for row in record.requirements] == ["passed"]
    assert [(a.number, a.score) for a in record.attempts] == [(1, 50), (2, 100)]
    assert len(record.certificates) == 1
    assert [(c.old_due_date, c.new_due_date) for c in record.due_date_changes] == [
        (timezone.localdate(), timezone.localdate() + timedelta(days=9))
    ]
    html = response.content.decode()
    for text in ["李明", "Passed", "50%", record.certificates[0].serial, "管理员", "Sent"]:
        assert text in html, text
    assert "Before the due date" in html


def test_nobody_reaches_another_units_people(client, org):
    # 乙局's admin: 李明 (甲局) is a 404, 钱芳 (乙局) is theirs.
    client.force_login(make_admin(org["sibling"]))
    assert client.get(url(org["li"])).status_code == 404
    assert client.get(url(org["qian"])).status_code == 200
    # The section's admin does not reach up to 甲局 or across to 乙局.
    client.force_login(make_admin(org["section"]))
    assert client.get(url(org["li"])).status_code == 200
    assert client.get(url(org["qian"])).status_code == 404


def test_an_employee_reaches_nobody_not_even_themselves(client, org):
    client.force_login(org["li"].user)
    assert client.get(url(org["li"])).status_code == 404
    assert client.get(url(org["qian"])).status_code == 404


def test_the_reports_person_rows_link_to_it(client, org):
    client.force_login(make_admin(org["province"]))
    html = client.get(reverse("completion:unit_report", args=[org["province"].pk])).content
    assert f'href="{url(org["li"])}"'.encode() in html


def test_it_reads_in_chinese(client, org):
    client.force_login(make_admin(org["province"]))
    html = client.get(url(org["li"]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "培训记录" in html and "测验记录" in html and "截止日期变更" in html


@pytest.mark.parametrize("history", [1, 4])
def test_its_queries_do_not_grow_with_history(client, org, history, django_assert_num_queries):
    qian = org["qian"]
    for n in range(history):
        module = make_module(f"extra{n}", questions=2)
        Assignment.objects.assign(
            module=module, user=qian.user, due_date=timezone.localdate(), by=None
        )
        make_attempt(qian.user, module, score=50)
    client.force_login(make_admin(org["province"]))
    # session, user, the person (with their rights checked), the assigned
    # modules (3), their requirements (one UNION, no count), the attempts, the
    # certificates, the due date changes, the reminders, the trail of units
    # and the nav's admin check.
    with django_assert_num_queries(12):
        response = client.get(url(qian))
    assert len(response.context["record"].requirements) == history + 1
