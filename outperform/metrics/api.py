"""/api/v1/ routes of the metrics app: definitions, evaluation, values, refresh."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from outperform.access.scoping import get_scoped_or_404, scope_for
from outperform.core.api import ScopedModelSerializer, ScopedModelViewSet
from outperform.core.audit import snapshot
from outperform.cycles.models import Cycle, MetricValue

from . import selectors
from .filters import MetricFilterSet
from .forms import ExploreForm
from .models import Metric
from .resources import MetricResource
from .sources import source_choices


class MetricSerializer(ScopedModelSerializer):
    source = serializers.ChoiceField(choices=(), allow_blank=True, required=False,  # type: ignore[assignment]
                                     help_text="record source key; empty for a formula metric")

    class Meta:
        model = Metric
        fields = ["id", "code", "name", "description", "source", "aggregation", "expression", "field", "percentile",
                  "filters", "numerator", "scale", "unit", "levels", "empty_as_zero", "is_active", "is_builtin"]
        read_only_fields = ["is_builtin"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["source"].choices = source_choices()
        return fields


@extend_schema_serializer(component_name="MetricPart")
class PartSerializer(serializers.Serializer):
    metric = serializers.CharField(help_text="the code the formula names")
    name = serializers.CharField(allow_null=True, help_text="null: no metric has this code")
    value = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True,
                                     help_text="null: not applicable")
    unit = serializers.CharField(allow_blank=True)


class OutcomeSerializer(serializers.Serializer):
    metric = serializers.CharField()
    level = serializers.CharField(allow_null=True)
    subject = serializers.IntegerField(allow_null=True)
    start = serializers.DateField()
    end = serializers.DateField()
    value = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True,
                                     help_text="null: not applicable (no data in the period)")
    count = serializers.IntegerField()
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True)
    trend = serializers.ListField(child=serializers.DictField())
    parts = PartSerializer(many=True, help_text="formula metrics: the value of each metric the formula names")


class RefreshInputSerializer(serializers.Serializer):
    cycle = serializers.IntegerField()


class MetricViewSet(ScopedModelViewSet):
    """数据指标 definitions (HR writes; every signed-in role reads)."""

    resource = MetricResource()
    serializer_class = MetricSerializer
    filterset_class = MetricFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]

    def _save(self, serializer: serializers.BaseSerializer[Any], instance: Any) -> None:
        # The base class takes list values for many-to-many fields; here lists are JSON fields.
        data = dict(serializer.validated_data)
        before = snapshot(instance) if instance is not None else None
        obj = instance if instance is not None else Metric()
        for key, value in data.items():
            setattr(obj, key, value)
        try:
            with transaction.atomic():
                self.resource.save(actor=self.request.user, obj=obj, before=before)
        except DjangoValidationError as exc:
            raise DRFValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from None
        serializer.instance = obj

    @extend_schema(
        parameters=[OpenApiParameter("level", OpenApiTypes.STR, description="vendor|worker|project|department"),
                    OpenApiParameter("subject", OpenApiTypes.INT),
                    OpenApiParameter("cycle", OpenApiTypes.INT, description="use the cycle's period"),
                    OpenApiParameter("start", OpenApiTypes.DATE), OpenApiParameter("end", OpenApiTypes.DATE)],
        responses={200: OutcomeSerializer},
    )
    @action(detail=True, methods=["get"])
    def evaluate(self, request: Request, pk: str | None = None) -> Response:
        """The metric over a period for one subject the caller may see (404 otherwise), or over all
        the records the caller may see when no subject is given."""
        metric = self.get_object()
        form = ExploreForm({**request.query_params.dict(), "metric": metric.pk})
        if not form.is_valid():
            return Response(form.errors, status=status.HTTP_400_BAD_REQUEST)
        d = form.cleaned_data
        result = selectors.explore(request.user, metric, d.get("level") or None, d.get("subject"), d["start"],
                                   d["end"])
        o = result.outcome
        return Response(OutcomeSerializer({
            "metric": metric.code, "level": result.level, "subject": result.subject.pk if result.subject else None,
            "start": d["start"], "end": d["end"], "value": o.value, "count": o.count, "numerator": o.numerator,
            "denominator": o.denominator,
            "trend": [{"month": m.isoformat(), "value": None if t.value is None else str(t.value)}
                      for m, t in result.trend],
            "parts": [{"metric": p.code, "name": p.metric.name if p.metric else None, "value": p.outcome.value,
                       "unit": p.metric.unit if p.metric else ""} for p in result.parts],
        }).data)

    @extend_schema(request=RefreshInputSerializer, responses={202: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["post"])
    def refresh(self, request: Request) -> Response:
        """Recompute the data-fed values of a running cycle (HR); a background job."""
        if not scope_for(request.user).whole_write:
            raise PermissionDenied
        s = RefreshInputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        cycle = get_scoped_or_404(Cycle.objects.all(), request.user, "view", pk=s.validated_data["cycle"])
        from .tasks import start_refresh

        try:
            job = start_refresh(request.user, cycle)  # type: ignore[arg-type]
        except DjangoPermissionDenied:
            raise PermissionDenied from None
        return Response({"job": job.pk}, status=status.HTTP_202_ACCEPTED)


@extend_schema_serializer(component_name="MetricValueRecord")  # "MetricValue" is cycles' input row
class MetricValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = MetricValue
        fields = ["id", "appraisal", "cycle", "metric", "value", "source"]
        read_only_fields = fields


class MetricValueViewSet(viewsets.ReadOnlyModelViewSet):
    """Actual values of quantitative indicators, of the appraisals the caller may see."""

    serializer_class = MetricValueSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["cycle", "metric", "appraisal", "source"]
    ordering_fields = ["id", "metric"]

    def get_queryset(self) -> QuerySet[MetricValue]:
        return selectors.metric_values(self.request.user).order_by("cycle_id", "appraisal_id", "metric")


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    router.register("metrics", MetricViewSet, basename="metric")
    router.register("metric-values", MetricValueViewSet, basename="metric-value")
