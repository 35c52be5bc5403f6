"""Two areas, each with its own URL module: the dashboard and practice insights (with the CSV
exports), and a client's progress page with measurement-based care."""

from django.urls import include, path

app_name = "analytics"
urlpatterns = [
    path("", include("analytics.dashboard_urls")),
    path("", include("analytics.progress_urls")),
]
