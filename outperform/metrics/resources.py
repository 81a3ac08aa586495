"""Declared pages of the metrics app: the metric definitions (list, detail, edit, Excel)."""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from outperform.core.crud import Col, Resource

from .filters import MetricFilterSet
from .forms import MetricForm
from .importers import MetricImporter
from .models import Metric


class MetricResource(Resource):
    model = Metric
    name = "metrics"
    namespace = "metrics"
    filterset_class = MetricFilterSet
    search_fields = ("code", "name", "description")
    default_ordering = ("code",)
    columns = (
        Col("code", _("指标编码"), "code", link=True),
        Col("name", _("名称"), "name", link=True),
        Col("source", _("数据源"), "source"),
        Col("get_aggregation_display", _("汇总方式"), "aggregation"),
        Col("unit", _("单位")),
        Col("is_active", _("启用"), "is_active"),
        Col("is_builtin", _("内置"), "is_builtin"),
    )
    detail_fields = (
        *columns[:4],
        Col("expression", _("公式")),
        Col("field", _("汇总字段")),
        Col("percentile", _("百分位 P")),
        Col("filters_text", _("筛选条件")),
        Col("numerator_text", _("分子条件")),
        Col("scale", _("倍数")),
        Col("unit", _("单位")),
        Col("levels_text", _("适用对象")),
        Col("empty_as_zero", _("无记录记为 0")),
        Col("description", _("说明")),
    )
    form_class = MetricForm
    importer = MetricImporter()
    detail_links = ((_("在指标浏览器中查看"), "metrics:explore_metric"),)

    def delete(self, *, actor: Any, obj: models.Model) -> None:
        from .services import metric_delete

        assert isinstance(obj, Metric)
        metric_delete(actor=actor, metric=obj)

    def cell(self, obj: models.Model, col: Col, scope: Any) -> str:
        assert isinstance(obj, Metric)
        if col.accessor in ("filters_text", "numerator_text"):
            value = getattr(obj, col.accessor.removesuffix("_text"))
            return json.dumps(value, ensure_ascii=False) if value else ""
        if col.accessor == "levels_text":
            return ", ".join(obj.allowed_levels())
        return super().cell(obj, col, scope)


RESOURCES = (MetricResource(),)
