"""Views of certificates. (Placeholder until the certificates issue lands.)"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_not_required
def verify_lookup(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


def acknowledge(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "home.html")
