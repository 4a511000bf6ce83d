"""A campaign launched in a browser, from the report: the form, then the
campaign's page ranking the units. axe finds nothing serious on either."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from completion.models import Assignment
from tests.browser_helpers import check_accessibility, sign_in
from tests.factories import PASSWORD, completed, make_admin, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Set CAMPAIGN_SCREENSHOTS to a folder to keep pictures of the pages.
SHOTS = os.environ.get("CAMPAIGN_SCREENSHOTS")


def shoot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_a_campaign_launched_from_the_report_ranks_its_units(org, page):
    make_admin(org["province"], username="provinceadmin")
    done = make_person(org["sibling"], "李四")
    make_person(org["sibling"], "周五")
    make_person(org["section"], "孙三")
    completed(done, org["module"])
    sign_in(page, "provinceadmin", PASSWORD)
    page.goto("/report/")
    page.get_by_role("link", name="Campaigns", exact=True).click()
    page.get_by_role("link", name="New campaign").click()

    # Sent with nothing filled in: the summary names each problem.
    page.get_by_role("button", name="Create the campaign").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Enter the campaign's name.")
    expect(summary).to_contain_text("Choose at least one unit.")
    check_accessibility(page, "campaign form with errors")
    shoot(page, "campaign-form-errors")

    today = timezone.localdate()
    page.locator("#id_name").fill("2027年全民国家安全教育日")
    page.get_by_label("Starts on").fill(today.isoformat())
    page.get_by_label("Ends on").fill((today + timedelta(days=30)).isoformat())
    page.get_by_label("Module papers").check()
    page.get_by_label("甲局").check()
    page.get_by_label("乙局").check()
    page.get_by_label("Due date").fill((today + timedelta(days=20)).isoformat())
    page.get_by_role("button", name="Create the campaign").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("2027年全民国家安全教育日")
    expect(page.locator("main")).to_contain_text("Campaign created: 1 module assigned to 3 people.")
    rows = page.locator(".campaign-ranking tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first.locator("th")).to_have_text("乙局")
    expect(rows.first.locator(".rank")).to_have_text("1")
    check_accessibility(page, "campaign page")
    shoot(page, "campaign-page")
    assert Assignment.objects.filter(campaign__isnull=False).count() == 2
