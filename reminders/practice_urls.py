"""The practice's reminder policy and delivery problems, for owners and admins, at
/practice/reminders/ (beside the other practice settings)."""

from django.urls import path

from reminders import views

urlpatterns = [
    path("", views.practice_policy, name="practice_policy"),
    path("escalation/", views.practice_escalation, name="practice_escalation"),
    path("problems/", views.delivery_problems, name="delivery_problems"),
    path("problems/<uuid:reminder_id>/retry/", views.reminder_retry, name="reminder_retry"),
    path("bounces/<uuid:bounce_id>/clear/", views.bounce_clear, name="bounce_clear"),
]
