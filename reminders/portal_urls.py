"""The client's reminder settings in the portal, at /portal/reminders/."""

from django.urls import path

from reminders import views

urlpatterns = [
    path("", views.client_preferences, name="client_preferences"),
    path("snooze/", views.client_snooze, name="client_snooze"),
    path("calendar/", views.client_calendar, name="client_calendar"),
]
