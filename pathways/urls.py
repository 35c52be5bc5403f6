"""Staff pages under /pathways/. The builder routes are shared with the curator area
(pathways/curate_urls.py), which passes its own ``area``."""

from django.urls import path

from pathways.views import authoring, enrol_any, enrolments, library
from pathways.views.authoring import STAFF


def builder_patterns(area):
    kwargs = {"area": area}
    return [
        path("new/", authoring.pathway_create, kwargs, name="create"),
        path("<uuid:pathway_id>/build/", authoring.builder, kwargs, name="builder"),
        path("<uuid:pathway_id>/edit/", authoring.pathway_edit, kwargs, name="edit"),
        path("<uuid:pathway_id>/status/", authoring.pathway_status, kwargs, name="status"),
        path("<uuid:pathway_id>/fhir/", authoring.pathway_fhir, kwargs, name="fhir"),
        path("<uuid:pathway_id>/steps/add/", authoring.step_add, kwargs, name="step_add"),
        path("<uuid:pathway_id>/steps/order/", authoring.steps_order, kwargs, name="steps_order"),
        path(
            "<uuid:pathway_id>/steps/<uuid:pathway_step_id>/",
            authoring.step_edit,
            kwargs,
            name="step_edit",
        ),
        path(
            "<uuid:pathway_id>/steps/<uuid:pathway_step_id>/move/",
            authoring.step_move,
            kwargs,
            name="step_move",
        ),
        path(
            "<uuid:pathway_id>/steps/<uuid:pathway_step_id>/remove/",
            authoring.step_remove,
            kwargs,
            name="step_remove",
        ),
    ]


def _enrolment_actions():
    return [
        path(
            f"enrolments/<uuid:enrolment_id>/{action}/",
            enrolments.enrolment_action,
            {"action": action},
            name=f"enrolment_{action.replace('-', '_')}",
        )
        for action in enrolments.ENROLMENT_ACTIONS
    ]


def _step_actions():
    return [
        path(
            f"enrolments/<uuid:enrolment_id>/steps/<uuid:enrolment_step_id>/{action}/",
            enrolments.enrolment_step_action,
            {"action": action},
            name=f"enrolment_step_{action}",
        )
        for action in enrolments.STEP_ACTIONS
    ]


app_name = "pathways"
urlpatterns = [
    path("", authoring.index, name="index"),
    path("enrol/", enrol_any.enrol_any, name="enrol_any"),
    path("library/", library.library, name="library"),
    path("library/<uuid:curated_pathway_id>/", library.library_detail, name="library_detail"),
    path("library/<uuid:curated_pathway_id>/copy/", library.library_copy, name="library_copy"),
    path("enrolments/<uuid:enrolment_id>/", enrolments.enrolment_detail, name="enrolment"),
    path(
        "enrolments/<uuid:enrolment_id>/resume-hold/",
        enrolments.enrolment_hold_resume,
        name="enrolment_hold_resume",
    ),
    path("enrolments/<uuid:enrolment_id>/fhir/", enrolments.enrolment_fhir, name="enrolment_fhir"),
    path(
        "enrolments/<uuid:enrolment_id>/steps/<uuid:enrolment_step_id>/",
        enrolments.enrolment_step_edit,
        name="enrolment_step",
    ),
    *_enrolment_actions(),
    *_step_actions(),
    path("<uuid:pathway_id>/", enrolments.pathway_detail, name="detail"),
    path("<uuid:pathway_id>/enrol/", enrolments.enrol, name="enrol"),
    *builder_patterns(STAFF),
]
