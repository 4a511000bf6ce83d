"""What the load benchmarks share: a fresh database, a gunicorn app server
with the benchmark settings, and a small HTTP client for loopback.

Nothing here imports Django, so one benchmark process can drive runs on
SQLite and on PostgreSQL one after the other."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
SQLITE_URL = "sqlite:////tmp/awareness-{name}.sqlite3"
POSTGRES_URL = "postgres://postgres@127.0.0.1:55433/awareness_{name}"
HOST = "127.0.0.1"


def database_url(kind: str, name: str) -> str:
    """`kind` is sqlite, postgres (the shared server on 55433) or a full URL."""
    if kind == "sqlite":
        return SQLITE_URL.format(name=name)
    if kind == "postgres":
        return os.environ.get("BENCH_POSTGRES_URL", POSTGRES_URL).format(name=name)
    return kind


def fresh_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def app_env(url: str, **extra: str) -> dict[str, str]:
    """Production-like settings (DEBUG off) on loopback over plain http."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=url,
        DEBUG="0",
        SECRET_KEY="bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        STATIC_MANIFEST="false",
        # Persistent connections, as a deployment behind gunicorn would set.
        CONN_MAX_AGE="600",
        # Enough sign-in attempts for a load test from one address.
        AXES_FAILURE_LIMIT="1000000",
        LOG_LEVEL="ERROR",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str],
    port: int,
    workers: int = 2,
    name: str = "app",
    stderr=None,
    access_log: str | None = None,
):
    """A gunicorn app server on 127.0.0.1:`port` until the block ends."""
    command = [
        GUNICORN,
        "awareness.wsgi:application",
        f"--bind={HOST}:{port}",
        f"--workers={workers}",
        "--worker-class=sync",
        "--timeout=120",
        "--backlog=2048",
        f"--name={name}",
        "--log-level=warning",
        *([f"--access-logfile={access_log}"] if access_log else []),
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=stderr)  # noqa: S603
    try:
        wait_until_up(port)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_up(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/accounts/login/")
            connection.getresponse().read()
            return
        except OSError:
            if time.monotonic() > deadline:
                message = f"nothing answered on port {port} within {seconds:.0f} s"
                raise SystemExit(message) from None
            time.sleep(0.2)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"
