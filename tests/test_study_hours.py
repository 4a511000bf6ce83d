"""Study hours (学时): what a pass credits, what each person owes a year,
My training's meter, the annual record (page and PDF) and the report's
hours, all checked against sums computed here from the rows themselves."""

from __future__ import annotations

import datetime as dt
import subprocess
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from completion import study_hours
from completion.models import Assignment, Completion, Unit
from completion.study_hours import StudyYear
from tests.factories import (
    certified,
    completed,
    local,
    make_admin,
    make_attempt,
    make_module,
    make_people,
    make_person,
)

THIS_YEAR = timezone.localdate().year


def hours(module, value: str):
    module.study_hours = Decimal(value)
    module.save(update_fields=["study_hours"])
    return module


@pytest.fixture
def place(org):
    """The organisation of conftest's `org`, the province asking 2 hours a
    year and its section 3; its module credits 1.5 hours, a second 0.5."""
    Unit.objects.filter(pk=org["province"].pk).update(yearly_study_hours=Decimal("2"))
    Unit.objects.filter(pk=org["section"].pk).update(yearly_study_hours=Decimal("3"))
    hours(org["module"], "1.5")
    org["second"] = hours(make_module("gambling"), "0.5")
    return org


def test_a_pass_credits_the_hours_of_its_attempt_and_a_later_change_rewrites_nothing(place):
    user = make_person(place["bureau"])
    completion = completed(user, place["module"])
    assert completion.study_hours == Decimal("1.5")
    hours(place["module"], "4")
    completion.refresh_from_db()
    assert completion.study_hours == Decimal("1.5")
    # An attempt started before the change keeps the hours it began with.
    other = make_person(place["bureau"], name="李四")
    started = make_attempt(other, place["second"], score=None)
    hours(place["second"], "9")
    assert started.study_hours == Decimal("0.5")


def test_the_year_is_the_calendar_year_unless_configured(settings):
    assert StudyYear.of(dt.date(2026, 12, 31)).number == 2026
    assert StudyYear.of(dt.date(2027, 1, 1)).number == 2027
    settings.STUDY_YEAR_START = "09-01"
    year = StudyYear.of(dt.date(2027, 3, 1))
    assert (year.number, year.starts_on, year.ends_on) == (
        2026,
        dt.date(2026, 9, 1),
        dt.date(2027, 8, 31),
    )
    assert str(year) == "2026–2027"


def test_a_pass_counts_in_the_year_of_its_local_date(place):
    user = make_person(place["bureau"])
    # 23:30 on 31 December in Beijing is 15:30 UTC: still that year.
    completed(user, place["module"], when=local(THIS_YEAR - 1, 12, 31, 23, 30))
    assert study_hours.hours_of(user, StudyYear.numbered(THIS_YEAR - 1)) == Decimal("1.5")
    assert study_hours.hours_of(user, StudyYear.numbered(THIS_YEAR)) == Decimal("0")


def test_a_requirement_is_inherited_unless_a_unit_sets_its_own(place):
    assert study_hours.requirement_of(place["bureau"]) == Decimal("2")
    assert study_hours.requirement_of(place["section"]) == Decimal("3")
    assert study_hours.requirement_of(place["sibling"]) == Decimal("2")
    Unit.objects.filter(pk=place["province"].pk).update(yearly_study_hours=None)
    assert study_hours.requirement_of(place["bureau"]) is None


def test_a_revoked_pass_credits_nothing_until_passed_again(place):
    user = make_person(place["bureau"])
    certificate = certified(user, place["module"])
    year = StudyYear.of(timezone.localdate())
    assert study_hours.hours_of(user, year) == Decimal("1.5")
    certificate.revoke(by=None, reason="Issued in error")
    assert study_hours.hours_of(user, year) == Decimal("0")


def test_each_cycle_credits_its_hours_once(place):
    """A module passed, expired and passed again credits twice: once a cycle,
    each in its own year."""
    module = place["module"]
    module.validity_months = 12
    module.save(update_fields=["validity_months"])
    user = make_person(place["bureau"])
    Assignment.objects.assign(module=module, unit=place["province"], due_date=None, by=None)
    completed(user, module, when=local(THIS_YEAR - 2, 3, 1, 10))
    completed(user, module, when=local(THIS_YEAR - 1, 3, 20, 10))
    cycles = Completion.objects.filter(user=user, module=module).order_by("cycle")
    assert [c.cycle for c in cycles] == [1, 2]
    assert study_hours.hours_of(user, StudyYear.numbered(THIS_YEAR - 2)) == Decimal("1.5")
    assert study_hours.hours_of(user, StudyYear.numbered(THIS_YEAR - 1)) == Decimal("1.5")


def test_my_training_shows_this_years_hours_against_the_requirement(client, place):
    user = make_person(place["bureau"])
    completed(user, place["module"])
    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    assert f"Study hours in {THIS_YEAR}" in page
    assert "1.5 of the 2 study hours required this year." in page
    assert reverse("completion:annual_record", args=[THIS_YEAR]) in page
    completed(user, place["second"])
    page = client.get(reverse("home")).content.decode()
    assert "2 of the 2 study hours required this year." in page
    assert "Requirement met" in page


def test_the_record_lists_the_years_passes_with_hours_scores_and_serials(client, place):
    user = make_person(place["section"], name="王小明")
    first = certified(user, place["module"], when=local(THIS_YEAR, 2, 3, 9), score=100)
    completed(user, place["second"], when=local(THIS_YEAR - 1, 11, 5, 9))
    client.force_login(user)
    response = client.get(reverse("completion:annual_record", args=[THIS_YEAR]))
    page = response.content.decode()
    record = response.context["record"]
    assert [line.module.slug for line in record.lines] == ["papers"]
    assert record.hours == Decimal("1.5") and record.required == Decimal("3")
    assert record.met is False
    assert first.serial in page and "1.5 of the 3 study hours" in page
    assert "省 › 甲局 › 保密处" in page
    assert record.years == [THIS_YEAR - 1, THIS_YEAR]
    earlier = client.get(reverse("completion:annual_record", args=[THIS_YEAR - 1]))
    assert [line.module.slug for line in earlier.context["record"].lines] == ["gambling"]


def test_the_record_opens_on_this_year_and_refuses_a_year_that_is_not_one(client, place):
    user = make_person(place["bureau"])
    client.force_login(user)
    response = client.get(reverse("completion:annual_record_now"))
    assert response.context["record"].year.number == THIS_YEAR
    assert client.get("/training/record/99999/").status_code == 404
    assert client.get("/training/record/abcd/").status_code == 404


def test_the_record_is_ones_own(client, place):
    """Nobody reads another person's record: the page has no one else's id."""
    owner = make_person(place["bureau"], name="王五")
    completed(owner, place["module"])
    other = make_person(place["bureau"], name="赵六")
    client.force_login(other)
    record = client.get(reverse("completion:annual_record_now")).context["record"]
    assert record.lines == [] and record.employee.full_name == "赵六"


def test_the_record_pdf_renders_a_chinese_name_and_its_hours_match_the_database(
    client, place, tmp_path
):
    user = make_person(place["section"], name="欧阳晓燕")
    certified(user, place["module"])
    completed(user, place["second"])
    client.force_login(user)
    response = client.get(reverse("completion:annual_record_pdf", args=[THIS_YEAR]))
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "record.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "欧阳晓燕" in text
    credited = Completion.objects.filter(user=user).aggregate(total=Sum("study_hours"))["total"]
    assert credited == Decimal("2")
    assert "Study hours credited" in text
    credited_line = next(line for line in text.splitlines() if "Study hours credited" in line)
    assert credited_line.split()[-1] == "2"
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert "NotoSansCJK" in fonts.replace(" ", "") or "Noto" in fonts


def test_the_record_pdf_reads_in_chinese_for_a_chinese_reader(client, place, tmp_path):
    from completion.models import Employee

    user = make_person(place["bureau"], name="张三")
    completed(user, place["module"])
    Employee.objects.filter(user=user).update(language="zh-hans")
    client.force_login(user)
    response = client.get(
        reverse("completion:annual_record_pdf", args=[THIS_YEAR]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    pdf = tmp_path / "record.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "学时" in text and "张三" in text


@pytest.fixture
def unit_with_hours(place):
    """Four people in the bureau (2 hours owed), three in its section (3
    owed), two in the sibling bureau (2 owed), with passes this year."""
    bureau = make_people(place["bureau"], 4, prefix="b")
    section = make_people(place["section"], 3, prefix="s")
    sibling = make_people(place["sibling"], 2, prefix="x")
    for user in [*bureau[:2], *section, sibling[0]]:
        completed(user, place["module"])
    for user in [bureau[0], section[0], sibling[0]]:
        completed(user, place["second"])
    return place


def expected_hours(root: Unit) -> dict[str, tuple[int, int, Decimal]]:
    """(people, meeting, hours) per direct sub-unit of `root`, summed here in
    Python from each person's completions and their unit's requirement."""
    from completion.models import Employee

    result: dict[str, list] = {}
    for employee in Employee.objects.filter(unit__path__startswith=root.path).select_related(
        "unit"
    ):
        branch = employee.unit.path[: len(root.path) + 5]
        got = Completion.objects.filter(user=employee.user).aggregate(total=Sum("study_hours"))[
            "total"
        ] or Decimal("0")
        owed = study_hours.requirement_of(employee.unit)
        people, meeting, total = result.setdefault(branch, [0, 0, Decimal("0")])
        result[branch] = [people + 1, meeting + (got >= owed), total + got]
    return {branch: tuple(figures) for branch, figures in result.items()}


def test_the_report_shows_the_share_meeting_the_requirement_by_sub_unit(client, unit_with_hours):
    place = unit_with_hours
    province = place["province"]
    client.force_login(make_admin(province))
    response = client.get(reverse("completion:unit_report", args=[province.pk]))
    figures = response.context["hours"]
    computed = {
        branch.unit.path: (branch.people, branch.meeting, branch.hours)
        for branch in figures.branches
        if branch.people
    }
    assert computed == expected_hours(province)
    # In the bureau one person meets 2 hours with 1.5 + 0.5; in its section
    # the person with both has 2 of 3: the branch has 1 meeting of 7.
    assert computed[place["bureau"].path] == (7, 1, Decimal("8.5"))
    assert computed[place["sibling"].path] == (2, 1, Decimal("2"))
    # The admin, placed in the province, owes its 2 hours too.
    assert figures.total.meeting == 2 and figures.total.with_requirement == 10
    page = response.content.decode()
    assert f"Study hours in {THIS_YEAR}" in page


def test_the_report_table_and_exports_carry_hours_and_requirement(client, unit_with_hours):
    place = unit_with_hours
    Assignment.objects.assign(
        module=place["module"], unit=place["province"], due_date=None, by=None
    )
    admin = make_admin(place["province"])
    client.force_login(admin)
    response = client.get(reverse("completion:unit_report", args=[place["province"].pk]))
    rows = {row["employee_number"]: row for row in response.context["page"].object_list}
    section_person = Completion.objects.filter(user__employee__unit=place["section"]).first()
    number = section_person.user.employee.employee_number
    assert rows[number]["hours_required"] == Decimal("3")
    expected = Completion.objects.filter(user=section_person.user).aggregate(
        total=Sum("study_hours")
    )["total"]
    assert rows[number]["study_hours"] == expected
    csv = client.get(reverse("completion:report_csv", args=[place["province"].pk]))
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    header, *lines = text.splitlines()
    assert "Study hours in the year" in header and "Yearly requirement (hours)" in header
    line = next(line for line in lines if number in line)
    assert [Decimal(cell) for cell in line.split(",")[-2:]] == [expected, Decimal("3")]


def test_the_report_hours_cost_the_same_queries_for_10_and_200_people(
    client, place, django_assert_num_queries
):
    from completion.study_hours import unit_hours

    for count in (10, 200):
        users = make_people(place["sibling"], count, prefix=f"n{count}-")
        for user in users[::4]:
            completed(user, place["module"])
        units = list(Unit.objects.subtree(place["province"]))
        children = [u for u in units if u.parent_id == place["province"].pk]
        with django_assert_num_queries(1):
            result = unit_hours(
                place["province"],
                children=children,
                year=StudyYear.of(timezone.localdate()),
                units=units,
            )
        assert result.total.people == sum(
            expected[0] for expected in expected_hours(place["province"]).values()
        )


def test_the_demo_shows_hours_on_my_training_and_in_the_report(client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="employee"))
    page = client.get(reverse("home")).content.decode()
    assert "study hours required this year" in page
    client.force_login(get_user_model().objects.get(username="unitadmin"))
    response = client.get(reverse("completion:report"), follow=True)
    hours_figures = response.context["hours"]
    assert hours_figures.total.with_requirement == hours_figures.total.people > 0
    assert hours_figures.total.hours > 0


def test_a_unit_admin_sets_and_clears_the_requirement_and_the_audit_trail_keeps_it(client, place):
    bureau = place["bureau"]
    client.force_login(make_admin(bureau))
    address = reverse("completion:unit_study_hours", args=[bureau.pk])
    page = client.get(address).content.decode()
    assert "The unit above asks for 2 study hours a year." in page
    response = client.post(address, {"yearly_study_hours": "2.5"}, follow=True)
    assert "now owe 2.5 study hours a year" in response.content.decode()
    assert study_hours.requirement_of(place["section"]) == Decimal("3")  # its own stays
    response = client.post(address, {"yearly_study_hours": ""}, follow=True)
    assert "now follows the unit above: 2 study hours a year" in response.content.decode()
    bureau.refresh_from_db()
    assert bureau.yearly_study_hours is None
    assert [h.yearly_study_hours for h in bureau.history.order_by("history_date")][-2:] == [
        Decimal("2.5"),
        None,
    ]


@pytest.mark.parametrize(
    "value, message",
    [
        ("ten", "Enter the hours as a number"),
        ("-1", "greater than or equal to 0"),
        ("2.55", "one decimal place at most"),
        ("5000", "less than or equal to 1000"),
    ],
)
def test_a_requirement_that_is_not_one_is_refused_and_nothing_saved(client, place, value, message):
    bureau = place["bureau"]
    client.force_login(make_admin(bureau))
    response = client.post(
        reverse("completion:unit_study_hours", args=[bureau.pk]), {"yearly_study_hours": value}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    bureau.refresh_from_db()
    assert bureau.yearly_study_hours is None


def test_only_the_units_admins_set_its_requirement(client, place):
    address = reverse("completion:unit_study_hours", args=[place["bureau"].pk])
    client.force_login(make_admin(place["sibling"]))
    assert client.post(address, {"yearly_study_hours": "9"}).status_code == 404
    client.force_login(make_person(place["bureau"], name="钱七"))
    assert client.get(address).status_code == 404
    assert Unit.objects.get(pk=place["bureau"].pk).yearly_study_hours is None


def test_a_signed_out_visitor_is_sent_to_sign_in_for_a_record(client, db):
    for address in ("/training/record/", f"/training/record/{THIS_YEAR}.pdf"):
        response = client.get(address)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
