"""The per-person table as CSV and Excel, with the filters of the page.

Names and unit names are typed by people, so a cell that a spreadsheet would
read as a formula (=, +, -, @, or a leading tab or carriage return) is
prefixed with an apostrophe and stays text.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from completion.models import TrainingStatus
from completion.reports import COLUMNS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
STATUS_LABELS = dict(TrainingStatus.choices)


def neutralise(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def headers() -> list[str]:
    return [str(label) for _, label in COLUMNS]


def cells(row: dict) -> list:
    """One table row as export values: text made safe, times local."""
    values = []
    for key, _label in COLUMNS:
        value = row[key]
        if key == "training_status":
            value = str(STATUS_LABELS[value])
        if isinstance(value, datetime):
            value = timezone.localtime(value).replace(tzinfo=None, microsecond=0)
        if isinstance(value, str):
            value = neutralise(value)
        values.append(value)
    return values


class Echo:
    """A file-like object whose write() returns the line, for streaming."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[dict]) -> Iterator[str]:
    writer = csv.writer(Echo())
    # A byte-order mark so Excel opens Chinese names as UTF-8.
    yield "\ufeff" + writer.writerow(headers())
    for row in rows:
        yield writer.writerow(
            [str(value) if isinstance(value, date) else value for value in cells(row)]
        )


def workbook(rows: Iterable[dict], *, title: str) -> Workbook:
    book = Workbook(write_only=True)
    # Sheet names cannot hold []:*?/\ and are at most 31 characters long.
    sheet = book.create_sheet(title=re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Report")
    sheet.freeze_panes = "A2"
    for index, width in enumerate([14, 16, 22, 30, 22, 10, 10, 20, 12, 20]):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    bold = Font(bold=True)
    header_cells = []
    for label in headers():
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append(cells(row))
    return book
