"""Who may see which unit: the one access helper every completion view uses.

A unit admin has rights over the units they administer and everything below
them; a superuser over every unit. Anything else is a 404, so changing a unit
id in a URL never reveals that another unit exists.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from completion.models import ExportJob, Unit


def get_unit_for_admin(user, unit_id: int) -> Unit:
    return get_object_or_404(Unit.objects.administered_by(user), pk=unit_id)


def top_unit_for_admin(user) -> Unit:
    """The highest unit the user administers: where their report opens."""
    unit = Unit.objects.administered_by(user).order_by("depth", "path").first()
    if unit is None:
        raise Http404
    return unit


def get_export_job_for_user(user, job_id: int) -> ExportJob:
    """An export job of a unit the user administers. The requester is one such
    admin; an admin of another unit, or a requester who has since lost their
    rights over the unit, gets a 404: the file holds the unit's people."""
    return get_object_or_404(
        ExportJob.objects.select_related("unit").filter(
            unit__in=Unit.objects.administered_by(user)
        ),
        pk=job_id,
    )
