"""The deployment checks pass with production-like variables."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    test_only = {"DEBUG", "SECURE_COOKIES", "DJANGO_ALLOW_ASYNC_UNSAFE", "STATIC_MANIFEST"}
    clean = {k: v for k, v in os.environ.items() if k not in test_only}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="a-long-random-production-secret-key-" + "x" * 40,
        ALLOWED_HOSTS="awareness.example.gov.cn",
        SECURE_SSL_REDIRECT="true",
        SECURE_COOKIES="true",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = run_manage("check", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_it_rejects_a_debug_value_it_does_not_understand(value):
    result = run_manage("check", DEBUG=value)
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr
