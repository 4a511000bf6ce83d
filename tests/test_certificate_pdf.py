"""The printed certificate: text, embedded Chinese font, and a QR code a real
decoder reads back to the verify address."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from pypdf import PdfReader

from completion.models import Certificate
from completion.pdf import render_pdf
from tests.factories import certified, make_module, make_person, make_unit

pytestmark = pytest.mark.django_db

NAMES = ["王小明", "欧阳娜娜", "司马懿", "刘䶮", "龑𠀾"]


@pytest.fixture
def certificates(settings):
    settings.SITE_URL = "https://awareness.example.gov.cn"
    # Ten questions a sitting, so that the certificates can say 90%.
    module = make_module(
        "design-drawings", "The engineer who sold his drawings", questions=10, draw=10
    )
    unit = make_unit(None, "Province", code="P")
    return [
        certified(make_person(unit, name, username=f"p{n}"), module, score=90)
        for n, name in enumerate(NAMES)
    ]


def embedded_fonts(reader: PdfReader) -> dict[str, bool]:
    """Each font used on the pages, and whether its program is in the file."""
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    return fonts


def test_it_prints_name_module_and_serial(certificates):
    reader = PdfReader(io.BytesIO(render_pdf(certificates[:1])))

    text = reader.pages[0].extract_text()
    assert "王小明" in text
    assert "The engineer who sold his drawings" in text
    assert certificates[0].serial in text
    assert certificates[0].issuing_organisation in text


def test_it_is_one_a4_landscape_page_per_certificate(certificates):
    reader = PdfReader(io.BytesIO(render_pdf(certificates)))

    assert len(reader.pages) == len(NAMES)
    box = reader.pages[0].mediabox
    # A4 landscape: 297 × 210 mm in points.
    assert round(float(box.width)) == 842
    assert round(float(box.height)) == 595


def test_it_renders_compound_surnames_and_rare_characters(certificates):
    reader = PdfReader(io.BytesIO(render_pdf(certificates)))

    for page, name in zip(reader.pages, NAMES, strict=True):
        assert name in page.extract_text()


def test_it_embeds_the_chinese_font(certificates):
    fonts = embedded_fonts(PdfReader(io.BytesIO(render_pdf(certificates[:1]))))

    cjk = {name: embedded for name, embedded in fonts.items() if "CJK" in name}
    assert cjk, fonts
    assert all(cjk.values()), cjk


def test_its_qr_code_opens_the_verify_page(certificates, tmp_path):
    certificate = certificates[0]
    (tmp_path / "certificate.pdf").write_bytes(render_pdf([certificate]))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-singlefile", "certificate.pdf", "certificate"],
        cwd=tmp_path,
        check=True,
    )

    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "certificate.png"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()

    assert decoded == [f"https://awareness.example.gov.cn/verify/{certificate.token}/"]


@pytest.mark.parametrize("token", [None, "Ab-Cd-Ef_Gh-Ij-Kl-Mn-Op"])
def test_it_prints_the_verify_link_in_words(certificates, token):
    # Tokens are random; one full of hyphens (where a line may break) too.
    certificates[0].token = token or certificates[0].token
    text = PdfReader(io.BytesIO(render_pdf(certificates[:1]))).pages[0].extract_text()

    assert certificates[0].verify_url in text.replace("\n", "")
    # The token itself is never split across lines.
    assert any(certificates[0].token in line for line in text.splitlines())


def test_it_prints_in_chinese_for_a_holder_who_reads_chinese(certificates):
    from django.utils import timezone

    # The holder's language, kept at issue, decides; not the reader's.
    certificates[0].language = "zh-hans"
    text = PdfReader(io.BytesIO(render_pdf(certificates[:1]))).pages[0].extract_text()

    assert "结业证书" in text.replace(" ", "")
    passed = timezone.localtime(certificates[0].passed_at)
    assert f"{passed.year}年" in text


def test_a_bulk_print_gives_each_certificate_its_holders_language(certificates):
    english, chinese = certificates[0], certificates[1]
    english.language = "en"
    Certificate.objects.filter(pk=chinese.pk).update(
        language="zh-hans", module_title_zh_hans="会后带回家的涉密文件"
    )
    chinese.refresh_from_db()
    pages = PdfReader(io.BytesIO(render_pdf([english, chinese]))).pages
    first, second = (page.extract_text().replace(" ", "") for page in pages)
    assert "CertificateofCompletion" in first and "结业证书" not in first
    assert "结业证书" in second and "CertificateofCompletion" not in second
    assert "会后带回家的涉密文件" in second


def test_each_page_of_a_print_carries_its_own_qr_code_over_its_languages_page(
    certificates, tmp_path
):
    # The QR codes are drawn after layout, at the place each page kept: a
    # page must never show another certificate's code. The static text (and
    # the frame) is stored once for each language, whatever the page count.
    for certificate, language in zip(
        certificates, ["en", "zh-hans", "en", "zh-hans", "en"], strict=True
    ):
        certificate.language = language
    (tmp_path / "print.pdf").write_bytes(render_pdf(certificates))
    subprocess.run(["pdftoppm", "-png", "-r", "150", "print.pdf", "page"], cwd=tmp_path, check=True)

    decoded = [
        subprocess.run(
            ["zbarimg", "--quiet", "--raw", str(image)], check=True, capture_output=True, text=True
        ).stdout.split()
        for image in sorted(tmp_path.glob("page-*.png"))
    ]

    assert decoded == [[certificate.verify_url] for certificate in certificates]
    pages = PdfReader(tmp_path / "print.pdf").pages
    drawn = [
        re.findall(rb"(/AwarenessPage\d+) Do", page.get_contents().get_data()) for page in pages
    ]
    assert [len(names) for names in drawn] == [1] * 5
    forms = [
        page["/Resources"]["/XObject"].raw_get(names[0].decode()).idnum
        for page, names in zip(pages, drawn, strict=True)
    ]
    assert forms[0] == forms[2] == forms[4] != forms[1] == forms[3]
    texts = [page.extract_text().replace(" ", "") for page in pages]
    assert all("结业证书" in text for text in texts[1::2])
    assert all("CertificateofCompletion" in text for text in texts[::2])
