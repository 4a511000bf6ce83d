"""The employee journey with JavaScript switched off, as on a locked-down
office PC: every htmx form and link is also a plain form or link."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser_helpers import employee_journey, no_js_page, sign_in  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def scripts_ran(page) -> bool:
    # app.js marks the page as soon as it runs.
    return page.locator("html.js").count() > 0


def test_it_can_tell_whether_scripts_ran(demo, page):
    sign_in(page, "employee")
    assert scripts_ran(page)


def test_it_takes_the_employee_journey_without_javascript(demo, no_js_page):  # noqa: F811
    pages = []

    def check(page, label: str) -> None:
        assert not scripts_ran(page), f"a script ran on {label}"
        pages.append(label)

    walk = employee_journey(no_js_page, check=check)

    assert [attempt.passed for attempt in walk["attempts"]] == [False, True]
    assert "王小明" in walk["pdf_text"]
    for label in ("story after a decision", "quiz question", "review", "verify"):
        assert label in pages


def page_through_the_report(page, *, signed_in: bool = False) -> None:
    """Next page, then sort by score both ways: plain links without
    JavaScript, htmx swaps with it — the same table either way."""
    if not signed_in:
        sign_in(page, "unitadmin")
        page.goto("/report/")
    people = page.locator("#people")
    expect(people.locator(".pagination")).to_contain_text(re.compile(r"Page 1 of \d+"))
    first_on_page_1 = people.locator("tbody tr").first.inner_text()

    people.get_by_role("link", name="Next").click()
    expect(people.locator(".pagination")).to_contain_text(re.compile(r"Page 2 of \d+"))
    expect(page).to_have_url(re.compile(r"[?&]page=2"))
    assert people.locator("tbody tr").first.inner_text() != first_on_page_1

    score = people.locator("thead th").filter(has_text="Score")
    score.get_by_role("link").click()
    expect(score).to_have_attribute("aria-sort", "ascending")
    expect(page).to_have_url(re.compile(r"[?&]sort=score"))
    expect(people.locator(".pagination")).to_contain_text(re.compile(r"Page 1 of \d+"))
    score.get_by_role("link").click()
    expect(score).to_have_attribute("aria-sort", "descending")
    expect(people.locator("tbody tr").first.locator("td.num").first).to_have_text("100%")


def test_it_pages_and_sorts_the_unit_report_without_javascript(demo, no_js_page):  # noqa: F811
    page_through_the_report(no_js_page)
    assert not scripts_ran(no_js_page)


def test_it_pages_and_sorts_the_unit_report_with_htmx(demo, page):
    sign_in(page, "unitadmin")
    page.goto("/report/")
    # A mark on the window survives htmx swaps but not a page load.
    page.evaluate("() => { window.sameDocument = true; }")
    page_through_the_report(page, signed_in=True)
    assert page.evaluate("() => window.sameDocument === true"), "a link loaded a new page"
