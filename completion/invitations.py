"""Invitations to set a password, for people imported without a directory.

An imported person gets an account with an unusable password; the import
invites each of them once (with an email address, the directory off), and a
unit admin can send a new link from the report, at most once an hour per
person: to a person who never set a password, or one who forgot it. The
link is Django's password reset (`default_token_generator`, checked by
`PasswordResetConfirmView`): it works once, until the password is set, for
INVITATION_VALID_DAYS days.

Messages go out as the reminders do (one SMTP connection, the same
settings); every invitation is recorded with the mail server's answer, and
an unreachable server is reported, not raised.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from completion import directory
from completion.models import Employee, Invitation

logger = logging.getLogger(__name__)

# A unit admin sends a person a new link at most this often.
AGAIN_AFTER = timedelta(hours=1)


def link(user) -> str:
    """The address at which `user` sets their password, from SITE_URL."""
    path = reverse(
        "set_password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{settings.SITE_URL}{path}"


def message(invitation: Invitation, employee: Employee, connection=None) -> EmailMultiAlternatives:
    """The invitation email in the person's language: plain text and HTML."""
    user = employee.user
    language = invitation.language or settings.LANGUAGE_CODE
    with translation.override(language):
        organisation = settings.ISSUING_ORGANISATION.get(
            language, settings.ISSUING_ORGANISATION["en"]
        )
        context = {
            "name": employee.full_name,
            "username": user.get_username(),
            "link": link(user),
            "new_account": not user.has_usable_password(),
            "days": settings.INVITATION_VALID_DAYS,
            "organisation": organisation,
        }
        if context["new_account"]:
            subject = _("Your training account: set your password")
        else:
            subject = _("Set a new password for your training account")
        text = render_to_string("completion/email/invitation.txt", context)
        html = render_to_string("completion/email/invitation.html", context)
    email = EmailMultiAlternatives(
        subject,
        text,
        to=[invitation.email],
        connection=connection,
        headers={"Content-Language": language},
    )
    email.attach_alternative(html, "text/html")
    return email


@dataclass
class Outcome:
    sent: list[Invitation] = field(default_factory=list)
    failed: list[Invitation] = field(default_factory=list)
    unreachable: str = ""  # why the mail server could not be reached


def send(invitations: Iterable[Invitation]) -> Outcome:
    """Send `invitations` (pending rows) over one connection, recording each
    one's outcome. A refused message is failed and the rest go on; a server
    that cannot be reached fails them all, reported rather than raised."""
    invitations = list(invitations)
    outcome = Outcome()
    if not invitations:
        return outcome
    employees = {
        employee.user_id: employee
        for employee in Employee.objects.filter(
            user__in=[invitation.user_id for invitation in invitations]
        ).select_related("user")
    }
    connection = get_connection()
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as error:
        outcome.unreachable = f"{type(error).__name__}: {error}"
        logger.error("Invitations: the mail server cannot be reached (%s)", outcome.unreachable)
        for invitation in invitations:
            finish(invitation, error=f"mail server unreachable: {outcome.unreachable}")
            outcome.failed.append(invitation)
        return outcome
    try:
        for invitation in invitations:
            try:
                connection.send_messages(
                    [message(invitation, employees[invitation.user_id], connection)]
                )
            except (OSError, smtplib.SMTPException) as error:
                reason = f"{type(error).__name__}: {error}"
                logger.warning("Invitation to %s failed: %s", invitation.email, reason)
                finish(invitation, error=reason)
                outcome.failed.append(invitation)
                if isinstance(error, smtplib.SMTPServerDisconnected):
                    connection.close()
                    connection.open()
            else:
                finish(invitation)
                outcome.sent.append(invitation)
    except (OSError, smtplib.SMTPException) as error:  # reconnecting failed
        outcome.unreachable = f"{type(error).__name__}: {error}"
        for invitation in invitations:
            if invitation.outcome == Invitation.Outcome.PENDING:
                finish(invitation, error=f"mail server unreachable: {outcome.unreachable}")
                outcome.failed.append(invitation)
    finally:
        connection.close()
    return outcome


def finish(invitation: Invitation, *, error: str = "") -> None:
    invitation.outcome = Invitation.Outcome.FAILED if error else Invitation.Outcome.SENT
    invitation.error = error[:2000]
    invitation.sent_at = None if error else timezone.now()
    invitation.save(update_fields=["outcome", "error", "sent_at"])


def invitable(employees: QuerySet[Employee]) -> QuerySet[Employee]:
    """Of `employees`, those who sign in with a password of this site and
    can be sent a link: not from the directory, active, with an email
    address, and no rights beyond a learner's (an admin's password is the
    superuser's business)."""
    return (
        employees.filter(from_directory=False, user__is_active=True)
        .exclude(user__email="")
        .exclude(user__is_superuser=True)
        .exclude(user__is_staff=True)
    )


def invite_imported(employee_numbers: list[str]) -> list[Invitation]:
    """Record the invitations an import owes: people of the file who have
    never set a password and were never invited by an import. Importing the
    file again adds none (the unique constraint says so too). Returns the
    new, pending rows; `tasks.send_invitations` sends them."""
    if directory.enabled():
        # The organisation's directory signs people in: no password to set.
        return []
    owed = (
        invitable(Employee.objects.filter(employee_number__in=employee_numbers))
        .filter(user__password__startswith="!")  # unusable: never set
        .exclude(user__invitations__reason=Invitation.Reason.IMPORT)
        .values_list("user_id", "user__email", "language")
    )
    Invitation.objects.bulk_create(
        [
            Invitation(user_id=user_id, email=email, language=language, reason="import")
            for user_id, email, language in owed
        ],
        ignore_conflicts=True,
    )
    return list(
        Invitation.objects.filter(
            user__employee__employee_number__in=employee_numbers,
            reason=Invitation.Reason.IMPORT,
            outcome=Invitation.Outcome.PENDING,
        )
    )


@dataclass
class Again:
    """What sending a person a new link came to."""

    invitation: Invitation | None = None
    outcome: Outcome | None = None
    refused: str = ""  # why nothing was sent


def send_again(employee: Employee, *, by) -> Again:
    """A new link for `employee`, asked by the unit admin `by`: refused for
    someone who cannot get one, or who got one less than an hour ago."""
    user = employee.user
    if not invitable(Employee.objects.filter(pk=employee.pk)).exists():
        if employee.from_directory:
            return Again(refused=_("%(name)s signs in with the organisation's directory."))
        if not user.email:
            return Again(refused=_("%(name)s has no email address."))
        return Again(refused=_("%(name)s cannot be sent a link from here."))
    recent = Invitation.objects.filter(
        user=user,
        created_at__gte=timezone.now() - AGAIN_AFTER,
        outcome__in=[Invitation.Outcome.SENT, Invitation.Outcome.PENDING],
    ).exists()
    if recent:
        return Again(refused=_("%(name)s was sent a link less than an hour ago."))
    invitation = Invitation.objects.create(
        user=user,
        reason=Invitation.Reason.AGAIN,
        sent_by=by,
        email=user.email,
        language=employee.language,
    )
    return Again(invitation=invitation, outcome=send([invitation]))
