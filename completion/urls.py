from django.urls import path

from completion import views

app_name = "completion"
urlpatterns = [
    path("report/", views.report, name="report"),
    path("verify/", views.verify_lookup, name="verify_lookup"),
]
