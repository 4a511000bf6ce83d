"""Reading a case in a real browser: reveals, print layout, phone width, axe."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser_helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CASE_URL = "/cases/classified-papers-taken-home/"


def test_it_reveals_what_went_wrong_on_request(demo, page):
    sign_in(page, "employee")
    page.goto(CASE_URL)
    red_flag = page.locator("#red-flag-102")
    sign = red_flag.get_by_text("Classified meeting papers not returned to the unit for storage")
    expect(sign).to_be_hidden()
    red_flag.get_by_text("What went wrong here?").click()
    expect(sign).to_be_visible()
    expect(red_flag.get_by_text("secrecy room")).to_be_visible()


def test_it_prints_every_red_flag_open(demo, page):
    sign_in(page, "employee")
    page.goto(CASE_URL)
    page.emulate_media(media="print")
    for sign in page.locator(".red-flag-sign").all():
        expect(sign).to_be_visible()
    expect(page.locator(".site-header")).to_be_hidden()


def test_it_reads_at_phone_width_without_sideways_scrolling(demo, phone_page):
    sign_in(phone_page, "employee")
    for url in [
        "/cases/",
        CASE_URL,
        "/cases/world-cup-gambling-debt/",
        "/cases/honey-trap-abroad/",
    ]:
        phone_page.goto(url)
        content, window = phone_page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert content <= window, url


def test_it_has_no_serious_accessibility_problems(demo, page):
    sign_in(page, "employee")
    for url in ["/cases/", CASE_URL]:
        page.goto(url)
        # Open every reveal so their contents are checked too.
        page.evaluate(
            "() => document.querySelectorAll('details.red-flag').forEach(d => d.open = true)"
        )
        violations = Axe().run(page).response["violations"]
        serious = [v["id"] for v in violations if v["impact"] in {"serious", "critical"}]
        assert not serious, (url, serious)
