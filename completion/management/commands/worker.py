"""The background worker: django-tasks' `db_worker`, plus the schedule.

    python manage.py worker --queue-name '*'

Runs the queued jobs (exports, bulk prints) exactly as `db_worker` does,
and every half minute enqueues what settings.SCHEDULE says is due
(completion.schedule), so a deployment needs no cron for housekeeping.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections
from django_tasks_db.management.commands import db_worker

from completion.schedule import run_due

logger = logging.getLogger(__name__)
CHECK_EVERY = 30  # seconds


def keep_schedule(stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            for path in run_due():
                logger.info("Enqueued %s", path)
        except Exception:
            # A database hiccup must not stop the worker; try again later.
            logger.exception("The schedule could not be checked")
        finally:
            close_old_connections()
        stop.wait(CHECK_EVERY)


class Command(db_worker.Command):
    help = "Run the background worker (db_worker) with the schedule of settings.SCHEDULE."

    def handle(self, *args, **options) -> None:
        stop = threading.Event()
        if not options.get("batch"):
            threading.Thread(target=keep_schedule, args=(stop,), daemon=True).start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
            time.sleep(0)
