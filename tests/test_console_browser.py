"""The unit admin's console in a browser, on the demo: the module's report
with the questions people miss and what they would do, a person's page, and
the person table as cards on a phone. axe finds nothing serious on any."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser_helpers import assert_no_horizontal_scroll, check_accessibility, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Set CONSOLE_SCREENSHOTS to a folder to keep pictures of the pages.
SHOTS = os.environ.get("CONSOLE_SCREENSHOTS")


def shoot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def open_first_module(page) -> None:
    page.goto("/report/")
    # From the summary, straight to the module's questions.
    page.locator("main .module-misses-link").first.click()
    expect(page.locator("#misses-heading")).to_be_visible()


def test_the_module_report_shows_misses_and_choices_accessibly(demo, page):
    sign_in(page, "unitadmin")
    open_first_module(page)
    assert page.url.endswith("#misses-heading")
    expect(page.locator(".misses .wrong-choice").first).not_to_have_text("–")
    decisions = page.locator("section.decisions")
    expect(decisions.get_by_role("heading", level=2)).to_contain_text("What people would do")
    expect(decisions.locator(".decision-options li").first).to_have_class("wrong")
    expect(decisions.locator(".tag-recommended").first).to_be_visible()
    check_accessibility(page, "module report with decisions")
    shoot(page, "module-report-desktop")

    page.locator("#language-select").select_option("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(decisions.get_by_role("heading", level=2)).to_contain_text("人们会怎么做")
    check_accessibility(page, "module report with decisions, in Chinese")
    shoot(page, "module-report-zh")


def test_a_persons_page_is_reached_from_the_report_and_accessible(demo, page):
    sign_in(page, "unitadmin")
    page.goto("/report/?sort=-score")  # someone with attempts and a certificate
    name = page.locator("#people tbody tr td.person-cell a").first
    person = name.inner_text()
    name.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(person)
    expect(page.locator("#attempts-heading")).to_be_visible()
    check_accessibility(page, "person page")
    shoot(page, "person-desktop")
    page.locator("#language-select").select_option("zh-hans")
    expect(page.locator("#assignments-heading")).to_have_text("已分配的培训模块")
    check_accessibility(page, "person page, in Chinese")
    shoot(page, "person-zh")


def test_on_a_phone_each_person_is_a_card_with_the_status_first(demo, phone_page):
    sign_in(phone_page, "unitadmin")
    phone_page.goto("/report/")
    phone_page.locator("#people").scroll_into_view_if_needed()
    assert_no_horizontal_scroll(phone_page, "report at 360 px")
    card = phone_page.locator("#people tbody tr").first
    status = card.locator(".status-cell").bounding_box()
    name = card.locator(".person-cell").bounding_box()
    unit = card.locator("td[data-label]").first.bounding_box()
    # Stacked, status on top: one column, not a row of cells.
    assert status["y"] < name["y"] < unit["y"]
    assert abs(status["x"] - unit["x"]) < 2
    assert card.bounding_box()["width"] <= 360
    check_accessibility(phone_page, "report at 360 px")
    card.scroll_into_view_if_needed()
    if SHOTS:
        phone_page.locator("#people").screenshot(path=f"{SHOTS}/people-phone.png")
    open_first_module(phone_page)
    assert_no_horizontal_scroll(phone_page, "module report at 360 px")
    shoot(phone_page, "module-report-phone")
