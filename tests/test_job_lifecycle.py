"""Background jobs end, and their files with them: random file names, no file
left after its job is deleted or its retention is past, a job whose worker
stopped is marked failed, at most MAX_RUNNING_JOBS unfinished per person, and
the worker's schedule runs the housekeeping once per period however many
workers there are."""

import re
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from completion import exports
from completion.models import BulkPrintJob, ExportJob, PublicLookup, ScheduledRun
from completion.schedule import run_due
from completion.tasks import housekeeping
from tests import test_export_jobs
from tests.test_export_jobs import export_url, make_job

# The export tests' organisation, as a fixture of this module too.
org = test_export_jobs.org

pytestmark = pytest.mark.django_db


@pytest.fixture
def large(monkeypatch):
    monkeypatch.setattr(exports, "DIRECT_XLSX_ROWS", 0)


def test_files_get_random_names_that_say_nothing_of_their_unit(client, org, large):
    client.force_login(org["admin"])
    client.post(export_url(org))
    client.post(export_url(org))
    first, second = (job.file.name for job in ExportJob.objects.order_by("pk"))
    assert first != second
    for name in (first, second):
        # The whole name is the random token (secrets.token_urlsafe, 24
        # characters) and the extension: no unit code, no "report", nothing
        # else. (Looking for the code "B1" inside it failed whenever the
        # random characters happened to spell it, about one run in ninety.)
        assert re.fullmatch(r"exports/[A-Za-z0-9_-]{24}\.xlsx", name), name


def test_deleting_a_job_deletes_its_file(
    client,
    org,
    large,
    admin_client,
    django_capture_on_commit_callbacks,
):
    client.force_login(org["admin"])
    client.post(export_url(org))
    job = ExportJob.objects.get()
    assert default_storage.exists(job.file.name)
    # The file goes once the deletion is committed.
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:completion_exportjob_delete", args=[job.pk]), {"post": "yes"}
        )
    assert not ExportJob.objects.exists()
    assert not default_storage.exists(job.file.name)


def test_housekeeping_purges_jobs_past_their_retention_with_their_files(
    client,
    org,
    large,
    settings,
    django_capture_on_commit_callbacks,
):
    client.force_login(org["admin"])
    client.post(export_url(org))
    client.post(export_url(org))
    old, recent = ExportJob.objects.order_by("pk")
    ExportJob.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=settings.EXPORT_RETENTION_DAYS, minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert housekeeping.call()["expired"] == 1
    assert list(ExportJob.objects.all()) == [recent]
    assert not default_storage.exists(old.file.name)
    assert default_storage.exists(recent.file.name)


def test_a_job_without_progress_for_ten_minutes_is_failed_and_can_be_started_again(
    client,
    org,
    large,
):
    stuck = make_job(org, state=ExportJob.State.RUNNING, total=100, done=10)
    ExportJob.objects.filter(pk=stuck.pk).update(
        progressed_at=timezone.now() - timedelta(minutes=11)
    )
    moving = make_job(org, state=ExportJob.State.RUNNING, total=100, done=10)
    client.force_login(org["admin"])
    page = client.get(reverse("completion:export_job", args=[stuck.pk])).content.decode()
    # Its page says so at once and stops polling.
    assert "The export failed" in page and "hx-get" not in page
    stuck.refresh_from_db()
    assert stuck.state == ExportJob.State.FAILED
    moving.refresh_from_db()
    assert moving.state == ExportJob.State.RUNNING
    # Started again from the report: a new job.
    assert client.post(export_url(org)).status_code == 302
    assert ExportJob.objects.count() == 3


def test_housekeeping_fails_stalled_jobs_of_both_kinds(org):
    long_ago = timezone.now() - timedelta(minutes=30)
    export = make_job(org, state=ExportJob.State.QUEUED)
    prints = BulkPrintJob.objects.create(
        requested_by=org["admin"], unit=org["bureau"], state=BulkPrintJob.State.RUNNING
    )
    ExportJob.objects.update(progressed_at=long_ago)
    BulkPrintJob.objects.update(progressed_at=long_ago)
    assert housekeeping.call()["stalled"] == 2
    export.refresh_from_db()
    prints.refresh_from_db()
    assert export.state == prints.state == "failed"


def test_a_get_never_starts_an_export(client, org, large):
    client.force_login(org["admin"])
    response = client.get(export_url(org))
    assert response.status_code == 200
    assert "Prepare the Excel file" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_at_most_three_unfinished_jobs_per_person(client, org, large, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client.force_login(org["admin"])
    for _ in range(3):
        assert client.post(export_url(org)).status_code == 302
    refused = client.post(export_url(org))
    assert refused.status_code == 429
    assert "You already have jobs being prepared" in refused.content.decode()
    assert ExportJob.objects.count() == 3
    # Someone else is not held back by them.
    client.force_login(org["province_admin"])
    assert client.post(export_url(org)).status_code == 302


def test_the_schedule_enqueues_each_task_once_per_period(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.SCHEDULE = {"completion.tasks.housekeeping": 60, "completion.tasks.nothing": 0}
    now = timezone.now()
    assert run_due(now=now) == ["completion.tasks.housekeeping"]
    # A second worker checking at the same moment finds it already enqueued.
    assert run_due(now=now + timedelta(seconds=30)) == []
    assert run_due(now=now + timedelta(minutes=61)) == ["completion.tasks.housekeeping"]
    assert ScheduledRun.objects.count() == 1


def test_housekeeping_clears_old_lookup_counts(db):
    PublicLookup.objects.create(address="10.0.0.1")
    PublicLookup.objects.update(at=timezone.now() - timedelta(minutes=5))
    PublicLookup.objects.create(address="10.0.0.2")
    assert housekeeping.call()["lookups"] == 1
    assert PublicLookup.objects.get().address == "10.0.0.2"
