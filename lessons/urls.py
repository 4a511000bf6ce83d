from django.urls import path

from lessons import views

app_name = "lessons"
urlpatterns = [
    path("modules/<slug:slug>/", views.module_detail, name="module"),
    path("modules/<slug:slug>/story/", views.story, name="story"),
    path("modules/<slug:slug>/lesson/", views.lesson, name="lesson"),
    path("modules/<slug:slug>/quiz/", views.start_quiz, name="start_quiz"),
    path("modules/<slug:slug>/preview/", views.preview, name="preview"),
    path("attempts/<id:attempt_id>/q/<id:position>/", views.question, name="question"),
    path("attempts/<id:attempt_id>/review/", views.review, name="review"),
    path("attempts/<id:attempt_id>/result/", views.result, name="result"),
]
