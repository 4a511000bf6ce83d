"""The sign-in lockout's answer (django-axes calls it through
AXES_LOCKOUT_CALLABLE): a 429 page, in the site's look, that says when the
username can be tried again from this address."""

from __future__ import annotations

import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def lock_ends_at(*, username: str, address: str) -> datetime.datetime:
    """When the pair's failures in the cool-off window fall below the limit.

    Axes counts the failures of every attempt record (one per browser) of the
    pair whose last failure is within the cool-off; the lock ends when
    enough of the newest records have aged out of it."""
    cool_off = get_cool_off()
    now = timezone.now()
    attempts = AccessAttempt.objects.filter(
        username=username, ip_address=address, attempt_time__gte=now - cool_off
    ).order_by("-attempt_time")
    failures = 0
    for attempt in attempts.only("attempt_time", "failures_since_start"):
        failures += attempt.failures_since_start
        if failures >= settings.AXES_FAILURE_LIMIT:
            return attempt.attempt_time + cool_off
    return now + cool_off  # locked as this request failed: counted from now


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    username = get_client_username(request, credentials) or ""
    until = lock_ends_at(username=username, address=request.axes_ip_address)
    response = render(
        request,
        "registration/locked_out.html",
        {"username": username, "until": until},
        status=429,
    )
    seconds = max(0, int((until - timezone.now()).total_seconds()))
    response["Retry-After"] = str(seconds)
    return response


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, except that a sign-in the directory could not
    check (down, or the service account refused) is not a wrong password:
    it does not count toward the lockout, or everyone who tried during an
    outage would be locked out once it ends."""

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if getattr(request, "directory_problem", None) == "unavailable":
            return None
        return super().user_login_failed(sender, credentials, request=request, **kwargs)
