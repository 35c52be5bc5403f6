from django.urls import path

from analytics import progress_views

urlpatterns = [
    path("clients/<uuid:client_id>/progress/", progress_views.client_progress, name="progress"),
    path(
        "clients/<uuid:client_id>/progress/schedule/",
        progress_views.schedule_measure,
        name="progress_schedule",
    ),
    path(
        "clients/<uuid:client_id>/progress/sessions/",
        progress_views.planned_sessions,
        name="progress_sessions",
    ),
]
