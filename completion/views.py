"""Views of the completion app."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from completion import services
from lessons.models import Attempt


@require_POST
def submit_attempt(request: HttpRequest, attempt_id: int) -> HttpResponse:
    # Only the attempt's owner may submit it; anyone else gets a 404.
    attempt = get_object_or_404(Attempt, pk=attempt_id, user=request.user)
    attempt = services.submit_attempt(attempt=attempt)
    return redirect("lessons:result", attempt_id=attempt.pk)


def report(request: HttpRequest) -> HttpResponse:
    # Placeholder until the reports issue lands.
    if not (request.user.is_superuser or request.user.admin_of.exists()):
        raise Http404
    return render(request, "home.html")
