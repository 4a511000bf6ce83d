"""URLs of certificates: download, acknowledgement, bulk print, public verify.

Kept apart from `completion/urls.py` (which includes them into the same
"completion" namespace) so the two parts of the app can grow independently.
"""

from django.urls import path

from completion import certificate_views

urlpatterns = [
    path("verify/", certificate_views.verify_lookup, name="verify_lookup"),
    path(
        "modules/<slug:slug>/acknowledge/",
        certificate_views.acknowledge,
        name="acknowledge",
    ),
]
