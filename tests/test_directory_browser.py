"""A directory person signs in through the real page, in a real browser."""

import pytest

from completion.models import Unit
from tests.browser_helpers import sign_in
from tests.conftest import ARTIFACTS
from tests.directory_helpers import PEOPLE_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_directory_person_signs_in_and_sees_their_name_and_unit(directory, page):
    root = Unit.objects.create_child(None, code="SZT", name="示范厅")
    Unit.objects.create_child(root, code="SZT-XXC", name="信息处")
    sign_in(page, "huangqiang", PEOPLE_PASSWORD)
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, 黄强"
    assert page.get_by_text("Unit: 信息处").is_visible()
    page.screenshot(path=ARTIFACTS / "directory-sign-in-home.png")


def test_a_person_not_placed_is_told_so_on_their_home_page(directory, page):
    Unit.objects.create_child(None, code="SZT", name="示范厅")
    sign_in(page, "sunli", PEOPLE_PASSWORD)
    status = page.get_by_role("status").filter(has_text="not placed")
    assert "“SZT-RSC”" in status.inner_text()
    page.screenshot(path=ARTIFACTS / "directory-not-placed-home.png")


def test_the_sign_in_page_says_when_the_directory_is_down(directory, page, settings):
    settings.AUTH_LDAP_SERVER_URI = "ldap://127.0.0.1:9"
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("huangqiang")
    page.get_by_label("Password").fill(PEOPLE_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    assert "directory cannot be reached just now" in alert.inner_text()
    page.screenshot(path=ARTIFACTS / "directory-outage-sign-in.png")


def test_the_top_units_admin_sees_who_is_not_placed(directory, page, browser, live_server):
    from tests.factories import make_admin

    root = Unit.objects.create_child(None, code="SZT", name="示范厅")
    make_admin(root, username="root-admin")
    sign_in(page, "sunli", PEOPLE_PASSWORD)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    admin_page = context.new_page()
    sign_in(admin_page, "root-admin", "pw-for-tests-only")
    admin_page.goto("/report/")
    section = admin_page.get_by_role("region", name="Not placed")
    row = section.get_by_role("row").filter(has_text="孙丽")
    assert "SZT-RSC" in row.inner_text()
    section.screenshot(path=ARTIFACTS / "directory-not-placed-report.png")
    context.close()
