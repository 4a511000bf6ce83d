"""Certificates: issued from a completion, verified by anyone, printed in bulk.

A certificate copies what it certifies (name, module, score, date, issuer) when
it is issued, so editing a person or a module later never changes a
certificate already printed and hanging on a wall. Certificates are history:
they are revoked, never deleted.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from awareness.dates import local_today
from completion.models.jobs import BackgroundJob
from completion.models.organisation import Unit
from completion.models.progress import Completion
from lessons.models import Attempt, Reopening


class SerialCounter(models.Model):
    """The last certificate serial number used in a year (locked when issuing)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"

    @classmethod
    def next_serial(cls, year: int) -> str:
        """The next serial of `year`, e.g. "AW-2026-000123". Call inside a
        transaction: the counter row stays locked until it commits, so two
        certificates issued at once never share a number."""
        cls.objects.get_or_create(year=year)
        counter = cls.objects.select_for_update().get(year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
        return f"AW-{year}-{counter.last:06d}"


def holder_name(user) -> str:
    """The name to print: the staff record's full name, else the account's."""
    employee = getattr(user, "employee", None)
    if employee is not None and employee.full_name:
        return employee.full_name
    return user.get_full_name() or user.get_username()


def holder_language(user) -> str:
    """The language a certificate is printed in: the one the person chose,
    else the one they are using as it is issued."""
    employee = getattr(user, "employee", None)
    return (employee.language if employee is not None else "") or get_language()


def texts_of(obj, name: str) -> dict[str, str]:
    """A translated field of `obj` in every language: {"en": …, "zh-hans": …}."""
    return {
        code: getattr(obj, build_localized_fieldname(name, code)) or ""
        for code, _label in settings.LANGUAGES
    }


def in_every_language(**texts: dict[str, str]) -> dict[str, str]:
    """`{"module_title": {"en": …, "zh-hans": …}}` as the certificate's
    per-language columns (`module_title_en`, …), English where a language
    has no text of its own."""
    columns = {}
    for name, by_language in texts.items():
        for code, _label in settings.LANGUAGES:
            value = by_language.get(code) or by_language[settings.LANGUAGE_CODE]
            columns[build_localized_fieldname(name, code)] = value
    return columns


class CertificateQuerySet(models.QuerySet):
    def valid(self) -> CertificateQuerySet:
        return self.filter(revoked_at__isnull=True)

    def visible_to(self, user) -> CertificateQuerySet:
        """The certificates `user` may download: their own, and, for a unit
        admin, those of everyone in the units they administer and below."""
        if user.is_superuser:
            return self.all()
        return self.filter(
            Q(user=user) | Q(user__employee__unit__in=Unit.objects.administered_by(user))
        )

    def issue_for(self, *, completion: Completion, attempt: Attempt | None = None) -> Certificate:
        """The valid certificate of `completion`, issuing it if there is none.

        `attempt` is the pass it certifies: the completion's first pass unless
        given (a re-pass after a revocation earns a certificate of its own
        date and score). Safe to call twice at once: the partial unique
        constraint lets only one valid certificate exist, and the loser of
        the race gets the winner's certificate.
        """
        existing = self.valid().filter(completion=completion).first()
        if existing is not None:
            return existing
        attempt = attempt or completion.attempt
        if not attempt.passed:
            raise ValueError("A certificate is only issued for a passed attempt.")
        passed_at = attempt.submitted_at or completion.completed_at
        now = timezone.now()
        try:
            with transaction.atomic():
                return self.create(
                    serial=SerialCounter.next_serial(timezone.localtime(now).year),
                    # 128 random bits: unguessable, and short enough for a small QR code.
                    token=secrets.token_urlsafe(16),
                    completion=completion,
                    attempt=attempt,
                    user=completion.user,
                    holder_name=holder_name(completion.user),
                    language=holder_language(completion.user),
                    score=attempt.score,
                    passed_at=passed_at,
                    valid_until=completion.valid_until,
                    **in_every_language(
                        module_title=texts_of(completion.module, "title"),
                        issuing_organisation=settings.ISSUING_ORGANISATION,
                    ),
                )
        except IntegrityError:
            # Another request issued it between our check and our insert.
            return self.valid().get(completion=completion)

    def acknowledge(self, *, completion: Completion, text: str) -> Certificate:
        """Record that the person confirmed the module's commitment (the first
        confirmation counts) and issue their certificate. A double submit
        changes nothing the second time and returns the same certificate."""
        with transaction.atomic():
            Completion.objects.filter(pk=completion.pk, acknowledged_at__isnull=True).update(
                acknowledged_at=timezone.now(), acknowledgement_text=text
            )
            completion.refresh_from_db(fields=["acknowledged_at", "acknowledgement_text"])
            return self.issue_for(completion=completion)

    def reissue_if_revoked(self, *, completion: Completion, attempt: Attempt) -> Certificate | None:
        """After a re-pass: a person who acknowledged the module but whose
        certificate was revoked gets a new one for this pass."""
        if completion.acknowledged_at is None or not attempt.passed:
            return None
        if self.valid().filter(completion=completion).exists():
            return None
        return self.issue_for(completion=completion, attempt=attempt)


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
    # The holder's language at issue: the PDF is printed in it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    module_title = models.CharField(_("module as issued"), max_length=200)
    score = models.PositiveSmallIntegerField(_("score (%)"))
    passed_at = models.DateTimeField(_("passed"))
    # Copied from the completion: the last day the pass counts (none: it
    # never expires). The verify page says "expired" after it.
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    issuing_organisation = models.CharField(_("issuing organisation"), max_length=200)
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason for revocation"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CertificateQuerySet.as_manager()

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

    def get_absolute_url(self) -> str:
        return reverse("completion:certificate_pdf", args=[self.serial])

    @property
    def is_valid(self) -> bool:
        """Not revoked (an expired certificate is still genuine: see `standing`)."""
        return self.revoked_at is None

    @property
    def is_expired(self) -> bool:
        return self.valid_until is not None and local_today() > self.valid_until

    @property
    def standing(self) -> str:
        """What the verify page says: "valid", "expired" or "revoked"."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.is_expired else "valid"

    @property
    def verify_url(self) -> str:
        """The absolute address printed (and encoded in the QR code) on the PDF."""
        return settings.SITE_URL + reverse("completion:verify", args=[self.token])

    def revoke(self, *, by, reason: str) -> bool:
        """Withdraw the certificate; True if it was valid until now.

        The module is reopened for the holder at the same time, so they can
        take the quiz again and earn a new certificate with the new date."""
        if self.revoked_at is not None:
            return False
        with transaction.atomic():
            self.revoked_at = timezone.now()
            self.revoked_by = by
            self.revoked_reason = reason
            self.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
            Reopening.objects.reopen(user=self.user, module=self.completion.module, reason=reason)
            Completion.objects.filter(pk=self.completion_id).update(reopened_at=self.revoked_at)
        return True


class BulkPrintJob(BackgroundJob):
    """A unit admin's request to print many certificates as one PDF."""

    # One PDF holds at most this many certificates: the finished pages are
    # kept in memory until the file is written, so a cap keeps memory bounded
    # (5,000 pages is about 35 MB of PDF and a few hundred MB while joining).
    MAX_CERTIFICATES = 5000

    file = models.FileField(upload_to="bulk-certificates/", blank=True)

    def __str__(self) -> str:
        return f"{self.unit} ({self.get_state_display()})"

    @property
    def filename(self) -> str:
        return f"certificates-{self.pk}.pdf"

    @property
    def stored_name(self) -> str:
        return self.new_file_name("pdf")

    def selection_problem(self) -> str | None:
        """Why the selection (counted into `total`) cannot be printed, if it cannot."""
        if self.total == 0:
            return gettext("No valid certificates match this selection.")
        if self.total > self.MAX_CERTIFICATES:
            return gettext(
                "%(total)d certificates match: narrow the selection to at most %(max)d a PDF."
            ) % {"total": self.total, "max": self.MAX_CERTIFICATES}
        return None

    def certificates(self) -> CertificateQuerySet:
        """The valid certificates the job prints: everyone in `unit`'s subtree,
        narrowed by the module and the pass dates in `filters`, in a stable
        order (unit, then name) so a printed stack can be handed out."""
        certificates = Certificate.objects.valid().filter(
            user__employee__unit__path__startswith=self.unit.path
        )
        if module_id := self.filters.get("module"):
            certificates = certificates.filter(completion__module_id=module_id)
        if start := self.filters.get("passed_from"):
            certificates = certificates.filter(
                passed_at__date__gte=datetime.date.fromisoformat(start)
            )
        if end := self.filters.get("passed_to"):
            certificates = certificates.filter(
                passed_at__date__lte=datetime.date.fromisoformat(end)
            )
        return certificates.order_by("user__employee__unit__path", "holder_name", "pk")


class PublicLookupQuerySet(models.QuerySet):
    def too_many(self, address: str) -> bool:
        """Count one use of the public lookup from `address`; True when it
        has been used more than VERIFY_LOOKUPS_PER_MINUTE times in the last
        minute. Hits and misses count alike. Rows older than a minute are
        cleared for the address as it goes, so the table stays small."""
        since = timezone.now() - datetime.timedelta(minutes=1)
        mine = self.filter(address=address)
        mine.filter(at__lt=since).delete()
        if mine.count() >= settings.VERIFY_LOOKUPS_PER_MINUTE:
            return True
        self.create(address=address)
        return False


class PublicLookup(models.Model):
    """One use of the public lookup by serial and name, kept for a minute:
    the throttle that stops anyone trying every serial with a common name.
    In the database, so every app server counts the same uses."""

    address = models.CharField(max_length=45, db_index=True)
    at = models.DateTimeField(auto_now_add=True)

    objects = PublicLookupQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.address} {self.at:%H:%M:%S}"
