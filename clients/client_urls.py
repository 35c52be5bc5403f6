"""The client record's forms, in one client's tree (/clients/<id>/…)."""

from django.urls import path

from clients import views

urlpatterns = [
    path("edit/", views.client_edit, name="edit"),
    path("status/", views.client_status, name="status"),
    path("invite/", views.client_invite, name="invite"),
    path("goals/", views.goal_list, name="goals"),
    path("goals/new/", views.goal_create, name="goal_create"),
    path("goals/<uuid:goal_id>/", views.goal_detail, name="goal"),
]
