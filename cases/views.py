"""Views of the case library. (Placeholder until the case-library issue lands.)"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from cases.models import Case


def case_list(request: HttpRequest) -> HttpResponse:
    cases = Case.objects.visible_to(request.user)
    return render(request, "home.html", {"cases": cases})


def case_detail(request: HttpRequest, slug: str) -> HttpResponse:
    get_object_or_404(Case.objects.visible_to(request.user), slug=slug)
    return render(request, "home.html")
