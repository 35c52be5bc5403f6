"""The caseload dashboard, at /dashboard/."""

from django.urls import path

from analytics import dashboard_views

urlpatterns = [path("", dashboard_views.dashboard, name="dashboard")]
