"""Actions that span apps: a submitted quiz attempt becomes a completion.

The dependency runs one way: `lessons` knows nothing of completions, so the
hand-off is an explicit call made here, in the app that depends on `lessons`,
rather than a signal.
"""

from __future__ import annotations

from django.db import transaction

from completion.models import Certificate, Completion
from lessons.models import Attempt


def submit_attempt(*, attempt: Attempt) -> Attempt:
    """Score and close `attempt`; if it passed, record the completion in the
    same transaction. Submitting twice (two tabs, a double click) is harmless:
    the second call finds the attempt already submitted and changes nothing."""
    with transaction.atomic():
        # Lock the row so two concurrent submits are serialised (PostgreSQL;
        # SQLite serialises writers with its IMMEDIATE transactions).
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.submit() and locked.passed:
            completion = Completion.objects.record(attempt=locked)
            # A re-pass after a revoked certificate closes the reopening and
            # earns a new certificate.
            completion.passed_again()
            Certificate.objects.reissue_if_revoked(completion=completion, attempt=locked)
    return locked
