"""The unit report's "Last reminded" column in a real browser, after the
demo's reminders went to a real SMTP server."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from completion.models import Reminder, Unit
from tests.browser_helpers import sign_in
from tests.conftest import ARTIFACTS
from tests.mail_helpers import Inbox, serve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def smtp_server(settings) -> Iterator[Inbox]:
    yield from serve(settings)


def test_the_report_says_who_was_reminded_when(demo, smtp_server, page):
    call_command("send_reminders", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert smtp_server.messages
    province = Unit.objects.get(code="DEMO")
    sign_in(page, "unitadmin")
    page.goto(f"/report/{province.pk}/?status=overdue")
    table = page.locator("table.people")
    expect(table.get_by_role("columnheader", name="Last reminded")).to_be_visible()
    reminded = Reminder.objects.filter(outcome="sent", module__isnull=False).count()
    assert reminded
    # Every overdue person with an address was reminded today; the cells say so.
    first_row = table.locator("tbody tr").first
    expect(first_row.locator("td.last-reminded")).not_to_have_text("–")
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#people .table-wrap").evaluate("wrap => { wrap.scrollLeft = wrap.scrollWidth; }")
    page.locator("#people").screenshot(path=os.fspath(ARTIFACTS / "report-last-reminded.png"))
