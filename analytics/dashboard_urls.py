"""The therapist's caseload dashboard, the owner's practice insights, and the CSV exports."""

from django.urls import path

from analytics import dashboard_views, exports

urlpatterns = [
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("insights/", dashboard_views.insights, name="insights"),
    path("insights/export.csv", exports.practice_export, name="practice_export"),
    path("clients/<uuid:client_id>/export.csv", exports.client_export, name="client_export"),
]
