"""The demo organisation at national scale, built in SQL on PostgreSQL.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:55433/awareness_national \\
        .venv/bin/python bench/reports.py --employees 1000000 --fast-build

`manage.py demo --employees N` makes every person, attempt and answered
question a Python object (420 s for 100,000 people on SQLite): a million
would take hours. `build()` makes the same organisation with the demo's own
steps for what is small (the content, the demo accounts, the units, the
assignments, the demo employee's scripted history, the campaign; the
Builder at size N, so 60 bureaus and 600 departments at a million) and one
set-based `INSERT ... SELECT` each for what grows with N: the accounts and
employee records, the attempts, their answered questions (the choices only
of attempts in progress, as the demo keeps them above
`demo.CHOICES_UP_TO` people), the completions and the story's decisions.
Above that size the demo issues no certificates, so neither does this.

The draws follow the Builder's: the outcome of each person and module by
the weights of `OUTCOMES`, passing and failing scores as it works them out,
attempt times within the month before the due date (late passes one to
five days after it), questions drawn without replacement and the harder
ones missed more often, the story's recommended option most often. Each
draw is a hash of its row's key (`hashint8extended`), so the same size
always gives the same organisation; it is not the same organisation as the
demo's, whose draws are Python's.
"""

from __future__ import annotations

import io
import time
from contextlib import contextmanager
from datetime import timedelta
from itertools import accumulate
from math import gcd

# Draws: a number in [0, 1) from a row's key and a salt, one salt a kind of
# draw. Inlined by PostgreSQL (an immutable SQL function).
DRAW = """
    CREATE FUNCTION pg_temp.draw(key bigint, salt bigint) RETURNS float8
    IMMUTABLE LANGUAGE sql
    AS 'SELECT (hashint8extended(key, salt) & 9007199254740991)::float8 / 9007199254740992'
"""
# The keys of the draws: person n, their requirement of plan entry e
# (n * 8 + e), its attempt number k (requirement * 8 + k), a bank question
# or decision point i of that attempt (attempt * 64 + i).
NAME, OUTCOME, SCORE, MOMENT, DRAWN, OFFSET, MISSED, SHUFFLED, POOL, OPTION = range(1, 11)


def columns(model, names: str) -> str:
    """`"table" ("column", ...)` for an INSERT, read from the model's _meta."""
    fields = ", ".join(f'"{model._meta.get_field(name).column}"' for name in names.split())
    return f'"{model._meta.db_table}" ({fields})'


class NationalBuilder:
    def __init__(self, cursor, *, size: int, log=print):
        self.cursor, self.size, self.log = cursor, size, log

    def run(self, sql: str, params=None, what: str = "") -> int:
        start = time.perf_counter()
        self.cursor.execute(sql, params)
        if what:
            self.log(
                f"  {what}: {self.cursor.rowcount:,} rows, {time.perf_counter() - start:.1f} s"
            )
        return self.cursor.rowcount

    def table(self, name: str, definition: str, rows: list[tuple]) -> None:
        """A small temporary table of `rows`, loaded by COPY."""
        self.cursor.execute(f"CREATE TEMPORARY TABLE {name} ({definition})")
        with self.cursor.copy(f"COPY {name} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        self.cursor.execute(f"ANALYZE {name}")

    # The people ------------------------------------------------------------

    def people(self, departments, *, prefix: str, password_hash: str, language: str, since):
        from django.contrib.auth import get_user_model

        from completion.management.commands._demo_organisation import (
            EXAMPLE_DOMAIN,
            GIVEN_NAMES,
            SURNAMES,
        )
        from completion.models import Employee
        from completion.models.organisation import sort_name

        User = get_user_model()
        # Every name the Builder can draw (a family name and a given name,
        # each uniformly), with its sort key worked out once.
        names = [surname + given for surname in SURNAMES for given in GIVEN_NAMES]
        self.table(
            "names",
            "idx int PRIMARY KEY, full_name text, sort_name text",
            [(index, name, sort_name(name)) for index, name in enumerate(names)],
        )
        self.table(
            "departments",
            "idx int PRIMARY KEY, unit_id bigint",
            [(index, unit.pk) for index, unit in enumerate(departments)],
        )
        number = "lpad(n::text, greatest(6, length(n::text)), '0')"
        into = columns(
            User,
            "password is_superuser username first_name last_name email is_staff is_active "
            "date_joined",
        )
        self.run(
            f"""
            INSERT INTO {into}
            SELECT %(password)s, false, %(prefix)s || {number}, names.full_name, '',
                   %(prefix)s || {number} || %(domain)s, false, true, now()
            FROM generate_series(1, %(size)s) n
            JOIN names ON names.idx = floor(pg_temp.draw(n, {NAME}) * %(names)s)
            ORDER BY n
            """,
            {
                "password": password_hash,
                "prefix": prefix.lower(),
                "domain": f"@{EXAMPLE_DOMAIN}",
                "size": self.size,
                "names": len(names),
            },
            "users",
        )
        # People: the Builder's spread over the departments ((n * 7919) mod
        # their number), in them long before anything was assigned.
        user = User._meta.db_table
        self.run(
            f"""
            CREATE TEMPORARY TABLE people AS
            SELECT substr(u.username, %(start)s)::int AS n, u.id AS user_id,
                   u.first_name AS full_name, d.unit_id
            FROM "{user}" u
            JOIN departments d ON d.idx = substr(u.username, %(start)s)::bigint * 7919 %% %(count)s
            WHERE u.username ~ %(pattern)s
            """,
            {
                "start": len(prefix) + 1,
                "count": len(departments),
                "pattern": f"^{prefix.lower()}[0-9]+$",
            },
        )
        into = columns(
            Employee,
            "user unit employee_number full_name sort_name unit_since language from_directory "
            "directory_unit_code",
        )
        self.run(
            f"""
            INSERT INTO {into}
            SELECT p.user_id, p.unit_id,
                   %(prefix)s || '-' || lpad(p.n::text, greatest(6, length(p.n::text)), '0'),
                   p.full_name, names.sort_name, %(since)s, %(language)s, false, ''
            FROM people p JOIN names ON names.full_name = p.full_name
            ORDER BY p.n
            """,
            {"prefix": prefix, "since": since, "language": language},
            "employees",
        )

    # The history -----------------------------------------------------------

    def bank(self, plan, builder) -> dict[int, tuple]:
        """The questions, choices and decision points of the planned modules,
        in the people's language, as temporary tables; returns each module's
        drawn question count, bank size and number of strides.

        An attempt draws its questions without replacement as an affine
        walk through the bank (a random start, then a random step coprime
        with the bank's size): every question is drawn as often, and no
        attempt needs the whole bank sorted."""
        questions, choices, points, options, strides = [], [], [], [], []
        drawn = {}
        for module, _unit, _due in plan:
            if module.pk in drawn:
                continue
            bank = list(module.questions.active().prefetch_related("choices"))
            difficulty = builder.difficulty(bank)
            steps = [step for step in range(1, len(bank)) if gcd(step, len(bank)) == 1] or [1]
            strides += [(module.pk, index, step) for index, step in enumerate(steps)]
            drawn[module.pk] = (
                min(len(bank), module.questions_per_attempt),
                len(bank),
                len(steps),
            )
            for index, question in enumerate(bank):
                questions.append(
                    (
                        module.pk,
                        index,
                        question.pk,
                        question.kind,
                        question.text,
                        question.explanation,
                        difficulty[question.pk],
                    )
                )
                for order, choice in enumerate(question.choices.all(), start=1):
                    choices.append((question.pk, order, choice.pk, choice.text, choice.is_correct))
            for index, point in enumerate(module.decision_points.prefetch_related("options")):
                every = list(point.options.all())
                if not every:
                    continue
                right = [option for option in every if option.is_recommended]
                wrong = [option for option in every if not option.is_recommended]
                tempting = 0.15 + 0.25 * (point.pk % 3) / 2
                points.append((module.pk, index, point.pk, tempting, len(right), len(wrong)))
                for pool, chosen in ((True, right), (False, wrong)):
                    for order, option in enumerate(chosen):
                        options.append((point.pk, pool, order, option.pk, option.text))
        self.table(
            "bank",
            "module_id bigint, idx int, question_id bigint, kind text, text text, "
            "explanation text, difficulty float8",
            questions,
        )
        self.table("strides", "module_id bigint, idx int, stride int", strides)
        self.table(
            "bank_choices",
            "question_id bigint, idx int, choice_id bigint, text text, is_correct bool",
            choices,
        )
        self.table(
            "points",
            "module_id bigint, idx int, point_id bigint, tempting float8, rights int, wrongs int",
            points,
        )
        self.table(
            "point_options",
            "point_id bigint, recommended bool, idx int, option_id bigint, text text",
            options,
        )
        return drawn

    def history(self, plan, builder) -> None:
        from completion.management.commands._demo_organisation import OUTCOMES
        from completion.models import Completion, Unit
        from lessons.models import (
            Attempt,
            AttemptChoice,
            AttemptQuestion,
            AttemptStatus,
            DecisionResponse,
            QuestionKind,
        )

        drawn = self.bank(plan, builder)
        now = builder.now
        entries = []
        for entry, (module, unit, due) in enumerate(plan):
            count, bank_size, steps = drawn[module.pk]
            if not bank_size:
                continue
            deadline = builder.deadline(due)
            assigned = min(now, deadline) - timedelta(days=30)
            count_per = module.questions_per_attempt
            entries.append(
                (
                    entry,
                    module.pk,
                    unit.path,
                    deadline,
                    assigned,
                    min(now, deadline) - timedelta(hours=1),
                    deadline <= now,  # only a deadline past can have been missed
                    module.attempt_limit or 3,
                    count_per,
                    -(-module.pass_mark * count_per // 100),
                    count,
                    module.pass_mark,
                    module.validity_months,
                    module.study_hours,
                    module.title,
                    bank_size,
                    steps,
                )
            )
        self.table(
            "plan",
            "entry int, module_id bigint, unit_path text, deadline timestamptz, "
            "assigned timestamptz, latest timestamptz, can_be_late bool, attempt_limit int, "
            "per_attempt int, needed int, drawn int, pass_mark int, validity_months int, "
            "study_hours numeric, title text, bank_size int, strides int",
            entries,
        )
        # Each requirement's outcome, by the Builder's weights.
        total = sum(weight for weight, _outcome in OUTCOMES)
        whens = []
        for bound, (_weight, name) in zip(
            accumulate(weight for weight, _ in OUTCOMES), OUTCOMES, strict=True
        ):
            # A due date still ahead cannot have been missed: passed on a
            # second attempt instead (as the Builder has it).
            then = "CASE WHEN pl.can_be_late THEN 'pass_late' ELSE 'pass_second' END"
            whens.append(
                f"WHEN x < {bound / total!r} THEN {then if name == 'pass_late' else repr(name)}"
            )
        outcome = f"CASE {' '.join(whens)} END"
        self.run(
            f"""
            CREATE TEMPORARY TABLE requirement AS
            SELECT p.n, p.user_id, pl.entry, p.n::bigint * 8 + pl.entry AS key, {outcome} AS outcome
            FROM people p
            JOIN "{Unit._meta.db_table}" u ON u.id = p.unit_id
            JOIN plan pl ON u.path LIKE pl.unit_path || '%%'
            CROSS JOIN LATERAL (SELECT pg_temp.draw(p.n::bigint * 8 + pl.entry, {OUTCOME}) AS x) d
            """,
            what="requirements",
        )
        # The attempts of each outcome (as Builder.attempts_for), their
        # scores and moments; several attempts on one module come in order.
        start = self.next_id(Attempt)
        randint = "({low} + floor(pg_temp.draw(r.key * 8 + k, {salt}) * ({high} - {low} + 1)))"
        passing = randint.format(low="pl.needed", high="pl.per_attempt", salt=SCORE)
        failing = randint.format(low="greatest(0, pl.needed - 3)", high="pl.needed - 1", salt=SCORE)
        self.run(
            f"""
            CREATE TEMPORARY TABLE attempt AS
            WITH raw AS (
                SELECT r.user_id, r.n, r.entry, r.key * 8 + k AS key, k AS number, pl.drawn,
                       CASE
                           WHEN r.outcome = 'in_progress' THEN NULL
                           WHEN r.outcome IN ('pass_first', 'pass_late')
                                OR (r.outcome = 'pass_second' AND k = 2)
                           THEN round(100 * {passing}::float8 / pl.per_attempt)
                           ELSE round(100 * {failing}::float8 / pl.per_attempt)
                       END::int AS score,
                       least(
                           CASE WHEN r.outcome = 'pass_late'
                               THEN pl.deadline + make_interval(
                                   days => 1
                                       + floor(pg_temp.draw(r.key * 8 + k, {MOMENT}) * 5)::int)
                               ELSE pl.assigned + (pl.latest - pl.assigned)
                                   * pg_temp.draw(r.key * 8 + k, {MOMENT})
                           END,
                           %(now)s::timestamptz - interval '5 minutes'
                       ) AS at
                FROM requirement r
                JOIN plan pl ON pl.entry = r.entry
                CROSS JOIN LATERAL generate_series(1, CASE r.outcome
                    WHEN 'not_started' THEN 0 WHEN 'pass_second' THEN 2
                    WHEN 'failed_out' THEN pl.attempt_limit ELSE 1 END) k
            )
            SELECT %(start)s + row_number() OVER (ORDER BY n, entry, number) - 1 AS id,
                   raw.user_id, raw.key, raw.entry, raw.number, raw.score, raw.drawn,
                   CASE WHEN raw.score IS NOT NULL
                       THEN (array_agg(raw.at) OVER by_moment)[raw.number] END AS submitted_at
            FROM raw
            WINDOW by_moment AS (
                PARTITION BY raw.user_id, raw.entry ORDER BY raw.at
                ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
            )
            """,
            {"now": now, "start": start},
        )
        self.run("CREATE INDEX ON attempt (id)")
        self.run("ANALYZE attempt")
        into = columns(
            Attempt,
            "id user module number cycle validity_months study_hours status pass_mark "
            "module_title language started_at submitted_at correct_count question_count score "
            "passed",
        )
        self.run(
            f"""
            INSERT INTO {into}
            SELECT a.id, a.user_id, pl.module_id, a.number, 1, pl.validity_months,
                   pl.study_hours,
                   CASE WHEN a.score IS NULL THEN %(open)s ELSE %(submitted)s END,
                   pl.pass_mark, pl.title, %(language)s,
                   coalesce(a.submitted_at - interval '14 minutes', now()), a.submitted_at,
                   round(a.score * a.drawn / 100.0::float8)::int, pl.per_attempt, a.score,
                   a.score >= pl.pass_mark
            FROM attempt a JOIN plan pl ON pl.entry = a.entry
            ORDER BY a.id
            """,
            {
                "open": AttemptStatus.IN_PROGRESS,
                "submitted": AttemptStatus.SUBMITTED,
                "language": builder.language,
            },
            "attempts",
        )
        self.restart_ids(Attempt)
        # The questions each attempt drew, in the order drawn; of a
        # submitted one, the hardest (weighted draw) are those answered
        # wrongly, as many as its score leaves. Ids are worked out (an
        # attempt's questions follow each other), so the choices of
        # attempts in progress can name theirs.
        first_question = self.next_id(AttemptQuestion)
        most = max(count for count, _size, _steps in drawn.values())
        into = columns(
            AttemptQuestion,
            "id attempt question position kind text explanation answered_at is_correct",
        )
        self.run(
            f"""
            INSERT INTO {into}
            SELECT %(first)s + (d.attempt_id - %(start)s) * %(most)s + d.position - 1,
                   d.attempt_id, d.question_id, d.position, d.kind, d.text,
                   CASE WHEN d.submitted_at IS NULL THEN d.explanation ELSE '' END,
                   d.submitted_at,
                   CASE WHEN d.submitted_at IS NOT NULL THEN
                       row_number() OVER (PARTITION BY d.attempt_id ORDER BY d.hardness DESC)
                       > d.drawn - round(d.score * d.drawn / 100.0::float8)
                   END
            FROM (
                SELECT a.id AS attempt_id, a.submitted_at, a.score, a.drawn, q.question_id,
                       q.kind, q.text, q.explanation, position,
                       pg_temp.draw(a.key * 64 + q.idx, {MISSED}) ^ (1 / q.difficulty) AS hardness
                FROM attempt a
                JOIN plan pl ON pl.entry = a.entry
                JOIN strides s ON s.module_id = pl.module_id
                     AND s.idx = floor(pg_temp.draw(a.key, {DRAWN}) * pl.strides)::int
                CROSS JOIN LATERAL generate_series(1, a.drawn) position
                JOIN bank q ON q.module_id = pl.module_id AND q.idx = (
                    floor(pg_temp.draw(a.key, {OFFSET}) * pl.bank_size)::int
                    + (position - 1) * s.stride
                ) %% pl.bank_size
            ) d
            """,
            {"first": first_question, "start": start, "most": most},
            "answered questions",
        )
        self.restart_ids(AttemptQuestion)
        into = columns(AttemptChoice, "attempt_question choice position text is_correct selected")
        self.run(
            f"""
            INSERT INTO {into}
            SELECT q.id, c.choice_id,
                   CASE WHEN q.kind = %(true_false)s THEN c.idx ELSE row_number() OVER (
                       PARTITION BY q.id ORDER BY pg_temp.draw(q.id * 64 + c.idx, {SHUFFLED})
                   ) END,
                   c.text, c.is_correct, false
            FROM attempt a
            JOIN "{AttemptQuestion._meta.db_table}" q ON q.attempt_id = a.id
            JOIN bank_choices c ON c.question_id = q.question_id
            WHERE a.submitted_at IS NULL
            ORDER BY q.id, 3
            """,
            {"true_false": QuestionKind.TRUE_FALSE},
            "choices of attempts in progress",
        )
        into = columns(
            Completion,
            "user module attempt score completed_at acknowledgement_text cycle valid_until "
            "study_hours",
        )
        self.run(
            f"""
            INSERT INTO {into}
            SELECT a.user_id, pl.module_id, a.id, a.score, a.submitted_at, '', 1,
                   CASE WHEN pl.validity_months > 0 THEN
                       ((a.submitted_at AT TIME ZONE %(zone)s)::date
                        + make_interval(months => pl.validity_months))::date
                   END,
                   pl.study_hours
            FROM attempt a JOIN plan pl ON pl.entry = a.entry
            WHERE a.score >= pl.pass_mark
            ORDER BY a.id
            """,
            {"zone": self.zone()},
            "completions",
        )
        # Who took a quiz went through the story first: at each decision
        # point the recommended option unless tempted, the first option of
        # the chosen pool weighted twice.
        into = columns(
            DecisionResponse, "user decision_point option option_text was_recommended created_at"
        )
        self.run(
            f"""
            INSERT INTO {into}
            SELECT a.user_id, p.point_id, o.option_id, o.text, o.recommended, now()
            FROM attempt a
            JOIN plan pl ON pl.entry = a.entry
            JOIN points p ON p.module_id = pl.module_id
            CROSS JOIN LATERAL (
                SELECT p.rights > 0 AND (p.wrongs = 0
                    OR pg_temp.draw(a.key * 64 + p.idx, {POOL}) > p.tempting) AS recommended
            ) pool
            CROSS JOIN LATERAL (
                SELECT floor(pg_temp.draw(a.key * 64 + p.idx, {OPTION})
                    * (CASE WHEN pool.recommended THEN p.rights ELSE p.wrongs END + 1))::int AS t
            ) pick
            JOIN point_options o ON o.point_id = p.point_id AND o.recommended = pool.recommended
                 AND o.idx = greatest(pick.t - 1, 0)
            WHERE a.number = 1
            ORDER BY a.id, p.idx
            ON CONFLICT DO NOTHING
            """,
            what="decisions",
        )

    def zone(self) -> str:
        from django.conf import settings

        return settings.TIME_ZONE

    def next_id(self, model) -> int:
        self.cursor.execute(f'SELECT coalesce(max(id), 0) + 1 FROM "{model._meta.db_table}"')
        return self.cursor.fetchone()[0]

    @contextmanager
    def indexes_after(self, *models):
        """Inserts into `models` with their secondary indexes built after
        (the indexes of constraints stay): one sort each instead of an index
        search for every row."""
        tables = [model._meta.db_table for model in models]
        # A table with foreign key checks still deferred cannot be indexed:
        # the ORM's rows made before are checked now.
        self.cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.tablename = ANY(%s) AND NOT EXISTS (
                SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname
            )
            """,
            [tables],
        )
        indexes = self.cursor.fetchall()
        for name, _definition in indexes:
            self.cursor.execute(f'DROP INDEX "{name}"')
        yield
        start = time.perf_counter()
        for _name, definition in indexes:
            self.cursor.execute(definition)
        self.log(
            f"  {len(indexes)} indexes of {', '.join(tables)}: {time.perf_counter() - start:.1f} s"
        )

    def restart_ids(self, model) -> None:
        """The table's identity goes on after the ids written here."""
        table = model._meta.db_table
        self.cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM \"{table}\"))",
            [f'"{table}"'],
        )


def build(employees: int, log=print) -> dict[str, int]:
    """The demo organisation of `employees` people (more than
    demo.CHOICES_UP_TO), in a database with none yet; returns the rows of
    each table it wrote."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import translation

    from completion.management.commands import demo
    from completion.management.commands._demo_organisation import Builder
    from completion.models import Completion, Employee, UnitAdmin
    from lessons.models import Attempt, AttemptChoice, AttemptQuestion, DecisionResponse, Module

    assert connection.vendor == "postgresql", "the fast build is written for PostgreSQL"
    assert employees > demo.CHOICES_UP_TO, "below it, `manage.py demo` keeps every choice"
    with transaction.atomic(), connection.cursor() as cursor:
        command = demo.Command(stdout=io.StringIO())
        command.load_content()
        trainers = command.trainers_group()
        province = command.province()
        assert not Employee.objects.filter(unit__path__startswith=province.path).exists(), (
            "the database already has a demo organisation"
        )
        builder = Builder(
            province=province,
            employees=employees,
            with_choices=False,
            language=demo.DEMO_LANGUAGE,
            log=log,
        )
        departments = builder.units()
        command.create_accounts(trainers, province=province, home=departments[7])
        cursor.execute(DRAW)
        cursor.execute("SET LOCAL work_mem = '512MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '2GB'")
        # The rows are made consistent: their foreign keys are not checked
        # one by one (PostgreSQL's triggers do not fire for a replica).
        cursor.execute("SET LOCAL session_replication_role = replica")
        modules = list(Module.objects.published().order_by("order", "pk")[:3])
        plan = builder.assignments(modules, departments, by=UnitAdmin.objects.first().user)
        # The demo employee's own scripted history, as the demo makes it.
        employee = Employee.objects.get(user__username="employee")
        builder.history(
            [employee], plan, scripted={employee.pk: demo.EMPLOYEE_OUTCOMES[: len(plan)]}
        )
        bulk = NationalBuilder(cursor, size=employees, log=log)
        made = [get_user_model(), Employee, Attempt, AttemptQuestion, AttemptChoice]
        with bulk.indexes_after(*made, Completion, DecisionResponse):
            bulk.people(
                departments,
                prefix=province.code,
                password_hash=make_password(demo.DEMO_PASSWORD),
                language=demo.DEMO_LANGUAGE,
                since=builder.today - timedelta(days=730),
            )
            with translation.override(demo.DEMO_LANGUAGE):
                bulk.history(plan, builder)
        command.campaign(province, modules)
    with connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute("ANALYZE")
        log(f"  ANALYZE: {time.perf_counter() - start:.1f} s")
    return counts()


def counts() -> dict[str, int]:
    """The rows of each table the report reads."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from completion.models import Assignment, Certificate, Completion, Employee, Unit
    from lessons.models import Attempt, AttemptChoice, AttemptQuestion, DecisionResponse

    models = [
        Unit,
        get_user_model(),
        Employee,
        Assignment,
        Attempt,
        AttemptQuestion,
        AttemptChoice,
        Completion,
        Certificate,
        DecisionResponse,
    ]
    found = {}
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f'SELECT count(*) FROM "{model._meta.db_table}"')
            found[model._meta.db_table] = cursor.fetchone()[0]
    return found
