"""FHIR R4 exchange of a client's record over the REST API (``application/fhir+json``):

- ``GET  /api/v1/clients/<id>/fhir/``: the client's Bundle (Patient, CarePlan, responses,
  Observations);
- ``GET  /api/v1/clients/<id>/fhir/observations/``: their measure totals (a searchset);
- ``GET  /api/v1/responses/<id>/fhir/``: one entry as a QuestionnaireResponse;
- ``POST /api/v1/clients/<id>/fhir/import/``: a QuestionnaireResponse, or a Bundle of them,
  made elsewhere, into the client's assignment of the same activity.

Staff see what the client shared with them; a client from another practice, or one the
member may not see, is 404.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import audit_record
from clients.selectors import client_get
from core.api import JSONParser, TenantAPIMixin, id_filter
from core.forms import api_validation_error
from core.permissions import IsPracticeMember
from reports import fhir
from reports.fhir_import import fhir_import


class FhirJSONRenderer(JSONRenderer):
    media_type = fhir.FHIR_JSON
    format = "fhir"


class FhirJSONParser(JSONParser):
    media_type = fhir.FHIR_JSON


# The same resource either way: FHIR's media type, or plain JSON for a client that asks for it.
FHIR_OK = {
    (200, fhir.FHIR_JSON): OpenApiTypes.OBJECT,
    (200, "application/json"): OpenApiTypes.OBJECT,
}


class _FhirView(TenantAPIMixin, APIView):
    permission_classes = [IsPracticeMember]
    # FHIR's own media type first (what ``Accept: */*`` gets); plain JSON for tools that ask.
    renderer_classes = [FhirJSONRenderer, JSONRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400:
            # Errors are the API's usual JSON ({field: [messages]}), not FHIR resources.
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response


class ClientBundleView(_FhirView):
    """The client's record as a FHIR R4 Bundle of type ``collection``: a minimal Patient (the
    practice's id and the name it holds), a CarePlan with an activity per assignment, each
    entry the client shared as a QuestionnaireResponse and each measure total as an
    Observation (LOINC-coded where the measure has a code)."""

    audit_as = "client"

    @extend_schema(responses=FHIR_OK, operation_id="fhir_client_bundle")
    def get(self, request, client_id):
        client = client_get(request.membership, client_id)
        bundle = fhir.client_bundle(
            client,
            responses=fhir.entries_for_staff(client),
            assignments=fhir.assignments_of(client),
            now=timezone.now(),
        )
        return Response(bundle)


class ClientObservationsView(_FhirView):
    """The client's measure totals as FHIR R4 Observations (category ``survey``), in a
    Bundle of type ``searchset``; each derives from its QuestionnaireResponse."""

    audit_as = "client"

    @extend_schema(
        responses=FHIR_OK,
        operation_id="fhir_client_observations",
    )
    def get(self, request, client_id):
        client = client_get(request.membership, client_id)
        return Response(
            fhir.observations_bundle(fhir.entries_for_staff(client), now=timezone.now())
        )


class ResponseFhirView(_FhirView):
    """One entry the client shared, as a FHIR R4 QuestionnaireResponse whose
    ``questionnaire`` is the canonical of the activity version's Questionnaire."""

    audit_as = "response"

    @extend_schema(responses=FHIR_OK, operation_id="fhir_response")
    def get(self, request, response_id):
        return Response(
            fhir.response_resource(fhir.entry_for_staff(request.membership, response_id))
        )


class FhirImportResultSerializer(serializers.Serializer):
    imported = serializers.ListField(child=serializers.UUIDField(), help_text="The entries' ids.")
    created = serializers.IntegerField(
        help_text="How many are new (the rest were imported before)."
    )


class ClientFhirImportView(_FhirView):
    """Import a FHIR R4 QuestionnaireResponse, or a Bundle of them (our own client Bundle
    among them), made elsewhere, as entries of this client. Each goes to the client's
    assignment whose activity has the response's Questionnaire (or to ``?assignment=<id>``)
    and through the same checks, scoring and risk rules as a portal entry. Importing the
    same response again makes no second entry. A bad answer is a 400 naming it
    (``answers.<field>``, ``entry[<n>].answers.<field>`` in a Bundle); nothing is saved."""

    audit_as = None  # answers nothing back but ids
    parser_classes = [FhirJSONParser, JSONParser]

    @extend_schema(
        request={fhir.FHIR_JSON: OpenApiTypes.OBJECT, "application/json": OpenApiTypes.OBJECT},
        parameters=[OpenApiParameter("assignment", OpenApiTypes.UUID, required=False)],
        responses={201: FhirImportResultSerializer, 200: FhirImportResultSerializer},
        operation_id="fhir_client_import",
    )
    def post(self, request, client_id):
        client = client_get(request.membership, client_id)
        assignment_id = id_filter(request, "assignment")
        try:
            entries = fhir_import(
                client=client,
                actor=request.user,
                resource=request.data,
                assignment_id=assignment_id,
            )
        except ValidationError as exc:
            raise api_validation_error(exc) from None
        audit_record(
            actor=request.user, practice=request.practice, action="fhir_import", obj=client
        )
        created = sum(not entry.replayed for entry in entries)
        body = {"imported": [str(e.pk) for e in entries], "created": created}
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
