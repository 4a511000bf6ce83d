"""The module overview, the story with its decision points, the lesson, the preview."""

import pytest
from django.urls import reverse

from cases.models import Status
from lessons.models import Attempt, DecisionResponse
from tests.factories import answer_all, make_module

pytestmark = pytest.mark.django_db


@pytest.fixture
def module():
    return make_module(questions=6, draw=4, limit=2, pass_mark=75)


@pytest.fixture
def alice(user_factory):
    return user_factory("alice")


def url(name, module):
    return reverse(f"lessons:{name}", args=[module.slug])


@pytest.mark.parametrize("name", ["module", "story", "lesson"])
def test_anonymous_people_are_sent_to_sign_in(client, module, name):
    response = client.get(url(name, module))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", ["module", "story", "lesson", "preview"])
def test_a_draft_module_is_not_found_for_learners(client, alice, name):
    draft = make_module("draft", status=Status.DRAFT)
    client.force_login(alice)
    assert client.get(url(name, draft)).status_code == 404


def test_trainers_can_look_at_a_draft(client, trainer_factory):
    draft = make_module("draft", status=Status.DRAFT)
    client.force_login(trainer_factory())
    page = client.get(url("module", draft)).content.decode()
    assert "Draft: only trainers can see this module" in page


def test_the_overview_shows_the_steps_and_a_start_button(client, module, alice):
    client.force_login(alice)
    page = client.get(url("module", module)).content.decode()
    assert "<strong>intro</strong>" in page
    assert "about 15 minutes" in page
    for step in ("The story", "The lesson", "The quiz"):
        assert step in page
    assert "0 of 2" in page
    assert "Start the quiz" in page
    assert url("start_quiz", module) in page


def test_the_overview_offers_to_resume_an_attempt_in_progress(client, module, alice):
    Attempt.objects.start(user=alice, module=module)
    client.force_login(alice)
    page = client.get(url("module", module)).content.decode()
    assert "Resume the quiz" in page
    assert "1 of 2" in page


def test_the_overview_shows_the_last_result_and_a_retake(client, module, alice):
    attempt = Attempt.objects.start(user=alice, module=module)
    answer_all(attempt, right=1)
    attempt.submit()
    client.force_login(alice)
    page = client.get(url("module", module)).content.decode()
    assert "25%" in page
    assert "Not passed" in page
    assert "Retake the quiz" in page
    assert "You have 1 attempt left" in page


def test_the_overview_says_when_attempts_are_used_up(client, module, alice):
    for _ in range(2):
        attempt = Attempt.objects.start(user=alice, module=module)
        answer_all(attempt, right=0)
        attempt.submit()
    client.force_login(alice)
    page = client.get(url("module", module)).content.decode()
    assert "Failed — attempts used up" in page
    assert "Retake the quiz" not in page
    assert "Start the quiz" not in page


def test_the_overview_of_a_passed_module_says_so(client, module, alice):
    attempt = Attempt.objects.start(user=alice, module=module)
    answer_all(attempt, right=4)
    attempt.submit()
    client.force_login(alice)
    page = client.get(url("module", module)).content.decode()
    assert "You have passed this module." in page
    assert reverse("completion:acknowledge", args=[module.slug]) in page
    assert "Start the quiz" not in page


def test_the_story_stops_at_a_decision_and_goes_on_once_it_is_made(client, module, alice):
    point = module.decision_points.get(order=1)
    client.force_login(alice)
    page = client.get(url("story", module)).content.decode()
    assert "Papers go home" in page
    assert "He took them home." in page  # the event body
    assert "<legend>The meeting ends. What do you do?</legend>" in page
    assert 'type="radio" name="option"' in page
    # Decide first, then learn: the red flag and the rest of the story wait.
    assert "What went wrong here?" not in page
    assert "Papers leave the meeting" not in page
    assert "Demoted" not in page
    assert "What should have been done" not in page

    client.post(url("story", module), {"decision": point.pk, "option": point.options.first().pk})
    page = client.get(url("story", module)).content.decode()
    # The decision comes right after the event it belongs to, then the story goes on.
    assert page.index("Papers go home") < page.index("The meeting ends") < page.index("Demoted")
    assert "Papers leave the meeting" in page  # the point's red flag, in its feedback


def test_each_decision_is_named_by_its_place_in_the_story(client, module, alice):
    # Each decision is a landmark (a labelled section): two with the same
    # name cannot be told apart in a screen reader's list of landmarks.
    first, second = module.decision_points.order_by("order")
    client.force_login(alice)
    page = client.get(url("story", module)).content.decode()
    assert "Your turn: decision 1 of 2" in page
    assert "decision 2 of 2" not in page  # held back until the first is made
    client.post(url("story", module), {"decision": first.pk, "option": first.options.first().pk})
    page = client.get(url("story", module)).content.decode()
    assert page.index("Your turn: decision 1 of 2") < page.index("Your turn: decision 2 of 2")
    assert f'aria-labelledby="decision-{second.pk}-title"' in page

    page = client.get(url("story", module), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "轮到您了：第 2 个抉择，共 2 个" in page


def test_deciding_saves_the_choice_and_reveals_what_happened(client, module, alice):
    point = module.decision_points.get(order=1)
    wrong = point.options.get(is_recommended=False)
    client.force_login(alice)
    response = client.post(url("story", module), {"decision": point.pk, "option": wrong.pk})
    assert response.url == f"{url('story', module)}#decision-{point.pk}"
    response = DecisionResponse.objects.get(user=alice)
    assert (response.option, response.was_recommended) == (wrong, False)
    page = client.get(url("story", module)).content.decode()
    assert "You chose:" in page
    assert "Not what the rules ask" in page
    assert "What actually happened" in page
    # Answered: not asked again.
    assert "<legend>The meeting ends. What do you do?</legend>" not in page


def test_with_htmx_deciding_swaps_just_the_decision(client, module, alice):
    point = module.decision_points.get(order=1)
    right = point.options.get(is_recommended=True)
    client.force_login(alice)
    response = client.post(
        url("story", module),
        {"decision": point.pk, "option": right.pk},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert "The right call" in page
    assert "data-focus-after-swap" in page
    assert DecisionResponse.objects.filter(user=alice, was_recommended=True).count() == 1


def test_deciding_again_keeps_the_first_choice(client, module, alice):
    point = module.decision_points.get(order=1)
    right, wrong = point.options.get(is_recommended=True), point.options.get(is_recommended=False)
    client.force_login(alice)
    client.post(url("story", module), {"decision": point.pk, "option": wrong.pk})
    client.post(url("story", module), {"decision": point.pk, "option": right.pk})
    assert DecisionResponse.objects.get(user=alice).option == wrong


def test_an_option_of_another_decision_is_rejected(client, module, alice):
    first, second = module.decision_points.order_by("order")
    client.force_login(alice)
    response = client.post(
        url("story", module),
        {"decision": second.pk, "option": first.options.first().pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "Choose one of the options." in response.content.decode()
    response = client.post(url("story", module), {"decision": second.pk}, follow=True)
    assert "Choose one of the options." in response.content.decode()
    assert not DecisionResponse.objects.exists()


def test_a_decision_of_another_module_is_not_found(client, module, alice):
    other = make_module("other")
    point = other.decision_points.first()
    client.force_login(alice)
    response = client.post(
        url("story", module), {"decision": point.pk, "option": point.options.first().pk}
    )
    assert response.status_code == 404
    assert not DecisionResponse.objects.exists()


def test_the_story_uses_a_fixed_number_of_queries(
    client, module, alice, django_assert_max_num_queries
):
    client.force_login(alice)
    with django_assert_max_num_queries(9):
        # session, user, module+case, decision points, their options, responses,
        # events, red flags (provisions selected with them)
        client.get(url("story", module))


def test_the_lesson_lists_the_sections_with_their_moment_in_the_case(client, module, alice):
    client.force_login(alice)
    page = client.get(url("lesson", module)).content.decode()
    assert "Return the papers" in page
    assert "From the case" in page
    assert f"{url('story', module)}#event-" in page
    assert "Papers leave the meeting" in page
    assert "12339" in page


def test_the_preview_is_for_trainers_only(client, module, alice, user_factory, trainer_factory):
    client.force_login(alice)
    assert client.get(url("preview", module)).status_code == 404
    client.force_login(user_factory("staff-only", is_staff=True))
    assert client.get(url("preview", module)).status_code == 404
    client.force_login(trainer_factory())
    page = client.get(url("preview", module)).content.decode()
    for question in module.questions.all():
        assert question.text in page
    assert page.count(">Correct<") == 8  # 6 questions: one or two right answers each
    assert not Attempt.objects.exists()


def test_a_malformed_decision_id_is_not_found(client, module, alice):
    client.force_login(alice)
    response = client.post(url("story", module), {"decision": "1 OR 1=1", "option": "1"})
    assert response.status_code == 404
    assert not DecisionResponse.objects.exists()
