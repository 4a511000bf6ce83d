"""An employee's whole journey in a real browser, against the demo data:
sign in → My training → a module → the story and its decision points → the
lesson → the quiz, failed once → retaken and passed → the commitment → the
certificate downloaded and read back → its check page."""

import pytest

from completion.models import Completion
from lessons.models import DecisionResponse
from tests.browser_helpers import employee_journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_takes_an_employee_from_sign_in_to_a_checked_certificate(demo, page):
    walk = employee_journey(page)
    module, certificate = walk["module"], walk["certificate"]

    failed, passed = walk["attempts"]
    assert (failed.number, failed.passed, failed.score) == (1, False, 0)
    assert (passed.number, passed.passed, passed.score) == (2, True, 100)
    # The pass, not the failure, is the completion; the commitment is recorded.
    completion = Completion.objects.get(user__username="employee", module=module)
    assert completion.attempt == passed
    assert completion.acknowledged_at is not None
    # Every decision point of the story was answered once, and kept.
    assert walk["decisions"] == module.decision_points.count() >= 2
    assert (
        DecisionResponse.objects.filter(
            user__username="employee", decision_point__module=module
        ).count()
        == walk["decisions"]
    )

    # The PDF carries the person's Chinese name, the module and the serial.
    assert "王小明" in walk["pdf_text"]
    assert module.title in walk["pdf_text"]
    assert certificate.serial in walk["pdf_text"]
    assert certificate.holder_name == "王小明"
