"""The unit report's charts: each chart's numbers equal the same figures
counted straight from the database, in both languages, for the cost of a
fixed number of queries."""

from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from completion import reports
from completion.models import Assignment, Completion, TrainingStatus, Unit, local_today
from lessons.models import Attempt
from tests.factories import make_admin, make_attempt, make_module, make_people, make_unit

pytestmark = pytest.mark.django_db


def report_of_demo(client, language="en"):
    client.force_login(get_user_model().objects.get(username="unitadmin"))
    province = Unit.objects.get(code="DEMO")
    response = client.get(
        reverse("completion:unit_report", args=[province.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    return province, response


def requirement_rows(province):
    """Every (person, module) row of the report's table: the row-by-row
    path, not the GROUP BY the charts read."""
    modules = reports.assigned_modules()
    table = reports.person_rows(province, modules, reports.Filters(), today=local_today())
    return modules, list(table.all_rows())


def branch_of(province, unit_path):
    """The direct sub-unit of `province` a unit path rolls up to (or the province)."""
    rest = unit_path[len(province.path) :]
    return province.path + rest.split("/")[0] + "/" if rest else province.path


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_each_charts_numbers_equal_the_databases(client, demo, language):
    province, response = report_of_demo(client, language)
    for check in [
        the_status_bars_count_each_units_people_by_status,
        the_heat_map_holds_each_units_completion_of_each_module,
        the_overdue_chart_bands_people_by_days_past_the_due_date,
        the_score_chart_counts_first_attempts_by_band,
        the_timelines_follow_the_completions_day_by_day,
    ]:
        check(province, response)


def the_status_bars_count_each_units_people_by_status(province, response):
    _modules, rows = requirement_rows(province)
    expected = {}
    for row in rows:
        expected.setdefault(branch_of(province, row["unit_path"]), Counter())[
            row["training_status"]
        ] += 1
    bars = response.context["charts"].status_bars.bars
    assert {bar.unit.path: {s: n for s, n in bar.counts.items() if n} for bar in bars} == {
        path: dict(counts) for path, counts in expected.items()
    }
    # Worst first: completion rates never fall down the chart.
    rates = [bar.completion_rate for bar in bars]
    assert rates == sorted(rates)


def the_heat_map_holds_each_units_completion_of_each_module(province, response):
    modules, rows = requirement_rows(province)
    assigned, completed = Counter(), Counter()
    for row in rows:
        key = (branch_of(province, row["unit_path"]), row["module_id"])
        assigned[key] += 1
        completed[key] += row["training_status"] in ("passed", "passed_late")
    heat = response.context["charts"].heat_map
    assert [column.title for column in heat.columns] == [module.title for module in modules]
    paths = [branch.unit.path for branch in response.context["summary"].branches]
    seen = 0
    for heat_row in heat.rows:
        path = next(p for p in paths if Unit.objects.get(path=p).name in heat_row.full_label)
        for module, cell in zip(modules, heat_row.cells, strict=True):
            key = (path, module.pk)
            assert (cell.figures.completed, cell.figures.assigned) == (
                completed[key],
                assigned[key],
            )
            seen += assigned[key]
    assert seen == len(rows)


def the_overdue_chart_bands_people_by_days_past_the_due_date(province, response):
    _modules, rows = requirement_rows(province)
    today = local_today()
    bands = Counter()
    for row in rows:
        if row["training_status"] == TrainingStatus.OVERDUE:
            days = (today - row["due_date"]).days
            bands[0 if days <= 7 else 1 if days <= 30 else 2] += 1
    overdue = response.context["charts"].overdue
    assert [bar.people for bar in overdue.bars] == [bands[0], bands[1], bands[2]]
    assert overdue.total == sum(bands.values()) > 0
    assert sum(total for _name, _counts, total in overdue.by_branch) == overdue.total


def the_score_chart_counts_first_attempts_by_band(province, response):
    firsts = Attempt.objects.filter(
        number=1,
        score__isnull=False,
        user__employee__unit__path__startswith=province.path,
        module__assignments__isnull=False,
    ).distinct()
    expected = Counter(min(score // 10, 9) for score in firsts.values_list("score", flat=True))
    scores = response.context["charts"].scores
    assert [bar.people for bar in scores.bars] == [expected[band] for band in range(10)]
    assert scores.total == firsts.count() > 0


def the_timelines_follow_the_completions_day_by_day(province, response):
    modules, rows = requirement_rows(province)
    zone = timezone.get_default_timezone()
    timelines = {chart.module.pk: chart for chart in response.context["charts"].timelines}
    assert set(timelines) == {module.pk for module in modules}
    for module in modules:
        completions = Completion.objects.filter(
            module=module,
            user__employee__unit__path__startswith=province.path,
            reopened_at__isnull=True,
        )
        by_day = Counter(timezone.localtime(c.completed_at, zone).date() for c in completions)
        chart = timelines[module.pk]
        running = 0
        for row in chart.rows:
            running += by_day[row.day]
            assert row.completed == running, (module, row.day)
        assert chart.completed == completions.count() == sum(by_day.values())
        assert chart.assigned == sum(1 for row in rows if row["module_id"] == module.pk)
        due_dates = {row["due_date"] for row in rows if row["module_id"] == module.pk}
        assert {marker.day for marker in chart.due_markers} == due_dates


def test_each_chart_shows_its_numbers_in_english(client, demo):
    _province, response = report_of_demo(client)
    page = response.content.decode()
    for caption in [
        "Status by unit, least completed first: all modules",
        "Completion rate by unit and module",
        "How long people are overdue",
        "First-attempt scores",
        "Completion over time: Classified papers taken home",
    ]:
        assert caption in page
    assert page.count("The numbers of this chart") == 4 + len(response.context["charts"].timelines)
    overdue = response.context["charts"].overdue
    assert f"{overdue.total} overdue" in page
    assert 'role="img"' in page and "<title" in page


def test_each_chart_shows_its_numbers_in_chinese(client, chinese_demo):
    _province, response = report_of_demo(client, "zh-hans")
    page = response.content.decode()
    for caption in [
        "各单位学习状态（完成率低者在前）：全部模块",
        "各单位各模块完成率",
        "逾期时长分布",
        "首次作答得分分布",
        "完成进度：会后带回家的涉密文件",
        "本图数据",
    ]:
        assert caption in page
    overdue = response.context["charts"].overdue
    assert f"逾期 {overdue.total} 人" in page
    assert "The numbers of this chart" not in page


def test_a_module_filter_narrows_the_charts_to_that_module(client, demo):
    province, _response = report_of_demo(client)
    module = reports.assigned_modules()[1]
    response = client.get(
        reverse("completion:unit_report", args=[province.pk]), {"module": module.slug}
    )
    charts = response.context["charts"]
    assert [chart.module for chart in charts.timelines] == [module]
    assert sum(bar.assigned for bar in charts.status_bars.bars) == (
        response.context["summary"].by_module[module.pk].assigned
    )
    # The heat map keeps every module: it compares them.
    assert len(charts.heat_map.columns) == len(reports.assigned_modules())


@pytest.mark.parametrize("people", [10, 200])
def test_the_charts_cost_the_same_queries_for_10_and_200_people(
    client, django_assert_num_queries, people
):
    module = make_module("papers")
    province = make_unit(None, "省")
    bureaus = [make_unit(province, "甲局"), make_unit(province, "乙局")]
    users = make_people(bureaus[0], people // 2) + make_people(bureaus[1], people // 2, "more")
    due = timezone.localdate() - timedelta(days=10)
    Assignment.objects.assign(module=module, unit=province, due_date=due, by=None)
    for user in users[::3]:
        make_attempt(user, module, score=75, at=timezone.now())
    client.force_login(make_admin(province))
    # session, user, the unit (access helper), the assigned modules with their
    # unit assignments, the subtree's units, the
    # table's count, the page's keys and rows, the summary, the charts'
    # breakdown and their days, the nav's admin check, the trail of units
    # above, the campaigns the filter offers, the study hours by sub-unit and
    # (the province being the top unit) the people not placed.
    with django_assert_num_queries(17):
        response = client.get(reverse("completion:unit_report", args=[province.pk]))
    charts = response.context["charts"]
    assert sum(bar.assigned for bar in charts.status_bars.bars) == people + 1
    assert charts.scores.total == len(users[::3])
