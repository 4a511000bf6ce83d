"""Scale-out shown: two app servers behind one balancer, one PostgreSQL, one
task worker, with learners spread over both while a bulk print runs.

    .venv/bin/python bench/scale_out.py                 # 100 learners, 60 s
    .venv/bin/python bench/scale_out.py --learners 200 --seconds 90

Starts and stops everything itself, twice on a fresh database each time:

1. one gunicorn (2 workers) on its own port, locust straight at it;
2. two gunicorns (2 workers each) on ports of their own, bench/balancer.py
   in front of them, and `manage.py worker`; a bulk print of every valid
   certificate of the demo province is requested (as the demo unit admin,
   as the bulk print page does) when the learners start, and locust goes
   through the balancer.

Prints each run's requests a second and failures, the requests each app
server answered, and checks the bulk PDF: one page for each certificate
selected, each serial on exactly one page. PostgreSQL: the server at
127.0.0.1:55433 (or BENCH_POSTGRES_URL), database awareness_scaleout.
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import serve  # noqa: E402
from bench.load import build, failures, locust, print_stats  # noqa: E402

REQUEST_PRINT = """
from completion.models import BulkPrintJob, UnitAdmin
from completion.tasks import print_certificates
admin = UnitAdmin.objects.select_related("user", "unit").get(user__username="unitadmin")
job = BulkPrintJob(requested_by=admin.user, unit=admin.unit, language="zh-hans",
                   filters={"module": None, "passed_from": None, "passed_to": None})
job.total = job.certificates().count()
job.save()
print_certificates.enqueue(job_id=job.pk)
print(job.pk, job.total)
"""

JOB_STATE = """
from completion.models import BulkPrintJob
job = BulkPrintJob.objects.get(pk={job})
print(job.state, job.done, job.total, job.file.path if job.file else "", job.error[:200])
"""


def shell(env: dict, code: str) -> str:
    done = subprocess.run(
        [serve.PYTHON, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


@contextlib.contextmanager
def process(command: list[str], env: dict, log):
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)  # noqa: S603
    try:
        yield child
    finally:
        child.terminate()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def check_pdf(path: str, total: int) -> str:
    import re

    from pypdf import PdfReader

    pages = PdfReader(path).pages
    serials = [re.findall(r"AW-\d{4}-\d{6}", page.extract_text() or "") for page in pages]
    found = [serial for page in serials for serial in set(page)]
    once = len(found) == len(set(found)) == len(pages) == total
    return (
        f"{len(pages)} pages for {total} certificates selected, {len(set(found))} serials,"
        f" {'each on exactly one page' if once else 'NOT each on exactly one page'}"
    )


def one_server(args) -> dict:
    print(f"\n== one app server ({serve.load_average()})", flush=True)
    env = build("postgres", args.people, quick_hasher=True, name="scaleout")
    with tempfile.TemporaryDirectory() as folder:
        with open(f"{folder}/app.log", "w") as log, serve.gunicorn(env, args.base + 1, stderr=log):
            stats = locust(args.base + 1, args.learners, args.seconds, f"{folder}/run")
        print_stats(stats)
        for line in failures(f"{folder}/run")[:5]:
            print(f"   failure: {line}")
    print(f"   {serve.load_average()}")
    return stats


def two_servers(args) -> dict:
    print(
        f"\n== two app servers behind a balancer, a worker, a bulk print ({serve.load_average()})"
    )
    env = build("postgres", args.people, quick_hasher=True, name="scaleout")
    balancer, first, second = args.base, args.base + 1, args.base + 2
    worker = [serve.PYTHON, "manage.py", "worker", "--queue-name", "*"]
    with tempfile.TemporaryDirectory() as folder, open(f"{folder}/all.log", "w") as log:
        access = {}
        with contextlib.ExitStack() as stack:
            for port in (first, second):
                access[port] = Path(folder) / f"access-{port}.log"
                served = dict(env)
                stack.enter_context(
                    serve.gunicorn(served, port, stderr=log, access_log=str(access[port]))
                )
            balance = [serve.PYTHON, "bench/balancer.py", str(balancer), str(first), str(second)]
            stack.enter_context(process(balance, env, log))
            stack.enter_context(process(worker, env, log))
            serve.wait_until_up(balancer)
            job, total = shell(env, REQUEST_PRINT).split()
            print(f"   bulk print job {job}: {total} certificates", flush=True)
            started = time.perf_counter()
            stats = locust(balancer, args.learners, args.seconds, f"{folder}/run")
            state = shell(env, JOB_STATE.format(job=job)).split(" ", 4)
            while state[0] in ("queued", "running") and time.perf_counter() - started < 900:
                time.sleep(2)
                state = shell(env, JOB_STATE.format(job=job)).split(" ", 4)
            printed = time.perf_counter() - started
        print_stats(stats)
        for line in failures(f"{folder}/run")[:5]:
            print(f"   failure: {line}")
        for port, path in access.items():
            lines = path.read_text().count("\n") if path.exists() else 0
            print(f"   app server on {port} answered {lines} requests")
        print(f"   bulk print: {state[0]}, {state[1]}/{state[2]} in {printed:.0f} s")
        if state[0] == "done":
            print(f"   {check_pdf(state[3], int(total))}")
        else:
            print(f"   error: {state[4:]}")
    print(f"   {serve.load_average()}")
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--people", type=int, default=400, help="the demo organisation's size")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--base", type=int, default=8880, help="balancer port; servers after it")
    args = parser.parse_args()
    one = one_server(args)
    two = two_servers(args)

    def rate(stats):
        return float(stats["Aggregated"]["Requests/s"])

    print(
        f"\nthroughput: one server {rate(one):.1f} req/s, two servers {rate(two):.1f} req/s"
        f" ({rate(two) / rate(one):.2f} ×); failures {one['Aggregated']['Failure Count']}"
        f" and {two['Aggregated']['Failure Count']}"
    )


if __name__ == "__main__":
    main()
