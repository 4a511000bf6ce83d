import pytest

from tests.browser_helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_demo_employee_signs_in_and_sees_their_name(demo, page):
    page.goto("/")
    assert "/accounts/login/" in page.url
    sign_in(page, "employee")
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, 王小明"
