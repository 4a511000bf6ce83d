"""`{{ text|rich_text }}`: trainer-written Markdown, rendered and sanitised.

Every rich-text field in every app goes through this filter. Markdown is
turned into HTML first and the result is cleaned by nh3 against a small
allow-list, so raw HTML typed into a field (a `<script>`, an `onerror=`
attribute, a `javascript:` link) never reaches a page.
"""

from __future__ import annotations

from functools import lru_cache

import markdown
import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ALLOWED_TAGS = {
    "p",
    "em",
    "strong",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "br",
    "h3",
    "h4",
}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = ("http:", "https:", "mailto:")


def keep_absolute_links(element: str, attribute: str, value: str) -> str | None:
    # nh3 lets relative URLs through whatever the schemes; we allow only
    # absolute http(s) and mailto links, as trainers are told.
    if element == "a" and attribute == "href":
        return value if value.strip().lower().startswith(ALLOWED_URL_SCHEMES) else None
    return value


def render_rich_text(text: str) -> str:
    html = markdown.markdown(text or "", output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={scheme.rstrip(":") for scheme in ALLOWED_URL_SCHEMES},
        attribute_filter=keep_absolute_links,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


# The same text always gives the same HTML, and a page shows the same few
# dozen stored texts to every learner: the story page renders about 25,
# which cost a third of its time (Markdown builds a new parser on every
# call). Keyed by the text itself, so a trainer's edit is a new entry and
# nothing goes stale. The admin's preview of text being typed is not cached.
_render_stored = lru_cache(maxsize=2048)(render_rich_text)


@register.filter(is_safe=True)
def rich_text(text: str | None) -> SafeString:
    return mark_safe(_render_stored(text or ""))  # noqa: S308 — sanitised by nh3 just above
