"""Certificates as PDF: one from its print template, or many in one file.

WeasyPrint lays the print template out (A4 landscape, `@page` CSS); the QR
code is an SVG drawn by segno, so it stays vector in the PDF. Chinese names
are set in Noto Serif CJK SC (Debian's fonts-noto-cjk), which WeasyPrint
subsets and embeds: the PDF needs no font on the reader's machine.

Bulk printing renders a bounded number of certificates per WeasyPrint
document, in a few worker processes at once, and appends each document's
pages to the output in order; only a handful of chunks are in flight, so a
selection of any size costs the memory of a few chunks of layout.
"""

from __future__ import annotations

import functools
import io
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import IO, TYPE_CHECKING

import segno
import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from weasyprint.text.fonts import FontConfiguration

if TYPE_CHECKING:
    from datetime import date

    from completion.charts import LeadershipSummary
    from completion.models import Certificate
    from completion.study_hours import AnnualRecord

PRINT_TEMPLATE = "completion/certificate_print.html"
PAGE_TEMPLATE = "completion/includes/certificate_page.html"
PRINT_STYLESHEET = "css/certificate-print.css"
# Certificates laid out per WeasyPrint document when printing in bulk: large
# enough that each document's fixed cost (font subsetting) is shared, small
# enough that the layout of one chunk stays a few tens of megabytes.
CHUNK_SIZE = 100
# Processes laying out chunks side by side when printing in bulk.
PRINT_WORKERS = min(os.cpu_count() or 1, 4)
QR_MASK = 2


def qr_svg(url: str) -> str:
    """The QR code of `url` as inline SVG (vector, with its quiet zone).

    The mask pattern is fixed rather than chosen by scoring all eight: the
    scoring cost more than laying out the rest of the page, and a crisp
    printed code reads with any mask."""
    return segno.make(url, error="m", mask=QR_MASK, boost_error=False).svg_inline(
        scale=1, border=4, omitsize=True, svgclass=None, lineclass=None
    )


def render_html(certificates: Iterable[Certificate]) -> str:
    """The print document: one page a certificate, each in its holder's
    language (the one it was issued in), so a unit's bulk print reads right
    for every person in it."""
    pages = []
    for certificate in certificates:
        with translation.override(certificate.language or translation.get_language()):
            pages.append(
                render_to_string(
                    PAGE_TEMPLATE,
                    {
                        "certificate": certificate,
                        # segno writes the SVG itself; the address is encoded
                        # as module positions, never copied in as text.
                        "qr": mark_safe(qr_svg(certificate.verify_url)),  # noqa: S308
                        "site_url": settings.SITE_URL,
                    },
                )
            )
    return render_to_string(PRINT_TEMPLATE, {"pages": pages})


@functools.cache
def _font_config() -> FontConfiguration:
    return FontConfiguration()


@functools.cache
def _stylesheet(path: str) -> weasyprint.CSS:
    # Parsed once per process: every certificate uses the same stylesheet.
    return weasyprint.CSS(filename=path, font_config=_font_config())


def html_to_pdf(html: str, stylesheet: str, base_url: str) -> bytes:
    """Lay out printed certificates. Needs no Django, so worker processes
    can run it without setting Django up."""
    document = weasyprint.HTML(string=html, base_url=base_url).render(
        stylesheets=[_stylesheet(stylesheet)], font_config=_font_config()
    )
    return document.write_pdf()


def render_pdf(certificates: Iterable[Certificate]) -> bytes:
    """The PDF of `certificates`, one a page."""
    return html_to_pdf(
        render_html(certificates), finders.find(PRINT_STYLESHEET), str(settings.BASE_DIR)
    )


SUMMARY_TEMPLATE = "completion/summary_print.html"
SUMMARY_STYLESHEET = "css/summary-print.css"


def render_summary_pdf(summary: LeadershipSummary) -> bytes:
    """The one-page A4 summary of a unit for leadership meetings, in the
    reader's language; its charts are the report's SVG, kept vector."""
    html = render_to_string(
        SUMMARY_TEMPLATE,
        {
            "unit": summary.unit,
            "today": summary.today,
            "summary": summary.summary,
            "module_figures": summary.module_figures,
            "status_bars": summary.status_bars,
            "scores": summary.scores,
            "overdue": summary.overdue,
            "overdue_units": summary.overdue_units,
            "overdue_units_hidden": summary.overdue_units_hidden,
            "missed": summary.missed,
            "site_url": settings.SITE_URL,
        },
    )
    return html_to_pdf(html, finders.find(SUMMARY_STYLESHEET), str(settings.BASE_DIR))


RECORD_TEMPLATE = "completion/record_print.html"
RECORD_STYLESHEET = "css/record-print.css"


def render_record_pdf(record: AnnualRecord, *, trail: str, today: date) -> bytes:
    """A person's annual training record on A4, in the reader's language."""
    html = render_to_string(
        RECORD_TEMPLATE,
        {"record": record, "trail": trail, "today": today, "site_url": settings.SITE_URL},
    )
    return html_to_pdf(html, finders.find(RECORD_STYLESHEET), str(settings.BASE_DIR))


def _chunks(items: Iterable[Certificate], size: int) -> Iterator[list[Certificate]]:
    chunk: list[Certificate] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _InProcess:
    """Stands in for the process pool when there is only one worker."""

    def submit(self, function, *args) -> Future:
        future: Future = Future()
        future.set_result(function(*args))
        return future

    def __enter__(self) -> _InProcess:
        return self

    def __exit__(self, *exc) -> None:
        return None


def write_bulk_pdf(
    certificates: Iterable[Certificate],
    output: IO[bytes],
    *,
    chunk_size: int | None = None,
    workers: int | None = None,
    progress: Callable[[int], None] = lambda done: None,
) -> int:
    """Write every certificate of `certificates` to `output` as one PDF,
    calling `progress` with the number done after each chunk. Returns the
    number of pages written."""
    from pypdf import PdfReader, PdfWriter

    workers = workers or PRINT_WORKERS
    stylesheet, base_url = finders.find(PRINT_STYLESHEET), str(settings.BASE_DIR)
    # Spawned, not forked: the worker (a db_worker thread) may hold database
    # connections and locks a forked child must not inherit.
    pool = (
        ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        if workers > 1
        else _InProcess()
    )
    writer = PdfWriter()
    pending: deque[tuple[int, Future]] = deque()
    done = 0

    def append_oldest() -> None:
        nonlocal done
        count, future = pending.popleft()
        for page in PdfReader(io.BytesIO(future.result())).pages:
            writer.add_page(page)
        done += count
        progress(done)

    with pool:
        for chunk in _chunks(certificates, chunk_size or CHUNK_SIZE):
            # The HTML (and the verify address in it) is made here, with this
            # process's settings and language; workers only lay it out.
            html = render_html(chunk)
            pending.append((len(chunk), pool.submit(html_to_pdf, html, stylesheet, base_url)))
            # Keep every worker busy, but never more than one chunk queued
            # for each: memory stays bounded whatever the selection size.
            if len(pending) > 2 * workers:
                append_oldest()
        while pending:
            append_oldest()
    writer.write(output)
    return done
