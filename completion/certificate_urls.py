"""URLs of certificates: download, acknowledgement, bulk print, public verify.

Kept apart from `completion/urls.py` (which includes them into the same
"completion" namespace) so the two parts of the app can grow independently.
"""

from django.urls import path

from completion import certificate_views

urlpatterns = [
    path("verify/", certificate_views.verify_lookup, name="verify_lookup"),
    path("verify/<str:token>/", certificate_views.verify, name="verify"),
    path(
        "modules/<slug:slug>/acknowledge/",
        certificate_views.acknowledge,
        name="acknowledge",
    ),
    path(
        "certificates/<str:serial>.pdf",
        certificate_views.certificate_pdf,
        name="certificate_pdf",
    ),
    path("certificates/print/", certificate_views.bulk_print, name="bulk_print"),
    path(
        "certificates/print/<int:job_id>/",
        certificate_views.bulk_print_job,
        name="bulk_print_job",
    ),
    path(
        "certificates/print/<int:job_id>/download/",
        certificate_views.bulk_print_download,
        name="bulk_print_download",
    ),
]
