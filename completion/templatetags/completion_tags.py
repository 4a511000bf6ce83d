"""Small filters for the completion pages."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from completion.models import TrainingStatus
from completion.study_hours import format_hours

register = template.Library()
STATUS_LABELS = dict(TrainingStatus.choices)


@register.filter
def percent(rate: float | None) -> str:
    """0.825 → "83%"; no figure → an en dash (nothing to divide by)."""
    if rate is None:
        return "–"
    return f"{number_format(round(rate * 100))}%"


@register.filter
def status_label(code: str) -> str:
    return STATUS_LABELS.get(code, code)


@register.filter
def hours(value: Decimal | None) -> str:
    """Study hours as people write them: 1.5, 0.25, 2 (no trailing zeros)."""
    return format_hours(value)
