"""The batch list (search, filters, sort, pagination, Excel export) declared on core.crud."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from outperform.core import excel
from outperform.core.crud import Col, Resource
from outperform.core.importing import ModelImporter

from .models import BatchOrigin, BatchState, IngestBatch


class IngestBatchFilterSet(django_filters.FilterSet):
    source = django_filters.CharFilter(label=_("数据来源"))
    state = django_filters.ChoiceFilter(label=_("状态"), choices=BatchState.choices)
    origin = django_filters.ChoiceFilter(label=_("方式"), choices=BatchOrigin.choices)

    class Meta:
        model = IngestBatch
        fields = ["source", "state", "origin"]


class IngestBatchExport(ModelImporter):
    """Export only: batches are written by the ingest services, never imported."""

    model = IngestBatch
    key = "id"
    sheet = excel.SheetSpec("接入批次", [
        excel.Column("id", "批次号", "Batch", excel.parse_int()),
        excel.Column("source", "数据来源", "Source"),
        excel.Column("origin", "方式", "Origin"),
        excel.Column("state", "状态", "State"),
        excel.Column("filename", "文件名", "File"),
        excel.Column("rows", "数据行", "Rows", excel.parse_int()),
        excel.Column("created", "新增", "New", excel.parse_int()),
        excel.Column("updated", "变更", "Changed", excel.parse_int()),
        excel.Column("unchanged", "未变", "Unchanged", excel.parse_int()),
        excel.Column("error_count", "错误数", "Errors", excel.parse_int()),
        excel.Column("created_at", "上传时间", "Uploaded at"),
    ])


class IngestBatchResource(Resource):
    model = IngestBatch
    name = "batches"
    namespace = "ingest"
    select_related = ("created_by",)
    filterset_class = IngestBatchFilterSet
    search_fields = ("filename", "source", "file_hash")
    default_ordering = ("-created_at", "-id")
    columns = (
        Col("pk", _("批次号"), "id", link=True),
        Col("source", _("数据来源"), "source"),
        Col("get_origin_display", _("方式"), "origin"),
        Col("filename", _("文件名"), "filename"),
        Col("get_state_display", _("状态"), "state"),
        Col("rows", _("数据行"), "rows"),
        Col("created", _("新增"), "created"),
        Col("updated", _("变更"), "updated"),
        Col("unchanged", _("未变"), "unchanged"),
        Col("error_count", _("错误数"), "error_count"),
        Col("created_by", _("操作人")),
        Col("created_at", _("上传时间"), "created_at"),
    )
    importer = IngestBatchExport()
