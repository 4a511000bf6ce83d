"""A unit admin's journey in a real browser, against the demo organisation:
sign in → assign a module to a sub-unit with a due date → the report shows
the new assignments → filter → export CSV and Excel → print the sub-unit's
certificates as one PDF."""

import csv
import datetime
import io
import os
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.formats import date_format
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from completion.models import Assignment, Certificate, Completion, Employee, Unit
from lessons.models import Module
from tests.browser_helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def unassigned_branch() -> tuple[Unit, Module]:
    """A sub-unit of the demo province and a published module nobody in it
    has been given, so assigning it creates new assignments."""
    province = Unit.objects.get(code="DEMO")
    for branch in Unit.objects.filter(parent=province).order_by("path"):
        above_or_below = [*Unit.objects.filter(path__startswith=branch.path), province]
        for module in Module.objects.published():
            if not Assignment.objects.filter(module=module, unit__in=above_or_below).exists():
                return branch, module
    raise AssertionError("the demo gives every sub-unit every module")


def label(text: str) -> re.Pattern:
    """A form field's label, with or without Django's trailing colon."""
    return re.compile(rf"^{re.escape(text)}:?$")


def people_in(unit: Unit) -> set[str]:
    return set(
        Employee.objects.filter(unit__path__startswith=unit.path).values_list(
            "employee_number", flat=True
        )
    )


def test_it_takes_a_unit_admin_from_assigning_to_printing(demo, page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    branch, module = unassigned_branch()
    staff = people_in(branch)
    assert len(staff) > 10
    due = timezone.localdate() + datetime.timedelta(days=30)

    sign_in(page, "unitadmin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Unit report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("示范省")

    # Assign the module to the sub-unit.
    page.get_by_role("link", name="Assign modules").click()
    page.get_by_label(module.title).check()
    page.get_by_label("Everyone in a unit and its sub-units").check()
    page.get_by_label(label("Unit")).select_option(str(branch.pk))
    page.get_by_label(label("Due date")).fill(due.isoformat())
    page.get_by_role("button", name="Continue").click()
    # Before saving, the form says whom it affects.
    expect(page.locator(".assign-preview")).to_contain_text(f"{len(staff)} people")
    expect(page.locator(".assign-preview")).to_contain_text("0 of them would already be overdue")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator(".messages")).to_contain_text(
        f"Assigned {module.title} to {branch.name}, due {date_format(due, 'DATE_FORMAT')}."
    )
    assignment = Assignment.objects.get(module=module, unit=branch)
    assert (assignment.due_date, assignment.assigned_by.username) == (due, "unitadmin")

    # The report lists everyone in the sub-unit with the module, not started.
    page.get_by_label(label("Module")).select_option(module.slug)
    page.get_by_label(label("Sub-unit")).select_option(str(branch.pk))
    page.get_by_label(label("Status")).select_option("not_started")
    page.get_by_role("button", name="Show").click()
    people = page.locator("#people")
    expect(people.locator(".row-count")).to_have_text(f"{len(staff)} rows")
    rows = people.locator("tbody tr")
    expect(rows).to_have_count(len(staff))
    for row in rows.all():
        expect(row).to_contain_text(module.title)
        expect(row).to_contain_text("Not started")
        expect(row).to_contain_text(date_format(due, "DATE_FORMAT"))

    # A name filter narrows it to one person.
    someone = Employee.objects.filter(unit__path__startswith=branch.path).first()
    page.get_by_label(label("Name or employee number")).fill(someone.employee_number)
    page.get_by_role("button", name="Show").click()
    expect(people.locator(".row-count")).to_have_text("1 row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(someone.full_name)
    page.get_by_label(label("Name or employee number")).fill("")
    page.get_by_role("button", name="Show").click()
    expect(people.locator(".row-count")).to_have_text(f"{len(staff)} rows")

    # Both exports hold exactly the filtered table.
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    text = download.value.path().read_text(encoding="utf-8-sig")
    header, *lines = list(csv.reader(io.StringIO(text)))
    assert header[:5] == ["Name", "Employee number", "Unit", "Module", "Status"]
    assert {line[1] for line in lines} == staff
    assert len(lines) == len(staff)
    assert {(line[3], line[4], line[8]) for line in lines} == {
        (module.title, "Not started", due.isoformat())
    }

    with page.expect_download() as download:
        page.get_by_role("link", name="Export Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True).active
    header, *cells = list(sheet.iter_rows(values_only=True))
    assert header[:5] == ("Name", "Employee number", "Unit", "Module", "Status")
    assert {row[1] for row in cells} == staff
    assert len(cells) == len(staff)
    assert {(row[3], row[4]) for row in cells} == {(module.title, "Not started")}

    # Print the sub-unit's certificates: those who confirmed their commitment.
    printed_branch = Unit.objects.filter(parent__code="DEMO").order_by("path").first()
    completions = Completion.objects.filter(
        user__employee__unit__path__startswith=printed_branch.path
    )
    certificates = [
        Certificate.objects.acknowledge(completion=completion, text="I will keep secrets.")
        for completion in completions
    ]
    assert len(certificates) >= 3
    page.get_by_role("link", name="Print certificates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Print certificates")
    page.get_by_label(label("Unit (and the units below it)")).select_option(str(printed_branch.pk))
    page.get_by_role("button", name="Prepare the PDF").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Certificates of {printed_branch.name}"
    )
    # The background worker takes the job; the page, polling, offers the file.
    call_command("db_worker", batch=True, no_startup_delay=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    pdf = PdfReader(download.value.path())
    assert len(pdf.pages) == len(certificates)
    printed = "\n".join(pdf_page.extract_text() for pdf_page in pdf.pages)
    for certificate in certificates:
        assert certificate.serial in printed
        assert certificate.holder_name in printed
