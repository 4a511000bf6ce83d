"""Reminders by email, each recorded once: to a learner before and after a
due date, and to unit admins a weekly digest of who is overdue.

A reminder is identified by what it is about, not by when it was sent: the
person, the module, the due date it was about, its kind and its step (7 or 1
days before; the 1st, 2nd… reminder while overdue). A unique constraint makes
a second message for the same occasion impossible, so a run that fails half
way, or two runs at once, can never send it twice; a failed send keeps its
row and is tried again by the next run. A new due date (an extension, a
change) is a new occasion: what is due next is worked out from it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from completion.models.assignments import Assignment
from lessons.models import Module


class Reminder(models.Model):
    class Kind(models.TextChoices):
        BEFORE = "before", _("Before the due date")
        OVERDUE = "overdue", _("Overdue")
        DIGEST = "digest", _("Weekly digest")
        # "Remind now" on the unit report; step: the days overdue that day,
        # so one a day at most per person and module.
        NOW = "now", _("Sent by a unit admin")

    class Outcome(models.TextChoices):
        PENDING = "pending", pgettext_lazy("email", "Being sent")
        SENT = "sent", pgettext_lazy("email", "Sent")
        FAILED = "failed", pgettext_lazy("email", "Failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reminders"
    )
    # The assignment whose due date applied (none for a digest): a later
    # cycle of the same assignment is told apart by its due date.
    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, null=True, blank=True, related_name="reminders"
    )
    module = models.ForeignKey(
        Module, on_delete=models.PROTECT, null=True, blank=True, related_name="reminders"
    )
    # The due date the reminder was about; for a digest, the Monday of its week.
    due_date = models.DateField(_("due date"))
    kind = models.CharField(pgettext_lazy("reminder", "kind"), max_length=10, choices=Kind.choices)
    # BEFORE: days before the due date; OVERDUE: 0 the day after, then 1, 2…
    # for each further interval; NOW: days overdue on the day; DIGEST: 0.
    step = models.PositiveSmallIntegerField(default=0)
    email = models.EmailField(_("sent to"), blank=True)
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(
        pgettext_lazy("email", "outcome"),
        max_length=10,
        choices=Outcome.choices,
        default=Outcome.PENDING,
    )
    tries = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(_("error"), blank=True)
    # Which run holds the row while it sends, and since when.
    run = models.UUIDField(null=True, editable=False)
    claimed_at = models.DateTimeField(null=True, editable=False)
    sent_at = models.DateTimeField(pgettext_lazy("email", "sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "module", "due_date", "kind", "step"],
                condition=Q(module__isnull=False),
                name="one_reminder_per_occasion",
            ),
            models.UniqueConstraint(
                fields=["recipient", "due_date", "kind"],
                condition=Q(module__isnull=True),
                name="one_digest_per_week",
            ),
            models.CheckConstraint(
                condition=Q(kind="digest", module__isnull=True, assignment__isnull=True)
                | (~Q(kind="digest") & Q(module__isnull=False)),
                name="reminder_digest_has_no_module",
            ),
        ]
        indexes = [models.Index(fields=["recipient", "sent_at"], name="reminder_last_sent")]

    def __str__(self) -> str:
        return f"{self.label} → {self.recipient}"

    @property
    def label(self) -> str:
        """before_7, before_1, overdue_1 (the day after), overdue_weekly_2…,
        now_12 (sent by a unit admin, 12 days overdue), digest."""
        if self.kind == self.Kind.BEFORE:
            return f"before_{self.step}"
        if self.kind == self.Kind.OVERDUE:
            return "overdue_1" if self.step == 0 else f"overdue_weekly_{self.step}"
        if self.kind == self.Kind.NOW:
            return f"now_{self.step}"
        return "digest"
