"""The quiz rules on the models: starting, answering, submitting."""

import random

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from lessons.models import (
    Attempt,
    AttemptChoice,
    AttemptQuestion,
    AttemptStatus,
    Choice,
    DecisionResponse,
    Question,
    QuestionKind,
    read_attempt,
)
from tests.factories import answer_all, correct_ids, make_module, wrong_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def module():
    return make_module(questions=6, draw=4, limit=3, pass_mark=75)


@pytest.fixture
def alice(user_factory):
    return user_factory("alice")


def test_it_draws_the_number_of_questions_and_copies_them(module, alice):
    attempt = Attempt.objects.start(user=alice, module=module, rng=random.Random(1))
    assert attempt.number == 1
    assert attempt.question_count == 4
    assert attempt.pass_mark == 75
    assert attempt.module_title == module.title
    positions = list(attempt.questions.values_list("position", flat=True))
    assert positions == [1, 2, 3, 4]
    for copy in attempt.questions.select_related("question"):
        assert copy.text == copy.question.text
        assert copy.explanation == copy.question.explanation
        assert copy.choices.count() == copy.question.choices.count()
        assert {c.text for c in copy.choices.all()} == {c.text for c in copy.question.choices.all()}


def test_it_draws_only_active_questions(module, alice):
    retired = list(module.questions.order_by("pk")[:2])
    Question.objects.filter(pk__in=[q.pk for q in retired]).update(is_active=False)
    attempt = Attempt.objects.start(user=alice, module=module)
    drawn = set(attempt.questions.values_list("question_id", flat=True))
    assert drawn.isdisjoint({q.pk for q in retired})
    assert len(drawn) == 4


def test_it_refuses_to_start_with_a_bank_smaller_than_the_draw(alice):
    module = make_module(questions=3, draw=4)
    with pytest.raises(ValidationError, match="not ready"):
        Attempt.objects.start(user=alice, module=module)
    assert not Attempt.objects.exists()


def test_it_resumes_the_attempt_in_progress(module, alice):
    first = Attempt.objects.start(user=alice, module=module)
    again = Attempt.objects.start(user=alice, module=module)
    assert again.pk == first.pk
    assert Attempt.objects.count() == 1
    assert AttemptQuestion.objects.count() == 4


def test_it_resumes_at_the_first_unanswered_question(module, alice):
    attempt = Attempt.objects.start(user=alice, module=module)
    attempt.answer(position=1, choice_ids=correct_ids(attempt, 1))
    attempt.answer(position=3, choice_ids=correct_ids(attempt, 3))
    assert attempt.first_unanswered_position() == 2


def test_a_retake_draws_afresh_and_is_numbered(alice):
    module = make_module(questions=12, draw=4, limit=3)
    first = Attempt.objects.start(user=alice, module=module, rng=random.Random(1))
    answer_all(first, right=0)
    first.submit()
    second = Attempt.objects.start(user=alice, module=module, rng=random.Random(2))
    assert second.pk != first.pk
    assert second.number == 2
    first_drawn = list(first.questions.values_list("question_id", flat=True))
    second_drawn = list(second.questions.values_list("question_id", flat=True))
    assert first_drawn != second_drawn


def test_it_refuses_a_new_attempt_once_the_limit_is_used_up(module, alice):
    for _ in range(3):
        attempt = Attempt.objects.start(user=alice, module=module)
        answer_all(attempt, right=0)
        attempt.submit()
    with pytest.raises(ValidationError, match="used all 3 attempts"):
        Attempt.objects.start(user=alice, module=module)
    assert Attempt.objects.filter(user=alice).count() == 3
    progress = module.progress_for(alice)
    assert progress.out_of_attempts
    assert not progress.can_start


def test_a_limit_of_zero_means_unlimited(alice):
    module = make_module(limit=0)
    for _ in range(4):
        attempt = Attempt.objects.start(user=alice, module=module)
        answer_all(attempt, right=0)
        attempt.submit()
    assert Attempt.objects.start(user=alice, module=module).number == 5
    assert module.progress_for(alice).remaining is None


def test_it_refuses_a_new_attempt_after_a_pass(module, alice):
    attempt = Attempt.objects.start(user=alice, module=module)
    answer_all(attempt, right=4)
    attempt.submit()
    with pytest.raises(ValidationError, match="already passed"):
        Attempt.objects.start(user=alice, module=module)
    assert Attempt.objects.count() == 1


def test_it_stores_an_answer(module, alice):
    attempt = Attempt.objects.start(user=alice, module=module)
    ids = correct_ids(attempt, 1)
    attempt.answer(position=1, choice_ids=[str(i) for i in ids])
    question = attempt.questions.get(position=1)
    assert question.answered_at is not None
    assert set(question.choices.filter(selected=True).values_list("pk", flat=True)) == set(ids)


def test_changing_an_answer_replaces_the_choice(module, alice):
    attempt = Attempt.objects.start(user=alice, module=module)
    attempt.answer(position=1, choice_ids=wrong_ids(attempt, 1))
    attempt.answer(position=1, choice_ids=correct_ids(attempt, 1))
    question = attempt.questions.get(position=1)
    assert set(question.choices.filter(selected=True).values_list("pk", flat=True)) == set(
        correct_ids(attempt, 1)
    )


def test_it_rejects_a_question_not_in_the_attempt(module, alice):
    attempt = Attempt.objects.start(user=alice, module=module)
    with pytest.raises(ValidationError, match="Question 9 is not part of this attempt"):
        attempt.answer(position=9, choice_ids=correct_ids(attempt, 1))
    assert not AttemptChoice.objects.filter(selected=True).exists()
    assert not AttemptQuestion.objects.filter(answered_at__isnull=False).exists()


def test_it_rejects_a_choice_of_another_question(module, alice):
    attempt = Attempt.objects.start(user=alice, module=module)
    with pytest.raises(ValidationError, match="does not belong to this question"):
        attempt.answer(position=1, choice_ids=correct_ids(attempt, 2))
    assert not AttemptChoice.objects.filter(selected=True).exists()
    assert not AttemptQuestion.objects.filter(answered_at__isnull=False).exists()


def test_it_rejects_a_choice_of_another_persons_attempt(module, alice, user_factory):
    mine = Attempt.objects.start(user=alice, module=module)
    theirs = Attempt.objects.start(user=user_factory("bob"), module=module)
    with pytest.raises(ValidationError, match="does not belong"):
        mine.answer(position=1, choice_ids=correct_ids(theirs, 1))
    assert not AttemptChoice.objects.filter(selected=True).exists()


def test_it_rejects_a_bank_choice_id_and_nonsense(module, alice):
    attempt = Attempt.objects.start(user=alice, module=module)
    bank_choice = Choice.objects.order_by("-pk").first()
    with pytest.raises(ValidationError):
        attempt.answer(position=1, choice_ids=[bank_choice.pk + 1000])
    with pytest.raises(ValidationError, match="does not exist"):
        attempt.answer(position=1, choice_ids=["drop table"])
    assert not AttemptChoice.objects.filter(selected=True).exists()


def test_a_one_answer_question_takes_exactly_one(alice):
    module = make_module(questions=4, draw=4)
    attempt = Attempt.objects.start(user=alice, module=module)
    for question in attempt.questions.exclude(kind=QuestionKind.MULTIPLE):
        ids = list(question.choices.values_list("pk", flat=True))
        with pytest.raises(ValidationError, match="Choose one answer"):
            attempt.answer(position=question.position, choice_ids=ids[:2])
        with pytest.raises(ValidationError, match="Choose one answer"):
            attempt.answer(position=question.position, choice_ids=[])
    assert not AttemptChoice.objects.filter(selected=True).exists()


def test_a_multiple_choice_question_takes_at_least_one(alice):
    module = make_module(questions=4, draw=4)
    attempt = Attempt.objects.start(user=alice, module=module)
    question = attempt.questions.get(kind=QuestionKind.MULTIPLE)
    with pytest.raises(ValidationError, match="at least one"):
        attempt.answer(position=question.position, choice_ids=[])
    ids = list(question.choices.values_list("pk", flat=True))
    attempt.answer(position=question.position, choice_ids=ids[:2])
    assert question.choices.filter(selected=True).count() == 2


def test_it_scores_on_the_server_from_the_stored_choices(module, alice):
    attempt = Attempt.objects.start(user=alice, module=module)
    answer_all(attempt, right=3)
    assert attempt.submit() is True
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED
    assert attempt.submitted_at is not None
    assert (attempt.correct_count, attempt.question_count, attempt.score) == (3, 4, 75)
    assert attempt.passed is True
    assert list(attempt.questions.values_list("is_correct", flat=True)) == [True, True, True, False]


def test_a_multiple_choice_answer_is_right_only_when_complete(alice):
    module = make_module(questions=4, draw=4)
    attempt = Attempt.objects.start(user=alice, module=module)
    question = attempt.questions.get(kind=QuestionKind.MULTIPLE)
    one_right = correct_ids(attempt, question.position)[:1]
    attempt.answer(position=question.position, choice_ids=one_right)
    attempt.submit()
    question.refresh_from_db()
    assert question.is_correct is False


def test_unanswered_questions_count_as_wrong_and_the_score_rounds_down(alice):
    module = make_module(questions=6, draw=6, pass_mark=80)
    attempt = Attempt.objects.start(user=alice, module=module)
    for position in range(1, 5):
        attempt.answer(position=position, choice_ids=correct_ids(attempt, position))
    attempt.submit()
    attempt.refresh_from_db()
    # 4 of 6 is 66.7 %: the score shows 66 and the attempt fails at 80.
    assert (attempt.correct_count, attempt.score, attempt.passed) == (4, 66, False)
    assert attempt.questions.filter(is_correct=False).count() == 2


def test_submitting_twice_keeps_the_first_result(module, alice):
    attempt = Attempt.objects.start(user=alice, module=module)
    answer_all(attempt, right=4)
    assert attempt.submit() is True
    submitted_at = Attempt.objects.get(pk=attempt.pk).submitted_at
    stale = Attempt.objects.get(pk=attempt.pk)
    stale.status = AttemptStatus.IN_PROGRESS  # as a second tab loaded before the first submit
    assert stale.submit() is False
    attempt.refresh_from_db()
    assert attempt.submitted_at == submitted_at
    assert attempt.score == 100


def test_an_answer_from_a_page_read_before_a_submit_writes_nothing(module, alice):
    attempt = Attempt.objects.start(user=alice, module=module)
    answer_all(attempt, right=4)
    # A tab read the attempt while it was open; another tab submits it.
    tab = read_attempt(attempt_id=attempt.pk, user=alice, positions=(1, 2))
    assert not tab.is_submitted
    Attempt.objects.get(pk=attempt.pk).submit()
    with pytest.raises(ValidationError, match="submitted"):
        tab.answer(position=1, choice_ids=wrong_ids(attempt, 1))
    assert tab.is_submitted
    question = attempt.questions.get(position=1)
    assert set(question.choices.filter(selected=True).values_list("pk", flat=True)) == set(
        correct_ids(attempt, 1)
    )


def test_what_the_question_page_reads_in_one_statement(
    module, alice, user_factory, django_assert_num_queries
):
    attempt = Attempt.objects.start(user=alice, module=module)
    answer_all(attempt, right=1)
    with django_assert_num_queries(1):
        tab = read_attempt(attempt_id=attempt.pk, user=alice, positions=(2, 3))
        assert sorted(tab.questions_read) == [2, 3]
        assert tab.answered_count == attempt.question_count
        shown = tab.questions_read[2].choices_shown()
        assert tab.module.slug == module.slug
    expected = attempt.questions.get(position=2).choices.order_by("position")
    assert shown == [(choice.pk, choice.text, choice.selected) for choice in expected]
    # A position the attempt does not have reads no question; a stranger no attempt.
    assert read_attempt(attempt_id=attempt.pk, user=alice, positions=(99,)).questions_read == {}
    assert read_attempt(attempt_id=attempt.pk, user=user_factory("bob"), positions=(1,)) is None


def test_an_answers_statements_are_prepared_on_postgresql(module, alice):
    """After a few answers on one connection the server runs the read and
    the write as prepared statements, planned once, and they still give the
    right answers; the rest of the app's SQL is never prepared."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    attempt = Attempt.objects.start(user=alice, module=module)
    for _ in range(7):
        tab = read_attempt(attempt_id=attempt.pk, user=alice, positions=(1, 2))
        tab.answer(position=1, choice_ids=correct_ids(attempt, 1))
    assert tab.answered_count == 1 and sorted(tab.questions_read) == [1, 2]
    assert attempt.questions.get(position=1).answered_at is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert len(prepared) == 2, prepared
    assert any(text.startswith("SELECT a.") for text in prepared)
    assert any(text.startswith("WITH open AS") for text in prepared)


def test_nothing_changes_after_submit(module, alice):
    attempt = Attempt.objects.start(user=alice, module=module)
    answer_all(attempt, right=4)
    attempt.submit()
    with pytest.raises(ValidationError, match="submitted"):
        attempt.answer(position=1, choice_ids=wrong_ids(attempt, 1))
    question = attempt.questions.get(position=1)
    assert set(question.choices.filter(selected=True).values_list("pk", flat=True)) == set(
        correct_ids(attempt, 1)
    )
    attempt.refresh_from_db()
    assert attempt.score == 100


def test_editing_the_bank_leaves_a_past_attempt_unchanged(module, alice):
    attempt = Attempt.objects.start(user=alice, module=module)
    answer_all(attempt, right=3)
    attempt.submit()
    before = list(attempt.questions.values_list("text", "explanation", "is_correct"))
    choices_before = list(
        AttemptChoice.objects.filter(attempt_question__attempt=attempt).values_list(
            "text", "is_correct", "selected"
        )
    )
    edited = attempt.questions.get(position=1).question
    edited.text = "Rewritten"
    edited.explanation = "Rewritten"
    edited.save()
    Choice.objects.filter(question=edited).update(text="Rewritten", is_correct=False)
    attempt.questions.get(position=2).question.delete()
    attempt.refresh_from_db()
    assert (attempt.score, attempt.correct_count, attempt.passed) == (75, 3, True)
    assert list(attempt.questions.values_list("text", "explanation", "is_correct")) == before
    assert (
        list(
            AttemptChoice.objects.filter(attempt_question__attempt=attempt).values_list(
                "text", "is_correct", "selected"
            )
        )
        == choices_before
    )
    assert attempt.questions.get(position=2).question is None


def test_attempts_are_never_deleted_by_cascade(module, alice):
    attempt = Attempt.objects.start(user=alice, module=module)
    with pytest.raises(ProtectedError):
        module.delete()
    with pytest.raises(ProtectedError):
        alice.delete()
    with pytest.raises(ProtectedError):
        attempt.questions.first().delete()
    assert Attempt.objects.filter(pk=attempt.pk).exists()
    assert AttemptChoice.objects.filter(attempt_question__attempt=attempt).count() > 0


def test_a_decision_is_saved_once(module, alice):
    point = module.decision_points.first()
    good, bad = point.options.order_by("order")
    response = point.respond(user=alice, option_id=str(bad.pk))
    assert (response.option_text, response.was_recommended) == ("Take them home", False)
    point.respond(user=alice, option_id=good.pk)
    assert DecisionResponse.objects.get(user=alice).option == bad


def test_a_decision_rejects_an_option_of_another_point(module, alice):
    first, second = module.decision_points.order_by("order")
    with pytest.raises(ValidationError):
        first.respond(user=alice, option_id=0)
    with pytest.raises(ValidationError):
        second.respond(user=alice, option_id=first.options.first().pk)
    assert not DecisionResponse.objects.exists()


def test_publishing_problems_name_the_shortfall():
    module = make_module(questions=3, draw=4)
    assert "has only 3 active questions" in module.publishing_problems()[0]
    assert module.publishing_problems(questions_per_attempt=3) == []


def test_a_retake_asks_unseen_questions_first_then_those_seen_longest_ago(alice):
    module = make_module("draws", questions=10, draw=4, limit=0)
    drawn = []
    for seed in range(4):
        attempt = Attempt.objects.start(user=alice, module=module, rng=random.Random(seed))
        drawn.append(set(attempt.questions.values_list("question_id", flat=True)))
        answer_all(attempt, right=0)
        attempt.submit()
    first, second, third, fourth = drawn
    bank = set(module.questions.values_list("pk", flat=True))
    # Ten questions, four a time: the second attempt is all new, the third
    # takes the last two unseen and two of the first attempt's, none of the second's.
    assert not first & second
    assert bank - first - second <= third
    assert len(third & first) == 2 and not third & second
    # The fourth: the two of the first never asked again, then two of the second.
    assert first - third <= fourth
    assert len(fourth & second) == 2 and not fourth & (third - first)


def test_the_draw_only_looks_at_the_persons_own_attempts(alice, user_factory):
    module = make_module("own", questions=8, draw=4, limit=0)
    other = Attempt.objects.start(user=user_factory("bob"), module=module, rng=random.Random(0))
    mine = Attempt.objects.start(user=alice, module=module, rng=random.Random(0))
    answer_all(mine, right=0)
    mine.submit()
    again = Attempt.objects.start(user=alice, module=module, rng=random.Random(0))
    seen = set(mine.questions.values_list("question_id", flat=True))
    assert not seen & set(again.questions.values_list("question_id", flat=True))
    assert other.questions.count() == 4
