"""The trainers' admin in a real browser, in Chinese and in English: axe
finds nothing serious or critical on the case, module and question pages;
the case page is short until a list is opened; items move up and down from
the keyboard; a Markdown field previews as a learner sees it; a new
question opens with four empty choices. Screenshots in test-artifacts/."""

import pytest
from playwright.sync_api import expect

from cases.models import Case
from lessons.models import Module, Question
from tests.browser_helpers import assert_no_horizontal_scroll, check_accessibility, sign_in
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def in_language(page, language: str) -> None:
    page.goto("/")
    # The menu switches as soon as a language is chosen.
    page.locator("#language-select").select_option(language)
    expect(page.locator("html")).to_have_attribute("lang", language)


def admin_pages():
    case = Case.objects.get(pk=1)
    module = Module.objects.get(case=case)
    question = module.questions.first()
    return {
        "case": f"/admin/cases/case/{case.pk}/change/",
        "module": f"/admin/lessons/module/{module.pk}/change/",
        "question": f"/admin/lessons/question/{question.pk}/change/",
        "new question": "/admin/lessons/question/add/",
    }


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_admins_own_pages_pass_axe(demo, page, language):
    sign_in(page, "trainer")
    in_language(page, language)
    for label, url in admin_pages().items():
        page.goto(url)
        check_accessibility(page, f"admin {label} page ({language})")
        # Every list opened, with its fields and move buttons showing.
        for summary in page.locator("fieldset.collapse details > summary").all():
            summary.click()
        check_accessibility(page, f"admin {label} page opened up ({language})")


def test_the_admin_reads_in_chinese(demo, page):
    sign_in(page, "trainer")
    in_language(page, "zh-hans")
    page.goto("/admin/")
    expect(page.locator("#site-name")).to_have_text("保密教育 · 管理")
    expect(page.get_by_role("heading", level=1)).to_have_text("培训内容与记录")
    main = page.locator("#content-main")
    expect(main.get_by_role("link", name="修改").first).to_be_visible()
    expect(main).not_to_contain_text("切换")

    page.goto(admin_pages()["case"])
    ARTIFACTS.mkdir(exist_ok=True)
    # Short: the people, timeline, red flags and outcomes are collapsed
    # under headings that count them.
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 3000, f"the case page is {height}px long"
    expect(page.locator("#events-heading")).to_contain_text("时间线事件")
    expect(page.locator("#events-heading")).to_contain_text("项）")
    expect(page.get_by_role("link", name="以学员视角预览")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "admin-case-zh.png", full_page=True)
    page.locator("#events-heading").click()
    expect(page.locator("#events-0")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "admin-case-events-zh.png", full_page=False)

    page.goto(admin_pages()["question"])
    expect(page.locator("#content-main")).not_to_contain_text("Module")
    assert_no_horizontal_scroll(page, "the question page")
    page.screenshot(path=ARTIFACTS / "admin-question-zh.png", full_page=True)
    page.goto(admin_pages()["module"])
    page.screenshot(path=ARTIFACTS / "admin-module-zh.png", full_page=True)


def test_a_trainer_reorders_the_timeline_from_the_keyboard(demo, page):
    case = Case.objects.get(pk=1)
    first, second = list(case.events.all())[:2]
    sign_in(page, "trainer")
    page.goto(admin_pages()["case"])
    page.locator("#events-heading").click()
    down = page.locator("#events-0 button.order-down")
    down.focus()
    page.keyboard.press("Enter")
    expect(down).to_be_focused()
    # The first event is now second on the page, before it is saved.
    expect(page.locator("#events-group .inline-related.has_original").nth(1)).to_contain_text(
        first.title
    )
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert list(case.events.all())[:2] == [second, first]


def test_a_markdown_field_previews_as_a_learner_sees_it(demo, page):
    sign_in(page, "trainer")
    page.goto(admin_pages()["case"])
    page.locator("#id_summary_en").fill("A **bold** move.\n\n<script>alert(1)</script>")
    page.locator('button[aria-controls="id_summary_en-preview"]').click()
    preview = page.locator("#id_summary_en-preview")
    expect(preview.locator("strong")).to_have_text("bold")
    expect(preview.locator("script")).to_have_count(0)


def test_a_new_question_opens_with_four_empty_choices(demo, page):
    module = Module.objects.get(case_id=1)
    before = Question.objects.count()
    sign_in(page, "trainer")
    page.goto(admin_pages()["new question"])
    rows = page.locator("#choices-group tbody tr.form-row:not(.empty-form)")
    expect(rows).to_have_count(4)
    page.locator("#id_module").select_option(str(module.pk))
    page.locator("#id_kind").select_option("true_false")
    page.locator("#id_text_en").fill("Classified papers may go home if locked away.")
    page.locator("#id_explanation_en").fill("They never leave the office.")
    page.locator("#id_choices-0-text_en").fill("True")
    page.locator("#id_choices-1-text_en").fill("False")
    page.locator("#id_choices-1-is_correct").check()
    # The two rows left empty are not choices.
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert Question.objects.count() == before + 1
    question = Question.objects.latest("pk")
    assert list(question.choices.values_list("text", "is_correct")) == [
        ("True", False),
        ("False", True),
    ]
