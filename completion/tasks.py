"""Background jobs of the completion app, run by `manage.py db_worker`."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

from django.core.files import File
from django.utils import timezone, translation
from django_tasks import task

from completion import exports
from completion.certificate_models import BulkPrintJob, Certificate
from completion.certificates import CHUNK_SIZE, write_bulk_pdf
from completion.forms import report_table
from completion.models import ExportJob
from completion.reports import Table

# Rows an export job reads at a time, and so how often its page learns how
# far it has got.
PROGRESS_EVERY = 5000


def _in_order(ids: list[int]) -> Iterator[Certificate]:
    """The certificates of `ids`, in that order, fetched a chunk at a time so
    only one chunk of rows is in memory whatever the selection size."""
    for start in range(0, len(ids), CHUNK_SIZE):
        batch = ids[start : start + CHUNK_SIZE]
        by_id = Certificate.objects.in_bulk(batch)
        yield from (by_id[pk] for pk in batch if pk in by_id)


@task()
def print_certificates(job_id: int) -> None:
    """Render a bulk print job's certificates into one PDF, one a page, and
    keep it in the default storage, where any app server can serve it."""
    job = BulkPrintJob.objects.select_related("unit").get(pk=job_id)
    ids = list(job.certificates().values_list("pk", flat=True))
    BulkPrintJob.objects.filter(pk=job.pk).update(
        state=BulkPrintJob.State.RUNNING, total=len(ids), done=0
    )

    def progress(done: int) -> None:
        BulkPrintJob.objects.filter(pk=job.pk).update(done=done)

    try:
        with (
            translation.override(job.filters.get("language")),
            tempfile.TemporaryFile() as output,
        ):
            write_bulk_pdf(_in_order(ids), output, progress=progress)
            output.seek(0)
            job.file.save(f"certificates-{job.pk}.pdf", File(output), save=False)
    except Exception as error:
        BulkPrintJob.objects.filter(pk=job.pk).update(
            state=BulkPrintJob.State.FAILED, error=str(error), finished_at=timezone.now()
        )
        raise
    BulkPrintJob.objects.filter(pk=job.pk).update(
        state=BulkPrintJob.State.DONE, file=job.file.name, finished_at=timezone.now()
    )


def _in_chunks(table: Table, keys: list[tuple[int, int]], progress) -> Iterator[dict]:
    """The rows of `keys` (read first, in the table's order), a chunk at a time.

    No cursor stays open while progress is written: on SQLite a write from a
    connection still reading an older snapshot fails with "database is
    locked" as soon as anyone else (a sign-in, another job) has written."""
    for start in range(0, len(keys), PROGRESS_EVERY):
        yield from table.rows_of(keys[start : start + PROGRESS_EVERY])
        progress(min(start + PROGRESS_EVERY, len(keys)))


@task()
def write_export(job_id: int) -> None:
    """Write a report export too large for a request, with the filters and
    language of the page it was asked from, into the default storage."""
    job = ExportJob.objects.select_related("unit").get(pk=job_id)
    jobs = ExportJob.objects.filter(pk=job.pk)
    try:
        with (
            translation.override(job.language or None),
            tempfile.TemporaryFile() as output,
        ):
            _form, _filters, table = report_table(job.unit, job.filters)
            keys = table.keys()
            jobs.update(state=ExportJob.State.RUNNING, total=len(keys), done=0)
            rows = _in_chunks(table, keys, lambda done: jobs.update(done=done))
            exports.workbook(rows, title=job.unit.name).save(output)
            output.seek(0)
            job.file.save(f"report-{job.unit.code}-{job.pk}.xlsx", File(output), save=False)
    except Exception as error:
        jobs.update(state=ExportJob.State.FAILED, error=str(error), finished_at=timezone.now())
        raise
    jobs.update(state=ExportJob.State.DONE, file=job.file.name, finished_at=timezone.now())
