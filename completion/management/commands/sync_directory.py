"""Bring the site's people in line with the organisation's directory.

    python manage.py sync_directory [--units]

Reads everyone the sign-in filter admits under AUTH_LDAP_USER_SEARCH_BASE
(paged), creates and updates their accounts and employee records, moves
them between units, and makes those gone from the directory inactive.
`--units` first builds the unit tree from the organisational units.
Running it again with nothing changed in the directory changes nothing.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from completion import directory
from completion.directory import COUNTED


class Command(BaseCommand):
    help = "Create, update, move and deactivate people from the organisation's directory."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--units",
            action="store_true",
            help="also build the unit tree from the directory's organisational units",
        )
        parser.add_argument("--page-size", type=int, default=directory.PAGE_SIZE)

    def handle(self, *args, units: bool, page_size: int, **options) -> None:
        try:
            counts = directory.sync(build_units=units, page_size=page_size)
        except directory.DirectoryError as error:
            raise CommandError(str(error)) from error
        for problem in counts.problems:
            self.stderr.write(f"skipped {problem}")
        if units:
            self.stdout.write(
                f"units: created {counts.units_created}, updated {counts.units_updated}, "
                f"moved {counts.units_moved}"
            )
        figures = [f"{name.replace('_', ' ')} {getattr(counts, name)}" for name in COUNTED]
        self.stdout.write(", ".join(figures))
