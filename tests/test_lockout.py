"""Sign-in lockout (django-axes): five wrong passwords for one username from
one address lock that pair for 15 minutes on both sign-in pages, answered
with a 429 page that says when to try again."""

from __future__ import annotations

import datetime
import logging
import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.urls import reverse
from django.utils import timezone

from tests.test_settings import run_manage

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"
SIGN_IN_PAGES = ["/accounts/login/", "/admin/login/"]


@pytest.fixture
def li(user_factory):
    # Staff, so the right password also signs in on the admin's page.
    return user_factory("li", is_staff=True)


def sign_in(client, page: str, username: str, password: str, **extra):
    return client.post(page, {"username": username, "password": password}, **extra)


def fail(client, page: str, times: int, username: str = "li", **extra) -> list[int]:
    return [sign_in(client, page, username, "wrong", **extra).status_code for _ in range(times)]


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("page", SIGN_IN_PAGES)
def test_it_locks_the_username_after_five_wrong_passwords(client, li, page):
    assert fail(client, page, 4) == [200] * 4
    # The fifth failure locks: the answer is the lockout page already.
    assert fail(client, page, 1) == [429]
    response = sign_in(client, page, "li", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    html = response.content.decode()
    assert "Sign-in paused" in html
    assert "<strong>li</strong>" in html
    # In the site's look, not axes' bare text.
    assert 'class="site-header"' in html


def test_failures_on_one_page_lock_the_other(client, li):
    fail(client, "/accounts/login/", 3)
    fail(client, "/admin/login/", 2)
    assert sign_in(client, "/accounts/login/", "li", PASSWORD).status_code == 429
    assert sign_in(client, "/admin/login/", "li", PASSWORD).status_code == 429


def test_the_page_says_when_the_lock_ends(client, li, settings):
    fail(client, "/accounts/login/", 5)
    response = sign_in(client, "/accounts/login/", "li", PASSWORD)
    locked_at = AccessAttempt.objects.get(username="li").attempt_time
    ends = timezone.localtime(locked_at + datetime.timedelta(minutes=15))
    html = response.content.decode()
    assert f'Try again after <strong><time datetime="{ends.isoformat()}">' in html
    assert f"{ends:%H:%M}</time></strong>" in html
    assert f"on {ends.day} {ends:%B %Y}" in html
    assert re.search(r"\(in 1[45]\xa0minutes\)", html)
    assert 890 <= int(response["Retry-After"]) <= 900


def test_trying_again_while_locked_does_not_move_the_end(client, li):
    fail(client, "/accounts/login/", 5)
    first = AccessAttempt.objects.get(username="li").attempt_time
    fail(client, "/accounts/login/", 3)
    sign_in(client, "/accounts/login/", "li", PASSWORD)
    attempt = AccessAttempt.objects.get(username="li")
    assert (attempt.attempt_time, attempt.failures_since_start) == (first, 5)


def test_the_lockout_page_reads_in_chinese(client, li):
    client.cookies["django_language"] = "zh-hans"
    fail(client, "/accounts/login/", 5)
    html = sign_in(client, "/accounts/login/", "li", PASSWORD).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录已暂停" in html
    assert "Sign-in paused" not in html


def test_another_address_is_not_locked(client, li):
    fail(client, "/accounts/login/", 5)
    response = sign_in(client, "/accounts/login/", "li", PASSWORD, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 302
    assert signed_in(client)


def test_another_username_from_the_same_address_is_not_locked(client, li, user_factory):
    user_factory("wang")
    fail(client, "/accounts/login/", 5)
    assert sign_in(client, "/accounts/login/", "wang", PASSWORD).status_code == 302


@pytest.mark.parametrize("header", ["HTTP_X_FORWARDED_FOR", "X-Forwarded-For"])
def test_behind_a_proxy_it_counts_the_address_the_proxy_names(client, li, settings, header):
    """The lockout and the public lookup's throttle use the same address."""
    settings.CLIENT_ADDRESS_HEADER = header
    fail(client, "/accounts/login/", 5, HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.1")
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"
    locked = sign_in(client, "/accounts/login/", "li", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert locked.status_code == 429
    # Same proxy (REMOTE_ADDR), another visitor behind it: not locked.
    other = sign_in(client, "/accounts/login/", "li", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert other.status_code == 302


def test_a_header_that_is_not_an_address_falls_back_to_the_connection(client, li, settings):
    settings.CLIENT_ADDRESS_HEADER = "HTTP_X_FORWARDED_FOR"
    fail(client, "/accounts/login/", 1, HTTP_X_FORWARDED_FOR="not-an-address\x00" + "x" * 300)
    assert AccessAttempt.objects.get().ip_address == "127.0.0.1"


def test_it_lets_the_right_password_in_after_the_cool_off(client, li):
    fail(client, "/accounts/login/", 5)
    assert sign_in(client, "/accounts/login/", "li", PASSWORD).status_code == 429
    # Fifteen minutes and a second pass.
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - datetime.timedelta(minutes=15, seconds=1)
    )
    assert sign_in(client, "/accounts/login/", "li", PASSWORD).status_code == 302
    assert signed_in(client)


def test_it_is_still_locked_just_before_the_cool_off_ends(client, li):
    fail(client, "/accounts/login/", 5)
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - datetime.timedelta(minutes=14, seconds=50)
    )
    assert sign_in(client, "/accounts/login/", "li", PASSWORD).status_code == 429


def test_a_successful_sign_in_clears_the_count(client, li):
    fail(client, "/accounts/login/", 4)
    assert sign_in(client, "/accounts/login/", "li", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()
    client.post(reverse("logout"))
    # Four more wrong passwords are four, not eight.
    assert fail(client, "/accounts/login/", 4) == [200] * 4
    assert sign_in(client, "/accounts/login/", "li", PASSWORD).status_code == 302


def test_a_superuser_unlocks_in_the_admin(client, li, user_factory):
    fail(client, "/accounts/login/", 5)
    attempt = AccessAttempt.objects.get(username="li")
    admin = user_factory("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    listing = client.get("/admin/axes/accessattempt/?locked_out=yes")
    assert listing.status_code == 200
    assert ">li<" in listing.content.decode()
    url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    client.post(reverse("logout"))
    assert sign_in(client, "/accounts/login/", "li", PASSWORD).status_code == 302


def test_staff_who_are_not_superusers_cannot_unlock(client, li, user_factory):
    fail(client, "/accounts/login/", 5)
    client.force_login(user_factory("trainer", is_staff=True))
    assert client.get("/admin/axes/accessattempt/").status_code == 403


def test_every_failure_is_logged(client, li, caplog):
    with caplog.at_level(logging.WARNING, logger="axes"):
        fail(client, "/accounts/login/", 2)
        fail(client, "/admin/login/", 1, username="nobody")
    logged = AccessFailureLog.objects.order_by("attempt_time")
    assert [(f.username, f.path_info) for f in logged] == [
        ("li", "/accounts/login/"),
        ("li", "/accounts/login/"),
        ("nobody", "/admin/login/"),
    ]
    assert "AXES: New login failure" in caplog.text
    assert "wrong" not in caplog.text  # the password never is


def test_the_limit_and_cool_off_come_from_the_environment():
    result = run_manage(
        "shell",
        "--verbosity=0",
        "-c",
        "from django.conf import settings as s; print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME)",
        AXES_FAILURE_LIMIT="3",
        AXES_COOLOFF_MINUTES="30",
    )
    assert result.stdout.split() == ["3", "0:30:00"], result.stderr
