"""The one-page PDF summary of a unit: who may have it, what it says (read
back with poppler's pdftotext and compared with the database) and its cost."""

import io
import re
import subprocess
import tempfile
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from completion import reports
from completion.models import Assignment, TrainingStatus, Unit, local_today
from tests.factories import (
    make_admin,
    make_attempt,
    make_module,
    make_people,
    make_person,
    make_unit,
)

pytestmark = pytest.mark.django_db


def url(unit):
    return reverse("completion:unit_summary_pdf", args=[unit.pk])


def text_of(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        return subprocess.run(  # noqa: S603
            ["/usr/bin/pdftotext", "-layout", file.name, "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout


def squeeze(text: str) -> str:
    """The PDF's text with runs of spaces made one, to match row by row."""
    return "\n".join(" ".join(line.split()) for line in text.splitlines())


def test_it_sends_a_signed_out_visitor_to_sign_in(client, org):
    response = client.get(url(org["province"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_is_a_404_for_an_employee_and_another_units_admin(client, org):
    client.force_login(make_person(org["bureau"], "赵强"))
    assert client.get(url(org["bureau"])).status_code == 404
    client.force_login(make_admin(org["sibling"]))
    assert client.get(url(org["bureau"])).status_code == 404


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_its_figures_match_the_database(client, demo, language):
    client.force_login(get_user_model().objects.get(username="unitadmin"))
    province = Unit.objects.get(code="DEMO")
    response = client.get(url(province), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    text = squeeze(text_of(pdf))

    modules = reports.assigned_modules()
    table = reports.person_rows(province, modules, reports.Filters(), today=local_today())
    rows = list(table.all_rows())
    done = ("passed", "passed_late")
    completed = sum(row["training_status"] in done for row in rows)
    overdue = [row for row in rows if row["training_status"] == TrainingStatus.OVERDUE]
    assert f"{completed} / {len(rows)}" in text
    assert f"{round(completed / len(rows) * 100)}%" in text
    for module in modules:
        mine = [row for row in rows if row["module_id"] == module.pk]
        mine_done = sum(row["training_status"] in done for row in mine)
        mine_overdue = sum(row["training_status"] == TrainingStatus.OVERDUE for row in mine)
        rate = round(mine_done / len(mine) * 100)
        assert f"{module.title} {len(mine)} {mine_done} {rate}% {mine_overdue}" in text

    # Overdue by unit: each sub-unit's count and the total.
    names = {unit.path: unit.name for unit in Unit.objects.filter(parent=province)}
    by_unit = Counter()
    for row in overdue:
        path = row["unit_path"][: len(province.path) + 5]
        by_unit[names.get(path, province.name)] += 1
    for name, people in by_unit.items():
        # The unit's bands, then its total (the questions may share the line).
        assert re.search(rf"{re.escape(name)}[^\d\n]* \d+ \d+ \d+ {people}(\s|$)", text), name
    total = "Total" if language == "en" else "合计"
    assert f"{total} {len(overdue)} 0 0 {len(overdue)}" in text

    # The questions most often missed, the worst first.
    worst = max(
        (item for module in modules for item in reports.question_misses(province, module)),
        key=lambda item: item.rate,
    )
    assert f"{worst.answered} {round(worst.rate * 100)}%" in text
    if language == "zh-hans":
        assert "保密教育培训情况简报" in text and "各单位逾期情况" in text
        assert "Overdue by unit" not in text
    else:
        assert "Overdue by unit" in text and "Questions most often answered wrongly" in text


@pytest.mark.parametrize("people", [10, 200])
def test_it_costs_the_same_queries_for_10_and_200_people(client, django_assert_num_queries, people):
    module = make_module("papers")
    province = make_unit(None, "省")
    bureau = make_unit(province, "局")
    users = make_people(bureau, people)
    due = timezone.localdate() - timedelta(days=40)
    Assignment.objects.assign(module=module, unit=province, due_date=due, by=None)
    for user in users[::4]:
        make_attempt(user, module, score=75, at=timezone.now())
    client.force_login(make_admin(province))
    # session, user, the unit (access helper), the assigned modules with their
    # unit assignments, the sub-units, the summary,
    # the charts' breakdown, and each module's question misses and the bank's
    # questions (their text in the reader's language) and the wrong answers
    # chosen most with their choices' text: 4 a module.
    with django_assert_num_queries(12):
        response = client.get(url(province))
    text = squeeze(text_of(response.content))
    assert f"{len(users[::4])} / {people + 1}" in text
