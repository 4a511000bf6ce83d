"""Guards around the quiz: drafts are previewed, never taken; an attempt
without questions is neither resumed empty nor submitted."""

import pytest
from django.urls import reverse

from cases.models import Status
from completion.models import Certificate, Completion
from lessons.models import Attempt, AttemptStatus
from tests.factories import make_module

pytestmark = pytest.mark.django_db


def test_a_trainer_previews_a_draft_but_taking_it_records_nothing(client, trainer_factory):
    draft = make_module("draft", status=Status.DRAFT)
    client.force_login(trainer_factory())
    assert client.get(reverse("lessons:preview", args=[draft.slug])).status_code == 200
    page = client.get(reverse("lessons:module", args=[draft.slug])).content.decode()
    assert "Draft: only trainers can see this module" in page
    response = client.post(reverse("lessons:start_quiz", args=[draft.slug]), follow=True)
    assert "This module is a draft: its quiz can be previewed but not taken." in (
        response.content.decode()
    )
    assert not Attempt.objects.exists()
    assert not Completion.objects.exists() and not Certificate.objects.exists()


def test_staff_without_the_content_permission_see_no_draft(client, user_factory):
    draft = make_module("draft", status=Status.DRAFT)
    client.force_login(user_factory("clerk", is_staff=True))
    for name in ("module", "story", "lesson", "preview"):
        assert client.get(reverse(f"lessons:{name}", args=[draft.slug])).status_code == 404
    assert client.post(reverse("lessons:start_quiz", args=[draft.slug])).status_code == 404
    assert client.get(reverse("cases:detail", args=[draft.case.slug])).status_code == 200
    draft.case.status = Status.DRAFT
    draft.case.save()
    assert client.get(reverse("cases:detail", args=[draft.case.slug])).status_code == 404
    assert not Attempt.objects.exists()


def empty_attempt(module, user) -> Attempt:
    """An in-progress attempt holding no questions, as an old demo made them."""
    return Attempt.objects.create(
        user=user, module=module, number=1, pass_mark=module.pass_mark, module_title=module.title
    )


def test_an_attempt_without_questions_cannot_be_submitted(client, user_factory):
    module = make_module("empty")
    user = user_factory("alice")
    attempt = empty_attempt(module, user)
    client.force_login(user)
    response = client.post(reverse("completion:submit_attempt", args=[attempt.pk]), follow=True)
    assert "This attempt has no questions, so it cannot be submitted." in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS and attempt.score is None
    assert module.progress_for(user).used == 1  # nothing else recorded
    assert not Completion.objects.exists()


def test_resuming_an_attempt_without_questions_draws_them(client, user_factory):
    module = make_module("empty")
    user = user_factory("alice")
    attempt = empty_attempt(module, user)
    client.force_login(user)
    response = client.post(reverse("lessons:start_quiz", args=[module.slug]))
    assert response.url == reverse("lessons:question", args=[attempt.pk, 1])
    attempt.refresh_from_db()
    assert attempt.question_count == 4 == attempt.questions.count()
    assert Attempt.objects.count() == 1


def test_the_demo_builds_in_progress_attempts_with_their_questions(demo):
    in_progress = Attempt.objects.filter(status=AttemptStatus.IN_PROGRESS)
    assert in_progress.exists()
    for attempt in in_progress.prefetch_related("questions__choices"):
        assert attempt.questions.count() == attempt.question_count > 0
        assert all(question.choices.count() >= 2 for question in attempt.questions.all())
