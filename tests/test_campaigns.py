"""Campaigns: launched from the unit admin's pages (the campaign and its
assignments, all or nothing), their page ranking the target units by
completion rate, ending one early, and the report filtered by one."""

import csv
import io
import re
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from completion import campaigns
from completion.models import Assignment, Campaign, Completion, DueDateChange, Employee
from completion.models.assignments import AssignmentQuerySet
from tests.factories import (
    completed,
    local,
    make_admin,
    make_module,
    make_people,
    make_person,
    make_unit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(org):
    """The shared organisation with an admin of the province and people:
    three in 甲局 (one of them in its 保密处) and two in 乙局; and a second
    module, "usb"."""
    org["admin"] = make_admin(org["province"])
    org["usb"] = make_module("usb", questions=2)
    org["b1_people"] = [
        make_person(org["bureau"], "赵一"),
        make_person(org["bureau"], "钱二"),
        make_person(org["section"], "孙三"),
    ]
    org["b2_people"] = [make_person(org["sibling"], "李四"), make_person(org["sibling"], "周五")]
    return org


def days(n: int) -> str:
    return (timezone.localdate() + timedelta(days=n)).isoformat()


def form_data(org, **changes) -> dict:
    data = {
        "name": "2027年全民国家安全教育日",
        "starts_on": days(0),
        "ends_on": days(30),
        "modules": [org["module"].pk, org["usb"].pk],
        "target_units": [org["bureau"].pk, org["sibling"].pk],
        "due": "fixed",
        "due_date": days(20),
        "days_allowed": "30",
    }
    return {key: value for key, value in {**data, **changes}.items() if value is not None}


def create(client, org, unit=None, **changes):
    client.force_login(org["admin"])
    url = reverse("completion:campaign_new", args=[(unit or org["province"]).pk])
    return client.post(url, form_data(org, **changes), follow=True)


def campaign_url(campaign) -> str:
    return reverse("completion:campaign", args=[campaign.pk])


def launch(org, targets, modules=None, **dates):
    """A campaign made directly (dates the form would refuse, e.g. past ones)."""
    today = timezone.localdate()
    return campaigns.launch(
        unit=org["province"],
        name="Campaign",
        starts_on=dates.get("starts_on", today),
        ends_on=dates.get("ends_on", today + timedelta(days=30)),
        modules=modules or [org["module"]],
        targets=targets,
        due_date=dates.get("due_date", today + timedelta(days=20)),
        days_allowed=30,
        by=org["admin"],
    ).campaign


# --- Creating ---------------------------------------------------------------


def test_a_campaign_created_through_the_page_assigns_its_modules(client, org):
    response = create(client, org)
    campaign = Campaign.objects.get()
    assert response.redirect_chain[-1][0] == campaign_url(campaign)
    assignments = Assignment.objects.filter(campaign=campaign)
    assert {(a.module.slug, a.unit.code) for a in assignments} == {
        ("papers", "B1"),
        ("papers", "B2"),
        ("usb", "B1"),
        ("usb", "B2"),
    }
    assert {a.due_date for a in assignments} == {timezone.localdate() + timedelta(days=20)}
    assert campaign.created_by == org["admin"] and campaign.unit == org["province"]
    assert "Campaign created: 2 modules assigned to 5 people." in response.content.decode()


def test_a_relative_due_date_gives_each_person_days(client, org):
    create(client, org, due="relative", due_date=None, days_allowed="10")
    assignment = Assignment.objects.filter(campaign__isnull=False).first()
    assert assignment.due_date is None and assignment.days_allowed == 10
    assert Campaign.objects.get().due_date is None


def test_an_existing_assignment_keeps_its_provenance_and_records_the_new_date(client, org):
    before = Assignment.objects.create(
        module=org["module"], unit=org["bureau"], due_date=timezone.localdate()
    )
    response = create(client, org)
    before.refresh_from_db()
    assert before.campaign is None
    assert before.due_date == timezone.localdate() + timedelta(days=20)
    assert DueDateChange.objects.filter(assignment=before).count() == 1
    html = response.content.decode()
    assert "3 of them already had one of these modules." in html
    assert "1 assignment already existed" in html


def test_the_form_lists_the_subtree_indented(client, org):
    client.force_login(org["admin"])
    response = client.get(reverse("completion:campaign_new", args=[org["province"].pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "\u3000\u3000保密处" in html and "\u3000甲局" in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the campaign&#x27;s name."),
        ({"ends_on": days(-1)}, "ends_on", "The end date is before the start date."),
        (
            {"starts_on": days(-5), "ends_on": days(-1)},
            "ends_on",
            "The end date is in the past: the campaign would be over.",
        ),
        ({"modules": None}, "modules", "Choose at least one module."),
        ({"target_units": None}, "target_units", "Choose at least one unit."),
        ({"due_date": days(-1)}, "due_date", "The due date is in the past."),
        ({"due_date": ""}, "due_date", "Enter the due date."),
        (
            {"starts_on": days(5), "due_date": days(2)},
            "due_date",
            "The due date is before the campaign starts.",
        ),
        (
            {"target_units": ["B1", "B1-S"]},
            "target_units",
            "保密处 is part of 甲局, which is chosen too: choose one or the other.",
        ),
    ],
)
def test_it_says_what_is_wrong(client, org, changes, field, message):
    if changes.get("target_units"):
        by_code = {"B1": org["bureau"].pk, "B1-S": org["section"].pk}
        changes["target_units"] = [by_code[code] for code in changes["target_units"]]
    response = create(client, org, **changes)
    html = response.content.decode()
    assert response.status_code == 400
    summary = re.search(r'<div class="error-summary.*?</div>', html, re.S).group(0)
    assert message in summary
    assert f'href="#id_{field}' in summary
    assert not Campaign.objects.exists() and not Assignment.objects.exists()


def test_a_unit_outside_the_subtree_cannot_be_targeted(client, org):
    org["admin"] = make_admin(org["bureau"])
    response = create(client, org, unit=org["bureau"], target_units=[org["sibling"].pk])
    assert response.status_code == 400
    assert "Choose only units of your own unit or below it." in response.content.decode()
    assert not Campaign.objects.exists()


def test_an_error_half_way_leaves_no_campaign_and_no_assignment(client, org, monkeypatch):
    real_assign = AssignmentQuerySet.assign
    calls = []

    def failing_assign(self, **kwargs):
        calls.append(kwargs)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return real_assign(self, **kwargs)

    monkeypatch.setattr(AssignmentQuerySet, "assign", failing_assign)
    with pytest.raises(RuntimeError):
        create(client, org)
    assert len(calls) == 3
    assert not Campaign.objects.exists() and not Assignment.objects.exists()


# --- Who may see what -------------------------------------------------------


def test_a_signed_out_visitor_is_sent_to_sign_in(client, org):
    campaign = launch(org, [org["bureau"]])
    response = client.get(campaign_url(campaign))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("who", ["employee", "other_admin", "target_admin"])
def test_only_admins_of_the_campaigns_unit_or_above_reach_it(client, org, who):
    campaign = launch(org, [org["bureau"], org["sibling"]])
    user = {
        "employee": lambda: org["b1_people"][0],
        "other_admin": lambda: make_admin(make_unit(None, "外省")),
        "target_admin": lambda: make_admin(org["bureau"]),
    }[who]()
    client.force_login(user)
    assert client.get(campaign_url(campaign)).status_code == 404
    end = reverse("completion:campaign_end", args=[campaign.pk])
    assert client.post(end).status_code == 404
    campaign.refresh_from_db()
    assert campaign.ended_at is None


def test_another_units_admin_cannot_list_or_create(client, org):
    client.force_login(make_admin(org["sibling"]))
    assert client.get(reverse("completion:campaigns", args=[org["bureau"].pk])).status_code == 404
    url = reverse("completion:campaign_new", args=[org["bureau"].pk])
    assert client.post(url, form_data(org)).status_code == 404
    assert not Campaign.objects.exists()


def test_the_list_shows_the_campaigns_that_concern_the_unit(client, org):
    mine = launch(org, [org["bureau"]])
    elsewhere = launch(org, [org["sibling"]])
    client.force_login(org["admin"])
    report = client.get(reverse("completion:unit_report", args=[org["bureau"].pk]))
    assert reverse("completion:campaigns", args=[org["bureau"].pk]) in report.content.decode()
    html = client.get(reverse("completion:campaigns", args=[org["section"].pk])).content.decode()
    assert campaign_url(mine) in html and campaign_url(elsewhere) not in html
    assert "Running" in html


def test_a_campaign_over_the_units_above_concerns_the_units_below(client, org):
    whole = launch(org, [org["province"]])
    client.force_login(org["admin"])
    html = client.get(reverse("completion:campaigns", args=[org["section"].pk])).content.decode()
    assert campaign_url(whole) in html
    report = client.get(reverse("completion:unit_report", args=[org["section"].pk]))
    assert [str(pk) for pk in report.context["form"].campaigns] == [str(whole.pk)]


# --- The ranking ------------------------------------------------------------


def test_the_ranking_matches_an_independent_count(client, org):
    campaign = launch(org, [org["bureau"], org["sibling"]], modules=[org["module"], org["usb"]])
    for user in org["b1_people"][:2]:
        completed(user, org["module"])
    completed(org["b1_people"][2], org["usb"])
    completed(org["b2_people"][0], org["module"])
    client.force_login(org["admin"])
    standings = client.get(campaign_url(campaign)).context["standings"]

    def count(unit):
        people = Employee.objects.filter(unit__path__startswith=unit.path)
        done = Completion.objects.filter(
            user__employee__in=people, module__in=[org["module"], org["usb"]]
        )
        return people.count() * 2, done.count()

    figures = {row.unit.code: (row.rank, row.assigned, row.completed) for row in standings.units}
    assert figures == {"B1": (1, *count(org["bureau"])), "B2": (2, *count(org["sibling"]))}
    assert figures["B1"][1:] == (6, 3) and figures["B2"][1:] == (4, 1)
    assert [row.unit.code for row in standings.units] == ["B1", "B2"]
    assert (standings.total.assigned, standings.total.completed) == (10, 4)


def test_equal_rates_share_a_rank_and_the_next_rank_skips(client, org):
    third = make_unit(org["province"], "丙局", code="B3")
    third_people = [make_person(third, "吴六"), make_person(third, "郑七")]
    campaign = launch(org, [org["section"], org["sibling"], third])
    completed(org["b2_people"][0], org["module"])
    completed(third_people[0], org["module"])
    client.force_login(org["admin"])
    response = client.get(campaign_url(campaign))
    units = response.context["standings"].units
    # 乙局 and 丙局 half done, 保密处 (one person) not at all.
    assert [(row.unit.code, row.rank) for row in units] == [("B3", 1), ("B2", 1), ("B1-S", 3)]
    ranks = re.findall(r'<td class="num rank">(.*?)</td>', response.content.decode())
    assert ranks == ["1", "1", "3"]


def test_an_ended_campaign_counts_only_completions_up_to_its_end(client, org):
    with time_machine.travel(local(2026, 4, 1, 9, 0), tick=False):
        module = make_module("day", questions=2)
        admin = make_admin(org["province"])
        unit = make_unit(org["province"], "丁局", code="B4")
        on_time, late = make_person(unit, "王八"), make_person(unit, "冯九")
        campaign = campaigns.launch(
            unit=org["province"],
            name="2026年全民国家安全教育日",
            starts_on=date(2026, 4, 1),
            ends_on=date(2026, 4, 15),
            modules=[module],
            targets=[unit],
            due_date=date(2026, 4, 15),
            days_allowed=30,
            by=admin,
        ).campaign
    completed(on_time, module, when=local(2026, 4, 15, 23, 30))
    completed(late, module, when=local(2026, 4, 16, 0, 30))
    with time_machine.travel(local(2026, 4, 20, 9, 0), tick=False):
        client.force_login(admin)
        response = client.get(campaign_url(campaign))
    (row,) = response.context["standings"].units
    assert (row.assigned, row.completed, row.overdue) == (2, 1, 1)
    assert "The figures are those at the close" in response.content.decode()


def test_ending_early_keeps_the_assignments_and_the_history(client, org):
    campaign = launch(org, [org["bureau"], org["sibling"]])
    assigned = list(Assignment.objects.filter(campaign=campaign).values_list("pk", flat=True))
    client.force_login(org["admin"])
    end = reverse("completion:campaign_end", args=[campaign.pk])
    confirm = client.get(end)
    assert confirm.status_code == 200 and "Nothing is deleted" in confirm.content.decode()
    response = client.post(end, follow=True)
    campaign.refresh_from_db()
    assert campaign.ended_at is not None and campaign.ended_by == org["admin"]
    assert list(Assignment.objects.filter(campaign=campaign).values_list("pk", flat=True)) == (
        assigned
    )
    assert campaign.history.count() == 2
    html = response.content.decode()
    assert f"Ended early on {date_format(timezone.localdate(), 'DATE_FORMAT')}" in html
    assert "End campaign early" not in html
    # Ended, it cannot be ended again.
    assert client.post(end).status_code == 302
    assert Campaign.objects.get().ended_at == campaign.ended_at


def test_a_completion_after_ending_early_does_not_count(client, org):
    campaign = launch(org, [org["sibling"]])
    Employee.objects.update(unit_since=timezone.localdate() - timedelta(days=10))
    with time_machine.travel(timezone.now() - timedelta(days=2), tick=False):
        # Ended two days ago (the campaign's figures stop at that day's end).
        campaign.end_early(by=org["admin"])
    completed(org["b2_people"][0], org["module"])
    client.force_login(org["admin"])
    (row,) = client.get(campaign_url(campaign)).context["standings"].units
    assert (row.assigned, row.completed) == (2, 0)


# --- The report, filtered by a campaign ----------------------------------


def test_the_report_filters_by_campaign_and_so_does_its_export(client, org):
    Assignment.objects.assign(
        module=org["usb"], unit=org["province"], due_date=timezone.localdate(), by=None
    )
    campaign = launch(org, [org["sibling"]], modules=[org["module"]])
    client.force_login(org["admin"])
    report = reverse("completion:unit_report", args=[org["province"].pk])
    response = client.get(report, {"campaign": campaign.pk})
    rows = response.context["page"].object_list
    assert {(row["full_name"], row["module_title"]) for row in rows} == {
        ("李四", "Module papers"),
        ("周五", "Module papers"),
    }
    assert f'<option value="{campaign.pk}" selected>Campaign</option>' in response.content.decode()
    export = client.get(
        reverse("completion:report_csv", args=[org["province"].pk]), {"campaign": campaign.pk}
    )
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    names = sorted(row[0].lstrip("'") for row in list(csv.reader(io.StringIO(text)))[1:])
    assert names == ["周五", "李四"]
    # Unfiltered, the province-wide module is there for everyone.
    assert client.get(report).context["page"].paginator.count == 5 + 1 + 2


def test_an_export_written_in_the_background_keeps_the_campaign_filter(
    client, org, monkeypatch, media_root, immediate_tasks
):
    from openpyxl import load_workbook

    from completion import exports
    from completion.models import ExportJob

    monkeypatch.setattr(exports, "DIRECT_XLSX_ROWS", 0)  # every Excel export is large
    Assignment.objects.assign(
        module=org["usb"], unit=org["province"], due_date=timezone.localdate(), by=None
    )
    campaign = launch(org, [org["sibling"]], modules=[org["module"]])
    client.force_login(org["admin"])
    url = reverse("completion:report_xlsx", args=[org["province"].pk])
    client.post(f"{url}?campaign={campaign.pk}")
    job = ExportJob.objects.get()
    assert job.filters == {"campaign": str(campaign.pk)}
    sheet = load_workbook(job.file.open("rb")).active
    names = sorted(row[0].value.lstrip("'") for row in list(sheet.iter_rows())[1:] if row[0].value)
    assert names == ["周五", "李四"]


def test_a_campaign_from_elsewhere_does_not_apply_to_a_report(client, org):
    campaign = launch(org, [org["sibling"]])
    client.force_login(org["admin"])
    report = reverse("completion:unit_report", args=[org["bureau"].pk])
    assert client.get(report, {"campaign": campaign.pk}).status_code == 400


# --- Queries ----------------------------------------------------------------


@pytest.mark.parametrize("people", [10, 200])
def test_the_campaign_page_costs_the_same_queries_for_10_and_200_people(
    client, org, django_assert_num_queries, people
):
    users = make_people(org["bureau"], people // 2, prefix="b1")
    users += make_people(org["sibling"], people - people // 2, prefix="b2")
    campaign = launch(org, [org["bureau"], org["sibling"]], modules=[org["module"], org["usb"]])
    for user in users[::4]:
        completed(user, org["module"])
    client.force_login(org["admin"])
    # Session, user, the campaign with its unit (the access helper), its
    # target units, its modules and their unit assignments, the figures of
    # every target and module (one GROUP BY over a UNION ALL) and the nav's
    # admin check.
    with django_assert_num_queries(8):
        response = client.get(campaign_url(campaign))
    assert response.context["standings"].total.assigned == (people + 5) * 2


@pytest.mark.parametrize("people", [10, 100])
def test_creating_costs_the_same_queries_for_10_and_100_people(
    client, org, django_assert_num_queries, people
):
    make_people(org["sibling"], people)
    client.force_login(org["admin"])
    url = reverse("completion:campaign_new", args=[org["province"].pk])
    data = form_data(org)
    # Session, user, the unit (access helper), the modules and target units
    # the form checks (5); the transaction's savepoint, the people reached
    # and those already assigned (one COUNT), the campaign and its history
    # row, its modules and targets (a read and a write each) (8); for each of
    # the 2 × 2 assignments a savepoint, its locked read, a savepoint, the
    # insert, its history row and the two releases (7 × 4); the release (1).
    # More modules or targets cost more; more people cost nothing.
    with django_assert_num_queries(42):
        client.post(url, data)


@pytest.mark.parametrize("count", [1, 5])
def test_the_list_costs_the_same_queries_for_1_and_5_campaigns(
    client, org, django_assert_num_queries, count
):
    for _n in range(count):
        launch(org, [org["sibling"]])
    client.force_login(org["admin"])
    # Session, user, the unit (access helper), the campaigns with their
    # units, the nav's admin check.
    with django_assert_num_queries(5):
        response = client.get(reverse("completion:campaigns", args=[org["sibling"].pk]))
    assert len(response.context["rows"]) == count


def test_the_campaign_pages_are_valid_html(client, org, tmp_path):
    from tests.test_html_validity import JAVA, validate

    if JAVA is None:
        pytest.skip("java is not installed")
    campaign = launch(org, [org["bureau"], org["sibling"]])
    completed(org["b2_people"][0], org["module"])
    client.force_login(org["admin"])
    pages = {
        "list": client.get(reverse("completion:campaigns", args=[org["province"].pk])),
        "form": create(client, org, name="", target_units=None),
        "campaign": client.get(campaign_url(campaign)),
        "end": client.get(reverse("completion:campaign_end", args=[campaign.pk])),
    }
    files = []
    for label, response in pages.items():
        files.append(tmp_path / f"{label}.html")
        files[-1].write_text(response.content.decode())
    assert validate(files) == []


def test_the_admin_reads_campaigns_and_never_deletes_one(client, org, user_factory):
    campaign = launch(org, [org["sibling"]])
    client.force_login(user_factory("root", is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:completion_campaign_changelist")).status_code == 200
    assert (
        client.get(reverse("admin:completion_campaign_change", args=[campaign.pk])).status_code
        == 200
    )
    delete = reverse("admin:completion_campaign_delete", args=[campaign.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assignment = Assignment.objects.filter(campaign=campaign).first()
    page = client.get(reverse("admin:completion_assignment_change", args=[assignment.pk]))
    assert campaign.name in page.content.decode()
    assert Campaign.objects.filter(pk=campaign.pk).exists()


def test_the_demo_has_a_running_campaign_whose_page_ranks_its_bureaus(client, demo):
    from django.contrib.auth import get_user_model

    from completion.models import Unit

    campaign = Campaign.objects.get()
    province = Unit.objects.get(code="DEMO")
    assert campaign.unit == province and campaign.ends_on > timezone.localdate()
    client.force_login(get_user_model().objects.get(username="unitadmin"))
    standings = client.get(campaign_url(campaign)).context["standings"]
    bureaus = set(Unit.objects.filter(parent=province))
    assert {row.unit for row in standings.units} == bureaus
    assert standings.total.completed > 0
    rates = [row.completed / row.assigned for row in standings.units]
    assert rates == sorted(rates, reverse=True) and standings.units[0].rank == 1
