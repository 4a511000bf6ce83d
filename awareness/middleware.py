"""Site-wide middleware: how long a sign-in lasts, and no copies of personal
pages in caches."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from awareness.sessions import SEEN_AT, SIGNED_IN_AT

# The idle clock is written back at most this often, so a burst of quiz
# answers does not rewrite the session on every request.
SEEN_EVERY = 60


class SessionLimitsMiddleware:
    """A sign-in lasts SESSION_MAX_HOURS at most and ends after
    SESSION_IDLE_MINUTES without a request (an office PC left unlocked)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            if SIGNED_IN_AT not in session:  # a session from before the stamps
                session.stamp()
            too_long = now - session[SIGNED_IN_AT] > settings.SESSION_MAX_HOURS * 3600
            idle = now - session[SEEN_AT] > settings.SESSION_IDLE_MINUTES * 60
            if too_long or idle:
                logout(request)
            elif now - session[SEEN_AT] >= SEEN_EVERY:
                session[SEEN_AT] = now
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages and downloads are personal (My training, reports, exports,
    certificates): no browser or proxy cache keeps a copy. Static files are
    served before this by whitenoise, with their own long cache headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response
