""" "Remind now" on the unit report and the days-overdue column: the
overdue people of the current filter reminded at once, through a real SMTP
server, each at most once a day, with what was skipped said; days overdue
worked out in SQL for the page and both exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from completion import reminders
from completion.models import Assignment, Employee, Reminder, local_today
from tests.factories import completed, make_admin, make_people, make_person
from tests.mail_helpers import Inbox, free_port, parts, serve, subject

pytestmark = pytest.mark.django_db

TODAY = local_today()


@pytest.fixture
def smtp_server(settings) -> Iterator[Inbox]:
    settings.REMINDER_DIGESTS = False
    yield from serve(settings)


@pytest.fixture
def org(org):
    """Three people of 甲局 overdue by 5 days (one without an address, one
    in Chinese), one in 保密处 overdue too, one who passed; 乙局 not assigned."""
    org["admin"] = make_admin(org["province"])
    people = {}
    for name, unit, email, language in (
        ("Alice Smith", "bureau", "alice@example.org", "en"),
        ("张三", "bureau", "zhangsan@example.org", "zh-hans"),
        ("No Address", "bureau", "", ""),
        ("Sam Section", "section", "sam@example.org", ""),
        ("Pat Passed", "bureau", "pat@example.org", ""),
    ):
        user = make_person(org[unit], name=name)
        user.email = email
        user.save()
        Employee.objects.filter(user=user).update(language=language)
        people[name] = user
    org["people"] = people
    Assignment.objects.assign(
        module=org["module"],
        unit=org["bureau"],
        due_date=TODAY - timedelta(days=5),
        by=org["admin"],
    )
    completed(people["Pat Passed"], org["module"])
    return org


def url(org, query=""):
    address = reverse("completion:remind_now", args=[org["province"].pk])
    return f"{address}?{query}" if query else address


def test_the_page_says_how_many_people_it_reaches_before_anything_is_sent(client, org, smtp_server):
    client.force_login(org["admin"])
    page = client.get(url(org, "status=overdue")).content.decode()
    assert "4 people in the table's current filter are overdue." in page
    assert "3 reminders will be sent now" in page
    assert "1 without an email address" in page
    assert "Send 3 reminders" in page
    assert smtp_server.messages == [] and not Reminder.objects.exists()


def test_remind_now_sends_to_the_overdue_people_of_the_filter_once_a_day(client, org, smtp_server):
    client.force_login(org["admin"])
    response = client.post(url(org, "status=overdue&unit=" + str(org["bureau"].pk)), follow=True)
    assert response.redirect_chain[-1][0] == (
        reverse("completion:unit_report", args=[org["province"].pk])
        + f"?status=overdue&unit={org['bureau'].pk}"
    )
    page = response.content.decode()
    # The filter is 甲局 and the units below it: 保密处's Sam too.
    assert "3 reminders sent. Not sent: 1 without an email address." in page
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "alice@example.org",
        "sam@example.org",
        "zhangsan@example.org",
    ]
    chinese = smtp_server.to("zhangsan@example.org")[0]
    assert chinese["Content-Language"] == "zh-hans"
    assert subject(chinese).startswith("逾期提醒：")
    english = smtp_server.to("alice@example.org")[0]
    assert "is not completed yet" in parts(english)["text/plain"]
    assert "https://training.example.org/modules/papers/" in parts(english)["text/plain"]
    rows = Reminder.objects.filter(kind=Reminder.Kind.NOW)
    assert {(r.recipient.get_full_name(), r.label, r.outcome) for r in rows} == {
        ("Alice Smith", "now_5", "sent"),
        ("张三", "now_5", "sent"),
        ("Sam Section", "now_5", "sent"),
    }

    # Again the same day: nothing is sent, and the page and message say why.
    page = client.get(url(org, "status=overdue")).content.decode()
    assert "0 reminders will be sent now" in page and "already reminded today" in page
    again = client.post(url(org, "status=overdue"), follow=True).content.decode()
    assert len(smtp_server.messages) == 3 and rows.count() == 3
    assert "0 reminders sent. Not sent: 3 already reminded today; 1 without an email" in again


def test_only_the_filtered_people_are_reminded(client, org, smtp_server):
    client.force_login(org["admin"])
    client.post(url(org, "status=overdue&name=张"))
    assert [m["To"] for m in smtp_server.messages] == ["zhangsan@example.org"]
    client.post(url(org, "status=passed"))
    assert len(smtp_server.messages) == 1


def test_a_reminder_now_does_not_change_the_automatic_calendar(client, org, smtp_server):
    client.force_login(org["admin"])
    client.post(url(org))
    now = len(smtp_server.messages)
    assert now == 3
    outcome = reminders.run(today=TODAY, report=lambda line: None)
    # The weekly overdue reminder still goes out on its own day.
    assert {plan.kind for plan in outcome.sent} == {Reminder.Kind.OVERDUE}
    assert len(outcome.sent) == 3


def test_tomorrow_they_can_be_reminded_again(org, smtp_server):
    table = lambda day: reminders.plan_now(  # noqa: E731
        _parts(org, day), {org["module"].pk: _module(org)}, day
    )
    assert len(reminders.send(table(TODAY).planned).sent) == 3
    assert table(TODAY).planned == [] and table(TODAY).reminded_today == 3
    tomorrow = table(TODAY + timedelta(days=1))
    assert len(tomorrow.planned) == 3 and {p.step for p in tomorrow.planned} == {6}


def _module(org):
    from completion.reports import assigned_modules

    return next(m for m in assigned_modules() if m.pk == org["module"].pk)


def _parts(org, day):
    from completion.reports import Filters, person_rows

    return person_rows(org["province"], [_module(org)], Filters(), today=day).by_module


def test_an_unreachable_mail_server_is_said_and_recorded(client, org, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    client.force_login(org["admin"])
    page = client.post(url(org), follow=True).content.decode()
    assert "0 reminders sent." in page and "The mail server could not be reached" in page
    assert set(Reminder.objects.values_list("outcome", flat=True)) == {"failed"}
    # A failed reminder is not a reminder: it can be tried again the same day.
    page = client.get(url(org)).content.decode()
    assert "3 reminders will be sent now" in page


def test_an_admin_of_another_unit_gets_a_404(client, org):
    client.force_login(make_admin(org["sibling"]))
    response = client.post(url(org))
    assert response.status_code == 404
    assert not Reminder.objects.exists()


def test_the_confirmation_reads_the_same_queries_whatever_the_number_of_people(
    client, org, django_assert_max_num_queries
):
    client.force_login(org["admin"])
    with CaptureQueriesContext(connection) as before:
        client.get(url(org))
    make_people(org["bureau"], 40)
    with django_assert_max_num_queries(len(before)):
        page = client.get(url(org)).content.decode()
    assert "44 people" in page


def test_the_report_shows_days_overdue_and_the_button(client, org):
    client.force_login(org["admin"])
    report = reverse("completion:unit_report", args=[org["province"].pk])
    page = client.get(report + "?sort=-overdue").content.decode()
    assert ">Days overdue<" in page
    first = page.index("<tbody>", page.index('<table class="people">'))
    first_row = page[first : page.index("</tr>", first)]
    assert '<td class="num days-overdue" data-label="Days overdue">5</td>' in first_row
    passed = page.index("Pat Passed")
    passed_row = page[passed : page.index("</tr>", passed)]
    assert '<td class="num days-overdue" data-label="Days overdue">–</td>' in passed_row
    assert f'href="{url(org, "sort=-overdue")}"' in page
    assert "Remind overdue people now…" in page
    assert (
        "Remind overdue people now…" not in client.get(report + "?status=passed").content.decode()
    )


def test_both_exports_have_the_days_overdue(client, org):
    client.force_login(org["admin"])
    csv_url = reverse("completion:report_csv", args=[org["province"].pk])
    response = client.get(csv_url)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    column = rows[0].index("Days overdue")
    assert column == rows[0].index("Due") + 1
    by_name = {row[0]: row[column] for row in rows[1:]}
    assert by_name["Alice Smith"] == "5" and by_name["Pat Passed"] == ""
    xlsx_url = reverse("completion:report_xlsx", args=[org["province"].pk])
    sheet = load_workbook(io.BytesIO(client.get(xlsx_url).content)).active
    values = list(sheet.values)
    by_name = {row[0]: row[column] for row in values[1:]}
    assert values[0][column] == "Days overdue"
    assert by_name["张三"] == 5 and by_name["Pat Passed"] is None


def test_many_reminders_are_sent_by_the_worker(client, org, smtp_server, settings, monkeypatch):
    from completion import views

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(views, "REMIND_NOW_DIRECT", 2)
    client.force_login(org["admin"])
    page = client.post(url(org, "status=overdue"), follow=True).content.decode()
    assert "3 reminders are being sent by the background worker." in page
    assert len(smtp_server.messages) == 3
    assert Reminder.objects.filter(kind=Reminder.Kind.NOW, outcome="sent").count() == 3
