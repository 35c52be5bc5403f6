"""Reminder URLs. Mounted at the site root, so each path says where it belongs: the portal
(``portal/``), a therapist's notifications (``notifications/``), practice settings
(``practice/reminders/``), overrides (``reminders/``) and the no-login links in emails
(``r/``)."""

from django.urls import path

from reminders import views

app_name = "reminders"
urlpatterns = [
    # The client's portal
    path("portal/notifications/", views.client_notifications, name="client_notifications"),
    path(
        "portal/notifications/read-all/",
        views.client_notifications_read_all,
        name="client_notifications_read_all",
    ),
    path(
        "portal/notifications/<uuid:notification_id>/",
        views.client_notification_open,
        name="client_notification_open",
    ),
    path(
        "portal/notifications/<uuid:notification_id>/read/",
        views.client_notification_read,
        name="client_notification_read",
    ),
    path("portal/reminders/", views.client_preferences, name="client_preferences"),
    path("portal/reminders/snooze/", views.client_snooze, name="client_snooze"),
    path("portal/reminders/calendar/", views.client_calendar, name="client_calendar"),
    # Therapists
    path("notifications/", views.staff_notifications, name="staff_notifications"),
    path(
        "notifications/read-all/",
        views.staff_notifications_read_all,
        name="staff_notifications_read_all",
    ),
    path("notifications/settings/", views.staff_preferences, name="staff_preferences"),
    path(
        "notifications/<uuid:notification_id>/",
        views.staff_notification_open,
        name="staff_notification_open",
    ),
    path(
        "notifications/<uuid:notification_id>/read/",
        views.staff_notification_read,
        name="staff_notification_read",
    ),
    # Owners and admins
    path("practice/reminders/", views.practice_policy, name="practice_policy"),
    path("practice/escalation/", views.practice_escalation, name="practice_escalation"),
    path("practice/reminders/problems/", views.delivery_problems, name="delivery_problems"),
    path(
        "practice/reminders/problems/<uuid:reminder_id>/retry/",
        views.reminder_retry,
        name="reminder_retry",
    ),
    path(
        "practice/reminders/bounces/<uuid:bounce_id>/clear/",
        views.bounce_clear,
        name="bounce_clear",
    ),
    # Overrides
    path(
        "reminders/assignments/<uuid:assignment_id>/",
        views.assignment_override,
        name="assignment_override",
    ),
    path("reminders/pathways/<uuid:pathway_id>/", views.pathway_override, name="pathway_override"),
    # Reached without signing in
    path("r/calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("r/<str:token>/", views.preferences_link, name="preferences_link"),
]
