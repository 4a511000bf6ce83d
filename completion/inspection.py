"""The inspection pack: one Excel workbook with what an inspection of a
unit's confidentiality training asks to see, for the unit and every unit
below it — who assigned what and when (with every due-date change), the
completion ledger, the commitments people confirmed, and every certificate
with its revocation.

Written by the background worker (an `ExportJob` of kind "inspection"), a
sheet at a time with streamed queries, so a province of 100,000 people is
one pass over each table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from completion.exports import CONTROL, FORMULA_STARTS
from completion.models import Assignment, Certificate, Completion, DueDateChange, Unit
from completion.models.organisation import ancestor_paths

CHUNK = 2000


def safe(value):
    """A cell as the report's exports write it: text without control
    characters, never read as a formula; times in local time."""
    if isinstance(value, str):
        value = CONTROL.sub("", value)
        return f"'{value}" if value.startswith(FORMULA_STARTS) else value
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None, microsecond=0)
    return value


def person(user) -> tuple[str, str, str]:
    employee = getattr(user, "employee", None)
    if employee is None:
        return (user.get_full_name() or user.get_username(), "", "")
    unit = employee.unit.name if employee.unit else ""  # a directory person not placed
    return (employee.full_name, employee.employee_number, unit)


def who(user) -> str:
    return person(user)[0] if user is not None else ""


def assignments(unit: Unit) -> QuerySet[Assignment]:
    """The unit's own assignments, those of the units below, those of the
    units above that cover it, and personal ones of its people."""
    return (
        Assignment.objects.filter(
            Q(unit__path__startswith=unit.path)
            | Q(unit__path__in=ancestor_paths(unit))
            | Q(user__employee__unit__path__startswith=unit.path)
        )
        .select_related("module", "unit", "user__employee__unit", "assigned_by__employee__unit")
        .order_by("created_at", "pk")
    )


def due_rule(due_date, days_allowed):
    """A due date as the sheet shows it: the date, or the relative rule."""
    if due_date is not None or days_allowed is None:
        return due_date
    return ngettext(
        "within %(days)d day of being assigned or of joining the unit",
        "within %(days)d days of being assigned or of joining the unit",
        days_allowed,
    ) % {"days": days_allowed}


def in_unit(queryset: QuerySet, unit: Unit) -> QuerySet:
    return queryset.filter(user__employee__unit__path__startswith=unit.path)


def sheets(unit: Unit) -> list[tuple[str, list[str], Callable[[], Iterator[list]], QuerySet]]:
    """(title, headers, rows, the queryset they come from) of each sheet."""
    plan = assignments(unit)
    changes = DueDateChange.objects.filter(assignment__in=plan).select_related(
        "assignment__module", "changed_by__employee__unit"
    )
    completions = in_unit(Completion.objects, unit).select_related(
        "module", "attempt", "user__employee__unit"
    )
    acknowledged = completions.filter(acknowledged_at__isnull=False)
    certificates = in_unit(Certificate.objects, unit).select_related(
        "user__employee__unit", "revoked_by__employee__unit"
    )

    def assignment_rows() -> Iterator[list]:
        for a in plan.iterator(chunk_size=CHUNK):
            target = a.unit.name if a.unit else " ".join(person(a.user)[:2])
            yield [
                a.module.title,
                _("Unit and below") if a.unit else _("One person"),
                target,
                due_rule(a.due_date, a.days_allowed),
                who(a.assigned_by),
                a.created_at,
            ]

    def change_rows() -> Iterator[list]:
        for change in changes.iterator(chunk_size=CHUNK):
            yield [
                change.assignment.module.title,
                due_rule(change.old_due_date, change.old_days_allowed),
                due_rule(change.new_due_date, change.new_days_allowed),
                who(change.changed_by),
                change.changed_at,
            ]

    def completion_rows() -> Iterator[list]:
        for c in completions.order_by("completed_at", "pk").iterator(chunk_size=CHUNK):
            yield [
                *person(c.user),
                c.module.title,
                c.cycle,
                c.completed_at,
                c.score,
                c.attempt.number,
                c.valid_until,
            ]

    def acknowledgement_rows() -> Iterator[list]:
        for c in acknowledged.order_by("acknowledged_at", "pk").iterator(chunk_size=CHUNK):
            yield [*person(c.user)[:2], c.module.title, c.acknowledged_at, c.acknowledgement_text]

    def certificate_rows() -> Iterator[list]:
        for cert in certificates.order_by("issued_at", "pk").iterator(chunk_size=CHUNK):
            yield [
                cert.serial,
                cert.holder_name,
                person(cert.user)[1],
                cert.module_title,
                cert.passed_at,
                cert.valid_until,
                cert.issued_at,
                cert.revoked_at,
                who(cert.revoked_by),
                cert.revoked_reason,
            ]

    return [
        (
            _("Assignments"),
            [_("Module"), _("Assigned to"), _("Whom"), _("Due"), _("Assigned by"), _("Assigned")],
            assignment_rows,
            plan,
        ),
        (
            _("Due-date changes"),
            [_("Module"), _("Old due date"), _("New due date"), _("Changed by"), _("Changed")],
            change_rows,
            changes,
        ),
        (
            _("Completions"),
            [
                _("Name"),
                _("Employee number"),
                _("Unit"),
                _("Module"),
                _("Cycle"),
                _("Completed"),
                _("Score (%)"),
                _("Attempt"),
                _("Valid until"),
            ],
            completion_rows,
            completions,
        ),
        (
            _("Commitments"),
            [_("Name"), _("Employee number"), _("Module"), _("Confirmed"), _("Text confirmed")],
            acknowledgement_rows,
            acknowledged,
        ),
        (
            _("Certificates"),
            [
                _("Serial number"),
                _("Name as issued"),
                _("Employee number"),
                _("Module as issued"),
                _("Passed"),
                _("Valid until"),
                _("Issued"),
                _("Revoked"),
                _("Revoked by"),
                _("Reason for revocation"),
            ],
            certificate_rows,
            certificates,
        ),
    ]


def write(
    unit: Unit, output, *, start: Callable[[int], None], advance: Callable[[int], None]
) -> None:
    """Write the pack of `unit` to `output`; `start` is told the number of
    rows, `advance` how many are written after each sheet."""
    plan = sheets(unit)
    start(sum(queryset.count() for *_rest, queryset in plan))
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    done = 0
    for title, header, rows, _queryset in plan:
        sheet = book.create_sheet(title=title[:31])
        sheet.freeze_panes = "A2"
        cells = []
        for label in header:
            cell = WriteOnlyCell(sheet, value=label)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
        for values in rows():
            sheet.append([safe(value) for value in values])
            done += 1
        advance(done)
    book.save(output)
