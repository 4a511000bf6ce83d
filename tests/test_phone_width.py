"""The employee journey at 360 × 740, a small phone: no page scrolls sideways
(WCAG 1.4.10, reflow), and axe finds nothing serious in the phone layout."""

import pytest

from tests.browser_helpers import (
    JOURNEY_PAGES,
    assert_no_horizontal_scroll,
    check_accessibility,
    employee_journey,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_can_tell_when_a_page_scrolls_sideways(demo, phone_page):
    phone_page.goto("/accounts/login/")
    assert_no_horizontal_scroll(phone_page, "sign-in")
    phone_page.evaluate(
        """() => {
            const wide = document.createElement('div');
            wide.style.width = '900px';
            wide.textContent = 'wide';
            document.querySelector('main').append(wide);
        }"""
    )
    with pytest.raises(AssertionError, match="scrolls sideways"):
        assert_no_horizontal_scroll(phone_page, "a deliberately wide page")


def test_it_takes_the_employee_journey_on_a_phone_without_sideways_scrolling(demo, phone_page):
    pages = []

    def check(page, label: str) -> None:
        assert page.viewport_size == {"width": 360, "height": 740}
        assert_no_horizontal_scroll(page, label)
        # The phone layout is a different page to axe: scan it too.
        check_accessibility(page, f"{label} at 360 px")
        pages.append(label)

    walk = employee_journey(phone_page, check=check)

    assert walk["attempts"][-1].passed
    assert pages == list(JOURNEY_PAGES)


def test_it_shows_the_unit_admin_pages_on_a_phone_without_sideways_scrolling(demo, phone_page):
    # Wide tables scroll inside their own box; the page itself never does.
    sign_in(phone_page, "unitadmin")
    for path in ("/report/", "/certificates/print/"):
        phone_page.goto(path)
        assert_no_horizontal_scroll(phone_page, path)
    phone_page.goto("/report/")
    phone_page.get_by_role("link", name="Assign modules").click()
    assert_no_horizontal_scroll(phone_page, "assign modules")


def test_it_shows_the_case_library_on_a_phone_without_sideways_scrolling(demo, phone_page):
    sign_in(phone_page, "employee")
    phone_page.goto("/cases/")
    assert_no_horizontal_scroll(phone_page, "case library")
    phone_page.locator("main .card h2 a").first.click()
    phone_page.wait_for_url("**/cases/*/")
    for flag in phone_page.locator("details.red-flag").all():
        flag.locator("summary").click()
    assert_no_horizontal_scroll(phone_page, "case")
