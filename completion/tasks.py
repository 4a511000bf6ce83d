"""Background jobs of the completion app, run by `manage.py db_worker`."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

from django.core.files import File
from django.utils import timezone, translation
from django_tasks import task

from completion.certificate_models import BulkPrintJob, Certificate
from completion.certificates import CHUNK_SIZE, write_bulk_pdf


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
