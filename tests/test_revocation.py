"""Revocation agrees with itself: after a revoke the holder is "reopened" on
My training, the module page, the report and the exports, until they pass
again, which makes them "passed" once more with a new certificate."""

import csv
import io

import pytest
from django.urls import reverse

from completion.models import Assignment, Certificate, Completion, TrainingStatus
from completion.reports import COLUMNS
from completion.services import submit_attempt
from lessons.models import Attempt
from tests.factories import answer_all, make_admin, make_module, make_person, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def revoked(client):
    module = make_module("papers", questions=2)
    unit = make_unit(None, "省")
    Assignment.objects.assign(module=module, unit=unit, due_date="2099-01-01", by=None)
    holder, admin = make_person(unit, "王小明"), make_admin(unit)
    attempt = Attempt.objects.start(user=holder, module=module)
    answer_all(attempt, right=2)
    submit_attempt(attempt=attempt)
    completion = Completion.objects.get(user=holder)
    certificate = Certificate.objects.acknowledge(completion=completion, text="I will.")
    certificate.revoke(by=admin, reason="Issued in error")
    return {"module": module, "unit": unit, "holder": holder, "admin": admin}


def report_statuses(client, org) -> list[str]:
    client.force_login(org["admin"])
    response = client.get(reverse("completion:report_csv", args=[org["unit"].pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    status = [label for _key, label in COLUMNS].index("Status")
    return [row[status] for row in rows[1:] if row[0] == "王小明"]


def test_after_a_revoke_the_holder_is_reopened_everywhere(client, revoked):
    client.force_login(revoked["holder"])
    home = client.get(reverse("home")).content.decode()
    assert "Reopened (to pass again)" in home
    assert "Download certificate" not in home and "Confirm and get your certificate" not in home
    module_page = client.get(revoked["module"].get_absolute_url()).content.decode()
    assert "Start the quiz" in module_page or "Retake the quiz" in module_page
    assert "You have passed this module." not in module_page

    client.force_login(revoked["admin"])
    page = client.get(
        reverse("completion:unit_report", args=[revoked["unit"].pk]), {"status": "reopened"}
    )
    assert [row["training_status"] for row in page.context["page"]] == [TrainingStatus.REOPENED]
    assert report_statuses(client, revoked) == ["Reopened (to pass again)"]


def test_passing_again_makes_the_holder_passed_with_a_new_certificate(client, revoked):
    attempt = Attempt.objects.start(user=revoked["holder"], module=revoked["module"])
    answer_all(attempt, right=2)
    submit_attempt(attempt=attempt)

    assert Completion.objects.get(user=revoked["holder"]).reopened_at is None
    assert Certificate.objects.filter(user=revoked["holder"]).valid().count() == 1
    assert report_statuses(client, revoked) == ["Passed"]
    client.force_login(revoked["holder"])
    assert "Download certificate" in client.get(reverse("home")).content.decode()
