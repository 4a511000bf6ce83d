"""The session engine: Django's database sessions, whose clock starts at
sign-in. Signing in always cycles the session key (or flushes the session of
someone else first); that is where a sign-in's start and last-seen times are
stamped, for `awareness.middleware.SessionLimitsMiddleware`."""

from __future__ import annotations

import time

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

SIGNED_IN_AT = "_signed_in_at"
SEEN_AT = "_seen_at"


class SessionStore(DatabaseSessionStore):
    def cycle_key(self) -> None:
        super().cycle_key()
        self.stamp()

    def flush(self) -> None:
        super().flush()
        self.stamp()

    def stamp(self) -> None:
        now = time.time()
        self[SIGNED_IN_AT] = now
        self[SEEN_AT] = now
