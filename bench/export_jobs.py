"""Time the Excel export answered in the request and written by its job.

    DEBUG=1 DATABASE_URL=sqlite:////tmp/exp.db .venv/bin/python manage.py migrate
    DEBUG=1 DATABASE_URL=sqlite:////tmp/exp.db .venv/bin/python manage.py demo --employees 100000
    DEBUG=1 DATABASE_URL=sqlite:////tmp/exp.db .venv/bin/python bench/export_jobs.py

Against an organisation `manage.py demo` built (the database is not rebuilt),
as the demo unit admin of the province, it times:

- direct Excel exports of the report filtered to one bureau and to ranges
  of employee numbers (DEMO-000…, DEMO-00…, DEMO-01…: about 2,000 to
  22,000 rows),
  through the test client, with the threshold lifted for the run;
- the unfiltered export, which goes to a job: the POST that creates it
  (enqueued nowhere; a GET only asks to confirm), then `tasks.write_export` run in this process as
  `manage.py db_worker` would run it.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awareness.settings")
os.environ.setdefault("DEBUG", "1")
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client, override_settings
    from django.urls import reverse

    from completion import access, exports
    from completion.forms import report_table
    from completion.models import ExportJob, Unit
    from completion.tasks import write_export

    settings.ALLOWED_HOSTS = ["*"]
    admin = get_user_model().objects.get(username="unitadmin")
    root = access.top_unit_for_admin(admin)
    client = Client()
    client.force_login(admin)
    url = reverse("completion:report_xlsx", args=[root.pk])

    def rows_for(query: dict) -> int:
        return report_table(root, query)[2].count()

    # Filters of growing size: one bureau, then the demo's sequential
    # employee numbers (DEMO-000001…) cut by the name filter. The
    # threshold is lifted while timing, so each of them is answered directly.
    bureaus = Unit.objects.filter(parent=root).order_by("path")
    first_module = next(iter(report_table(root, {})[0].modules))
    candidates = [
        {"unit": str(bureaus[0].pk)},
        {"name": "DEMO-000"},
        {"name": "DEMO-00", "module": first_module},
        {"name": "DEMO-00"},
        {"name": "DEMO-01"},
    ]
    threshold = exports.DIRECT_XLSX_ROWS
    exports.DIRECT_XLSX_ROWS = 10**9
    for query in candidates:
        total = rows_for(query)
        started = time.perf_counter()
        response = client.get(url, query)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        print(f"direct  {total:>7,} rows  {elapsed:6.2f} s  {query}")
    exports.DIRECT_XLSX_ROWS = threshold

    # The job is run below, in this process; a worker must not run it too.
    with override_settings(TASKS=DUMMY):
        # A GET asks to confirm; the POST starts the job.
        assert client.get(url).status_code == 200
        started = time.perf_counter()
        response = client.post(url)
        request_time = time.perf_counter() - started
    assert response.status_code == 302, response.status_code
    job = ExportJob.objects.latest("pk")
    started = time.perf_counter()
    write_export.call(job_id=job.pk)
    job_time = time.perf_counter() - started
    job.refresh_from_db()
    print(f"request {job.total:>7,} rows  {request_time:6.2f} s  (creates job {job.pk})")
    print(f"job     {job.done:>7,} rows  {job_time:6.2f} s  state={job.state}")


if __name__ == "__main__":
    main()
