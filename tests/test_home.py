import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_sends_a_signed_out_visitor_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_shows_who_is_signed_in(client, user_factory):
    user = user_factory("wang", first_name="王小明")
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "王小明" in response.content.decode()


def test_it_sets_a_content_security_policy_that_allows_only_the_site(client, user_factory):
    client.force_login(user_factory())
    policy = client.get(reverse("home")).headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_it_loads_htmx_from_the_site_and_sends_the_csrf_token(client, user_factory):
    client.force_login(user_factory())
    html = client.get(reverse("home")).content.decode()
    assert "/static/django-htmx/htmx.min.js" in html or "/static/django_htmx/htmx" in html
    assert 'data-hx-headers=\'{"X-CSRFToken": "' in html
    assert "https://" not in html.split("<body")[0]


def test_it_answers_unknown_pages_with_a_friendly_404(client, user_factory):
    client.force_login(user_factory())
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_it_switches_the_language_to_chinese(client, user_factory):
    client.force_login(user_factory())
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="zh-hans">' in html
