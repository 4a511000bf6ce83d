"""Views of the completion app. (Placeholders until their issues land.)"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def report(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@login_not_required
def verify_lookup(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")
