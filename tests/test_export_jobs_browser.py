"""A large Excel export in a real browser: the report's link offers to prepare
it, the button lands on the job page, which polls with htmx until the file is
ready; at phone width nothing scrolls sideways."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from completion import exports
from completion.models import Assignment, ExportJob
from completion.tasks import write_export
from tests.browser_helpers import assert_no_horizontal_scroll, check_accessibility, sign_in
from tests.conftest import ARTIFACTS
from tests.factories import make_admin, make_module, make_person, make_unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-only"


@pytest.fixture
def bureau(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(exports, "DIRECT_XLSX_ROWS", 0)  # every export is large
    bureau = make_unit(None, "甲局")
    Assignment.objects.assign(
        module=make_module("papers"),
        unit=bureau,
        due_date=timezone.localdate() + timedelta(days=5),
        by=None,
    )
    for name in ["王小明", "欧阳娜娜", "司马懿"]:
        make_person(bureau, name)
    make_admin(bureau, username="bureau-admin")  # a person of the bureau too: 4 rows
    return bureau


def test_it_polls_until_the_file_is_ready_and_downloads_it(page, bureau):
    sign_in(page, "bureau-admin", PASSWORD)
    page.goto(f"/report/{bureau.pk}/")
    page.get_by_role("link", name="Export Excel").click()
    # Too large to write at once: the page offers to prepare it (a POST).
    check_accessibility(page, "export confirmation")
    page.get_by_role("button", name="Prepare the Excel file").click()

    # No worker runs in the test: the job waits in the queue, and the page polls.
    expect(page.get_by_role("heading", name="Queued")).to_be_visible()
    expect(page.get_by_text("0 of 4 rows written.")).to_be_visible()
    check_accessibility(page, "export job")
    job = ExportJob.objects.get()
    ExportJob.objects.filter(pk=job.pk).update(state=ExportJob.State.RUNNING, done=2)
    expect(page.get_by_text("2 of 4 rows written.")).to_be_visible(timeout=5_000)
    page.screenshot(path=ARTIFACTS / "export-job-running.png", full_page=True)
    write_export.call(job_id=job.pk)

    download_link = page.get_by_role("link", name="Download the Excel file")
    expect(download_link).to_be_visible(timeout=5_000)
    page.screenshot(path=ARTIFACTS / "export-job-done.png", full_page=True)
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename == (
        f"report-{bureau.code}-{timezone.localdate().isoformat()}.xlsx"
    )


def test_it_fits_a_phone(phone_page, bureau):
    sign_in(phone_page, "bureau-admin", PASSWORD)
    phone_page.goto(f"/report/{bureau.pk}/")
    phone_page.get_by_role("link", name="Export Excel").click()
    assert_no_horizontal_scroll(phone_page, "export confirmation")
    phone_page.get_by_role("button", name="Prepare the Excel file").click()

    expect(phone_page.get_by_role("heading", name="Queued")).to_be_visible()
    assert_no_horizontal_scroll(phone_page, "export job")
    phone_page.screenshot(path=ARTIFACTS / "export-job-phone.png", full_page=True)
