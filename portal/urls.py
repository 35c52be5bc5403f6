from django.urls import path

from portal import homework_views, offline_views, views

app_name = "portal"
urlpatterns = [
    path("", homework_views.todo, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/code/", views.sign_in_code, name="sign_in_code"),
    path("sign-in/link/<str:token>/", views.login_link, name="login_link"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("do/<uuid:occurrence_id>/", homework_views.occurrence, name="occurrence"),
    path("do/<uuid:occurrence_id>/draft/", homework_views.draft, name="draft"),
    path("entries/<uuid:response_id>/", homework_views.entry, name="entry"),
    path("entries/<uuid:response_id>/edit/", homework_views.entry_edit, name="entry_edit"),
    path("entries/<uuid:response_id>/draft/", homework_views.entry_draft, name="entry_draft"),
    path("entries/<uuid:response_id>/check-in/", homework_views.checkin, name="checkin"),
    path("homework/<uuid:assignment_id>/", homework_views.assignment, name="assignment"),
    path("history/", homework_views.history, name="history"),
    path("goals/", homework_views.goals, name="goals"),
    path("help/", views.help_now, name="help"),
    path("manifest.webmanifest", offline_views.manifest, name="manifest"),
    path("sw.js", offline_views.service_worker, name="service_worker"),
]
