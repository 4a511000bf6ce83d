"""Issuing, snapshotting, numbering and revoking certificates."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from completion import services
from completion.models import Certificate, Completion, SerialCounter
from lessons.models import Reopening
from tests.factories import (
    attempt_ready_to_pass,
    certified,
    completed,
    make_module,
    make_person,
    make_unit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def module():
    # Thirteen questions a sitting, so that a score of 92% can be earned (12 of 13).
    return make_module(
        "design-drawings", "The engineer who sold his drawings", questions=13, draw=13
    )


@pytest.fixture
def unit():
    return make_unit(None, "Province", code="P")


def test_it_snapshots_what_it_certifies(module, unit, settings):
    settings.ISSUING_ORGANISATION = {
        "en": "Provincial Confidentiality Office",
        "zh-hans": "省保密办",
    }
    person = make_person(unit, "王小明", username="wang")
    completion = completed(person, module, score=92)

    certificate = Certificate.objects.issue_for(completion=completion)

    module.title = "Renamed module"
    module.save()
    person.employee.full_name = "Someone else"
    person.employee.save()
    certificate.refresh_from_db()
    assert certificate.holder_name == "王小明"
    assert certificate.module_title == "The engineer who sold his drawings"
    assert certificate.score == 92
    assert certificate.passed_at == completion.completed_at
    assert certificate.issuing_organisation == "Provincial Confidentiality Office"
    # Both languages are kept as issued; a module without Chinese keeps its English title.
    assert certificate.issuing_organisation_zh_hans == "省保密办"
    assert certificate.module_title_zh_hans == "The engineer who sold his drawings"


def test_it_names_someone_without_a_staff_record_by_account(module):
    named = get_user_model().objects.create_user("li", first_name="Li", last_name="Na")
    bare = get_user_model().objects.create_user("anon")

    assert certified(named, module).holder_name == "Li Na"
    assert certified(bare, module).holder_name == "anon"


def test_it_numbers_serials_per_year_in_sequence(module, unit):
    SerialCounter.objects.create(year=timezone.localtime().year, last=122)
    first = certified(make_person(unit, "a", username="a"), module)
    second = certified(make_person(unit, "b", username="b"), module)

    year = timezone.localtime().year
    assert first.serial == f"AW-{year}-000123"
    assert second.serial == f"AW-{year}-000124"


def test_it_gives_each_certificate_an_unguessable_token(module, unit):
    tokens = {
        certified(make_person(unit, f"p{n}", username=f"p{n}"), module).token for n in range(3)
    }
    assert len(tokens) == 3
    # 16 random bytes, URL-safe base64: 128 bits.
    assert all(len(token) == 22 for token in tokens)


def test_it_issues_once_per_completion(module, unit):
    completion = completed(make_person(unit, "wang", username="wang"), module)

    first = Certificate.objects.issue_for(completion=completion)
    again = Certificate.objects.issue_for(completion=completion)

    assert again == first
    assert Certificate.objects.count() == 1


def test_it_refuses_an_attempt_that_did_not_pass(module, unit):
    completion = completed(make_person(unit, "wang", username="wang"), module)
    completion.attempt.passed = False

    with pytest.raises(ValueError):
        Certificate.objects.issue_for(completion=completion)
    assert not Certificate.objects.exists()


def test_it_acknowledges_once_and_issues_one_certificate(module, unit):
    completion = completed(make_person(unit, "wang", username="wang"), module)

    first = Certificate.objects.acknowledge(completion=completion, text="I will.")
    acknowledged_at = Completion.objects.get(pk=completion.pk).acknowledged_at
    second = Certificate.objects.acknowledge(completion=completion, text="Something else")

    completion.refresh_from_db()
    assert first == second
    assert completion.acknowledged_at == acknowledged_at
    assert completion.acknowledgement_text == "I will."
    assert Certificate.objects.count() == 1


def test_it_revokes_with_reason_and_who(module, unit):
    admin = make_person(None, username="boss")
    certificate = certified(make_person(unit, "wang", username="wang"), module)

    assert certificate.revoke(by=admin, reason="Issued in error") is True
    assert certificate.revoke(by=admin, reason="Again") is False

    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    assert certificate.revoked_by == admin
    assert certificate.revoked_reason == "Issued in error"
    assert not certificate.is_valid


def test_a_second_pass_issues_nothing_new(module, unit):
    person = make_person(unit, "wang", username="wang")
    completion = completed(person, module, when=timezone.now() - datetime.timedelta(days=1))
    Certificate.objects.acknowledge(completion=completion, text="I will.")
    # Reopened without a revocation, so a second pass is possible.
    Reopening.objects.reopen(user=person, module=module, reason="Refresher")

    services.submit_attempt(attempt=attempt_ready_to_pass(person, module))

    assert Certificate.objects.count() == 1


def test_a_re_pass_after_revocation_issues_a_new_certificate(module, unit):
    person = make_person(unit, "wang", username="wang")
    completion = completed(person, module, when=timezone.now() - datetime.timedelta(days=30))
    old = Certificate.objects.acknowledge(completion=completion, text="I will.")
    old.revoke(by=None, reason="Passed by someone else")

    attempt = services.submit_attempt(attempt=attempt_ready_to_pass(person, module))

    new = Certificate.objects.valid().get(completion=completion)
    assert new.serial != old.serial
    assert new.token != old.token
    assert new.passed_at == attempt.submitted_at
    assert new.passed_at.date() > old.passed_at.date()
    assert new.attempt == attempt
    assert Certificate.objects.count() == 2


def test_a_pass_before_acknowledging_issues_nothing(module, unit):
    person = make_person(unit, "wang", username="wang")

    services.submit_attempt(attempt=attempt_ready_to_pass(person, module))

    assert Completion.objects.filter(user=person).exists()
    assert not Certificate.objects.exists()
