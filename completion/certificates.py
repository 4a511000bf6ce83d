"""Certificates as PDF: one from its print template, or many in one file.

WeasyPrint lays the print template out (A4 landscape, `@page` CSS); the QR
code is an SVG drawn by segno, so it stays vector in the PDF. Chinese names
are set in Noto Serif CJK SC (Debian's fonts-noto-cjk), which WeasyPrint
subsets and embeds: the PDF needs no font on the reader's machine.

Bulk printing renders a bounded number of certificates per WeasyPrint
document and appends each document's pages to the output, so a selection of
any size costs the memory of one chunk of layout plus the (small) pages.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Iterable, Iterator
from typing import IO

import segno
import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint.text.fonts import FontConfiguration

from completion.certificate_models import Certificate

PRINT_TEMPLATE = "completion/certificate_print.html"
PRINT_STYLESHEET = "css/certificate-print.css"
# Certificates laid out per WeasyPrint document when printing in bulk: large
# enough that each document's fixed cost (font subsetting) is shared, small
# enough that the layout of one chunk stays a few tens of megabytes.
CHUNK_SIZE = 100


def qr_data_uri(url: str) -> str:
    """The QR code of `url` as an SVG data URI (vector, with its quiet zone)."""
    return segno.make(url, error="m").svg_data_uri(scale=1, border=4)


@functools.cache
def _font_config() -> FontConfiguration:
    return FontConfiguration()


@functools.cache
def _stylesheet() -> weasyprint.CSS:
    # Parsed once per process: every certificate uses the same stylesheet.
    path = finders.find(PRINT_STYLESHEET)
    return weasyprint.CSS(filename=path, font_config=_font_config())


def render_html(certificates: Iterable[Certificate]) -> str:
    return render_to_string(
        PRINT_TEMPLATE,
        {
            "certificates": [
                (certificate, qr_data_uri(certificate.verify_url)) for certificate in certificates
            ]
        },
    )


def _document(certificates: Iterable[Certificate]) -> weasyprint.Document:
    html = weasyprint.HTML(string=render_html(certificates), base_url=str(settings.BASE_DIR))
    return html.render(stylesheets=[_stylesheet()], font_config=_font_config())


def render_pdf(certificates: Iterable[Certificate]) -> bytes:
    """The PDF of `certificates`, one a page."""
    return _document(certificates).write_pdf()


def _chunks(items: Iterable[Certificate], size: int) -> Iterator[list[Certificate]]:
    chunk: list[Certificate] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def write_bulk_pdf(
    certificates: Iterable[Certificate],
    output: IO[bytes],
    *,
    chunk_size: int | None = None,
    progress: Callable[[int], None] = lambda done: None,
) -> int:
    """Write every certificate of `certificates` to `output` as one PDF,
    calling `progress` with the number done after each chunk. Returns the
    number of pages written."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    done = 0
    for chunk in _chunks(certificates, chunk_size or CHUNK_SIZE):
        # Each chunk's layout is freed once its PDF is written; only the
        # finished pages are kept for the final file.
        reader = PdfReader(io.BytesIO(render_pdf(chunk)))
        for page in reader.pages:
            writer.add_page(page)
        done += len(chunk)
        progress(done)
    writer.write(output)
    return done
