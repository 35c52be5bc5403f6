"""The homework conversation over REST (/api/v1/...).

Staff: ``conversations`` (start the review for today's session with POST, finish it with
POST .../finish/), ``conversation-items`` (review one assignment in session; change it with
PATCH), and read-only ``plan-agreements`` and ``missed-reasons`` of the clients they may see.

Clients (portal session): ``portal/plan-agreements`` (confirm a plan or propose a change,
with their confidence) and ``portal/missed-reasons`` (why a missed item was not done).

Bad input answers 400 with the problems by field; nothing is saved. Another practice's (or
another client's) ids answer 404 or, in a body, a 400 naming the field.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from assignments.api import PortalAPIMixin
from assignments.selectors import portal_assignment_get
from clients.selectors import client_get
from conversations import selectors
from conversations.models import (
    AgreementStatus,
    ItemReview,
    MissedReason,
    PlanAgreement,
    SessionConversation,
)
from conversations.serializers import (
    ConversationFinishSerializer,
    ConversationSerializer,
    ConversationStartSerializer,
    ItemReviewCreateSerializer,
    ItemReviewSerializer,
    ItemReviewWriteSerializer,
    MissedReasonCreateSerializer,
    MissedReasonSerializer,
    PlanAgreementCreateSerializer,
    PlanAgreementSerializer,
)
from conversations.services import agreeing, reasons, reviewing
from core.api import TenantAPIMixin, id_filter
from core.forms import api_validation_error
from core.permissions import IsPracticeMember

CLIENT_FILTER = OpenApiParameter("client", OpenApiTypes.UUID, description="Only this client's.")


def _found(getter, field: str, message: str):
    try:
        return getter()
    except Http404:
        raise DRFValidationError({field: [message]}) from None


class ConversationViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Homework reviews held in session, each with its items. POST starts (or picks up) the
    review for today's session of a client; POST .../finish/ records the review items and
    what was agreed (the client then sees the summary)."""

    audit_as = "conversation"
    serializer_class = ConversationSerializer
    permission_classes = [IsPracticeMember]
    queryset = SessionConversation.objects.none()

    def get_queryset(self):
        return selectors.conversations_for_staff(
            self.request.membership, client_id=id_filter(self.request, "client")
        )

    def get_object(self):
        return selectors.conversation_for_staff(self.request.membership, self.kwargs["pk"])

    @extend_schema(parameters=[CLIENT_FILTER])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ConversationStartSerializer, responses={201: ConversationSerializer})
    def create(self, request):
        body = ConversationStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        client = _found(
            lambda: client_get(request.membership, body.validated_data["client"]),
            "client",
            "No client with this id.",
        )
        try:
            conversation = reviewing.conversation_start(client=client, actor=request.membership)
        except ValidationError as exc:
            raise api_validation_error(exc) from None
        return Response(self.get_serializer(conversation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ConversationFinishSerializer, responses=ConversationSerializer)
    @action(detail=True, methods=["post"])
    def finish(self, request, pk=None):
        conversation = self.get_object()
        body = ConversationFinishSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            conversation = reviewing.conversation_finish(
                conversation=conversation, actor=request.membership, **body.validated_data
            )
        except ValidationError as exc:
            raise api_validation_error(exc) from None
        return Response(self.get_serializer(conversation).data)


class ItemReviewViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """One assignment reviewed in one session. POST records it (once per session and
    assignment: a second is a 400); PATCH changes it. ``decision: stop`` cancels the
    assignment."""

    audit_as = "itemreview"
    serializer_class = ItemReviewSerializer
    permission_classes = [IsPracticeMember]
    queryset = ItemReview.objects.none()

    def get_queryset(self):
        conversations = selectors.conversations_for_staff(
            self.request.membership, client_id=id_filter(self.request, "client")
        )
        return ItemReview.objects.filter(conversation__in=conversations.values("pk")).order_by(
            "-created_at", "pk"
        )

    def get_object(self):
        return selectors.item_for_staff(self.request.membership, self.kwargs["pk"])

    @extend_schema(parameters=[CLIENT_FILTER])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ItemReviewCreateSerializer, responses={201: ItemReviewSerializer})
    def create(self, request):
        body = ItemReviewCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.service_kwargs()
        conversation = _found(
            lambda: selectors.conversation_for_staff(request.membership, data.pop("conversation")),
            "conversation",
            "No review with this id.",
        )
        assignment_id = data.pop("assignment")
        assignment = _found(
            lambda: selectors.conversation_assignment_get(conversation, assignment_id),
            "assignment",
            "No homework of this client with this id.",
        )
        try:
            item = reviewing.item_review_record(
                conversation=conversation, assignment=assignment, actor=request.membership, **data
            )
        except ValidationError as exc:
            raise api_validation_error(exc) from None
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ItemReviewWriteSerializer, responses=ItemReviewSerializer)
    def partial_update(self, request, pk=None):
        item = self.get_object()
        current = {
            "outcome": item.outcome,
            "learned": item.learned,
            "obstacles": item.obstacles,
            "reason": item.reason,
            "reason_text": item.reason_text,
            "decision": item.decision,
            **item.levels,
        }
        body = ItemReviewWriteSerializer(data={**current, **request.data})
        body.is_valid(raise_exception=True)
        try:
            item = reviewing.item_review_update(
                item=item, actor=request.membership, **body.service_kwargs()
            )
        except ValidationError as exc:
            raise api_validation_error(exc) from None
        return Response(self.get_serializer(item).data)


class PlanAgreementViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The clients' answers to their plans: confirmed or a change proposed, and their
    confidence 0–10."""

    audit_as = "planagreement"
    serializer_class = PlanAgreementSerializer
    permission_classes = [IsPracticeMember]
    queryset = PlanAgreement.objects.none()

    def get_queryset(self):
        return selectors.agreements_for_staff(
            self.request.membership, client_id=id_filter(self.request, "client")
        )

    @extend_schema(parameters=[CLIENT_FILTER])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class MissedReasonViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The clients' reasons for missed homework."""

    audit_as = "missedreason"
    serializer_class = MissedReasonSerializer
    permission_classes = [IsPracticeMember]
    queryset = MissedReason.objects.none()

    def get_queryset(self):
        return selectors.reasons_for_staff(
            self.request.membership, client_id=id_filter(self.request, "client")
        )

    @extend_schema(parameters=[CLIENT_FILTER])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


# --- Clients ---------------------------------------------------------------------------------


# A portal write names the client's own assignment or occurrence: one that is not theirs (or a
# caller who is not a signed-in client) is not found, as everywhere.
NOT_FOUND_FOR_CLIENT = OpenApiResponse(
    description="The assignment or occurrence is not one of the signed-in client's, or the "
    "caller is not a signed-in client."
)


class PortalPlanAgreementViewSet(
    PortalAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The signed-in client's answers to their plans. POST confirms a plan or proposes a
    change (``status``), with their confidence; answering again replaces the answer."""

    audit_as = "planagreement"
    serializer_class = PlanAgreementSerializer
    queryset = PlanAgreement.objects.none()

    def get_queryset(self):
        if self.request.client is None:
            return PlanAgreement.objects.none()
        return PlanAgreement.objects.filter(client=self.request.client).order_by("-created_at")

    def get_object(self):
        return selectors.portal_agreement_get(self.portal_client(), self.kwargs["pk"])

    @extend_schema(
        request=PlanAgreementCreateSerializer,
        responses={201: PlanAgreementSerializer, 404: NOT_FOUND_FOR_CLIENT},
    )
    def create(self, request):
        client = self.portal_client()
        body = PlanAgreementCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        assignment = _found(
            lambda: portal_assignment_get(client, data["assignment"]),
            "assignment",
            "No homework of yours with this id.",
        )
        try:
            agreement = agreeing.plan_agreement_give(
                assignment=assignment,
                client=client,
                confirmed=data["status"] == AgreementStatus.CONFIRMED,
                confidence=data["confidence"],
                proposed_change=data["proposed_change"],
            )
        except ValidationError as exc:
            raise api_validation_error(exc) from None
        return Response(self.get_serializer(agreement).data, status=status.HTTP_201_CREATED)


class PortalMissedReasonViewSet(
    PortalAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The signed-in client's reasons for missed homework. POST gives one (only for a
    missed item, once)."""

    audit_as = "missedreason"
    serializer_class = MissedReasonSerializer
    queryset = MissedReason.objects.none()

    def get_queryset(self):
        if self.request.client is None:
            return MissedReason.objects.none()
        return MissedReason.objects.filter(client=self.request.client).order_by("-created_at")

    def get_object(self):
        client = self.portal_client()
        try:
            return MissedReason.objects.get(pk=self.kwargs["pk"], client=client)
        except (MissedReason.DoesNotExist, ValueError):
            raise Http404 from None

    @extend_schema(
        request=MissedReasonCreateSerializer,
        responses={201: MissedReasonSerializer, 404: NOT_FOUND_FOR_CLIENT},
    )
    def create(self, request):
        client = self.portal_client()
        body = MissedReasonCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        occurrence = _found(
            lambda: selectors.portal_missed_get(client, data["occurrence"]),
            "occurrence",
            "No homework of yours with this id.",
        )
        try:
            reason = reasons.missed_reason_give(
                occurrence=occurrence, client=client, reason=data["reason"], text=data["text"]
            )
        except ValidationError as exc:
            raise api_validation_error(exc) from None
        return Response(self.get_serializer(reason).data, status=status.HTTP_201_CREATED)
