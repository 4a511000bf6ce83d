"""Bulk printing in a real browser: the job page polls with htmx and swaps in
the download when the worker is done; at phone width nothing scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from completion.models import BulkPrintJob
from tests.browser_helpers import assert_no_horizontal_scroll, check_accessibility, sign_in
from tests.conftest import ARTIFACTS
from tests.factories import (
    certified,
    make_admin,
    make_module,
    make_person,
    make_unit,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-only"


@pytest.fixture
def admin():
    city = make_unit(None, "City", code="C")
    district = make_unit(city, "District", code="D")
    module = make_module()
    for number, name in enumerate(["王小明", "欧阳娜娜", "司马懿"]):
        person = make_person(district, name, username=f"p{number}")
        certified(person, module)
    return make_admin(city, username="city-admin")


def test_it_polls_until_the_pdf_is_ready(page, admin):
    sign_in(page, "city-admin", PASSWORD)
    page.goto("/certificates/print/")
    check_accessibility(page, "bulk print form")
    page.screenshot(path=ARTIFACTS / "bulk-print-form.png", full_page=True)
    page.get_by_label("Unit (and the units below it)").select_option(label="District")
    page.get_by_role("button", name="Prepare the PDF").click()

    # No worker runs in the test: the job waits in the queue, and the page polls.
    expect(page.get_by_text("0 of 3 certificates prepared.")).to_be_visible()
    check_accessibility(page, "bulk print job")
    page.screenshot(path=ARTIFACTS / "bulk-print-job-running.png", full_page=True)
    job = BulkPrintJob.objects.get()
    BulkPrintJob.objects.filter(pk=job.pk).update(state=BulkPrintJob.State.RUNNING, done=2)
    expect(page.get_by_text("2 of 3 certificates prepared.")).to_be_visible(timeout=5_000)
    BulkPrintJob.objects.filter(pk=job.pk).update(state=BulkPrintJob.State.DONE, done=3)

    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible(timeout=5_000)
    page.screenshot(path=ARTIFACTS / "bulk-print-job-done.png", full_page=True)


def test_it_fits_a_phone(phone_page, admin):
    sign_in(phone_page, "city-admin", PASSWORD)
    phone_page.goto("/certificates/print/")

    assert_no_horizontal_scroll(phone_page, "bulk print form")
    phone_page.screenshot(path=ARTIFACTS / "bulk-print-form-phone.png", full_page=True)
