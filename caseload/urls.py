"""The caseload and client groups, at /clients/ (in the ``clients`` URL namespace: see
homework_platform/urls.py)."""

from django.urls import path

from caseload import group_views, views

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("groups/", group_views.group_list, name="group_list"),
    path("groups/<uuid:group_id>/", group_views.group_detail, name="group_detail"),
    path("groups/<uuid:group_id>/members/", group_views.group_member_add, name="group_member_add"),
    path(
        "groups/<uuid:group_id>/members/<uuid:client_id>/remove/",
        group_views.group_member_remove,
        name="group_member_remove",
    ),
    path("groups/<uuid:group_id>/assign/", group_views.group_assign, name="group_assign"),
]
