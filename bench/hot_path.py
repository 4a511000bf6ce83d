"""Benchmark the learner's hot path against a bare signed-in view.

    .venv/bin/python bench/hot_path.py                       # SQLite, then PostgreSQL
    .venv/bin/python bench/hot_path.py --db sqlite --seconds 10 --rounds 3
    .venv/bin/python bench/hot_path.py --session-engine django.contrib.sessions.backends.cached_db

For each database (an SQLite file in /tmp; the PostgreSQL database
awareness_hotpath on the server at 127.0.0.1:55433, or BENCH_POSTGRES_URL
with {name} in it) it builds a fresh database (`migrate`, `demo`, then
learners with a quiz attempt each and a session), serves it with gunicorn
(2 sync workers, DEBUG off, persistent connections) and drives it from
`--clients` processes, each a learner of its own, for `--seconds` a step:

- GET  /bench/bare/            a signed-in view that only answers "ok"
- GET  the question page       (the whole page)
- POST /bench/bare/            the same, with the CSRF check
- POST an answer with htmx     (saves it and swaps in the next question)
- POST the submit              (scores a fully answered attempt, records the
                                completion; one attempt per request)

and prints requests a second, the median latency and each page's ratio to
the bare view of the same method. Goal (issue 17): the answer POST at least
0.5 × the bare POST on both databases.

`--one-process` times the same requests in one process instead (Django's
test client through the whole middleware, no server, no load from other
clients): milliseconds a request, CPU and wall, and the queries each makes.
Steadier than the served figures on a shared machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import serve  # noqa: E402

CSRF = "benchcsrfsecret0123456789abcdef0"  # any 32 characters: cookie and header agree
SUBMITS_PER_CLIENT = 1500


# Preparing the data (run in a subprocess with the benchmark's settings) ------


def prepare(out: str, clients: int, submitters: int) -> None:
    import django

    django.setup()
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.db.models import F
    from django.utils import timezone, translation

    from awareness.sessions import SEEN_AT, SIGNED_IN_AT
    from lessons.models import Attempt, AttemptChoice, AttemptQuestion, Module

    translation.activate("en")
    engine = __import__(django.conf.settings.SESSION_ENGINE, fromlist=["SessionStore"])
    User = get_user_model()
    module = Module.objects.published().order_by("order", "pk").first()

    def learner(name: str) -> dict:
        user = User.objects.create_user(name, password=None, first_name=name)
        attempt = Attempt.objects.start(user=user, module=module)
        session = engine.SessionStore()
        now = time.time()
        session.update(
            {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: user.get_session_auth_hash(),
                SIGNED_IN_AT: now,
                SEEN_AT: now,
            }
        )
        session.save()
        return {"cookie": session.session_key, "attempt": attempt.pk}

    data = {"module": module.slug, "clients": [], "submitters": []}
    for number in range(clients):
        entry = learner(f"bench-answer-{number}")
        questions = AttemptQuestion.objects.filter(attempt_id=entry["attempt"])
        entry["answers"] = {
            question.position: list(
                question.choices.filter(is_correct=True).values_list("pk", flat=True)
            )
            for question in questions
        }
        data["clients"].append(entry)
    for number in range(clients):
        entries = [learner(f"bench-submit-{number}-{n}") for n in range(submitters)]
        data["submitters"].append(entries)
    # The submitted attempts were answered in full, all right: each submit passes.
    ids = [entry["attempt"] for entries in data["submitters"] for entry in entries]
    AttemptChoice.objects.filter(attempt_question__attempt_id__in=ids).update(
        selected=F("is_correct")
    )
    AttemptQuestion.objects.filter(attempt_id__in=ids).update(answered_at=timezone.now())
    Path(out).write_text(json.dumps(data))


# One process ------------------------------------------------------------------


def one_process(path: str, count: int) -> None:
    """Time each request of the hot path `count` times in this process (run
    with the benchmark's settings) and print ms a request and its queries."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    client_data = json.loads(Path(path).read_text())["clients"][0]
    attempt, answers = client_data["attempt"], client_data["answers"]
    last = max(int(position) for position in answers)
    client = Client(enforce_csrf_checks=True, HTTP_HOST="localhost")
    client.cookies["sessionid"] = client_data["cookie"]
    client.cookies["csrftoken"] = CSRF
    post = {"HTTP_X_CSRFTOKEN": CSRF}
    htmx = post | {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "quiz-panel"}

    def answer(n: int):
        position = n % (last - 1) + 1
        url = f"/attempts/{attempt}/q/{position}/"
        return client.post(url, {"choice": answers[str(position)]}, **htmx)

    requests = {
        "bare POST": lambda n: client.post("/bench/bare/", {"x": 1}, **post),
        "answer POST": answer,
        "question GET": lambda n: client.get(f"/attempts/{attempt}/q/{n % last + 1}/"),
    }
    for name, request in requests.items():
        for n in range(50):  # warm up: templates, statements, connection
            assert request(n).status_code == 200, name
        # Counted at the cursor: the test client empties connection.queries
        # when a request starts.
        queries = []

        def counted(execute, sql, *rest, queries=queries):
            queries.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(counted):
            request(0)
        # In batches of 20, the fastest and the median batch: on a shared
        # machine the slow batches are other people's work.
        cpu, wall = [], []
        for batch in range(count // 20):
            began_cpu, began = time.process_time(), time.perf_counter()
            for n in range(batch * 20, batch * 20 + 20):
                request(n)
            cpu.append((time.process_time() - began_cpu) / 20 * 1000)
            wall.append((time.perf_counter() - began) / 20 * 1000)
        print(
            f"  {name:13} CPU {min(cpu):5.2f} (median {statistics.median(cpu):5.2f}) ms"
            f"  wall {min(wall):5.2f} (median {statistics.median(wall):5.2f}) ms"
            f"  {len(queries)} queries",
            flush=True,
        )


def time_one_process(kind: str, args) -> None:
    url = serve.database_url(kind, "hotpath")
    env = serve.app_env(url)
    print(f"\n== {kind}: building {url}", flush=True)
    serve.fresh_database(url)
    quiet = {"stdout": subprocess.DEVNULL}
    subprocess.run([serve.PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([serve.PYTHON, "manage.py", "demo"], cwd=ROOT, env=env, check=True, **quiet)
    data = f"/tmp/awareness-hotpath-{kind}.json"
    command = [serve.PYTHON, __file__, "prepare", data, "1", "0"]
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    for _ in range(args.rounds):
        print(f"  ({serve.load_average()})", flush=True)
        command = [serve.PYTHON, __file__, "one-process", data, str(args.requests)]
        subprocess.run(command, cwd=ROOT, env=env, check=True)


# The load ---------------------------------------------------------------------


def drive(job: dict) -> dict:
    """One client: the same request again and again (or down a list) until
    `stop`. Returns its count, latencies and any unexpected statuses."""
    port, stop = job["port"], job["stop"]
    requests = job["requests"]
    connection = http.client.HTTPConnection(serve.HOST, port, timeout=60)
    latencies, errors, index = [], {}, 0
    while time.time() < job["start"]:
        time.sleep(0.001)
    began = time.time()
    while time.time() < stop and index < len(requests) * job["repeat"]:
        method, path, body, headers = requests[index % len(requests)]
        index += 1
        sent = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            status = type(error).__name__
        latencies.append(time.perf_counter() - sent)
        if status not in job["expect"]:
            errors[str(status)] = errors.get(str(status), 0) + 1
        if response.getheader("Connection", "").lower() == "close":
            connection.close()
    return {"latencies": latencies, "errors": errors, "elapsed": time.time() - began}


def headers_for(cookie: str, *, post: bool = False, htmx: bool = False) -> dict:
    headers = {"Cookie": f"sessionid={cookie}; csrftoken={CSRF}"}
    if post:
        headers |= {"X-CSRFToken": CSRF, "Content-Type": "application/x-www-form-urlencoded"}
    if htmx:
        headers |= {"HX-Request": "true", "HX-Target": "quiz-panel"}
    return headers


def steps(data: dict) -> dict[str, list[dict]]:
    """Per step, per client: its requests, how often to repeat them, the statuses expected."""
    out = {name: [] for name in ("bare GET", "question GET", "bare POST", "answer POST", "submit")}
    for client, submits in zip(data["clients"], data["submitters"], strict=True):
        cookie, attempt = client["cookie"], client["attempt"]
        last = max(int(position) for position in client["answers"])
        get, post = headers_for(cookie), headers_for(cookie, post=True)
        htmx = headers_for(cookie, post=True, htmx=True)
        forever = 10**9
        out["bare GET"].append({"requests": [("GET", "/bench/bare/", None, get)]})
        out["bare POST"].append({"requests": [("POST", "/bench/bare/", "x=1", post)]})
        out["question GET"].append(
            {
                "requests": [
                    ("GET", f"/attempts/{attempt}/q/{position}/", None, get)
                    for position in range(1, last + 1)
                ]
            }
        )
        # Every question but the last: each answer swaps in the next question.
        out["answer POST"].append(
            {
                "requests": [
                    (
                        "POST",
                        f"/attempts/{attempt}/q/{position}/",
                        "&".join(f"choice={pk}" for pk in client["answers"][str(position)]),
                        htmx,
                    )
                    for position in range(1, last)
                ]
            }
        )
        out["submit"].append(
            {
                "requests": [
                    (
                        "POST",
                        f"/attempts/{entry['attempt']}/submit/",
                        "",
                        headers_for(entry["cookie"], post=True),
                    )
                    for entry in submits
                ],
                "repeat": 1,
                "expect": [302],
            }
        )
        for name in out:
            out[name][-1].setdefault("repeat", forever)
            out[name][-1].setdefault("expect", [200])
    return out


def run_step(pool, jobs: list[dict], port: int, seconds: float) -> dict:
    start = time.time() + 0.3
    for job in jobs:
        job.update(port=port, start=start, stop=start + seconds)
    results = pool.map(drive, jobs)
    latencies = sorted(t for result in results for t in result["latencies"])
    errors: dict[str, int] = {}
    for result in results:
        for status, count in result["errors"].items():
            errors[status] = errors.get(status, 0) + count
    elapsed = max(result["elapsed"] for result in results)
    return {
        "rate": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000 if latencies else 0,
        "count": len(latencies),
        "errors": errors,
    }


def bench_database(kind: str, args) -> dict:
    url = serve.database_url(kind, "hotpath")
    extra = {"BENCH_SESSION_ENGINE": args.session_engine} if args.session_engine else {}
    env = serve.app_env(url, **extra)
    print(f"\n== {kind}: building {url}", flush=True)
    serve.fresh_database(url)
    quiet = {"stdout": subprocess.DEVNULL}
    subprocess.run([serve.PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([serve.PYTHON, "manage.py", "demo"], cwd=ROOT, env=env, check=True, **quiet)
    # Enough attempts for the submits a step can make (each is submitted once).
    submits = min(SUBMITS_PER_CLIENT, int(args.seconds * 100 / args.clients) * args.rounds)
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [serve.PYTHON, __file__, "prepare", out.name, str(args.clients), str(submits)]
        subprocess.run(command, cwd=ROOT, env=env, check=True)
        data = json.loads(Path(out.name).read_text())
    plan = steps(data)
    results: dict[str, list[dict]] = {name: [] for name in plan}
    with serve.gunicorn(env, args.port, workers=2), multiprocessing.Pool(args.clients) as pool:
        run_step(pool, plan["question GET"], args.port, 1.0)  # warm up both workers
        run_step(pool, plan["bare GET"], args.port, 1.0)
        for round_number in range(args.rounds):
            for name, jobs in plan.items():
                if name == "submit":
                    # Each attempt is submitted once: the round takes the next slice.
                    share = len(jobs[0]["requests"]) // args.rounds
                    jobs = [
                        dict(job, requests=job["requests"][round_number * share :][:share])
                        for job in jobs
                    ]
                result = run_step(pool, [dict(job) for job in jobs], args.port, args.seconds)
                results[name].append(result)
                print(
                    f"   round {round_number + 1} {name:13} {result['rate']:7.1f} req/s"
                    f"  p50 {result['p50']:6.1f} ms  errors {result['errors'] or 0}",
                    flush=True,
                )
    return results


def report(kind: str, results: dict) -> None:
    def rate(name: str) -> float:
        return statistics.median(r["rate"] for r in results[name])

    def latency(name: str) -> float:
        return statistics.median(r["p50"] for r in results[name])

    floors = {"question GET": "bare GET", "answer POST": "bare POST", "submit": "bare POST"}
    print(f"\n{kind} ({serve.load_average()}), median of rounds:")
    for name in results:
        line = f"  {name:13} {rate(name):7.1f} req/s  p50 {latency(name):6.1f} ms"
        errors = sum(sum(r["errors"].values()) for r in results[name])
        if name in floors:
            line += f"   {rate(name) / rate(floors[name]):.2f} × {floors[name]}"
        if errors:
            line += f"   {errors} unexpected answers"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", action="append", help="sqlite, postgres or a database URL")
    parser.add_argument("--seconds", type=float, default=8.0, help="a step lasts this long")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--port", type=int, default=8871)
    parser.add_argument("--session-engine", help="e.g. django.contrib.sessions.backends.cached_db")
    parser.add_argument("--one-process", action="store_true", help="ms a request, no server")
    parser.add_argument("--requests", type=int, default=400, help="with --one-process")
    args = parser.parse_args()
    print(serve.load_average())
    if args.one_process:
        for kind in args.db or ["sqlite", "postgres"]:
            time_one_process(kind, args)
        return
    everything = {kind: bench_database(kind, args) for kind in args.db or ["sqlite", "postgres"]}
    for kind, results in everything.items():
        report(kind, results)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "prepare":
        prepare(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif len(sys.argv) > 1 and sys.argv[1] == "one-process":
        one_process(sys.argv[2], int(sys.argv[3]))
    else:
        main()
