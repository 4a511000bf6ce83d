"""Benchmark `sync_directory` against a real OpenLDAP slapd.

    DEBUG=1 .venv/bin/python bench/directory.py --people 5000
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:55432/awareness_bench \\
        .venv/bin/python bench/directory.py --people 5000

Starts slapd on loopback (tests/directory_helpers.py) with the test
organisation plus N generated people, with a size limit of 100 entries per
unpaged search, so the sync only gets through by paging. On a fresh
database (an SQLite file in /tmp unless DATABASE_URL is set) it times:

1. the first sync: everyone created;
2. a second sync with nothing changed in the directory: nothing written;
3. a sync after 5 % of the people moved unit and 5 % left the directory.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awareness.settings")
os.environ.setdefault("DEBUG", "1")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = "sqlite:////tmp/awareness-bench-directory.sqlite3"

from bench.reports import fresh_database  # noqa: E402
from tests.directory_helpers import (  # noqa: E402
    SUFFIX,
    find_slapd,
    start_directory,
    test_tree_ldif,
    unit_dn,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--page-size", type=int, default=500)
    options = parser.parse_args()
    if find_slapd() is None:
        sys.exit("slapd is missing: run bin/system-deps --test as root")

    started = time.perf_counter()
    directory = start_directory(test_tree_ldif(options.people), size_limit=100)
    loaded = time.perf_counter() - started
    print(f"slapd loaded with {options.people + 12} people in {loaded:.1f} s")
    try:
        for name, value in directory.settings().items():
            if name.startswith("AUTH_LDAP"):
                os.environ[name] = str(value)
        fresh_database()
        import django

        django.setup()
        import ldap
        from django.core.management import call_command

        from completion.models import Unit

        call_command("migrate", verbosity=0)
        root = Unit.objects.create_child(None, code="SZT", name="示范厅")
        for code, name in [("SZT-BGS", "办公室"), ("SZT-BMC", "保密处"), ("SZT-XXC", "信息处")]:
            Unit.objects.create_child(root, code=code, name=name)

        def sync(label: str) -> None:
            out = io.StringIO()
            start = time.perf_counter()
            call_command("sync_directory", "--page-size", str(options.page_size), stdout=out)
            seconds = time.perf_counter() - start
            print(f"{label}: {seconds:.2f} s ({out.getvalue().strip()})")

        sync("first sync")
        sync("second sync, nothing changed")

        admin = directory.admin()
        changed = options.people // 20
        codes = ["SZT-BGS", "SZT-BMC", "SZT-XXC"]
        for n in range(changed):
            # Generated person n is in codes[n % 3]; move the first `changed`
            # of them to the next unit, and delete the next `changed`.
            moved = f"uid=p{n:06d},{unit_dn(codes[n % 3])}"
            new_code = codes[(n + 1) % 3].encode()
            admin.modify_s(moved, [(ldap.MOD_REPLACE, "departmentNumber", [new_code])])
            gone = changed + n
            admin.delete_s(f"uid=p{gone:06d},{unit_dn(codes[gone % 3])}")
        sync(f"after {changed} moves and {changed} departures")
        print(f"database: {os.environ['DATABASE_URL']}, search base {SUFFIX}")
    finally:
        directory.stop()


if __name__ == "__main__":
    main()
