"""/api/v1/ routes of this app, registered on the shared router by `register`.

Notices are read-only rows with one endpoint per action (issue = POST on the list; respond, evidence,
submit, verify, reject on the item); the rest are ScopedModelViewSets over the same resources as
the pages. Everything is scoped: a vendor manager reaches only their vendor's rows, others are 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from outperform.access.scoping import restrict, scope_for
from outperform.core.api import ScopedModelSerializer, ScopedModelViewSet
from outperform.indicators.models import Indicator
from outperform.vendors.models import Vendor

from . import services
from .filters import AuditFilterSet, ChecklistFilterSet, ContactFilterSet, FindingFilterSet, NoticeFilterSet
from .models import (
    AuditFinding,
    ComplianceChecklist,
    EmergencyContact,
    NoticeEvidence,
    RectificationNotice,
    VendorAudit,
)
from .resources import AUDITS, CHECKLISTS, CONTACTS, FINDINGS, NOTICES


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = NoticeEvidence
        fields = ["id", "original_name", "size", "note", "uploaded_by", "uploaded_at"]


class NoticeSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="plan.title", read_only=True)
    problems = serializers.CharField(source="plan.problems", read_only=True)
    measures = serializers.CharField(source="plan.measures", read_only=True)
    owner = serializers.IntegerField(source="plan.owner_id", read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)
    links = serializers.SerializerMethodField()

    class Meta:
        model = RectificationNotice
        fields = ["id", "number", "vendor", "plan", "title", "problems", "measures", "owner", "state", "deadline",
                  "indicators", "links", "vendor_plan", "vendor_response", "responded_at", "submitted_at",
                  "reject_reason", "verification_note", "verified_by", "closed_at", "escalated_at", "source_key",
                  "evidence", "created_at", "updated_at"]
        read_only_fields = fields

    def get_links(self, obj: RectificationNotice) -> list[dict[str, Any]]:
        return [{"kind": link.record_kind, "id": link.record_id, "label": link.label} for link in obj.links.all()]


class NoticeIssueSerializer(serializers.Serializer):
    vendor = serializers.PrimaryKeyRelatedField(queryset=Vendor.objects.all())
    title = serializers.CharField(max_length=150)
    problems = serializers.CharField()
    measures = serializers.CharField()
    deadline = serializers.DateField()
    indicators = serializers.PrimaryKeyRelatedField(queryset=Indicator.objects.all(), many=True, required=False)
    links = serializers.ListField(child=serializers.DictField(), required=False, default=list)


def _data(request: Request) -> Any:
    data = request.data
    return data if hasattr(data, "get") else {}


class NoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = NoticeSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = NoticeFilterSet
    search_fields = ["number", "plan__title", "vendor__name"]
    ordering_fields = ["deadline", "created_at", "state"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> Any:
        qs = restrict(NOTICES.queryset(), self.request.user, "view")
        return qs.prefetch_related("evidence", "links").order_by("-created_at", "-id")

    def _call(self, fn: Any, **kwargs: Any) -> Any:
        try:
            return fn(actor=self.request.user, **kwargs)
        except DjangoPermissionDenied:
            raise PermissionDenied from None
        except DjangoValidationError as exc:
            raise DRFValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from None

    def create(self, request: Request) -> Response:
        """Issue a notice (HR)."""
        data = NoticeIssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        try:
            links = [(str(x["kind"]), int(x["id"]), str(x.get("label", ""))) for x in d.get("links", [])]
        except (KeyError, TypeError, ValueError):
            raise DRFValidationError({"links": ["每项须含 kind 与 id / each link needs kind and id"]}) from None
        notice = self._call(services.notice_issue, vendor=d["vendor"], title=d["title"], problems=d["problems"],
                            measures=d["measures"], deadline=d["deadline"], indicators=d.get("indicators", []),
                            links=links)
        return Response(NoticeSerializer(notice).data, status=status.HTTP_201_CREATED)

    def _done(self, notice: RectificationNotice) -> Response:
        return Response(NoticeSerializer(self.get_queryset().get(pk=notice.pk)).data)

    @action(detail=True, methods=["post"])
    def respond(self, request: Request, pk: str | None = None) -> Response:
        notice = self.get_object()
        return self._done(self._call(services.notice_respond, notice=notice,
                                     plan_text=str(_data(request).get("vendor_plan", ""))))

    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        notice = self.get_object()
        return self._done(self._call(services.notice_submit, notice=notice,
                                     response=str(_data(request).get("vendor_response", ""))))

    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str | None = None) -> Response:
        notice = self.get_object()
        return self._done(self._call(services.notice_verify, notice=notice, note=str(_data(request).get("note", ""))))

    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        notice = self.get_object()
        return self._done(self._call(services.notice_reject, notice=notice,
                                     reason=str(_data(request).get("reason", ""))))

    @action(detail=True, methods=["post"])
    def evidence(self, request: Request, pk: str | None = None) -> Response:
        notice = self.get_object()
        upload = request.FILES.get("file")
        if upload is None:
            raise DRFValidationError({"file": ["请选择文件 / Choose a file"]})
        ev = self._call(services.evidence_add, notice=notice, upload=upload, note=str(_data(request).get("note", "")))
        return Response(EvidenceSerializer(ev).data, status=status.HTTP_201_CREATED)


class ItemsField(serializers.ListField):
    """A tuple inside: ScopedModelViewSet treats list values as many-to-many relations."""

    child = serializers.CharField(max_length=200)

    def to_internal_value(self, data: Any) -> Any:
        return tuple(super().to_internal_value(data))


class ChecklistSerializer(ScopedModelSerializer):
    items = ItemsField()

    class Meta:
        model = ComplianceChecklist
        fields = ["id", "code", "name", "area", "items", "active", "created_at", "updated_at"]


class AuditSerializer(ScopedModelSerializer):
    class Meta:
        model = VendorAudit
        fields = ["id", "vendor", "checklist", "date", "auditor", "results", "score", "note", "created_at",
                  "updated_at"]
        read_only_fields = ["score"]


@extend_schema_serializer(component_name="AuditFinding")  # "Finding" is records' inspection finding
class FindingSerializer(ScopedModelSerializer):
    class Meta:
        model = AuditFinding
        fields = ["id", "audit", "vendor", "found_on", "item", "description", "severity", "due_date", "owner",
                  "status", "closed_at", "is_open", "overdue", "created_at", "updated_at"]
        read_only_fields = ["vendor", "found_on", "closed_at", "is_open", "overdue"]


class ContactSerializer(ScopedModelSerializer):
    class Meta:
        model = EmergencyContact
        fields = ["id", "vendor", "name", "role", "mobile", "phone", "email", "available_24h", "note",
                  "created_at", "updated_at"]


class ChecklistViewSet(ScopedModelViewSet):
    resource = CHECKLISTS
    serializer_class = ChecklistSerializer
    filterset_class = ChecklistFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]


class AuditViewSet(ScopedModelViewSet):
    resource = AUDITS
    serializer_class = AuditSerializer
    filterset_class = AuditFilterSet
    search_fields = ["vendor__name", "checklist__name"]
    ordering_fields = ["date", "score"]


class FindingViewSet(ScopedModelViewSet):
    resource = FINDINGS
    serializer_class = FindingSerializer
    filterset_class = FindingFilterSet
    search_fields = ["description", "item"]
    ordering_fields = ["severity", "due_date", "found_on"]


class ContactViewSet(ScopedModelViewSet):
    resource = CONTACTS
    serializer_class = ContactSerializer
    filterset_class = ContactFilterSet
    search_fields = ["name", "role"]
    ordering_fields = ["name"]


class VetoViewSet(viewsets.ViewSet):
    """POST {"cycle": id}: record the compliance veto on the cycle's vendor appraisals (HR)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=inline_serializer("ComplianceVetoRequest", {"cycle": serializers.IntegerField()}),
        responses={200: inline_serializer("ComplianceVetoResult", {
            "vetoed_appraisals": serializers.ListField(child=serializers.IntegerField())})},
    )
    def create(self, request: Request) -> Response:
        from outperform.cycles.models import Cycle

        if not scope_for(request.user).whole_write:
            raise PermissionDenied  # before the body is judged: the answer must not depend on it
        try:
            cycle = Cycle.objects.get(pk=int(_data(request).get("cycle", "")), subject_kind="vendor")
        except (Cycle.DoesNotExist, TypeError, ValueError):
            raise DRFValidationError({"cycle": ["请选择服务商考核周期 / Choose a vendor cycle"]}) from None
        try:
            done = services.compliance_vetoes_apply(actor=request.user, cycle=cycle)  # type: ignore[arg-type]
        except DjangoPermissionDenied:
            raise PermissionDenied from None
        except DjangoValidationError as exc:
            raise DRFValidationError(exc.messages) from None
        return Response({"vetoed_appraisals": done})


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    router.register("compliance/notices", NoticeViewSet, basename="compliance-notice")
    router.register("compliance/checklists", ChecklistViewSet, basename="compliance-checklist")
    router.register("compliance/audits", AuditViewSet, basename="compliance-audit")
    router.register("compliance/findings", FindingViewSet, basename="compliance-finding")
    router.register("compliance/contacts", ContactViewSet, basename="compliance-contact")
    router.register("compliance/vetoes", VetoViewSet, basename="compliance-veto")
