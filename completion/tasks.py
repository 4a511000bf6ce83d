"""Background jobs of the completion app, run by `manage.py db_worker`."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import IO

from django.core.files import File
from django.utils import timezone, translation
from django_tasks import task

from completion import directory, exports, inspection, invitations, reminders
from completion.forms import report_table
from completion.models import (
    BackgroundJob,
    BulkPrintJob,
    Certificate,
    ExportJob,
    Invitation,
    PublicLookup,
    Unit,
    local_today,
)
from completion.pdf import CHUNK_SIZE, write_bulk_pdf
from completion.reports import Table

logger = logging.getLogger(__name__)

# Rows an export job reads at a time, and so how often its page learns how
# far it has got.
PROGRESS_EVERY = 5000


def _run(job: BackgroundJob, write: Callable[[IO[bytes]], None]) -> None:
    """Run `write` into a scratch file, in the requester's language, and keep
    the file in the default storage, where any app server can serve it. The
    job ends done or failed; `write` starts it and reports progress."""
    try:
        with translation.override(job.language or None), tempfile.TemporaryFile() as output:
            write(output)
            output.seek(0)
            job.file.save(job.stored_name, File(output), save=False)
    except Exception as error:
        job.fail(str(error))
        raise
    job.finish()


def _in_order(ids: list[int]) -> Iterator[Certificate]:
    """The certificates of `ids`, in that order, fetched a chunk at a time so
    only one chunk of rows is in memory whatever the selection size."""
    for start in range(0, len(ids), CHUNK_SIZE):
        batch = ids[start : start + CHUNK_SIZE]
        by_id = Certificate.objects.in_bulk(batch)
        yield from (by_id[pk] for pk in batch if pk in by_id)


@task()
def print_certificates(job_id: int) -> None:
    """Render a bulk print job's certificates into one PDF, one a page."""
    job = BulkPrintJob.objects.select_related("unit").get(pk=job_id)

    def write(output: IO[bytes]) -> None:
        ids = list(job.certificates().values_list("pk", flat=True))
        job.start(total=len(ids))
        write_bulk_pdf(_in_order(ids), output, progress=job.advance)

    _run(job, write)


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
    """Write a report export too large for a request, with the filters of the
    page it was asked from."""
    job = ExportJob.objects.select_related("unit").get(pk=job_id)

    def write(output: IO[bytes]) -> None:
        if job.kind == ExportJob.Kind.INSPECTION:
            inspection.write(
                job.unit, output, start=lambda total: job.start(total=total), advance=job.advance
            )
            return
        _form, _filters, table = report_table(job.unit, job.filters)
        keys = table.keys()
        job.start(total=len(keys))
        exports.workbook(_in_chunks(table, keys, job.advance), root=job.unit).save(output)

    _run(job, write)


@task()
def housekeeping() -> dict[str, int]:
    """Run on the worker's schedule: jobs whose worker stopped are marked
    failed, jobs past their retention are deleted with their files, and
    the public lookup's counts older than a minute are cleared."""
    stalled = sum(model.objects.fail_stalled() for model in (ExportJob, BulkPrintJob))
    expired = sum(model.objects.expired().discard() for model in (ExportJob, BulkPrintJob))
    lookups, _ = PublicLookup.objects.filter(at__lt=timezone.now() - timedelta(minutes=1)).delete()
    return {"stalled": stalled, "expired": expired, "lookups": lookups}


@task()
def sync_directory() -> dict[str, int]:
    """`manage.py sync_directory` on the worker's schedule
    (DIRECTORY_SYNC_MINUTES); a directory that cannot be read fails the run,
    which the worker logs, and the next run tries again."""
    counts = directory.sync()
    for problem in counts.problems:
        logger.warning("Directory entry skipped: %s", problem)
    summary = {name: getattr(counts, name) for name in directory.COUNTED}
    logger.info("Directory synchronised: %s", summary)
    return summary


@task()
def send_reminders() -> dict[str, int | str]:
    """Run on the worker's schedule (REMINDER_MINUTES): the reminders and
    digests due now, each once. An unreachable mail server is logged and
    returned, and the next run tries again."""
    outcome = reminders.run(report=lambda line: None)
    return {
        "sent": len(outcome.sent),
        "failed": len(outcome.failed),
        "left": outcome.left,
        "unreachable": outcome.unreachable,
    }


@task()
def send_invitations(invitation_ids: list[int]) -> dict[str, int | str]:
    """Send the invitations an import recorded (completion/invitations.py),
    those still pending; an unreachable mail server is logged and returned."""
    pending = Invitation.objects.filter(pk__in=invitation_ids, outcome=Invitation.Outcome.PENDING)
    outcome = invitations.send(pending.order_by("pk"))
    return {
        "sent": len(outcome.sent),
        "failed": len(outcome.failed),
        "unreachable": outcome.unreachable,
    }


@task()
def remind_overdue_now(unit_id: int, filters: dict[str, str]) -> dict[str, int | str]:
    """ "Remind now" for a filter with too many people to send to while the
    unit admin waits: the same plan, worked out again when the worker runs
    (anyone reminded meanwhile is skipped)."""
    unit = Unit.objects.get(pk=unit_id)
    form, _filters, table = report_table(unit, filters)
    modules = {module.pk: module for module in form.modules.values()}
    plan = reminders.plan_now(table.by_module, modules, local_today())
    outcome = reminders.send(plan.planned)
    return {
        "sent": len(outcome.sent),
        "failed": len(outcome.failed),
        "skipped": plan.skipped,
        "unreachable": outcome.unreachable,
    }
