"""Reminders by email, delivered to a real SMTP server on loopback: the
learner's calendar around a due date, the unit admins' weekly digest, each
message once, in its recipient's language, and failures tried again."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Value
from django.db.models.functions import Concat
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from completion import reminders
from completion.models import Assignment, Employee, Reminder, local_today
from completion.schedule import run_due
from completion.tasks import send_reminders
from tests.conftest import ARTIFACTS
from tests.factories import (
    make_admin,
    make_attempt,
    make_module,
    make_people,
    make_person,
    make_unit,
)
from tests.mail_helpers import Inbox, free_port, parts, serve, subject

TODAY = local_today()


@pytest.fixture
def smtp_server(settings) -> Iterator[Inbox]:
    yield from serve(settings)


@pytest.fixture
def organisation(db):
    province = make_unit(name="示范省")
    bureau = make_unit(province, name="外事办")
    office = make_unit(province, name="财政厅")
    module = make_module("papers")
    module.title_zh_hans = "把密件带回家"
    module.save()
    english = make_person(bureau, name="Alice Smith", username="alice")
    chinese = make_person(bureau, name="张三", username="zhangsan")
    for user, language in ((english, "en"), (chinese, "zh-hans")):
        user.email = f"{user.username}@example.org"
        user.save()
        Employee.objects.filter(user=user).update(language=language)
    admin = make_admin(province, username="chief")
    admin.email = "chief@example.org"
    admin.save()
    Employee.objects.filter(user=admin).update(language="zh-hans")
    return {
        "province": province,
        "bureau": bureau,
        "office": office,
        "module": module,
        "alice": english,
        "zhangsan": chinese,
        "admin": admin,
    }


def assign(organisation, due, unit=None):
    assignment, _ = Assignment.objects.assign(
        module=organisation["module"],
        unit=unit or organisation["bureau"],
        due_date=due,
        by=organisation["admin"],
    )
    return assignment


def run(today=TODAY):
    lines = []
    outcome = reminders.run(today=today, report=lines.append)
    return outcome, lines


def test_a_reminder_arrives_in_each_persons_language_with_text_and_html(organisation, smtp_server):
    due = TODAY + timedelta(days=7)
    assign(organisation, due)
    outcome, lines = run()

    assert len(outcome.sent) == 2 and not outcome.failed
    english = smtp_server.to("alice@example.org")[0]
    assert english["From"] == "awareness@example.org"
    assert english["Content-Language"] == "en"
    assert subject(english) == f"Reminder: “Module papers” is due on {due:%-d %B %Y}"
    text = parts(english)
    assert set(text) == {"text/plain", "text/html"}
    assert "Dear Alice Smith," in text["text/plain"]
    assert "https://training.example.org/modules/papers/" in text["text/plain"]
    assert 'href="https://training.example.org/modules/papers/"' in text["text/html"]
    assert '<html lang="en">' in text["text/html"]

    chinese = smtp_server.to("zhangsan@example.org")[0]
    chinese_date = f"{due.year}年{due.month}月{due.day}日"
    assert chinese["Content-Language"] == "zh-hans"
    assert subject(chinese) == f"提醒：“把密件带回家”应于{chinese_date}前完成"
    body = parts(chinese)
    assert "张三，您好：" in body["text/plain"]
    assert chinese_date in body["text/plain"] and "把密件带回家" in body["text/html"]
    assert "Module papers" not in body["text/plain"]
    assert any("before_7" in line and "alice@example.org" in line for line in lines)


def test_a_second_run_sends_nothing_and_every_reminder_is_recorded(organisation, smtp_server):
    assignment = assign(organisation, TODAY - timedelta(days=1))
    first, _ = run()
    second, _ = run()

    # Both learners and the admin's digest, once.
    assert len(first.sent) == 3 and second.sent == [] and len(smtp_server.messages) == 3
    recorded = Reminder.objects.exclude(kind=Reminder.Kind.DIGEST)
    assert {(r.recipient.username, r.label, r.outcome) for r in recorded} == {
        ("alice", "overdue_1", "sent"),
        ("zhangsan", "overdue_1", "sent"),
    }
    assert {r.assignment for r in recorded} == {assignment}
    assert all(r.due_date == assignment.due_date and r.sent_at for r in recorded)


def test_the_calendar_around_a_due_date(organisation, smtp_server, settings):
    """7 and 1 days before, the day after, then weekly while overdue: one
    message each, whatever the number of runs a day; none once passed."""
    settings.REMINDER_DIGESTS = False
    due = TODAY + timedelta(days=10)
    assign(organisation, due)
    sent_on = {}
    for offset in range(-10, 23):
        day = due + timedelta(days=offset)
        for _run in range(2):  # hourly runs: the second one of a day finds nothing
            outcome, _ = run(today=day)
            for plan in outcome.sent:
                if plan.email == "alice@example.org":
                    sent_on.setdefault(offset, []).append(
                        Reminder(kind=plan.kind, step=plan.step).label
                    )
    assert sent_on == {
        -7: ["before_7"],
        -1: ["before_1"],
        1: ["overdue_1"],
        8: ["overdue_weekly_1"],
        15: ["overdue_weekly_2"],
        22: ["overdue_weekly_3"],
    }
    assert len(smtp_server.to("alice@example.org")) == 6

    # Alice passes (late): her reminders stop; Zhang San's go on.
    make_attempt(organisation["alice"], organisation["module"], score=100, at=timezone.now())
    smtp_server.clear()
    outcome, _ = run(today=due + timedelta(days=29))
    assert [plan.email for plan in outcome.sent] == ["zhangsan@example.org"]


def test_configured_intervals(organisation, smtp_server, settings):
    settings.REMINDER_DAYS_BEFORE = [3]
    settings.REMINDER_OVERDUE_EVERY_DAYS = 0
    settings.REMINDER_DIGESTS = False
    due = TODAY + timedelta(days=5)
    assign(organisation, due)
    sent = {
        offset: len(run(today=due + timedelta(days=offset))[0].sent) for offset in range(-5, 30)
    }
    assert {offset for offset, count in sent.items() if count} == {-3, 1}


def test_a_new_due_date_starts_its_own_calendar(organisation, smtp_server, settings):
    settings.REMINDER_DIGESTS = False
    assign(organisation, TODAY - timedelta(days=1))
    assert len(run()[0].sent) == 2
    # An extension: a week from today. The 7-day reminder is about the new date.
    new_due = TODAY + timedelta(days=7)
    assignment = assign(organisation, new_due)
    outcome, _ = run()
    assert [(p.kind, p.step, p.due_date) for p in outcome.sent] == [("before", 7, new_due)] * 2
    assert Reminder.objects.filter(assignment=assignment, due_date=new_due).count() == 2


def test_a_personal_due_date_is_the_one_reminded_about(organisation, smtp_server, settings):
    settings.REMINDER_DIGESTS = False
    assign(organisation, TODAY + timedelta(days=30))
    personal, _ = Assignment.objects.assign(
        module=organisation["module"],
        user=organisation["alice"],
        due_date=TODAY + timedelta(days=1),
        by=None,
    )
    outcome, _ = run()
    assert [(p.email, p.step, p.assignment_id) for p in outcome.sent] == [
        ("alice@example.org", 1, personal.pk)
    ]


def test_a_refused_message_is_recorded_failed_and_delivered_once_by_the_next_run(
    organisation, smtp_server
):
    assign(organisation, TODAY - timedelta(days=1))
    smtp_server.refuse = "550 5.1.1 Mailbox unavailable"
    outcome, lines = run()
    assert outcome.sent == [] and len(outcome.failed) == 3  # two learners and the digest
    failed = Reminder.objects.filter(outcome=Reminder.Outcome.FAILED)
    assert failed.count() == 3 and all("550" in r.error for r in failed)
    assert any(line.startswith("failed") and "550" in line for line in lines)
    assert smtp_server.messages == []

    smtp_server.refuse = ""
    outcome, _ = run()
    assert len(outcome.sent) == 3
    outcome, _ = run()
    assert outcome.sent == []
    assert len(smtp_server.to("alice@example.org")) == 1
    assert len(smtp_server.to("chief@example.org")) == 1
    # Retried in place: still one row per occasion, now sent, tried twice.
    rows = Reminder.objects.all()
    assert rows.count() == 3
    assert {(r.outcome, r.tries, r.error) for r in rows} == {("sent", 2, "")}


def test_an_unreachable_server_is_reported_and_the_next_run_delivers(
    organisation, smtp_server, settings
):
    assign(organisation, TODAY - timedelta(days=1))
    reachable_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nobody listens there
    output, errors = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="mail server unreachable"):
        call_command("send_reminders", stdout=output, stderr=errors)
    assert "could not be reached" in errors.getvalue()
    assert "ConnectionRefusedError" in errors.getvalue()
    assert Reminder.objects.filter(outcome=Reminder.Outcome.FAILED).count() == 3

    settings.EMAIL_PORT = reachable_port
    output = io.StringIO()
    call_command("send_reminders", stdout=output)
    assert "3 sent, 0 failed." in output.getvalue()
    assert len(smtp_server.messages) == 3
    output = io.StringIO()
    call_command("send_reminders", stdout=output)
    assert "0 sent, 0 failed." in output.getvalue() and len(smtp_server.messages) == 3


def test_dry_run_lists_without_sending_or_recording(organisation, smtp_server):
    assign(organisation, TODAY + timedelta(days=1))
    output = io.StringIO()
    call_command("send_reminders", "--dry-run", stdout=output)
    assert "before_1" in output.getvalue() and "alice@example.org" in output.getvalue()
    assert "2 due (dry run" in output.getvalue()
    assert smtp_server.messages == [] and not Reminder.objects.exists()


def test_the_weekly_digest_lists_overdue_people_by_unit(organisation, smtp_server):
    assign(organisation, TODAY - timedelta(days=3))
    assign(organisation, TODAY - timedelta(days=10), unit=organisation["office"])
    no_email = make_person(organisation["office"], name="李四", username="lisi")
    # On time elsewhere: not in the digest.
    assign(
        organisation,
        TODAY + timedelta(days=3),
        unit=make_unit(organisation["province"], name="科技厅"),
    )
    make_person(organisation["province"].children.get(name="科技厅"), name="王五")

    outcome, _ = run()
    digest = smtp_server.to("chief@example.org")
    assert len(digest) == 1
    assert subject(digest[0]).startswith("逾期培训：3人")  # the admin reads Chinese
    text = parts(digest[0])["text/plain"]
    assert text.index("外事办") < text.index("张三") < text.index("财政厅") < text.index("李四")
    assert "王五" not in text
    assert "未登记电子邮箱" in text  # Li Si has no address
    assert f"/report/{organisation['province'].pk}/" in text
    assert not no_email.email

    # Once a week: not again this week, again next week.
    assert not smtp_server.to("chief@example.org")[1:]
    run(today=TODAY + timedelta(days=1 if TODAY.weekday() < 6 else 0))
    assert len(smtp_server.to("chief@example.org")) == 1
    run(today=TODAY + timedelta(days=7))
    assert len(smtp_server.to("chief@example.org")) == 2


def test_a_digest_covers_only_the_admins_subtree(organisation, smtp_server):
    assign(organisation, TODAY - timedelta(days=3), unit=organisation["province"])
    office_admin = make_admin(organisation["office"], username="office_admin")
    office_admin.email = "office@example.org"
    office_admin.save()
    make_person(organisation["office"], name="李四")
    run()
    (digest,) = [
        message
        for message in smtp_server.to("office@example.org")
        if subject(message).startswith("Overdue training")
    ]
    text = parts(digest)["text/plain"]
    assert "李四" in text and "张三" not in text and "Alice" not in text


def test_working_out_what_is_due_takes_the_same_queries_for_many_people(organisation, smtp_server):
    assign(organisation, TODAY - timedelta(days=1), unit=organisation["province"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            reminders.due(TODAY)
        return len(captured)

    few = queries()
    make_people(organisation["office"], 300)
    get_user_model().objects.filter(username__startswith="bulk").update(
        email=Concat("username", Value("@example.org"))
    )
    assert queries() == few
    assert len(reminders.due(TODAY)) > 300


def test_the_worker_schedule_runs_the_reminders(
    organisation, smtp_server, settings, immediate_tasks
):
    settings.SCHEDULE = {"completion.tasks.send_reminders": 60}
    assign(organisation, TODAY - timedelta(days=1))
    assert run_due() == ["completion.tasks.send_reminders"]
    assert len(smtp_server.messages) == 3
    assert run_due() == []  # not due again within the hour
    assert send_reminders.call()["sent"] == 0


def test_demo_reminders_reach_overdue_people_and_the_unit_admin(chinese_demo, smtp_server):
    output = io.StringIO()
    call_command("send_reminders", stdout=output)
    overdue = [m for m in smtp_server.messages if subject(m).startswith("逾期提醒")]
    assert overdue and all(m["To"].endswith("@example.org") for m in overdue)
    # The unit admin is also a learner: their own reminders, and one digest.
    digest = [m for m in smtp_server.to("unitadmin@example.org") if "逾期培训" in subject(m)]
    assert len(digest) == 1
    assert "已逾期" in parts(digest[0])["text/plain"]
    count = len(smtp_server.messages)
    assert f"{count} sent, 0 failed." in output.getvalue()

    call_command("send_reminders", stdout=io.StringIO())
    assert len(smtp_server.messages) == count


def test_screenshot_of_a_reminder_email(organisation, smtp_server, browser):
    assign(organisation, TODAY + timedelta(days=7))
    run()
    ARTIFACTS.mkdir(exist_ok=True)
    for address, name in (
        ("zhangsan@example.org", "reminder-email-zh"),
        ("alice@example.org", "reminder-email-en"),
    ):
        html = parts(smtp_server.to(address)[0])["text/html"]
        page = browser.new_page(viewport={"width": 700, "height": 560})
        page.set_content(html)
        button = "打开模块" if "zh" in name else "Open the module"
        assert page.get_by_role("link", name=button, exact=True).count() == 1
        page.screenshot(path=os.fspath(ARTIFACTS / f"{name}.png"), full_page=True)
        page.close()


def test_the_unit_report_shows_when_each_person_was_last_reminded(
    organisation, smtp_server, client, django_assert_max_num_queries
):
    assign(organisation, TODAY - timedelta(days=1))
    url = reverse("completion:unit_report", args=[organisation["province"].pk])
    client.force_login(organisation["admin"])
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    run()
    with django_assert_max_num_queries(len(before)):  # one subquery, not one per row
        page = client.get(url).content.decode()
    rows = {
        name: page[page.index(name) : page.index("</tr>", page.index(name))]
        for name in ("Alice Smith", "张三")
    }
    reminded = date_format(
        timezone.localdate(Reminder.objects.first().sent_at), "SHORT_DATE_FORMAT"
    )
    assert "Last reminded" in page
    assert all(reminded in row for row in rows.values())
    # Someone never reminded shows a dash.
    make_person(organisation["bureau"], name="赵六")
    page = client.get(url).content.decode()
    row = page[page.index("赵六") : page.index("</tr>", page.index("赵六"))]
    assert reminded not in row
    assert '<td class="last-reminded" data-label="Last reminded">–</td>' in row


def test_two_runs_that_worked_out_the_same_list_send_each_message_once(organisation, smtp_server):
    """Like the worker and a cron job starting together: both see the same
    messages due; the unique record lets only one of them send each."""
    assign(organisation, TODAY - timedelta(days=1))
    first, second = reminders.due(TODAY), reminders.due(TODAY)
    assert len(first) == len(second) == 3
    assert len(reminders.send(first).sent) == 3
    assert reminders.send(second).sent == []
    assert len(smtp_server.messages) == 3


def test_the_database_refuses_a_second_record_of_one_occasion(organisation):
    assignment = assign(organisation, TODAY)
    values = {
        "recipient": organisation["alice"],
        "assignment": assignment,
        "module": organisation["module"],
        "due_date": TODAY,
        "kind": Reminder.Kind.BEFORE,
        "step": 1,
    }
    Reminder.objects.create(**values)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(**values)
    week = {"recipient": organisation["admin"], "due_date": TODAY, "kind": Reminder.Kind.DIGEST}
    Reminder.objects.create(**week)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(**week)
