"""A therapist's notification centre and alert settings, at /notifications/."""

from django.urls import path

from reminders import views

urlpatterns = [
    path("", views.staff_notifications, name="staff_notifications"),
    path("read-all/", views.staff_notifications_read_all, name="staff_notifications_read_all"),
    path("settings/", views.staff_preferences, name="staff_preferences"),
    path(
        "<uuid:notification_id>/",
        views.staff_notification_open,
        name="staff_notification_open",
    ),
    path(
        "<uuid:notification_id>/read/",
        views.staff_notification_read,
        name="staff_notification_read",
    ),
]
