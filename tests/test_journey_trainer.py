"""A trainer's journey in a real browser, against the demo content: take a
module and its case back to draft, edit a question and a timeline event in the
admin, preview both as a learner would, publish again — then the employee sees
the new text, and the result of their past attempt is exactly as it was."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from cases.models import Status
from lessons.models import Attempt, QuestionKind
from tests.browser_helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def run_action(page, changelist: str, pk: int, action: str) -> None:
    """Tick one row of an admin list and run one of its actions."""
    page.goto(changelist)
    page.locator(f'input[name="_selected_action"][value="{pk}"]').check()
    page.locator('select[name="action"]').select_option(action)
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_be_visible()


def test_it_lets_a_trainer_revise_and_republish_without_rewriting_past_results(
    demo, page, browser, live_server
):
    # The demo employee passed this module once; take a question they were asked.
    attempt = Attempt.objects.filter(user__username="employee", passed=True).first()
    module, score = attempt.module, attempt.score
    asked = attempt.questions.filter(
        question__kind__in=[QuestionKind.SINGLE, QuestionKind.SCENARIO]
    ).first()
    question = asked.question
    old_text, new_text = question.text, f"Revised: {question.text}"
    old_correct = question.choices.get(is_correct=True)
    new_correct = question.choices.exclude(pk=old_correct.pk).first()
    # The attempt copied the question in the language it was taken in (the
    # demo's people read in Chinese); that copy is what the result shows.
    copied_text = asked.text
    copied_correct = asked.choices.get(is_correct=True).text
    with translation.override(attempt.language):
        question.refresh_from_db()
        assert (copied_text, copied_correct) == (question.text, old_correct.text)
    event = module.case.events.first()
    new_title = f"{event.title} (revised)"

    sign_in(page, "trainer")
    page.get_by_role("link", name="Admin").click()
    expect(page.locator("#site-name")).to_have_text("Awareness · administration")
    expect(page.get_by_role("heading", level=1)).to_have_text("Training content and records")

    # Back to draft while the content is revised.
    run_action(page, "/admin/lessons/module/", module.pk, "unpublish")
    run_action(page, "/admin/cases/case/", module.case.pk, "unpublish")
    module.refresh_from_db()
    module.case.refresh_from_db()
    assert module.status == module.case.status == Status.DRAFT

    # Edit the question: new wording and a different right answer.
    page.goto("/admin/lessons/question/")
    page.get_by_role("searchbox").fill(old_text[:40])
    page.get_by_role("searchbox").press("Enter")
    page.locator("#result_list").get_by_role("link", name=str(question)).first.click()
    page.locator("#id_text_en").fill(new_text)
    for choice, correct in ((old_correct, False), (new_correct, True)):
        row_id = page.locator(f'input[name^="choices-"][name$="-id"][value="{choice.pk}"]')
        prefix = row_id.get_attribute("name").removesuffix("-id")
        page.locator(f'input[name="{prefix}-is_correct"]').set_checked(correct)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    # Edit a timeline event of the case, inline on the case's page (the
    # timeline opens under its heading).
    page.goto(f"/admin/cases/case/{module.case.pk}/change/")
    page.locator("#events-heading").click()
    row_id = page.locator(f'input[name^="events-"][name$="-id"][value="{event.pk}"]')
    prefix = row_id.get_attribute("name").removesuffix("-id")
    page.locator(f'input[name="{prefix}-title_en"]').fill(new_title)
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    # Preview the case and the quiz as a learner would see them.
    page.get_by_role("link", name="View on site").click()
    page.wait_for_url(f"**{module.case.get_absolute_url()}")
    expect(page.locator("main")).to_contain_text(new_title)
    page.goto("/admin/lessons/module/")
    module_row = page.locator("#result_list tbody tr").filter(has_text=module.title)
    module_row.get_by_role("link", name="preview the quiz").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Preview the quiz as a learner")
    revised = page.locator("li.panel").filter(has_text=new_text)
    expect(revised.locator("label.option").filter(has_text=new_correct.text)).to_contain_text(
        "Correct"
    )

    # While it is a draft, employees cannot open it.
    employee_context = browser.new_context(base_url=live_server.url)
    employee = employee_context.new_page()
    sign_in(employee, "employee")
    assert employee.goto(module.get_absolute_url()).status == 404

    # Publish both again.
    run_action(page, "/admin/cases/case/", module.case.pk, "publish")
    run_action(page, "/admin/lessons/module/", module.pk, "publish")
    expect(page.locator(".messagelist")).to_contain_text("1 module(s) published.")

    # The employee sees the revised story...
    employee.goto(module.get_absolute_url())
    employee.get_by_role("link", name="Read the story").click()
    expect(employee.locator(".story-timeline")).to_contain_text(new_title)
    # ...and their past result as it was: the old wording, the old answer, the same score.
    employee.goto(f"/attempts/{attempt.pk}/result/")
    expect(employee.locator(".result-outcome")).to_contain_text(f"{score}%")
    expect(employee.locator(".result-outcome")).to_contain_text("Passed")
    past = employee.locator(".review-item").filter(has_text=copied_text)
    expect(past.locator("dd").last).to_contain_text(copied_correct)
    expect(employee.locator("main")).not_to_contain_text(new_text)
    expect(employee.locator("main")).not_to_contain_text("Revised:")
    employee_context.close()

    attempt.refresh_from_db()
    asked.refresh_from_db()
    assert (attempt.score, attempt.passed) == (score, True)
    assert asked.text == copied_text
    assert asked.choices.get(is_correct=True).text == copied_correct
    question.refresh_from_db()
    assert question.text == new_text
    assert question.choices.get(is_correct=True) == new_correct
    assert re.search(re.escape(new_title), module.case.events.get(pk=event.pk).title)
