"""The homework conversation in the portal (/portal/conversation/…)."""

from django.urls import path

from conversations import portal_views

urlpatterns = [
    path("", portal_views.summaries, name="portal_summaries"),
    path("summaries/<uuid:conversation_id>/", portal_views.summary, name="portal_summary"),
    path("plans/<uuid:assignment_id>/", portal_views.plan, name="portal_plan"),
    path("missed/<uuid:occurrence_id>/", portal_views.missed, name="portal_missed"),
]
