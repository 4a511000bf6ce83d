"""Invitations to set a password, sent to people imported without a
directory (completion.invitations): who, when, by whom, and what the mail
server said.

An import invites each new person once: the unique constraint on the
import's invitation makes a second one for the same person impossible,
however often the file is imported again. A unit admin may send one again
(`Reason.AGAIN`), at most once an hour per person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Invitation(models.Model):
    class Reason(models.TextChoices):
        IMPORT = "import", _("Imported")
        AGAIN = "again", _("Sent again by a unit admin")

    class Outcome(models.TextChoices):
        PENDING = "pending", pgettext_lazy("email", "Being sent")
        SENT = "sent", pgettext_lazy("email", "Sent")
        FAILED = "failed", pgettext_lazy("email", "Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invitations"
    )
    reason = models.CharField(
        pgettext_lazy("invitation", "reason"), max_length=10, choices=Reason.choices
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    email = models.EmailField(_("sent to"), blank=True)
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(
        pgettext_lazy("email", "outcome"),
        max_length=10,
        choices=Outcome.choices,
        default=Outcome.PENDING,
    )
    error = models.TextField(_("error"), blank=True)
    sent_at = models.DateTimeField(pgettext_lazy("email", "sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(reason="import"), name="one_invitation_per_import"
            )
        ]
        indexes = [models.Index(fields=["user", "created_at"], name="invitation_latest")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} → {self.user}"
