"""axe-core on every kind of page: no serious or critical violation anywhere.

Milder findings are printed and listed in pytest's warnings summary.
"""

import re

import pytest
from django.template import loader
from playwright.sync_api import expect

from tests.browser_helpers import (
    JOURNEY_PAGES,
    check_accessibility,
    employee_journey,
    fresh_module_for,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_catches_a_page_that_is_inaccessible(page, live_server):
    # The scan itself must be able to fail: an unlabelled field and an image
    # without alternative text are serious and critical violations.
    page.goto("/accounts/login/")
    page.set_content(
        '<html lang="en"><head><title>Broken</title></head><body><main><h1>Broken</h1>'
        '<img src="/static/img/favicon.svg"><input type="text"></main></body></html>'
    )
    with pytest.raises(AssertionError, match="image-alt"):
        check_accessibility(page, "a deliberately broken page")


def test_it_finds_the_sign_in_page_accessible(demo, page):
    page.goto("/accounts/login/")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
    check_accessibility(page, "sign-in")


def test_it_finds_a_failed_sign_in_accessible(demo, page):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("employee")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("alert").wait_for()
    check_accessibility(page, "sign-in with an error")


def test_it_finds_my_training_accessible(demo, page):
    sign_in(page, "employee")
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, 王小明"
    check_accessibility(page, "My training")


def test_it_finds_the_user_menu_accessible_when_open(demo, page):
    sign_in(page, "employee")
    page.locator(".user-menu summary").click()
    page.get_by_role("link", name="Change password").wait_for()
    check_accessibility(page, "My training with the user menu open")


def test_it_finds_change_password_accessible(demo, page):
    sign_in(page, "employee")
    page.goto("/accounts/password/")
    assert page.get_by_role("heading", level=1).inner_text() == "Change password"
    check_accessibility(page, "change password")
    # And with the errors a wrong old password brings.
    page.get_by_role("button", name="Change password").click()
    page.locator(".errorlist").first.wait_for()
    check_accessibility(page, "change password with errors")


def test_it_finds_the_not_found_page_accessible(demo, page):
    sign_in(page, "employee")
    response = page.goto("/no-such-page/")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    check_accessibility(page, "404")


def test_it_finds_the_forbidden_page_accessible(demo, page):
    # A trainer edits content but may not open the user accounts.
    sign_in(page, "trainer")
    response = page.goto("/admin/auth/user/")
    assert response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "You cannot open this page"
    check_accessibility(page, "403")


def test_it_finds_the_server_error_page_accessible(page, live_server):
    # The 500 page cannot be provoked on purpose, so it is rendered here and
    # shown at a real address of the site (for its stylesheet).
    page.goto("/accounts/login/")
    page.set_content(loader.get_template("errors/500.html").render())
    assert page.get_by_role("heading", level=1).inner_text() == "Something went wrong"
    check_accessibility(page, "500")


def test_it_finds_every_page_of_the_employee_journey_accessible(demo, page):
    # Sign-in, My training, the module, its story with a decision answered,
    # the lesson, a quiz question, the review, both results, the commitment,
    # the certificate and its public check page.
    scanned = []

    def check(page, label: str) -> None:
        check_accessibility(page, label)
        scanned.append(label)

    employee_journey(page, check=check)
    assert scanned == list(JOURNEY_PAGES)


def test_it_finds_a_quiz_question_with_an_error_accessible(demo, page):
    module = fresh_module_for("employee")
    sign_in(page, "employee")
    page.goto(module.get_absolute_url())
    page.get_by_role("button", name="Start the quiz").click()
    # Saving without choosing anything is refused with a message.
    page.locator(".question-form").get_by_role("button", name=re.compile("^Save")).click()
    expect(page.get_by_role("alert")).to_be_visible()
    check_accessibility(page, "quiz question with an error")


def test_it_finds_the_case_library_and_a_case_accessible(demo, page):
    sign_in(page, "employee")
    page.goto("/cases/")
    check_accessibility(page, "case library")
    page.locator("main .card h2 a").first.click()
    page.wait_for_url("**/cases/*/")
    # With every "what went wrong here?" opened, as a reader would.
    for flag in page.locator("details.red-flag").all():
        flag.locator("summary").click()
    check_accessibility(page, "case")


def test_it_finds_the_certificate_check_pages_accessible(demo, page):
    response = page.goto("/verify/")
    assert response.status == 200
    check_accessibility(page, "certificate lookup")
    response = page.goto("/verify/no-such-token/")
    assert response.status == 404
    expect(page.locator(".verify-result")).to_contain_text("Not found")
    check_accessibility(page, "unknown certificate")


def test_it_finds_the_unit_admin_pages_accessible(demo, page):
    sign_in(page, "unitadmin")
    page.goto("/report/")
    expect(page.get_by_role("heading", level=1)).to_have_text("示范省")
    check_accessibility(page, "unit report")
    # One module chosen: the figures by unit and the questions people miss.
    page.locator("main table.figures tbody th a").first.click()
    expect(page.locator("#misses-heading")).to_be_visible()
    check_accessibility(page, "unit report for one module")

    page.get_by_role("link", name="Assign modules").click()
    check_accessibility(page, "assign modules")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    check_accessibility(page, "assign modules with errors")

    page.goto("/report/")
    page.get_by_role("link", name="Import employees").click()
    check_accessibility(page, "import employees")

    page.goto("/report/")
    page.get_by_role("link", name="Print certificates").click()
    check_accessibility(page, "print certificates")

    page.goto("/report/")
    page.get_by_role("link", name="Change the yearly requirement").click()
    page.get_by_label("Study hours each person owes a year").fill("ten")
    page.get_by_role("button", name="Save the requirement").click()
    expect(page.locator(".error-summary")).to_be_focused()
    check_accessibility(page, "yearly study hours with an error")

    page.goto("/report/")
    page.get_by_label("Year").select_option(index=1)
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".year-note")).to_be_visible()
    check_accessibility(page, "unit report as at the end of last year")

    page.goto("/training/record/")
    check_accessibility(page, "annual training record")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_it_finds_the_reports_charts_accessible_with_their_numbers_open(demo, page, language):
    sign_in(page, "unitadmin")
    page.locator("#language-select").select_option(language)
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.goto("/report/")
    charts = page.locator("section.charts figure")
    expect(charts).to_have_count(7)  # four charts and a timeline for each of three modules
    for summary in page.locator(".chart-numbers summary").all():
        summary.click()
    expect(page.locator(".chart-numbers table").first).to_be_visible()
    # Each chart is an image with a name, its numbers a table of their own.
    for svg in page.locator("section.charts svg[role=img]").all():
        assert svg.get_attribute("aria-labelledby")
    check_accessibility(page, f"unit report charts ({language})")


def test_it_finds_the_pages_in_chinese_accessible(demo, page):
    sign_in(page, "employee")
    page.locator("#language-select").select_option("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_contain_text("您好")
    check_accessibility(page, "My training in Chinese")
    module = fresh_module_for("employee")
    page.goto(module.get_absolute_url())
    check_accessibility(page, "a module in Chinese")
    page.locator("#quiz form button[type=submit]").click()
    page.wait_for_url("**/q/1/")
    check_accessibility(page, "a quiz question in Chinese")
