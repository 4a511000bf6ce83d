"""Small builders for the completion tests: modules, people in units, and
attempts written straight to the database (as a finished quiz leaves them)."""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from cases.models import Case, Status
from completion.models import Completion, Employee, Unit, UnitAdmin
from lessons.models import Attempt, AttemptQuestion, Choice, Module, Question
from tests.factories import make_disclosure

SHANGHAI = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def make_module(slug: str = "module", *, attempt_limit: int = 3, questions: int = 2) -> Module:
    case = Case.objects.create(
        slug=slug,
        title=f"Case {slug}",
        hook="hook",
        summary="summary",
        lesson="lesson",
        disclosure=make_disclosure(),
        status=Status.PUBLISHED,
    )
    module = Module.objects.create(
        case=case,
        slug=slug,
        title=f"Module {slug}",
        intro="intro",
        status=Status.PUBLISHED,
        attempt_limit=attempt_limit,
        questions_per_attempt=questions,
        acknowledgement="I will keep secrets.",
    )
    for order in range(questions):
        question = Question.objects.create(
            module=module,
            order=order,
            kind="single",
            text=f"{slug} question {order + 1}",
            explanation="because",
        )
        Choice.objects.create(question=question, text="right", is_correct=True)
        Choice.objects.create(question=question, text="wrong", is_correct=False)
    return module


def make_unit(parent: Unit | None = None, name: str = "Unit", code: str | None = None) -> Unit:
    return Unit.objects.create_child(parent, code=code or f"U{next(_numbers)}", name=name)


def make_person(unit: Unit, name: str = "张三", username: str | None = None):
    number = next(_numbers)
    user = get_user_model().objects.create_user(
        username=username or f"person{number}", password="pw-for-tests-only", first_name=name
    )
    Employee.objects.create(user=user, unit=unit, employee_number=f"E{number:05d}", full_name=name)
    return user


def make_admin(unit: Unit, username: str | None = None):
    user = make_person(unit, name="管理员", username=username)
    UnitAdmin.objects.create(user=user, unit=unit)
    return user


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def make_attempt(
    user, module: Module, *, score: int | None, at: datetime | None = None, missed: int = 0
) -> Attempt:
    """An attempt: submitted with `score` at `at`, or still open when score is None.
    A passing submission also records the completion, as the hand-off does."""
    number = Attempt.objects.filter(user=user, module=module).count() + 1
    submitted = score is not None
    attempt = Attempt.objects.create(
        user=user,
        module=module,
        number=number,
        status="submitted" if submitted else "in_progress",
        pass_mark=module.pass_mark,
        module_title=module.title,
        submitted_at=at if submitted else None,
        score=score,
        passed=(score >= module.pass_mark) if submitted else None,
        question_count=module.questions_per_attempt,
    )
    if submitted:
        for position, question in enumerate(module.questions.all()):
            AttemptQuestion.objects.create(
                attempt=attempt,
                question=question,
                position=position,
                kind=question.kind,
                text=question.text,
                explanation=question.explanation,
                is_correct=position >= missed,
            )
        if attempt.passed:
            Completion.objects.record(attempt=attempt)
    return attempt


def make_people(unit: Unit, count: int, prefix: str = "bulk") -> list:
    """Many people at once (one password hash, bulk inserts)."""
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"{prefix}{n}", first_name=f"员工{n}", password="!") for n in range(count)]
    )
    Employee.objects.bulk_create(
        [
            Employee(user=user, unit=unit, employee_number=f"{prefix}-{n}", full_name=f"员工{n}")
            for n, user in enumerate(users)
        ]
    )
    return users
