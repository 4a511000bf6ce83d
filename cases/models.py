"""The case library: real cases told as structured narratives.

Rich-text fields (marked "Markdown") are written by trainers and always
rendered through the `rich_text` filter, which sanitises the HTML.
"""

from __future__ import annotations

from itertools import groupby
from operator import attrgetter

from django.conf import settings
from django.db import models
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Theme(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name


class LegalProvision(models.Model):
    """A rule of law, quoted by red flags and outcomes."""

    code = models.SlugField(_("code"), unique=True, help_text=_("e.g. criminal-law-111"))
    law = models.CharField(_("law"), max_length=200)
    article = models.CharField(
        _("article"),
        max_length=50,
        blank=True,
        help_text=_("Leave blank when the article number is not verified."),
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("plain-language summary (Markdown)"))

    class Meta:
        ordering = ["law", "article"]
        verbose_name = _("legal provision")
        verbose_name_plural = _("legal provisions")

    def __str__(self) -> str:
        return f"{self.law} {self.article}".strip()


class Disclosure(models.Model):
    """Where cases were made public. One announcement may disclose several
    cases; what its publisher said about them as a whole (its framing and
    closing message) is shown with them, attributed to the publisher."""

    publisher = models.CharField(_("publisher"), max_length=200)
    title = models.CharField(
        _("title"),
        max_length=300,
        help_text=_("What the announcement is about, in plain words (not a newspaper headline)."),
    )
    published_on = models.DateField(_("publication date"))
    framing = models.TextField(
        _("what the publisher said about the cases (Markdown)"),
        blank=True,
        help_text=_("In summary and attributed; shown in the case library."),
    )
    closing = models.TextField(
        _("the publisher's closing message (Markdown)"),
        blank=True,
        help_text=_("Shown on every case page and at the end of every module's story."),
    )
    note = models.CharField(
        _("note"), max_length=300, blank=True, help_text=_("e.g. where it was reported.")
    )

    class Meta:
        ordering = ["-published_on", "pk"]
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")

    def __str__(self) -> str:
        return f"{self.publisher} ({self.published_on:%Y-%m-%d})"


class CaseQuerySet(models.QuerySet):
    def published(self) -> CaseQuerySet:
        return self.filter(status=Status.PUBLISHED)

    def visible_to(self, user: settings.AUTH_USER_MODEL) -> CaseQuerySet:
        # Those who may see the content (trainers) preview drafts as a
        # learner would see them; staff status alone shows none.
        if user.is_staff and user.has_perm("cases.view_case"):
            return self
        return self.published()

    def publish(self) -> int:
        return self.update(status=Status.PUBLISHED, updated_at=timezone.now())

    def unpublish(self) -> int:
        return self.update(status=Status.DRAFT, updated_at=timezone.now())

    def with_story(self) -> CaseQuerySet:
        """Everything the story page shows, in a fixed number of queries.

        Events come with their red flags (`event.red_flags.all`), outcomes
        with their person and provision; red flags not placed at any event
        are in `case.unplaced_red_flags`.
        """
        red_flags = RedFlag.objects.select_related("provision")
        return self.select_related("disclosure").prefetch_related(
            "themes",
            "people",
            Prefetch(
                "events",
                queryset=Event.objects.prefetch_related(Prefetch("red_flags", queryset=red_flags)),
            ),
            Prefetch(
                "red_flags",
                queryset=red_flags.filter(event__isnull=True),
                to_attr="unplaced_red_flags",
            ),
            Prefetch("outcomes", queryset=Outcome.objects.select_related("person", "provision")),
        )


class Case(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    hook = models.CharField(_("one-line hook"), max_length=300)
    summary = models.TextField(_("summary (Markdown)"))
    lesson = models.TextField(
        _("what should have been done (Markdown)"),
        help_text=_("The case's lesson in a few sentences, shown after the timeline."),
    )
    disclosure = models.ForeignKey(
        Disclosure, on_delete=models.PROTECT, related_name="cases", verbose_name=_("source")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    order = models.PositiveSmallIntegerField(_("display order"), default=0)
    themes = models.ManyToManyField(Theme, related_name="cases", blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["order", "title"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.slug])

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    def timeline_by_phase(self) -> list[tuple[str, list[Event]]]:
        """The events in order, cut into runs of one phase (for phase headings).

        A phase that comes back later in the story starts a new run, so the
        order of events is never changed.
        """
        return [
            (Phase(phase).label, list(events))
            for phase, events in groupby(self.events.all(), key=attrgetter("phase"))
        ]


class Person(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="people")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    label = models.CharField(_("label"), max_length=100, help_text=_('e.g. "Zhang"'))
    role = models.CharField(_("role"), max_length=200)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    description = models.TextField(_("description (Markdown)"), blank=True)
    fate = models.CharField(_("what became of them"), max_length=300, blank=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.label


class Phase(models.TextChoices):
    BACKGROUND = "background", _("Background")
    BREACH = "breach", _("The breach")
    EXPLOITATION = "exploitation", _("Exploitation")
    DISCOVERY = "discovery", _("Discovery")
    OUTCOME = "outcome", _("Outcome")


class Event(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("what happened (Markdown)"))

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")

    def __str__(self) -> str:
        return self.title


class RedFlag(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="red_flags")
    event = models.ForeignKey(
        Event,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="red_flags",
        verbose_name=_("the moment it appeared"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    sign = models.CharField(_("warning sign"), max_length=200)
    explanation = models.TextField(_("what went wrong here (Markdown)"))
    correct_behaviour = models.TextField(_("what should have been done (Markdown)"))
    rule = models.CharField(_("the rule it breaks"), max_length=300)
    provision = models.ForeignKey(
        LegalProvision, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("red flag")
        verbose_name_plural = _("red flags")

    def __str__(self) -> str:
        return self.sign


class SanctionKind(models.TextChoices):
    CRIMINAL = "criminal", _("Criminal")
    PARTY = "party", _("Party discipline")
    ADMINISTRATIVE = "administrative", _("Administrative")


class Outcome(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="outcomes")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="outcomes", verbose_name=_("who")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind of sanction"), max_length=20, choices=SanctionKind.choices)
    description = models.TextField(_("what it was (Markdown)"))
    provision = models.ForeignKey(
        LegalProvision, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")

    def __str__(self) -> str:
        return f"{self.person}: {self.get_kind_display()}"
