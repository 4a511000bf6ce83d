"""Small, self-made lessons data for the lessons and quiz tests (independent
of the content fixtures), and helpers to answer an attempt deliberately."""

from __future__ import annotations

from cases.models import Case, Event, Phase, RedFlag, Status
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
from tests.factories import make_disclosure


def make_module(
    slug: str = "papers",
    *,
    questions: int = 6,
    draw: int = 4,
    limit: int = 3,
    pass_mark: int = 75,
    status: str = Status.PUBLISHED,
) -> Module:
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
        title=f"Module {slug}",
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


def correct_ids(attempt: Attempt, position: int) -> list[int]:
    question = attempt.questions.get(position=position)
    return list(question.choices.filter(is_correct=True).values_list("pk", flat=True))


def wrong_ids(attempt: Attempt, position: int) -> list[int]:
    question = attempt.questions.get(position=position)
    return list(question.choices.filter(is_correct=False).values_list("pk", flat=True))[:1]


def answer_all(attempt: Attempt, *, right: int) -> None:
    """Answer every question: the first `right` correctly, the rest wrongly."""
    for position in range(1, attempt.question_count + 1):
        ids = correct_ids(attempt, position) if position <= right else wrong_ids(attempt, position)
        attempt.answer(position=position, choice_ids=ids)


def write_in_chinese(module: Module) -> Module:
    """Give every learner-facing text of `module` and its case a Chinese
    version (its English text marked 中文), so it may be published."""
    from modeltranslation.translator import translator

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
