"""REST API of the indicator library and templates: the same services, validation and audit as
the pages. Templates are read with their child rows nested; a write may send any of the child
lists, each of which then replaces that kind of rows (the template is validated as a whole)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from outperform.access.scoping import scope_for
from outperform.core.api import ScopedModelSerializer, ScopedModelViewSet
from outperform.core.audit import snapshot
from outperform.core.models import User
from outperform.core.permissions import ensure_in_write_scope
from outperform.org.models import PositionCategory
from outperform.vendors.models import VendorCategory

from . import preview, services, template_excel
from .filters import IndicatorFilterSet, TemplateFilterSet
from .models import (
    AdjustmentItem,
    Dimension,
    GradeBand,
    Indicator,
    Quota,
    RaterRole,
    Template,
    TemplateIndicator,
    VetoItem,
)
from .resources import DimensionResource, IndicatorResource, TemplateResource
from .snapshot import template_snapshot


def _drf_error(exc: DjangoValidationError) -> DRFValidationError:
    return DRFValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


# --- serializers ----------------------------------------------------------------------------------


class DimensionSerializer(ScopedModelSerializer):
    class Meta:
        model = Dimension
        fields = ["id", "code", "name", "name_en", "order"]


class LevelSerializer(serializers.Serializer):
    score = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100))
    label = serializers.CharField(max_length=20)  # type: ignore[assignment]  # the anchor's label, not the field's
    description = serializers.CharField(allow_blank=True, required=False, default="")


class IndicatorSerializer(ScopedModelSerializer):
    dimension_code = serializers.CharField(source="dimension.code", read_only=True)
    rater_roles = serializers.ListField(child=serializers.ChoiceField(choices=RaterRole.choices), required=False)
    rule = serializers.JSONField(required=False, allow_null=True,
                                 help_text="The scoring engine's rule dict, e.g. "
                                           '{"type": "linear", "floor": "80", "target": "100", '
                                           '"direction": "higher_is_better"}; null for qualitative indicators.')
    levels = LevelSerializer(many=True, required=False)

    class Meta:
        model = Indicator
        fields = ["id", "code", "name", "name_en", "dimension", "dimension_code", "kind", "subject_kind", "unit",
                  "direction", "rater_roles", "metric", "rule", "levels", "description", "is_builtin", "is_active",
                  "created_at", "updated_at"]
        read_only_fields = ["is_builtin"]


class TemplateItemSerializer(ScopedModelSerializer):
    indicator_code = serializers.CharField(source="indicator.code", read_only=True)
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    rule = serializers.JSONField(required=False, allow_null=True, help_text="Overrides the indicator's rule.")
    role_weights = serializers.DictField(
        child=serializers.DecimalField(max_digits=5, decimal_places=2), required=False, allow_null=True,
        help_text="Overrides the template's rater-role weights for this indicator, e.g. {\"supervisor\": 70, "
                  "\"self\": 30}.")

    class Meta:
        model = TemplateIndicator
        fields = ["id", "indicator", "indicator_code", "indicator_name", "weight", "rule", "role_weights", "order"]


class TemplateGradeBandSerializer(serializers.ModelSerializer):
    class Meta:
        model = GradeBand
        fields = ["id", "code", "name", "name_en", "min_score", "max_score", "colour", "coefficient"]


class TemplateQuotaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Quota
        fields = ["id", "grade_code", "kind", "share"]


class TemplateAdjustmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdjustmentItem
        fields = ["id", "code", "name", "cap", "description"]


class TemplateVetoSerializer(serializers.ModelSerializer):
    class Meta:
        model = VetoItem
        fields = ["id", "code", "name", "description"]


CHILD_SERIALIZERS: dict[str, tuple[type[models.Model], type[serializers.ModelSerializer]]] = {
    "items": (TemplateIndicator, TemplateItemSerializer),
    "bands": (GradeBand, TemplateGradeBandSerializer),
    "quotas": (Quota, TemplateQuotaSerializer),
    "adjustments": (AdjustmentItem, TemplateAdjustmentSerializer),
    "vetoes": (VetoItem, TemplateVetoSerializer),
}


class TemplateSerializer(ScopedModelSerializer):
    role_weights = serializers.DictField(
        child=serializers.DecimalField(max_digits=5, decimal_places=2), required=False,
        help_text="Rater-role weights adding up to 100, e.g. {\"self\": 10, \"supervisor\": 60, \"peer\": 20, "
                  "\"client\": 10}.")
    # Plain strings checked below: choice fields would give the schema a second name for the position
    # and vendor category enums.
    position_categories = serializers.ListField(child=serializers.CharField(max_length=30), required=False,
                                                help_text="Position category codes (org Position.category).")
    vendor_categories = serializers.ListField(child=serializers.CharField(max_length=30), required=False,
                                              help_text="Vendor category codes (Vendor.category).")
    items = TemplateItemSerializer(many=True, required=False)
    bands = TemplateGradeBandSerializer(many=True, required=False)
    quotas = TemplateQuotaSerializer(many=True, required=False)
    adjustments = TemplateAdjustmentSerializer(many=True, required=False)
    vetoes = TemplateVetoSerializer(many=True, required=False)
    weight_total = serializers.SerializerMethodField()

    class Meta:
        model = Template
        fields = ["id", "code", "version", "name", "subject_kind", "status", "description", "role_weights", "grading",
                  "distribution_group", "min_group_size", "adjustment_cap", "bonus_mode", "team_mode",
                  "comment_below", "comment_above", "anonymity_min_raters", "position_categories",
                  "vendor_categories", "previous", "frozen", "weight_total", "items", "bands", "quotas",
                  "adjustments", "vetoes", "created_at", "updated_at"]
        read_only_fields = ["version", "status", "previous", "frozen"]
        # Code and version uniqueness is the service's (a clear message about versions instead).
        validators: list[Any] = []

    @staticmethod
    def _categories(values: list[str], choices: Any) -> list[str]:
        unknown = [v for v in values if v not in choices.values]
        if unknown:
            raise serializers.ValidationError(f"未知的类别 / Unknown categories: {', '.join(unknown)}")
        return list(dict.fromkeys(values))

    def validate_position_categories(self, value: list[str]) -> list[str]:
        return self._categories(value, PositionCategory)

    def validate_vendor_categories(self, value: list[str]) -> list[str]:
        return self._categories(value, VendorCategory)

    @extend_schema_field(serializers.DecimalField(max_digits=7, decimal_places=2))
    def get_weight_total(self, obj: Template) -> str:
        return format(sum((i.weight for i in obj.items.all()), Decimal(0)), "f")


class TemplateCopyRequestSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class TemplatePreviewRequestSerializer(serializers.Serializer):
    ratings = serializers.DictField(
        child=serializers.DictField(child=serializers.ListField(
            child=serializers.DecimalField(max_digits=7, decimal_places=4, min_value=Decimal(0),
                                           max_value=Decimal(100)), allow_empty=False)),
        required=False, default=dict,
        help_text="Qualitative scores: {indicator code: {rater role: [score, ...]}}; several scores are several "
                  "raters of that role.")
    metrics = serializers.DictField(
        child=serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True), required=False,
        default=dict, help_text="Quantitative raw values: {metric: value}.")
    adjustments = serializers.DictField(
        child=serializers.DecimalField(max_digits=8, decimal_places=2), required=False, default=dict,
        help_text="加减分: {item code: points (±)}.")
    vetoes = serializers.ListField(child=serializers.CharField(), required=False, default=list,
                                   help_text="Codes of the 一票否决 items that happened.")
    base_bonus_fen = serializers.IntegerField(min_value=0, required=False, default=0,
                                              help_text="Base bonus in fen (or the pool, for a pool template).")


def _strings(*names: str, nullable: tuple[str, ...] = ()) -> dict[str, serializers.Field]:
    return {n: serializers.CharField(allow_null=n in nullable) for n in names}


# Response shapes, for the schema only (the preview returns a plain dict).
_PREVIEW_ROLE: dict[str, serializers.Field] = {
    **_strings("role", "label", "mean", "weight", "effective_weight"),
    "count": serializers.IntegerField(),
    "scores": serializers.ListField(child=serializers.CharField()),
}
_PREVIEW_INDICATOR: dict[str, serializers.Field] = {
    **_strings("code", "name", "dimension", "kind", "unit", "raw_value", "rule", "score", "weight",
               "effective_weight", "contribution", nullable=("raw_value", "score")),
    "roles": inline_serializer("TemplatePreviewRole", _PREVIEW_ROLE, many=True),
}
TEMPLATE_PREVIEW_RESULT = inline_serializer("TemplatePreviewResult", {
    **_strings("composite", "weighted_score", "adjustment_total", "grade", "grade_name", "grade_colour",
               "band_grade", "band_grade_name", "grade_reason", "coefficient", "bonus_mode", "bonus_yuan",
               nullable=("composite", "weighted_score", "grade", "grade_name", "grade_colour", "band_grade",
                         "band_grade_name")),
    "bonus_fen": serializers.IntegerField(),
    "not_applicable": serializers.ListField(child=serializers.CharField()),
    "vetoes": serializers.ListField(child=serializers.CharField()),
    "indicators": inline_serializer("TemplatePreviewIndicator", _PREVIEW_INDICATOR, many=True),
    "adjustments": inline_serializer("TemplatePreviewAdjustment",
                                     _strings("code", "name", "value", "cap", "applied"), many=True),
})
TEMPLATE_PREVIEW_ERRORS = inline_serializer("TemplatePreviewErrors", {
    "errors": serializers.ListField(child=serializers.CharField()),
})


class TemplateImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The .xlsx workbook, as exported by GET /templates/{id}/export/.")
    dry_run = serializers.BooleanField(required=False, default=False,
                                       help_text="Validate and return the preview; write nothing.")


_IMPORT_PROBLEM: dict[str, serializers.Field] = {
    "sheet": serializers.CharField(),
    "row": serializers.IntegerField(allow_null=True),
    "column": serializers.CharField(),
    "value": serializers.CharField(),
    "message_zh": serializers.CharField(),
    "message_en": serializers.CharField(),
    "message": serializers.CharField(),
}
TEMPLATE_IMPORT_DRY_RUN = inline_serializer("TemplateImportDryRun", {
    "dry_run": serializers.BooleanField(),
    "new_version_of": serializers.IntegerField(allow_null=True),
    "template": serializers.DictField(help_text="template_snapshot of what would be created"),
})


# --- viewsets --------------------------------------------------------------------------------------


class _ServiceViewSet(ScopedModelViewSet):
    """Writes hand every validated field to the app's service (the generic save would take the
    JSON lists of these models for many-to-many fields)."""

    @property
    def actor(self) -> User:
        user = self.request.user
        assert isinstance(user, User)  # the permission classes let no anonymous caller reach a write
        return user

    def _apply(self, obj: models.Model, data: dict[str, Any]) -> dict[str, Any]:
        for key, value in data.items():
            setattr(obj, key, value)
        return {}

    def _save(self, serializer: serializers.BaseSerializer[Any], instance: models.Model | None) -> None:
        data = dict(serializer.validated_data)
        before = snapshot(instance) if instance is not None else None
        obj = instance if instance is not None else self.resource.model()
        extra = self._apply(obj, data)
        try:
            with transaction.atomic():
                obj = self._write(obj, before, extra)
                ensure_in_write_scope(self.request.user, obj)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from None
        serializer.instance = obj

    def _write(self, obj: models.Model, before: dict[str, Any] | None, extra: dict[str, Any]) -> models.Model:
        return self.resource.save(actor=self.actor, obj=obj, before=before)


class DimensionViewSet(_ServiceViewSet):
    resource = DimensionResource()
    serializer_class = DimensionSerializer
    search_fields = ["code", "name", "name_en"]
    ordering_fields = ["order", "code", "name"]


class IndicatorViewSet(_ServiceViewSet):
    resource = IndicatorResource()
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilterSet
    search_fields = ["code", "name", "name_en", "metric"]
    ordering_fields = ["code", "name", "kind", "subject_kind"]

    def _apply(self, obj: models.Model, data: dict[str, Any]) -> dict[str, Any]:
        if "levels" in data:
            data["levels"] = [dict(level) for level in data["levels"]]
        return super()._apply(obj, data)


class TemplateViewSet(_ServiceViewSet):
    resource = TemplateResource()
    serializer_class = TemplateSerializer
    filterset_class = TemplateFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["code", "version", "name", "status", "updated_at"]

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().prefetch_related(
            "items__indicator", "bands", "quotas", "adjustments", "vetoes")

    def _apply(self, obj: models.Model, data: dict[str, Any]) -> dict[str, Any]:
        children = {}
        for key, (model, _serializer) in CHILD_SERIALIZERS.items():
            if key in data:
                children[key] = [model(**{k: v for k, v in dict(row).items() if k != "id"}) for row in data.pop(key)]
        if "role_weights" in data:
            data["role_weights"] = dict(data["role_weights"])
        super()._apply(obj, data)
        return children

    def _write(self, obj: models.Model, before: dict[str, Any] | None, extra: dict[str, Any]) -> models.Model:
        assert isinstance(obj, Template)
        return services.template_save(actor=self.actor, template=obj, before=before, **extra)

    def _respond(self, template: Template, code: int = status.HTTP_200_OK) -> Response:
        template = self.get_queryset().get(pk=template.pk)
        return Response(self.get_serializer(template).data, status=code)

    @extend_schema(request=None, responses={201: TemplateSerializer})
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request: Request, pk: str | None = None) -> Response:
        """Copy as a new version (复制为新版本): same code, next version, draft; the old one is untouched."""
        try:
            copy = services.template_new_version(actor=self.actor, template=self.get_object())
        except DjangoValidationError as exc:
            raise _drf_error(exc) from None
        return self._respond(copy, status.HTTP_201_CREATED)

    @extend_schema(request=TemplateCopyRequestSerializer, responses={201: TemplateSerializer})
    @action(detail=True, methods=["post"])
    def copy(self, request: Request, pk: str | None = None) -> Response:
        """Copy under another code (version 1, draft)."""
        source = self.get_object()
        body = TemplateCopyRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            copy = services.template_copy(actor=self.actor, template=source,
                                          new_code=body.validated_data["code"], name=body.validated_data["name"])
        except DjangoValidationError as exc:
            raise _drf_error(exc) from None
        return self._respond(copy, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: TemplateSerializer})
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: str | None = None) -> Response:
        """Put the template in use; other active versions of the same code are archived."""
        try:
            template = services.template_activate(actor=self.actor, template=self.get_object())
        except DjangoValidationError as exc:
            raise _drf_error(exc) from None
        return self._respond(template)

    @extend_schema(request=None, responses={200: TemplateSerializer})
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        template = services.template_archive(actor=self.actor, template=self.get_object())
        return self._respond(template)

    @extend_schema(
        request=TemplatePreviewRequestSerializer,
        responses={200: TEMPLATE_PREVIEW_RESULT,
                   400: OpenApiResponse(TEMPLATE_PREVIEW_ERRORS, description="The engine refused the input")},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def preview(self, request: Request, pk: str | None = None) -> Response:
        """Score made-up values for one subject with this template (nothing is saved). Open to every
        role that can read the template."""
        # Not get_object(): it demands change rights for a POST, and previewing changes nothing.
        template = get_object_or_404(self.get_queryset(), pk=pk)
        body = TemplatePreviewRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        result = preview.run_preview(template_snapshot(template), preview.PreviewRequest(
            ratings={code: {role: list(scores) for role, scores in by_role.items()}
                     for code, by_role in data["ratings"].items()},
            metrics=dict(data["metrics"]),
            adjustments=dict(data["adjustments"]),
            vetoes=list(data["vetoes"]),
            base_bonus_fen=data["base_bonus_fen"],
        ))
        return Response(result, status=status.HTTP_400_BAD_REQUEST if "errors" in result else status.HTTP_200_OK)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def snapshot(self, request: Request, pk: str | None = None) -> Response:
        """The frozen form a cycle would store (plain JSON; Decimals as strings)."""
        return Response(template_snapshot(self.get_object()))

    @extend_schema(responses={(200, template_excel.XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def export(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The template as an Excel workbook (sheets 方案, 指标, 等级, 强制分布, 加减分项, 一票否决项)."""
        template = self.get_object()
        response = HttpResponse(template_excel.export_template(template),
                                content_type=template_excel.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = (
            f"attachment; filename*=UTF-8''{quote(template_excel.export_filename(template))}")
        return response

    @extend_schema(
        request={"multipart/form-data": TemplateImportRequestSerializer},
        responses={201: TemplateSerializer, 200: TEMPLATE_IMPORT_DRY_RUN,
                   400: OpenApiResponse(OpenApiTypes.OBJECT, description=(
                       "Nothing was written: `{\"errors\": [...]}` for problems in the workbook (each with row, column and message), or DRF field errors such as `{\"file\": [...]}`"))},
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_workbook(self, request: Request) -> Response:
        """Create a template from an exported workbook: version 1, or a new draft version when the
        code exists. All or nothing; HR and administrators only."""
        if not scope_for(request.user).can_write(Template):
            raise DRFPermissionDenied
        body = TemplateImportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        if upload.size and upload.size > settings.OUTPERFORM_MAX_UPLOAD_BYTES:
            raise DRFValidationError({"file": ["文件过大 / The file is too large"]})
        dry_run = body.validated_data["dry_run"]
        outcome = template_excel.import_template(b"".join(upload.chunks()), actor=self.actor, dry_run=dry_run)
        if not outcome.ok:
            return Response({"errors": [p.as_dict() for p in outcome.problems]}, status=status.HTTP_400_BAD_REQUEST)
        if dry_run:
            return Response({"dry_run": True, "new_version_of": outcome.new_version_of, "template": outcome.preview})
        assert outcome.template is not None
        return self._respond(outcome.template, status.HTTP_201_CREATED)
