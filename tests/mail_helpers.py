"""A real SMTP server on loopback for the reminder tests (aiosmtpd): what it
receives is parsed into email.message objects; it can be told to refuse."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


@dataclass
class Inbox:
    """The server's handler: every message it accepted, in order."""

    messages: list = field(default_factory=list)
    refuse: str = ""  # an SMTP reply to every RCPT (e.g. "550 …"), or accept

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [message for message in self.messages if message["To"] == address]

    def clear(self) -> None:
        self.messages.clear()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(settings) -> Iterator[Inbox]:
    """An SMTP server on a free loopback port, and the site's email sent to
    it: a test module's fixture yields from this."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "awareness@example.org"
    settings.SITE_URL = "https://training.example.org"
    try:
        yield inbox
    finally:
        controller.stop()


def parts(message) -> dict[str, str]:
    """The text of a message's parts by content type."""
    return {
        part.get_content_type(): part.get_content()
        for part in message.walk()
        if not part.is_multipart()
    }


def subject(message) -> str:
    """The decoded subject. Django folds a long non-ASCII subject onto a
    continuation line ("Subject: \\n =?utf-8?q?…"), which the parser reads
    back with the fold's leading space; mail clients drop it, and so do we."""
    return str(message["Subject"]).strip()
