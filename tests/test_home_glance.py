"""A unit admin's glance on the home page: how far the unit is, how many are
late and when the next module falls due — the report's own figures."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from completion.models import Assignment, local_today
from tests.factories import (
    local,
    make_admin,
    make_attempt,
    make_module,
    make_people,
    make_person,
    make_unit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit():
    """A bureau with a department below it and one outside it: three
    people are due next week on one module, two were due yesterday on
    another (one of whom passed); the outside unit's people never count."""
    province = make_unit(name="省")
    bureau = make_unit(province, name="局")
    department = make_unit(bureau, name="处")
    elsewhere = make_unit(province, name="别处")
    today = local_today()
    soon, late = make_module("soon"), make_module("late")
    people = [make_person(department, name=f"员工{n}") for n in range(3)]
    Assignment.objects.assign(module=soon, unit=bureau, due_date=today + timedelta(days=7), by=None)
    Assignment.objects.assign(
        module=soon, unit=elsewhere, due_date=today + timedelta(days=2), by=None
    )
    Assignment.objects.assign(
        module=late, user=people[0], due_date=today - timedelta(days=1), by=None
    )
    Assignment.objects.assign(
        module=late, user=people[1], due_date=today - timedelta(days=1), by=None
    )
    make_attempt(people[0], late, score=100, at=local(2026, 1, 5, 10))
    make_person(elsewhere, name="外人")
    return bureau


def glance_of(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.context["glance"], response.content.decode()


def test_a_unit_admin_sees_how_their_unit_stands(client, unit):
    glance, html = glance_of(client, make_admin(unit))
    # 4 on `soon` (the three and the admin, an employee of the bureau too,
    # due in a week) + 2 on `late` (1 passed, 1 overdue).
    assert (glance.assigned, glance.completed, glance.overdue) == (6, 1, 1)
    assert glance.next_due == local_today() + timedelta(days=7)
    assert "17%" in html
    assert reverse("completion:unit_report", args=[unit.pk]) in html


def test_the_figures_are_the_reports_own(client, unit):
    admin = make_admin(unit)
    glance, _html = glance_of(client, admin)
    report = client.get(reverse("completion:unit_report", args=[unit.pk])).context["summary"]
    assert (glance.assigned, glance.completed, glance.overdue) == (
        report.total.assigned,
        report.total.completed,
        report.total.overdue,
    )


def test_an_employee_who_administers_nothing_sees_no_unit(client, unit):
    person = make_person(unit)
    glance, html = glance_of(client, person)
    assert glance is None
    assert "unit-glance" not in html


def test_the_glance_costs_the_same_queries_for_ten_or_two_hundred_people(client, unit):
    admin = make_admin(unit)
    client.force_login(admin)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    make_people(unit, 200)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("home"))
    assert len(many) == len(few)
