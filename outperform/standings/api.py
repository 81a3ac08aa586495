"""/api/v1/ routes of this app, registered on the shared router by `register`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from outperform.core.api import ScopedModelSerializer, ScopedModelViewSet

from . import services
from .filters import SettlementFilterSet, SettlementRuleFilterSet, VendorStandingFilterSet
from .models import Settlement, SettlementRule, StandingBand, VendorStanding
from .resources import (
    SettlementResource,
    SettlementRuleResource,
    StandingBandResource,
    VendorStandingResource,
)


class StandingBandSerializer(ScopedModelSerializer):
    class Meta:
        model = StandingBand
        fields = ["id", "code", "name", "lower_bound", "colour", "warn_new_contract", "block_new_contract",
                  "warn_new_project_assignment", "block_new_project_assignment", "warn_new_worker",
                  "block_new_worker", "require_rectification", "termination_review"]


class VendorStandingSerializer(ScopedModelSerializer):
    vendor_name = serializers.CharField(source="vendor.name", read_only=True)

    class Meta:
        model = VendorStanding
        fields = ["id", "vendor", "vendor_name", "cycle", "period_label", "score", "period_score", "code",
                  "previous_code", "colour", "rectification_required", "termination_review", "is_current", "detail",
                  "created_at"]


class SettlementRuleSerializer(ScopedModelSerializer):
    class Meta:
        model = SettlementRule
        fields = ["id", "contract", "period_fee_fen", "standing_adjustments", "breach_deduction_fen",
                  "breach_cap_fen", "note", "created_at", "updated_at"]


class SettlementSerializer(ScopedModelSerializer):
    contract_number = serializers.CharField(source="contract.number", read_only=True)

    class Meta:
        model = Settlement
        fields = ["id", "contract", "contract_number", "vendor", "cycle", "period_label", "fee_fen", "standing_code",
                  "adjustment_pct", "standing_adjustment_fen", "breach_count", "breach_deduction_fen",
                  "deduction_fen", "final_fen", "breakdown", "state", "approved_by", "approved_at"]
        read_only_fields = fields


class RefreshResultSerializer(serializers.Serializer):
    vendors = serializers.IntegerField()
    created = serializers.IntegerField()
    changed = serializers.IntegerField()
    notified = serializers.IntegerField()


class GateDecisionSerializer(serializers.Serializer):
    allowed = serializers.BooleanField()
    warning = serializers.CharField(allow_null=True)


class GateSerializer(serializers.Serializer):
    new_contract = GateDecisionSerializer()
    new_project_assignment = GateDecisionSerializer()
    new_worker = GateDecisionSerializer()


class StandingBandViewSet(ScopedModelViewSet):
    resource = StandingBandResource()
    serializer_class = StandingBandSerializer
    search_fields = ["code", "name"]
    ordering_fields = ["lower_bound", "code"]


class SettlementRuleViewSet(ScopedModelViewSet):
    resource = SettlementRuleResource()
    serializer_class = SettlementRuleSerializer
    filterset_class = SettlementRuleFilterSet
    search_fields = ["contract__number"]
    ordering_fields = ["contract__number", "period_fee_fen"]


class ScopedReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Results computed by services: read through the resource's scoped queryset, never written
    directly (refresh and approve are their own actions)."""

    resource: Any = None

    def get_queryset(self) -> Any:
        from outperform.access.scoping import restrict

        return restrict(self.resource.queryset(), self.request.user, "view").order_by(
            *self.resource.default_ordering)


class VendorStandingViewSet(ScopedReadOnlyViewSet):
    resource = VendorStandingResource()
    serializer_class = VendorStandingSerializer
    filterset_class = VendorStandingFilterSet
    search_fields = ["vendor__name"]
    ordering_fields = ["created_at", "score"]

    @extend_schema(request=None, responses=RefreshResultSerializer)
    @action(detail=False, methods=["post"])
    def refresh(self, request: Request) -> Response:
        try:
            services.ensure_hr(request.user)
        except DjangoPermissionDenied:
            raise PermissionDenied from None
        s = services.standings_refresh(actor=request.user)
        return Response({"vendors": s.vendors, "created": s.created, "changed": s.changed, "notified": s.notified})

    @extend_schema(responses=GateSerializer)
    @action(detail=False, methods=["get"], url_path=r"gate/(?P<vendor_id>\d+)")
    def gate(self, request: Request, vendor_id: str) -> Response:
        from outperform.access.scoping import get_scoped_or_404
        from outperform.vendors.models import Vendor

        vendor = get_scoped_or_404(Vendor.objects.all(), request.user, pk=vendor_id)
        return Response({a: {"allowed": g.allowed, "warning": g.warning}
                         for a in services.GATE_ACTIONS for g in [services.vendor_gate(vendor, a)]})


class SettlementViewSet(ScopedReadOnlyViewSet):
    resource = SettlementResource()
    serializer_class = SettlementSerializer
    filterset_class = SettlementFilterSet
    search_fields = ["contract__number", "vendor__name"]
    ordering_fields = ["final_fen", "fee_fen"]

    @extend_schema(request=None, responses=SettlementSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None) -> Response:
        settlement = self.get_object()
        try:
            settlement = services.settlement_approve(actor=request.user, settlement=settlement)
        except DjangoPermissionDenied:
            raise PermissionDenied from None
        except DjangoValidationError as exc:
            raise DRFValidationError(exc.messages) from None
        return Response(SettlementSerializer(settlement, context={"request": request}).data)


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    router.register("standings/bands", StandingBandViewSet, basename="standing-band")
    router.register("standings/history", VendorStandingViewSet, basename="vendor-standing")
    router.register("standings/settlement-rules", SettlementRuleViewSet, basename="settlement-rule")
    router.register("standings/settlements", SettlementViewSet, basename="settlement")
