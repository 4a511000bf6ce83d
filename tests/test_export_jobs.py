"""Large Excel exports of the unit report, written by a background job."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from completion import exports
from completion.models import Assignment, ExportJob
from completion.tasks import write_export
from tests.factories import (
    local,
    make_admin,
    make_attempt,
    make_person,
)

pytestmark = pytest.mark.django_db
QUERY = "?status=not_started&sort=-name"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def org(org, media_root, immediate_tasks):
    """The shared organisation, everyone assigned its module, due in five
    days: in 甲局 李明 (passed), a name that is a formula and 王芳, in 乙局
    钱芳; admins of 甲局, of 乙局 (a stranger to 甲局) and of the province.
    Jobs run at once."""
    module = org["module"]
    Assignment.objects.assign(
        module=module,
        unit=org["province"],
        due_date=timezone.localdate() + timedelta(days=5),
        by=None,
    )
    make_attempt(make_person(org["bureau"], "李明"), module, score=100, at=local(2026, 1, 1, 9))
    make_person(org["bureau"], '=HYPERLINK("http://evil")')
    make_person(org["bureau"], "王芳")
    make_person(org["sibling"], "钱芳")
    org["admin"] = make_admin(org["bureau"])
    org["stranger"] = make_admin(org["sibling"])
    org["province_admin"] = make_admin(org["province"])
    return org


@pytest.fixture
def in_background(monkeypatch):
    """Every Excel export counts as large."""
    monkeypatch.setattr(exports, "DIRECT_XLSX_ROWS", 0)


def sheet_rows(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def export_url(org) -> str:
    return reverse("completion:report_xlsx", args=[org["bureau"].pk]) + QUERY


def job_urls(job) -> list[str]:
    return [
        reverse("completion:export_job", args=[job.pk]),
        reverse("completion:export_download", args=[job.pk]),
    ]


def make_job(org, **fields) -> ExportJob:
    return ExportJob.objects.create(
        requested_by=org["admin"], unit=org["bureau"], language="en", **fields
    )


def test_it_answers_a_small_export_directly(client, org):
    client.force_login(org["admin"])

    response = client.get(export_url(org))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    assert len(sheet_rows(response.content)) == 1 + 3  # header, three not started
    assert not ExportJob.objects.exists()


def test_it_answers_directly_up_to_the_threshold_and_not_beyond(client, org, monkeypatch):
    client.force_login(org["admin"])
    monkeypatch.setattr(exports, "DIRECT_XLSX_ROWS", 3)  # the filter has three rows
    assert client.get(export_url(org)).status_code == 200
    assert not ExportJob.objects.exists()

    monkeypatch.setattr(exports, "DIRECT_XLSX_ROWS", 2)
    # Beyond it, the link offers to prepare the file; only a POST starts the job.
    confirm = client.get(export_url(org))
    assert confirm.status_code == 200 and not ExportJob.objects.exists()
    assert "Prepare the Excel file" in confirm.content.decode()
    assert client.post(export_url(org)).status_code == 302
    assert ExportJob.objects.count() == 1


def test_it_writes_a_large_export_in_the_background_with_the_page_rows(client, org, in_background):
    client.force_login(org["admin"])
    page = client.get(reverse("completion:unit_report", args=[org["bureau"].pk]) + QUERY)
    on_screen = [row["full_name"] for row in page.context["page"].object_list]

    response = client.post(export_url(org))

    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("completion:export_job", args=[job.pk])
    assert (job.requested_by, job.unit, job.kind) == (org["admin"], org["bureau"], "xlsx")
    assert job.filters == {"status": "not_started", "sort": "-name"}
    assert (job.state, job.total, job.done) == (ExportJob.State.DONE, 3, 3)
    assert job.finished_at is not None

    download = client.get(reverse("completion:export_download", args=[job.pk]))
    assert download["Content-Type"] == XLSX
    assert download["Content-Disposition"] == (
        f'attachment; filename="report-{org["bureau"].code}-{timezone.localdate()}.xlsx"'
    )
    rows = sheet_rows(b"".join(download.streaming_content))
    assert rows[0][:5] == ("Name", "Employee number", "Unit", "Module", "Status")
    assert [row[0].lstrip("'") for row in rows[1:]] == on_screen
    assert {row[4] for row in rows[1:]} == {"Not started"}
    assert "钱芳" not in str(rows)  # another unit: never exported


def test_it_still_neutralises_formulas_in_a_background_export(client, org, in_background):
    client.force_login(org["admin"])
    client.post(export_url(org))

    job = ExportJob.objects.get()
    with job.file.open("rb") as file:
        names = [row[0] for row in sheet_rows(file.read())[1:]]
    assert '\'=HYPERLINK("http://evil")' in names
    assert not any(name.startswith("=") for name in names)


def test_it_writes_headers_in_the_language_the_export_was_asked_in(client, org, in_background):
    client.force_login(org["admin"])
    client.post(export_url(org), HTTP_ACCEPT_LANGUAGE="zh-hans")

    job = ExportJob.objects.get()
    assert job.language == "zh-hans"
    with job.file.open("rb") as file:
        rows = sheet_rows(file.read())
    assert rows[0][0] == "姓名"
    assert rows[1][4] != "Not started"


def test_it_shows_progress_while_the_job_runs(client, org, django_assert_num_queries):
    job = make_job(org, state=ExportJob.State.RUNNING, total=40000, done=15000)
    client.force_login(org["admin"])
    url = reverse("completion:export_job", args=[job.pk])

    # Session, user, the job with its unit (scoped to the admin's units) and
    # the navigation's admin check.
    with django_assert_num_queries(4):
        response = client.get(url)

    text = response.content.decode()
    assert "Running" in text
    assert f'data-hx-get="{url}"' in text
    assert 'value="15000"' in text
    assert "15,000 of 40,000 rows written." in text
    assert f'href="{url}"' in text  # the refresh link, without JavaScript
    assert reverse("completion:export_download", args=[job.pk]) not in text


def test_it_answers_htmx_polling_with_the_progress_alone(client, org):
    job = make_job(org, state=ExportJob.State.QUEUED, total=40000)
    client.force_login(org["admin"])

    response = client.get(reverse("completion:export_job", args=[job.pk]), HTTP_HX_REQUEST="true")

    text = response.content.decode()
    assert text.lstrip().startswith('<section id="job-progress"')
    assert "Queued" in text
    assert "<html" not in text


def test_it_offers_the_file_when_ready_and_stops_polling(client, org, in_background):
    client.force_login(org["admin"])
    client.post(export_url(org))
    job = ExportJob.objects.get()

    response = client.get(reverse("completion:export_job", args=[job.pk]))

    text = response.content.decode()
    assert "Ready" in text
    assert reverse("completion:export_download", args=[job.pk]) in text
    assert "hx-get" not in text


def test_it_refuses_the_file_before_it_is_ready(client, org):
    job = make_job(org, state=ExportJob.State.RUNNING, total=40000)
    client.force_login(org["admin"])

    response = client.get(reverse("completion:export_download", args=[job.pk]))

    assert response.status_code == 404


def test_it_marks_the_job_failed_when_writing_fails(client, org, in_background, monkeypatch):
    def broken(rows, *, root):
        raise OSError("No space left on device")

    monkeypatch.setattr(exports, "workbook", broken)
    client.force_login(org["admin"])
    client.post(export_url(org))

    job = ExportJob.objects.get()
    assert job.state == ExportJob.State.FAILED
    assert job.error == "No space left on device"
    assert not job.file
    page = client.get(reverse("completion:export_job", args=[job.pk])).content.decode()
    assert "Failed" in page
    assert "The export failed: no file was written." in page
    assert "hx-get" not in page
    assert client.get(reverse("completion:export_download", args=[job.pk])).status_code == 404


def test_it_runs_as_the_worker_runs_it_with_the_filters_kept(org):
    # As `manage.py db_worker` would run it, without a request around it.
    job = make_job(org, filters={"name": "李"})

    write_export.call(job_id=job.pk)

    job.refresh_from_db()
    assert (job.state, job.total, job.done) == (ExportJob.State.DONE, 1, 1)
    with job.file.open("rb") as file:
        assert [row[0] for row in sheet_rows(file.read())[1:]] == ["李明"]


def test_it_is_a_404_for_an_admin_of_another_unit(client, org, in_background):
    client.force_login(org["admin"])
    client.post(export_url(org))
    job = ExportJob.objects.get()

    client.force_login(org["stranger"])
    for url in job_urls(job):
        assert client.get(url).status_code == 404


def test_it_keeps_the_file_to_its_requester(client, org, in_background):
    # Even an admin of the unit above makes their own export: a job's file is
    # a copy made for the person who asked (completion.models.jobs).
    client.force_login(org["admin"])
    client.post(export_url(org))
    job = ExportJob.objects.get()
    for url in job_urls(job):
        assert client.get(url).status_code == 200

    client.force_login(org["province_admin"])
    for url in job_urls(job):
        assert client.get(url).status_code == 404


def test_it_sends_a_signed_out_visitor_to_sign_in(client, org):
    job = make_job(org, state=ExportJob.State.DONE)
    for url in job_urls(job):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_it_shows_an_administrator_why_a_job_failed(admin_client, org):
    job = make_job(org, state=ExportJob.State.FAILED, error="No space left on device")

    response = admin_client.get(reverse("admin:completion_exportjob_change", args=[job.pk]))

    assert response.status_code == 200
    assert "No space left on device" in response.content.decode()
