"""Statuses per (person, module), computed in SQL, the same on My training and
in the unit report."""

from datetime import date, timedelta

import pytest

from completion.models import Assignment, Employee, TrainingStatus, training_of
from completion.reports import requirements
from tests.factories import local, make_attempt, make_module, make_person, make_unit

pytestmark = pytest.mark.django_db

DUE = date(2026, 3, 10)


@pytest.fixture
def setup():
    # Ten questions a sitting, so that scores are multiples of ten.
    module = make_module("papers", questions=10, draw=10, limit=2)
    province = make_unit(None, "省")
    bureau = make_unit(province, "局")
    person = make_person(bureau)
    Assignment.objects.assign(module=module, unit=province, due_date=DUE, by=None)
    return module, province, bureau, person


def status(person, module, root, today):
    """The status as the report sees it and as My training sees it, which must agree."""
    in_report = {
        row.user_id: row.training_status for row in requirements(root, module, today=today)
    }.get(person.pk)
    mine = training_of(person, today=today).get(pk=module.pk).training_status
    assert in_report == mine
    return mine


def test_it_says_not_started_before_any_attempt(setup):
    module, province, _, person = setup
    assert status(person, module, province, DUE) == TrainingStatus.NOT_STARTED


def test_it_says_in_progress_with_an_open_attempt(setup):
    module, province, _, person = setup
    make_attempt(person, module, score=None)
    assert status(person, module, province, DUE) == TrainingStatus.IN_PROGRESS


def test_it_says_in_progress_after_a_failed_attempt_with_attempts_left(setup):
    module, province, _, person = setup
    make_attempt(person, module, score=40, at=local(2026, 3, 1, 10))
    assert status(person, module, province, DUE) == TrainingStatus.IN_PROGRESS


def test_it_says_passed_for_a_pass_late_on_the_due_date_in_shanghai(setup):
    module, province, _, person = setup
    # 23:30 on the due date in Shanghai is 15:30 UTC: still on time.
    make_attempt(person, module, score=100, at=local(2026, 3, 10, 23, 30))
    assert status(person, module, province, DUE + timedelta(days=5)) == TrainingStatus.PASSED


def test_it_says_passed_late_just_after_midnight_in_shanghai(setup):
    module, province, _, person = setup
    # 00:30 on the day after, in Shanghai, is still the due date in UTC (16:30).
    make_attempt(person, module, score=100, at=local(2026, 3, 11, 0, 30))
    assert status(person, module, province, DUE + timedelta(days=5)) == TrainingStatus.PASSED_LATE


def test_it_is_not_overdue_on_the_due_date_itself(setup):
    module, province, _, person = setup
    assert status(person, module, province, DUE) == TrainingStatus.NOT_STARTED


def test_it_is_overdue_the_day_after(setup):
    module, province, _, person = setup
    assert status(person, module, province, DUE + timedelta(days=1)) == TrainingStatus.OVERDUE


def test_it_is_overdue_when_an_attempt_is_open_past_the_due_date(setup):
    module, province, _, person = setup
    make_attempt(person, module, score=None)
    assert status(person, module, province, DUE + timedelta(days=1)) == TrainingStatus.OVERDUE


def test_it_says_failed_once_the_attempt_limit_is_used(setup):
    module, province, _, person = setup
    make_attempt(person, module, score=40, at=local(2026, 3, 1, 10))
    make_attempt(person, module, score=60, at=local(2026, 3, 2, 10))
    # Failed beats overdue: nothing the person can do will change it.
    assert status(person, module, province, DUE) == TrainingStatus.FAILED
    assert status(person, module, province, DUE + timedelta(days=9)) == TrainingStatus.FAILED


def test_it_is_still_in_progress_while_the_last_allowed_attempt_is_open(setup):
    module, province, _, person = setup
    make_attempt(person, module, score=40, at=local(2026, 3, 1, 10))
    make_attempt(person, module, score=None)
    assert status(person, module, province, DUE) == TrainingStatus.IN_PROGRESS


def test_it_never_says_failed_for_an_unlimited_module(setup):
    module, province, _, person = setup
    module.attempt_limit = 0
    module.save()
    for day in (1, 2, 3, 4):
        make_attempt(person, module, score=10, at=local(2026, 3, day, 10))
    assert status(person, module, province, DUE) == TrainingStatus.IN_PROGRESS


def test_a_pass_after_failures_counts_and_shows_the_passing_score(setup):
    module, province, _, person = setup
    make_attempt(person, module, score=50, at=local(2026, 3, 1, 10))
    make_attempt(person, module, score=90, at=local(2026, 3, 2, 10))
    row = training_of(person, today=DUE).get(pk=module.pk)
    assert (row.training_status, row.score, row.attempts_used) == ("passed", 90, 2)
    assert row.first_attempt_passed is False


def test_it_covers_people_who_join_the_unit_after_the_assignment(setup):
    module, province, bureau, _ = setup
    newcomer = make_person(make_unit(bureau, "新处"))
    assert status(newcomer, module, province, DUE) == TrainingStatus.NOT_STARTED


def test_a_unit_assignment_does_not_reach_a_sibling_unit():
    module = make_module("papers")
    province = make_unit(None, "省")
    assigned, sibling = make_unit(province, "甲局"), make_unit(province, "乙局")
    Assignment.objects.assign(module=module, unit=assigned, due_date=DUE, by=None)
    outsider = make_person(sibling)
    assert not requirements(province, module, today=DUE).filter(user=outsider).exists()
    assert training_of(outsider, today=DUE).get(pk=module.pk).due_date is None


def test_the_earliest_of_several_due_dates_applies(setup):
    module, province, bureau, person = setup
    Assignment.objects.assign(module=module, unit=bureau, due_date=DUE - timedelta(days=3), by=None)
    Assignment.objects.assign(module=module, user=person, due_date=DUE + timedelta(days=9), by=None)
    rows = list(requirements(province, module, today=DUE).filter(user=person))
    assert len(rows) == 1  # one requirement, however many assignments cover it
    assert rows[0].due_date == DUE - timedelta(days=3)


def test_a_personal_assignment_reaches_only_that_person():
    module = make_module("papers")
    unit = make_unit(None, "省")
    chosen, other = make_person(unit), make_person(unit)
    Assignment.objects.assign(module=module, user=chosen, due_date=DUE, by=None)
    assert [row.user_id for row in requirements(unit, module, today=DUE)] == [chosen.pk]
    assert training_of(other, today=DUE).get(pk=module.pk).due_date is None


def test_a_module_taken_unassigned_is_passed_without_a_due_date():
    module = make_module("papers")
    person = make_person(make_unit(None, "省"))
    make_attempt(person, module, score=100, at=local(2026, 3, 1, 10))
    row = training_of(person, today=DUE).get(pk=module.pk)
    assert (row.training_status, row.due_date) == (TrainingStatus.PASSED, None)


def test_a_person_without_an_employee_record_sees_personal_assignments(user_factory):
    module = make_module("papers")
    user = user_factory("contractor")
    Assignment.objects.assign(module=module, user=user, due_date=DUE, by=None)
    assert not Employee.objects.filter(user=user).exists()
    assert training_of(user, today=DUE).get(pk=module.pk).due_date == DUE
