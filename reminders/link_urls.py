"""The links in reminder emails and calendar apps, reached without signing in, at /r/. These
paths are in clients' mailboxes and calendars: they never move."""

from django.urls import path

from reminders import views

urlpatterns = [
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("<str:token>/", views.preferences_link, name="preferences_link"),
]
