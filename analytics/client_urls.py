"""A client's progress page (with measurement-based care) and their CSV export, in one
client's tree (/clients/<id>/…)."""

from django.urls import path

from analytics import exports, progress_views

urlpatterns = [
    path("progress/", progress_views.client_progress, name="progress"),
    path("progress/schedule/", progress_views.schedule_measure, name="progress_schedule"),
    path("progress/sessions/", progress_views.planned_sessions, name="progress_sessions"),
    path("progress/episodes/", progress_views.care_episode_start, name="progress_episode"),
    path("export.csv", exports.client_export, name="client_export"),
]
