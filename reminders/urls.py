"""A therapist's reminder overrides, at /reminders/. Reminders has pages under other
prefixes too, each with its own module and all in the ``reminders`` namespace (declared in
homework_platform/urls.py): notification_urls, practice_urls, portal_urls,
portal_notification_urls and link_urls."""

from django.urls import path

from reminders import views

urlpatterns = [
    path(
        "assignments/<uuid:assignment_id>/",
        views.assignment_override,
        name="assignment_override",
    ),
    path("pathways/<uuid:pathway_id>/", views.pathway_override, name="pathway_override"),
]
