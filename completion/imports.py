"""The employee CSV import: all rows are checked before any is written.

A file with one bad row imports nothing and lists every problem with its row
number, so the admin fixes the file and uploads it again. Importing the same
file twice changes nothing: people are matched by employee number.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from completion.models import Employee, Unit

COLUMNS = ["full_name", "employee_number", "unit_code", "email"]
MAX_ROWS = 20_000
# Checked before the file is read: a larger file is refused at once.
MAX_BYTES = 5 * 1024 * 1024
# A control character (a NUL, an escape, a line break inside a cell …) has no
# place in a name or a code, and would break the exports of every unit above.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def column_limits() -> dict[str, int]:
    """The longest value each column may hold: the database's own limits."""
    return {
        "full_name": Employee._meta.get_field("full_name").max_length,
        "employee_number": Employee._meta.get_field("employee_number").max_length,
        "unit_code": Unit._meta.get_field("code").max_length,
        "email": get_user_model()._meta.get_field("email").max_length,
    }


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


def read(upload: UploadedFile, *, root: Unit) -> tuple[list[Row], list[Problem]]:
    """Parse and validate the whole file against `root`'s subtree."""
    if upload.size > MAX_BYTES:
        return [], [Problem(0, _("The file is larger than 5 MB. Split it into smaller files."))]
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [Problem(0, _("The file is not UTF-8 text. Save it as “CSV UTF-8”."))]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in reader.fieldnames or []]
    except csv.Error:
        return [], [Problem(1, _("The header row is not valid CSV."))]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        return [], [Problem(1, _("Missing columns: %(names)s") % {"names": ", ".join(missing)})]
    reader.fieldnames = header

    records, problems = [], []
    try:
        for record in reader:
            if len(records) == MAX_ROWS:
                return [], [Problem(0, _("At most %(n)d rows per file.") % {"n": MAX_ROWS})]
            records.append((reader.line_num, record))
    except csv.Error:
        problems.append(
            Problem(reader.line_num, _("This row is not valid CSV (check its quotes)."))
        )
    rows, row_problems = check(records, root=root)
    problems += row_problems
    if not rows and not problems:
        problems.append(Problem(2, _("The file has no rows.")))
    return ([] if problems else rows), sorted(problems, key=lambda problem: problem.row)


def blocked_numbers(numbers: list[str], *, root: Unit) -> set[str]:
    """Employee numbers no import from `root` may touch: people filed
    outside its subtree (or in no unit), people kept by the organisation's
    directory, accounts without a staff record, and anyone with rights
    (superusers, staff, unit admins) wherever they are filed."""
    employees = Employee.objects.filter(employee_number__in=numbers)
    elsewhere = employees.exclude(unit__path__startswith=root.path) | employees.filter(
        from_directory=True
    )
    privileged = employees.filter(
        Q(user__is_superuser=True) | Q(user__is_staff=True) | Q(user__admin_of__isnull=False)
    )
    # A new person's account is named after their number: an account of
    # that name held by anyone but that person blocks it.
    accounts = get_user_model().objects.filter(username__in=numbers)
    taken = {
        username
        for username, number, rights in accounts.values_list(
            "username", "employee__employee_number", "is_superuser"
        )
        if number != username or rights
    }
    return {
        *elsewhere.values_list("employee_number", flat=True),
        *privileged.values_list("employee_number", flat=True),
        *taken,
    }


def check(records: list[tuple[int, dict]], *, root: Unit) -> tuple[list[Row], list[Problem]]:
    units = {unit.code: unit for unit in Unit.objects.subtree(root)}
    limits = column_limits()
    numbers = [(record.get("employee_number") or "").strip() for _line, record in records]
    blocked = blocked_numbers(numbers, root=root)

    rows, problems, seen = [], [], {}
    for number, record in records:
        # A cell csv could not fit to a column (more cells than headers) is
        # kept under the key None; it is not ours, so it is not read.
        values = {name: str(record.get(name) or "").strip() for name in COLUMNS}
        if not any(values[name] for name in COLUMNS if name != "unit_code"):
            continue  # a row of the template left unfilled: only its unit code
        reasons = []
        for name in COLUMNS:
            if not values[name]:
                reasons.append(_("%(column)s is empty") % {"column": name})
            elif CONTROL.search(values[name]):
                reasons.append(_("%(column)s holds a control character") % {"column": name})
            elif len(values[name]) > limits[name]:
                reasons.append(
                    _("%(column)s is longer than %(limit)d characters")
                    % {"column": name, "limit": limits[name]}
                )
        unit = units.get(values["unit_code"])
        if values["unit_code"] and unit is None and not reasons:
            reasons.append(
                _("unit code “%(code)s” is not in your unit") % {"code": values["unit_code"]}
            )
        if values["email"] and not reasons:
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
        elif employee_number in blocked:
            # One message whatever the reason, so an import never tells who
            # exists elsewhere or who holds rights.
            reasons.append(
                _("employee number %(number)s cannot be imported from here")
                % {"number": employee_number}
            )
        seen.setdefault(employee_number, number)
        if reasons:
            problems.append(Problem(number, "; ".join(reasons)))
        else:
            rows.append(Row(number, values["full_name"], employee_number, unit, values["email"]))
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
