"""Campaigns: launching one (the campaign and its assignments, all or
nothing) and its standings, the target units ranked by completion rate the
way national contests rank organisations.

Everything is read from SQL aggregates: one GROUP BY over the report's own
requirements (`reports.requirements`) for the figures of every target unit,
whatever the number of people.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from functools import reduce

from django.db import transaction
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, Value, When

from completion.models import (
    COMPLETED_STATUSES,
    Assignment,
    Campaign,
    Employee,
    TrainingStatus,
    Unit,
)
from completion.reports import requirements, union
from lessons.models import Module


def under_any(paths: list[str], prefix: str = "unit__path") -> Q:
    """Rows whose unit lies in the subtree of any of `paths`."""
    if not paths:
        return Q(pk__in=[])
    return reduce(operator.or_, (Q(**{f"{prefix}__startswith": path}) for path in paths))


@dataclass
class Launched:
    campaign: Campaign
    people: int  # the people of the target units
    already: int  # those of them who were already assigned one of the modules
    existing: int  # assignments that existed already (their due date is the campaign's now)


def launch(
    *,
    unit: Unit,
    name: str,
    starts_on: date,
    ends_on: date,
    modules: list[Module],
    targets: list[Unit],
    due_date: date | None,
    days_allowed: int,
    by,
) -> Launched:
    """Create the campaign and assign each module to each target unit, in
    one transaction: an error half-way leaves neither the campaign nor any
    assignment. Assigning never duplicates (`Assignment.objects.assign`):
    an assignment that exists keeps its history and where it came from,
    and its new due date is recorded as a DueDateChange."""
    with transaction.atomic():
        people, already = _reach(targets, modules)
        campaign = Campaign.objects.create(
            name=name,
            unit=unit,
            starts_on=starts_on,
            ends_on=ends_on,
            due_date=due_date,
            days_allowed=days_allowed,
            created_by=by,
        )
        campaign.modules.set(modules)
        campaign.target_units.set(targets)
        existing = 0
        for module in modules:
            for target in targets:
                _assignment, new = Assignment.objects.assign(
                    module=module,
                    unit=target,
                    due_date=due_date,
                    days_allowed=days_allowed,
                    by=by,
                    campaign=campaign,
                )
                existing += not new
    return Launched(campaign=campaign, people=people, already=already, existing=existing)


def _reach(targets: list[Unit], modules: list[Module]) -> tuple[int, int]:
    """The people of the target units, and how many of them some module of
    the campaign already reached (an assignment of theirs or of a unit
    above them): one COUNT, whatever the number of people."""
    had_one = reduce(
        operator.or_,
        (
            Q(
                Exists(
                    Assignment.objects.covering(
                        user=OuterRef("user"), member_path=OuterRef("unit__path"), module=module
                    )
                )
            )
            for module in modules
        ),
    )
    counts = Employee.objects.filter(under_any([t.path for t in targets])).aggregate(
        people=Count("pk"), already=Count("pk", filter=had_one)
    )
    return counts["people"], counts["already"]


@dataclass
class Standing:
    """One target unit's figures in the campaign: people × modules."""

    unit: Unit
    assigned: int = 0
    completed: int = 0
    overdue: int = 0
    rank: int | None = None  # none for a unit with nobody assigned

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.assigned if self.assigned else None

    @property
    def exact_rate(self) -> Fraction:
        # Compared exactly: 1/3 and 2/6 are the same rate, whatever the floats say.
        return Fraction(self.completed, self.assigned) if self.assigned else Fraction(-1)


@dataclass
class Standings:
    campaign: Campaign
    modules: list[Module]
    units: list[Standing]  # ranked
    total: Standing = field(default_factory=lambda: Standing(unit=None))
    # The last day counted once the campaign is over (None while it runs).
    closed_on: date | None = None


def standings(campaign: Campaign, *, today: date) -> Standings:
    """The campaign's figures per target unit, ranked by completion rate
    (ties share a rank and the next rank skips: 1, 1, 3), in four queries:
    the targets, the modules and their unit assignments, and one GROUP BY
    over every module's requirements (UNION ALL), whose rows are keyed by
    the target unit each person is under.

    Once the campaign is over, the figures are those of its close: only a
    completion before the end of its last day (the organisation's time
    zone) counts, statuses are read as of that day, and people who joined a
    target unit after it are left out."""
    targets = list(campaign.target_units.order_by("path"))
    modules = list(
        Module.objects.filter(campaigns=campaign)
        .order_by("order", "pk")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(unit__isnull=False).select_related("unit"),
                to_attr="unit_assignments",
            )
        )
    )
    closed_on = campaign.closed_on(today)
    close = campaign.close_instant(today)
    day = closed_on or today
    done = Q(training_status__in=COMPLETED_STATUSES)
    late = Q(training_status=TrainingStatus.OVERDUE) | Q(
        training_status=TrainingStatus.EXPIRED, due_date__lt=day
    )
    if close is not None:
        # At the close, the deadline of its last day has passed: anyone not
        # done by then whose due date had come is late (a pass afterwards
        # does not change that), except those out of attempts, as the report
        # counts them.
        not_done = ~Q(training_status__in=COMPLETED_STATUSES) | Q(completed_at__gte=close)
        late = not_done & Q(due_date__lte=day) & ~Q(training_status=TrainingStatus.FAILED)
        done &= Q(completed_at__lt=close)
    target_of = Case(
        *(
            When(unit__path__startswith=target.path, then=Value(index))
            for index, target in enumerate(targets)
        ),
        output_field=IntegerField(),
    )
    parts = []
    for module in modules:
        rows = requirements(campaign.unit, module, today=day).filter(
            under_any([t.path for t in targets])
        )
        if closed_on is not None:
            rows = rows.filter(unit_since__lte=closed_on)
        parts.append(
            rows.values(target=target_of)
            .annotate(
                assigned=Count("pk"),
                completed=Count("pk", filter=done),
                overdue=Count("pk", filter=late),
            )
            .order_by()
        )
    by_unit = [Standing(unit=target) for target in targets]
    total = Standing(unit=campaign.unit)
    for row in union(parts) if parts and targets else []:
        for standing in (by_unit[row["target"]], total):
            standing.assigned += row["assigned"]
            standing.completed += row["completed"]
            standing.overdue += row["overdue"]
    return Standings(
        campaign=campaign,
        modules=modules,
        units=ranked(by_unit),
        total=total,
        closed_on=closed_on,
    )


def ranked(units: list[Standing]) -> list[Standing]:
    """Best rate first, ties by name; equal rates share the rank of the
    first of them (competition ranking: 1, 2, 2, 4). A unit with nobody
    assigned comes last, unranked."""
    order = sorted(units, key=lambda s: (s.assigned == 0, -s.exact_rate, s.unit.name, s.unit.path))
    for position, standing in enumerate(order, start=1):
        if not standing.assigned:
            continue
        previous = order[position - 2] if position > 1 else None
        same = previous is not None and previous.exact_rate == standing.exact_rate
        standing.rank = previous.rank if same else position
    return order
