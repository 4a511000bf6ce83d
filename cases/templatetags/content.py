"""`<p{{ case|lang_of:"summary" }}>`: mark content shown in a language other
than the page's.

Training content is written in English and Chinese (modeltranslation). A
field still empty in the reader's language falls back to English; screen
readers must then read it with an English voice (WCAG 3.1.2), so the element
holding it gets `lang="en"`.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from modeltranslation.utils import build_localized_fieldname

register = template.Library()


@register.filter
def lang_of(obj, field: str) -> SafeString:
    language = get_language() or settings.LANGUAGE_CODE
    if obj is None or language == settings.MODELTRANSLATION_DEFAULT_LANGUAGE:
        return mark_safe("")  # noqa: S308 — a constant
    if getattr(obj, build_localized_fieldname(field, language), None):
        return mark_safe("")  # noqa: S308 — a constant
    return format_html(' lang="{}"', settings.MODELTRANSLATION_DEFAULT_LANGUAGE)


@register.filter
def lang_of_attempt(attempt) -> SafeString:
    """`<legend{{ attempt|lang_of_attempt }}>`: a quiz attempt keeps the
    questions in the language it copied them in; when the page is read in
    another, the copied text is marked with its own language."""
    language = get_language() or settings.LANGUAGE_CODE
    if attempt is None or not attempt.language or attempt.language == language:
        return mark_safe("")  # noqa: S308 — a constant
    return format_html(' lang="{}"', attempt.language)
