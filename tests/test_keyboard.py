"""A quiz completed with the keyboard alone — Tab, Space, the arrow keys and
Enter — with the focused element visibly marked at every stop (WCAG 2.1.1,
2.4.7)."""

import pytest
from playwright.sync_api import expect

from lessons.models import Attempt
from tests.browser_helpers import (
    JOURNEY_PAGES,
    assert_focus_visible,
    employee_journey,
    fresh_module_for,
    is_button,
    keyboard_quiz,
    keyboard_sign_in,
    tab_through_page,
    tab_to,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_can_tell_when_focus_is_invisible(demo, page):
    page.goto("/accounts/login/")
    # A stylesheet rule that hides every focus indicator (added through the
    # CSSOM: the Content-Security-Policy refuses inline styles).
    page.evaluate(
        """() => document.styleSheets[0].insertRule(
            '*:focus, *:focus-visible { outline: none !important; box-shadow: none !important; }',
            document.styleSheets[0].cssRules.length)"""
    )
    page.keyboard.press("Tab")
    with pytest.raises(AssertionError, match="focus is invisible"):
        assert_focus_visible(page)


def test_it_lets_an_employee_pass_a_quiz_with_the_keyboard_alone(demo, page):
    module = fresh_module_for("employee")
    keyboard_sign_in(page, "employee")

    # From My training to the module, then start the quiz.
    tab_to(page, lambda state: state["tag"] == "a" and state["text"] == module.title)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(module.title)
    tab_to(page, is_button("Start the quiz"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/q/1/")

    attempt_id = keyboard_quiz(page, correct=True)

    tab_to(page, is_button("Submit my answers"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/attempts/{attempt_id}/result/")
    expect(page.locator(".result-outcome")).to_contain_text("Passed")
    attempt = Attempt.objects.get(pk=attempt_id)
    assert (attempt.passed, attempt.score) == (True, 100)
    # Every question was answered by keyboard, none left blank.
    assert not attempt.questions.filter(answered_at__isnull=True).exists()


def test_it_lets_a_keyboard_user_skip_to_the_main_content(demo, page):
    keyboard_sign_in(page, "employee")
    state = tab_to(page, lambda state: state["text"] == "Skip to main content")
    assert state["tag"] == "a"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def test_it_shows_focus_at_every_stop_of_every_page_of_the_journey(demo, page):
    stops = {}

    def check(page, label: str) -> None:
        stops[label] = tab_through_page(page, label)

    employee_journey(page, check=check)
    assert list(stops) == list(JOURNEY_PAGES)
    # Every page has at least its header's links and a way on.
    assert min(stops.values()) >= 3, stops
