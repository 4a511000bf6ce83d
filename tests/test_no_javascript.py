"""The employee journey with JavaScript switched off, as on a locked-down
office PC: every htmx form and link is also a plain form or link."""

import pytest

from tests.browser_helpers import employee_journey, no_js_page  # noqa: F401 (a fixture)
from tests.conftest import sign_in

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
