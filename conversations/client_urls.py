"""The homework conversation of one client (/clients/<id>/conversation/…)."""

from django.urls import path

from conversations import views

urlpatterns = [
    path("conversation/", views.start, name="start"),
    path("conversation/<uuid:conversation_id>/", views.review, name="review"),
    path(
        "conversation/<uuid:conversation_id>/items/<uuid:assignment_id>/",
        views.item_save,
        name="item_save",
    ),
    path("conversation/<uuid:conversation_id>/finish/", views.finish, name="finish"),
    path("conversation/<uuid:conversation_id>/summary/", views.summary, name="summary"),
]
