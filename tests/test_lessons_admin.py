"""The trainer's admin: question validation, publishing rules, statistics, history read-only."""

import random

import pytest
from django.urls import reverse

from cases.models import Status
from lessons.models import Attempt, Module, Question, QuestionKind
from tests.factories import answer_all, make_module, write_in_chinese

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, user_factory):
    client.force_login(user_factory("root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def module():
    return make_module(questions=6, draw=4)


def question_data(module, kind, choices):
    data = {
        "module": module.pk,
        "order": 1,
        "kind": kind,
        "text_en": "New question?",
        "explanation_en": "Because.",
        "is_active": "on",
        "choices-TOTAL_FORMS": len(choices),
        "choices-INITIAL_FORMS": 0,
        "choices-MIN_NUM_FORMS": 0,
        "choices-MAX_NUM_FORMS": 1000,
    }
    for n, (text, correct) in enumerate(choices):
        data[f"choices-{n}-order"] = n
        data[f"choices-{n}-text_en"] = text
        if correct:
            data[f"choices-{n}-is_correct"] = "on"
    return data


@pytest.mark.parametrize(
    "kind,choices,message",
    [
        (QuestionKind.SINGLE, [("a", True), ("b", True)], "exactly one correct choice"),
        (QuestionKind.SINGLE, [("a", False), ("b", False)], "exactly one correct choice"),
        (QuestionKind.SCENARIO, [("a", False), ("b", False)], "exactly one correct choice"),
        (QuestionKind.MULTIPLE, [("a", False), ("b", False)], "at least one correct choice"),
        (QuestionKind.TRUE_FALSE, [("T", True), ("F", False), ("?", False)], "exactly two"),
        (QuestionKind.TRUE_FALSE, [("T", True), ("F", True)], "exactly two"),
    ],
)
def test_it_rejects_choices_that_do_not_fit_the_kind(admin_client, module, kind, choices, message):
    before = Question.objects.count()
    response = admin_client.post(
        reverse("admin:lessons_question_add"), question_data(module, kind, choices)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Question.objects.count() == before


@pytest.mark.parametrize(
    "kind,choices",
    [
        (QuestionKind.SINGLE, [("a", True), ("b", False), ("c", False)]),
        (QuestionKind.MULTIPLE, [("a", True), ("b", True), ("c", False)]),
        (QuestionKind.TRUE_FALSE, [("True", False), ("False", True)]),
    ],
)
def test_it_accepts_well_formed_questions(admin_client, module, kind, choices):
    response = admin_client.post(
        reverse("admin:lessons_question_add"), question_data(module, kind, choices)
    )
    assert response.status_code == 302
    question = Question.objects.get(text="New question?")
    assert question.choices.count() == len(choices)


def module_data(module, **changes):
    data = {
        "case": module.case_id,
        "slug": module.slug,
        "title_en": module.title,
        "intro_en": module.intro,
        "estimated_minutes": 15,
        "status": module.status,
        "order": 0,
        "pass_mark": 80,
        "questions_per_attempt": module.questions_per_attempt,
        "attempt_limit": 3,
        "validity_months": 12,
        "study_hours": "0.5",
        "acknowledgement_en": "I will.",
    }
    for prefix in ("sections", "decision_points"):
        data |= {
            f"{prefix}-TOTAL_FORMS": 0,
            f"{prefix}-INITIAL_FORMS": 0,
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000,
        }
    return data | changes


def test_a_module_cannot_be_published_with_too_few_questions(admin_client):
    module = make_module(questions=3, draw=4, status=Status.DRAFT)
    response = admin_client.post(
        reverse("admin:lessons_module_change", args=[module.pk]),
        module_data(module, status=Status.PUBLISHED),
    )
    assert response.status_code == 200
    assert "has only 3 active questions" in response.content.decode()
    module.refresh_from_db()
    assert module.status == Status.DRAFT


def test_raising_the_draw_of_a_published_module_beyond_its_bank_is_refused(admin_client, module):
    response = admin_client.post(
        reverse("admin:lessons_module_change", args=[module.pk]),
        module_data(module, questions_per_attempt=7),
    )
    assert "draws 7 questions per attempt but has only 6" in response.content.decode()
    module.refresh_from_db()
    assert module.questions_per_attempt == 4


def test_the_publish_action_publishes_only_complete_modules(admin_client):
    ready = write_in_chinese(make_module("ready", questions=4, draw=4, status=Status.DRAFT))
    short = write_in_chinese(make_module("short", questions=2, draw=4, status=Status.DRAFT))
    response = admin_client.post(
        reverse("admin:lessons_module_changelist"),
        {"action": "publish", "_selected_action": [ready.pk, short.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "has only 2 active questions" in page
    assert "1 module(s) published." in page
    assert Module.objects.get(pk=ready.pk).status == Status.PUBLISHED
    assert Module.objects.get(pk=short.pk).status == Status.DRAFT


def test_retiring_a_question_of_a_published_module_below_its_draw_is_refused(admin_client):
    module = make_module(questions=4, draw=4)
    question = module.questions.first()
    data = question_data(module, question.kind, [])
    data |= {"text_en": question.text, "choices-TOTAL_FORMS": 0}
    data |= {"choices-INITIAL_FORMS": 0}
    del data["is_active"]
    response = admin_client.post(reverse("admin:lessons_question_change", args=[question.pk]), data)
    assert "would leave only 3" in response.content.decode()
    question.refresh_from_db()
    assert question.is_active


def test_the_question_list_shows_statistics_from_submitted_attempts(
    admin_client, module, user_factory, django_assert_max_num_queries
):
    for n, right in enumerate([4, 0, 4]):
        attempt = Attempt.objects.start(
            user=user_factory(f"p{n}"), module=module, rng=random.Random(0)
        )
        answer_all(attempt, right=right)
        attempt.submit()
    # An attempt still in progress does not count.
    Attempt.objects.start(user=user_factory("busy"), module=module, rng=random.Random(0))
    asked = Attempt.objects.first().questions.first().question
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("admin:lessons_question_changelist"))
    page = response.content.decode()
    row = page[page.index(asked.text[:40]) :]
    row = row[: row.index("</tr>")]
    assert '<td class="field-times_drawn">3</td>' in row
    assert '<td class="field-facility">67 %</td>' in row
    # Right by those who got everything else right, wrong by the one who did not.
    assert '<td class="field-discrimination">1.00</td>' in row


def test_attempts_are_read_only_in_the_admin(admin_client, module, user_factory):
    attempt = Attempt.objects.start(user=user_factory("p"), module=module)
    assert admin_client.get(reverse("admin:lessons_attempt_add")).status_code == 403
    page = admin_client.get(reverse("admin:lessons_attempt_change", args=[attempt.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert attempt.questions.first().text in page.content.decode()
    response = admin_client.post(reverse("admin:lessons_attempt_delete", args=[attempt.pk]))
    assert response.status_code == 403
    assert Attempt.objects.filter(pk=attempt.pk).exists()


def test_the_module_list_links_to_the_learner_preview(admin_client, module):
    page = admin_client.get(reverse("admin:lessons_module_changelist")).content.decode()
    assert reverse("lessons:preview", args=[module.slug]) in page


def test_a_question_offers_only_the_moments_of_its_own_case(admin_client, module):
    other = make_module("other")
    question = module.questions.first()
    page = admin_client.get(
        reverse("admin:lessons_question_change", args=[question.pk])
    ).content.decode()
    own = module.case.events.first()
    foreign = other.case.events.first()
    assert f'<option value="{own.pk}">' in page
    assert f'<option value="{foreign.pk}">' not in page


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("pass_mark", 0, "greater than or equal to 1"),
        ("pass_mark", 150, "less than or equal to 100"),
        ("pass_mark", 101, "less than or equal to 100"),
        ("questions_per_attempt", 0, "greater than or equal to 1"),
    ],
)
def test_a_pass_mark_or_draw_out_of_range_is_refused(admin_client, module, field, value, message):
    response = admin_client.post(
        reverse("admin:lessons_module_change", args=[module.pk]),
        module_data(module, **{field: value}),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    module.refresh_from_db()
    assert (module.pass_mark, module.questions_per_attempt) == (75, 4)


def test_the_database_refuses_a_pass_mark_out_of_range(module):
    from django.db import IntegrityError, transaction

    for value in (0, 101):
        with pytest.raises(IntegrityError), transaction.atomic():
            Module.objects.filter(pk=module.pk).update(pass_mark=value)
    with pytest.raises(IntegrityError), transaction.atomic():
        Module.objects.filter(pk=module.pk).update(questions_per_attempt=0)
