"""The unit report's charts, drawn on the server as SVG (no JavaScript).

Each chart is a small object holding its numbers (shown as a table beside
it, for screen readers and anyone who wants the figures) and the geometry
its template draws (`templates/completion/includes/chart_*.html`), both in
one viewBox of `WIDTH` units. The numbers come from two GROUP BY queries
over the report's own requirements (`reports.requirements`) and from the
summary the report has already read, so the charts cost the same two
queries for ten people or a hundred thousand.

Colours are chosen for WCAG 2.1 AA: every mark has at least 3:1 against the
white it sits on, every text 4.5:1 against its background, and nothing is
told by colour alone: segments carry a pattern and a legend in the same
order, cells and bars print their number.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, ExpressionWrapper, F, IntegerField, Value
from django.db.models.functions import Substr, TruncDate
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from completion.models import COMPLETED_STATUSES, SEGMENT_WIDTH, TrainingStatus, Unit
from completion.reports import (
    Figures,
    QuestionMisses,
    Summary,
    assigned_modules,
    question_misses,
    requirements,
    union,
)
from completion.reports import summary as summary_of
from lessons.models import Module

WIDTH = 520
LABEL_WIDTH = 150  # the column of unit names on the left of the bar charts
FONT = 12

# The segments of a status bar, worst first, each a colour (3:1 or more on
# white, white text on it 4.5:1 or more) and a pattern drawn over it.
STATUS_STYLE = {
    TrainingStatus.OVERDUE: ("#b3101c", "hatch"),
    TrainingStatus.FAILED: ("#6b0f1a", "cross"),
    TrainingStatus.EXPIRED: ("#854d0e", "hatch"),
    TrainingStatus.REOPENED: ("#6d28d9", "dots"),
    TrainingStatus.NOT_STARTED: ("#5f6b78", "none"),
    TrainingStatus.IN_PROGRESS: ("#8a5300", "dash"),
    TrainingStatus.PASSED_LATE: ("#3f6b14", "dots"),
    TrainingStatus.PASSED: ("#1e6b3a", "none"),
}
OTHER_STYLE = ("#37474f", "hatch")  # a status added later, until it is given its own

# How overdue people are, by days past the due date.
OVERDUE_BUCKETS = [
    (7, _("7 days or fewer")),
    (30, _("8 to 30 days")),
    (None, _("More than 30 days")),
]
OVERDUE_COLOURS = ["#c2410c", "#b3101c", "#6b0f1a"]
SCORE_BINS = 10  # 0–9, 10–19, …, 90–100

# The heat map's steps of completion: the background and the text on it.
HEAT_STEPS = [
    (0.2, "#fbe3e4", "#1b1f24"),
    (0.4, "#f6c7a8", "#1b1f24"),
    (0.6, "#d9e6f2", "#1b1f24"),
    (0.8, "#6f9bc9", "#1b1f24"),
    (1.01, "#1d3557", "#ffffff"),
]


def statuses_worst_first() -> list[str]:
    known = list(STATUS_STYLE)
    return known + [status for status in TrainingStatus.values if status not in known]


def status_style(status: str) -> tuple[str, str]:
    return STATUS_STYLE.get(status, OTHER_STYLE)


def text_width(text: str, size: float = FONT) -> float:
    """Roughly how wide `text` is set at `size`: Chinese characters are
    square, Latin ones a little over half as wide."""
    return sum(size if ord(char) > 0x2E80 else size * 0.56 for char in str(text))


def fit(text: str, width: float, size: float = FONT) -> str:
    """`text`, cut with an ellipsis if it is wider than `width`."""
    text = str(text)
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def nice_top(value: int) -> tuple[int, int]:
    """A round top for an axis reaching `value`, and its step (1, 2 or 5 × 10ⁿ)."""
    value = max(value, 1)
    for power in range(0, 10):
        for base in (1, 2, 5):
            step = base * 10**power
            if math.ceil(value / step) <= 5:
                return step * math.ceil(value / step), step
    return value, value  # pragma: no cover


def branch_key(root: Unit):
    """The path of the direct sub-unit a row rolls up to, as summary() groups."""
    return Substr("unit__path", 1, len(root.path) + SEGMENT_WIDTH + 1)


# ---------------------------------------------------------------- the facts


@dataclass
class Breakdown:
    """Per sub-unit and module: people by status, the overdue by how long,
    and the first-attempt scores by band of ten."""

    statuses: dict[tuple[str, int], Counter] = field(default_factory=lambda: defaultdict(Counter))
    overdue: dict[tuple[str, int], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0] * len(OVERDUE_BUCKETS))
    )
    scores: dict[int, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0] * 10))


def overdue_band(due: date, today: date) -> int:
    """Which of OVERDUE_BUCKETS someone due on `due` falls in today."""
    days = (today - due).days
    for index, (limit, _label) in enumerate(OVERDUE_BUCKETS):
        if limit is None or days <= limit:
            return index
    return len(OVERDUE_BUCKETS) - 1  # pragma: no cover


def breakdown(root: Unit, modules: list[Module], *, today: date) -> Breakdown:
    """One GROUP BY over the requirements of `modules`: sub-unit, module,
    status, due date and first-attempt score band. A module has a handful
    of due dates, so the overdue bands are worked out here from them rather
    than by a CASE on every row."""
    parts = [
        requirements(root, module, today=today)
        .values(
            "training_status",
            "due_date",
            branch=branch_key(root),
            module_key=Value(module.pk),
            # Integer division: 0–9 → 0, …, 90–99 → 9, and 100 → 10 (→ 9 below).
            score_band=ExpressionWrapper(
                F("first_attempt__score") / 10, output_field=IntegerField()
            ),
        )
        .annotate(people=Count("pk"))
        .order_by()
        for module in modules
    ]
    facts = Breakdown()
    for row in union(parts) if parts else []:
        key = (row["branch"], row["module_key"])
        facts.statuses[key][row["training_status"]] += row["people"]
        due = as_date(row["due_date"])
        status = row["training_status"]
        # Overdue, or expired with the days to pass again over.
        if status == TrainingStatus.OVERDUE or (status == TrainingStatus.EXPIRED and due < today):
            facts.overdue[key][overdue_band(due, today)] += row["people"]
        if row["score_band"] is not None:
            band = min(row["score_band"], SCORE_BINS - 1)
            facts.scores[row["module_key"]][band] += row["people"]
    return facts


def as_date(value) -> date:
    """A date from a UNION's column (SQLite hands them back as text)."""
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def progress_days(root: Unit, modules: list[Module], *, today: date) -> dict[int, dict]:
    """For each module, how many people were assigned it and completed it on
    each day (local dates), and the due dates in play with their people:
    one query, one GROUP BY a module. An assignment's instant (there are a
    handful) is made a local date here; only completions are converted in
    the database."""
    zone = timezone.get_default_timezone()
    parts = [
        requirements(root, module, today=today)
        .values(
            "training_status",
            "assigned_at",
            "due_date",
            module_key=Value(module.pk),
            completed_day=TruncDate("completed_at", tzinfo=zone),
        )
        .annotate(people=Count("pk"))
        .order_by()
        for module in modules
    ]
    days: dict[int, dict] = {
        module.pk: {"assigned": Counter(), "completed": Counter(), "due": Counter()}
        for module in modules
    }
    for row in union(parts) if parts else []:
        counts, people = days[row["module_key"]], row["people"]
        assigned_at = row["assigned_at"]
        if isinstance(assigned_at, str):
            assigned_at = parse_datetime(assigned_at)
        counts["assigned"][timezone.localtime(assigned_at, zone).date()] += people
        counts["due"][as_date(row["due_date"])] += people
        if row["training_status"] in COMPLETED_STATUSES:
            counts["completed"][as_date(row["completed_day"])] += people
    return days


# ---------------------------------------------------------------- the charts


class Canvas:
    """What every chart's template needs to place its labels."""

    width = WIDTH
    label_end = LABEL_WIDTH - 10  # unit names end here, right-aligned
    rate_x = WIDTH - 46  # a bar's completion rate starts here


@dataclass
class Tick:
    position: float
    label: str


@dataclass
class TimelineRow:
    day: date
    assigned: int
    completed: int
    due: bool


@dataclass
class Marker:
    x: float
    day: date
    people: int
    label_x: float
    anchor: str


@dataclass
class Timeline(Canvas):
    """Completion of one module over time, against the number assigned."""

    module: Module
    rows: list[TimelineRow]
    assigned_points: str
    completed_points: str
    area_points: str
    due_markers: list[Marker]
    today_x: float | None
    y_ticks: list[Tick]
    start: date
    end: date
    assigned: int
    completed: int
    assigned_y: float
    completed_y: float
    height: int = 220
    left: int = 40
    right: int = WIDTH - 110
    top: int = 16
    bottom: int = 184

    @property
    def rate(self) -> float | None:
        return self.completed / self.assigned if self.assigned else None

    @property
    def show_end(self) -> bool:
        """The last date is labelled unless "Today" already stands there."""
        return self.today_x is None or self.right - self.today_x > 60


def timeline(module: Module, days: dict, *, today: date) -> Timeline | None:
    assigned_by_day, completed_by_day, due = days["assigned"], days["completed"], days["due"]
    if not assigned_by_day:
        return None
    # From the first day anything happened (a completion can come before the
    # assignment: a module taken by choice, then assigned).
    start = min([*assigned_by_day, *completed_by_day, *due])
    end = max([today, *due, *completed_by_day])
    span = max((end - start).days, 1)
    chart = Timeline(
        module=module,
        rows=[],
        assigned_points="",
        completed_points="",
        area_points="",
        due_markers=[],
        today_x=None,
        y_ticks=[],
        start=start,
        end=end,
        assigned=sum(assigned_by_day.values()),
        completed=sum(completed_by_day.values()),
        assigned_y=0,
        completed_y=0,
    )
    top_value, step = nice_top(chart.assigned)

    def x(day: date) -> float:
        return round(chart.left + (day - start).days / span * (chart.right - chart.left), 1)

    def y(people: int) -> float:
        return round(chart.bottom - people / top_value * (chart.bottom - chart.top), 1)

    chart.y_ticks = [Tick(y(value), str(value)) for value in range(0, top_value + 1, step)]
    # Both lines are steps: a count holds until the day it changes.
    changes = sorted({*assigned_by_day, *completed_by_day, *due})
    assigned = completed = 0
    assigned_line, completed_line = [(x(start), y(0))], [(x(start), y(0))]
    for day in changes:
        if assigned_by_day[day]:
            assigned_line.append((x(day), y(assigned)))
            assigned += assigned_by_day[day]
            assigned_line.append((x(day), y(assigned)))
        if completed_by_day[day]:
            completed_line.append((x(day), y(completed)))
            completed += completed_by_day[day]
            completed_line.append((x(day), y(completed)))
        chart.rows.append(TimelineRow(day, assigned, completed, day in due))
    last = x(min(today, end))
    assigned_line.append((last, y(assigned)))
    completed_line.append((last, y(completed)))
    chart.assigned_points = " ".join(f"{a},{b}" for a, b in assigned_line)
    chart.completed_points = " ".join(f"{a},{b}" for a, b in completed_line)
    chart.area_points = chart.completed_points + f" {last},{y(0)}"
    chart.assigned_y, chart.completed_y = y(assigned), y(completed)
    if chart.assigned_y - chart.completed_y > -14:  # keep the two end labels apart
        chart.completed_y = max(chart.completed_y, chart.assigned_y + 14)
    for day in sorted(due):
        position = x(day)
        flip = position > chart.right - 90
        chart.due_markers.append(
            Marker(
                x=position,
                day=day,
                people=due[day],
                label_x=position - 4 if flip else position + 4,
                anchor="end" if flip else "start",
            )
        )
    chart.today_x = x(today) if start <= today <= end else None
    return chart


@dataclass
class HeatCell:
    x: float
    y: float
    width: float
    figures: Figures
    fill: str
    ink: str

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass
class HeatRow:
    label: str
    full_label: str
    y: float
    cells: list[HeatCell]


@dataclass
class HeatColumn:
    x: float
    lines: list[str]
    title: str


@dataclass
class HeatMap(Canvas):
    """Completion rate per sub-unit (rows) and module (columns)."""

    columns: list[HeatColumn]
    rows: list[HeatRow]
    modules: list[Module]
    height: float
    cell_height: int = 30
    header: int = 40
    legend: list[tuple[str, str, str, int]] = field(default_factory=list)
    legend_y: float = 0


def heat_step(rate: float | None) -> tuple[str, str]:
    if rate is None:
        return "#ffffff", "#545d68"
    for limit, fill, ink in HEAT_STEPS:
        if rate < limit:
            return fill, ink
    return HEAT_STEPS[-1][1:]  # pragma: no cover


def heat_map(summary: Summary, modules: list[Module], direct_label) -> HeatMap | None:
    branches = [branch for branch in summary.branches if branch.total.assigned]
    if not branches or not modules:
        return None
    cell_width = (WIDTH - LABEL_WIDTH) / len(modules)
    chart = HeatMap(columns=[], rows=[], modules=modules, height=0)
    for index, module in enumerate(modules):
        column_x = LABEL_WIDTH + index * cell_width
        chart.columns.append(
            HeatColumn(
                x=round(column_x + cell_width / 2, 1),
                lines=wrap(module.title, cell_width - 6, 2, size=11),
                title=module.title,
            )
        )
    for row_index, branch in enumerate(branches):
        row_y = chart.header + row_index * chart.cell_height
        name = direct_label(branch.unit.name) if branch.direct else branch.unit.name
        cells = []
        for index, module in enumerate(modules):
            figures = branch.by_module.get(module.pk, Figures())
            fill, ink = heat_step(figures.completion_rate)
            cells.append(
                HeatCell(
                    x=round(LABEL_WIDTH + index * cell_width, 1),
                    y=row_y,
                    width=round(cell_width, 1),
                    figures=figures,
                    fill=fill,
                    ink=ink,
                )
            )
        chart.rows.append(
            HeatRow(label=fit(name, LABEL_WIDTH - 10), full_label=name, y=row_y, cells=cells)
        )
    chart.legend_y = chart.header + len(branches) * chart.cell_height + 18
    lower = 0
    for index, (limit, fill, ink) in enumerate(HEAT_STEPS):
        upper = min(round(limit * 100), 100)
        chart.legend.append((fill, ink, f"{lower}–{upper}%", LABEL_WIDTH + index * 74))
        lower = upper
    chart.height = chart.legend_y + 24
    return chart


def wrap(text: str, width: float, lines: int, size: float = FONT) -> list[str]:
    """`text` broken into at most `lines` lines of `width`: at spaces when it
    has them (English), anywhere otherwise (Chinese)."""
    words = text.split(" ") if " " in text else list(text)
    joiner = " " if " " in text else ""
    result, current = [], ""
    for word in words:
        candidate = f"{current}{joiner}{word}" if current else word
        if text_width(candidate, size) <= width or not current:
            current = candidate
        else:
            result.append(current)
            current = word
    result.append(current)
    if len(result) > lines:
        result = result[: lines - 1] + [fit(joiner.join(result[lines - 1 :]), width, size)]
    return result


@dataclass
class Segment:
    status: str
    people: int
    x: float
    width: float
    fill: str
    pattern: str
    show_count: bool


@dataclass
class StatusBar:
    unit: Unit
    label: str
    full_label: str
    y: float
    assigned: int
    completion_rate: float | None
    counts: dict[str, int]
    segments: list[Segment]


@dataclass
class LegendKey:
    status: str
    label: str
    fill: str
    pattern: str
    x: float
    y: float


@dataclass
class StatusBars(Canvas):
    """People by status per sub-unit, least completed first."""

    bars: list[StatusBar]
    statuses: list[str]
    legend: list[LegendKey]
    height: float
    bar_height: int = 20
    row_height: int = 30
    legend_y: float = 0
    hidden: int = 0  # units left off (the one-page summary shows the worst only)


def status_bars(
    facts: Breakdown, branches: list, modules: list[Module], direct_label, limit: int | None = None
) -> StatusBars | None:
    wanted = {module.pk for module in modules}
    rows = []
    for branch in branches:
        counts = Counter()
        for (path, module_key), by_status in facts.statuses.items():
            if path == branch.unit.path and module_key in wanted:
                counts.update(by_status)
        assigned = sum(counts.values())
        if not assigned:
            continue
        completed = sum(counts[status] for status in COMPLETED_STATUSES)
        name = direct_label(branch.unit.name) if branch.direct else branch.unit.name
        rows.append((name, counts, assigned, completed, branch.unit))
    if not rows:
        return None
    # Worst first: the least completed, then the most overdue.
    rows.sort(
        key=lambda row: (
            row[3] / row[2],
            -row[1][TrainingStatus.OVERDUE] / row[2],
            row[0],
        )
    )
    hidden = len(rows) - limit if limit is not None and len(rows) > limit else 0
    rows = rows[:limit] if hidden else rows
    order = statuses_worst_first()
    present = [status for status in order if any(row[1][status] for row in rows)]
    chart = StatusBars(bars=[], statuses=present, legend=[], height=0, hidden=hidden)
    bar_width = WIDTH - LABEL_WIDTH - 52
    for index, (name, counts, assigned, completed, unit) in enumerate(rows):
        y, x, segments = index * chart.row_height, float(LABEL_WIDTH), []
        for status in present:
            if not counts[status]:
                continue
            width = counts[status] / assigned * bar_width
            fill, pattern = status_style(status)
            segments.append(
                Segment(
                    status=status,
                    people=counts[status],
                    x=round(x, 2),
                    width=round(width, 2),
                    fill=fill,
                    pattern=pattern,
                    show_count=width >= text_width(str(counts[status]), 11) + 8,
                )
            )
            x += width
        chart.bars.append(
            StatusBar(
                unit=unit,
                label=fit(name, LABEL_WIDTH - 10),
                full_label=name,
                y=y,
                assigned=assigned,
                completion_rate=completed / assigned,
                counts={status: counts[status] for status in present},
                segments=segments,
            )
        )
    # The legend in the bars' order, wrapped onto as many lines as it needs.
    legend_top = len(rows) * chart.row_height + 10
    x, line = 0.0, 0
    for status in present:
        label = TrainingStatus(status).label
        width = 22 + text_width(label) + 16
        if x + width > WIDTH and x:
            x, line = 0.0, line + 1
        chart.legend.append(
            LegendKey(status, label, *status_style(status), x, legend_top + line * 22)
        )
        x += width
    chart.height = legend_top + (line + 1) * 22
    return chart


@dataclass
class Bar:
    label: str
    people: int
    x: float
    y: float
    width: float
    height: float
    fill: str = "#1d3557"
    share: float | None = None


@dataclass
class OverdueChart(Canvas):
    """The people overdue, by how many days past the due date."""

    bars: list[Bar]
    total: int
    by_branch: list[tuple[str, list[int], int]]
    height: int = 3 * 34


def overdue_chart(facts: Breakdown, branches: list, modules: list[Module], direct_label):
    wanted = {module.pk for module in modules}
    totals = [0] * len(OVERDUE_BUCKETS)
    by_branch = []
    for branch in branches:
        counts = [0] * len(OVERDUE_BUCKETS)
        for (path, module_key), bands in facts.overdue.items():
            if path == branch.unit.path and module_key in wanted:
                counts = [a + b for a, b in zip(counts, bands, strict=True)]
        if sum(counts):
            name = direct_label(branch.unit.name) if branch.direct else branch.unit.name
            by_branch.append((name, counts, sum(counts)))
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
    by_branch.sort(key=lambda row: (-row[2], row[0]))
    total = sum(totals)
    top_value, _step = nice_top(max(totals))
    bar_width = WIDTH - LABEL_WIDTH - 90
    bars = [
        Bar(
            label=str(label),
            people=people,
            x=LABEL_WIDTH,
            y=index * 34 + 6,
            width=round(people / top_value * bar_width, 1),
            height=22,
            fill=OVERDUE_COLOURS[index],
            share=people / total if total else None,
        )
        for index, ((_days, label), people) in enumerate(zip(OVERDUE_BUCKETS, totals, strict=True))
    ]
    return OverdueChart(bars=bars, total=total, by_branch=by_branch)


@dataclass
class ScoreChart(Canvas):
    """How many first attempts scored in each band of ten."""

    bars: list[Bar]
    total: int
    pass_mark: int | None
    pass_mark_x: float | None
    y_ticks: list[Tick]
    height: int = 230
    left: int = 40
    right: int = WIDTH - 8
    top: int = 16
    bottom: int = 184

    @property
    def middle(self) -> float:
        return (self.left + self.right) / 2


def score_chart(facts: Breakdown, modules: list[Module]) -> ScoreChart | None:
    bands = [0] * SCORE_BINS
    for module in modules:
        for band, people in enumerate(facts.scores.get(module.pk, [])):
            bands[band] += people
    total = sum(bands)
    if not total:
        return None
    marks = {module.pass_mark for module in modules}
    chart = ScoreChart(bars=[], total=total, pass_mark=None, pass_mark_x=None, y_ticks=[])
    top_value, step = nice_top(max(bands))
    band_width = (chart.right - chart.left) / SCORE_BINS

    def y(people: int) -> float:
        return round(chart.bottom - people / top_value * (chart.bottom - chart.top), 1)

    chart.y_ticks = [Tick(y(value), str(value)) for value in range(0, top_value + 1, step)]
    for band, people in enumerate(bands):
        low = band * 10
        label = f"{low}–{low + 9}" if band < SCORE_BINS - 1 else f"{low}–100"
        chart.bars.append(
            Bar(
                label=label,
                people=people,
                x=round(chart.left + band * band_width + 3, 1),
                y=y(people),
                width=round(band_width - 6, 1),
                height=round(chart.bottom - y(people), 1),
                share=people / total,
            )
        )
    if len(marks) == 1:
        # The pass mark sits at the start of its band's bar.
        chart.pass_mark = marks.pop()
        chart.pass_mark_x = round(chart.left + chart.pass_mark / 10 * band_width, 1)
    return chart


@dataclass
class Charts:
    timelines: list[Timeline]
    heat_map: HeatMap | None
    status_bars: StatusBars | None
    overdue: OverdueChart
    scores: ScoreChart | None
    today: date
    patterns: list[tuple[str, str]] = field(default_factory=list)


def charts_for(
    root: Unit,
    modules: list[Module],
    summary: Summary,
    *,
    chosen: Module | None,
    today: date,
    direct_label,
) -> Charts:
    """Every chart of the report of `root`: the heat map over all modules,
    the others over the module chosen in the filters (or all). Two queries."""
    shown = [chosen] if chosen else modules
    facts = breakdown(root, shown, today=today)
    days = progress_days(root, shown, today=today)
    timelines = [timeline(module, days[module.pk], today=today) for module in shown]
    bars = status_bars(facts, summary.branches, shown, direct_label)
    return Charts(
        timelines=[chart for chart in timelines if chart],
        heat_map=heat_map(summary, modules, direct_label),
        status_bars=bars,
        overdue=overdue_chart(facts, summary.branches, shown, direct_label),
        scores=score_chart(facts, shown),
        today=today,
        patterns=sorted({status_style(s)[1] for s in (bars.statuses if bars else [])} - {"none"}),
    )


# The one-page summary shows this many units at most, the worst first.
SUMMARY_UNITS = 8
SUMMARY_QUESTIONS = 5


@dataclass
class MissedQuestion:
    module: Module
    misses: QuestionMisses


@dataclass
class LeadershipSummary:
    """What the one-page PDF for a leadership meeting holds."""

    unit: Unit
    today: date
    modules: list[Module]
    summary: Summary
    status_bars: StatusBars | None
    scores: ScoreChart | None
    overdue: OverdueChart
    missed: list[MissedQuestion]

    @property
    def module_figures(self) -> list[tuple[Module, Figures]]:
        return [(module, self.summary.by_module[module.pk]) for module in self.modules]

    @property
    def overdue_units(self) -> list:
        return self.overdue.by_branch[:SUMMARY_UNITS]

    @property
    def overdue_units_hidden(self) -> int:
        return max(len(self.overdue.by_branch) - SUMMARY_UNITS, 0)


def leadership_summary(root: Unit, *, today: date, direct_label) -> LeadershipSummary:
    """The unit's figures, its status and score charts, the questions most
    missed and who is overdue where: the report's queries, plus two for each
    module's question statistics."""
    modules = assigned_modules()
    children = list(Unit.objects.filter(parent=root).order_by("path"))
    summary = summary_of(root, modules, children=children, today=today)
    facts = breakdown(root, modules, today=today)
    missed = [
        MissedQuestion(module, misses)
        for module in modules
        for misses in question_misses(root, module)
        if misses.missed
    ]
    missed.sort(key=lambda item: (-item.misses.rate, -item.misses.answered, item.misses.text))
    return LeadershipSummary(
        unit=root,
        today=today,
        modules=modules,
        summary=summary,
        status_bars=status_bars(facts, summary.branches, modules, direct_label, SUMMARY_UNITS),
        scores=score_chart(facts, modules),
        overdue=overdue_chart(facts, summary.branches, modules, direct_label),
        missed=missed[:SUMMARY_QUESTIONS],
    )
