"""Views of the lessons app. (Placeholder until the lessons issue lands.)"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from lessons.models import Module


def module_detail(request: HttpRequest, slug: str) -> HttpResponse:
    get_object_or_404(Module.objects.visible_to(request.user), slug=slug)
    return render(request, "home.html")
