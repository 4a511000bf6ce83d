"""Two submits of one attempt at the same moment (two tabs, a double click)."""

import threading

import pytest
from django.db import connection

from completion import services
from completion.models import Completion
from lessons.models import Attempt
from tests.factories import answer_all, make_module

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
