"""Every training page reads in one language: in Chinese, the main content of
the case library, each case, each module's overview, story, lesson, quiz
question, review, result, commitment and the certificate is Chinese (under
5% Latin letters); in English it holds no Chinese beyond people's names."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from completion.models import Employee, Unit
from lessons.models import AttemptChoice, Module
from tests.browser_helpers import read_pdf_text, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LATIN = re.compile(r"[A-Za-z]")
CJK = re.compile(r"[\u3400-\u9fff\U00020000-\U0002a6df]")
LATIN_AT_MOST = 0.05
NAME = "赵晓东"


def learner(language: str):
    user = get_user_model().objects.create_user(
        "reader", password="awareness-demo", first_name=NAME
    )
    Employee.objects.create(
        user=user,
        unit=Unit.objects.get(code="DEMO"),
        employee_number="READER-1",
        full_name=NAME,
        language=language,
    )
    return user


def latin_share(text: str) -> float:
    latin, cjk = len(LATIN.findall(text)), len(CJK.findall(text))
    return latin / (latin + cjk) if latin + cjk else 0.0


def main_text(page) -> str:
    return page.locator("main").inner_text()


def pages_of_a_module(page, module: Module):
    """Walk one module as a learner: yield (label, main text) of each page."""
    page.goto(f"/modules/{module.slug}/")
    yield "module", main_text(page)
    page.goto(f"/modules/{module.slug}/story/")
    while page.locator(".decision form").count():
        form = page.locator(".decision form").first
        form.locator("label.option").first.click()
        form.locator('button[type="submit"]').click()
        page.wait_for_function("() => !document.querySelector('.htmx-request')")
    expect(page.locator(".lesson-box")).to_be_visible()
    yield "story", main_text(page)
    page.goto(f"/modules/{module.slug}/lesson/")
    yield "lesson", main_text(page)
    page.locator("form.actions button").click()
    page.wait_for_url(re.compile(r"/attempts/\d+/q/1/"))
    yield "quiz question", main_text(page)
    attempt_id = int(re.search(r"/attempts/(\d+)/", page.url)[1])
    count = module.questions_per_attempt
    for position in range(1, count + 1):
        right = AttemptChoice.objects.filter(
            attempt_question__attempt_id=attempt_id,
            attempt_question__position=position,
            is_correct=True,
        )
        for choice in right:
            page.locator(f'label[for="choice-{choice.pk}"]').click()
        page.locator(".question-form button[type=submit]").first.click()
        wait_after_answer_any(page, position, count)
    yield "review", main_text(page)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/attempts/\d+/result/"))
    yield "result", main_text(page)
    page.goto(f"/modules/{module.slug}/acknowledge/")
    yield "commitment", main_text(page)
    page.locator('input[name="confirm"]').check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    yield "certificate", main_text(page)
    with page.expect_download() as download:
        page.locator('main a[href$=".pdf"]').first.click()
    yield "certificate PDF", read_pdf_text(download.value.path().read_bytes())


def wait_after_answer_any(page, position: int, count: int) -> None:
    if position < count:
        page.wait_for_url(re.compile(rf"/attempts/\d+/q/{position + 1}/"))
        page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling')")
    else:
        page.wait_for_url(re.compile(r"/attempts/\d+/review/"))


def without_codes(text: str) -> str:
    # A certificate's serial number and check address are codes, not words.
    text = re.sub(r"AW-\d{4}-\d{6}", "", text)
    return re.sub(r"https?://\S+", "", text.replace("\n", " "))


def test_in_chinese_every_training_page_reads_in_chinese(demo, page):
    learner("zh-hans")
    sign_in(page, "reader", "awareness-demo")
    shares = {}
    page.goto("/cases/")
    shares["case library"] = latin_share(main_text(page))
    for module in Module.objects.published().select_related("case"):
        page.goto(module.case.get_absolute_url())
        shares[f"case {module.slug}"] = latin_share(main_text(page))
        for label, text in pages_of_a_module(page, module):
            shares[f"{label} {module.slug}"] = latin_share(without_codes(text))
    too_latin = {
        label: round(share, 3) for label, share in shares.items() if share >= LATIN_AT_MOST
    }
    assert not too_latin, too_latin
    assert len(shares) == 1 + 3 * 10  # the library, then ten pages a module


def test_in_english_the_training_pages_hold_no_chinese_but_names(demo, page):
    learner("en")
    sign_in(page, "reader", "awareness-demo")
    found = {}
    page.goto("/cases/")
    texts = {"case library": main_text(page)}
    for module in Module.objects.published().select_related("case"):
        page.goto(module.case.get_absolute_url())
        texts[f"case {module.slug}"] = main_text(page)
        for label, text in pages_of_a_module(page, module):
            texts[f"{label} {module.slug}"] = text
    for label, text in texts.items():
        chinese = CJK.findall(text.replace(NAME, ""))
        if chinese:
            found[label] = "".join(chinese)[:40]
    assert not found, found
