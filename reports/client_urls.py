"""A client's documents and progress report, in one client's tree (/clients/<id>/reports/…)."""

from django.urls import path

from reports import views

urlpatterns = [
    path("reports/", views.client_documents, name="client"),
    path("reports/session-summary/", views.session_summary, name="session_summary"),
    path("reports/progress/", views.progress_report, name="progress_report"),
]
