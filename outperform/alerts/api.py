"""/api/v1/ routes of this app, registered on the shared router by `register`:

- alert-rules/ (CRUD, admin and HR write; params validated per kind, errors named per parameter);
- alerts/ (read, scoped) with POST alerts/{id}/acknowledge/ and alerts/{id}/resolve/ {"note": …};
- alert-kinds/ (the registry: keys, labels, parameters, availability).

The notification channels, the delivery log and personal preferences of outperform.notifications
are registered here too (api_urls.py lists that app's inbox only).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from outperform.core.api import ScopedModelSerializer, ScopedModelViewSet
from outperform.notifications.api import ChannelViewSet, DeliveryViewSet, NotificationPreferenceViewSet

from .filters import AlertFilterSet, AlertRuleFilterSet
from .kinds import ParamsError, all_kinds, params_json, validate_params
from .models import Alert, AlertRule
from .resources import AlertRuleResource
from .selectors import alert_list, alert_may_change
from .services import alert_acknowledge, alert_resolve


class AlertRuleSerializer(ScopedModelSerializer):
    kind_label = serializers.CharField(read_only=True)

    class Meta:
        model = AlertRule
        fields = ["id", "name", "kind", "kind_label", "params", "severity", "owner_mode", "owner", "channels",
                  "department", "vendor", "enabled", "auto_resolve", "last_evaluated_at", "last_status",
                  "last_message", "created_at", "updated_at"]
        read_only_fields = ["last_evaluated_at", "last_status", "last_message", "created_at", "updated_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        kind = attrs.get("kind", getattr(self.instance, "kind", ""))
        params = attrs.get("params", getattr(self.instance, "params", {}))
        try:
            attrs["params"] = params_json(validate_params(kind, params))
        except ParamsError as exc:
            if "kind" in exc.errors:
                raise DRFValidationError({"kind": [exc.errors["kind"]]}) from None
            raise DRFValidationError({"params": exc.errors}) from None
        return attrs


class AlertRuleViewSet(ScopedModelViewSet):
    resource = AlertRuleResource()
    serializer_class = AlertRuleSerializer
    filterset_class = AlertRuleFilterSet
    search_fields = ["name"]
    ordering_fields = ["name", "kind", "severity"]


class AlertSerializer(serializers.ModelSerializer[Alert]):
    rule_name = serializers.CharField(source="rule.name", read_only=True)

    class Meta:
        model = Alert
        fields = ["id", "rule", "rule_name", "kind", "dedup_key", "state", "severity", "owner", "title", "message",
                  "subject", "url", "department", "vendor", "first_seen_at", "last_seen_at", "acknowledged_at",
                  "acknowledged_by", "ack_note", "resolved_at", "resolved_by", "resolve_note"]
        read_only_fields = fields


NoteRequest = inline_serializer("AlertNote", {"note": serializers.CharField(required=False, allow_blank=True)})


class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AlertSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = AlertFilterSet
    search_fields = ["title", "subject", "message"]
    ordering_fields = ["last_seen_at", "first_seen_at", "severity", "state"]

    def get_queryset(self) -> QuerySet[Alert]:
        return alert_list(self.request.user).order_by("-last_seen_at", "-id")

    def _act(self, request: Request, action_name: str) -> Response:
        alert = self.get_object()
        if not alert_may_change(request.user, alert):
            raise PermissionDenied
        note = str(request.data.get("note", "")) if hasattr(request.data, "get") else ""
        try:
            if action_name == "ack":
                alert = alert_acknowledge(actor=request.user, alert=alert, note=note)  # type: ignore[arg-type]
            else:
                alert = alert_resolve(actor=request.user, alert=alert, note=note)  # type: ignore[arg-type]
        except DjangoValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            raise DRFValidationError(detail) from None
        return Response(self.get_serializer(alert).data)

    @extend_schema(request=NoteRequest, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, "ack")

    @extend_schema(request=NoteRequest, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, "resolve")


class AlertKindViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=inline_serializer("AlertKind", {
        "key": serializers.CharField(), "label": serializers.CharField(), "available": serializers.BooleanField(),
        "source": serializers.CharField(), "params": serializers.ListField(child=serializers.DictField()),
    }, many=True))
    def list(self, request: Request) -> Response:
        return Response([
            {"key": k.key, "label": str(k.label), "description": str(k.description), "available": k.available(),
             "source": str(k.source),
             "params": [{"name": p.name, "label": str(p.label), "type": p.type, "required": p.required,
                         "default": None if p.default is None else str(p.default) if p.type == "decimal" else p.default,
                         "min": None if p.min is None else str(p.min), "max": None if p.max is None else str(p.max),
                         "choices": [c for c, _label in p.choices]} for p in k.params_schema]}
            for k in all_kinds()
        ])


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets (and the notification channels') to the /api/v1/ router."""
    router.register("alert-rules", AlertRuleViewSet, basename="alert-rule")
    router.register("alerts", AlertViewSet, basename="alert")
    router.register("alert-kinds", AlertKindViewSet, basename="alert-kind")
    router.register("notification-channels", ChannelViewSet, basename="notification-channel")
    router.register("deliveries", DeliveryViewSet, basename="delivery")
    router.register("notification-preferences", NotificationPreferenceViewSet, basename="notification-preference")
