"""Benchmark the unit report, its CSV and Excel exports against their floors.

    DEBUG=1 .venv/bin/python bench/reports.py --employees 100000
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:55432/awareness_bench \\
        .venv/bin/python bench/reports.py --employees 100000

National scale (PostgreSQL only; bench/README.md, "Reports"):

    export DATABASE_URL=postgres://postgres@127.0.0.1:55433/awareness_national
    DEBUG=1 DATABASE_URL="$DATABASE_URL?options=-c%20jit%3Doff" flock /tmp/awareness-bench.lock \\
        .venv/bin/python bench/reports.py --employees 1000000 --fast-build --runs 1

Builds a fresh database (an SQLite file in /tmp unless DATABASE_URL is set;
the PostgreSQL database is dropped and created again), fills it with
`manage.py demo --employees N` (three modules assigned to the province, one
to two bureaus, quiz history for everyone) or, with `--fast-build`, the
same organisation made in SQL (bench/national.py: minutes for a million
people, where the demo's Python objects would take hours) and, as the demo
unit admin of the province (the whole organisation), times:

- the report page with its charts, rendered in full through the test client;
- the one-page summary PDF (figures, two charts, most-missed questions);
- the CSV and the Excel export of the unfiltered table (above 20,000 rows
  the Excel file is written by a background job: timed as the POST that
  starts it plus the job, run in this process as the worker runs it);

each against its floor: the GROUP BY statements that compute the same thing
straight in SQL (the figures per bureau and module, and the charts' counts
by status, overdue band, score band and day, for the page; those and the
misses per question, then a bare WeasyPrint page, for the PDF; one row per
person and module for the exports). Target: within 3× the
floor, and the same number of queries at 1,000 and 1,000,000 employees.

`--runs N` sets how many timings the page and the PDF take (the median;
the exports take one), `--only page pdf csv xlsx` which are timed, `--keep`
times an already built database again. PostgreSQL's JIT compiler takes
seconds over the report's large expressions (ten times the page's time at
10,000 people): the app's settings turn it off for PostgreSQL, and
`options=-c jit=off` in DATABASE_URL does the same for older checkouts."""

from __future__ import annotations

import argparse
import csv
import io
import os
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awareness.settings")
os.environ.setdefault("DEBUG", "1")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = "sqlite:////tmp/awareness-bench.sqlite3"


def fresh_database() -> None:
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    # The URL may carry options (?options=-c%20jit%3Doff): not the name.
    parts = urlsplit(url)
    server, name = f"{parts.scheme}://{parts.netloc}", parts.path.lstrip("/")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def timed(function, runs: int = 3, first=None) -> float:
    """The median of `runs` timings, in seconds; `first`, when given, is
    called around the first run (a context manager: the query count)."""
    times = []
    for run in range(runs):
        start = time.perf_counter()
        if run == 0 and first is not None:
            with first():
                function()
        else:
            function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# The floors: what the database alone needs to compute the same answers.
REQUIREMENTS = """
    SELECT e.id AS employee_id, e.user_id, e.full_name, e.employee_number,
           u.name AS unit_name, u.path, a.module_id,
           MIN(a.due_date) AS due_date, MIN(a.created_at) AS assigned_at
    FROM completion_employee e
    JOIN completion_unit u ON u.id = e.unit_id
    JOIN (
        SELECT au.path AS unit_path, NULL AS user_id, x.module_id, x.due_date, x.created_at
        FROM completion_assignment x JOIN completion_unit au ON au.id = x.unit_id
        UNION ALL
        SELECT NULL, x.user_id, x.module_id, x.due_date, x.created_at
        FROM completion_assignment x WHERE x.user_id IS NOT NULL
    ) a ON a.user_id = e.user_id OR u.path LIKE a.unit_path || '%%'
    WHERE u.path LIKE %s
    GROUP BY e.id, e.user_id, e.full_name, e.employee_number, u.name, u.path, a.module_id
"""


def local_date(column: str, vendor: str) -> str:
    if vendor == "postgresql":
        return f"({column} AT TIME ZONE 'Asia/Shanghai')::date"
    return f"date({column}, '+8 hours')"


def page_floor(vendor: str) -> str:
    return f"""
    WITH r AS ({REQUIREMENTS})
    SELECT substr(r.path, 1, %s) AS branch, r.module_id,
           COUNT(*) AS assigned,
           COUNT(c.id) AS completed,
           SUM(CASE WHEN {local_date("c.completed_at", vendor)} <= r.due_date THEN 1 ELSE 0 END),
           SUM(CASE WHEN c.id IS NULL AND r.due_date < %s THEN 1 ELSE 0 END),
           COUNT(f.passed), SUM(CASE WHEN f.passed THEN 1 ELSE 0 END),
           AVG(c.score)
    FROM r
    LEFT JOIN completion_completion c ON c.user_id = r.user_id AND c.module_id = r.module_id
    LEFT JOIN lessons_attempt f ON f.user_id = r.user_id AND f.module_id = r.module_id
         AND f.number = 1
    GROUP BY 1, 2
    """


def charts_floor(vendor: str) -> list[str]:
    """The charts' answers in SQL: people by sub-unit, module, status,
    overdue band and first-attempt score band; then who was assigned and who
    completed each module on each day."""
    overdue = "c.id IS NULL AND r.due_date < %s"
    return [
        f"""
    WITH r AS ({REQUIREMENTS})
    SELECT substr(r.path, 1, %s) AS branch, r.module_id,
           CASE WHEN c.id IS NOT NULL THEN 'done' WHEN {overdue} THEN 'overdue'
                ELSE 'open' END AS status,
           CASE WHEN {overdue} AND r.due_date >= %s THEN 0 WHEN {overdue} AND r.due_date >= %s
                THEN 1 WHEN {overdue} THEN 2 END AS band,
           f.score / 10 AS score_band, COUNT(*)
    FROM r
    LEFT JOIN completion_completion c ON c.user_id = r.user_id AND c.module_id = r.module_id
    LEFT JOIN lessons_attempt f ON f.user_id = r.user_id AND f.module_id = r.module_id
         AND f.number = 1
    GROUP BY 1, 2, 3, 4, 5
    """,
        f"""
    WITH r AS ({REQUIREMENTS})
    SELECT r.module_id, {local_date("r.assigned_at", vendor)}, COUNT(*), 0 FROM r GROUP BY 1, 2
    UNION ALL
    SELECT r.module_id, {local_date("c.completed_at", vendor)}, 0, COUNT(*) FROM r
    JOIN completion_completion c ON c.user_id = r.user_id AND c.module_id = r.module_id
    GROUP BY 1, 2
    """,
    ]


# The most-missed questions of the summary PDF: every module's at once.
MISSES_FLOOR = """
    SELECT a.module_id, q.question_id, COUNT(*),
           SUM(CASE WHEN q.is_correct THEN 1 ELSE 0 END)
    FROM lessons_attemptquestion q
    JOIN lessons_attempt a ON a.id = q.attempt_id AND a.status = 'submitted'
    JOIN completion_employee e ON e.user_id = a.user_id
    JOIN completion_unit u ON u.id = e.unit_id
    WHERE u.path LIKE %s
    GROUP BY 1, 2
"""


def export_floor() -> str:
    return f"""
    WITH r AS ({REQUIREMENTS})
    SELECT r.full_name, r.employee_number, r.unit_name, m.title, c.score, r.due_date,
           r.assigned_at, c.completed_at, f.passed
    FROM r
    JOIN lessons_module m ON m.id = r.module_id
    LEFT JOIN completion_completion c ON c.user_id = r.user_id AND c.module_id = r.module_id
    LEFT JOIN lessons_attempt f ON f.user_id = r.user_id AND f.module_id = r.module_id
         AND f.number = 1
    ORDER BY r.full_name
    """


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="reuse the database if it is built")
    parser.add_argument(
        "--runs", type=int, default=3, help="timings of the page and the PDF (median; exports: one)"
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=["page", "pdf", "csv", "xlsx"],
        help="time only these (default: all four)",
    )
    parser.add_argument(
        "--fast-build",
        action="store_true",
        help="build the people and their history in SQL (PostgreSQL only: bench/national.py)",
    )
    arguments = parser.parse_args()
    if not arguments.keep:
        fresh_database()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.staticfiles import finders
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import setup_test_environment
    from openpyxl import Workbook

    from bench import national
    from completion.models import SEGMENT_WIDTH, Employee, ExportJob, Unit, local_today
    from completion.pdf import SUMMARY_STYLESHEET, html_to_pdf
    from completion.tasks import write_export

    DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    vendor = connection.vendor
    if not arguments.keep or not Employee.objects.exists():
        call_command("migrate", verbosity=0)
        start = time.perf_counter()
        if arguments.fast_build:
            national.build(arguments.employees)
        else:
            call_command("demo", employees=arguments.employees, stdout=open(os.devnull, "w"))  # noqa: SIM115
        print(f"built {arguments.employees} employees in {time.perf_counter() - start:.1f} s")
        if vendor == "postgresql" and not arguments.fast_build:  # the fast build analyses
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    print("\n".join(f"  {table}: {count:,}" for table, count in national.counts().items()))
    province = Unit.objects.get(code="DEMO")
    client = Client()
    client.force_login(get_user_model().objects.get(username="unitadmin"))
    report_url = f"/report/{province.pk}/"

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        if response.streaming:
            for _chunk in response.streaming_content:
                pass
        elif url.endswith(".xlsx") and not response.has_header("Content-Disposition"):
            # Too large to answer in the request: the confirm page. The
            # POST starts the job (enqueued nowhere); this process runs it.
            with override_settings(TASKS=DUMMY):
                started = client.post(url)
            assert started.status_code == 302, started.status_code
            job = ExportJob.objects.latest("pk")
            write_export.call(job_id=job.pk)
            job.refresh_from_db()
            assert job.state == "done", job.state
            job.discard()

    def floor(sql: str | list, params: list, write=None) -> callable:
        """The SQL alone (one statement, or several with their parameters);
        with `write`, also the bare writer (csv, openpyxl or WeasyPrint)
        over the rows it returns: what any export of them must pay."""
        if isinstance(sql, str):
            statements = [(sql, params)]
        else:
            statements = list(zip(sql, params, strict=True))

        def run() -> None:
            for statement, values in statements:
                with connection.cursor() as cursor:
                    cursor.execute(statement, values)
                    rows = cursor.fetchall()
            if write:
                write(rows)

        return run

    def write_csv(rows) -> None:
        csv.writer(io.StringIO()).writerows(rows)

    def write_xlsx(rows) -> None:
        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        for row in rows:
            # PostgreSQL hands back aware datetimes; Excel takes naive ones.
            sheet.append([v.replace(tzinfo=None) if isinstance(v, datetime) else v for v in row])
        book.save(io.BytesIO())

    def write_pdf(rows) -> None:
        # A bare A4 page in the summary's stylesheet and fonts.
        html_to_pdf(
            "<h1>示范省</h1><p>Summary 简报</p>",
            finders.find(SUMMARY_STYLESHEET),
            str(settings.BASE_DIR),
        )

    like = [f"{province.path}%"]
    today = local_today()
    branch_length = len(province.path) + SEGMENT_WIDTH + 1
    figures = (page_floor(vendor), [*like, branch_length, today])
    breakdown, days = charts_floor(vendor)
    week, month = today - timedelta(days=7), today - timedelta(days=30)
    breakdown = (breakdown, [*like, branch_length, today, today, week, today, month, today])
    days = (days, like)
    with_charts = [figures, breakdown, days]
    summary = [figures, breakdown, (MISSES_FLOOR, like)]
    results = []
    figures_to_time = [
        (
            "page",
            "report page with charts",
            report_url,
            [sql for sql, _ in with_charts],
            [values for _, values in with_charts],
            None,
        ),
        (
            "pdf",
            "summary PDF",
            report_url + "summary.pdf",
            [sql for sql, _ in summary],
            [values for _, values in summary],
            write_pdf,
        ),
        ("csv", "CSV export", report_url + "export.csv", export_floor(), like, write_csv),
        ("xlsx", "Excel export", report_url + "export.xlsx", export_floor(), like, write_xlsx),
    ]
    for key, name, url, floor_sql, params, write in figures_to_time:
        if arguments.only and key not in arguments.only:
            continue
        queries = []

        def count(execute, *args, queries=queries):
            # A wrapper, because the test client's request_started signal
            # empties connection.queries and CaptureQueriesContext sees none.
            queries.append(args[0])
            return execute(*args)

        # Pages: the median of `--runs`; the long exports: one run each.
        # The first run counts the queries.
        runs = 1 if write and name != "summary PDF" else arguments.runs
        page_time = timed(
            lambda url=url: get(url),
            runs,
            first=lambda count=count: connection.execute_wrapper(count),
        )
        sql_floor = timed(floor(floor_sql, params), runs)
        full_floor = timed(floor(floor_sql, params, write), runs) if write else sql_floor
        results.append((name, len(queries), page_time, sql_floor, full_floor))
        # As it goes: at a million people each export takes minutes.
        print(f"  {name}: {len(queries)} queries, {page_time:.2f} s", flush=True)

    rows = Employee.objects.count()
    print(f"\n{vendor}, {rows} employees (the province's unit admin, whole organisation)")
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            print(f"PostgreSQL JIT: {cursor.fetchone()[0]}")
    print(f"load average at the end: {' '.join(f'{load:.2f}' for load in os.getloadavg())}\n")
    print("| what | queries | time | SQL floor | ratio | SQL + writer floor | ratio |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, count, page_time, sql_floor, full_floor in results:
        print(
            f"| {name} | {count} | {page_time:.2f} s | {sql_floor:.2f} s "
            f"| {page_time / sql_floor:.1f}× | {full_floor:.2f} s | {page_time / full_floor:.1f}× |"
        )


if __name__ == "__main__":
    main()
