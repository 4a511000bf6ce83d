"""Campaigns: a unit's drive to have its units complete some modules between
two dates (the national security education day's, a new rule's), which makes
the assignments and ranks the units by how far they are.

A campaign is history: it is ended, early if need be, but never deleted,
and ending it leaves its assignments in place (the duty to train stays).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.lookups import StartsWith
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from awareness.dates import local_today
from completion.models.organisation import Unit
from lessons.models import Module


class CampaignQuerySet(models.QuerySet):
    def relevant_to(self, unit: Unit) -> CampaignQuerySet:
        """The campaigns that concern `unit`'s people: made by `unit` or a
        unit below it, or targeting a unit of its subtree or above it (whose
        people are `unit`'s too). One EXISTS, so no row is repeated."""
        above = StartsWith(Value(unit.path, output_field=models.CharField()), F("path"))
        targets = Unit.objects.filter(targeted_by_campaigns=OuterRef("pk")).filter(
            Q(path__startswith=unit.path) | Q(above)
        )
        return self.filter(Q(unit__path__startswith=unit.path) | Exists(targets))

    def administered_by(self, user) -> CampaignQuerySet:
        """The campaigns whose page `user` may open: those of a unit they
        administer, or one below it."""
        return self.filter(unit__in=Unit.objects.administered_by(user))


class Campaign(models.Model):
    """Some modules for some units of a subtree, between two dates."""

    name = models.CharField(_("name"), max_length=200)
    # The unit whose admin made it: its targets lie in this unit's subtree.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="campaigns")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    modules = models.ManyToManyField(Module, verbose_name=_("modules"), related_name="campaigns")
    target_units = models.ManyToManyField(
        Unit, verbose_name=_("target units"), related_name="targeted_by_campaigns"
    )
    # A fixed due date, or none for `days_allowed` days from being assigned
    # or joining, as an assignment has it.
    due_date = models.DateField(_("due date"), null=True, blank=True)
    days_allowed = models.PositiveSmallIntegerField(
        _("days to complete"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(_("ended early at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CampaignQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    class State(models.TextChoices):
        # In a context of their own: "Running" is also a background job's
        # state, which reads differently in Chinese.
        UPCOMING = "upcoming", pgettext_lazy("campaign", "Upcoming")
        RUNNING = "running", pgettext_lazy("campaign", "Running")
        ENDED = "ended", pgettext_lazy("campaign", "Ended")
        ENDED_EARLY = "ended_early", pgettext_lazy("campaign", "Ended early")

    def state(self, today: date | None = None) -> Campaign.State:
        today = today or local_today()
        if self.ended_at is not None:
            return self.State.ENDED_EARLY
        if today > self.ends_on:
            return self.State.ENDED
        if today < self.starts_on:
            return self.State.UPCOMING
        return self.State.RUNNING

    @property
    def ended_on(self) -> date | None:
        """The local date it was ended early, if it was."""
        if self.ended_at is None:
            return None
        return timezone.localdate(self.ended_at, timezone=timezone.get_default_timezone())

    def closed_on(self, today: date | None = None) -> date | None:
        """The last day that counts, once the campaign is over (None while
        it runs): the day it was ended early, or its end date."""
        state = self.state(today)
        if state == self.State.ENDED_EARLY:
            return self.ended_on
        return self.ends_on if state == self.State.ENDED else None

    def close_instant(self, today: date | None = None) -> datetime | None:
        """The midnight after the last day that counts, in the organisation's
        time zone: a completion before it counts for the campaign."""
        closed = self.closed_on(today)
        if closed is None:
            return None
        return datetime.combine(
            closed + timedelta(days=1), time(), tzinfo=timezone.get_default_timezone()
        )

    def end_early(self, *, by) -> None:
        """End the campaign now. Nothing else changes: its assignments stay,
        and its figures are those of today from now on."""
        self.ended_at, self.ended_by = timezone.now(), by
        self.save(update_fields=["ended_at", "ended_by"])

    @cached_property
    def target_paths(self) -> list[str]:
        return list(self.target_units.values_list("path", flat=True))

    @cached_property
    def module_ids(self) -> set[int]:
        return set(self.modules.values_list("pk", flat=True))
