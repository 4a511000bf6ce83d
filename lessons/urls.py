from django.urls import path

from lessons import views

app_name = "lessons"
urlpatterns = [
    path("modules/<slug:slug>/", views.module_detail, name="module"),
]
