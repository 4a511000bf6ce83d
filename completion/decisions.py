"""What a unit's people would do: at each "what would you do?" moment of a
module's story, the share of them who chose each option, for the unit and
for each sub-unit.

Every choice is counted in one GROUP BY query over the recorded responses
(`lessons.DecisionResponse`, one per person and decision point). No group of
fewer than `MIN_GROUP` people is shown, so nobody's choice can be singled
out; and when hiding one group would still let it be worked out from the
total minus the others, the next smallest group is hidden with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch
from django.db.models.functions import Substr

from completion.models import SEGMENT_WIDTH, Unit
from lessons.models import DecisionOption, DecisionPoint, DecisionResponse, Module

MIN_GROUP = 5


@dataclass
class Option:
    key: tuple  # the option's id, or its text once the option is deleted
    text: str
    recommended: bool
    option: DecisionOption | None = None  # for its text in the reader's language
    chosen: int = 0  # by the unit's people


@dataclass
class Group:
    """The unit as a whole, or one sub-unit with everything below it."""

    unit: Unit
    direct: bool = False
    people: int = 0
    counts: dict[tuple, int] = field(default_factory=dict)
    hidden: bool = False

    def shares(self, options: list[Option]) -> list[float]:
        return [self.counts.get(option.key, 0) / self.people for option in options]


@dataclass
class Point:
    point: DecisionPoint
    # Wrong options first, the most chosen first; the recommended ones after.
    options: list[Option]
    total: Group
    branches: list[Group]

    @property
    def wrong(self) -> int:
        return sum(option.chosen for option in self.options if not option.recommended)

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.total.people if self.total.people else 0.0

    def rows(self) -> list[tuple[Group, list[float] | None]]:
        """The sub-units with their shares, or None where they are hidden."""
        return [
            (group, None if group.hidden else group.shares(self.options)) for group in self.branches
        ]

    def overall(self) -> list[tuple[Option, float]]:
        return list(zip(self.options, self.total.shares(self.options), strict=True))


def decision_analysis(root: Unit, module: Module, *, children: list[Unit]) -> list[Point]:
    """Each decision point of `module`, in story order, with what the people
    of `root`'s subtree chose there: three queries."""
    points = list(
        module.decision_points.prefetch_related(
            Prefetch("options", queryset=DecisionOption.objects.order_by("order", "pk"))
        )
    )
    branch_key = Substr("user__employee__unit__path", 1, len(root.path) + SEGMENT_WIDTH + 1)
    rows = (
        DecisionResponse.objects.filter(
            decision_point__module=module,
            user__employee__unit__path__startswith=root.path,
        )
        .values("decision_point_id", "option_id", "option_text", "was_recommended")
        .annotate(branch=branch_key, people=Count("pk"))
        .order_by()
    )
    by_point: dict[int, list[dict]] = {}
    for row in rows:
        by_point.setdefault(row["decision_point_id"], []).append(row)

    analysis = []
    for point in points:
        options = {
            (option.pk,): Option((option.pk,), option.text, option.is_recommended, option)
            for option in point.options.all()
        }
        total = Group(unit=root)
        branches = {root.path: Group(unit=root, direct=True)}
        for child in sorted(children, key=lambda unit: unit.path):
            branches[child.path] = Group(unit=child)
        for row in by_point.get(point.pk, []):
            key = (row["option_id"],) if row["option_id"] in {k[0] for k in options} else None
            if key is None:  # the option was deleted since: its copied text stands
                key = ("deleted", row["option_text"])
                options.setdefault(key, Option(key, row["option_text"], row["was_recommended"]))
            options[key].chosen += row["people"]
            for group in (total, branches.get(row["branch"])):
                if group is not None:
                    group.people += row["people"]
                    group.counts[key] = group.counts.get(key, 0) + row["people"]
        ordered = sorted(options.values(), key=lambda o: (o.recommended, -o.chosen))
        total.hidden = total.people < MIN_GROUP
        groups = [group for group in branches.values() if group.people or not group.direct]
        suppress(groups, whole_hidden=total.hidden)
        analysis.append(Point(point=point, options=ordered, total=total, branches=groups))
    return analysis


def suppress(groups: list[Group], *, whole_hidden: bool) -> None:
    """Hide groups of fewer than MIN_GROUP people (none when the whole unit
    is hidden: then all are); then, while the hidden ones together hold
    people but fewer than MIN_GROUP, hide the smallest shown one too, so no
    small group can be worked out as the total minus the groups shown."""
    for group in groups:
        group.hidden = whole_hidden or group.people < MIN_GROUP
    while True:
        hidden = sum(group.people for group in groups if group.hidden)
        shown = [group for group in groups if not group.hidden and group.people]
        if hidden == 0 or hidden >= MIN_GROUP or not shown:
            return
        min(shown, key=lambda group: group.people).hidden = True
