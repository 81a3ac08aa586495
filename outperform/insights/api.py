"""/api/v1/ routes of the insights app: dashboards (the same selectors as the pages), report
schedules, and the batch generation of individual reports (a background job)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from outperform.access.scoping import get_scoped_or_404, restrict
from outperform.core.audit import snapshot
from outperform.cycles.api import JobSerializer
from outperform.cycles.models import Cycle

from . import selectors
from .models import ReportSchedule
from .services import schedule_delete, schedule_save
from .tasks import start_batch_reports
from .views.dashboards import is_worker_only

FILTER_PARAMS = [OpenApiParameter(name, OpenApiTypes.INT, description=text) for name, text in (
    ("cycle", "考核周期 id (default: the latest with visible results)"), ("department", "部门 id (subtree)"),
    ("vendor", "服务商 id"), ("position", "岗位 id"))]


class DashboardViewSet(viewsets.ViewSet):
    """Dashboards (看板): every chart's data and table for the caller's scope."""

    permission_classes = [IsAuthenticated]
    lookup_value_regex = "[a-z_]+"  # a chart key, not a numeric id

    @extend_schema(parameters=FILTER_PARAMS, responses={200: OpenApiTypes.OBJECT})
    def list(self, request: Request) -> Response:
        """All charts: distribution, departments, vendors, trend, progress, ranking, alerts."""
        return Response(selectors.dashboard_cached(request.user, selectors.Filters.from_params(request.query_params)).as_json())

    @extend_schema(parameters=FILTER_PARAMS, responses={200: OpenApiTypes.OBJECT})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """One chart by key."""
        if pk not in selectors.CHARTS:
            raise Http404
        board = selectors.dashboard_cached(request.user, selectors.Filters.from_params(request.query_params), [pk])
        if pk not in board.charts:
            raise Http404
        return Response(board.charts[pk].as_json())

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["get"])
    def me(self, request: Request) -> Response:
        """The caller's own trend and goals (worker dashboard)."""
        return Response(selectors.my_dashboard(request.user).as_json())


class ReportScheduleSerializer(serializers.ModelSerializer[ReportSchedule]):
    owner: serializers.StringRelatedField[Any] = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = ReportSchedule
        fields = ["id", "name", "kind", "format", "cycle", "department", "vendor", "position", "recipients",
                  "addresses", "day_of_month", "active", "owner", "created_at", "updated_at"]
        read_only_fields = ["owner", "created_at", "updated_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from .forms import ReportScheduleForm

        request = self.context["request"]
        data = {k: v for k, v in attrs.items() if k != "recipients"}
        merged = {**({f: getattr(self.instance, f"{f}_id", getattr(self.instance, f, None))
                      for f in ("name", "kind", "format", "cycle", "department", "vendor", "position", "addresses",
                                "day_of_month", "active")} if self.instance else {}), **data}
        form_data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in merged.items() if v is not None}
        recipients = attrs.get("recipients", list(self.instance.recipients.all()) if self.instance else [])
        form_data["recipients"] = [u.pk for u in recipients]
        form = ReportScheduleForm(form_data, instance=self.instance, user=request.user)
        if not form.is_valid():
            raise serializers.ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
        return attrs


class ReportScheduleViewSet(viewsets.ModelViewSet[ReportSchedule]):
    """定时报告: the caller's schedules (HR and admin: all). Writes audited."""

    serializer_class = ReportScheduleSerializer
    permission_classes = [IsAuthenticated]
    search_fields = ["name"]
    filterset_fields = ["kind", "active"]

    def get_queryset(self) -> QuerySet[ReportSchedule]:
        return restrict(ReportSchedule.objects.all(), self.request.user).order_by("name", "id")

    def get_object(self) -> ReportSchedule:
        return get_scoped_or_404(ReportSchedule.objects.all(), self.request.user, pk=self.kwargs["pk"])

    def _guard(self) -> None:
        if is_worker_only(self.request.user):
            raise DRFPermissionDenied

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        self._guard()
        recipients = serializer.validated_data.pop("recipients", [])
        obj = ReportSchedule(**serializer.validated_data)
        serializer.instance = schedule_save(actor=self.request.user, schedule=obj, recipients=recipients)  # type: ignore[arg-type]

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        self._guard()
        obj = serializer.instance
        assert isinstance(obj, ReportSchedule)
        before = snapshot(obj)
        recipients = serializer.validated_data.pop("recipients", None)
        for k, v in serializer.validated_data.items():
            setattr(obj, k, v)
        serializer.instance = schedule_save(actor=self.request.user, schedule=obj, recipients=recipients,  # type: ignore[arg-type]
                                            before=before)

    def perform_destroy(self, instance: ReportSchedule) -> None:
        schedule_delete(actor=self.request.user, schedule=instance)  # type: ignore[arg-type]


class BatchReportSerializer(serializers.Serializer[Any]):
    cycle = serializers.IntegerField()


class ReportViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=BatchReportSerializer, responses={202: JobSerializer})
    @action(detail=False, methods=["post"])
    def batch(self, request: Request) -> Response:
        """Every visible worker's individual PDF of a cycle, zipped, as a background job → 202 with the job."""
        body = BatchReportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if is_worker_only(request.user):
            raise Http404
        cycle = get_scoped_or_404(Cycle.objects.all(), request.user, pk=body.validated_data["cycle"])
        if cycle.pk not in {c.pk for c in selectors.visible_cycles(request.user)}:
            raise Http404
        job = start_batch_reports(request.user, cycle)  # type: ignore[arg-type]
        job.refresh_from_db()
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    router.register("dashboards", DashboardViewSet, basename="dashboard")
    router.register("report-schedules", ReportScheduleViewSet, basename="report-schedule")
    router.register("reports", ReportViewSet, basename="report")
