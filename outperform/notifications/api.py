"""/api/v1/notifications/: the caller's own inbox; channels, the delivery log and preferences.

The inbox is filtered on the caller explicitly (not through
`restrict`, which shows whole-view roles every row): nobody, HR included, reads another's inbox;
another user's notification answers 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework import status as http_status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from outperform.access.scoping import restrict
from outperform.core.api import ScopedModelSerializer, ScopedModelViewSet

from .delivery import preferences_grid, preferences_save
from .filters import ChannelFilterSet, DeliveryFilterSet
from .models import Channel, Delivery, DeliveryAttempt, Notification, NotificationKind, PersonalChannel
from .resources import ChannelResource, DeliveryResource
from .selectors import inbox_for
from .services import notification_mark_read, notifications_mark_all_read


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at", "is_read"]
        read_only_fields = fields


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["kind"]

    def get_queryset(self) -> QuerySet[Notification]:
        return inbox_for(self.request.user)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        obj = self.get_object()
        assert isinstance(obj, Notification)
        notification_mark_read(user=request.user, notification=obj)
        return Response(self.get_serializer(obj).data)

    @extend_schema(request=None,
                   responses=inline_serializer("NotificationsReadAll", {"updated": serializers.IntegerField()}))
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"updated": notifications_mark_all_read(user=request.user)})


# --- channels, the delivery log and personal preferences -----------------------------------------
# Registered on the /api/v1/ router by outperform.alerts.api.register (api_urls.py lists this
# app's inbox only).

class ChannelSerializer(ScopedModelSerializer):
    """The webhook URL and the secret are write-only; reads get them masked."""

    webhook_url = serializers.URLField(max_length=500, required=False, allow_blank=True, write_only=True)
    secret = serializers.CharField(max_length=200, required=False, allow_blank=True, write_only=True,
                                   trim_whitespace=True)
    webhook_url_masked = serializers.CharField(read_only=True)
    secret_masked = serializers.CharField(read_only=True)

    class Meta:
        model = Channel
        fields = ["id", "name", "kind", "webhook_url", "webhook_url_masked", "secret", "secret_masked", "email_to",
                  "enabled", "note", "created_at", "updated_at"]

    def to_representation(self, instance: Any) -> dict[str, Any]:
        # Skip ScopedModelSerializer's personal-data masking: these fields are never read back at all.
        return serializers.ModelSerializer.to_representation(self, instance)


class ChannelViewSet(ScopedModelViewSet):
    resource = ChannelResource()
    serializer_class = ChannelSerializer
    filterset_class = ChannelFilterSet
    search_fields = ["name"]
    ordering_fields = ["name", "kind"]


class DeliveryAttemptSerializer(serializers.ModelSerializer[DeliveryAttempt]):
    class Meta:
        model = DeliveryAttempt
        fields = ["number", "at", "ok", "response_code", "response_excerpt", "error", "duration_ms"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer[Delivery]):
    attempt_log = DeliveryAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = ["id", "notification", "channel", "channel_kind", "recipient", "target", "kind", "title", "body",
                  "url", "status", "attempts", "max_attempts", "next_attempt_at", "last_attempt_at",
                  "response_code", "response_excerpt", "error", "created_at", "sent_at", "attempt_log"]
        read_only_fields = fields


class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """投递记录: admin, HR and the auditor read all; others their own e-mails."""

    serializer_class = DeliverySerializer
    permission_classes = [IsAuthenticated]
    filterset_class = DeliveryFilterSet

    def get_queryset(self) -> QuerySet[Delivery]:
        qs = DeliveryResource().queryset().prefetch_related("attempt_log")
        return restrict(qs, self.request.user, "view").order_by("-created_at", "-id")


PreferenceGrid = inline_serializer(
    "NotificationPreferences",
    {k: inline_serializer(f"NotificationPreference_{k}", {c: serializers.BooleanField() for c in PersonalChannel.values})
     for k in NotificationKind.values},
)


class OneObjectSchema(AutoSchema):
    """`list` here answers one object (the whole grid), not an array of them: without this the
    generated schema wraps the grid in an array and clients (and schemathesis) reject the answer."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


class NotificationPreferenceViewSet(viewsets.ViewSet):
    """The caller's own preferences: kind → {"inapp": bool, "email": bool}."""

    permission_classes = [IsAuthenticated]
    schema = OneObjectSchema()

    @extend_schema(responses=PreferenceGrid)
    def list(self, request: Request) -> Response:
        return Response(preferences_grid(request.user))

    @extend_schema(request=PreferenceGrid, responses={200: PreferenceGrid, 400: OpenApiTypes.OBJECT})
    def create(self, request: Request) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        grid = preferences_grid(request.user)
        errors: dict[str, str] = {}
        for kind, by_channel in data.items():
            if kind not in NotificationKind.values or not isinstance(by_channel, dict):
                errors[str(kind)] = "unknown notification kind / 未知的通知类型"
                continue
            for channel, value in by_channel.items():
                if channel not in PersonalChannel.values or not isinstance(value, bool):
                    errors[f"{kind}.{channel}"] = "expected inapp/email: true|false / 须为 true 或 false"
                    continue
                grid[kind][channel] = value
        if errors:
            return Response(errors, status=http_status.HTTP_400_BAD_REQUEST)
        preferences_save(user=request.user, grid=grid)
        return Response(preferences_grid(request.user))
