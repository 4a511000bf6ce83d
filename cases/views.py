"""The case library: the list of cases and each case told as a story."""

import re

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from cases.models import Case, Theme

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")


def case_list(request: HttpRequest) -> HttpResponse:
    visible = Case.objects.visible_to(request.user)
    cases = (
        visible.select_related("disclosure")
        .prefetch_related("themes")
        .annotate(red_flag_count=Count("red_flags"))
    )
    # Only themes that lead somewhere for this user are offered as filters.
    themes = Theme.objects.filter(cases__in=visible).distinct()
    theme = None
    if slug := request.GET.get("theme"):
        # Only a slug can name a theme (and a NUL byte must not reach the database).
        if not SLUG.fullmatch(slug):
            raise Http404
        theme = get_object_or_404(themes, slug=slug)
        cases = cases.filter(themes=theme)
    cases = list(cases)
    # What the publisher of the cases shown said about them, once each.
    disclosures = list({case.disclosure_id: case.disclosure for case in cases}.values())
    context = {"cases": cases, "themes": themes, "theme": theme, "disclosures": disclosures}
    return render(request, "cases/case_list.html", context)


def case_detail(request: HttpRequest, slug: str) -> HttpResponse:
    case = get_object_or_404(Case.objects.visible_to(request.user).with_story(), slug=slug)
    return render(request, "cases/case_detail.html", {"case": case})
