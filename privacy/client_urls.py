"""Privacy actions about one client, under /clients/<id>/."""

from django.urls import path

from privacy import views

urlpatterns = [
    path("privacy/erasure/", views.client_erasure_request, name="client_erasure_request"),
]
