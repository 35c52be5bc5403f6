"""A client's homework pages, in one client's tree (/clients/<id>/…)."""

from django.urls import path

from assignments import views

urlpatterns = [
    path("session-review/", views.session_review, name="session_review"),
    path("adherence/", views.adherence, name="adherence"),
]
