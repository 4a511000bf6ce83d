"""The employee journey at 360 × 740, a small phone: no page scrolls sideways
(WCAG 1.4.10, reflow)."""

import pytest

from tests.browser_helpers import JOURNEY_PAGES, assert_no_horizontal_scroll, employee_journey

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
        pages.append(label)

    walk = employee_journey(phone_page, check=check)

    assert walk["attempts"][-1].passed
    assert pages == list(JOURNEY_PAGES)
