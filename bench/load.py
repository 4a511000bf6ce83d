"""Load test: simulated learners on gunicorn (bench/locustfile.py), and a
sign-in storm measured apart.

    .venv/bin/python bench/load.py                          # PostgreSQL, 50, 100, 200 learners
    .venv/bin/python bench/load.py --db sqlite --learners 20,50,100
    .venv/bin/python bench/load.py --storm 100              # 100 sign-ins at once, real hasher

For each number of learners: a fresh database (`migrate`, `demo --employees
N + 20`: three modules assigned to everyone, part of them already passed),
gunicorn with 2 sync workers, then locust (headless, on the same two CPUs)
for `--seconds`, every learner starting within the first fifth of it. The
learners sign in with a cheap password hash (bench/settings.py,
BENCH_QUICK_HASHER) so that the figures are the training pages' own;
`--storm` signs N people in at once with the app's real hasher instead.

Prints, per step, requests, failures, requests a second and the 50th, 95th
and 99th percentiles, and whether the app servers logged "database is
locked".
"""

from __future__ import annotations

import argparse
import csv
import http.client
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import serve  # noqa: E402

LOCUST = str(Path(serve.PYTHON).with_name("locust"))
STEPS = [
    "sign in",
    "my training",
    "story",
    "decide",
    "start quiz",
    "question",
    "answer",
    "review",
    "submit",
    "result",
]


def build(kind: str, people: int, *, quick_hasher: bool, name: str = "load") -> dict:
    url = serve.database_url(kind, name)
    env = serve.app_env(url, **({"BENCH_QUICK_HASHER": "1"} if quick_hasher else {}))
    serve.fresh_database(url)
    serve.manage(env, "migrate", "-v0")
    start = time.perf_counter()
    subprocess.run(
        [serve.PYTHON, "manage.py", "demo", f"--employees={people}"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"   demo organisation of {people}: {time.perf_counter() - start:.0f} s", flush=True)
    return env


def locust(port: int, learners: int, seconds: int, out: str, hosts: list[str] | None = None):
    """Run bench/locustfile.py headless; returns its stats rows by name."""
    spawn = max(learners / max(seconds / 5, 1), 1)
    command = [
        LOCUST,
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        f"--users={learners}",
        f"--spawn-rate={spawn:.1f}",
        f"--run-time={seconds}s",
        f"--host=http://{serve.HOST}:{port}",
        f"--csv={out}",
        "--only-summary",
        "--loglevel=ERROR",
        "--stop-timeout=10",
    ]
    with open(f"{out}_locust.log", "w") as log:
        subprocess.run(command, cwd=ROOT, check=False, stdout=log, stderr=log)
    with open(f"{out}_stats.csv", newline="") as stats:
        return {row["Name"]: row for row in csv.DictReader(stats)}


def failures(out: str) -> list[str]:
    with open(f"{out}_failures.csv", newline="") as rows:
        return [
            f"{row['Occurrences']} × {row['Name']}: {row['Error']}" for row in csv.DictReader(rows)
        ]


def print_stats(stats: dict) -> None:
    heading = ("step", "requests", "failed", "req/s", "p50 ms", "p95 ms", "p99 ms")
    print("   {:12} {:>8} {:>6} {:>7} {:>6} {:>6} {:>6}".format(*heading))
    for name in [*STEPS, "Aggregated"]:
        row = stats.get(name)
        if not row:
            continue
        print(
            f"   {name:12} {row['Request Count']:>8} {row['Failure Count']:>6}"
            f" {float(row['Requests/s']):7.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6}"
        )


def run_load(args) -> None:
    for learners in args.learners:
        print(f"\n== {args.db}: {learners} learners, {args.seconds} s ({serve.load_average()})")
        env = build(args.db, learners + 20, quick_hasher=True)
        with tempfile.TemporaryDirectory() as folder:
            log = Path(folder) / "gunicorn.log"
            with open(log, "w") as errors, serve.gunicorn(env, args.port, stderr=errors):
                stats = locust(args.port, learners, args.seconds, f"{folder}/run")
            print_stats(stats)
            for line in failures(f"{folder}/run")[:8]:
                print(f"   failure: {line}")
            locked = log.read_text().count("database is locked")
            print(f"   'database is locked' in the app servers' log: {locked} times")
            print(f"   {serve.load_average()}")


def sign_in(port: int, username: str, password: str) -> tuple[float, int]:
    connection = http.client.HTTPConnection(serve.HOST, port, timeout=300)
    connection.request("GET", "/accounts/login/")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", "")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = f"csrfmiddlewaretoken={token}&username={username}&password={password}"
    headers = {
        "Cookie": f"csrftoken={cookie}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    connection = http.client.HTTPConnection(serve.HOST, port, timeout=300)
    start = time.perf_counter()
    connection.request("POST", "/accounts/login/", body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    return time.perf_counter() - start, response.status


HASHER_COST = """
import time
from django.contrib.auth.hashers import check_password, get_hasher, make_password
for name in ("default", "scrypt"):
    hasher = get_hasher(name)
    encoded = make_password("awareness-demo", hasher=hasher)
    start = time.process_time()
    for _ in range(5):
        check_password("awareness-demo", encoded)
    cost = (time.process_time() - start) / 5 * 1000
    print(f"{hasher.algorithm}: {cost:.0f} ms CPU a sign-in")
"""


def hasher_cost(env: dict) -> list[str]:
    """What one password check costs, with the app's hasher and Django's scrypt."""
    done = subprocess.run(
        [serve.PYTHON, "manage.py", "shell", "--no-imports", "-c", HASHER_COST],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return [line for line in done.stdout.splitlines() if "a sign-in" in line]


def run_storm(args) -> None:
    print(f"\n== sign-in storm on {args.db}: {args.storm} people at once ({serve.load_average()})")
    env = build(args.db, args.storm, quick_hasher=False, name="storm")
    for line in hasher_cost(env):
        print(f"   {line}")
    with serve.gunicorn(env, args.port, workers=2):
        results: list[tuple[float, int]] = []
        threads = [
            threading.Thread(
                target=lambda n=n: results.append(
                    sign_in(args.port, f"demo{n:06d}", "awareness-demo")
                )
            )
            for n in range(1, args.storm + 1)
        ]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
    times = sorted(t for t, _ in results)
    bad = sum(status != 302 for _, status in results)
    print(
        f"   {len(results)} sign-ins in {elapsed:.1f} s = {len(results) / elapsed:.1f} a second;"
        f" p50 {statistics.median(times):.1f} s, p95 {times[int(len(times) * 0.95) - 1]:.1f} s,"
        f" slowest {times[-1]:.1f} s; {bad} not signed in"
    )
    print(f"   {serve.load_average()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="postgres", help="sqlite, postgres or a database URL")
    parser.add_argument("--learners", default="50,100,200")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--port", type=int, default=8872)
    parser.add_argument("--storm", type=int, help="sign this many people in at once, and stop")
    args = parser.parse_args()
    args.learners = [int(n) for n in args.learners.split(",")]
    if args.storm:
        run_storm(args)
    else:
        run_load(args)


if __name__ == "__main__":
    main()
