"""Settings for the load benchmarks in bench/: the app's own settings, plus a
bare signed-in view (bench/urls.py) to measure pages against, and two knobs
the benchmarks turn. Never used by a deployment."""

import os

from awareness.settings import *  # noqa: F403
from awareness.settings import SESSION_ENGINE

ROOT_URLCONF = "bench.urls"

# To compare session engines on evidence (bench/hot_path.py --session-engine).
SESSION_ENGINE = os.environ.get("BENCH_SESSION_ENGINE") or SESSION_ENGINE

if os.environ.get("BENCH_QUICK_HASHER"):
    # The load test's learners sign in with a cheap hash, so the load test
    # measures the training pages; what the real hasher costs in a sign-in
    # storm is measured on its own (bench/load.py --storm).
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
