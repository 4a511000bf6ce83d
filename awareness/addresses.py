"""Who is asking: the one rule for a visitor's address, used by the public
lookup's throttle and by the sign-in lockout (django-axes), so both count
the same visitor."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The visitor's address: REMOTE_ADDR, or the header a trusted proxy sets
    (CLIENT_ADDRESS_HEADER, e.g. HTTP_X_FORWARDED_FOR: its first entry).

    A header value that is not an address (a proxy misconfigured, or a
    header someone typed) is ignored rather than stored: the lockout keeps
    addresses in an address column."""
    header = settings.CLIENT_ADDRESS_HEADER
    forwarded = request.META.get(header, "").split(",")[0].strip() if header else ""
    if forwarded and _is_address(forwarded):
        return forwarded
    return request.META.get("REMOTE_ADDR", "")


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
