import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_shows_the_sign_in_page_to_a_visitor(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Sign in" in response.content.decode()


def test_it_signs_in_with_the_right_password(client, user_factory):
    user_factory("li")
    response = client.post(reverse("login"), {"username": "li", "password": "pw-for-tests-only"})
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_it_refuses_a_wrong_password_with_a_message(client, user_factory):
    user_factory("li")
    response = client.post(reverse("login"), {"username": "li", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_signs_out_on_post(client, user_factory):
    client.force_login(user_factory())
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_it_changes_the_password(client, user_factory):
    user = user_factory()
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pw-for-tests-only",
            "new_password1": "a-much-longer-passphrase-42",
            "new_password2": "a-much-longer-passphrase-42",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-much-longer-passphrase-42")
