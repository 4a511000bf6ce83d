"""The app's URLs plus /bench/bare/: a signed-in view that does nothing, behind
the same middleware, the floor each page of bench/hot_path.py is compared with."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_http_methods

from awareness.urls import handler403, handler404, handler500, urlpatterns  # noqa: F401


@require_http_methods(["GET", "POST"])
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *urlpatterns]
