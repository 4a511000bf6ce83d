"""Work the background worker does on a clock: settings.SCHEDULE maps a task
(its dotted path) to how many minutes apart it runs (0: not at all).

`manage.py worker` checks the schedule every half minute and enqueues what is
due; the tasks then run on the worker like any other job. A deployment with
several workers is safe: the last run of each task is a row locked while it
is checked (`ScheduledRun`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from completion.models import ScheduledRun


def run_due(*, now: datetime | None = None) -> list[str]:
    """Enqueue every scheduled task whose time has come; returns their paths."""
    now = now or timezone.now()
    enqueued = []
    for path, minutes in settings.SCHEDULE.items():
        if not minutes:
            continue
        with transaction.atomic():
            ScheduledRun.objects.get_or_create(task=path)
            run = ScheduledRun.objects.select_for_update().get(task=path)
            due = run.last_enqueued_at is None or (
                run.last_enqueued_at + timedelta(minutes=minutes) <= now
            )
            if not due:
                continue
            run.last_enqueued_at = now
            run.save(update_fields=["last_enqueued_at"])
            import_string(path).enqueue()
        enqueued.append(path)
    return enqueued
