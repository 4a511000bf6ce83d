"""An attempt keeps the language it was copied in: read in another, its text
is marked with that language; reports show the bank's text in the reader's."""

import random

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from completion.models import Assignment
from lessons.models import Attempt
from tests.factories import answer_all, make_admin, make_module, make_person, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def module():
    module = make_module("bilingual", questions=4, draw=4)
    for question in module.questions.all():
        question.text_zh_hans = f"中文题目 {question.pk}"
        question.save()
        for choice in question.choices.all():
            choice.text_zh_hans = f"中文选项 {choice.pk}"
            choice.save()
    return module


def chinese_attempt(module, user) -> Attempt:
    with translation.override("zh-hans"):
        return Attempt.objects.start(user=user, module=module, rng=random.Random(0))


def test_an_attempt_copied_in_chinese_is_marked_on_an_english_page(client, module, user_factory):
    user = user_factory("alice")
    attempt = chinese_attempt(module, user)
    assert attempt.language == "zh-hans"
    first = attempt.questions.get(position=1)
    client.force_login(user)
    page = client.get(reverse("lessons:question", args=[attempt.pk, 1])).content.decode()
    assert f'<legend class="question-text" lang="zh-hans">{first.text}</legend>' in page
    for choice in first.choices.all():
        assert f'<span lang="zh-hans">{choice.text}</span>' in page
    answer_all(attempt, right=4)
    page = client.get(reverse("lessons:review", args=[attempt.pk])).content.decode()
    assert f'<span lang="zh-hans">{first.text}</span>' in page
    attempt.submit()
    page = client.get(reverse("lessons:result", args=[attempt.pk])).content.decode()
    assert f'<span lang="zh-hans">{first.text}</span>' in page
    assert '<div class="prose" lang="zh-hans">' in page


def test_read_in_its_own_language_nothing_is_marked(client, module, user_factory):
    user = user_factory("alice")
    attempt = Attempt.objects.start(user=user, module=module, rng=random.Random(0))
    client.force_login(user)
    page = client.get(reverse("lessons:question", args=[attempt.pk, 1])).content.decode()
    assert '<legend class="question-text">' in page
    assert '<span lang="zh-hans">' not in page


def test_the_report_shows_missed_questions_in_the_readers_language(client, module):
    unit = make_unit(None, "省")
    person = make_person(unit, "李明")
    Assignment.objects.assign(module=module, unit=unit, due_date=timezone.localdate(), by=None)
    attempt = chinese_attempt(module, person)
    answer_all(attempt, right=1)
    attempt.submit()
    client.force_login(make_admin(unit))
    url = reverse("completion:unit_report", args=[unit.pk]) + "?module=bilingual"
    page = client.get(url).content.decode()
    for question in module.questions.all():
        assert f"<td>{question.text_en}</td>" in page
        assert question.text_zh_hans not in page
