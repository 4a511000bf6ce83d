"""The employee CSV import: all rows are checked before any is written.

A file with one bad row imports nothing and lists every problem with its row
number, so the admin fixes the file and uploads it again. Importing the same
file twice changes nothing: people are matched by employee number.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from completion.models import Employee, Unit

COLUMNS = ["full_name", "employee_number", "unit_code", "email"]
MAX_ROWS = 20_000


@dataclass
class Row:
    number: int  # the line in the file, header being 1, as a spreadsheet shows it
    full_name: str
    employee_number: str
    unit: Unit
    email: str


@dataclass
class Problem:
    row: int
    message: str


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def read(data: bytes, *, root: Unit) -> tuple[list[Row], list[Problem]]:
    """Parse and validate the whole file against `root`'s subtree."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [Problem(0, _("The file is not UTF-8 text. Save it as “CSV UTF-8”."))]
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        return [], [Problem(1, _("Missing columns: %(names)s") % {"names": ", ".join(missing)})]
    reader.fieldnames = header

    records = list(reader)
    if len(records) > MAX_ROWS:
        return [], [Problem(0, _("At most %(n)d rows per file.") % {"n": MAX_ROWS})]
    units = {unit.code: unit for unit in Unit.objects.subtree(root)}
    numbers = [(record.get("employee_number") or "").strip() for record in records]
    # People already filed elsewhere (outside this admin's subtree) cannot be
    # moved from here; the message does not say where they are.
    elsewhere = set(
        Employee.objects.filter(employee_number__in=numbers)
        .exclude(unit__path__startswith=root.path)
        .values_list("employee_number", flat=True)
    )
    User = get_user_model()
    usernames_taken = set(
        User.objects.filter(username__in=numbers, employee__isnull=True).values_list(
            "username", flat=True
        )
    )

    rows, problems, seen = [], [], {}
    for number, record in enumerate(records, start=2):
        values = {name: (record.get(name) or "").strip() for name in COLUMNS}
        reasons = []
        for name in COLUMNS:
            if not values[name]:
                reasons.append(_("%(column)s is empty") % {"column": name})
        unit = units.get(values["unit_code"])
        if values["unit_code"] and unit is None:
            reasons.append(
                _("unit code “%(code)s” is not in your unit") % {"code": values["unit_code"]}
            )
        if values["email"]:
            try:
                validate_email(values["email"])
            except ValidationError:
                reasons.append(_("“%(email)s” is not an email address") % values)
        employee_number = values["employee_number"]
        if employee_number in seen:
            reasons.append(
                _("employee number %(number)s is also on row %(row)d")
                % {"number": employee_number, "row": seen[employee_number]}
            )
        elif employee_number in elsewhere or employee_number in usernames_taken:
            reasons.append(
                _("employee number %(number)s belongs to someone outside your unit")
                % {"number": employee_number}
            )
        seen.setdefault(employee_number, number)
        if reasons:
            problems.append(Problem(number, "; ".join(reasons)))
        else:
            rows.append(Row(number, values["full_name"], employee_number, unit, values["email"]))
    if not records:
        problems.append(Problem(2, _("The file has no rows.")))
    return rows, problems


@transaction.atomic
def save(rows: list[Row]) -> Outcome:
    """Create or update the people of a validated file. New accounts get an
    unusable password: people sign in once one is set for them."""
    User = get_user_model()
    outcome = Outcome()
    existing = {
        employee.employee_number: employee
        for employee in Employee.objects.filter(
            employee_number__in=[row.employee_number for row in rows]
        ).select_related("user")
    }
    for row in rows:
        employee = existing.get(row.employee_number)
        if employee is None:
            user = User(username=row.employee_number, email=row.email, first_name=row.full_name)
            user.set_unusable_password()
            user.save()
            Employee.objects.create(
                user=user,
                unit=row.unit,
                employee_number=row.employee_number,
                full_name=row.full_name,
            )
            outcome.created += 1
            continue
        changed = (employee.full_name, employee.unit_id, employee.user.email) != (
            row.full_name,
            row.unit.pk,
            row.email,
        )
        if not changed:
            outcome.unchanged += 1
            continue
        employee.full_name, employee.unit = row.full_name, row.unit
        employee.save(update_fields=["full_name", "unit"])
        employee.user.email, employee.user.first_name = row.email, row.full_name
        employee.user.save(update_fields=["email", "first_name"])
        outcome.updated += 1
    return outcome
