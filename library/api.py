"""The activity library over REST (/api/v1/library/...), for practice staff.

Invalid content answers 400 with every problem by path:
``{"definition": [{"path": "definition.sections[0].fields[1].type", "message": "…"}]}``.
"""

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api import TenantAPIMixin
from core.forms import api_validation_error
from core.permissions import IsPracticeMember
from library import exports, selectors, services
from library.models import Activity, ActivityMedia, CuratedActivity
from library.serializers import (
    ActivityListSerializer,
    ActivitySerializer,
    ContentChangeSerializer,
    ContentSerializer,
    CuratedListSerializer,
    CuratedSerializer,
    ImportResultSerializer,
    ImportSerializer,
    MediaSerializer,
    VersionSerializer,
    VersionSummarySerializer,
)
from library.services import ContentError

SEARCH_PARAMETERS = [
    OpenApiParameter("q", str, description="Words to find in title, rationale and tags."),
    OpenApiParameter("kind", str, enum=["worksheet", "measure", "practice log", "reading"]),
    OpenApiParameter("approach", str, description="e.g. CBT"),
    OpenApiParameter("problem", str, description="e.g. anxiety"),
]


def _error(exc: ValidationError) -> DRFValidationError:
    if isinstance(exc, ContentError):
        detail: dict = {}
        for issue in exc.issues:
            key = issue.path.split(".")[0].split("[")[0] or "definition"
            detail.setdefault(key, []).append({"path": issue.path, "message": issue.message})
        return DRFValidationError(detail)
    return api_validation_error(exc)


def _filters(request) -> dict:
    params = request.query_params
    return {name: params.get(name, "") for name in ("q", "kind", "approach", "problem")}


def _content(data: dict) -> dict:
    """Serializer data as version content (tags arrive under their own names)."""
    return {key: value for key, value in data.items() if value is not None}


@extend_schema_view(list=extend_schema(parameters=SEARCH_PARAMETERS))
class ActivityViewSet(
    TenantAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The practice's library: activities built here, customised copies and global items used
    as they are (``is_linked_copy``). Unshared activities are listed only for their author."""

    audit_as = None  # worksheets, not anyone's answers

    permission_classes = [IsPracticeMember]
    queryset = Activity.objects.none()  # for the schema only; get_queryset scopes requests

    def get_serializer_class(self):
        return ActivityListSerializer if self.action == "list" else ActivitySerializer

    def get_queryset(self):
        return selectors.practice_activities(
            self.request.membership, include_linked=True, **_filters(self.request)
        )

    def get_object(self):
        return selectors.activity_get(self.request.membership, self.kwargs["pk"])

    def _editable(self):
        return selectors.activity_get_for_edit(self.request.membership, self.kwargs["pk"])

    @extend_schema(request=ContentSerializer, responses={201: ActivitySerializer})
    def create(self, request):
        """Create an activity: a private draft (version 1) until published and shared."""
        body = ContentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            activity = services.activity_create(
                practice=request.practice, actor=request.membership, **_content(body.validated_data)
            )
        except ValidationError as exc:
            raise _error(exc) from None
        activity = selectors.activity_get(request.membership, activity.pk)
        return Response(ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None, responses=VersionSummarySerializer(many=True))
    @extend_schema(
        methods=["POST"], request=ContentChangeSerializer, responses={201: VersionSerializer}
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def versions(self, request, pk=None):
        """GET: every version, newest first. POST: change the activity — the changes go into
        its draft (the next version), which ``publish`` makes current."""
        if request.method == "GET":
            activity = self.get_object()
            versions = selectors.activity_versions(activity)
            return Response(VersionSummarySerializer(versions, many=True).data)
        activity = self._editable()
        body = ContentChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            draft = services.activity_draft_save(
                activity=activity, actor=request.membership, **_content(body.validated_data)
            )
        except ValidationError as exc:
            raise _error(exc) from None
        return Response(VersionSerializer(draft).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: ActivitySerializer})
    @action(detail=True, methods=["post"])
    def adapt(self, request, pk=None):
        """An unlocked copy of this validated instrument (see ``library/global/{id}/adapt``)."""
        try:
            adapted = services.activity_adapt(
                practice=request.practice, actor=request.membership, activity=self.get_object()
            )
        except ValidationError as exc:
            raise _error(exc) from None
        adapted = selectors.activity_get(request.membership, adapted.pk)
        return Response(ActivitySerializer(adapted).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish the draft: new assignments use it; earlier ones keep their version."""
        try:
            services.activity_publish(activity=self._editable(), actor=request.membership)
        except ValidationError as exc:
            raise _error(exc) from None
        return Response(ActivitySerializer(self.get_object()).data)

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """The current version in Bridgework's own JSON format (``import`` reads it back)."""
        return Response(exports.activity_document(self.get_object()))

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def fhir(self, request, pk=None):
        """The current version as a FHIR R4 Questionnaire."""
        return Response(exports.activity_questionnaire(self.get_object()))

    @extend_schema(request=ImportSerializer, responses={201: ImportResultSerializer})
    @action(detail=False, methods=["post"], url_path="import")
    def import_document(self, request):
        """Import a Bridgework activity document or a FHIR R4 Questionnaire as a private draft.
        What a Questionnaire holds that cannot be mapped is listed in ``skipped``."""
        body = ImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        document = body.validated_data["document"]
        try:
            activity, skipped = services.activity_import(
                practice=request.practice, actor=request.membership, document=document
            )
        except ValidationError as exc:
            raise _error(exc) from None
        activity = selectors.activity_get(request.membership, activity.pk)
        data = {"activity": ActivitySerializer(activity).data, "skipped": skipped}
        return Response(data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(parameters=SEARCH_PARAMETERS))
class CuratedActivityViewSet(
    TenantAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The global library (published items). ``adopt`` uses one as it is; ``copy`` makes a
    customisable copy in the practice library."""

    audit_as = None  # worksheets, not anyone's answers

    permission_classes = [IsPracticeMember]
    queryset = CuratedActivity.objects.none()  # for the schema only

    def get_serializer_class(self):
        return CuratedListSerializer if self.action == "list" else CuratedSerializer

    def get_queryset(self):
        return selectors.global_activities(self.request.membership, **_filters(self.request))

    def get_object(self):
        return selectors.curated_get(self.request.membership, self.kwargs["pk"])

    @extend_schema(request=None, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def adopt(self, request, pk=None):
        """Use it as it is: the practice's linked copy (created once, kept up to date)."""
        return self._to_practice(services.activity_adopt)

    @extend_schema(request=None, responses={201: ActivitySerializer})
    @action(detail=True, methods=["post"])
    def copy(self, request, pk=None):
        """Copy it into the practice library to change it (a private copy)."""
        return self._to_practice(services.activity_customise, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: ActivitySerializer})
    @action(detail=True, methods=["post"])
    def adapt(self, request, pk=None):
        """An unlocked copy of a validated instrument (PHQ-9, GAD-7, …) to change its
        questions: "Adapted from <name>", without the instrument's LOINC codes, so its scores
        are not counted as the instrument's. 400 for anything else (use ``copy``)."""
        return self._to_practice(services.activity_adapt, status.HTTP_201_CREATED)

    def _to_practice(self, service, code=status.HTTP_200_OK):
        request = self.request
        try:
            activity = service(
                practice=request.practice, actor=request.membership, curated=self.get_object()
            )
        except ValidationError as exc:
            raise _error(exc) from None
        activity = selectors.activity_get(request.membership, activity.pk)
        return Response(ActivitySerializer(activity).data, status=code)

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """The current version in Bridgework's own JSON format."""
        return Response(exports.curated_document(self.get_object()))

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def fhir(self, request, pk=None):
        """The current version as a FHIR R4 Questionnaire."""
        return Response(exports.curated_questionnaire(self.get_object()))


class MediaViewSet(TenantAPIMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Upload audio, video or an image for a media field (``"upload": id`` in a definition).
    The content is checked, not only the name; at most 20 MB."""

    audit_as = None  # worksheet images

    permission_classes = [IsPracticeMember]
    serializer_class = MediaSerializer
    parser_classes = [MultiPartParser, FormParser]
    queryset = ActivityMedia.objects.none()  # for the schema only

    def perform_create(self, serializer):
        try:
            serializer.instance = services.media_upload(
                practice=self.request.practice,
                actor=self.request.membership,
                uploaded=serializer.validated_data["file"],
                kind=serializer.validated_data.get("kind"),
            )
        except ValidationError as exc:
            raise _error(exc) from None
