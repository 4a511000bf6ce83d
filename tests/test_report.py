"""The unit report: scoping, figures, the filtered table and its query count."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from completion.models import Assignment
from tests.factories import (
    local,
    make_admin,
    make_attempt,
    make_module,
    make_people,
    make_person,
    make_unit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(org):
    """The shared organisation, everyone assigned its module, due yesterday:
    李明 (in 甲局's section) passed, 赵强 (in 甲局) never started, 钱芳 (in
    乙局) scored 50%."""
    module = org["module"]
    yesterday = timezone.localdate() - timedelta(days=1)
    Assignment.objects.assign(module=module, unit=org["province"], due_date=yesterday, by=None)
    li, zhao, qian = (
        make_person(org["section"], "李明"),
        make_person(org["bureau"], "赵强"),
        make_person(org["sibling"], "钱芳"),
    )
    make_attempt(li, module, score=100, at=local(2026, 1, 1, 9))
    make_attempt(qian, module, score=50, at=local(2026, 1, 1, 9))
    org["people"] = {"li": li, "zhao": zhao, "qian": qian}
    return org


def url(target, **query):
    return reverse("completion:unit_report", args=[target.pk]) + (
        f"?{urlencode(query)}" if query else ""
    )


def test_it_sends_a_signed_out_visitor_to_sign_in(client, org):
    response = client.get(url(org["province"]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_it_is_a_404_for_an_employee(client, org):
    client.force_login(org["people"]["li"])
    assert client.get(reverse("completion:report")).status_code == 404
    assert client.get(url(org["section"])).status_code == 404


def test_it_opens_on_the_admins_own_unit(client, org):
    client.force_login(make_admin(org["bureau"]))
    response = client.get(reverse("completion:report"))
    assert response.url == url(org["bureau"])


def test_a_sibling_units_admin_gets_a_404(client, org):
    client.force_login(make_admin(org["sibling"]))
    assert client.get(url(org["bureau"])).status_code == 404
    assert client.get(url(org["section"])).status_code == 404
    assert client.get(url(org["province"])).status_code == 404


def test_a_nested_admin_sees_below_but_not_above(client, org):
    client.force_login(make_admin(org["bureau"]))
    assert client.get(url(org["section"])).status_code == 200
    assert client.get(url(org["province"])).status_code == 404


def test_an_admin_sees_only_their_subtree(client, org):
    client.force_login(make_admin(org["bureau"]))
    html = client.get(url(org["bureau"])).content.decode()
    assert "李明" in html and "赵强" in html
    assert "钱芳" not in html and "乙局" not in html


def test_a_superuser_sees_everything(client, org, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("boss", password="pw-x-tests"))
    html = client.get(url(org["province"])).content.decode()
    assert all(name in html for name in ("李明", "赵强", "钱芳"))


def test_it_rolls_sub_units_up_with_their_figures(client, org, django_user_model):
    client.force_login(make_admin(org["province"]))
    response = client.get(url(org["province"]))
    summary = response.context["summary"]
    figures = {branch.unit.name: branch.total for branch in summary.branches}
    # 甲局 holds 赵强 and, in its section, 李明 (passed); 乙局 holds 钱芳 (failed once).
    assert (figures["甲局"].assigned, figures["甲局"].completed) == (2, 1)
    assert (figures["乙局"].assigned, figures["乙局"].completed) == (1, 0)
    # The admin is directly in the province and assigned too.
    assert figures["省"].assigned == 1
    total = summary.total
    assert (total.assigned, total.completed, total.overdue) == (4, 1, 3)
    assert total.first_attempt_pass_rate == 0.5
    assert total.average_score == 75


def test_it_filters_by_status_sub_unit_and_name(client, org):
    client.force_login(make_admin(org["province"]))

    def names(**query):
        rows = client.get(url(org["province"], **query)).context["page"].object_list
        return sorted(row["full_name"] for row in rows)

    assert names(status="completed") == ["李明"]
    assert names(status="overdue", unit=org["bureau"].pk) == ["赵强"]
    assert names(name="钱") == ["钱芳"]
    assert names(module="papers", status="passed") == ["李明"]


def test_it_ignores_a_sub_unit_from_outside(client, org):
    client.force_login(make_admin(org["bureau"]))
    response = client.get(url(org["bureau"], unit=org["sibling"].pk))
    assert "钱芳" not in response.content.decode()


def test_it_sorts_both_ways(client, org):
    client.force_login(make_admin(org["province"]))
    ascending = client.get(url(org["province"], sort="name")).context["page"].object_list
    descending = client.get(url(org["province"], sort="-name")).context["page"].object_list
    names = [row["full_name"] for row in ascending]
    # By pinyin (guan, li, qian, zhao), not by code point (李 < 管 < 赵 < 钱).
    assert names == ["管理员", "李明", "钱芳", "赵强"]
    assert [row["full_name"] for row in descending] == names[::-1]


def test_it_answers_htmx_with_the_table_alone(client, org):
    client.force_login(make_admin(org["province"]))
    response = client.get(
        url(org["province"], sort="-name"), headers={"HX-Request": "true", "HX-Target": "people"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="people"')
    assert "By module" not in html and "李明" in html


def test_its_sort_and_page_links_work_without_javascript(client, org):
    province = org["province"]
    make_people(province, 60)
    client.force_login(make_admin(province))
    html = client.get(url(province)).content.decode()
    assert 'href="?page=2"' in html
    assert 'href="?sort=-name"' in html
    assert "Page 1 of 2" in html


def test_it_shows_which_questions_people_miss(client, org):
    client.force_login(make_admin(org["province"]))
    response = client.get(url(org["province"], module="papers"))
    misses = response.context["misses"]
    # 钱芳 missed question 1; 李明 missed nothing.
    assert [(m.text, m.answered, m.missed) for m in misses] == [
        ("Question papers 1?", 2, 1),
        ("Question papers 2?", 2, 0),
    ]
    assert "Questions people get wrong" in response.content.decode()


@pytest.mark.parametrize("people", [10, 500])
def test_it_uses_the_same_queries_for_10_and_500_people(client, django_assert_num_queries, people):
    module = make_module("papers")
    province = make_unit(None, "省")
    bureau = make_unit(province, "局")
    users = make_people(bureau, people)
    Assignment.objects.assign(module=module, unit=province, due_date=timezone.localdate(), by=None)
    for user in users[::3]:
        make_attempt(user, module, score=100, at=timezone.now())
    admin = make_admin(province)
    client.force_login(admin)
    # session, user, the unit (access helper), the assigned modules with their
    # unit assignments, the subtree's units, the table's count, the summary,
    # the charts' breakdown and their days, the per-question misses and
    # statistics, the bank's questions (their text in the reader's language), the wrong
    # choices picked (none here, so no bank choices to read), the decision
    # points, their options and the choices made there (grouped), the nav's
    # admin check, the trail of units above, the study hours by sub-unit, the
    # campaigns the filter offers, the page's keys and the page's rows, and
    # (the province being the top unit) the people not placed.
    with django_assert_num_queries(23):
        response = client.get(url(province, module="papers"))
    assert response.context["page"].paginator.count == people + 1


def test_sorting_by_status_puts_what_needs_attention_first(client, org):
    client.force_login(make_admin(org["province"]))
    rows = client.get(url(org["province"], sort="status")).context["page"].object_list
    statuses = [row["training_status"] for row in rows]
    assert statuses[0] == "overdue" and statuses[-1] == "passed"
