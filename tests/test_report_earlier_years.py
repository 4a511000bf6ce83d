"""The unit report as it stood at the end of an earlier year: the current
cycle by default, an earlier year's statuses on request, in the table, its
figures and its exports — with nothing of that year rewritten by what came
after it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from completion.models import Assignment, Employee, TrainingStatus
from tests.factories import (
    clock_at,
    completed,
    local,
    make_admin,
    make_attempt,
    make_module,
    make_person,
)

# Two years of history, the second still running ("today" is mid-November).
TODAY = local(2026, 11, 16, 10)


@pytest.fixture
def history(org):
    """A yearly module assigned to the province in January 2025 (due on
    1 March, 30 days to pass again once a pass expires), and:

    - 甲 passed on time in 2025 and again in 2026, when the first expired;
    - 乙 passed late in 2025 and not again: expired now;
    - 丙 never passed (overdue both years), began an attempt in 2026;
    - 丁 joined the unit in June 2026: not in the 2025 report;
    and a second module assigned only in 2026.
    """
    module = org["module"]
    module.validity_months = 12
    module.save(update_fields=["validity_months"])
    bureau = org["bureau"]
    with clock_at(local(2025, 1, 10, 9)):
        Assignment.objects.assign(
            module=module, unit=org["province"], due_date=dt.date(2025, 3, 1), by=None
        )
        people = {name: make_person(bureau, name=name) for name in ["甲", "乙", "丙"]}
        admin = make_admin(org["province"])
    Employee.objects.filter(user__in=people.values()).update(unit_since=dt.date(2024, 6, 1))
    completed(people["甲"], module, when=local(2025, 2, 1, 10))
    completed(people["乙"], module, when=local(2025, 4, 1, 10))
    completed(people["甲"], module, when=local(2026, 2, 20, 10))
    make_attempt(people["丙"], module, score=None, at=local(2026, 5, 1, 10))
    with clock_at(local(2026, 6, 1, 9)):
        people["丁"] = make_person(bureau, name="丁")
        later = make_module("gambling")
        Assignment.objects.assign(
            module=later, unit=org["province"], due_date=dt.date(2026, 9, 1), by=None
        )
    return {**org, "people": people, "admin": admin, "later": later}


def statuses(client, province, **query) -> dict[tuple[str, str], str]:
    with clock_at(TODAY):
        response = client.get(reverse("completion:unit_report", args=[province.pk]), query)
    assert response.status_code == 200
    return {
        (row["full_name"], row["module_title"]): row["training_status"]
        for row in response.context["page"].object_list
    }


def test_the_current_cycle_is_the_default(client, history):
    client.force_login(history["admin"])
    now = statuses(client, history["province"])
    papers = history["module"].title
    assert now[("甲", papers)] == TrainingStatus.PASSED
    assert now[("乙", papers)] == TrainingStatus.EXPIRED
    assert now[("丙", papers)] == TrainingStatus.OVERDUE
    assert ("丁", papers) in now and ("甲", history["later"].title) in now


def test_an_earlier_year_reads_as_it_stood_at_its_end(client, history):
    client.force_login(history["admin"])
    then = statuses(client, history["province"], year="2025")
    papers = history["module"].title
    assert then == {
        ("甲", papers): TrainingStatus.PASSED,
        ("乙", papers): TrainingStatus.PASSED_LATE,
        ("丙", papers): TrainingStatus.OVERDUE,
        # The admin, in the province since before 2025, never took it.
        ("管理员", papers): TrainingStatus.OVERDUE,
    }


def test_an_earlier_year_shows_the_cycle_then_current_with_its_dates(client, history):
    client.force_login(history["admin"])
    with clock_at(TODAY):
        response = client.get(
            reverse("completion:unit_report", args=[history["province"].pk]),
            {"year": "2025", "name": "甲"},
        )
    (row,) = response.context["page"].object_list
    # The first pass, not the one of 2026 that superseded it.
    assert row["completed_at"].date() == dt.date(2025, 2, 1)
    assert row["valid_until"] == dt.date(2026, 2, 1)
    assert row["due_date"] == dt.date(2025, 3, 1)
    page = response.content.decode()
    assert "As at the end of" in page and "Back to the current cycle" in page
    # The charts draw the current cycle only.
    assert response.context["charts"] is None


def test_an_earlier_years_figures_count_that_years_statuses(client, history):
    client.force_login(history["admin"])
    with clock_at(TODAY):
        response = client.get(
            reverse("completion:unit_report", args=[history["province"].pk]), {"year": "2025"}
        )
    total = response.context["summary"].total
    assert (total.assigned, total.completed, total.overdue) == (4, 2, 2)
    assert response.context["hours"].year.number == 2025


def test_the_export_of_an_earlier_year_holds_that_years_rows(client, history):
    client.force_login(history["admin"])
    with clock_at(TODAY):
        response = client.get(
            reverse("completion:report_csv", args=[history["province"].pk]), {"year": "2025"}
        )
        text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.splitlines()[1:]
    assert len(lines) == 4
    late = next(line for line in lines if line.startswith("乙,"))
    assert "Passed late" in late


def test_a_year_that_is_not_offered_is_refused(client, history):
    client.force_login(history["admin"])
    with clock_at(TODAY):
        response = client.get(
            reverse("completion:unit_report", args=[history["province"].pk]), {"year": "1999"}
        )
    assert response.status_code == 400
    assert response.context["filters"].year is None


def test_an_earlier_year_costs_the_same_queries_as_the_current_cycle(
    client, history, django_assert_num_queries
):
    client.force_login(history["admin"])
    address = reverse("completion:unit_report", args=[history["province"].pk])
    with clock_at(TODAY):
        client.get(address)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as current:
            client.get(address)
        # The charts' two queries are not run for an earlier year.
        with django_assert_num_queries(len(current) - 2):
            client.get(address, {"year": "2025"})


def test_reminders_are_about_today_whatever_year_is_shown(client, history):
    """The earlier year's report offers no "remind now", and its address
    with a year reminds whoever is overdue today."""
    client.force_login(history["admin"])
    province = history["province"]
    with clock_at(TODAY):
        page = client.get(reverse("completion:unit_report", args=[province.pk]), {"year": "2025"})
        assert "remind-now" not in page.content.decode()
        now = client.get(reverse("completion:remind_now", args=[province.pk]))
        then = client.get(reverse("completion:remind_now", args=[province.pk]), {"year": "2025"})
    assert then.context["plan"].planned == now.context["plan"].planned
    assert "year" not in then.context["query"]
