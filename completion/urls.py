from django.urls import path

from completion import views
from completion.certificate_urls import urlpatterns as certificate_urlpatterns

app_name = "completion"
urlpatterns = [
    path("attempts/<int:attempt_id>/submit/", views.submit_attempt, name="submit_attempt"),
    path("report/", views.report, name="report"),
    *certificate_urlpatterns,
]
