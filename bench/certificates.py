"""Benchmark certificate rendering.

    DEBUG=1 .venv/bin/python bench/certificates.py            # both parts
    DEBUG=1 .venv/bin/python bench/certificates.py single     # one certificate vs a bare page
    DEBUG=1 .venv/bin/python bench/certificates.py bulk 2000  # a bulk PDF of 2,000 certificates

Targets (issue 6): one certificate at most 1.5 × a bare WeasyPrint page set in
the same fonts; a bulk PDF at most 15 ms a page with peak memory under 1 GB.
The bulk part runs in a fresh process so its peak memory is its own.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if __name__ == "__main__" and len(sys.argv) == 1:
    # Each part in a fresh process, started before anything heavy is loaded:
    # Linux carries a process's peak memory over into the programs it starts.
    subprocess.run([sys.executable, __file__, "single"], check=True)
    subprocess.run([sys.executable, __file__, "bulk", "2000"], check=True)
    sys.exit()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awareness.settings")

import django  # noqa: E402

django.setup()

import weasyprint  # noqa: E402
from django.utils import timezone  # noqa: E402

from completion import pdf  # noqa: E402
from completion.models import Certificate  # noqa: E402

NAMES = ["王小明", "欧阳娜娜", "司马懿", "刘䶮", "张龑", "陈𠀾", "Alexandra Montgomery", "李娜"]
BARE_PAGE = """<!DOCTYPE html><html><head><style>
@page { size: A4 landscape; margin: 20mm; }
html { font-family: "Noto Serif CJK SC", serif; }
h1 { font-size: 34pt; font-weight: 700; }
</style></head><body>
<h1>Certificate of Completion</h1><p>王小明</p><p>The engineer who sold his drawings</p>
<p>AW-2026-000001</p></body></html>"""


def fake_certificates(count: int):
    """Unsaved certificates (no database needed), made one at a time."""
    now = timezone.now()
    for number in range(1, count + 1):
        yield Certificate(
            serial=f"AW-2026-{number:06d}",
            token=f"{number:08d}-bench-token-abcd",
            holder_name=NAMES[number % len(NAMES)],
            module_title="The engineer who sold his design drawings",
            score=80 + number % 21,
            passed_at=now,
            issuing_organisation="Confidentiality Office",
        )


def timed(function, repeat: int) -> float:
    """Median CPU time of `function`: steadier than wall time on a busy machine."""
    function()  # warm up: fonts loaded, stylesheet parsed
    samples = []
    for _ in range(repeat):
        start = time.process_time()
        function()
        samples.append(time.process_time() - start)
    return statistics.median(samples)


def single(repeat: int = 15) -> None:
    certificate = next(fake_certificates(1))
    bare = timed(lambda: weasyprint.HTML(string=BARE_PAGE).write_pdf(), repeat)
    ours = timed(lambda: pdf.render_pdf([certificate]), repeat)
    print(f"bare WeasyPrint page, same fonts: {bare * 1000:.0f} ms (median CPU time of {repeat})")
    print(f"one certificate:                  {ours * 1000:.0f} ms (median CPU time of {repeat})")
    print(f"ratio: {ours / bare:.2f} × (target ≤ 1.5 ×)")


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bulk(count: int) -> None:
    with tempfile.TemporaryFile() as output:
        start, cpu = time.perf_counter(), cpu_seconds()
        pages = pdf.write_bulk_pdf(fake_certificates(count), output)
        elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu
        size = output.tell()
    own_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    workers = pdf.PRINT_WORKERS
    print(f"bulk: {pages} certificates, {workers} worker processes, chunks of {pdf.CHUNK_SIZE}")
    print(f"      wall {elapsed:.1f} s = {elapsed / pages * 1000:.1f} ms a page (target ≤ 15 ms)")
    print(f"      CPU  {cpu:.1f} s = {cpu / pages * 1000:.1f} ms a page, all processes")
    print(
        f"      peak memory: {own_mb:.0f} MB main + {workers} × {worker_mb:.0f} MB workers"
        f" = {own_mb + workers * worker_mb:.0f} MB at most (target < 1024 MB)"
    )
    print(
        f"      PDF {size / 1e6:.1f} MB;"
        f" load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    if sys.argv[1] == "single":
        single()
    else:
        bulk(int(sys.argv[2]) if len(sys.argv) > 2 else 2000)
