"""Certificates as PDF: one from its print template, or many in one file.

WeasyPrint lays out each certificate's text (A4 landscape, `@page` CSS).
What is not text is added to the laid-out pages afterwards, in PDF drawing
operators: the frame, drawn once into the file and shown by every page, and
the QR code, one filled path of segno's modules where the page kept a place
for it. Laying the two out per page was a third of a certificate's cost, and
neither has anything to lay out: both stay vector. Chinese names are set in
Noto Serif CJK SC (Debian's fonts-noto-cjk), which WeasyPrint subsets and
embeds: the PDF needs no font on the reader's machine.

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
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

import segno
import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
)
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
# The quiet zone around a QR code, in modules.
QR_BORDER = 4
PT_PER_PX = 0.75  # WeasyPrint's positions are CSS pixels, 96 to the inch
QR_ANCHOR = "qr-"


@functools.cache
def _font_config() -> FontConfiguration:
    return FontConfiguration()


@functools.cache
def _stylesheet(path: str) -> weasyprint.CSS:
    # Parsed once per process: every certificate uses the same stylesheet.
    return weasyprint.CSS(filename=path, font_config=_font_config())


def _lay_out(html: str, stylesheet: str, base_url: str) -> weasyprint.Document:
    return weasyprint.HTML(string=html, base_url=base_url).render(
        stylesheets=[_stylesheet(stylesheet)], font_config=_font_config()
    )


def html_to_pdf(html: str, stylesheet: str, base_url: str) -> bytes:
    """Lay a print document out. Needs no Django, so worker processes can run
    it without setting Django up."""
    return _lay_out(html, stylesheet, base_url).write_pdf()


@dataclass(frozen=True, eq=False)
class StaticLayer:
    """What is the same on every certificate of one language and issuer,
    laid out once: the frame and the page's own text, as a one-page PDF, and
    the places it marked for the certificate's own lines, in CSS pixels.
    Kept as bytes: each PDF being written reads its own copy, so threads
    printing at once never share a reader."""

    pdf: bytes
    holder_top: float  # from the top of the page
    serial_left: float  # from the left of the verify text


@functools.cache
def _static_layer(language: str, issuer: str) -> StaticLayer:
    with translation.override(language):
        page = render_to_string(PAGE_TEMPLATE, {"static": True, "issuer": issuer})
        html = render_to_string(PRINT_TEMPLATE, {"pages": [page]})
    document = _lay_out(html, finders.find(PRINT_STYLESHEET), str(settings.BASE_DIR))
    places = document.pages[0].anchors
    return StaticLayer(
        pdf=document.write_pdf(),
        holder_top=places["holder-place"][1],
        serial_left=places["serial-place"][0] - places["verify-text"][0],
    )


def static_layer(certificate: Certificate) -> StaticLayer:
    """The static layer of `certificate`'s page: in its holder's language
    (the one it was issued in), with the issuer it was issued by."""
    with translation.override(certificate.language or translation.get_language()):
        return _static_layer(translation.get_language(), certificate.issuing_organisation)


def qr_anchor(index: int) -> str:
    """The id of the place kept for the QR code of the document's
    `index`-th certificate: WeasyPrint reports where on which page it fell."""
    return f"{QR_ANCHOR}{index}"


def render_html(certificates: Iterable[Certificate]) -> str:
    """The print document of the certificates' own lines: one page a
    certificate, each in its holder's language, so a unit's bulk print reads
    right for every person in it."""
    pages = []
    for index, certificate in enumerate(certificates):
        with translation.override(certificate.language or translation.get_language()):
            layout = _static_layer(translation.get_language(), certificate.issuing_organisation)
            pages.append(
                render_to_string(
                    PAGE_TEMPLATE,
                    {
                        "certificate": certificate,
                        "layout": layout,
                        "qr_anchor": qr_anchor(index),
                        "site_url": settings.SITE_URL,
                    },
                )
            )
    return render_to_string(PRINT_TEMPLATE, {"pages": pages})


# Where, on each page, the QR code of which certificate goes: the index of
# the certificate in its document, then the left, top and side of the
# square its page kept, in points from the page's top left; None for a page
# without one.
QrPlaces = list[tuple[int, float, float, float] | None]


def lay_out_certificates(html: str, stylesheet: str, base_url: str) -> tuple[bytes, QrPlaces]:
    """Lay certificates out, and say where each page kept the place for its
    QR code (`qr_anchor`). Needs no Django, for the worker processes."""
    document = _lay_out(html, stylesheet, base_url)
    places: QrPlaces = []
    for page in document.pages:
        place = None
        for name, (left, top, right, _) in page.anchors.items():
            if name.startswith(QR_ANCHOR):
                index = int(name.removeprefix(QR_ANCHOR))
                place = (index, left * PT_PER_PX, top * PT_PER_PX, (right - left) * PT_PER_PX)
        places.append(place)
    return document.write_pdf(), places


def _stream(data: bytes, **entries) -> StreamObject:
    stream = StreamObject()
    stream.update({NameObject(key): value for key, value in entries.items()})
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    stream.set_data(zlib.compress(data))
    return stream


def qr_operators(url: str, side: float) -> bytes:
    """The QR code of `url`, with its quiet zone, as PDF operators drawing a
    square of `side` points from the origin down and to the right (the
    caller moves the origin): one path of a rectangle for each run of dark
    modules in a row, filled at once, so no viewer shows seams between
    them. The mask pattern is fixed rather than chosen by scoring all eight:
    the scoring cost more than laying out the rest of the page, and a crisp
    code reads with any mask."""
    code = segno.make(url, error="m", mask=QR_MASK, boost_error=False)
    module = side / (len(code.matrix) + 2 * QR_BORDER)
    rectangles = []
    for row, modules in enumerate(code.matrix, start=QR_BORDER):
        column, end = 0, len(modules)
        while column < end:
            if modules[column] & 1:
                start = column
                while column < end and modules[column] & 1:
                    column += 1
                rectangles.append(f"{start + QR_BORDER} {row} {column - start} 1 re")
            else:
                column += 1
    # Rows run downwards: y is flipped, and one unit is one module.
    return f"q 0 g {module:.4f} 0 0 {-module:.4f} 0 0 cm {' '.join(rectangles)} f Q".encode()


class _Stamper:
    """Adds laid-out certificate pages to `writer`, each over its static
    layer and under its QR code. Each static layer is one form in the file,
    however many pages draw it."""

    def __init__(self, writer: PdfWriter) -> None:
        self.writer = writer
        self.forms: dict[StaticLayer, tuple[NameObject, IndirectObject, IndirectObject]] = {}
        self.restore = writer._add_object(_stream(b"\nQ\n"))

    def _form(self, layer: StaticLayer) -> tuple[NameObject, IndirectObject, IndirectObject]:
        """The layer's name, its form in the file, and the operators that
        draw it and then save the state for the page's own operators
        (WeasyPrint leaves its coordinates flipped at the end, and the QR
        code is drawn after them)."""
        if layer not in self.forms:
            page = PdfReader(io.BytesIO(layer.pdf)).pages[0]
            form = _stream(
                page.get_contents().get_data(),
                **{
                    "/Type": NameObject("/XObject"),
                    "/Subtype": NameObject("/Form"),
                    "/BBox": ArrayObject(NumberObject(round(n)) for n in page.mediabox),
                    "/Resources": page["/Resources"].clone(self.writer),
                },
            )
            name = NameObject(f"/AwarenessPage{len(self.forms)}")
            under = _stream(f"q {name} Do Q q\n".encode())
            self.forms[layer] = (
                name,
                self.writer._add_object(form),
                self.writer._add_object(under),
            )
        return self.forms[layer]

    def add(
        self, page: PageObject, layer: StaticLayer, qr: tuple[str, float, float, float]
    ) -> None:
        """Add `page` over `layer`, with the QR code of `qr` (the address,
        then the left, top and side of its place)."""
        name, form, under = self._form(layer)
        page = self.writer.add_page(page)
        resources = page["/Resources"]
        xobjects = resources.get("/XObject")
        if xobjects is None:
            xobjects = resources[NameObject("/XObject")] = DictionaryObject()
        xobjects.get_object()[name] = form
        contents = page.raw_get("/Contents")
        own = contents.get_object()
        layers = [under, *(own if isinstance(own, list) else [contents])]
        url, left, top, side = qr
        origin = b"q 1 0 0 1 %.3f %.3f cm " % (left, float(page.mediabox.height) - top)
        drawn = _stream(origin + qr_operators(url, side) + b" Q")
        layers += [self.restore, self.writer._add_object(drawn)]
        page[NameObject("/Contents")] = ArrayObject(
            layer if isinstance(layer, IndirectObject) else self.writer._add_object(layer)
            for layer in layers
        )

    def add_document(self, pdf: bytes, places: QrPlaces, certificates: list[Certificate]) -> None:
        """Add every page of one laid-out document of `certificates`."""
        for page, place in zip(PdfReader(io.BytesIO(pdf)).pages, places, strict=True):
            if place is None:  # a certificate's second page, if one ever overflows
                self.writer.add_page(page)
            else:
                index, *square = place
                certificate = certificates[index]
                self.add(page, static_layer(certificate), (certificate.verify_url, *square))


def render_pdf(certificates: Iterable[Certificate]) -> bytes:
    """The PDF of `certificates`, one a page."""
    certificates = list(certificates)
    pdf, places = lay_out_certificates(
        render_html(certificates), finders.find(PRINT_STYLESHEET), str(settings.BASE_DIR)
    )
    writer = PdfWriter()
    _Stamper(writer).add_document(pdf, places, certificates)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


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
    stamper = _Stamper(writer)
    pending: deque[tuple[list[Certificate], Future]] = deque()
    done = 0

    def append_oldest() -> None:
        nonlocal done
        chunk, future = pending.popleft()
        stamper.add_document(*future.result(), chunk)
        done += len(chunk)
        progress(done)

    with pool:
        for chunk in _chunks(certificates, chunk_size or CHUNK_SIZE):
            # The HTML (and the verify address in it) is made here, with this
            # process's settings and language; workers only lay it out.
            html = render_html(chunk)
            pending.append((chunk, pool.submit(lay_out_certificates, html, stylesheet, base_url)))
            # Keep every worker busy, but never more than one chunk queued
            # for each: memory stays bounded whatever the selection size.
            if len(pending) > 2 * workers:
                append_oldest()
        while pending:
            append_oldest()
    writer.write(output)
    return done
