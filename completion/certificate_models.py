"""Certificates: issued from a completion, verified by anyone, printed in bulk."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from completion.models import Completion, Unit
from lessons.models import Attempt


class SerialCounter(models.Model):
    """The last certificate serial number used in a year (locked when issuing)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Certificate(models.Model):
    """Issued from a completion; what it certifies is copied at issue."""

    serial = models.CharField(_("serial number"), max_length=30, unique=True)
    token = models.CharField(max_length=64, unique=True, editable=False)
    completion = models.ForeignKey(
        Completion, on_delete=models.PROTECT, related_name="certificates"
    )
    attempt = models.ForeignKey(Attempt, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates"
    )
    holder_name = models.CharField(_("name as issued"), max_length=200)
    module_title = models.CharField(_("module as issued"), max_length=200)
    score = models.PositiveSmallIntegerField(_("score (%)"))
    passed_at = models.DateTimeField(_("passed"))
    issuing_organisation = models.CharField(_("issuing organisation"), max_length=200)
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason for revocation"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            # At most one valid certificate per completion at a time.
            models.UniqueConstraint(
                fields=["completion"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_valid_certificate_per_completion",
            )
        ]

    def __str__(self) -> str:
        return self.serial


class BulkPrintJob(models.Model):
    """A unit admin's request to print many certificates as one PDF."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    filters = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="bulk-certificates/", blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.unit} ({self.get_state_display()})"
