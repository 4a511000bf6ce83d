"""Who may reach what in the completion app: every completion view fetches
its objects through one of these helpers, each taking the user.

A unit admin has rights over the units they administer and everything below
them; a superuser over every unit. Anything outside a person's reach is a
404, so changing an id in a URL never reveals that the object exists.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Exists, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from completion.models import BackgroundJob, Campaign, Certificate, Completion, Employee, Unit
from completion.models.organisation import ancestor_paths
from lessons.models import Attempt

Job = TypeVar("Job", bound=BackgroundJob)


def get_unit_for_admin(user, unit_id: int) -> Unit:
    return get_object_or_404(Unit.objects.administered_by(user), pk=unit_id)


def units_for_admin(user) -> QuerySet[Unit]:
    """Every unit `user` has rights over; 404 for someone who administers nothing."""
    if not (user.is_superuser or user.admin_of.exists()):
        raise Http404
    return Unit.objects.administered_by(user)


def top_unit_for_admin(user) -> Unit:
    """The highest unit the user administers: where their report opens."""
    unit = top_unit_or_none(user)
    if unit is None:
        raise Http404
    return unit


def top_unit_or_none(user) -> Unit | None:
    """The same, or None for someone who administers nothing (the home page
    shows a unit's figures only to its admins)."""
    if not user.is_authenticated:
        return None
    return Unit.objects.administered_by(user).order_by("depth", "path").first()


def trail_for_admin(user, unit: Unit) -> QuerySet[Unit]:
    """The units from the top of `user`'s rights down to `unit`, for the
    report's breadcrumb: units above their rights are not shown."""
    return Unit.objects.administered_by(user).filter(path__in=ancestor_paths(unit))


def not_placed_for_admin(user, unit: Unit) -> QuerySet[Employee]:
    """Directory people placed in no unit (their unit code is unknown here):
    seen only by the admins of a unit at the top of the tree, whose rights
    cover wherever those people will be placed; nobody for anyone else."""
    if unit.parent_id is not None:
        return Employee.objects.none()
    # The right over `unit` is checked in the same query.
    rights = Unit.objects.administered_by(user).filter(pk=unit.pk)
    people = Employee.objects.not_placed().filter(Exists(rights), user__is_active=True)
    return people.order_by("directory_unit_code", "full_name")


def get_employee_in_unit(unit: Unit, employee_id: int) -> Employee:
    """A person in `unit`'s subtree (`unit` already fetched for the admin)."""
    people = Employee.objects.filter(unit__path__startswith=unit.path).select_related("user")
    return get_object_or_404(people, pk=employee_id)


def get_employee_for_admin(user, employee_id: int) -> Employee:
    """A person in a unit `user` administers (or below it); anyone else,
    including the people not placed in any unit, is a 404."""
    people = Employee.objects.select_related("unit", "user").filter(
        unit__in=Unit.objects.administered_by(user)
    )
    return get_object_or_404(people, pk=employee_id)


def get_campaign_for_admin(user, campaign_id: int) -> Campaign:
    """A campaign of a unit `user` administers (or one below it): its page
    ranks every target unit, so only those over the campaign's unit see it."""
    campaigns = Campaign.objects.administered_by(user).select_related("unit", "ended_by")
    return get_object_or_404(campaigns, pk=campaign_id)


def get_job_for_user(user, model: type[Job], job_id: int) -> Job:
    """An export or print job that `user` may follow (see `visible_to`)."""
    jobs = model.objects.select_related("unit").visible_to(user)
    return get_object_or_404(jobs, pk=job_id)


def get_certificate_for_user(user, serial: str) -> Certificate:
    # The holder, an admin of the holder's unit or above, or a superuser.
    return get_object_or_404(Certificate.objects.visible_to(user).valid(), serial=serial)


def get_completion_for_user(user, slug: str) -> Completion:
    """The person's own current completion of a module (that of their
    latest cycle): only someone who passed has one."""
    completions = Completion.objects.select_related("module").filter(superseded_at__isnull=True)
    return get_object_or_404(completions, user=user, module__slug=slug)


def get_attempt_for_user(user, attempt_id: int) -> Attempt:
    # Only the attempt's owner ever reaches it.
    return get_object_or_404(Attempt, pk=attempt_id, user=user)
