"""A client's documents and progress report, in one client's tree (/clients/<id>/reports/…)."""

from django.urls import path

from reports import export_views, views

urlpatterns = [
    path("reports/", views.client_documents, name="client"),
    path("reports/session-summary/", views.session_summary, name="session_summary"),
    path("reports/progress/", views.progress_report, name="progress_report"),
    path("reports/fhir/", export_views.client_fhir_bundle, name="client_fhir"),
    path("reports/data-export/", export_views.client_exports, name="client_exports"),
]
