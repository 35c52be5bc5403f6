"""The owner's practice insights and their CSV export, at /insights/."""

from django.urls import path

from analytics import dashboard_views, exports

urlpatterns = [
    path("", dashboard_views.insights, name="insights"),
    path("export.csv", exports.practice_export, name="practice_export"),
]
