"""REST: consent documents (owners publish versions; members read), a client's consent
state, and erasure requests (ask, list, approve, decline)."""

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from core.api import TenantAPIMixin
from core.forms import api_validation_error
from core.permissions import IsPracticeMember
from privacy import selectors, services
from privacy.models import ConsentDocument, ErasureRequest
from privacy.serializers import (
    ClientConsentSerializer,
    ConsentDocumentSerializer,
    ErasureRequestCreateSerializer,
    ErasureRequestSerializer,
)


class ConsentDocumentViewSet(
    TenantAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The practice's consent document versions, newest first per kind. Owners publish a new
    version with POST; a published version is never changed or deleted (no PUT, no DELETE)."""

    audit_as = None  # practice documents, no client data
    serializer_class = ConsentDocumentSerializer
    permission_classes = [IsPracticeMember]
    queryset = ConsentDocument.objects.none()

    def get_queryset(self):
        return selectors.document_versions(self.request.practice)

    def get_object(self):
        return selectors.document_get(self.request.practice, self.kwargs["pk"])

    def perform_create(self, serializer):
        try:
            serializer.instance = services.consent_document_publish(
                membership=self.request.membership, **serializer.validated_data
            )
        except ValidationError as exc:
            raise api_validation_error(exc) from None

    @extend_schema(responses=ConsentDocumentSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def current(self, request):
        """The version in force of each kind the practice has published."""
        docs = selectors.current_documents(request.practice).values()
        full = ConsentDocument.objects.filter(pk__in=[d.pk for d in docs]).order_by("kind")
        return Response(self.get_serializer(full, many=True).data)


class ClientConsentView(TenantAPIMixin, GenericAPIView):
    """One client's answer to each document in force."""

    audit_as = "consentrecord"
    serializer_class = ClientConsentSerializer
    permission_classes = [IsPracticeMember]

    def get(self, request, client_id):
        client = selectors.client_for_staff(request.membership, client_id)
        lines = selectors.consent_state(client)
        body = {
            "client": client.pk,
            "complete": all(
                line.state == "accepted"
                for line in lines
                if line.required and line.document is not None
            ),
            "documents": lines,
        }
        return Response(ClientConsentSerializer(body).data)


class ErasureRequestViewSet(
    TenantAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Erasure requests: any member asks for a discharged client they can see; an owner
    approves (the erasure then runs in the worker) or declines."""

    audit_as = "erasurerequest"
    serializer_class = ErasureRequestSerializer
    permission_classes = [IsPracticeMember]
    queryset = ErasureRequest.objects.none()

    def get_queryset(self):
        return selectors.erasure_requests(self.request.practice)

    def get_object(self):
        return selectors.erasure_request_get(self.request.practice, self.kwargs["pk"])

    @extend_schema(request=ErasureRequestCreateSerializer, responses=ErasureRequestSerializer)
    def create(self, request):
        body = ErasureRequestCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            client = selectors.client_for_staff(request.membership, body.validated_data["client"])
        except Http404:
            raise api_validation_error(
                ValidationError({"client": "No client with this id in your caseload."})
            ) from None
        try:
            erasure = services.erasure_request_create(client=client, actor=request.user)
        except ValidationError as exc:
            raise api_validation_error(exc) from None
        return Response(ErasureRequestSerializer(erasure).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ErasureRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Owners only. Erasure cannot be undone."""
        try:
            erasure = services.erasure_request_approve(
                erasure=self.get_object(), membership=request.membership
            )
        except ValidationError as exc:
            raise api_validation_error(exc) from None
        erasure.refresh_from_db()
        return Response(ErasureRequestSerializer(erasure).data)

    @extend_schema(request=None, responses=ErasureRequestSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        try:
            erasure = services.erasure_request_decline(
                erasure=self.get_object(), membership=request.membership
            )
        except ValidationError as exc:
            raise api_validation_error(exc) from None
        return Response(ErasureRequestSerializer(erasure).data)
