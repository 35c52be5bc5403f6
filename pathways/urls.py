"""Staff pages under /pathways/. The builder routes are shared with the curator area
(pathways/curate_urls.py), which passes its own ``area``."""

from django.urls import path

from pathways import views
from pathways.views import STAFF


def builder_patterns(area):
    kwargs = {"area": area}
    return [
        path("new/", views.pathway_create, kwargs, name="create"),
        path("<uuid:pathway_id>/build/", views.builder, kwargs, name="builder"),
        path("<uuid:pathway_id>/edit/", views.pathway_edit, kwargs, name="edit"),
        path("<uuid:pathway_id>/status/", views.pathway_status, kwargs, name="status"),
        path("<uuid:pathway_id>/fhir/", views.pathway_fhir, kwargs, name="fhir"),
        path("<uuid:pathway_id>/steps/add/", views.step_add, kwargs, name="step_add"),
        path("<uuid:pathway_id>/steps/order/", views.steps_order, kwargs, name="steps_order"),
        path(
            "<uuid:pathway_id>/steps/<uuid:pathway_step_id>/",
            views.step_edit,
            kwargs,
            name="step_edit",
        ),
        path(
            "<uuid:pathway_id>/steps/<uuid:pathway_step_id>/move/",
            views.step_move,
            kwargs,
            name="step_move",
        ),
        path(
            "<uuid:pathway_id>/steps/<uuid:pathway_step_id>/remove/",
            views.step_remove,
            kwargs,
            name="step_remove",
        ),
    ]


def _enrolment_actions():
    return [
        path(
            f"enrolments/<uuid:enrolment_id>/{action}/",
            views.enrolment_action,
            {"action": action},
            name=f"enrolment_{action.replace('-', '_')}",
        )
        for action in views.ENROLMENT_ACTIONS
    ]


def _step_actions():
    return [
        path(
            f"enrolments/<uuid:enrolment_id>/steps/<uuid:enrolment_step_id>/{action}/",
            views.enrolment_step_action,
            {"action": action},
            name=f"enrolment_step_{action}",
        )
        for action in views.STEP_ACTIONS
    ]


app_name = "pathways"
urlpatterns = [
    path("", views.index, name="index"),
    path("library/", views.library, name="library"),
    path("library/<uuid:curated_pathway_id>/", views.library_detail, name="library_detail"),
    path("library/<uuid:curated_pathway_id>/copy/", views.library_copy, name="library_copy"),
    path("enrolments/<uuid:enrolment_id>/", views.enrolment_detail, name="enrolment"),
    path("enrolments/<uuid:enrolment_id>/fhir/", views.enrolment_fhir, name="enrolment_fhir"),
    path(
        "enrolments/<uuid:enrolment_id>/steps/<uuid:enrolment_step_id>/",
        views.enrolment_step_edit,
        name="enrolment_step",
    ),
    *_enrolment_actions(),
    *_step_actions(),
    path("<uuid:pathway_id>/", views.pathway_detail, name="detail"),
    path("<uuid:pathway_id>/enrol/", views.enrol, name="enrol"),
    *builder_patterns(STAFF),
]
