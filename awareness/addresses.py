"""Who is asking: the one rule for a visitor's address, used by the public
lookup's throttle and by the sign-in lockout (django-axes), so both count
the same visitor."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The visitor's address: REMOTE_ADDR, or the header a trusted proxy sets
    (CLIENT_ADDRESS_HEADER, named as sent, X-Forwarded-For, or as Django's
    request.META has it, HTTP_X_FORWARDED_FOR: its first entry).

    A header value that is not an address (a proxy misconfigured, or a
    header someone typed) is ignored rather than stored: the lockout keeps
    addresses in an address column."""
    header = meta_key(settings.CLIENT_ADDRESS_HEADER)
    forwarded = request.META.get(header, "").split(",")[0].strip() if header else ""
    if forwarded and _is_address(forwarded):
        return forwarded
    return request.META.get("REMOTE_ADDR", "")


def meta_key(header: str) -> str:
    """X-Forwarded-For → HTTP_X_FORWARDED_FOR; a META key stays as it is."""
    if not header or (header.isupper() and "-" not in header):
        return header
    return "HTTP_" + header.upper().replace("-", "_")


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
