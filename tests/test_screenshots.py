"""Screenshots of the main pages at desktop and phone width, for the README.

Not part of the suite: marked `screenshots`, which the default options
deselect. `bin/screenshots` runs them (`pytest -m screenshots`) on the test
fixtures — the demo data, the live test server and the shared Chromium — and
saves PNGs in docs/screenshots/ (or the folder in SCREENSHOTS_DIR), named
`<page>-desktop.png` and `<page>-phone.png`. A page that cannot be reached
fails its test and leaves `FAILED-<step>-<width>.png` beside them.

    bin/screenshots                  # every page at both widths
    bin/screenshots -k unit_report   # one step (see --collect-only for the names)
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser_helpers import employee_journey, sign_in

pytestmark = [pytest.mark.screenshots, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUT = Path(
    os.environ.get("SCREENSHOTS_DIR")
    or Path(__file__).resolve().parent.parent / "docs" / "screenshots"
)
LAYOUTS = {
    "desktop": {"viewport": {"width": 1280, "height": 860}},
    "phone": {
        "viewport": {"width": 360, "height": 740},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}
# The pages of the employee journey that are photographed: the journey's
# label → the file name, and the element to put at the top of the picture.
JOURNEY_SHOTS = {
    "sign-in": ("sign-in", None),
    "My training": ("my-training", None),
    "module": ("module", None),
    "story after a decision": ("story-decision", ".story-timeline > li:has(.what-happened)"),
    "lesson": ("lesson", None),
    "quiz question": ("quiz-question", None),
    "review": ("review", None),
    "result, not passed": ("result-not-passed", None),
    "result, passed": ("result-passed", None),
    "certificate": ("certificate", None),
    "verify": ("verify", None),
}


class Camera:
    """Saves `<name>-<width>.png` of a page, and a PDF's first page."""

    def __init__(self, width: str):
        self.width = width

    def shoot(self, page, name: str, focus: str | None = None) -> None:
        page.wait_for_load_state("networkidle")
        if focus:
            # The element at the top of the picture, with a little air above.
            page.locator(focus).first.evaluate(
                "el => { el.scrollIntoView({block: 'start'}); window.scrollBy(0, -24); }"
            )
        else:
            page.evaluate("window.scrollTo(0, 0)")
        path = OUT / f"{name}-{self.width}.png"
        page.screenshot(path=str(path), full_page=False, animations="disabled")
        assert path.stat().st_size > 0

    def save_pdf(self, pdf: bytes, name: str) -> None:
        """The first page of a PDF as `<name>.png` (poppler's pdftoppm)."""
        with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
            file.write(pdf)
            file.flush()
            subprocess.run(  # noqa: S603
                ["/usr/bin/pdftoppm", "-png", "-r", "70", "-singlefile", file.name, OUT / name],
                check=True,
            )

    def journey_check(self, page, label: str) -> None:
        """The `check` handed to the employee journey: photograph some pages."""
        if label in JOURNEY_SHOTS:
            self.shoot(page, *JOURNEY_SHOTS[label])


@pytest.fixture(scope="module", autouse=True)
def out() -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    for stale in OUT.glob("FAILED-*.png"):
        stale.unlink()
    return OUT


@pytest.fixture(params=list(LAYOUTS))
def width(request) -> str:
    return request.param


@pytest.fixture
def shot(browser, live_server, demo, media_root, settings, width, request) -> Iterator:
    """A fresh tab at `width` on the demo, and its camera. If the test
    fails, the tab as it was is saved as FAILED-<test>-<width>.png."""
    # The certificate's QR code and link point at the server being photographed.
    settings.SITE_URL = live_server.url
    context = browser.new_context(base_url=live_server.url, **LAYOUTS[width])
    page = context.new_page()
    page.set_default_timeout(15_000)
    failures = request.session.testsfailed
    yield page, Camera(width)
    if request.session.testsfailed > failures:
        page.screenshot(path=str(OUT / f"FAILED-{request.node.originalname}-{width}.png"))
    context.close()


def test_employee_journey(shot):
    page, camera = shot
    walk = employee_journey(page, check=camera.journey_check)
    if camera.width == "desktop":
        # The certificate itself, as its PDF's first page.
        pdf = page.request.get(f"/certificates/{walk['certificate'].serial}.pdf").body()
        camera.save_pdf(pdf, "certificate-pdf")


def test_case_library(shot):
    page, camera = shot
    sign_in(page, "employee")
    page.goto("/cases/")
    camera.shoot(page, "case-library")
    page.locator("main .card h2 a").first.click()
    page.wait_for_url("**/cases/*/")
    camera.shoot(page, "case")


def test_my_training_in_chinese(shot):
    page, camera = shot
    sign_in(page, "employee")
    page.locator("#language-select").select_option("zh-hans")
    page.wait_for_selector("html[lang='zh-hans']")
    camera.shoot(page, "my-training-zh")


def test_unit_report(shot):
    page, camera = shot
    sign_in(page, "unitadmin")
    page.goto("/report/")
    camera.shoot(page, "unit-report")
    page.goto("/certificates/print/")
    camera.shoot(page, "bulk-print")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_unit_report_charts(shot, language):
    page, camera = shot
    sign_in(page, "unitadmin")
    page.locator("#language-select").select_option(language)
    page.wait_for_selector(f"html[lang='{language}']")
    page.goto("/report/")
    camera.shoot(page, f"unit-report-charts-{language}", "#charts-heading")
    if camera.width == "desktop":
        pdf = page.request.get(page.locator("a[href$='summary.pdf']").get_attribute("href"))
        camera.save_pdf(pdf.body(), f"unit-summary-pdf-{language}")


def test_study_hours_and_the_annual_record(shot):
    page, camera = shot
    sign_in(page, "employee")
    page.locator("#language-select").select_option("zh-hans")
    page.wait_for_selector("html[lang='zh-hans']")
    camera.shoot(page, "study-hours-zh", ".study-hours")
    page.goto("/training/record/")
    camera.shoot(page, "annual-record-zh")
    if camera.width == "desktop":
        pdf = page.request.get(page.locator("a[href$='.pdf']").first.get_attribute("href"))
        camera.save_pdf(pdf.body(), "annual-record-pdf-zh-hans")


def test_campaign(shot):
    page, camera = shot
    sign_in(page, "unitadmin")
    page.goto("/report/")
    page.get_by_role("link", name="Campaigns").click()
    page.locator("main table a").first.click()
    camera.shoot(page, "campaign")
    page.goto("/report/")
    camera.shoot(page, "unit-report-study-hours", "#hours-heading")


def test_trainer_admin(shot):
    page, camera = shot
    sign_in(page, "trainer")
    page.goto("/admin/lessons/question/")
    page.locator("#result_list tbody a").first.click()
    camera.shoot(page, "admin-question")


def test_errors(shot):
    page, camera = shot
    sign_in(page, "employee")
    page.goto("/no-such-page/")
    camera.shoot(page, "not-found")
