from django.urls import path

from clients import views

app_name = "clients"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("new/", views.client_create, name="create"),
    path("<uuid:client_id>/", views.client_detail, name="detail"),
    path("<uuid:client_id>/edit/", views.client_edit, name="edit"),
    path("<uuid:client_id>/status/", views.client_status, name="status"),
    path("<uuid:client_id>/discharge/", views.client_discharge, name="discharge"),
    path("<uuid:client_id>/invite/", views.client_invite, name="invite"),
]
