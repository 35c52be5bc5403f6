"""The client's updates in the portal, at /portal/notifications/."""

from django.urls import path

from reminders import views

urlpatterns = [
    path("", views.client_notifications, name="client_notifications"),
    path("read-all/", views.client_notifications_read_all, name="client_notifications_read_all"),
    path(
        "<uuid:notification_id>/",
        views.client_notification_open,
        name="client_notification_open",
    ),
    path(
        "<uuid:notification_id>/read/",
        views.client_notification_read,
        name="client_notification_read",
    ),
]
