"""Small filters for the completion pages."""

from django import template
from django.utils.formats import number_format

from completion.models import TrainingStatus

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
