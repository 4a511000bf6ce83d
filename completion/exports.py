"""The per-person table as CSV and Excel, with the filters of the page.

Names and unit names are typed by people: control characters are taken out
(they would break the file), and a cell that a spreadsheet would read as a
formula (=, +, -, @) is prefixed with an apostrophe and stays text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from completion.models import SEGMENT_WIDTH, TrainingStatus, Unit
from completion.reports import COLUMNS

FORMULA_STARTS = ("=", "+", "-", "@")
# Control characters are taken out of text cells (tabs and line breaks
# among them, which also start formulas in some spreadsheets).
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Above this many rows an Excel export is written by a background task (see
# `tasks.write_export`): openpyxl writes about 10,000 rows a second, so a
# direct answer stays near two seconds (bench/README.md, "Reports").
DIRECT_XLSX_ROWS = 20_000
# A sheet of Excel holds 1,048,576 rows: the header and this many people. A
# larger export (a whole province of a million people has two million rows)
# goes on to another sheet with the header again; Excel would otherwise
# open the file as damaged and drop what is beyond.
SHEET_ROWS = 1_048_575


def safe_text(value: str) -> str:
    """Text as a spreadsheet will keep it: no control characters, and never
    read as a formula."""
    value = CONTROL.sub("", value) if value else value
    return f"'{value}" if value and value[0] in FORMULA_STARTS else value


def headers() -> list[str]:
    return [str(label) for _, label in COLUMNS]


TEXT = ("full_name", "employee_number", "unit_name", "module_title")
MOMENTS = ("assigned_at", "completed_at")


class UnitTrails:
    """A unit's full name from the top of the export down, "省 › 局 › 处":
    a department name alone ("办公室") says nothing once rows from several
    bureaus sit in one file. One query for the subtree's names; each trail
    is worked out once."""

    SEPARATOR = " › "

    def __init__(self, root: Unit):
        self.root = root
        self.names = dict(
            Unit.objects.filter(path__startswith=root.path).values_list("path", "name")
        )
        self.trails: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        trail = self.trails.get(path)
        if trail is None:
            # Paths are fixed-width segments ending in "/": each prefix that
            # ends a segment, from the root's own path down, is one unit.
            cuts = range(len(self.root.path), len(path) + 1, SEGMENT_WIDTH + 1)
            trail = self.SEPARATOR.join(self.names[path[:cut]] for cut in cuts)
            self.trails[path] = trail
        return trail


def cells_of(rows: Iterable[dict], root: Unit) -> Iterator[list]:
    """The table rows as export values: text made safe, statuses in words,
    times in local time, the unit as its trail below `root`. Written for
    speed: an export may hold 300,000 rows."""
    labels = {code: str(label) for code, label in TrainingStatus.choices}
    zone = timezone.get_default_timezone()
    keys = [key for key, _label in COLUMNS]
    trail = UnitTrails(root)
    for row in rows:
        row["unit_name"] = trail(row["unit_path"])
        for key in TEXT:
            # A control character typed into a name (through the admin, or
            # a directory) would make the Excel writer refuse the whole file.
            row[key] = safe_text(row[key])
        row["training_status"] = labels[row["training_status"]]
        for key in MOMENTS:
            if row[key] is not None:
                row[key] = row[key].astimezone(zone).replace(tzinfo=None, microsecond=0)
        yield [row[key] for key in keys]


def csv_lines(rows: Iterable[dict], *, root: Unit, batch: int = 1000) -> Iterator[str]:
    """The CSV text in pieces of `batch` rows, for a streaming response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # A byte-order mark so Excel opens Chinese names as UTF-8.
    buffer.write("\ufeff")
    writer.writerow(headers())
    # csv writes dates and times as str() does: 2026-03-10, 2026-03-10 09:30:00.
    for number, values in enumerate(cells_of(rows, root), start=1):
        writer.writerow(values)
        if number % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def workbook(rows: Iterable[dict], *, root: Unit) -> Workbook:
    book = Workbook(write_only=True)
    # Sheet names cannot hold []:*?/\ and are at most 31 characters long.
    title = re.sub(r"[\[\]:*?/\\]", " ", root.name)[:31] or "Report"
    sheet = add_sheet(book, title)
    for number, values in enumerate(cells_of(rows, root), start=1):
        if number > 1 and (number - 1) % SHEET_ROWS == 0:
            sheet = add_sheet(book, f"{title[:25]} ({(number - 1) // SHEET_ROWS + 1})")
        sheet.append(values)
    return book


def add_sheet(book: Workbook, title: str):
    """A sheet of the export: its column widths, and the header row frozen
    in bold."""
    sheet = book.create_sheet(title=title)
    sheet.freeze_panes = "A2"
    for index, width in enumerate([14, 16, 36, 30, 22, 10, 10, 20, 12, 12, 20, 12]):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    bold = Font(bold=True)
    header_cells = []
    for label in headers():
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    return sheet
