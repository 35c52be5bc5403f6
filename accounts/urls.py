from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.practice_settings, name="practice_settings"),
    path("members/", views.members, name="members"),
    path("members/<uuid:membership_id>/role/", views.member_update, name="member_update"),
    path("members/<uuid:membership_id>/remove/", views.member_remove, name="member_remove"),
    path(
        "invitations/<uuid:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitations/accept/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("switch/", views.practice_switch, name="practice_switch"),
    path("audit/", views.audit_log, name="audit_log"),
    path("api-token/", views.api_token, name="api_token"),
    path("api-token/new/", views.api_token_create, name="api_token_create"),
    path("api-token/<uuid:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("api-tokens/", views.api_token_practice, name="api_token_practice"),
]
