"""Two submits of one attempt at the same moment (two tabs, a double click)."""

import threading
import time

import pytest
from django.db import connection, transaction

from completion import services
from completion.models import Completion
from lessons.models import Attempt, read_attempt
from tests.factories import answer_all, correct_ids, make_module

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


def test_a_submit_waits_for_an_answer_being_written_and_counts_it(user_factory):
    # The answer POST reads the attempt locked (lessons.views.question): a
    # submit arriving meanwhile from another tab waits for the answer and
    # scores it, rather than scoring what was there before.
    module = make_module(questions=6, draw=4, pass_mark=75)
    alice = user_factory("alice")
    attempt = Attempt.objects.start(user=alice, module=module)
    answer_all(attempt, right=3)
    last = correct_ids(attempt, 4)
    locked, results, errors = threading.Event(), [], []

    def answer() -> None:
        try:
            with transaction.atomic():
                # As the answer POST reads it (lessons.views.question).
                tab = read_attempt(attempt_id=attempt.pk, user=alice, lock=True)
                locked.set()
                time.sleep(0.5)  # the submit starts while the answer holds the lock
                tab.answer(position=4, choice_ids=last, locked=True)
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            locked.set()
            connection.close()

    def submit() -> None:
        try:
            locked.wait(timeout=10)
            stale = Attempt.objects.get(pk=attempt.pk)
            results.append(services.submit_attempt(attempt=stale).score)
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=answer), threading.Thread(target=submit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert results == [100]
    attempt.refresh_from_db()
    assert (attempt.status, attempt.score, attempt.passed) == ("submitted", 100, True)
