"""CSV and Excel exports of the report table: same filters, safe cells."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from completion.models import Assignment
from completion.reports import COLUMNS
from tests.factories import (
    local,
    make_admin,
    make_attempt,
    make_person,
    make_unit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(org):
    """The shared organisation, everyone assigned its module, due in five
    days: in 甲局 李明 (passed) and a name that is a formula, in 乙局 钱芳;
    an admin of 甲局."""
    module = org["module"]
    Assignment.objects.assign(
        module=module,
        unit=org["province"],
        due_date=timezone.localdate() + timedelta(days=5),
        by=None,
    )
    passed = make_person(org["bureau"], "李明")
    make_attempt(passed, module, score=100, at=local(2026, 1, 1, 9))
    make_person(org["bureau"], '=HYPERLINK("http://evil")')
    make_person(org["sibling"], "钱芳")
    org["admin"] = make_admin(org["bureau"])
    return org


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def xlsx_rows(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def test_it_is_a_404_for_another_unit(client, org):
    client.force_login(org["admin"])
    for name in ("completion:report_csv", "completion:report_xlsx"):
        assert client.get(reverse(name, args=[org["sibling"].pk])).status_code == 404


def test_it_sends_a_signed_out_visitor_to_sign_in(client, org):
    response = client.get(reverse("completion:report_csv", args=[org["bureau"].pk]))
    assert response.status_code == 302


def test_the_csv_holds_the_rows_the_page_shows_for_the_same_filter(client, org):
    client.force_login(org["admin"])
    query = "?status=not_started&sort=-name"
    page = client.get(reverse("completion:unit_report", args=[org["bureau"].pk]) + query)
    on_screen = [row["full_name"] for row in page.context["page"].object_list]
    response = client.get(reverse("completion:report_csv", args=[org["bureau"].pk]) + query)
    rows = csv_rows(response)
    assert rows[0][:5] == ["Name", "Employee number", "Unit", "Module", "Status"]
    assert [row[0].lstrip("'") for row in rows[1:]] == on_screen
    assert all(row[4] == "Not started" for row in rows[1:])
    assert "钱芳" not in str(rows)  # another unit: never exported


def test_the_excel_file_holds_the_same_rows_with_real_dates(client, org):
    client.force_login(org["admin"])
    response = client.get(reverse("completion:report_xlsx", args=[org["bureau"].pk]) + "?name=李")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    header, *rows = xlsx_rows(response)
    assert header[0] == "Name" and header[8] == "Due"
    assert [(row[0], row[4], row[5]) for row in rows] == [("李明", "Passed", 100)]
    assert rows[0][8] is not None and rows[0][10].year == 2026  # dates stay dates
    assert header[9] == "Days overdue" and rows[0][9] is None  # passed: not overdue


def test_formulas_are_neutralised_in_both_formats(client, org):
    client.force_login(org["admin"])
    csv_names = [
        row[0]
        for row in csv_rows(client.get(reverse("completion:report_csv", args=[org["bureau"].pk])))
    ]
    assert '\'=HYPERLINK("http://evil")' in csv_names
    xlsx = xlsx_rows(client.get(reverse("completion:report_xlsx", args=[org["bureau"].pk])))
    cells = [row[0] for row in xlsx]
    assert '\'=HYPERLINK("http://evil")' in cells
    assert not any(str(cell).startswith("=") for row in xlsx for cell in row if cell)


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_it_neutralises_every_formula_start(client, org, start):
    make_person(org["bureau"], f"{start}1+1")
    client.force_login(org["admin"])
    names = [
        row[0]
        for row in csv_rows(client.get(reverse("completion:report_csv", args=[org["bureau"].pk])))
    ]
    assert f"'{start}1+1" in names
    assert "李明" in names


@pytest.mark.parametrize("control", ["\t", "\r", "\n", "\x00", "\x1b", "\x7f"])
def test_it_takes_control_characters_out_so_no_file_breaks(client, org, control):
    # A tab or carriage return first once made a formula; any control
    # character made the Excel writer refuse every export above the unit.
    if control == "\x00" and connection.vendor == "postgresql":
        pytest.skip("PostgreSQL text holds no NUL, so no stored name can bring one to a file")
    make_person(org["bureau"], f"{control}1+1")
    make_person(org["bureau"], f"王{control}芳")
    client.force_login(org["admin"])
    url = reverse("completion:report_csv", args=[org["bureau"].pk])
    names = [row[0] for row in csv_rows(client.get(url))]
    assert "1+1" in names and "王芳" in names
    xlsx = xlsx_rows(client.get(reverse("completion:report_xlsx", args=[org["bureau"].pk])))
    assert {"1+1", "王芳"} <= {row[0] for row in xlsx}


def test_the_headers_follow_the_users_language(client, org):
    client.force_login(org["admin"])
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    response = client.get(reverse("completion:report_csv", args=[org["bureau"].pk]))
    header = csv_rows(response)[0]
    assert response.headers["Content-Language"] == "zh-hans"
    with translation.override("zh-hans"):
        assert header == [str(label) for _key, label in COLUMNS]


def test_the_unit_column_names_the_unit_from_the_top_of_the_export_down(client, org):
    """Departments share names across bureaus ("办公室"); the file says which
    one, from the unit the export was asked for — never the units above it."""
    office = make_unit(org["bureau"], "办公室")
    make_person(office, "孙丽")
    admin = make_admin(org["bureau"].parent)
    client.force_login(admin)
    province = org["bureau"].parent
    for name, read in (("completion:report_csv", csv_rows), ("completion:report_xlsx", xlsx_rows)):
        rows = read(client.get(reverse(name, args=[province.pk])))
        units = {row[0]: row[2] for row in rows[1:]}
        assert units["孙丽"] == "省 › 甲局 › 办公室"
        assert units["钱芳"] == "省 › 乙局"
    client.force_login(org["admin"])
    rows = csv_rows(client.get(reverse("completion:report_csv", args=[org["bureau"].pk])))
    assert {row[0]: row[2] for row in rows[1:]}["孙丽"] == "甲局 › 办公室"


def test_rows_beyond_a_sheets_capacity_go_on_to_another_sheet(client, org, monkeypatch):
    """Excel opens at most 1,048,576 rows a sheet; a national export has
    more. Here a sheet holds two people: the bureau's three (its admin
    among them) go on two sheets, each with the header, the second named
    after the first, in the order of the one-sheet file."""
    client.force_login(org["admin"])
    url = reverse("completion:report_xlsx", args=[org["bureau"].pk])
    header, *everyone = xlsx_rows(client.get(url))
    assert len(everyone) == 3
    monkeypatch.setattr("completion.exports.SHEET_ROWS", 2)
    book = load_workbook(io.BytesIO(client.get(url).content))
    assert book.sheetnames == ["甲局", "甲局 (2)"]
    first, second = (
        [tuple(cell.value for cell in row) for row in sheet.iter_rows()] for sheet in book
    )
    assert first[0] == second[0] == header
    assert first[1:] + second[1:] == everyone and len(second) == 2
