"""The client page, the root of one client's tree (/clients/<id>/)."""

from django.urls import path

from caseload import views

urlpatterns = [
    path("", views.client_detail, name="detail"),
    path("discharge/", views.client_discharge, name="discharge"),
]
