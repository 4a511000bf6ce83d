"""A whole module in a real browser: story with decisions, lesson, quiz,
review, submit — passed at once, and failed then retaken."""

import re

import pytest
from playwright.sync_api import expect

from completion.models import Completion
from lessons.models import Attempt, DecisionResponse, Module
from tests.browser_helpers import (  # noqa: F401 — no_js_page is a fixture
    answer_ids,
    answer_quiz,
    no_js_page,
    sign_in,
    submit_review,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "honey-trap-abroad"


@pytest.fixture
def learner(demo, user_factory):
    """A demo-content learner with no history, whatever the demo gave others."""
    user = user_factory("learner")
    user.set_password("awareness-demo")
    user.save()
    return user


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_it_takes_a_whole_module_and_passes(page, learner):
    module = Module.objects.get(slug=SLUG)
    sign_in(page, "learner")
    page.goto(f"/modules/{SLUG}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(module.title)
    page.get_by_role("link", name="Read the story").click()

    # Every decision point: pick the right course, see what really happened.
    for point in module.decision_points.all():
        block = page.locator(f"#decision-{point.pk}")
        recommended = point.options.get(is_recommended=True)
        block.get_by_label(recommended.text).check()
        block.get_by_role("button", name="Decide").click()
        expect(block).to_contain_text("The right call")
        expect(block).to_contain_text("What actually happened")
        expect(block.locator(".decision-title")).to_be_focused()
    assert DecisionResponse.objects.filter(user=learner, was_recommended=True).count() == 3
    page.reload()
    expect(page.locator(".decision form")).to_have_count(0)  # answered: not asked again

    page.get_by_role("link", name="Next: the lesson").click()
    for section in module.sections.all():
        expect(page.get_by_role("heading", name=section.title)).to_be_visible()
    # The lesson's last button starts the quiz itself.
    page.get_by_role("button", name="Next: the quiz").click()
    expect(page.locator(".quiz-position")).to_contain_text("Question 1 of 8")

    # The first answer is swapped in by htmx: focus lands on the new question.
    attempt_id = int(re.search(r"/attempts/(\d+)/", page.url)[1])
    for choice_id in answer_ids(attempt_id, 1, correct=True):
        page.locator(f'label[for="choice-{choice_id}"]').click()
    page.get_by_role("button", name="Save and next question").click()
    expect(page.locator(".quiz-position")).to_contain_text("Question 2 of 8")
    page.wait_for_url(re.compile(r"/q/2/$"))
    assert focused_id(page) == "question-heading"
    expect(page).to_have_title(re.compile("^Question 2 of 8"))
    answer_quiz(page, correct=True)

    # Review: change one answer and come back to the review.
    page.get_by_role("link", name="Change answer to question 3").click()
    expect(page.get_by_role("button", name="Save and return to the review")).to_be_visible()
    page.get_by_role("button", name="Save and return to the review").click()
    page.wait_for_url(re.compile(r"/review/$"))
    submit_review(page)

    outcome = page.locator(".result-outcome")
    expect(outcome).to_have_attribute("aria-live", "polite")
    expect(outcome).to_contain_text("100% — 8 of 8 correct")
    expect(outcome).to_contain_text("Passed")
    expect(page.get_by_text("Right", exact=True)).to_have_count(8)
    attempt = Attempt.objects.get(user=learner)
    assert (attempt.status, attempt.score, attempt.passed) == ("submitted", 100, True)
    assert Completion.objects.get(user=learner, module=module).attempt == attempt


def test_it_fails_and_retakes_with_a_fresh_draw(page, learner):
    module = Module.objects.get(slug=SLUG)
    sign_in(page, "learner")
    page.goto(f"/modules/{SLUG}/")
    page.get_by_role("button", name="Start the quiz").click()
    answer_quiz(page, correct=False)
    submit_review(page)
    expect(page.locator(".result-outcome")).to_contain_text("0% — 0 of 8 correct")
    expect(page.locator(".result-outcome")).to_contain_text("Not passed")
    expect(page.get_by_text("Wrong", exact=True)).to_have_count(8)
    expect(page.get_by_text("2 attempts left")).to_be_visible()

    page.get_by_role("button", name="Retake the quiz").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quiz — attempt 2")
    answer_quiz(page, correct=True)
    submit_review(page)
    expect(page.locator(".result-outcome")).to_contain_text("Passed")

    first, second = Attempt.objects.filter(user=learner).order_by("number")
    assert (first.passed, second.passed) == (False, True)
    assert first.score == 0 and second.score == 100
    assert Completion.objects.get(user=learner, module=module).attempt == second


def test_it_works_without_javascript(no_js_page, learner):  # noqa: F811 (the fixture)
    page = no_js_page
    module = Module.objects.get(slug=SLUG)
    sign_in(page, "learner")
    page.goto(f"/modules/{SLUG}/story/")
    point = module.decision_points.first()
    block = page.locator(f"#decision-{point.pk}")
    block.get_by_label(point.options.get(is_recommended=True).text).check()
    block.get_by_role("button", name="Decide").click()
    expect(page.locator(f"#decision-{point.pk}")).to_contain_text("What actually happened")

    page.goto(f"/modules/{SLUG}/")
    page.get_by_role("button", name="Start the quiz").click()
    attempt_id = answer_quiz(page, correct=True)
    # Stop and come back: the attempt resumes, and the review shows every answer.
    page.goto(f"/modules/{SLUG}/")
    page.get_by_role("button", name="Resume the quiz").click()
    page.wait_for_url(re.compile(rf"/attempts/{attempt_id}/review/$"))
    submit_review(page)
    expect(page.locator(".result-outcome")).to_contain_text("Passed")
