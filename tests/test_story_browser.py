"""Decide first, then learn: on the story, a decision point's red flag, what
should have been done and the rest of the case stay hidden until the person
has chosen — with JavaScript (htmx swaps the story in place) and without it
(a plain form post and a page load)."""

import pytest
from playwright.sync_api import expect

from lessons.models import DecisionResponse, Module
from tests.browser_helpers import no_js_page, sign_in  # noqa: F401 (fixture)
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "classified-papers-taken-home"


@pytest.fixture
def learner(demo, user_factory):
    user = user_factory("learner")
    user.set_password("awareness-demo")
    user.save()
    return user


def first_point_and_after(module: Module):
    point = module.decision_points.select_related("red_flag", "event").order_by("order").first()
    later = module.case.events.filter(order__gt=point.event.order).first()
    return point, later


def check_hidden_then_revealed(page, module: Module, *, shot: str) -> None:
    point, later = first_point_and_after(module)
    page.goto(f"/modules/{SLUG}/story/")
    story = page.locator("#story")
    expect(story.locator(f"#decision-{point.pk} legend")).to_have_text(point.prompt)
    # Before choosing: no red flag of the point, nothing of what came next.
    expect(story).not_to_contain_text(point.red_flag.sign)
    expect(story).not_to_contain_text(point.what_happened.split("\n")[0])
    expect(story.locator(f"#event-{later.pk}")).to_have_count(0)
    expect(story).to_contain_text("The rest of the story follows your decision.")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{shot}-before.png", full_page=True)

    wrong = next(option for option in point.options_for(page_user()) if not option.is_recommended)
    decision = story.locator(f"#decision-{point.pk}")
    decision.get_by_label(wrong.text).check()
    decision.get_by_role("button", name="Decide").click()

    decision = page.locator(f"#decision-{point.pk}")
    expect(decision).to_contain_text("You chose:")
    expect(decision).to_contain_text("Not what the rules ask")
    expect(decision).to_contain_text("What the rules ask, and why")
    expect(decision).to_contain_text(point.red_flag.sign)
    expect(decision).to_contain_text("What actually happened")
    expect(page.locator(f"#event-{later.pk}")).to_be_visible()
    page.screenshot(path=ARTIFACTS / f"{shot}-after.png", full_page=True)
    response = DecisionResponse.objects.get(decision_point=point, user=page_user())
    assert response.option == wrong and not response.was_recommended


def page_user():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="learner")


def test_with_javascript_the_story_goes_on_in_place_after_a_decision(page, learner):
    module = Module.objects.get(slug=SLUG)
    sign_in(page, "learner")
    page.goto(f"/modules/{SLUG}/story/")
    loads = []
    page.on("load", lambda _page: loads.append(1))
    check_hidden_then_revealed(page, module, shot="story-js")
    point, _later = first_point_and_after(module)
    # htmx swapped the story in: no page load, and focus on the decision made.
    assert len(loads) == 1  # the goto inside the check
    expect(page.locator(f"#decision-{point.pk}-title")).to_be_focused()


def test_without_javascript_the_story_goes_on_after_a_page_load(no_js_page, learner):  # noqa: F811
    module = Module.objects.get(slug=SLUG)
    sign_in(no_js_page, "learner")
    check_hidden_then_revealed(no_js_page, module, shot="story-no-js")
    point, _later = first_point_and_after(module)
    assert no_js_page.url.endswith(f"/modules/{SLUG}/story/#decision-{point.pk}")


def test_the_options_come_in_an_order_of_the_persons_own(page, learner, user_factory):
    module = Module.objects.get(slug=SLUG)
    sign_in(page, "learner")
    page.goto(f"/modules/{SLUG}/story/")
    point, _later = first_point_and_after(module)
    shown = page.locator(f"#decision-{point.pk} label.option").all_inner_texts()
    page.reload()
    assert page.locator(f"#decision-{point.pk} label.option").all_inner_texts() == shown
    assert [o.text for o in point.options_for(page_user())] == [text.strip() for text in shown]
    # Across people, the recommended option is not always in the same place.
    places = {
        [o.is_recommended for o in point.options_for(user_factory(f"p{n}"))].index(True)
        for n in range(12)
    }
    assert len(places) > 1
