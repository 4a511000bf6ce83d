"""Test data made through the app's own creation paths.

Units come from `Unit.objects.create_child`, attempts from
`Attempt.objects.start`, answered with `Attempt.answer` and closed by
`completion.services.submit_attempt` (which records the completion through
`Completion.objects.record`, as the quiz does); certificates from
`Certificate.objects.issue_for`. An attempt dated in the past is made with
the clock moved there (time-machine), so every timestamp on it agrees.
"""

from __future__ import annotations

import contextlib
import datetime
import itertools
import random
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.auth import get_user_model

from cases.models import Case, Disclosure, Event, Phase, RedFlag, Status
from completion.models import Certificate, Completion, Employee, Unit, UnitAdmin
from completion.services import submit_attempt
from lessons.models import (
    Attempt,
    Choice,
    DecisionOption,
    DecisionPoint,
    LessonSection,
    Module,
    Question,
    QuestionKind,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "pw-for-tests-only"
_numbers = itertools.count(1)


def local(*args) -> datetime.datetime:
    """A moment on the wall clock in Shanghai: local(2026, 3, 10, 23, 30)."""
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def make_disclosure() -> Disclosure:
    disclosure, _created = Disclosure.objects.get_or_create(
        publisher="Ministry of State Security",
        title="Three cases",
        published_on=datetime.date(2025, 7, 10),
    )
    return disclosure


# ---------------------------------------------------------------------------
# The organisation


def make_unit(parent: Unit | None = None, name: str = "Unit", code: str | None = None) -> Unit:
    return Unit.objects.create_child(parent, code=code or f"U{next(_numbers)}", name=name)


def make_person(unit: Unit | None, name: str = "张三", username: str | None = None):
    """A user who is an employee of `unit` (a bare user, with no employee
    record, when `unit` is None)."""
    number = next(_numbers)
    user = get_user_model().objects.create_user(
        username=username or f"person{number}", password=PASSWORD, first_name=name
    )
    if unit is not None:
        Employee.objects.create(
            user=user, unit=unit, employee_number=f"E{number:05d}", full_name=name
        )
    return user


def make_admin(unit: Unit, username: str | None = None):
    """An employee of `unit` who administers it (and so the units below it)."""
    user = make_person(unit, name="管理员", username=username)
    UnitAdmin.objects.create(user=user, unit=unit)
    return user


def make_people(unit: Unit, count: int, prefix: str = "bulk") -> list:
    """Many people at once, for the big reports: bulk inserts and no
    password (hashing one per person would dominate the test)."""
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


# ---------------------------------------------------------------------------
# Content


def make_module(
    slug: str = "papers",
    title: str | None = None,
    *,
    questions: int = 6,
    draw: int | None = None,
    limit: int = 3,
    pass_mark: int = 75,
    status: str = Status.PUBLISHED,
) -> Module:
    """A module on a case of its own: two events, a red flag, a lesson
    section, two decision points and a bank of `questions` questions of
    every kind in turn (single, multiple, true/false, scenario), `draw` of
    them per attempt (all of them, up to four, unless given).

    The questions read "Question <slug> <n>?" and the title "Module <slug>"."""
    draw = min(questions, 4) if draw is None else draw
    title = title or f"Module {slug}"
    case = Case.objects.create(
        slug=slug,
        title=f"Case {slug}",
        hook="A hook",
        summary="A summary",
        lesson="What should have been done",
        disclosure=make_disclosure(),
        status=Status.PUBLISHED,
    )
    first = Event.objects.create(
        case=case, order=1, phase=Phase.BREACH, title="Papers go home", body="He took them home."
    )
    second = Event.objects.create(
        case=case, order=2, phase=Phase.OUTCOME, title="Demoted", body="He was demoted."
    )
    flag = RedFlag.objects.create(
        case=case,
        event=first,
        sign="Papers leave the meeting",
        explanation="x",
        correct_behaviour="Return them",
        rule="Return papers",
    )
    module = Module.objects.create(
        case=case,
        slug=slug,
        title=title,
        intro="An **intro**.",
        status=status,
        pass_mark=pass_mark,
        questions_per_attempt=draw,
        attempt_limit=limit,
        acknowledgement="I will return papers.",
    )
    LessonSection.objects.create(
        module=module,
        order=1,
        title="Return the papers",
        body="Always.",
        event=first,
        red_flag=flag,
    )
    point = DecisionPoint.objects.create(
        module=module,
        event=first,
        order=1,
        prompt="The meeting ends. What do you do?",
        what_happened="He took them home.",
    )
    DecisionOption.objects.create(
        decision_point=point, order=1, text="Hand them back", is_recommended=True, feedback="Right."
    )
    DecisionOption.objects.create(
        decision_point=point, order=2, text="Take them home", feedback="Never."
    )
    DecisionPoint.objects.create(
        module=module, event=second, order=2, prompt="Second?", what_happened="Later."
    )
    kinds = [
        QuestionKind.SINGLE,
        QuestionKind.MULTIPLE,
        QuestionKind.TRUE_FALSE,
        QuestionKind.SCENARIO,
    ]
    for n in range(1, questions + 1):
        add_question(module, kinds[(n - 1) % len(kinds)], f"Question {slug} {n}?", order=n)
    return module


def add_question(module: Module, kind: str, text: str, order: int = 0) -> Question:
    question = Question.objects.create(
        module=module, kind=kind, text=text, order=order, explanation=f"Because of {text}"
    )
    if kind == QuestionKind.TRUE_FALSE:
        specs = [("True", True), ("False", False)]
    elif kind == QuestionKind.MULTIPLE:
        specs = [("Right A", True), ("Right B", True), ("Wrong C", False)]
    else:
        specs = [("Right", True), ("Wrong 1", False), ("Wrong 2", False)]
    for n, (label, correct) in enumerate(specs, start=1):
        Choice.objects.create(
            question=question, order=n, text=f"{label} ({text})", is_correct=correct
        )
    return question


def write_in_chinese(module: Module) -> Module:
    """Give every learner-facing text of `module` and its case a Chinese
    version (its English text marked 中文), so it may be published.
    (From main's tests/lessons_helpers.py; it needs lessons.publishing.)"""
    from modeltranslation.translator import translator  # noqa: I001

    from lessons.publishing import learner_facing

    for obj in [module, *learner_facing(module)]:
        fields = translator.get_options_for_model(type(obj)).fields
        changed = []
        for name in fields:
            english = getattr(obj, f"{name}_en")
            if english:
                setattr(obj, f"{name}_zh_hans", f"中文：{english}")
                changed.append(f"{name}_zh_hans")
        if changed:
            type(obj).objects.filter(pk=obj.pk).update(
                **{column: getattr(obj, column) for column in changed}
            )
    return module


# ---------------------------------------------------------------------------
# Attempts, completions, certificates


def correct_ids(attempt: Attempt, position: int) -> list[int]:
    """Every right choice of the attempt's question at `position`."""
    question = attempt.questions.get(position=position)
    return list(question.choices.filter(is_correct=True).values_list("pk", flat=True))


def wrong_ids(attempt: Attempt, position: int) -> list[int]:
    """One wrong choice of the attempt's question at `position`."""
    question = attempt.questions.get(position=position)
    return list(question.choices.filter(is_correct=False).values_list("pk", flat=True))[:1]


def answer_all(attempt: Attempt, *, right: int) -> None:
    """Answer every question: the first `right` correctly, the rest wrongly."""
    for position in range(1, attempt.question_count + 1):
        ids = correct_ids(attempt, position) if position <= right else wrong_ids(attempt, position)
        attempt.answer(position=position, choice_ids=ids)


def right_answers_for(score: int, questions: int) -> int:
    """How many of `questions` to answer rightly to score exactly `score`
    (scores are rounded down, as `Attempt.submit` does)."""
    for right in range(questions + 1):
        if right * 100 // questions == score:
            return right
    raise ValueError(
        f"{questions} questions cannot score {score}%: make the module with a draw that can "
        "(10 for multiples of ten, 13 for 92, 15 for 93)"
    )


def clock_at(moment: datetime.datetime | None):
    """The clock stopped at `moment` (the real clock when None)."""
    return time_machine.travel(moment, tick=False) if moment else contextlib.nullcontext()


def make_attempt(
    user, module: Module, *, score: int | None, at: datetime.datetime | None = None
) -> Attempt:
    """An attempt started through the quiz's own path: still open when
    `score` is None, otherwise answered so that it scores `score` and
    submitted at `at` (now when None), which records the completion of a
    pass. The questions answered wrongly are those first in the bank, so a
    report of missed questions is the same whatever the draw."""
    with clock_at(at):
        attempt = Attempt.objects.start(user=user, module=module, rng=random.Random(0))
        if score is None:
            return attempt
        wrong = attempt.question_count - right_answers_for(score, attempt.question_count)
        in_bank_order = attempt.questions.order_by("question__order", "question__pk")
        for n, question in enumerate(in_bank_order):
            pick = wrong_ids if n < wrong else correct_ids
            attempt.answer(position=question.position, choice_ids=pick(attempt, question.position))
        return submit_attempt(attempt=attempt)


def attempt_ready_to_pass(user, module: Module) -> Attempt:
    """An attempt in progress with every question answered correctly: the
    next submit passes it."""
    attempt = Attempt.objects.start(user=user, module=module, rng=random.Random(0))
    answer_all(attempt, right=attempt.question_count)
    return attempt


def completed(
    user, module: Module, *, when: datetime.datetime | None = None, score: int = 100
) -> Completion:
    """The completion of `module` by `user`: a passing attempt scoring
    `score`, submitted at `when` (now when None)."""
    attempt = make_attempt(user, module, score=score, at=when)
    assert attempt.passed, (
        f"a score of {score}% does not pass {module} (pass mark {module.pass_mark})"
    )
    return Completion.objects.get(user=user, module=module, superseded_at__isnull=True)


def certified(
    user, module: Module, *, when: datetime.datetime | None = None, score: int = 100
) -> Certificate:
    """`completed`, and the certificate issued for it."""
    return Certificate.objects.issue_for(completion=completed(user, module, when=when, score=score))
