"""Reminders by email: what is due today, and sending it exactly once.

To a learner who has not completed an assigned module: before the due date
(settings.REMINDER_DAYS_BEFORE, 7 and 1 days by default), the day after it
is missed, then every REMINDER_OVERDUE_EVERY_DAYS while overdue. To each
unit admin, once a week, a digest of the overdue people in their subtree.

What is due is worked out from each person's current due date and status
in SQL (`reports.requirements`, the rules of the unit report), one query per
module and top unit whatever the number of people; the occasions already
sent are excluded in the same query. A completion ends the reminders; a new
due date starts its own calendar.

Each message is first claimed as a `Reminder` row (unique per occasion),
then sent, then marked sent or failed; a failed one is tried again next run.
Should the process die between the mail server accepting a message and the
row being marked, the row is taken again after STALE_AFTER: the one case in
which a person could get a reminder twice, rather than never.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models import CharField as CharFieldType
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from completion.models import Reminder, TrainingStatus, Unit, UnitAdmin, local_today
from completion.reports import assigned_modules, requirements
from lessons.models import Module

logger = logging.getLogger(__name__)

# Messages claimed, sent and recorded at a time over one SMTP connection.
BATCH = 200
# A row left "being sent" this long (its run died) is tried again.
STALE_AFTER = timedelta(hours=1)
# People listed in one digest; beyond it the digest says how many more.
DIGEST_LIMIT = 500
# Who is reminded: everyone who still has something to do. People who used
# every attempt (failed) cannot act on a reminder; their unit admin can.
REMINDED = [
    TrainingStatus.NOT_STARTED,
    TrainingStatus.IN_PROGRESS,
    TrainingStatus.OVERDUE,
    TrainingStatus.REOPENED,
    TrainingStatus.EXPIRED,
]
# Who is overdue: past the due date, or past the days to pass again after a
# pass expired.
OVERDUE = Q(training_status=TrainingStatus.OVERDUE) | Q(training_status=TrainingStatus.EXPIRED)


def occasion(due: date, today: date) -> tuple[str, int] | None:
    """The reminder a learner is due on `today` for `due`, as (kind, step).

    Before the due date: the nearest configured day count at or above the
    days left (so a person assigned 5 days ahead gets the 7-day reminder
    now, late rather than never). After it: step 0 the day after, then one
    step per interval. Catching up after a pause sends only the latest."""
    days_left = (due - today).days
    if days_left >= 0:
        steps = [days for days in settings.REMINDER_DAYS_BEFORE if days >= days_left]
        return (Reminder.Kind.BEFORE, min(steps)) if steps else None
    every = settings.REMINDER_OVERDUE_EVERY_DAYS
    return Reminder.Kind.OVERDUE, (-days_left - 1) // every if every > 0 else 0


@dataclass
class Planned:
    """One message to send: who to, about what."""

    recipient_id: int
    email: str
    language: str
    name: str
    kind: str
    step: int
    due_date: date
    module: Module | None = None
    assignment_id: int | None = None
    prior_id: int | None = None  # a failed (or abandoned) row to take again
    # A digest's overdue people by unit, and how many more were left out.
    groups: list[dict] = field(default_factory=list)
    more: int = 0
    report_unit: Unit | None = None

    @property
    def key(self) -> tuple:
        return (self.recipient_id, self.module and self.module.pk, self.due_date, self.kind)

    def describe(self) -> str:
        label = Reminder(kind=self.kind, step=self.step).label
        about = self.module.title if self.module else f"{self.people} overdue"
        return f"{label:<18} {self.email or '(no email)':<32} {about} (due {self.due_date})"

    @property
    def people(self) -> int:
        return sum(len(group["people"]) for group in self.groups) + self.more


def not_resendable():
    """Rows that rule an occasion out: sent, or being sent by a live run."""
    stale = timezone.now() - STALE_AFTER
    return Q(outcome=Reminder.Outcome.SENT) | Q(
        outcome=Reminder.Outcome.PENDING, claimed_at__gte=stale
    )


def top_units(units: Iterable[Unit]) -> list[Unit]:
    """`units` without those below another of them."""
    chosen: list[Unit] = []
    for unit in sorted(set(units), key=lambda u: u.path):
        if not any(unit.path.startswith(top.path) for top in chosen):
            chosen.append(unit)
    return chosen


def applying_assignment(module: Module) -> Case:
    """The assignment whose due date applies to a row of `requirements`: the
    personal one when it sets the date, otherwise the first unit assignment
    above them with that fixed date, else (a due date relative to the
    person, or a renewal) the personal one or the first unit assignment
    above them."""
    by_due = sorted(
        module.unit_assignments, key=lambda a: (a.due_date is None, a.due_date, a.created_at)
    )
    return Case(
        When(personal__due_date=F("due_date"), then=F("personal__id")),
        *(
            When(unit__path__startswith=a.unit.path, due_date=a.due_date, then=Value(a.pk))
            for a in by_due
            if a.due_date
        ),
        When(personal__isnull=False, then=F("personal__id")),
        *(When(unit__path__startswith=a.unit.path, then=Value(a.pk)) for a in by_due),
        default=None,
        output_field=IntegerField(),
    )


def learner_reminders(today: date, modules: list[Module]) -> Iterable[Planned]:
    roots = list(Unit.objects.roots())
    for module in modules:
        for root in roots:
            yield from reminders_in(root, module, today)


def reminders_in(root: Unit, module: Module, today: date) -> Iterable[Planned]:
    """The learner reminders due today in `root`'s subtree for `module`."""
    # The due dates in play: fixed ones, and those relative to each person
    # (joining the unit, a renewal after a pass expired).
    due_dates = set(
        requirements(root, module, today=today)
        .filter(training_status__in=REMINDED)
        .values_list("due_date", flat=True)
        .distinct()
        .order_by()
    )
    occasions = {due: occasion(due, today) for due in due_dates}
    occasions = {due: found for due, found in occasions.items() if found}
    if not occasions:
        return

    def per_date(index, output_field, occasions=occasions):
        whens = [When(due_date=due, then=Value(at[index])) for due, at in occasions.items()]
        return Case(*whens, default=None, output_field=output_field)

    sent = Reminder.objects.filter(
        not_resendable(),
        recipient=OuterRef("user"),
        module=module,
        due_date=OuterRef("due_date"),
        kind=OuterRef("reminder_kind"),
        step=OuterRef("reminder_step"),
    )
    prior = Reminder.objects.filter(
        recipient=OuterRef("user"),
        module=module,
        due_date=OuterRef("due_date"),
        kind=OuterRef("reminder_kind"),
        step=OuterRef("reminder_step"),
    ).values("pk")[:1]
    assignment = applying_assignment(module)
    rows = (
        requirements(root, module, today=today)
        .filter(training_status__in=REMINDED, due_date__in=list(occasions))
        .filter(user__is_active=True)
        .exclude(user__email="")
        .annotate(
            reminder_kind=per_date(0, CharFieldType()),
            reminder_step=per_date(1, IntegerField()),
        )
        .exclude(Exists(sent))
        .annotate(assignment_ref=assignment, prior=Subquery(prior))
        .values(
            "user_id",
            "full_name",
            "language",
            "due_date",
            "reminder_kind",
            "reminder_step",
            "assignment_ref",
            "prior",
            email=F("user__email"),
        )
        .order_by("user_id")
    )
    for row in rows.iterator(chunk_size=2000):
        yield Planned(
            recipient_id=row["user_id"],
            email=row["email"],
            language=row["language"],
            name=row["full_name"],
            kind=row["reminder_kind"],
            step=row["reminder_step"],
            due_date=row["due_date"],
            module=module,
            assignment_id=row["assignment_ref"],
            prior_id=row["prior"],
        )


def digests(today: date, modules: list[Module]) -> list[Planned]:
    """This week's digest for each unit admin who has overdue people and has
    not had it yet: one query per module and top administered unit."""
    week = today - timedelta(days=today.weekday())
    rights = UnitAdmin.objects.filter(user__is_active=True).select_related("user", "unit")
    done = set(
        Reminder.objects.filter(
            not_resendable(), kind=Reminder.Kind.DIGEST, due_date=week
        ).values_list("recipient_id", flat=True)
    )
    units_of = defaultdict(list)
    users = {}
    for right in rights:
        if right.user_id not in done:
            units_of[right.user_id].append(right.unit)
            users[right.user_id] = right.user
    if not units_of:
        return []
    # Every overdue person under any of those units, once.
    overdue: dict[str, list[dict]] = defaultdict(list)  # unit path → people
    names = {}
    tops = top_units(unit for units in units_of.values() for unit in units)
    for module in modules:
        for top in tops:
            rows = (
                requirements(top, module, today=today)
                .filter(OVERDUE, due_date__lt=today)
                .values(
                    "full_name",
                    "employee_number",
                    "due_date",
                    "language",
                    email=F("user__email"),
                    unit_path=F("unit__path"),
                    unit_name=F("unit__name"),
                    parent_name=F("unit__parent__name"),
                )
                .order_by("unit__path", "full_name")
            )
            for row in rows.iterator(chunk_size=2000):
                row["module"] = module
                row["days_overdue"] = (today - row["due_date"]).days
                overdue[row["unit_path"]].append(row)
                names[row["unit_path"]] = (row["unit_name"], row["parent_name"])
    prior = dict(
        Reminder.objects.filter(kind=Reminder.Kind.DIGEST, due_date=week).values_list(
            "recipient_id", "pk"
        )
    )
    languages = dict(
        UnitAdmin.objects.filter(user_id__in=list(units_of), user__employee__isnull=False)
        .values_list("user_id", "user__employee__language")
        .distinct()
    )
    planned = []
    for user_id, units in units_of.items():
        user = users[user_id]
        mine = top_units(units)
        paths = sorted(p for p in overdue if any(p.startswith(u.path) for u in mine))
        if not paths or not user.email:
            continue
        groups, listed, more = [], 0, 0
        for path in paths:
            people = overdue[path]
            room = max(0, DIGEST_LIMIT - listed)
            if room:
                unit, parent = names[path]
                groups.append({"unit": unit, "parent": parent, "people": people[:room]})
            listed += min(room, len(people))
            more += max(0, len(people) - room)
        planned.append(
            Planned(
                recipient_id=user_id,
                email=user.email,
                language=languages.get(user_id, ""),
                name=user.get_full_name() or user.get_username(),
                kind=Reminder.Kind.DIGEST,
                step=0,
                due_date=week,
                prior_id=prior.get(user_id),
                groups=groups,
                more=more,
                report_unit=mine[0],
            )
        )
    return planned


def due(today: date | None = None) -> list[Planned]:
    """Every message due on `today` and not yet sent."""
    today = today or local_today()
    modules = assigned_modules()
    planned = list(learner_reminders(today, modules))
    if settings.REMINDER_DIGESTS:
        planned += digests(today, modules)
    return planned


def link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def message(plan: Planned, connection=None) -> EmailMultiAlternatives:
    """The email of `plan`, in its recipient's language: plain text and HTML."""
    language = plan.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "plan": plan,
            "name": plan.name,
            "module": plan.module,
            "due_date": plan.due_date,
            "organisation": settings.ISSUING_ORGANISATION.get(
                language, settings.ISSUING_ORGANISATION["en"]
            ),
        }
        if plan.kind == Reminder.Kind.DIGEST:
            context["link"] = link(reverse("completion:unit_report", args=[plan.report_unit.pk]))
            context["people"] = plan.people
            subject = _("Overdue training: %(count)s people (week of %(date)s)") % {
                "count": plan.people,
                "date": date_text(plan.due_date),
            }
            template = "completion/email/digest"
        else:
            context["link"] = link(reverse("lessons:module", args=[plan.module.slug]))
            context["overdue"] = plan.kind in (Reminder.Kind.OVERDUE, Reminder.Kind.NOW)
            if context["overdue"]:
                subject = _("Overdue: “%(module)s” was due on %(date)s")
            else:
                subject = _("Reminder: “%(module)s” is due on %(date)s")
            subject %= {"module": plan.module.title, "date": date_text(plan.due_date)}
            template = "completion/email/reminder"
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    email = EmailMultiAlternatives(
        subject,
        text,
        to=[plan.email],
        connection=connection,
        headers={"Content-Language": language},
    )
    email.attach_alternative(html, "text/html")
    return email


def date_text(day: date) -> str:
    from django.utils.formats import date_format

    return date_format(day)


@dataclass
class Outcome:
    sent: list[Planned] = field(default_factory=list)
    failed: list[tuple[Planned, str]] = field(default_factory=list)
    unreachable: str = ""  # why the mail server could not be reached
    left: int = 0  # not tried this run (the server was unreachable)


def claim(batch: list[Planned], run: uuid.UUID) -> dict[tuple, Reminder]:
    """Take the rows of `batch` for this run: new occasions are inserted
    (one that another run inserted meanwhile is skipped), failed or
    abandoned ones taken over. Returns this run's rows by occasion."""
    now = timezone.now()
    stale = now - STALE_AFTER
    Reminder.objects.bulk_create(
        [
            Reminder(
                recipient_id=plan.recipient_id,
                assignment_id=plan.assignment_id,
                module=plan.module,
                due_date=plan.due_date,
                kind=plan.kind,
                step=plan.step,
                email=plan.email,
                language=plan.language,
                run=run,
                claimed_at=now,
            )
            for plan in batch
            if plan.prior_id is None
        ],
        ignore_conflicts=True,
    )
    retried = [plan.prior_id for plan in batch if plan.prior_id is not None]
    if retried:
        Reminder.objects.filter(pk__in=retried).filter(
            Q(outcome=Reminder.Outcome.FAILED)
            | Q(outcome=Reminder.Outcome.PENDING, claimed_at__lt=stale)
        ).update(run=run, claimed_at=now, outcome=Reminder.Outcome.PENDING)
    rows = Reminder.objects.filter(run=run, outcome=Reminder.Outcome.PENDING, claimed_at=now)
    return {
        (row.recipient_id, row.module_id, row.due_date, row.kind): row
        for row in rows.only("pk", "recipient_id", "module_id", "due_date", "kind", "tries")
    }


def finish(row: Reminder, *, error: str = "") -> None:
    Reminder.objects.filter(pk=row.pk).update(
        outcome=Reminder.Outcome.FAILED if error else Reminder.Outcome.SENT,
        error=error[:2000],
        tries=row.tries + 1,
        sent_at=None if error else timezone.now(),
    )


def send(planned: list[Planned], *, report: Callable[[str], None] = lambda line: None) -> Outcome:
    """Send `planned`, each once, a batch at a time over one connection. A
    refused message is recorded failed and the run goes on; a server that
    cannot be reached fails the batch and ends the run (the rest wait for
    the next one), reported rather than raised."""
    outcome = Outcome()
    run = uuid.uuid4()
    connection = get_connection()
    for start in range(0, len(planned), BATCH):
        batch = planned[start : start + BATCH]
        rows = claim(batch, run)
        mine = [(plan, rows[plan.key]) for plan in batch if plan.key in rows]
        try:
            connection.open()
        except (OSError, smtplib.SMTPException) as error:
            reason = f"{type(error).__name__}: {error}"
            outcome.unreachable = reason
            for plan, row in mine:
                finish(row, error=f"mail server unreachable: {reason}")
                outcome.failed.append((plan, reason))
            outcome.left = len(planned) - start - len(batch)
            logger.error("Reminders: the mail server cannot be reached (%s)", reason)
            report(f"Mail server unreachable: {reason}")
            break
        try:
            for plan, row in mine:
                try:
                    connection.send_messages([message(plan, connection)])
                except smtplib.SMTPServerDisconnected as error:
                    reason = f"{type(error).__name__}: {error}"
                    finish(row, error=reason)
                    outcome.failed.append((plan, reason))
                    report(f"failed  {plan.describe()}: {reason}")
                    connection.close()
                    connection.open()
                except (OSError, smtplib.SMTPException) as error:
                    reason = f"{type(error).__name__}: {error}"
                    finish(row, error=reason)
                    outcome.failed.append((plan, reason))
                    logger.warning("Reminder to %s failed: %s", plan.email, reason)
                    report(f"failed  {plan.describe()}: {reason}")
                else:
                    finish(row)
                    outcome.sent.append(plan)
                    report(f"sent    {plan.describe()}")
        except (OSError, smtplib.SMTPException) as error:  # reconnecting failed
            outcome.unreachable = f"{type(error).__name__}: {error}"
            report(f"Mail server unreachable: {outcome.unreachable}")
            break
        finally:
            connection.close()
    # Whatever this run claimed and did not get to is failed, for the next run.
    Reminder.objects.filter(run=run, outcome=Reminder.Outcome.PENDING).update(
        outcome=Reminder.Outcome.FAILED,
        error=f"not sent: the run stopped ({outcome.unreachable})",
    )
    return outcome


@dataclass
class NowPlan:
    """What "remind now" would do for the overdue rows of a report's filter."""

    planned: list[Planned] = field(default_factory=list)
    people: int = 0  # overdue people in the filter
    reminded_today: int = 0  # rows skipped: reminded "now" already today
    no_email: int = 0  # rows skipped: no email address
    inactive: int = 0  # rows skipped: the account is switched off

    @property
    def skipped(self) -> int:
        return self.reminded_today + self.no_email + self.inactive


def plan_now(parts: dict[int, object], modules: dict[int, Module], today: date) -> NowPlan:
    """The reminders "remind now" sends for the report rows `parts` (the
    table's filtered query of each module): one to each overdue person per
    module, unless they were reminded so today. One query per module."""
    start_of_day = datetime.combine(today, time(), tzinfo=timezone.get_default_timezone())
    plan, people = NowPlan(), set()
    for module_id, part in parts.items():
        module = modules[module_id]
        today_sent = Reminder.objects.filter(
            not_resendable(),
            recipient=OuterRef("user"),
            module=module,
            kind=Reminder.Kind.NOW,
            created_at__gte=start_of_day,
        )
        prior = Reminder.objects.filter(
            recipient=OuterRef("user"),
            module=module,
            due_date=OuterRef("due_date"),
            kind=Reminder.Kind.NOW,
            step=OuterRef("days_overdue"),
        ).values("pk")[:1]
        rows = (
            part.filter(
                days_overdue__isnull=False
            )  # overdue, or expired and past the days to pass again
            .annotate(
                reminded_today=Exists(today_sent),
                prior=Subquery(prior),
                assignment_ref=applying_assignment(module),
            )
            .values(
                "user_id",
                "full_name",
                "language",
                "due_date",
                "days_overdue",
                "reminded_today",
                "prior",
                "assignment_ref",
                email=F("user__email"),
                active=F("user__is_active"),
            )
            .order_by("user_id")
        )
        for row in rows.iterator(chunk_size=2000):
            people.add(row["user_id"])
            if not row["active"]:
                plan.inactive += 1
            elif not row["email"]:
                plan.no_email += 1
            elif row["reminded_today"]:
                plan.reminded_today += 1
            else:
                plan.planned.append(
                    Planned(
                        recipient_id=row["user_id"],
                        email=row["email"],
                        language=row["language"],
                        name=row["full_name"],
                        kind=Reminder.Kind.NOW,
                        step=row["days_overdue"],
                        due_date=row["due_date"],
                        module=module,
                        assignment_id=row["assignment_ref"],
                        prior_id=row["prior"],
                    )
                )
    plan.people = len(people)
    return plan


def run(
    *, today: date | None = None, dry_run: bool = False, report: Callable[[str], None] = print
) -> Outcome:
    planned = due(today)
    if dry_run:
        for plan in planned:
            report(f"due     {plan.describe()}")
        return Outcome(sent=[], left=len(planned))
    return send(planned, report=report)
