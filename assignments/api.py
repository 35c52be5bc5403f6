"""Assignments over REST (/api/v1/...).

Staff (therapists, owners, admins): ``assignments``, ``occurrences``, ``responses`` (shared
entries only), ``reviews`` and ``flags`` (with what was done about each), limited to the
clients they may see.

Clients: ``portal/occurrences`` (their to-do; submit an entry, autosave a draft),
``portal/responses`` (their entries; edit = a new revision; the check-in) and
``portal/assignments`` (the plan; ask a question). Signed in to the portal (session) or with
an API token; a client reaches only their own rows, anything else answers 404.

Answers that do not fit the worksheet answer 400 with every problem by path:
``{"answers": [{"path": "thoughts[0].belief", "message": "…"}]}``; nothing is saved.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response as APIResponse

from accounts.audit import audit_record
from assignments import selectors
from assignments.models import Assignment, Flag, Occurrence, Response, Review
from assignments.serializers import (
    AssignmentCreateSerializer,
    AssignmentSerializer,
    AssignmentUpdateSerializer,
    CancelSerializer,
    CheckInSerializer,
    DraftSerializer,
    FlagRespondSerializer,
    FlagSerializer,
    OccurrenceSerializer,
    PortalAssignmentSerializer,
    PortalOccurrenceDetailSerializer,
    PortalOccurrenceSerializer,
    PortalResponseSerializer,
    QuestionSerializer,
    ResponseSerializer,
    ReviewCreateSerializer,
    ReviewSerializer,
    RevisionCreateSerializer,
    SubmitSerializer,
)
from assignments.services import assigning, completing, flags, reviewing
from clients.selectors import client_get
from core.api import TenantAPIMixin, id_filter
from core.forms import api_validation_error
from core.permissions import IsPracticeMember
from library.selectors import activity_get, curated_get

CLIENT_FILTER = OpenApiParameter("client", OpenApiTypes.UUID, description="Only this client's.")
ASSIGNMENT_FILTER = OpenApiParameter(
    "assignment", OpenApiTypes.UUID, description="Only this assignment's."
)


def _error(exc: ValidationError) -> DRFValidationError:
    if isinstance(exc, completing.AnswersInvalid):
        return DRFValidationError({"answers": [issue.as_dict() for issue in exc.issues]})
    return api_validation_error(exc)


# --- Staff -------------------------------------------------------------------------------


def resolve_activity(membership, data: dict) -> None:
    """Swap the activity id in validated ``data`` (practice ``activity`` or global
    ``curated_activity``) for the object the member may use; an unknown id is a 400 on its
    field, as any other bad input."""
    key = "activity" if "activity" in data else "curated_activity"
    lookup = activity_get if key == "activity" else curated_get
    try:
        data[key] = lookup(membership, data[key])
    except Http404:
        raise DRFValidationError({key: ["No activity with this id."]}) from None


class AssignmentViewSet(
    TenantAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Assignments of the clients the requesting therapist may see. Create one per activity;
    change the plan or schedule with PATCH (entries already sent are never touched); cancel
    with POST .../cancel/."""

    audit_as = "assignment"

    serializer_class = AssignmentSerializer
    permission_classes = [IsPracticeMember]
    queryset = Assignment.objects.none()  # for the schema only

    def get_queryset(self):
        return selectors.assignments_for_staff(
            self.request.membership,
            client_id=id_filter(self.request, "client"),
            status=self.request.query_params.get("status", ""),
        )

    @extend_schema(parameters=[CLIENT_FILTER, OpenApiParameter("status", str)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_object(self):
        return selectors.assignment_get(self.request.membership, self.kwargs["pk"])

    def retrieve(self, request, *args, **kwargs):
        assignment = self.get_object()
        audit_record(
            actor=request.user,
            practice=request.practice,
            action="api_view",
            obj=assignment,
            client=assignment.client,
        )
        return APIResponse(self.get_serializer(assignment).data)

    @extend_schema(request=AssignmentCreateSerializer, responses={201: AssignmentSerializer})
    def create(self, request):
        body = AssignmentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        membership = request.membership
        try:
            client = client_get(membership, data.pop("client"))
        except Http404:
            raise DRFValidationError({"client": ["No client with this id."]}) from None
        resolve_activity(membership, data)
        try:
            (assignment,) = assigning.assignments_create(
                client=client, actor=membership, items=[data]
            )
        except ValidationError as exc:
            raise _error(exc) from None
        return APIResponse(self.get_serializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AssignmentUpdateSerializer, responses=AssignmentSerializer)
    def partial_update(self, request, pk=None):
        assignment = self.get_object()
        body = AssignmentUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        try:
            assignment = assigning.assignment_update(
                assignment=assignment, actor=request.membership, **body.validated_data
            )
        except ValidationError as exc:
            raise _error(exc) from None
        return APIResponse(self.get_serializer(assignment).data)

    @extend_schema(request=CancelSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel: what is still to do is cancelled; entries already sent stay."""
        assignment = self.get_object()
        body = CancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assignment = assigning.assignment_cancel(
            assignment=assignment, actor=request.membership, **body.validated_data
        )
        return APIResponse(self.get_serializer(assignment).data)


class OccurrenceViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Each due instance of an assignment, with its state now. Mark one reviewed with
    POST .../review/ (the comment is shown to the client)."""

    audit_as = "occurrence"

    serializer_class = OccurrenceSerializer
    permission_classes = [IsPracticeMember]
    queryset = Occurrence.objects.none()

    def get_queryset(self):
        return selectors.occurrences_for_staff(
            self.request.membership,
            client_id=id_filter(self.request, "client"),
            assignment_id=id_filter(self.request, "assignment"),
        )

    @extend_schema(parameters=[CLIENT_FILTER, ASSIGNMENT_FILTER])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_object(self):
        return selectors.occurrence_get(self.request.membership, self.kwargs["pk"])

    @extend_schema(request=ReviewCreateSerializer, responses={201: ReviewSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        occurrence = self.get_object()
        body = ReviewCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            review = reviewing.occurrence_review(
                occurrence=occurrence, actor=request.membership, **body.validated_data
            )
        except ValidationError as exc:
            raise _error(exc) from None
        return APIResponse(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class ResponseViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Entries clients shared with their therapist: current answers, score, every revision
    and the check-in. Private entries are not listed."""

    audit_as = "response"

    serializer_class = ResponseSerializer
    permission_classes = [IsPracticeMember]
    queryset = Response.objects.none()

    def get_queryset(self):
        return selectors.responses_for_staff(
            self.request.membership,
            client_id=id_filter(self.request, "client"),
            assignment_id=id_filter(self.request, "assignment"),
        ).prefetch_related("revisions")

    @extend_schema(parameters=[CLIENT_FILTER, ASSIGNMENT_FILTER])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        response = selectors.response_get(request.membership, kwargs["pk"])
        audit_record(
            actor=request.user,
            practice=request.practice,
            action="api_view",
            obj=response,
            client=response.client,
        )
        return APIResponse(self.get_serializer(response).data)


class ReviewViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Reviews therapists made (create one with POST /occurrences/{id}/review/)."""

    audit_as = "review"

    serializer_class = ReviewSerializer
    permission_classes = [IsPracticeMember]
    queryset = Review.objects.none()

    def get_queryset(self):
        return selectors.reviews_for_staff(
            self.request.membership, client_id=id_filter(self.request, "client")
        )

    @extend_schema(parameters=[CLIENT_FILTER])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class FlagViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Flags (critical answers) of the clients the requesting therapist may see, open ones
    first, each with its history of responses (``events``). Record what was done with
    POST .../acknowledge/: it closes the flag (a later response is kept as a follow-up)."""

    serializer_class = FlagSerializer
    permission_classes = [IsPracticeMember]
    queryset = Flag.objects.none()
    audit_as = "flag"

    def get_queryset(self):
        return selectors.flags_for_staff(
            self.request.membership, client_id=id_filter(self.request, "client")
        )

    @extend_schema(parameters=[CLIENT_FILTER])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_object(self):
        return selectors.flag_get(self.request.membership, self.kwargs["pk"])

    def retrieve(self, request, *args, **kwargs):
        flag = self.get_object()
        audit_record(
            actor=request.user,
            practice=request.practice,
            action="api_view",
            obj=flag,
            client=flag.client,
        )
        return APIResponse(self.get_serializer(self._with_history(flag)).data)

    def _with_history(self, flag: Flag) -> Flag:
        return self.get_queryset().get(pk=flag.pk)

    @extend_schema(request=FlagRespondSerializer, responses={201: FlagSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        flag = self.get_object()
        body = FlagRespondSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            flags.flag_respond(
                flag=flag,
                actor=request.membership,
                actions=body.validated_data.get("actions", []),
                note=body.validated_data.get("note", ""),
            )
        except ValidationError as exc:
            raise _error(exc) from None
        return APIResponse(
            self.get_serializer(self._with_history(flag)).data, status=status.HTTP_201_CREATED
        )


# --- Clients -----------------------------------------------------------------------------


class PortalAPIMixin(TenantAPIMixin):
    """The client API, for a portal session (API tokens belong to practice members, so a
    client never has one). Anyone else sees nothing here: lists are empty and every object
    answers 404."""

    permission_classes = [IsAuthenticated]

    def portal_client(self):
        if self.request.client is None:
            raise Http404
        return self.request.client


class PortalOccurrenceViewSet(
    PortalAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The signed-in client's occurrences (retrieve includes the worksheet definition).
    Send an entry with POST .../responses/; autosave a draft with PUT .../draft/."""

    audit_as = "occurrence"

    serializer_class = PortalOccurrenceSerializer
    queryset = Occurrence.objects.none()

    def get_queryset(self):
        if self.request.client is None:
            return Occurrence.objects.none()
        return selectors.portal_occurrences(self.request.client)

    def get_object(self):
        return selectors.portal_occurrence_get(self.portal_client(), self.kwargs["pk"])

    @extend_schema(responses=PortalOccurrenceDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        occurrence = self.get_object()
        completing.occurrence_open(occurrence=occurrence, client=request.client)
        return APIResponse(PortalOccurrenceDetailSerializer(occurrence).data)

    @extend_schema(
        request=SubmitSerializer,
        responses={201: PortalResponseSerializer, 200: PortalResponseSerializer},
    )
    @action(detail=True, methods=["post"])
    def responses(self, request, pk=None):
        """Send an entry. The same submission_key again returns the entry it made (200)."""
        occurrence = self.get_object()
        body = SubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            response = completing.response_submit(
                occurrence=occurrence, client=request.client, **body.validated_data
            )
        except ValidationError as exc:
            raise _error(exc) from None
        created = not getattr(response, "replayed", False)
        data = PortalResponseSerializer(
            selectors.portal_response_get(request.client, response.pk),
            context={"request": request},
        ).data
        return APIResponse(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=DraftSerializer, responses=DraftSerializer)
    @action(detail=True, methods=["put"])
    def draft(self, request, pk=None):
        """Autosave what the client typed so far (nothing required yet; wrong types 400)."""
        occurrence = self.get_object()
        body = DraftSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            draft = completing.draft_save(
                occurrence=occurrence, client=request.client, answers=body.validated_data["answers"]
            )
        except ValidationError as exc:
            raise _error(exc) from None
        return APIResponse(DraftSerializer(draft).data)


class PortalResponseViewSet(
    PortalAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The signed-in client's entries. Edit one with POST .../revisions/ (a new revision;
    the earlier answers stay); record the check-in with POST .../checkin/."""

    audit_as = "response"

    serializer_class = PortalResponseSerializer
    queryset = Response.objects.none()

    def get_queryset(self):
        if self.request.client is None:
            return Response.objects.none()
        return selectors.portal_history(self.request.client).select_related(
            "checkin", "activity_version"
        )

    def get_object(self):
        return selectors.portal_response_get(self.portal_client(), self.kwargs["pk"])

    @extend_schema(request=RevisionCreateSerializer, responses=PortalResponseSerializer)
    @action(detail=True, methods=["post"])
    def revisions(self, request, pk=None):
        response = self.get_object()
        body = RevisionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            completing.response_revise(
                response=response, client=request.client, **body.validated_data
            )
        except ValidationError as exc:
            raise _error(exc) from None
        fresh = selectors.portal_response_get(request.client, response.pk)
        return APIResponse(self.get_serializer(fresh).data)

    @extend_schema(request=CheckInSerializer, responses={201: CheckInSerializer})
    @action(detail=True, methods=["post"])
    def checkin(self, request, pk=None):
        response = self.get_object()
        body = CheckInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            checkin = completing.checkin_record(
                response=response, client=request.client, **body.validated_data
            )
        except ValidationError as exc:
            raise _error(exc) from None
        return APIResponse(CheckInSerializer(checkin).data, status=status.HTTP_201_CREATED)


class PortalAssignmentViewSet(
    PortalAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The signed-in client's assignments: why, how, the plan. Ask the therapist a question
    with POST .../questions/."""

    audit_as = "assignment"

    serializer_class = PortalAssignmentSerializer
    queryset = Assignment.objects.none()

    def get_queryset(self):
        if self.request.client is None:
            return Assignment.objects.none()
        return selectors.portal_assignments(self.request.client)

    def get_object(self):
        return selectors.portal_assignment_get(self.portal_client(), self.kwargs["pk"])

    @extend_schema(request=QuestionSerializer, responses={201: QuestionSerializer})
    @action(detail=True, methods=["post"])
    def questions(self, request, pk=None):
        assignment = self.get_object()
        body = QuestionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            message = reviewing.message_post(
                assignment=assignment, client=request.client, body=body.validated_data["body"]
            )
        except ValidationError as exc:
            raise _error(exc) from None
        return APIResponse({"body": message.body}, status=status.HTTP_201_CREATED)
