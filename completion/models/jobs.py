"""Background jobs: a unit admin's request too large to do while they wait.

The worker (`manage.py db_worker`) does the work and the job's page shows
how far it has got. The report export and the bulk certificate print are
both jobs: they share their fields, their states and who may see them.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from completion.models.organisation import Unit


class BackgroundJobQuerySet(models.QuerySet):
    def visible_to(self, user) -> BackgroundJobQuerySet:
        """The jobs `user` may follow and download: the ones they asked for,
        while they still administer the job's unit.

        Export and print jobs follow this one rule. A job's file is a copy of
        a unit's personal data made at one person's request; another admin of
        the unit makes their own from the report or the print page, so no
        copy travels further than the person who asked for it. An admin who
        has since lost their rights over the unit loses its jobs with them."""
        return self.filter(requested_by=user, unit__in=Unit.objects.administered_by(user))

    def unfinished(self) -> BackgroundJobQuerySet:
        return self.filter(state__in=[BackgroundJob.State.QUEUED, BackgroundJob.State.RUNNING])

    def stalled(self, *, now=None) -> BackgroundJobQuerySet:
        """Unfinished jobs that have made no progress for JOB_STALL_MINUTES:
        their worker was stopped (killed, or the machine went down)."""
        now = now or timezone.now()
        return self.unfinished().filter(
            progressed_at__lt=now - timedelta(minutes=settings.JOB_STALL_MINUTES)
        )

    def expired(self, *, now=None) -> BackgroundJobQuerySet:
        """Jobs older than EXPORT_RETENTION_DAYS: their files hold personal
        data and are not kept longer than someone needs to download them."""
        now = now or timezone.now()
        return self.filter(created_at__lt=now - timedelta(days=settings.EXPORT_RETENTION_DAYS))

    def fail_stalled(self, *, now=None) -> int:
        return self.stalled(now=now).update(
            state=BackgroundJob.State.FAILED,
            error="No progress for a while: the worker stopped. Start it again.",
            finished_at=now or timezone.now(),
        )

    def discard(self) -> int:
        """Delete these jobs and their files (what deleting a job means)."""
        count = 0
        for job in self:
            job.discard()
            count += 1
        return count


class BackgroundJob(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        # Not the quiz's "Failed" (did not pass): the job broke off.
        FAILED = "failed", pgettext_lazy("background job", "Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    filters = models.JSONField(default=dict)
    # The requester's language when they asked: the file is written in it.
    language = models.CharField(max_length=10, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Moved on by every state change and every step of progress: a job that
    # stops moving was abandoned by its worker (see `stalled`).
    progressed_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = BackgroundJobQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def is_finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    # The state changes, each one UPDATE of this job's row (the worker never
    # saves a whole job, so nothing it read earlier is written back).

    def _update(self, **fields) -> None:
        fields["progressed_at"] = timezone.now()
        type(self).objects.filter(pk=self.pk).update(**fields)
        for name, value in fields.items():
            setattr(self, name, value)

    @classmethod
    def too_many_for(cls, user) -> bool:
        """Whether `user` already has MAX_RUNNING_JOBS of this kind unfinished."""
        return cls.objects.filter(requested_by=user).unfinished().count() >= (
            settings.MAX_RUNNING_JOBS
        )

    @property
    def is_stalled(self) -> bool:
        limit = timedelta(minutes=settings.JOB_STALL_MINUTES)
        return not self.is_finished and timezone.now() - self.progressed_at > limit

    def new_file_name(self, extension: str) -> str:
        """A random name for the file kept: nothing in it to guess, and
        nothing in it that says whose data it holds."""
        return f"{secrets.token_urlsafe(18)}.{extension}"

    def discard(self) -> None:
        """Delete the job and its file: no file outlives its job."""
        with transaction.atomic():
            name = self.file.name
            self.delete()
            if name:
                transaction.on_commit(lambda: default_storage.delete(name))

    def start(self, *, total: int) -> None:
        self._update(state=self.State.RUNNING, total=total, done=0)

    def advance(self, done: int) -> None:
        self._update(done=done)

    def fail(self, error: str) -> None:
        self._update(state=self.State.FAILED, error=error, finished_at=timezone.now())

    def finish(self) -> None:
        self._update(state=self.State.DONE, file=self.file.name, finished_at=timezone.now())


class ExportJob(BackgroundJob):
    """A report export written by the worker (Excel files of many rows)."""

    class Kind(models.TextChoices):
        XLSX = "xlsx", _("Excel")
        # The unit's inspection pack (completion/inspection.py), also Excel.
        INSPECTION = "inspection", _("Inspection pack")

    # `filters` holds the report page's query (module, status, sub-unit, name,
    # sort), read again by the task through the page's own filter form.
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.XLSX)
    file = models.FileField(upload_to="exports/", blank=True)

    def __str__(self) -> str:
        return f"{self.unit} {self.kind} ({self.get_state_display()})"

    @property
    def filename(self) -> str:
        """The name the file downloads as, dated the day it was asked for."""
        day = timezone.localdate(self.created_at).isoformat()
        name = "inspection" if self.kind == self.Kind.INSPECTION else "report"
        return f"{name}-{self.unit.code}-{day}.xlsx"

    @property
    def stored_name(self) -> str:
        return self.new_file_name("xlsx")


class ScheduledRun(models.Model):
    """When a task of the worker's schedule (settings.SCHEDULE) was last
    enqueued. One row a task, locked while it is checked, so several workers
    never enqueue the same run twice."""

    task = models.CharField(max_length=200, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.task} ({self.last_enqueued_at})"
