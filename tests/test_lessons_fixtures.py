"""The content fixture: three complete modules that load cleanly, twice."""

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from cases.models import Status
from lessons.models import (
    Attempt,
    DecisionOption,
    DecisionPoint,
    LessonSection,
    Module,
    Question,
    QuestionKind,
)

pytestmark = pytest.mark.django_db

SLUGS = ["classified-papers-taken-home", "world-cup-gambling-debt", "honey-trap-abroad"]
FIXTURES = [
    "fixtures/01_library.json",
    "fixtures/11_classified_papers_taken_home.json",
    "fixtures/12_world_cup_gambling_debt.json",
    "fixtures/13_honey_trap_abroad.json",
]


@pytest.fixture
def content(db):
    call_command("loaddata", *FIXTURES, verbosity=0)


def counts():
    return [
        model.objects.count()
        for model in (Module, LessonSection, DecisionPoint, DecisionOption, Question)
    ]


def test_it_loads_three_published_modules_one_per_case(content):
    modules = Module.objects.select_related("case").order_by("pk")
    assert [m.slug for m in modules] == SLUGS
    for module in modules:
        assert module.pk == module.case.pk
        assert module.slug == module.case.slug
        assert module.status == Status.PUBLISHED
        assert (module.pass_mark, module.questions_per_attempt, module.attempt_limit) == (80, 8, 3)
        assert "I will" in module.acknowledgement
        assert module.publishing_problems() == []


def test_loading_twice_creates_no_duplicates(content):
    before = counts()
    call_command("loaddata", *FIXTURES, verbosity=0)
    assert counts() == before


def test_every_module_has_sections_decisions_and_a_mixed_bank(content):
    for module in Module.objects.all():
        assert 4 <= module.sections.count() <= 6
        assert 2 <= module.decision_points.count() <= 3
        kinds = set(module.questions.values_list("kind", flat=True))
        assert kinds == set(QuestionKind.values)
        assert module.questions.active().count() >= 24


def test_sections_questions_and_decisions_point_into_their_own_case(content):
    for section in LessonSection.objects.select_related("module", "event", "red_flag"):
        assert section.event or section.red_flag
        for moment in (section.event, section.red_flag):
            assert moment is None or moment.case_id == section.module.case_id
    for point in DecisionPoint.objects.select_related("module", "event"):
        assert point.event.case_id == point.module.case_id
        assert point.options.filter(is_recommended=True).count() == 1
    for question in Question.objects.select_related("module", "event", "red_flag"):
        assert question.event or question.red_flag, question.text
        for moment in (question.event, question.red_flag):
            assert moment is None or moment.case_id == question.module.case_id


def test_every_question_has_choices_that_fit_its_kind(content):
    questions = Question.objects.annotate(
        total=Count("choices"), correct=Count("choices", filter=Q(choices__is_correct=True))
    )
    for question in questions:
        assert question.explanation
        if question.kind == QuestionKind.TRUE_FALSE:
            assert (question.total, question.correct) == (2, 1), question.text
        elif question.kind == QuestionKind.MULTIPLE:
            assert question.correct >= 1, question.text
        else:
            assert question.correct == 1, question.text


def test_a_quiz_starts_from_the_fixture_bank(content, user_factory):
    person = user_factory("learner")
    for module in Module.objects.all():
        attempt = Attempt.objects.start(user=person, module=module)
        assert attempt.questions.count() == 8
