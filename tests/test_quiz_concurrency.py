"""Two submits of one attempt at the same moment (two tabs, a double click)."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from completion import services
from completion.models import Completion
from lessons.models import Attempt, AttemptChoice, AttemptQuestion, read_attempt
from tests.factories import answer_all, correct_ids, make_module, wrong_ids

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # SQLite's shared in-memory test database reports "table is locked" at
    # once instead of waiting as a file database does; the row lock is what
    # this checks, so it runs on PostgreSQL (CI runs the suite on both).
    pytest.mark.skipif(connection.vendor == "sqlite", reason="needs row locks: PostgreSQL"),
]


def test_two_simultaneous_submits_yield_one_result(user_factory):
    module = make_module(questions=6, draw=4, pass_mark=75)
    attempt = Attempt.objects.start(user=user_factory("alice"), module=module)
    answer_all(attempt, right=4)
    start = threading.Barrier(2)
    results, errors = [], []

    def submit() -> None:
        try:
            start.wait()
            stale = Attempt.objects.get(pk=attempt.pk)  # each tab's own copy
            results.append(services.submit_attempt(attempt=stale).submitted_at)
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    attempt.refresh_from_db()
    assert results == [attempt.submitted_at, attempt.submitted_at]
    assert (attempt.status, attempt.score, attempt.passed) == ("submitted", 100, True)
    assert Completion.objects.filter(attempt=attempt).count() == 1


def run_together(*targets) -> list[Exception]:
    """Run each target in a thread of its own (each with its own database
    connection); the exceptions they raised."""
    errors = []

    def run(target) -> None:
        try:
            target()
        except Exception as error:  # noqa: BLE001 — reported to the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=[target]) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def test_a_submit_waits_for_an_answer_being_written_and_counts_it(user_factory):
    # An answer's write takes the attempt's row as it writes (lessons.models
    # _write_answer): a submit coming meanwhile from another tab waits for
    # the answer and scores it, rather than what was there before. The
    # answer is held mid-write by a third transaction that has its
    # question's choices locked.
    module = make_module(questions=6, draw=4, pass_mark=75)
    alice = user_factory("alice")
    attempt = Attempt.objects.start(user=alice, module=module)
    answer_all(attempt, right=3)
    last = correct_ids(attempt, 4)
    fourth = AttemptQuestion.objects.get(attempt=attempt, position=4)
    held, release, scores = threading.Event(), threading.Event(), []

    def hold_the_choices() -> None:
        with transaction.atomic():
            # The choices' rows alone (no ordering join takes the question's
            # or the attempt's rows too).
            choices = AttemptChoice.objects.filter(attempt_question=fourth).order_by()
            list(choices.select_for_update(of=["self"]))
            held.set()
            release.wait(timeout=10)

    def answer() -> None:
        held.wait(timeout=10)
        tab = read_attempt(attempt_id=attempt.pk, user=alice, positions=(4,))
        tab.answer(position=4, choice_ids=last)

    def submit() -> None:
        held.wait(timeout=10)
        time.sleep(0.3)  # the answer is waiting on the choices, its attempt taken
        stale = Attempt.objects.get(pk=attempt.pk)
        scores.append(services.submit_attempt(attempt=stale).score)

    def let_go() -> None:
        held.wait(timeout=10)
        time.sleep(0.8)  # the submit is waiting on the attempt
        assert scores == [], "the submit did not wait for the answer"
        release.set()

    assert run_together(hold_the_choices, answer, submit, let_go) == []
    assert scores == [100]
    attempt.refresh_from_db()
    assert (attempt.status, attempt.score, attempt.passed) == ("submitted", 100, True)


def test_an_answer_coming_during_a_submit_waits_and_is_refused(user_factory):
    module = make_module(questions=6, draw=4, pass_mark=75)
    alice = user_factory("alice")
    attempt = Attempt.objects.start(user=alice, module=module)
    answer_all(attempt, right=4)
    wrong = wrong_ids(attempt, 4)
    # The page the answer comes from was read while the attempt was open.
    tab = read_attempt(attempt_id=attempt.pk, user=alice, positions=(4, 5))
    locked, refused = threading.Event(), []

    def submit() -> None:
        with transaction.atomic():
            # As completion.services.submit_attempt takes it, held a moment.
            stale = Attempt.objects.select_for_update().get(pk=attempt.pk)
            locked.set()
            time.sleep(0.5)
            services.submit_attempt(attempt=stale)

    def answer() -> None:
        locked.wait(timeout=10)
        began = time.monotonic()
        try:
            tab.answer(position=4, choice_ids=wrong)
        except ValidationError as error:
            refused.append((error.messages[0], time.monotonic() - began))

    assert run_together(submit, answer) == []
    [(message, waited)] = refused
    assert "submitted" in message
    assert waited > 0.3
    assert tab.is_submitted
    attempt.refresh_from_db()
    assert (attempt.status, attempt.score) == ("submitted", 100)
    assert set(
        AttemptChoice.objects.filter(
            attempt_question__attempt=attempt, attempt_question__position=4, selected=True
        ).values_list("pk", flat=True)
    ) == set(correct_ids(attempt, 4))
