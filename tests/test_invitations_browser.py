"""An imported person sets their password in a real browser from the
invitation that reached a real SMTP server, then signs in; the unit admin's
report with its days-overdue column, "remind now" and the sign-in column."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from completion import invitations
from completion.models import Assignment, Employee, Invitation, local_today
from tests.browser_helpers import check_accessibility, sign_in
from tests.conftest import ARTIFACTS
from tests.factories import PASSWORD, make_admin
from tests.mail_helpers import Inbox, parts, serve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = "full_name,employee_number,unit_code,email\n王小红,E100,B1,wxh@example.org\n"
NEW_PASSWORD = "Blue-kettle-97-river"


@pytest.fixture
def smtp_server(settings) -> Iterator[Inbox]:
    settings.REMINDER_DIGESTS = False
    yield from serve(settings)


def test_an_imported_person_sets_a_password_from_the_email_and_signs_in(
    org, smtp_server, immediate_tasks, page, browser, live_server, tmp_path
):
    admin = make_admin(org["province"], username="chief")
    Assignment.objects.assign(
        module=org["module"],
        unit=org["bureau"],
        due_date=local_today() - timedelta(days=3),
        by=admin,
    )
    sign_in(page, "chief", PASSWORD)
    page.goto(f"/report/{org['bureau'].pk}/import/")
    upload = tmp_path / "people.csv"
    upload.write_text(CSV, encoding="utf-8")
    page.get_by_label(re.compile("file", re.I)).set_input_files(upload)
    page.get_by_role("button", name=re.compile("Import", re.I)).click()
    expect(page.get_by_text("An invitation to set a password is being sent")).to_be_visible()

    message = smtp_server.to("wxh@example.org")[0]
    html = parts(message)["text/html"]
    link = re.search(r'href="https://training\.example\.org(/accounts/set-password/[^"]+)"', html)[
        1
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    mail = browser.new_page(viewport={"width": 700, "height": 720})
    mail.set_content(html)
    mail.screenshot(path=os.fspath(ARTIFACTS / "invitation-email.png"), full_page=True)
    # The same invitation to someone who reads Chinese.
    employee = Employee.objects.select_related("user").get(employee_number="E100")
    chinese = Invitation(user=employee.user, email="wxh@example.org", language="zh-hans")
    mail.set_content(invitations.message(chinese, employee).alternatives[0][0])
    expect(mail.get_by_text("用户名：E100")).to_be_visible()
    mail.screenshot(path=os.fspath(ARTIFACTS / "invitation-email-zh.png"), full_page=True)
    mail.close()

    # The report: the person, 3 days overdue, invited today; remind now.
    page.goto(f"/report/{org['bureau'].pk}/")
    row = page.locator("table.people tbody tr", has_text="王小红")
    expect(row.locator("td.days-overdue")).to_have_text("3")
    expect(row.locator("td.sign-in")).to_contain_text("Invited")
    page.locator("#people .table-wrap").evaluate("wrap => { wrap.scrollLeft = wrap.scrollWidth; }")
    page.locator("section[aria-labelledby=people-heading]").screenshot(
        path=os.fspath(ARTIFACTS / "report-days-overdue-remind-now.png")
    )
    page.get_by_role("link", name="Remind overdue people now…").click()
    expect(page.get_by_text("1 person in the table's current filter is overdue.")).to_be_visible()
    page.screenshot(path=os.fspath(ARTIFACTS / "remind-now-confirm.png"))
    page.get_by_role("button", name="Send 1 reminder").click()
    expect(page.get_by_text("1 reminder sent.")).to_be_visible()
    assert len(smtp_server.to("wxh@example.org")) == 2

    # The invitee, in a browser of their own.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    invitee = context.new_page()
    invitee.set_default_timeout(10_000)
    invitee.goto(link)
    expect(invitee.get_by_role("heading", name="Set your password")).to_be_visible()
    expect(invitee.get_by_text("Your username is E100.")).to_be_visible()
    check_accessibility(invitee, "set password")
    invitee.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    invitee.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    invitee.screenshot(path=os.fspath(ARTIFACTS / "set-password.png"))
    invitee.get_by_role("button", name="Set password").click()
    expect(invitee.get_by_text("Your password is set.")).to_be_visible()
    invitee.get_by_label("Username").fill("E100")
    invitee.get_by_label("Password").fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Sign in").click()
    invitee.wait_for_url(lambda url: "/accounts/login/" not in url)
    expect(invitee.get_by_text("Module papers").first).to_be_visible()
    # The link worked once.
    invitee.goto(link)
    expect(invitee.get_by_text("This link cannot be used")).to_be_visible()
    context.close()
