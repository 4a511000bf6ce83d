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
    page.goto("/report/")
    page.goto(f"{page.url}?sort=-score")  # someone with attempts and a certificate
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


def test_the_assign_form_guides(demo, page):
    sign_in(page, "unitadmin")
    page.goto("/report/")
    page.get_by_role("link", name="Assign modules").click()
    people_field = page.get_by_label("Employee numbers")
    unit_field = page.locator("#id_unit")
    # Only the field that applies: the unit, until "Chosen people" is picked.
    expect(unit_field).to_be_visible()
    expect(people_field).to_be_hidden()
    page.get_by_label("Chosen people").check()
    expect(unit_field).to_be_hidden()
    expect(people_field).to_be_visible()
    # Found by name, with htmx, and ticked.
    page.get_by_label("Find people by name").fill("王")
    results = page.locator("#people-results input[name=chosen]")
    expect(results.first).to_be_visible()
    check_accessibility(page, "assign, people found by name")
    shoot(page, "assign-search")
    results.first.check()
    # The first step checks the form before its preview: here it cannot go on.
    page.get_by_role("button", name="Continue", exact=True).click()
    # No module, no date: the summary has focus and links to the fields.
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(2)
    expect(page.locator("#people-results input[name=chosen]:checked")).to_have_count(1)
    check_accessibility(page, "assign with an error summary")
    shoot(page, "assign-errors")
    summary.get_by_role("link").first.click()
    expect(page.locator("#id_modules_0")).to_be_in_viewport()


def test_the_import_page_offers_the_unit_codes(demo, page):
    sign_in(page, "unitadmin")
    page.goto("/report/")
    page.get_by_role("link", name="Import employees").click()
    page.get_by_text("The unit codes of the").click()
    expect(page.locator("table.unit-codes code").first).to_have_text("DEMO")
    check_accessibility(page, "import with unit codes")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download a template CSV with your unit codes").click()
    assert download.value.suggested_filename == "import-template-DEMO.csv"
    shoot(page, "import")
