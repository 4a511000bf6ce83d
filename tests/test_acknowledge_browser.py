"""The commitment, the certificate page and the public check page in a real
browser, on a desk and at phone width."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from completion.models import Certificate
from tests.browser_helpers import assert_no_horizontal_scroll, check_accessibility, sign_in
from tests.conftest import ARTIFACTS
from tests.factories import completed, make_module, make_person, make_unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-only"


@pytest.fixture
def module():
    # Thirteen questions a sitting, so that a score of 92% can be earned (12 of 13).
    module = make_module(questions=13, draw=13)
    person = make_person(make_unit(None, "Province", code="P"), "王小明", username="wang")
    completed(person, module, score=92)
    return module


@pytest.mark.parametrize("tab", ["page", "phone_page"])
def test_it_takes_a_pass_to_a_certificate_and_its_check_page(request, tab, module):
    page = request.getfixturevalue(tab)
    sign_in(page, "wang", PASSWORD)

    page.goto(f"/modules/{module.slug}/acknowledge/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your commitment")
    assert_no_horizontal_scroll(page, "commitment")
    check_accessibility(page, "commitment")
    page.screenshot(path=ARTIFACTS / f"acknowledge-{tab}.png", full_page=True)
    page.get_by_label("I confirm that I have read and will abide by this commitment.").check()
    page.get_by_role("button", name="Confirm and receive my certificate").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your certificate")
    expect(page.get_by_role("link", name="Download certificate (PDF)")).to_be_visible()
    assert_no_horizontal_scroll(page, "certificate")
    check_accessibility(page, "certificate")
    page.screenshot(path=ARTIFACTS / f"certificate-{tab}.png", full_page=True)

    page.get_by_role("link", name="Public check page").click()
    expect(page.locator(".verify-result")).to_contain_text("This certificate is valid")
    assert_no_horizontal_scroll(page, "verify")
    check_accessibility(page, "verify")
    page.screenshot(path=ARTIFACTS / f"verify-{tab}.png", full_page=True)
    assert Certificate.objects.count() == 1


def test_it_shows_a_revoked_certificate_plainly(page, module):
    from completion.models import Completion

    completion = Completion.objects.get()
    certificate = Certificate.objects.acknowledge(completion=completion, text="x")
    certificate.revoke(by=None, reason="Issued in error")

    page.goto(f"/verify/{certificate.token}/")

    expect(page.locator(".verify-result")).to_contain_text("was revoked on")
    check_accessibility(page, "verify, revoked")
    page.screenshot(path=ARTIFACTS / "verify-revoked.png", full_page=True)
