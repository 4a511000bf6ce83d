"""Builders shared by the certificate tests (no tests here).

A small organisation: a province with two cities, a district below one of
them, a module, and people who passed it.
"""

from __future__ import annotations

import datetime
import itertools

from django.contrib.auth import get_user_model
from django.utils import timezone

from cases.models import Case
from completion.models import Completion, Employee, Unit, UnitAdmin
from lessons.models import Attempt, AttemptChoice, AttemptQuestion, AttemptStatus, Module
from tests.factories import make_disclosure

_numbers = itertools.count(1)


def make_unit(code: str, name: str, parent: Unit | None = None) -> Unit:
    number = next(_numbers)
    path = (parent.path if parent else "") + f"{number:04d}/"
    return Unit.objects.create(
        code=code, name=name, parent=parent, path=path, depth=path.count("/") - 1
    )


def make_module(
    slug: str = "design-drawings", title: str = "The engineer who sold his drawings"
) -> Module:
    case = Case.objects.create(
        slug=slug,
        title=title,
        hook="A hook.",
        summary="A summary.",
        lesson="A lesson.",
        disclosure=make_disclosure(),
    )
    return Module.objects.create(
        case=case,
        slug=slug,
        title=title,
        intro="Intro.",
        acknowledgement="I will keep classified drawings inside the secure network.",
    )


def make_person(username: str, name: str | None = None, unit: Unit | None = None):
    user = get_user_model().objects.create_user(username=username, password="pw-for-tests-only")
    if unit is not None:
        Employee.objects.create(
            user=user, unit=unit, employee_number=f"E-{next(_numbers)}", full_name=name or username
        )
    return user


def make_admin(username: str, unit: Unit):
    user = make_person(username)
    UnitAdmin.objects.create(user=user, unit=unit)
    return user


def passed_attempt(user, module: Module, *, score: int = 90, when: datetime.datetime | None = None):
    number = Attempt.objects.filter(user=user, module=module).count() + 1
    return Attempt.objects.create(
        user=user,
        module=module,
        number=number,
        status=AttemptStatus.SUBMITTED,
        pass_mark=80,
        module_title=module.title,
        submitted_at=when or timezone.now(),
        correct_count=9,
        question_count=10,
        score=score,
        passed=True,
    )


def attempt_ready_to_pass(user, module: Module) -> Attempt:
    """An attempt in progress with one question, answered correctly."""
    number = Attempt.objects.filter(user=user, module=module).count() + 1
    attempt = Attempt.objects.create(
        user=user, module=module, number=number, pass_mark=80, module_title=module.title
    )
    question = AttemptQuestion.objects.create(
        attempt=attempt,
        position=1,
        kind="single",
        text="Where do classified drawings stay?",
        explanation="Inside.",
        answered_at=timezone.now(),
    )
    AttemptChoice.objects.create(
        attempt_question=question, position=1, text="Inside", is_correct=True, selected=True
    )
    return attempt


def completed(
    user, module: Module, *, when: datetime.datetime | None = None, **kwargs
) -> Completion:
    return Completion.objects.record(attempt=passed_attempt(user, module, when=when, **kwargs))
