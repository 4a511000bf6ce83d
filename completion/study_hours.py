"""Study hours (学时): what passes credit, what each person owes a year, and
who in a unit meets it.

A pass credits the hours its completion keeps (`Completion.study_hours`, the
module's when the attempt began), once a cycle. A study year is the calendar
year unless `settings.STUDY_YEAR_START` ("MM-DD") says otherwise; a pass
counts in the year of its local date. A unit's yearly requirement is its own
(`Unit.yearly_study_hours`) or, when blank, that of the nearest unit above
it that sets one; a report works it out in SQL for every row with one CASE
over the few units that set one, deepest first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.formats import number_format

from completion.models import SEGMENT_WIDTH, Certificate, Completion, Employee, Unit
from completion.models.organisation import ancestor_paths

HOURS = DecimalField(max_digits=7, decimal_places=2)
ZERO = Decimal("0")


def format_hours(value: Decimal | None) -> str:
    """Study hours as people write them: 1.5, 0.25, 2 (no trailing zeros),
    in the reader's number format; an en dash for none."""
    if value is None:
        return "–"
    text = format(Decimal(value).quantize(Decimal("0.01")).normalize(), "f")
    return number_format(Decimal(text), decimal_pos=len(text.partition(".")[2]) or None)


def year_start() -> tuple[int, int]:
    """The (month, day) a study year begins on: settings.STUDY_YEAR_START."""
    month, day = (int(part) for part in settings.STUDY_YEAR_START.split("-"))
    return month, day


@dataclass(frozen=True)
class StudyYear:
    """One study year: from `starts_on` to `ends_on` (both included), named
    by the calendar year it begins in."""

    number: int
    starts_on: dt.date
    ends_on: dt.date

    @classmethod
    def numbered(cls, number: int) -> StudyYear:
        month, day = year_start()
        starts_on = dt.date(number, month, day)
        return cls(number, starts_on, dt.date(number + 1, month, day) - dt.timedelta(days=1))

    @classmethod
    def of(cls, day: dt.date) -> StudyYear:
        month, start_day = year_start()
        number = day.year if (day.month, day.day) >= (month, start_day) else day.year - 1
        return cls.numbered(number)

    @property
    def is_calendar_year(self) -> bool:
        return (self.starts_on.month, self.starts_on.day) == (1, 1)

    def __str__(self) -> str:
        if self.is_calendar_year:
            return str(self.number)
        return f"{self.number}–{self.number + 1}"

    def instants(self) -> tuple[dt.datetime, dt.datetime]:
        """The first instant of the year and the first after it, in the
        organisation's time zone: the range a pass's time falls in."""
        zone = timezone.get_default_timezone()
        after = self.ends_on + dt.timedelta(days=1)
        return (
            dt.datetime.combine(self.starts_on, dt.time.min, tzinfo=zone),
            dt.datetime.combine(after, dt.time.min, tzinfo=zone),
        )

    @property
    def last_instant(self) -> dt.datetime:
        """The year's last moment (local time): what is done by then counts in it."""
        return self.instants()[1] - dt.timedelta(microseconds=1)

    @property
    def previous(self) -> StudyYear:
        return StudyYear.numbered(self.number - 1)

    @property
    def next(self) -> StudyYear:
        return StudyYear.numbered(self.number + 1)


def credited(year: StudyYear) -> QuerySet[Completion]:
    """The completions that credit their hours in `year`: passes in it that
    stand (a revoked certificate's pass does not count until passed again)."""
    start, after = year.instants()
    return Completion.objects.filter(
        completed_at__gte=start, completed_at__lt=after, reopened_at__isnull=True
    )


def hours_of(user, year: StudyYear) -> Decimal:
    """The study hours `user` was credited in `year`."""
    total = credited(year).filter(user=user).aggregate(hours=Sum("study_hours"))["hours"]
    return total or ZERO


def hours_subquery(year: StudyYear, user=None) -> Coalesce:
    """Each row's person's hours in `year`, as a subquery (0 when none);
    `user` names the person (OuterRef("user") by default)."""
    per_person = (
        credited(year)
        .filter(user=user if user is not None else OuterRef("user"))
        .order_by()
        .values("user")
        .annotate(hours=Sum("study_hours"))
        .values("hours")
    )
    return Coalesce(Subquery(per_person, output_field=HOURS), Value(ZERO), output_field=HOURS)


def requirement_of(unit: Unit | None) -> Decimal | None:
    """The yearly requirement of the people in `unit`: its own, or the
    nearest one set above it; none when no unit on the way sets one. One query."""
    if unit is None:
        return None
    return (
        Unit.objects.filter(path__in=ancestor_paths(unit), yearly_study_hours__isnull=False)
        .order_by("-depth")
        .values_list("yearly_study_hours", flat=True)
        .first()
    )


@dataclass
class Requirements:
    """The yearly requirements that apply anywhere in a subtree: the one
    inherited from above its root, and those its units set themselves."""

    inherited: Decimal | Subquery | None  # a subquery when left to the database
    own: list[tuple[str, Decimal]] = field(default_factory=list)  # (path, hours), deepest first

    @classmethod
    def below(cls, root: Unit) -> Requirements:
        """One query: the root's ancestors and the units of its subtree that set one."""
        rows = (
            Unit.objects.filter(
                Q(path__in=ancestor_paths(root)) | Q(path__startswith=root.path),
                yearly_study_hours__isnull=False,
            )
            .order_by("-depth", "path")
            .values_list("path", "depth", "yearly_study_hours")
        )
        inherited, own = None, []
        for path, depth, hours in rows:
            if depth <= root.depth and path != root.path:
                inherited = hours if inherited is None else inherited
            else:
                own.append((path, hours))
        return cls(inherited=inherited, own=own)

    @classmethod
    def of_units(cls, root: Unit, units: list[Unit]) -> Requirements:
        """From `units`, the subtree of `root` already loaded (the report's
        filter lists it): no query. What `root` inherits from above is left
        to the database, as an uncorrelated subquery it reads once."""
        own = sorted(
            (
                (unit.path, unit.yearly_study_hours)
                for unit in units
                if unit.yearly_study_hours is not None and unit.path.startswith(root.path)
            ),
            key=lambda pair: (-len(pair[0]), pair[0]),
        )
        above_paths = ancestor_paths(root)[:-1]
        if not above_paths:  # a top unit inherits nothing
            return cls(inherited=None, own=own)
        above = (
            Unit.objects.filter(path__in=above_paths, yearly_study_hours__isnull=False)
            .order_by("-depth")
            .values("yearly_study_hours")[:1]
        )
        return cls(inherited=Subquery(above, output_field=HOURS), own=own)

    def expression(self, path_field: str = "unit__path"):
        """The requirement of each row's unit, in SQL (NULL where none applies)."""
        fallback = (
            self.inherited
            if hasattr(self.inherited, "resolve_expression")
            else Value(self.inherited, output_field=HOURS)
        )
        if not self.own:
            return fallback
        return Case(
            *(
                When(**{f"{path_field}__startswith": path}, then=Value(hours))
                for path, hours in self.own
            ),
            default=fallback,
            output_field=HOURS,
        )


@dataclass
class BranchHours:
    """A sub-unit's people and how many of them met their requirement."""

    unit: Unit
    direct: bool = False
    people: int = 0
    with_requirement: int = 0
    meeting: int = 0
    hours: Decimal = ZERO

    @property
    def share_meeting(self) -> float | None:
        return self.meeting / self.with_requirement if self.with_requirement else None

    @property
    def average_hours(self) -> Decimal | None:
        return self.hours / self.people if self.people else None


@dataclass
class UnitHours:
    year: StudyYear
    requirements: Requirements
    branches: list[BranchHours]
    total: BranchHours


def unit_hours(
    root: Unit, *, children: list[Unit], year: StudyYear, units: list[Unit] | None = None
) -> UnitHours:
    """Per direct sub-unit of `root` (and its people directly in it): the
    people, the hours they were credited in `year`, and how many met their
    unit's requirement. One GROUP BY query, and one for the requirements
    unless `units` (the subtree) is already loaded."""
    requirements = (
        Requirements.of_units(root, units) if units is not None else Requirements.below(root)
    )
    branch_key = Substr("unit__path", 1, len(root.path) + SEGMENT_WIDTH + 1)
    rows = (
        Employee.objects.filter(unit__path__startswith=root.path)
        .annotate(year_hours=hours_subquery(year), required=requirements.expression())
        .values(branch=branch_key)
        .annotate(
            people=Count("pk"),
            with_requirement=Count("pk", filter=Q(required__isnull=False)),
            meeting=Count("pk", filter=Q(required__isnull=False, year_hours__gte=F("required"))),
            hours=Sum("year_hours"),
        )
        .order_by()
    )
    branches = {root.path: BranchHours(unit=root, direct=True)}
    for child in sorted(children, key=lambda unit: unit.path):
        branches[child.path] = BranchHours(unit=child)
    total = BranchHours(unit=root)
    for row in rows:
        branch = branches[row["branch"]]
        for figures in (branch, total):
            figures.people += row["people"]
            figures.with_requirement += row["with_requirement"]
            figures.meeting += row["meeting"]
            figures.hours += row["hours"] or ZERO
    return UnitHours(
        year=year,
        requirements=requirements,
        branches=[b for b in branches.values() if b.people or not b.direct],
        total=total,
    )


@dataclass
class AnnualRecord:
    """One person's training in one study year: the sheet attached to an
    annual review."""

    employee: Employee | None
    year: StudyYear
    lines: list[Completion]  # each with its valid certificate's serial
    required: Decimal | None
    years: list[int]  # the years with passes on record, for moving between them

    @property
    def hours(self) -> Decimal:
        return sum((line.study_hours for line in self.lines), ZERO)

    @property
    def met(self) -> bool | None:
        return None if self.required is None else self.hours >= self.required

    @property
    def percent(self) -> int:
        if not self.required:
            return 100 if self.required is not None else 0
        return min(100, round(100 * self.hours / self.required))


def annual_record(user, year: StudyYear) -> AnnualRecord:
    """Four queries: the person's place, the requirement there, the year's
    passes with their certificates, and the years that have any."""
    employee = Employee.objects.filter(user=user).select_related("unit").first()
    serial = Certificate.objects.valid().filter(completion=OuterRef("pk")).values("serial")[:1]
    lines = list(
        credited(year)
        .filter(user=user)
        .select_related("module")
        .annotate(certificate_serial=Subquery(serial))
        .order_by("completed_at", "pk")
    )
    years = sorted(
        {
            StudyYear.of(timezone.localdate(at, timezone.get_default_timezone())).number
            for at in Completion.objects.filter(user=user, reopened_at__isnull=True).values_list(
                "completed_at", flat=True
            )
        }
        | {year.number}
    )
    return AnnualRecord(
        employee=employee,
        year=year,
        lines=lines,
        required=requirement_of(employee.unit if employee else None),
        years=years,
    )


@dataclass
class HoursMeter:
    """This year's hours against the requirement, for My training."""

    year: StudyYear
    hours: Decimal
    required: Decimal | None

    @property
    def met(self) -> bool:
        return self.required is not None and self.hours >= self.required

    @property
    def percent(self) -> int:
        if not self.required:
            return 100 if self.required is not None else 0
        return min(100, round(100 * self.hours / self.required))


def hours_meter(user, unit: Unit | None, *, today: dt.date) -> HoursMeter:
    """Two queries: the hours credited this year and the unit's requirement."""
    year = StudyYear.of(today)
    return HoursMeter(year=year, hours=hours_of(user, year), required=requirement_of(unit))
