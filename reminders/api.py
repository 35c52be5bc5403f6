from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import TenantAPIMixin
from core.permissions import IsPracticeMember
from reminders import selectors
from reminders.models import Notification
from reminders.serializers import NotificationSerializer, ReadAllSerializer
from reminders.services import inbox


class NotificationViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The requesting therapist's notifications, newest first (``?unread=1``: unread only)."""

    audit_as = "notification"

    serializer_class = NotificationSerializer
    permission_classes = [IsPracticeMember]
    queryset = Notification.objects.none()  # for the schema only; get_queryset scopes requests

    def get_queryset(self):
        notifications = selectors.notifications_for_staff(self.request.membership)
        if self.request.query_params.get("unread") == "1":
            notifications = notifications.filter(read_at=None)
        return notifications

    def get_object(self):
        return selectors.notification_for_staff(self.request.membership, self.kwargs["pk"])

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = inbox.notification_mark_read(notification=self.get_object())
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses=ReadAllSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        marked = inbox.notifications_mark_all_read(membership=request.membership)
        return Response({"marked": marked})
