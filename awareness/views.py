"""The few site-wide views: the home page and the error pages."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.http import require_GET

from completion.models import local_today
from completion.training import my_training


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """My training: the signed-in person's modules, due dates and progress."""
    training = my_training(request.user, today=local_today())
    return render(request, "home.html", {"training": training})


@login_not_required
def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


@login_not_required
def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request: the error may have come from a context
    # processor or the database, so the page needs neither.
    return HttpResponseServerError(loader.get_template("errors/500.html").render())


def error_preview(request: HttpRequest, code: int) -> HttpResponse:
    handlers = {403: forbidden, 404: not_found, 500: server_error}
    if code not in handlers:
        raise Http404
    return handlers[code](request) if code == 500 else handlers[code](request, None)
