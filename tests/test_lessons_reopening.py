"""A revoked certificate reopens the module, so the holder can pass it anew."""

import pytest

from completion.models import Certificate, Completion
from completion.services import submit_attempt
from lessons.models import Attempt, Reopening
from tests.factories import answer_all, make_module

pytestmark = pytest.mark.django_db


def take(user, module, *, right: int) -> Attempt:
    attempt = Attempt.objects.start(user=user, module=module)
    answer_all(attempt, right=right)
    return submit_attempt(attempt=attempt)


def test_it_closes_a_passed_module_until_it_is_reopened(user_factory):
    user, module = user_factory(), make_module(limit=2)
    take(user, module, right=4)
    assert not module.progress_for(user).can_start

    Reopening.objects.reopen(user=user, module=module, reason="Issued by mistake")

    progress = module.progress_for(user)
    assert progress.can_start and not progress.passed
    assert progress.used == 0 and progress.remaining == 2 and progress.total == 1
    assert Attempt.objects.start(user=user, module=module).number == 2


def test_attempts_before_a_reopening_do_not_count_towards_the_limit(user_factory):
    user, module = user_factory(), make_module(limit=2)
    take(user, module, right=0)
    take(user, module, right=4)
    Reopening.objects.reopen(user=user, module=module, reason="Retrain")
    take(user, module, right=0)
    progress = module.progress_for(user)
    assert progress.used == 1 and progress.remaining == 1 and progress.can_start


def test_revoking_a_certificate_lets_the_holder_earn_a_new_one_with_the_new_date(user_factory):
    user, module = user_factory(), make_module()
    first = take(user, module, right=4)
    completion = Completion.objects.get(user=user, module=module)
    old = Certificate.objects.acknowledge(completion=completion, text=module.acknowledgement)

    assert old.revoke(by=None, reason="Name misspelt")
    assert Reopening.objects.filter(user=user, module=module).count() == 1

    second = take(user, module, right=4)
    assert second.number == first.number + 1 and second.passed
    new = Certificate.objects.valid().get(completion=completion)
    assert new.serial != old.serial
    assert new.attempt == second and new.passed_at == second.submitted_at
    # The first pass stays the completion, written once; the old certificate stays revoked.
    completion.refresh_from_db()
    assert completion.attempt == first
    old.refresh_from_db()
    assert old.revoked_at is not None and old.revoked_reason == "Name misspelt"


def test_revoking_twice_reopens_once(user_factory):
    user, module = user_factory(), make_module()
    take(user, module, right=4)
    completion = Completion.objects.get(user=user, module=module)
    certificate = Certificate.objects.acknowledge(completion=completion, text="I will.")
    assert certificate.revoke(by=None, reason="First")
    assert not certificate.revoke(by=None, reason="Second")
    assert Reopening.objects.filter(user=user).count() == 1
