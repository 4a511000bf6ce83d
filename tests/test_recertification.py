"""Due dates that fit the person (fixed, or days from joining the unit) and
recertification: a pass counts for the module's validity period, then the
person is "expired" and a new cycle begins, with its own attempts,
completion and certificate. The report and My training must agree."""

from __future__ import annotations

import datetime
from datetime import date, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from completion.models import (
    Assignment,
    Certificate,
    Completion,
    Employee,
    TrainingStatus,
    training_of,
)
from completion.reports import requirements
from completion.training import my_training
from tests.factories import (
    certified,
    local,
    make_admin,
    make_attempt,
    make_module,
    make_person,
    make_unit,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 2)
NOW = local(2026, 12, 2, 10)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def place():
    province = make_unit(None, "省", code="P")
    bureau = make_unit(province, "甲局", code="B1")
    # Ten questions a sitting, so that scores are multiples of ten.
    module = make_module("papers", questions=10, draw=10, limit=2)
    module.validity_months = 12
    module.save()
    return province, bureau, module


def row_of(person, module, root, today=TODAY):
    """The person's row in the report and on My training, which must agree."""
    rows = {row.user_id: row for row in requirements(root, module, today=today)}
    mine = training_of(person, today=today).get(pk=module.pk)
    in_report = rows.get(person.pk)
    assert in_report is not None
    assert (in_report.training_status, in_report.due_date) == (mine.training_status, mine.due_date)
    return in_report


def joined(day: date):
    """A person who joined the unit on `day`."""
    return time_machine.travel(local(day.year, day.month, day.day, 9), tick=False)


# Due dates that fit the person -----------------------------------------------


def test_someone_imported_today_is_not_overdue_on_a_module_due_last_week(client, place):
    province, bureau, module = place
    with joined(TODAY - timedelta(days=60)):
        old_hand = make_person(bureau, "李四")
        Assignment.objects.assign(
            module=module, unit=province, due_date=TODAY - timedelta(days=7), by=None
        )
    admin = make_admin(province)
    client.force_login(admin)
    upload = SimpleUploadedFile(
        "people.csv",
        "full_name,employee_number,unit_code,email\n张三,E900,B1,zhangsan@example.org\n".encode(),
    )
    client.post(reverse("completion:import_employees", args=[province.pk]), {"file": upload})
    newcomer = Employee.objects.get(employee_number="E900").user

    assert row_of(old_hand, module, province).training_status == TrainingStatus.OVERDUE
    row = row_of(newcomer, module, province)
    # Thirty days (the assignment's days to complete) from joining.
    assert (row.training_status, row.due_date) == (
        TrainingStatus.NOT_STARTED,
        TODAY + timedelta(days=30),
    )


def test_a_relative_due_date_counts_from_assigning_or_joining_whichever_is_later(place):
    province, bureau, module = place
    start = TODAY - timedelta(days=20)
    with joined(start - timedelta(days=100)):
        early = make_person(bureau, "早")
    with joined(start):
        Assignment.objects.assign(
            module=module, unit=province, due_date=None, days_allowed=14, by=None
        )
    with joined(start + timedelta(days=10)):
        late = make_person(bureau, "晚")

    assert row_of(early, module, province).due_date == start + timedelta(days=14)
    assert row_of(early, module, province).training_status == TrainingStatus.OVERDUE
    assert row_of(late, module, province).due_date == start + timedelta(days=24)
    assert row_of(late, module, province).training_status == TrainingStatus.NOT_STARTED


def test_a_pass_before_a_relative_due_date_is_on_time(place):
    province, bureau, module = place
    person = make_person(bureau)
    Assignment.objects.assign(module=module, unit=province, due_date=None, days_allowed=5, by=None)
    # 23:30 on the fifth day in Shanghai: still on time; the next morning: late.
    make_attempt(person, module, score=100, at=local(2026, 12, 7, 23, 30))
    assert row_of(person, module, province).training_status == TrainingStatus.PASSED
    other = make_person(bureau, "王五")
    make_attempt(other, module, score=100, at=local(2026, 12, 8, 0, 30))
    assert row_of(other, module, province).training_status == TrainingStatus.PASSED_LATE


def test_moving_to_another_unit_starts_the_days_again(place):
    province, bureau, module = place
    other = make_unit(province, "乙局")
    with joined(TODAY - timedelta(days=90)):
        person = make_person(other)
        Assignment.objects.assign(
            module=module, unit=bureau, due_date=TODAY - timedelta(days=1), days_allowed=21, by=None
        )
    employee = Employee.objects.get(user=person)
    employee.unit = bureau
    employee.save(update_fields=["unit"])
    employee.refresh_from_db()
    assert employee.unit_since == TODAY
    assert row_of(person, module, province).due_date == TODAY + timedelta(days=21)
    # History keeps the move and the new date.
    assert employee.history.first().unit_since == TODAY


# Validity and recertification ------------------------------------------------


@pytest.fixture
def lapsed(place):
    """Someone who passed 13 months ago a module valid for 12."""
    province, bureau, module = place
    person = make_person(bureau)
    Assignment.objects.assign(
        module=module, unit=province, due_date=date(2025, 11, 30), renewal_days=30, by=None
    )
    certificate = certified(person, module, when=local(2025, 11, 2, 10), score=90)
    return province, module, person, certificate


def test_a_pass_of_13_months_ago_shows_expired_with_its_renewal_date(lapsed):
    province, module, person, certificate = lapsed
    row = row_of(person, module, province)
    assert row.training_status == TrainingStatus.EXPIRED
    assert row.valid_until == date(2026, 11, 2)
    # Thirty days (the assignment's days to pass again) after it expired.
    assert row.due_date == date(2026, 12, 2)
    training = my_training(person, today=TODAY)
    assert training.next_module.pk == module.pk  # the module to take again


def test_the_certificate_says_until_when_and_the_check_page_says_expired(client, lapsed):
    *_, certificate = lapsed
    assert certificate.valid_until == date(2026, 11, 2)
    page = client.get(reverse("completion:verify", args=[certificate.token])).content.decode()
    assert "Expired" in page and "valid only until 2 November 2026" in page
    assert "Revoked" not in page and "This certificate is valid" not in page

    with time_machine.travel(local(2026, 6, 1, 10), tick=False):
        page = client.get(reverse("completion:verify", args=[certificate.token])).content.decode()
    assert "This certificate is valid until 2 November 2026" in page


def test_my_training_shows_expired_and_when(client, lapsed):
    _, module, person, _ = lapsed
    client.force_login(person)
    page = client.get("/").content.decode()
    assert "Expired (to pass again)" in page
    assert "Expired after" in page and "2 November 2026" in page
    assert "take the module again by 2 December 2026" in page


def test_a_new_cycle_has_its_own_attempts_completion_and_certificate(lapsed):
    province, module, person, first_certificate = lapsed
    first = Completion.objects.get(user=person, module=module)
    before = {f.name: getattr(first, f.name) for f in Completion._meta.fields}

    # Attempt limits count per cycle: two more attempts, though two were made.
    progress = module.progress_for(person)
    assert (progress.cycle, progress.remaining, progress.can_start) == (2, 2, True)
    failed = make_attempt(person, module, score=40)
    assert failed.cycle == 2
    assert row_of(person, module, province).training_status == TrainingStatus.EXPIRED
    passed = make_attempt(person, module, score=100)

    second = Completion.objects.get(user=person, module=module, superseded_at__isnull=True)
    assert (second.cycle, second.attempt, second.valid_until) == (2, passed, date(2027, 12, 2))
    first.refresh_from_db()
    after = {f.name: getattr(first, f.name) for f in Completion._meta.fields}
    assert after.pop("superseded_at") is not None and before.pop("superseded_at") is None
    assert after == before  # nothing of the first cycle rewritten
    row = row_of(person, module, province)
    assert (row.training_status, row.score, row.attempts_used) == (TrainingStatus.PASSED, 100, 2)

    new_certificate = Certificate.objects.issue_for(completion=second)
    assert new_certificate.pk != first_certificate.pk
    assert new_certificate.valid_until == date(2027, 12, 2)
    first_certificate.refresh_from_db()
    assert first_certificate.is_valid and first_certificate.standing == "expired"


def test_using_every_attempt_of_the_new_cycle_is_failed(lapsed):
    province, module, person, _ = lapsed
    make_attempt(person, module, score=40)
    make_attempt(person, module, score=40)
    assert row_of(person, module, province).training_status == TrainingStatus.FAILED
    assert not module.progress_for(person).can_start


def test_a_module_that_never_expires_stays_passed(place):
    province, bureau, module = place
    module.validity_months = 0
    module.save()
    person = make_person(bureau)
    Assignment.objects.assign(module=module, unit=province, due_date=date(2025, 11, 30), by=None)
    make_attempt(person, module, score=100, at=local(2024, 1, 2, 10))
    row = row_of(person, module, province)
    assert (row.training_status, row.valid_until) == (TrainingStatus.PASSED, None)


def test_the_validity_is_the_modules_when_the_attempt_began(place):
    """Shortening a module's validity later rewrites no pass."""
    province, bureau, module = place
    person = make_person(bureau)
    Assignment.objects.assign(module=module, unit=province, due_date=TODAY, by=None)
    make_attempt(person, module, score=100, at=local(2026, 11, 1, 10))
    module.validity_months = 1
    module.save()
    assert row_of(person, module, province).valid_until == date(2027, 11, 1)


def test_the_report_filters_expired_people(client, lapsed):
    province, module, person, _ = lapsed
    admin = make_admin(province)
    client.force_login(admin)
    page = client.get(
        reverse("completion:unit_report", args=[province.pk]), {"status": "expired"}
    ).content.decode()
    assert "Expired (to pass again)" in page and "张三" in page


def test_add_months_keeps_to_the_end_of_short_months():
    from awareness.dates import add_months

    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 11, 2), 14) == date(2028, 1, 2)
    assert isinstance(datetime.date.today(), date)


# Reminders follow the person's own due date -------------------------------------


@pytest.fixture
def smtp_server(settings):
    from tests.mail_helpers import serve

    yield from serve(settings)


def test_reminders_follow_relative_and_renewal_due_dates(place, smtp_server):
    import io

    from django.core.management import call_command

    from completion.models import Reminder
    from tests.mail_helpers import subject

    province, bureau, module = place
    with joined(TODAY - timedelta(days=23)):
        # Within 30 days of joining: due in 7 days.
        newcomer = make_person(bureau, "新人")
        newcomer.email = "new@example.org"
        newcomer.save()
        Assignment.objects.assign(module=module, unit=province, due_date=None, by=None)
    renewer = make_person(bureau, "续期")
    renewer.email = "renew@example.org"
    renewer.save()
    # Passed on 1 November 2025: valid until 1 November 2026; the 30 days to
    # pass again ended yesterday, so today is the day after it was missed.
    make_attempt(renewer, module, score=100, at=local(2025, 11, 1, 10))

    call_command("send_reminders", stdout=io.StringIO())
    sent = {m["To"]: subject(m) for m in smtp_server.messages}
    assert set(sent) == {"new@example.org", "renew@example.org"}
    reminders = {r.recipient_id: r for r in Reminder.objects.all()}
    assert reminders[newcomer.pk].due_date == TODAY + timedelta(days=7)
    assert reminders[renewer.pk].due_date == date(2026, 12, 1)
    assert reminders[renewer.pk].kind == Reminder.Kind.OVERDUE

    call_command("send_reminders", stdout=io.StringIO())
    assert len(smtp_server.messages) == 2  # nothing twice
