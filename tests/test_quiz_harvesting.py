"""The harvesting attack, played through the pages as a learner would: submit
blank attempts, collect whatever the pages reveal about the right answers,
then answer the last attempt from that alone.

The attacker here reads only HTML. On a question page it learns each
question's text and its choices; on a result page, any choice of a question
shown there that the person did not pick is taken as revealed — a "Correct
answer" list, a mark on a choice, anything that names it. So if a result
ever shows the key again while attempts remain, the last attempt passes and
the test fails.
"""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from completion.models import Certificate, Completion
from lessons.models import Attempt
from tests.factories import answer_all, make_module

pytestmark = pytest.mark.django_db

LEGEND = re.compile(r'<legend class="question-text"[^>]*>(.*?)</legend>', re.S)
OPTION = re.compile(r'<label class="option"[^>]*>\s*<input([^>]*)>\s*<span[^>]*>(.*?)</span>', re.S)
VALUE = re.compile(r'value="(\d+)"')
ITEM = re.compile(
    r'<li class="panel review-item[^"]*">(.*?)</li>\s*(?=<li class="panel|</ol>)', re.S
)
YOUR_ANSWER = re.compile(r"<dt>Your answer</dt>\s*<dd>(.*?)</dd>", re.S)


def text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def read_question(page: str) -> tuple[str, dict[str, int], str]:
    """The question's text, its choices (text → id) and the raw HTML of the
    choices (where a leaked mark would sit)."""
    question = text(LEGEND.search(page)[1])
    choices = {text(label): int(VALUE.search(attrs)[1]) for attrs, label in OPTION.findall(page)}
    return question, choices, page


@pytest.fixture
def module():
    # Every attempt draws the whole bank, so every question of the last
    # attempt was shown in the earlier ones: the harvest has all it could want.
    return make_module("harvest", questions=4, draw=4, limit=3, pass_mark=75)


@pytest.fixture
def employee(client, user_factory):
    user = user_factory("harvester")
    # Signed in through the form, as the attacker would be.
    response = client.post(
        reverse("login"), {"username": "harvester", "password": "pw-for-tests-only"}
    )
    assert response.status_code == 302
    return user


def start(client, module) -> tuple[int, int]:
    response = client.post(reverse("lessons:start_quiz", args=[module.slug]))
    assert response.status_code == 302
    attempt_id = int(re.search(r"/attempts/(\d+)/", response.url)[1])
    return attempt_id, Attempt.objects.get(pk=attempt_id).question_count


def visit_questions(client, attempt_id: int, count: int) -> dict[str, tuple[dict, str]]:
    seen = {}
    for position in range(1, count + 1):
        page = client.get(reverse("lessons:question", args=[attempt_id, position]))
        assert page.status_code == 200
        question, choices, raw = read_question(page.content.decode())
        seen[question] = (choices, raw)
    return seen


def harvest(known: dict[str, set[str]], questions: dict, result_page: str) -> None:
    """Everything a result page (and the question pages before it) gives away."""
    for _question, (_choices, raw) in questions.items():
        # A mark on a choice in the question page itself.
        for attrs, label in OPTION.findall(raw):
            if "correct" in attrs.lower() or "correct" in label.lower():
                known.setdefault(_question, set()).add(text(label))
    for item in ITEM.findall(result_page):
        shown = text(item)
        question = next((q for q in questions if q in shown), None)
        if question is None:
            continue
        answer = YOUR_ANSWER.search(item)
        picked = text(answer[1]) if answer else ""
        rest = shown.replace(picked, "", 1) if picked else shown
        choices = questions[question][0]
        revealed = {choice for choice in choices if choice in rest and choice not in picked}
        if revealed:
            known.setdefault(question, set()).update(revealed)


def blank_attempt(client, module, known) -> str:
    attempt_id, count = start(client, module)
    questions = visit_questions(client, attempt_id, count)
    client.get(reverse("lessons:review", args=[attempt_id]))
    response = client.post(reverse("completion:submit_attempt", args=[attempt_id]), follow=True)
    page = response.content.decode()
    assert "Not passed" in page
    harvest(known, questions, page)
    # The module page after the result, too.
    harvest(known, questions, client.get(module.get_absolute_url()).content.decode())
    return page


def play_the_attack(client, module) -> tuple[Attempt, dict[str, set[str]]]:
    known: dict[str, set[str]] = {}
    blank_attempt(client, module, known)
    blank_attempt(client, module, known)
    # The last attempt, answered only from what the pages showed.
    attempt_id, count = start(client, module)
    for position in range(1, count + 1):
        url = reverse("lessons:question", args=[attempt_id, position])
        question, choices, _raw = read_question(client.get(url).content.decode())
        picks = [choices[choice] for choice in known.get(question, ()) if choice in choices]
        if picks:
            client.post(url, {"choice": picks})
    client.post(reverse("completion:submit_attempt", args=[attempt_id]))
    return Attempt.objects.get(pk=attempt_id), known


def test_two_blank_attempts_reveal_no_answer_and_the_third_does_not_pass(client, module, employee):
    attempt, known = play_the_attack(client, module)
    assert attempt.number == 3
    assert attempt.passed is False, f"passed on what the pages revealed: {known}"
    assert known == {}, f"the pages revealed answers: {known}"
    assert attempt.correct_count == 0
    assert not Completion.objects.filter(user=employee).exists()
    assert not Certificate.objects.exists()


def test_a_failed_result_with_attempts_left_says_right_and_wrong_and_teaches(
    client, module, employee
):
    attempt_id, _count = start(client, module)
    attempt = Attempt.objects.get(pk=attempt_id)
    answer_all(attempt, right=2)  # questions 1 and 2 right, 3 and 4 wrong
    client.post(reverse("completion:submit_attempt", args=[attempt_id]))
    page = client.get(reverse("lessons:result", args=[attempt_id])).content.decode()
    assert "50% — 2 of 4 correct" in page
    assert page.count(">Right<") == 2 and page.count(">Wrong<") == 2
    assert "Correct answer" not in page
    assert "The full answers are shown once you pass" in page
    for question in attempt.questions.prefetch_related("choices"):
        assert question.explanation in page  # the rule, taught either way
        for choice in question.choices.all():
            if question.is_correct or choice.selected:
                # Their own answer is shown: right is right, wrong is wrong.
                assert choice.selected == (choice.text in page)
            else:
                assert choice.text not in page, "a right choice of a missed question is shown"


def full_key_shown(page: str, attempt: Attempt) -> None:
    assert "Correct answer" in page
    for question in attempt.questions.prefetch_related("choices"):
        assert question.explanation in page
        for choice in question.choices.all():
            if choice.is_correct:
                assert f"<li>{html.escape(choice.text)}</li>" in page


def test_after_a_pass_the_full_key_is_shown(client, module, employee):
    attempt_id, _count = start(client, module)
    attempt = Attempt.objects.get(pk=attempt_id)
    answer_all(attempt, right=3)  # passes at 75 %, one question wrong
    client.post(reverse("completion:submit_attempt", args=[attempt_id]))
    attempt.refresh_from_db()
    assert attempt.passed
    page = client.get(reverse("lessons:result", args=[attempt_id])).content.decode()
    full_key_shown(page, attempt)


def test_once_attempts_are_used_up_the_full_key_is_shown(client, module, employee):
    attempts = []
    for number in (1, 2, 3):
        attempt_id, _count = start(client, module)
        attempt = Attempt.objects.get(pk=attempt_id)
        answer_all(attempt, right=1)
        client.post(reverse("completion:submit_attempt", args=[attempt_id]))
        page = client.get(reverse("lessons:result", args=[attempt_id])).content.decode()
        if number < 3:
            assert "Correct answer" not in page
        attempts.append(attempt)
    for attempt in attempts:  # every earlier result now shows it too
        page = client.get(reverse("lessons:result", args=[attempt.pk])).content.decode()
        assert "Failed — attempts used up" in page
        full_key_shown(page, attempt)
