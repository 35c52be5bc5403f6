"""Assignments, at /assignments/ (the namespace is declared in homework_platform/urls.py)."""

from django.urls import path

from assignments import media_views, views

urlpatterns = [
    path("new/", views.assign, name="create"),
    path("<uuid:assignment_id>/", views.assignment_detail, name="detail"),
    path("<uuid:assignment_id>/edit/", views.assignment_edit, name="edit"),
    path("<uuid:assignment_id>/cancel/", views.assignment_cancel, name="cancel"),
    path("<uuid:assignment_id>/messages/", views.assignment_message, name="message"),
    path("occurrences/<uuid:occurrence_id>/review/", views.occurrence_review, name="review"),
    path("flags/<uuid:flag_id>/respond/", views.flag_respond, name="flag_respond"),
    path("answer-files/<uuid:answer_file_id>/", media_views.answer_media, name="answer_media"),
]
