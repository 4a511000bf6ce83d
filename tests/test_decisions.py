"""What people would do: the choices made at a module's decision points, on
the module's report, for groups of at least five people only; and the wrong
answer chosen most often beside each question's miss rate."""

from urllib.parse import urlencode

import pytest
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from completion.decisions import MIN_GROUP, Group, suppress
from completion.models import Assignment
from lessons.models import AttemptChoice, DecisionResponse
from tests.factories import make_admin, make_attempt, make_people, make_person

pytestmark = pytest.mark.django_db


def choose(users, point, text):
    option = point.options.get(text=text)
    for user in users:
        point.respond(user=user, option_id=option.pk)


@pytest.fixture
def org(org):
    """The module assigned to the province; at its first decision point
    ("The meeting ends…"): 7 people of 甲局's section, 4 taking the papers
    home; 6 of 乙局, 1 taking them home; 2 in the province directly, both
    taking them home."""
    module = org["module"]
    Assignment.objects.assign(
        module=module, unit=org["province"], due_date=timezone.localdate(), by=None
    )
    point = module.decision_points.get(order=1)
    section = make_people(org["section"], 7, prefix="sec")
    sibling = make_people(org["sibling"], 6, prefix="sib")
    direct = make_people(org["province"], 2, prefix="top")
    choose(section[:4] + sibling[:1] + direct, point, "Take them home")
    choose(section[4:] + sibling[1:], point, "Hand them back")
    org["point"] = point
    return org


def url(unit, **query):
    return reverse("completion:unit_report", args=[unit.pk]) + f"?{urlencode(query)}"


def sql_shares(unit_path):
    """The same figures straight from the responses: option text → people."""
    rows = (
        DecisionResponse.objects.filter(user__employee__unit__path__startswith=unit_path)
        .filter(decision_point__order=1)
        .values("option_text")
        .annotate(n=Count("pk"))
    )
    return {row["option_text"]: row["n"] for row in rows}


def test_it_shows_what_the_units_people_chose_wrong_choices_first(client, org):
    client.force_login(make_admin(org["province"]))
    response = client.get(url(org["province"], module="papers"))
    first = response.context["decisions"][0]
    counts = sql_shares(org["province"].path)
    assert counts == {"Take them home": 7, "Hand them back": 8}
    assert first.total.people == 15
    # The wrong option comes first, the recommended one after.
    assert [(o.text, o.recommended, o.chosen) for o in first.options] == [
        ("Take them home", False, 7),
        ("Hand them back", True, 8),
    ]
    html = response.content.decode()
    assert "What people would do" in html
    assert "15 people answered." in html and "47% chose a wrong option." in html
    assert html.index("Take them home") < html.index("Hand them back")
    assert "Recommended" in html


def test_it_shows_no_group_of_fewer_than_five(client, org):
    client.force_login(make_admin(org["province"]))
    first = client.get(url(org["province"], module="papers")).context["decisions"][0]
    rows = {group.unit.name: (group.people, shares) for group, shares in first.rows()}
    # 甲局 (its section's 7): 4 of 7 took the papers home, as SQL counts it.
    section = sql_shares(org["bureau"].path)
    assert rows["甲局"] == (7, [section["Take them home"] / 7, section["Hand them back"] / 7])
    # The 2 directly in the province are hidden; and since the total less
    # 甲局 would then give them away, 乙局 (the smallest shown) is hidden too.
    assert rows["省"] == (2, None)
    assert rows["乙局"] == (6, None)


def test_a_small_unit_sees_no_shares_at_all(client, org):
    # 乙局 has 6: shown. Its 1 wrong answer alone is never a row.
    client.force_login(make_admin(org["sibling"]))
    response = client.get(url(org["sibling"], module="papers"))
    first = response.context["decisions"][0]
    assert first.total.people == 6 and not first.total.hidden
    assert [o.chosen for o in first.options] == [1, 5]
    # Fewer than five answered the second point: nothing is shown.
    point = org["module"].decision_points.get(order=2)
    assert response.context["decisions"][1].point == point
    assert response.context["decisions"][1].total.hidden
    assert "No one in this unit has answered yet." in response.content.decode()


def test_fewer_than_five_in_the_whole_unit_shows_only_that(client, org):
    people = [make_person(org["bureau"], f"人{n}") for n in range(3)]
    point = org["module"].decision_points.get(order=2)
    point.options.create(text="Report it", is_recommended=True, feedback="Yes")
    point.options.create(text="Keep quiet", feedback="No")
    choose(people, point, "Keep quiet")
    client.force_login(make_admin(org["province"]))
    response = client.get(url(org["province"], module="papers"))
    second = response.context["decisions"][1]
    assert second.total.people == 3 and second.total.hidden
    html = response.content.decode()
    assert "Fewer than 5 people have answered: not shown." in html
    assert "Keep quiet" not in html


def test_an_admin_counts_only_their_own_subtree(client, org):
    client.force_login(make_admin(org["bureau"]))
    first = client.get(url(org["bureau"], module="papers")).context["decisions"][0]
    assert first.total.people == 7
    assert client.get(url(org["sibling"], module="papers")).status_code == 404


@pytest.mark.parametrize(
    "sizes, hidden",
    [
        ([7, 6, 2], [False, True, True]),  # one small group: the next smallest goes with it
        ([7, 6, 3, 2], [False, False, True, True]),  # two small ones, 5 together: enough
        ([7, 6, 0], [False, False, True]),  # nobody in a group gives nothing away
        ([3, 1], [True, True]),
    ],
)
def test_suppression_never_lets_a_small_group_be_worked_out(org, sizes, hidden):
    groups = [Group(unit=org["province"], people=n) for n in sizes]
    suppress(groups, whole_hidden=False)
    assert [group.hidden for group in groups] == hidden
    hidden_people = sum(g.people for g in groups if g.hidden)
    assert hidden_people == 0 or hidden_people >= MIN_GROUP or all(hidden)


def test_it_shows_the_wrong_answer_chosen_most(client, org):
    people = [make_person(org["bureau"], f"答{n}") for n in range(5)]
    for user in people[:4]:
        make_attempt(user, org["module"], score=50)
    client.force_login(make_admin(org["province"]))
    # Fewer than 5 answered: the wrong answer is not shown.
    missed = client.get(url(org["province"], module="papers")).context["misses"][0]
    assert (missed.wrong_choice, missed.wrong_picks) == ("", 0)
    make_attempt(people[4], org["module"], score=50)
    response = client.get(url(org["province"], module="papers"))
    missed = response.context["misses"][0]
    expected = (
        AttemptChoice.objects.filter(selected=True, is_correct=False)
        .values("text")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    assert (missed.wrong_choice, missed.wrong_picks) == (expected["text"], expected["n"])
    assert missed.wrong_picks == 5
    html = response.content.decode()
    assert expected["text"] in html and "picked 5 times" in html


def test_the_summary_links_to_each_modules_misses(client, org):
    client.force_login(make_admin(org["province"]))
    html = client.get(reverse("completion:unit_report", args=[org["province"].pk])).content
    assert b'href="?module=papers#misses-heading"' in html


def test_it_reads_in_chinese(client, org):
    client.force_login(make_admin(org["province"]))
    html = client.get(url(org["province"], module="papers"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = html.content.decode()
    assert "人们会怎么做" in text and "人作答" in text and "不足5人" in text


@pytest.mark.parametrize("people", [10, 60])
def test_its_queries_do_not_grow_with_people(client, org, people, django_assert_num_queries):
    point = org["point"]
    choose(make_people(org["bureau"], people, prefix="more"), point, "Hand them back")
    client.force_login(make_admin(org["province"]))
    # As the module's report before (16, less the bank's questions: no quiz
    # was taken), plus the decision points, their options and the responses
    # grouped (3), the wrong choices picked (1), the campaigns the report's
    # filter offers (1) and the study hours by sub-unit (1).
    with django_assert_num_queries(22):
        response = client.get(url(org["province"], module="papers"))
    assert response.context["decisions"][0].total.people == 15 + people
