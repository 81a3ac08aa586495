"""/api/v1/ routes of rewards: the same services, scoping and masking as the pages.

A service's ValidationError answers 400 with its messages; PermissionDenied 403; an object outside
the caller's scope 404.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from outperform.access.scoping import restrict, scope_for
from outperform.core.api import ScopedModelSerializer, ScopedModelViewSet
from outperform.core.masking import mask_field
from outperform.cycles.models import Cycle

from . import calc, selectors, services
from .filters import LineFilterSet, PlanFilterSet, SalaryRuleFilterSet, SuggestionFilterSet
from .models import BonusLine, BonusPlan, PlanMode, SalaryRule, SalarySuggestion
from .resources import SalaryRuleResource
from .tasks import start_prepare

T = TypeVar("T")


def call(fn: Callable[..., T], **kwargs: Any) -> T:
    try:
        return fn(**kwargs)
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise DRFValidationError(exc.message_dict) from None
        raise DRFValidationError({"non_field_errors": exc.messages}) from None


# --- plans ------------------------------------------------------------------------------------


class PlanPoolSerializer(serializers.Serializer):
    group = serializers.IntegerField(help_text="Department id (pool_department) or vendor id (pool_vendor)")
    amount = serializers.DecimalField(max_digits=15, decimal_places=2, min_value=Decimal(0),
                                      help_text="Yuan, at most two decimals; stored in fen")


class PoolsInputSerializer(serializers.Serializer):
    pools = PlanPoolSerializer(many=True)


class BonusPlanSerializer(serializers.ModelSerializer):
    cycle_name = serializers.CharField(source="cycle.name", read_only=True)
    pools = serializers.SerializerMethodField()

    class Meta:
        model = BonusPlan
        fields = ["id", "cycle", "cycle_name", "name", "mode", "coefficients", "prorate", "note", "state", "stale",
                  "line_count", "total_fen", "pools", "prepared_by", "prepared_at", "submitted_by", "submitted_at",
                  "decided_by", "decided_at", "return_reason", "created_at", "updated_at"]
        read_only_fields = fields

    def get_pools(self, obj: BonusPlan) -> list[dict[str, Any]]:
        return [{"group": p.group_id, "department": p.department_id, "vendor": p.vendor_id,
                 "amount_fen": p.amount_fen} for p in obj.pools.all()]


class PlanWriteSerializer(serializers.Serializer):
    cycle = serializers.PrimaryKeyRelatedField(queryset=Cycle.objects.all(), required=False)
    name = serializers.CharField(max_length=120, required=False)
    mode = serializers.ChoiceField(choices=PlanMode.choices, required=False)
    prorate = serializers.BooleanField(required=False)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    coefficients = serializers.DictField(child=serializers.CharField(), required=False,
                                         help_text='{"A": "1.50", ...}: grade code → coefficient')


class RewardReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class PlanTotalSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    count = serializers.IntegerField()
    bonus_fen = serializers.IntegerField()
    pool_fen = serializers.IntegerField(allow_null=True)
    allocated_fen = serializers.IntegerField(allow_null=True)
    difference_fen = serializers.IntegerField(allow_null=True)


class BonusPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
                       viewsets.GenericViewSet):
    """奖金方案: HR creates and prepares, another whole-organisation writer approves."""

    serializer_class = BonusPlanSerializer
    filterset_class = PlanFilterSet
    search_fields = ["name", "cycle__name"]
    ordering_fields = ["created_at", "total_fen", "state"]

    def get_queryset(self) -> QuerySet[BonusPlan]:
        qs = BonusPlan.objects.select_related("cycle").prefetch_related("pools")
        return restrict(qs, self.request.user).order_by("-created_at", "-id")

    def _plan(self) -> BonusPlan:
        plan = self.get_object()
        assert isinstance(plan, BonusPlan)
        return plan

    def _out(self, plan: BonusPlan, code: int = status.HTTP_200_OK) -> Response:
        plan = self.get_queryset().get(pk=plan.pk)
        return Response(BonusPlanSerializer(plan, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=PlanWriteSerializer, responses={201: BonusPlanSerializer})
    def create(self, request: Request) -> Response:
        s = PlanWriteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        missing = [f for f in ("cycle", "name") if f not in data]
        if missing:
            raise DRFValidationError({f: ["必填 / required"] for f in missing})
        plan = call(services.plan_create, actor=request.user, **data)
        return self._out(plan, status.HTTP_201_CREATED)

    @extend_schema(request=PlanWriteSerializer, responses={200: BonusPlanSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        plan = self._plan()
        s = PlanWriteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        if "cycle" in data:
            raise DRFValidationError({"cycle": ["方案的周期不能更改 / A plan's cycle can't change"]})
        plan = call(services.plan_update, actor=request.user, plan=plan, **data)
        return self._out(plan)

    def perform_destroy(self, instance: BonusPlan) -> None:
        call(services.plan_delete, actor=self.request.user, plan=instance)

    @extend_schema(request=PoolsInputSerializer, responses={200: BonusPlanSerializer})
    @action(detail=True, methods=["put"])
    def pools(self, request: Request, pk: str | None = None) -> Response:
        """Replace the pools of a pool plan: amounts in yuan, stored in fen."""
        plan = self._plan()
        s = PoolsInputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        amounts = {p["group"]: calc.yuan_to_fen(p["amount"]) for p in s.validated_data["pools"]}
        call(services.pools_set, actor=request.user, plan=plan, amounts=amounts)
        return self._out(plan)

    @extend_schema(request=None, responses={202: dict})
    @action(detail=True, methods=["post"])
    def prepare(self, request: Request, pk: str | None = None) -> Response:
        """Compute the lines in a background job; poll /api/v1/jobs/<id>/."""
        plan = self._plan()
        services.ensure_writer(request.user)
        call(services.ensure_editable, plan=plan)
        job = start_prepare(request.user, plan)  # type: ignore[arg-type]
        return Response({"job": job.pk, "state": job.state}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: BonusPlanSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        return self._out(call(services.plan_submit, actor=request.user, plan=self._plan()))

    @extend_schema(request=None, responses={200: BonusPlanSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        return self._out(call(services.plan_approve, actor=request.user, plan=self._plan()))

    @extend_schema(request=RewardReasonSerializer, responses={200: BonusPlanSerializer})
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        plan = self._plan()  # 404 outside the scope before the body is judged: a 400 would confirm the id
        s = RewardReasonSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return self._out(call(services.plan_return, actor=request.user, plan=plan,
                              reason=s.validated_data["reason"]))

    @extend_schema(responses={200: PlanTotalSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def totals(self, request: Request, pk: str | None = None) -> Response:
        """Per department or vendor: the lines the caller sees, and each pool reconciled."""
        plan = self._plan()
        rows = selectors.plan_totals(plan, selectors.lines_visible(request.user).filter(plan=plan))
        return Response(PlanTotalSerializer([r.__dict__ for r in rows], many=True).data)


# --- lines ------------------------------------------------------------------------------------


class BonusLineSerializer(serializers.ModelSerializer):
    employee_no = serializers.CharField(source="worker.employee_no", read_only=True)
    name = serializers.CharField(source="worker.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True, default=None)
    vendor_name = serializers.CharField(source="vendor.name", read_only=True, default=None)
    base_fen = serializers.SerializerMethodField()

    class Meta:
        model = BonusLine
        fields = ["id", "plan", "appraisal", "worker", "employee_no", "name", "department", "department_name",
                  "vendor", "vendor_name", "pool", "composite", "grade", "grade_name", "coefficient", "base_fen",
                  "days", "period_days", "bonus_fen", "frozen"]
        read_only_fields = fields

    def get_base_fen(self, obj: BonusLine) -> int | str | None:
        """The base bonus is personal pay: masked for roles that may not see it."""
        request = self.context.get("request")
        if request is not None and not scope_for(request.user).sees_personal_data(
                vendor_id=obj.vendor_id, user_id=obj.worker.user_id):
            return str(mask_field("base_fen", obj.base_fen))
        return obj.base_fen


class BonusLineViewSet(viewsets.ReadOnlyModelViewSet):
    """奖金明细 (read-only): scoped; vendor managers and workers see a plan's lines once approved."""

    serializer_class = BonusLineSerializer
    filterset_class = LineFilterSet
    search_fields = ["worker__employee_no", "worker__name"]
    ordering_fields = ["bonus_fen", "composite", "worker__employee_no"]

    def get_queryset(self) -> QuerySet[BonusLine]:
        return (selectors.lines_visible(self.request.user).select_related("worker", "department", "vendor")
                .order_by("plan_id", "worker__employee_no", "id"))


# --- salary -----------------------------------------------------------------------------------


class SalaryRuleSerializer(ScopedModelSerializer):
    class Meta:
        model = SalaryRule
        fields = ["id", "name", "grade_name", "match", "cycles", "min_pct", "max_pct", "priority", "is_active",
                  "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class SalaryRuleViewSet(ScopedModelViewSet):
    resource = SalaryRuleResource()
    serializer_class = SalaryRuleSerializer
    filterset_class = SalaryRuleFilterSet
    search_fields = ["name", "grade_name"]
    ordering_fields = ["priority", "name"]


class SalarySuggestionSerializer(serializers.ModelSerializer):
    employee_no = serializers.CharField(source="worker.employee_no", read_only=True)
    name = serializers.CharField(source="worker.name", read_only=True)

    class Meta:
        model = SalarySuggestion
        fields = ["id", "cycle", "worker", "employee_no", "name", "department", "vendor", "rule", "grade_name",
                  "current_salary_fen", "suggested_pct", "suggested_salary_fen", "reason", "state", "final_pct",
                  "final_salary_fen", "decided_by", "decided_at", "decision_reason"]
        read_only_fields = fields

    def to_representation(self, instance: SalarySuggestion) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not scope_for(request.user).sees_personal_data(
                vendor_id=instance.vendor_id, user_id=instance.worker.user_id):
            for name in SalarySuggestion.PERSONAL_FIELDS:
                if data.get(name) is not None:
                    data[name] = str(mask_field(name, data[name]))
        return data


class SuggestionAcceptSerializer(serializers.Serializer):
    pct = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class SuggestionGenerateSerializer(serializers.Serializer):
    cycle = serializers.PrimaryKeyRelatedField(queryset=Cycle.objects.all())


class SalarySuggestionViewSet(viewsets.ReadOnlyModelViewSet):
    """调薪建议: generated from the salary rules, accepted or rejected by HR."""

    serializer_class = SalarySuggestionSerializer
    filterset_class = SuggestionFilterSet
    search_fields = ["worker__employee_no", "worker__name"]
    ordering_fields = ["suggested_pct", "worker__employee_no"]

    def get_queryset(self) -> QuerySet[SalarySuggestion]:
        qs = SalarySuggestion.objects.select_related("worker")
        return restrict(qs, self.request.user).order_by("cycle_id", "worker__employee_no", "id")

    def _one(self) -> SalarySuggestion:
        s = self.get_object()
        assert isinstance(s, SalarySuggestion)
        return s

    @extend_schema(request=SuggestionGenerateSerializer, responses={200: dict})
    @action(detail=False, methods=["post"])
    def generate(self, request: Request) -> Response:
        s = SuggestionGenerateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        summary = call(services.suggestions_generate, actor=request.user, cycle=s.validated_data["cycle"])
        return Response(summary.__dict__)

    @extend_schema(request=SuggestionAcceptSerializer, responses={200: SalarySuggestionSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        suggestion = self._one()  # 404 outside the scope before the body is judged
        s = SuggestionAcceptSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        result = call(services.suggestion_accept, actor=request.user, suggestion=suggestion,
                      pct=s.validated_data.get("pct"), reason=s.validated_data.get("reason", ""))
        return Response(self.get_serializer(self.get_queryset().get(pk=result.pk)).data)

    @extend_schema(request=RewardReasonSerializer, responses={200: SalarySuggestionSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        suggestion = self._one()  # 404 outside the scope before the body is judged
        s = RewardReasonSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        result = call(services.suggestion_reject, actor=request.user, suggestion=suggestion,
                      reason=s.validated_data["reason"])
        return Response(self.get_serializer(self.get_queryset().get(pk=result.pk)).data)


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    router.register("bonus-plans", BonusPlanViewSet, basename="bonus-plan")
    router.register("bonus-lines", BonusLineViewSet, basename="bonus-line")
    router.register("salary-rules", SalaryRuleViewSet, basename="salary-rule")
    router.register("salary-suggestions", SalarySuggestionViewSet, basename="salary-suggestion")
