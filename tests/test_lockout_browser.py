"""The lockout as a person meets it in a browser, and the audit trail as an
administrator reads it."""

import pytest
from django.contrib.auth import get_user_model

from cases.models import Case
from tests.browser_helpers import check_accessibility, sign_in
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def try_password(page, url: str, password: str):
    page.goto(url)
    page.get_by_label("Username").fill("employee")
    page.get_by_label("Password").fill(password)
    button = "Log in" if url.startswith("/admin/") else "Sign in"
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name=button).click()
    return answer.value


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_five_wrong_passwords_pause_the_sign_in_with_a_page_that_says_until_when(demo, page, url):
    for _ in range(4):
        assert try_password(page, url, "not-my-password").status == 200
    assert try_password(page, url, "not-my-password").status == 429
    response = try_password(page, url, "awareness-demo")
    assert response.status == 429
    assert page.get_by_role("heading", level=1).inner_text() == "Sign-in paused"
    until = page.locator(".lockout-until time")
    assert until.inner_text().count(":") == 1
    name = "lockout" if url == "/accounts/login/" else "lockout-admin"
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
    check_accessibility(page, "sign-in paused")
    # Still not signed in: My training sends to the sign-in page.
    page.goto("/")
    assert "/accounts/login/" in page.url


def test_the_admin_history_of_a_case_shows_who_changed_what(demo, page):
    case = Case.objects.get(pk=1)
    case._history_user = get_user_model().objects.get(username="trainer")
    case.save()
    case.title_zh_hans = "把涉密文件带回家（修订）"
    case.save()
    sign_in(page, "admin")
    page.goto(f"/admin/cases/case/{case.pk}/history/")
    table = page.locator("#change-history")
    assert "把涉密文件带回家（修订）" in table.inner_text()
    assert "trainer" in table.inner_text()
    page.screenshot(path=ARTIFACTS / "admin-history.png", full_page=True)
