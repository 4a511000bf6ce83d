"""Sign-ins end: after SESSION_MAX_HOURS at most, after SESSION_IDLE_MINUTES
without a request; passwords are at least 12 characters; no personal page or
download is kept in a cache."""

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from awareness.sessions import SEEN_AT, SIGNED_IN_AT

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, user_factory):
    client.force_login(user_factory("someone"))
    assert client.get(reverse("home")).status_code == 200
    return client


def shift(client, key: str, seconds: float) -> None:
    session = client.session
    session[key] = session[key] - seconds
    session.save()


def test_it_ends_a_sign_in_idle_for_longer_than_the_limit(signed_in, settings):
    shift(signed_in, SEEN_AT, settings.SESSION_IDLE_MINUTES * 60 + 5)
    response = signed_in.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response.url


def test_it_keeps_a_sign_in_in_use(signed_in, settings):
    shift(signed_in, SEEN_AT, settings.SESSION_IDLE_MINUTES * 60 - 120)
    assert signed_in.get(reverse("home")).status_code == 200
    # The request moved the idle clock on.
    assert time.time() - signed_in.session[SEEN_AT] < 5


def test_it_ends_any_sign_in_after_the_longest_day(signed_in, settings):
    shift(signed_in, SIGNED_IN_AT, settings.SESSION_MAX_HOURS * 3600 + 5)
    response = signed_in.get(reverse("home"))
    assert response.status_code == 302


def test_the_session_cookie_lasts_no_longer_than_the_longest_sign_in(settings):
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_MAX_HOURS * 3600 == 10 * 3600
    assert settings.SESSION_IDLE_MINUTES == 30


def test_passwords_are_at_least_twelve_characters():
    with pytest.raises(ValidationError):
        validate_password("Sh0rt-pass!")
    validate_password("a-much-longer-passphrase")


@pytest.mark.parametrize("name", ["home", "completion:verify_lookup", "login"])
def test_pages_are_never_stored(signed_in, name):
    response = signed_in.get(reverse(name))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
