"""Send the reminders and digests due now, once each (completion/reminders.py).

    python manage.py send_reminders [--dry-run]

The worker runs the same on its schedule (REMINDER_MINUTES); sites that
prefer cron run this command instead.
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from completion import reminders


class Command(BaseCommand):
    help = "Send the email reminders and unit admins' digests that are due, each once."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List what is due without sending or recording."
        )
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            help="Work out what is due as on this date (YYYY-MM-DD), to try the calendar.",
        )

    def handle(self, *args, dry_run: bool = False, today: date | None = None, **options) -> None:
        outcome = reminders.run(today=today, dry_run=dry_run, report=self.stdout.write)
        if dry_run:
            self.stdout.write(f"{outcome.left} due (dry run: nothing sent or recorded).")
            return
        summary = f"{len(outcome.sent)} sent, {len(outcome.failed)} failed."
        if outcome.unreachable:
            self.stderr.write(
                f"{summary} The mail server could not be reached ({outcome.unreachable}); "
                f"{outcome.left} more wait for the next run."
            )
            raise CommandError("mail server unreachable")
        self.stdout.write(self.style.SUCCESS(summary) if not outcome.failed else summary)
