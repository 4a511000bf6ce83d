"""In a real browser: a failed result with attempts left names no right
choice of a missed question, and the item statistics as a trainer and a
unit admin see them. Screenshots go to test-artifacts/."""

import pytest
from playwright.sync_api import expect

from lessons.models import Module
from tests.browser_helpers import answer_quiz, fresh_module_for, sign_in, submit_review
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_failed_result_with_attempts_left_keeps_the_key(demo, page):
    module = fresh_module_for("employee")
    sign_in(page, "employee")
    page.goto(f"/modules/{module.slug}/story/")
    page.screenshot(path=ARTIFACTS / "story-before-decision.png", full_page=True)
    point = module.decision_points.first()
    block = page.locator(f"#decision-{point.pk}")
    expect(block).not_to_contain_text("What actually happened")
    wrong = point.options.filter(is_recommended=False).first()
    block.get_by_label(wrong.text).check()
    block.get_by_role("button", name="Decide").click()
    expect(block).to_contain_text("What actually happened")
    block.scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "story-after-decision.png", full_page=True)

    page.goto(f"/modules/{module.slug}/")
    page.get_by_role("button", name="Start the quiz").click()
    answer_quiz(page, correct=False)
    submit_review(page)
    expect(page.locator(".result-outcome")).to_contain_text("Not passed")
    expect(page.get_by_text("Correct answer", exact=True)).to_have_count(0)
    expect(page.locator(".answer-key-note")).to_contain_text("The full answers are shown once")
    page.screenshot(path=ARTIFACTS / "result-failed-attempts-left.png", full_page=True)


def test_trainers_and_unit_admins_see_item_statistics(demo, page):
    module = Module.objects.published().order_by("order").first()
    sign_in(page, "trainer")
    page.goto(f"/admin/lessons/question/?module__id__exact={module.pk}")
    expect(page.locator("th.column-facility")).to_be_visible()
    expect(page.locator("th.column-discrimination")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "item-statistics-admin-list.png", full_page=True)
    page.locator("#result_list tbody tr th a").first.click()
    expect(page.get_by_text("Drawn", exact=False).first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "item-statistics-admin-question.png", full_page=True)

    page.context.clear_cookies()
    sign_in(page, "unitadmin")
    page.goto("/report/")
    page.goto(f"{page.url}?module={module.slug}")
    table = page.locator("table.misses")
    expect(table).to_contain_text("Discrimination")
    table.scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "item-statistics-unit-report.png", full_page=True)
