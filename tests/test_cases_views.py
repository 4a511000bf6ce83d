"""The case list and the case story pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from cases.models import Case, Event, LegalProvision, Outcome, Person, Phase, RedFlag, Status
from tests.factories import make_disclosure

pytestmark = pytest.mark.django_db

SLUGS = ["classified-papers-taken-home", "world-cup-gambling-debt", "honey-trap-abroad"]


@pytest.fixture
def employee(demo, client):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="employee")
    client.force_login(user)
    return user


@pytest.fixture
def staff(trainer_factory, client):
    user = trainer_factory("previewer")
    client.force_login(user)
    return user


def make_case(slug: str, events: int, status: str = Status.PUBLISHED) -> Case:
    case = Case.objects.create(
        slug=slug,
        title=slug,
        hook="hook",
        summary="summary",
        lesson="lesson",
        disclosure=make_disclosure(),
        status=status,
    )
    provision = LegalProvision.objects.get_or_create(
        code="test-law-1", defaults={"law": "Test law", "title": "t", "summary": "s"}
    )[0]
    person = Person.objects.create(case=case, label="Zhang", role="official")
    Outcome.objects.create(
        case=case, person=person, kind="criminal", description="d", provision=provision
    )
    for number in range(events):
        event = Event.objects.create(
            case=case, order=number, phase=Phase.BREACH, title=f"step {number}", body="b"
        )
        RedFlag.objects.create(
            case=case,
            event=event,
            sign=f"sign {number}",
            explanation="e",
            correct_behaviour="c",
            rule="r",
            provision=provision,
        )
    return case


def test_it_sends_anonymous_visitors_to_sign_in(demo, client):
    for url in [reverse("cases:list"), reverse("cases:detail", args=[SLUGS[0]])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_it_lists_the_three_cases_with_hook_and_themes(employee, client):
    response = client.get(reverse("cases:list"))
    assert response.status_code == 200
    html = response.content.decode()
    for case in Case.objects.all():
        assert case.title in html
        assert case.hook in html
        assert case.get_absolute_url() in html
    assert "Money, debt and gambling" in html
    assert "4 warning signs" in html


def test_it_filters_the_list_by_theme(employee, client):
    response = client.get(reverse("cases:list"), {"theme": "travel-abroad"})
    titles = [case.title for case in response.context["cases"]]
    assert titles == ["A honey trap abroad"]


def test_it_404s_an_unknown_theme(employee, client):
    assert client.get(reverse("cases:list"), {"theme": "nope"}).status_code == 404


@pytest.mark.parametrize("slug", SLUGS)
def test_it_tells_each_case_as_a_story(employee, client, slug):
    response = client.get(reverse("cases:detail", args=[slug]))
    assert response.status_code == 200
    html = response.content.decode()
    case = Case.objects.get(slug=slug)
    for person in case.people.all():
        assert escape(person.role) in html
    for event in case.events.all():
        assert escape(event.title) in html
    for red_flag in case.red_flags.all():
        # Each red flag sits inside its step, behind a <details> reveal.
        assert f'id="red-flag-{red_flag.pk}"' in html
        assert html.index(f'id="event-{red_flag.event_id}"') < html.index(
            f'id="red-flag-{red_flag.pk}"'
        )
        assert escape(red_flag.sign) in html
    assert "What went wrong here?" in html
    assert "What should have been done" in html
    assert escape("Ministry of State Security of the People's Republic of China (MSS)") in html
    assert "Legal basis" in html


def test_it_explains_the_legal_basis_of_an_outcome(employee, client):
    html = client.get(reverse("cases:detail", args=["honey-trap-abroad"])).content.decode()
    assert escape("Criminal Law of the People's Republic of China, Art. 110") in html
    assert "five years in prison" in html


def test_it_hides_drafts_from_employees(employee, client):
    Case.objects.filter(slug=SLUGS[0]).unpublish()
    assert client.get(reverse("cases:detail", args=[SLUGS[0]])).status_code == 404
    assert "Classified papers taken home" not in client.get(reverse("cases:list")).content.decode()


def test_it_lets_staff_preview_a_draft(demo, staff, client):
    Case.objects.filter(slug=SLUGS[0]).unpublish()
    response = client.get(reverse("cases:detail", args=[SLUGS[0]]))
    assert response.status_code == 200
    assert "Draft: only trainers can see this case." in response.content.decode()
    assert "Draft" in client.get(reverse("cases:list")).content.decode()


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_it_shows_a_story_in_the_same_queries_whatever_its_length(
    user_factory, client, django_assert_num_queries
):
    client.force_login(user_factory())
    short, long = make_case("short", events=3), make_case("long", events=30)
    count_queries(client, short.get_absolute_url())  # warm up caches (content types…)
    # session, user, case, themes, people, events, their red flags,
    # unplaced red flags, outcomes with person and provision, and the
    # navigation's "is this user a unit admin?"
    with django_assert_num_queries(10):
        client.get(short.get_absolute_url())
    with django_assert_num_queries(10):
        client.get(long.get_absolute_url())


def test_it_lists_cases_in_the_same_queries_whatever_their_number(
    user_factory, client, django_assert_num_queries
):
    client.force_login(user_factory())
    make_case("one", events=2)
    few = count_queries(client, reverse("cases:list"))
    for number in range(10):
        make_case(f"more-{number}", events=2)
    # session, user, the navigation's unit-admin check, themes for the filter,
    # cases with red-flag counts, their themes
    with django_assert_num_queries(few):
        response = client.get(reverse("cases:list"))
    assert len(response.context["cases"]) == 11
    assert few == 6


def test_a_text_not_yet_in_chinese_falls_back_to_english_marked_as_english(employee, client):
    case = Case.objects.get(slug=SLUGS[0])
    Case.objects.filter(pk=case.pk).update(summary_zh_hans="")
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    html = client.get(reverse("cases:detail", args=[case.slug])).content.decode()
    # The English summary stands in, inside an element that says it is English.
    first_paragraph = escape(case.summary_en.split("\n")[0])
    assert first_paragraph in html
    assert html.rindex('lang="en"', 0, html.index(first_paragraph)) > html.index("<main")
    # Fields that are translated carry no such mark.
    assert f"<h1>{escape(case.title_zh_hans)}</h1>" in html
