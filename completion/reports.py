"""The unit report: who in a unit's subtree must complete what, and how far
they are, computed in SQL whatever the size of the unit.

A row is one (person, module) requirement. Who must do what is resolved in
the query itself (see `Assignment.objects.covering`), so someone who joins a
unit next week is in next week's report with nothing to maintain. Each
module is one SELECT over the employees of the subtree; the modules are
joined with UNION ALL, so the table, its count and the summary are one query
each, never one per person or per unit.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import reduce

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    DateTimeField,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least, NullIf, Substr, TruncDate
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from awareness.dates import AddDays
from completion import study_hours
from completion.decisions import MIN_GROUP
from completion.models import (
    COMPLETED_STATUSES,
    SEGMENT_WIDTH,
    Assignment,
    Campaign,
    Employee,
    Invitation,
    Reminder,
    TrainingStatus,
    Unit,
    with_progress,
)
from completion.models.organisation import ancestor_paths
from completion.study_hours import StudyYear
from lessons.models import (
    AttemptChoice,
    AttemptQuestion,
    AttemptStatus,
    Choice,
    Module,
    Question,
)
from lessons.statistics import ItemStatistics, aggregates

# The columns of the per-person table, in the order of the exports.
COLUMNS = [
    ("full_name", _("Name")),
    ("employee_number", _("Employee number")),
    ("unit_name", _("Unit")),
    ("module_title", _("Module")),
    ("training_status", _("Status")),
    ("score", _("Score (%)")),
    ("attempts_used", _("Attempts")),
    ("assigned_at", _("Assigned")),
    ("due_date", _("Due")),
    ("days_overdue", _("Days overdue")),
    ("completed_at", _("Completed")),
    ("valid_until", _("Valid until")),
    ("study_hours", _("Study hours in the year")),
    ("hours_required", _("Yearly requirement (hours)")),
]
# Names sort by Employee.sort_name: pinyin for Chinese names, alphabetically
# for others, in SQL like every other column (the full name breaks ties).
SORTS = {
    "name": ("sort_name", "full_name", "module_title"),
    "unit": ("unit_path", "sort_name", "full_name", "module_title"),
    "module": ("module_title", "sort_name", "full_name"),
    "status": ("status_order", "sort_name", "full_name", "module_title"),
    "score": ("score", "sort_name", "full_name", "module_title"),
    "due": ("due_date", "sort_name", "full_name", "module_title"),
    "overdue": ("days_overdue", "sort_name", "full_name", "module_title"),
    "completed": ("completed_at", "sort_name", "full_name", "module_title"),
}
COMPLETED = "completed"  # a filter value: passed on time or late
# Sorting by status puts what needs a manager's attention first.
STATUS_ORDER = Case(
    *(
        When(training_status=status, then=Value(rank))
        for rank, status in enumerate(
            [
                TrainingStatus.OVERDUE,
                TrainingStatus.EXPIRED,
                TrainingStatus.FAILED,
                TrainingStatus.REOPENED,
                TrainingStatus.IN_PROGRESS,
                TrainingStatus.NOT_STARTED,
                TrainingStatus.PASSED_LATE,
                TrainingStatus.PASSED,
            ]
        )
    ),
    output_field=IntegerField(),
)


def requirements(
    root: Unit, module: Module, *, today: date, as_of: datetime | None = None
) -> QuerySet:
    """The people in `root`'s subtree assigned `module`, with their progress.

    Who is assigned is decided row by row in SQL: a personal assignment is a
    LEFT JOIN, and each unit assignment of the module becomes a constant
    test on the person's unit path (`path LIKE '0001/0003/%'`) with its due
    date rule for the person (a fixed date, or days from joining the unit:
    `Assignment.due_expression`); the earliest due date wins. A module has a
    handful of unit assignments, so this reads them once rather than
    running a subquery for every person.

    With `as_of` (the end of an earlier year, see `with_progress`) only the
    assignments made by then count, and only the people in their unit by
    then (people are where they are now: a move between units is not
    history the site keeps).
    """
    unit_assignments = getattr(module, "unit_assignments", None)
    if unit_assignments is None:  # a module not from assigned_modules()
        unit_assignments = list(
            module.assignments.filter(unit__isnull=False).select_related("unit")
        )
    personal = Q(user__assignments__module=module.pk)
    if as_of is not None:
        unit_assignments = [a for a in unit_assignments if a.created_at <= as_of]
        personal &= Q(user__assignments__created_at__lte=as_of)
    by_start = sorted(unit_assignments, key=lambda a: a.created_at)

    def earliest(value, output_field, sentinel, personal):
        """The earliest of `personal` and `value(a)` over the unit
        assignments covering the row, as one LEAST(): each candidate is
        written once (NULL, not covered, is `sentinel`, a far-off value,
        since SQLite's MIN() of a NULL is NULL), so the expression grows
        with the assignments, not with their pairs."""
        far = Value(sentinel, output_field=output_field)
        candidates = [Coalesce(personal, far, output_field=output_field)] + [
            Case(
                When(unit__path__startswith=a.unit.path, then=value(a)),
                default=far,
                output_field=output_field,
            )
            for a in unit_assignments
        ]
        least = (
            Least(*candidates, output_field=output_field) if len(candidates) > 1 else candidates[0]
        )
        return NullIf(least, far, output_field=output_field)

    def first_match(assignments, value, output_field):
        whens = [
            When(unit__path__startswith=a.unit.path, then=Value(value(a))) for a in assignments
        ]
        return Case(*whens, default=None, output_field=output_field)

    # A personal assignment's rule, for the person of the row.
    personal_assigned_on = TruncDate("personal__created_at", tzinfo=timezone.get_default_timezone())
    personal_due = Case(
        When(personal__due_date__isnull=False, then=F("personal__due_date")),
        # Only a personal assignment that exists and has no date converts
        # its time to a local date (in Python, on SQLite): not every row.
        When(
            personal__days_allowed__isnull=False,
            then=AddDays(
                Greatest(personal_assigned_on, F("unit_since")), F("personal__days_allowed")
            ),
        ),
        default=None,
        output_field=DateField(),
    )
    people = Employee.objects.filter(unit__path__startswith=root.path)
    if as_of is not None:
        people = people.filter(unit_since__lte=timezone.localdate(as_of))
    people = people.order_by().annotate(
        module_id=Value(module.pk),
        module_title=Value(module.title),
        personal=FilteredRelation("user__assignments", condition=personal),
    )
    people = with_progress(
        people,
        via="user__",
        match={"module": module.pk},
        user=OuterRef("user"),
        module=module.pk,
        due_date=earliest(lambda a: a.due_expression(), DateField(), date.max, personal_due),
        assigned_at=earlier(
            F("personal__created_at"),
            first_match(by_start, lambda a: a.created_at, DateTimeField()),
        ),
        renewal_days=earliest(
            lambda a: Value(a.renewal_days), IntegerField(), 32767, F("personal__renewal_days")
        ),
        attempt_limit=module.attempt_limit,
        today=today,
        as_of=as_of,
    )
    return people.filter(due_date__isnull=False)


class DaysSince(Func):
    """Whole days from a date expression to `today`, in SQL (julianday on
    SQLite, date subtraction on PostgreSQL)."""

    output_field = IntegerField()

    def __init__(self, expression, today: date):
        super().__init__(Value(today, output_field=DateField()), expression)

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ")

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
        )


def days_overdue(today: date):
    """How many days an overdue row is past its due date (NULL otherwise),
    from the row's own due date expression."""
    return Case(
        When(training_status=TrainingStatus.OVERDUE, then=DaysSince(F("due_date"), today)),
        # A pass expired and the days to pass again are over.
        When(
            training_status=TrainingStatus.EXPIRED,
            due_date__lt=today,
            then=DaysSince(F("due_date"), today),
        ),
        default=None,
        output_field=IntegerField(),
    )


def earlier(first, second, output_field=None):
    """The earlier (smaller) of two dates or numbers, either of which may be NULL."""
    smaller = Case(
        When(GreaterThan(first, second), then=second), default=first, output_field=output_field
    )
    return Coalesce(smaller, second, output_field=output_field)


def assigned_modules() -> list[Module]:
    """Modules someone is assigned (a report shows nothing else), each with
    its unit assignments: two queries, whatever the size of the organisation."""
    modules = list(
        Module.objects.filter(assignments__isnull=False)
        .distinct()
        .order_by("order", "pk")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(unit__isnull=False).select_related("unit"),
                to_attr="unit_assignments",
            )
        )
    )
    return modules


@dataclass
class Filters:
    module: Module | None = None
    status: str = ""
    unit: Unit | None = None
    name: str = ""
    sort: str = "name"
    # Its modules only, and only the people under its target units.
    campaign: Campaign | None = None
    # An earlier study year: the table as it stood at that year's end.
    year: StudyYear | None = None

    @property
    def as_of(self) -> datetime | None:
        return self.year.last_instant if self.year else None

    def today(self, today: date) -> date:
        """The day the statuses are worked out for: today, or the last day
        of the earlier year asked for."""
        return self.year.ends_on if self.year else today

    def apply(self, rows: QuerySet) -> QuerySet:
        if self.status == COMPLETED:
            rows = rows.filter(training_status__in=COMPLETED_STATUSES)
        elif self.status:
            rows = rows.filter(training_status=self.status)
        if self.unit:
            rows = rows.filter(unit__path__startswith=self.unit.path)
        if self.name:
            rows = rows.filter(
                Q(full_name__icontains=self.name) | Q(employee_number__icontains=self.name)
            )
        if self.campaign:
            targets = [Q(unit__path__startswith=path) for path in self.campaign.target_paths]
            rows = rows.filter(reduce(operator.or_, targets, Q(pk__in=[])))
        return rows

    def ordering(self) -> list[str]:
        descending = self.sort.startswith("-")
        fields = SORTS.get(self.sort.lstrip("-"), SORTS["name"])
        return [f"-{fields[0]}" if descending else fields[0], *fields[1:]]


# The columns of the table, as each module's SELECT names them.
FIELDS = [
    "pk",
    "full_name",
    "sort_name",
    "employee_number",
    "module_id",
    "module_title",
    "training_status",
    "score",
    "attempts_used",
    "assigned_at",
    "due_date",
    "days_overdue",
    "completed_at",
    "valid_until",
]
# The unit report's table (and exports) also carry each person's study hours
# in the year and their yearly requirement (see `person_rows`).
HOURS_FIELDS = ["study_hours", "hours_required"]
EXPRESSIONS = {
    "unit_name": F("unit__name"),
    "parent_unit_name": F("unit__parent__name"),
    "unit_path": F("unit__path"),
    "status_order": STATUS_ORDER,
}


# Shown on the report's page only (not in exports): when the person was last
# sent a reminder about the row's module. A subquery on the page's 50 rows.
LAST_REMINDED = {
    "last_reminded": Subquery(
        Reminder.objects.filter(
            recipient=OuterRef("user"),
            module=OuterRef("module_id"),
            outcome=Reminder.Outcome.SENT,
        )
        .order_by("-sent_at")
        .values("sent_at")[:1]
    )
}


# Also on the page only: whether the person can sign in with a password of
# this site, and the last link to set one they were sent (invitations.py).
ACCOUNT = {
    "password_set": Case(
        When(user__password__startswith="!", then=Value(False)),
        default=Value(True),
        output_field=BooleanField(),
    ),
    "user_email": F("user__email"),
    "last_invited": Subquery(
        Invitation.objects.filter(user=OuterRef("user"))
        .order_by("-created_at")
        .values("created_at")[:1]
    ),
    "last_invitation_outcome": Subquery(
        Invitation.objects.filter(user=OuterRef("user"))
        .order_by("-created_at")
        .values("outcome")[:1]
    ),
}
PAGE_ONLY = (*LAST_REMINDED, *ACCOUNT, "from_directory")


def select(part: QuerySet, names: list[str]) -> QuerySet:
    expressions = {**EXPRESSIONS, **LAST_REMINDED, **ACCOUNT}
    return part.values(
        *(name for name in names if name not in expressions),
        **{name: expressions[name] for name in names if name in expressions},
    )


def union(parts: list[QuerySet]) -> QuerySet:
    return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]


class Table:
    """The filtered, sorted per-person table, read by Paginator and the exports.

    Each module is one SELECT over the people of the subtree, joined with
    UNION ALL, so every question below is one query however many modules
    and people there are. A page is fetched in two steps: the keys of its
    rows, sorted with only the columns the sort and filters need, then the
    full rows for those keys alone, so the attempt counts and best scores
    (a subquery each) are worked out for 50 rows rather than 300,000.
    """

    def __init__(self, parts: dict[int, QuerySet], ordering: list[str], fields: list[str] = FIELDS):
        self.by_module, self.ordering, self.fields = parts, ordering, fields
        self.parts = list(parts.values())
        # Blanks (no score, not completed) sort last both ways, on SQLite and
        # PostgreSQL alike; the two databases disagree where NULLs go otherwise.
        self.order_by = [
            F(name[1:]).desc(nulls_last=True)
            if name.startswith("-")
            else F(name).asc(nulls_last=True)
            for name in ordering
        ]

    def count(self) -> int:
        if not self.parts:
            return 0
        return union([select(part, ["pk"]) for part in self.parts]).count()

    def __len__(self) -> int:
        return self.count()

    def shown(self, *, sorted_here: bool) -> list[str]:
        """The columns a row is read with. The status's rank is a sort key
        only: selected when the rows are sorted by it in this query, since it
        repeats the whole status expression, and with it the attempt
        subqueries (leaving it out halved the export's query at 100,000
        people, bench/README.md "Reports")."""
        sorting = {name.lstrip("-") for name in self.ordering} if sorted_here else set()
        return self.fields + [
            name for name in EXPRESSIONS if name != "status_order" or name in sorting
        ]

    def all_rows(self) -> QuerySet:
        columns = self.shown(sorted_here=True)
        return union([select(part, columns) for part in self.parts]).order_by(*self.order_by)

    def __getitem__(self, key: slice) -> list[dict]:
        """A page of the table, with when each person was last reminded."""
        return self.rows_of(self.keys(key), extra=PAGE_ONLY)

    def keys(self, key: slice = slice(None)) -> list[tuple[int, int]]:
        """The (person, module) keys of the rows in `key`, in the table's
        order, sorted with only the columns the sort and filters need."""
        if not self.parts:
            return []
        sort_fields = [name.lstrip("-") for name in self.ordering]
        key_fields = list(dict.fromkeys(["pk", "module_id", *sort_fields]))
        return [
            (row["pk"], row["module_id"])
            for row in union([select(part, key_fields) for part in self.parts]).order_by(
                *self.order_by
            )[key]
        ]

    def rows_of(self, keys: list[tuple[int, int]], extra: tuple[str, ...] = ()) -> list[dict]:
        """The full rows of `keys`, in the same order: one query."""
        if not keys:
            return []
        wanted = [
            self.by_module[module_id].filter(
                pk__in=[pk for pk, module in keys if module == module_id]
            )
            for module_id in dict.fromkeys(module for _pk, module in keys)
        ]
        rows = {
            (row["pk"], row["module_id"]): row
            for row in union(
                [select(part, self.shown(sorted_here=False) + list(extra)) for part in wanted]
            )
        }
        return [rows[key] for key in keys]

    def iterator(self, chunk_size: int):
        return self.all_rows().iterator(chunk_size=chunk_size)

    def __iter__(self):
        return iter(self.all_rows()) if self.parts else iter([])


def person_rows(
    root: Unit,
    modules: list[Module],
    filters: Filters,
    *,
    today: date,
    units: list[Unit] | None = None,
) -> Table:
    """The filtered, sorted per-person table. Each row also carries the
    person's study hours this study year and the yearly requirement of their
    unit, worked out from `units` (the subtree, when already loaded)."""
    chosen = [filters.module] if filters.module else modules
    if filters.campaign:
        chosen = [module for module in chosen if module.pk in filters.campaign.module_ids]
    required = (
        study_hours.Requirements.of_units(root, units)
        if units is not None
        else study_hours.Requirements.below(root)
    ).expression()
    today = filters.today(today)
    year_hours = study_hours.hours_subquery(filters.year or study_hours.StudyYear.of(today))
    parts = {
        module.pk: filters.apply(
            requirements(root, module, today=today, as_of=filters.as_of).annotate(
                days_overdue=days_overdue(today), study_hours=year_hours, hours_required=required
            )
        )
        for module in chosen
    }
    return Table(parts, filters.ordering(), fields=FIELDS + HOURS_FIELDS)


@dataclass
class Figures:
    """Additive counts for a set of requirements, and the rates made from them."""

    assigned: int = 0
    completed: int = 0
    on_time: int = 0
    overdue: int = 0
    failed: int = 0
    first_attempts: int = 0
    first_passes: int = 0
    scored: int = 0
    score_total: int = 0

    @classmethod
    def of(cls, row: dict) -> Figures:
        """The figures of one summary row: the people of one status."""
        status, people = row["training_status"], row["people"]
        return cls(
            assigned=people,
            completed=people if status in COMPLETED_STATUSES else 0,
            on_time=people if status == TrainingStatus.PASSED else 0,
            overdue=people if status == TrainingStatus.OVERDUE else 0,
            failed=people if status == TrainingStatus.FAILED else 0,
            first_attempts=row["first_attempts"],
            first_passes=row["first_passes"],
            scored=row["scored"],
            score_total=row["score_total"] or 0,
        )

    def add(self, other: Figures) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.assigned if self.assigned else None

    @property
    def first_attempt_pass_rate(self) -> float | None:
        return self.first_passes / self.first_attempts if self.first_attempts else None

    @property
    def average_score(self) -> float | None:
        return self.score_total / self.scored if self.scored else None


@dataclass
class Branch:
    """The unit itself (people directly in it) or one sub-unit with everything below."""

    unit: Unit
    direct: bool = False
    by_module: dict[int, Figures] = field(default_factory=dict)
    total: Figures = field(default_factory=Figures)


@dataclass
class Summary:
    branches: list[Branch]
    by_module: dict[int, Figures]
    total: Figures


def summary(
    root: Unit,
    modules: list[Module],
    *,
    children: list[Unit],
    today: date,
    as_of: datetime | None = None,
) -> Summary:
    """Figures per sub-unit and module, with totals: one GROUP BY query.

    A sub-unit's subtree is the rows whose unit path starts with its path, so
    grouping on the first segment below `root` rolls everything up under the
    direct sub-units; people directly in `root` have `root.path` itself."""
    branch_key = Substr("unit__path", 1, len(root.path) + SEGMENT_WIDTH + 1)
    parts = [
        requirements(root, module, today=today, as_of=as_of)
        .values("training_status", branch=branch_key, module_key=Value(module.pk))
        .annotate(
            people=Count("pk"),
            first_attempts=Count("first_attempt_passed"),
            first_passes=Count("pk", filter=Q(first_attempt_passed=True)),
            # The first attempt's score: what people knew before any retry,
            # read from a join rather than a subquery per person.
            scored=Count("first_attempt__score"),
            score_total=Sum("first_attempt__score"),
        )
        .order_by()
        for module in modules
    ]
    grouped = union(parts) if parts else []

    branches = {root.path: Branch(unit=root, direct=True)}
    for child in sorted(children, key=lambda unit: unit.path):
        branches[child.path] = Branch(unit=child)
    by_module = {module.pk: Figures() for module in modules}
    total = Figures()
    for row in grouped:
        figures = Figures.of(row)
        branch = branches[row["branch"]]
        branch.by_module.setdefault(row["module_key"], Figures()).add(figures)
        branch.total.add(figures)
        by_module[row["module_key"]].add(figures)
        total.add(figures)
    return Summary(branches=list(branches.values()), by_module=by_module, total=total)


@dataclass
class Glance:
    """What a unit admin sees on arrival: how far the unit is, how many are
    late, and when the next module falls due."""

    unit: Unit
    assigned: int
    completed: int
    overdue: int
    next_due: date | None

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.assigned if self.assigned else None


def glance(root: Unit, *, today: date) -> Glance:
    """The unit's figures for the home page: one query for the modules (as
    the report reads them) and one GROUP BY over their requirements."""
    parts = [
        requirements(root, module, today=today)
        .values("training_status", "due_date")
        .annotate(people=Count("pk"))
        .order_by()
        for module in assigned_modules()
    ]
    assigned = completed = overdue = 0
    upcoming = []
    for row in union(parts) if parts else []:
        status, people = row["training_status"], row["people"]
        assigned += people
        if status in COMPLETED_STATUSES:
            completed += people
        elif status == TrainingStatus.OVERDUE:
            overdue += people
        elif status != TrainingStatus.FAILED and row["due_date"] >= today:
            upcoming.append(row["due_date"])
    return Glance(
        unit=root,
        assigned=assigned,
        completed=completed,
        overdue=overdue,
        next_due=min(upcoming, default=None),
    )


@dataclass
class QuestionMisses:
    text: str
    answered: int
    missed: int
    # The item analysis of the unit's own attempts (lessons.statistics).
    statistics: ItemStatistics = field(default_factory=ItemStatistics)
    # The bank question, for its text in the reader's language (None once deleted).
    question: Question | None = None
    # The wrong choice picked most often, and how many times it was picked.
    wrong_choice: str = ""
    wrong_picks: int = 0
    wrong_bank_choice: Choice | None = None

    @property
    def rate(self) -> float:
        return self.missed / self.answered if self.answered else 0.0


def question_misses(root: Unit, module: Module) -> list[QuestionMisses]:
    """How often each question of `module` was answered wrongly by people in
    `root`'s subtree (submitted attempts), most missed first, with its item
    analysis over the same people. Aggregates only: nobody's answers."""
    copies = AttemptQuestion.objects.filter(
        attempt__module=module,
        attempt__user__employee__unit__path__startswith=root.path,
    )
    rows = list(
        copies.values("question_id")
        .annotate(text=Max("text"), **aggregates())
        .filter(stat_drawn__gt=0)
        .order_by()
    )
    # The question's text as the reader reads the site, not as the attempts
    # copied it (a report read in English shows the English text).
    bank = Question.objects.in_bulk([row["question_id"] for row in rows if row["question_id"]])
    wrong = most_picked_wrong_choices(root, module)
    misses = []
    for row in rows:
        statistics = ItemStatistics.of(row)
        question = bank.get(row["question_id"])
        misses.append(
            QuestionMisses(
                text=question.text if question else row["text"],
                answered=statistics.drawn,
                missed=statistics.drawn - statistics.correct,
                statistics=statistics,
                question=question,
                # The wrong answer chosen most, once enough people answered
                # that it says something about the unit and not about someone.
                **(wrong.get(row["question_id"], {}) if statistics.drawn >= MIN_GROUP else {}),
            )
        )
    return sorted(misses, key=lambda item: (-item.rate, item.text))


def most_picked_wrong_choices(root: Unit, module: Module) -> dict[int | None, dict]:
    """For each question of `module` answered in `root`'s subtree: the wrong
    choice picked most often in submitted attempts, in the reader's
    language: two queries (the picks grouped by choice, and those bank
    choices). The picks are joined to their attempts and people, not
    filtered with IN (subquery): on PostgreSQL, with the test database's
    fresh statistics, that subquery was planned to run once for each
    choice (minutes for the demo's few thousand)."""
    attempt = "attempt_question__attempt__"
    picks = (
        AttemptChoice.objects.filter(
            **{
                f"{attempt}module": module,
                f"{attempt}user__employee__unit__path__startswith": root.path,
                f"{attempt}status": AttemptStatus.SUBMITTED,
            },
            selected=True,
            is_correct=False,
        )
        .values("attempt_question__question_id", "choice_id")
        .annotate(text=Max("text"), picks=Count("pk"))
        .order_by()
    )
    best: dict[int | None, dict] = {}
    for row in picks:
        question_id = row["attempt_question__question_id"]
        current = best.get(question_id)
        if current is None or (row["picks"], -(row["choice_id"] or 0)) > (
            current["wrong_picks"],
            -(current["choice_id"] or 0),
        ):
            best[question_id] = {
                "wrong_choice": row["text"],
                "wrong_picks": row["picks"],
                "choice_id": row["choice_id"],
            }
    choices = Choice.objects.in_bulk(
        [item["choice_id"] for item in best.values() if item["choice_id"]]
    )
    for item in best.values():
        choice = choices.get(item.pop("choice_id"))
        item["wrong_bank_choice"] = choice
        if choice is not None:
            item["wrong_choice"] = choice.text
    return best


@dataclass
class SortHeader:
    key: str
    label: str
    link_sort: str  # the sort a click on the header asks for
    aria_sort: str | None  # "ascending"/"descending" on the sorted column


SORTABLE = [
    ("name", _("Name")),
    ("unit", _("Unit")),
    ("module", _("Module")),
    ("status", _("Status")),
    ("score", _("Score")),
    ("due", _("Due")),
    ("overdue", _("Days overdue")),
    ("completed", _("Completed")),
]


def sort_headers(current: str) -> list[SortHeader]:
    """The table's column headers: a click sorts by the column, a second
    click on the sorted column reverses it."""
    descending = current.startswith("-")
    headers = []
    for key, label in SORTABLE:
        active = current.lstrip("-") == key
        headers.append(
            SortHeader(
                key=key,
                label=label,
                link_sort=f"-{key}" if active and not descending else key,
                aria_sort=("descending" if descending else "ascending") if active else None,
            )
        )
    return headers


@dataclass
class PersonRecord:
    """Everything the person page shows of one person: seven queries,
    however long their history."""

    employee: Employee
    requirements: list[dict]
    attempts: list
    certificates: list
    due_date_changes: list
    reminders: list


def person_record(employee: Employee, *, today: date) -> PersonRecord:
    from completion.models import Certificate, DueDateChange
    from lessons.models import Attempt

    user = employee.user
    parts = {
        module.pk: requirements(employee.unit, module, today=today)
        .filter(pk=employee.pk)
        .annotate(days_overdue=days_overdue(today))
        for module in assigned_modules()
    }
    rows = list(Table(parts, ["module_title"]).all_rows()) if parts else []
    attempts = list(
        Attempt.objects.filter(user=user)
        .select_related("module")
        .order_by("module__order", "module_id", "number")
    )
    certificates = list(Certificate.objects.filter(user=user).order_by("-issued_at"))
    # The due date changes of every assignment that reaches the person:
    # their own, and those of their unit and the units above it.
    changes = list(
        DueDateChange.objects.filter(
            Q(assignment__user=user) | Q(assignment__unit__path__in=ancestor_paths(employee.unit))
        )
        .select_related("assignment__module", "assignment__unit", "changed_by__employee")
        .order_by("-changed_at")
    )
    reminders = list(
        Reminder.objects.filter(recipient=user, module__isnull=False)
        .select_related("module")
        .order_by("-created_at")
    )
    return PersonRecord(employee, rows, attempts, certificates, changes, reminders)
