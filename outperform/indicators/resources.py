"""Pages of the indicator library and templates, declared like every other app's.

Lists, exports, imports and deletes are the generic ones (core.crud); the indicator detail and
form (rule editor, behaviour anchors) and the template pages (grouped weights, formsets, versions,
live preview) are this app's own views, mounted under the same route names.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from outperform.access.scoping import Scope
from outperform.core.crud import Col, Resource

from . import views
from .filters import IndicatorFilterSet, TemplateFilterSet
from .forms import DimensionForm, IndicatorForm, TemplateForm
from .importers import DimensionImporter, IndicatorImporter
from .models import Dimension, Indicator, Template
from .services import dimension_save, indicator_delete, indicator_save, template_delete, template_save


def _replace(patterns: list[URLPattern], views_by_name: dict[str, Any]) -> list[URLPattern]:
    return [
        path(str(p.pattern), views_by_name[p.name], name=p.name) if p.name in views_by_name else p
        for p in patterns
    ]


def dimension_indicators(obj: models.Model, scope: Scope) -> dict[str, Any]:
    assert isinstance(obj, Dimension)
    rows = [
        {"cells": [i.code, i.name, i.get_kind_display(), i.get_subject_kind_display()],
         "url": reverse("indicators:indicators_detail", args=[i.pk])}
        for i in obj.indicators.order_by("subject_kind", "code")
    ]
    return {"related_tables": [{
        "title": _("本维度的指标"),
        "headers": [_("指标编码"), _("指标名称"), _("指标类型"), _("考核对象")],
        "rows": rows,
        "add_url": reverse("indicators:indicators_create") + f"?dimension={obj.pk}",
    }]}


class DimensionResource(Resource):
    model = Dimension
    name = "dimensions"
    namespace = "indicators"
    search_fields = ("code", "name", "name_en")
    default_ordering = ("order", "code")
    columns = (
        Col("code", _("维度编码"), "code", link=True),
        Col("name", _("维度名称"), "name", link=True),
        Col("name_en", _("英文名称"), "name_en"),
        Col("order", _("排序"), "order"),
    )
    form_class = DimensionForm
    importer = DimensionImporter()
    children = (dimension_indicators,)

    def save(self, *, actor: Any, obj: models.Model, before: dict[str, Any] | None) -> models.Model:
        return dimension_save(actor=actor, dimension=obj, before=before)


class IndicatorResource(Resource):
    model = Indicator
    name = "indicators"
    namespace = "indicators"
    select_related = ("dimension",)
    filterset_class = IndicatorFilterSet
    search_fields = ("code", "name", "name_en", "metric", "description")
    default_ordering = ("dimension__order", "code")
    columns = (
        Col("code", _("指标编码"), "code", link=True),
        Col("name", _("指标名称"), "name", link=True),
        Col("dimension.name", _("考核维度"), "dimension__order"),
        Col("get_kind_display", _("指标类型"), "kind"),
        Col("get_subject_kind_display", _("考核对象"), "subject_kind"),
        Col("unit", _("单位")),
        Col("get_direction_display", _("方向"), "direction"),
        Col("is_builtin", _("内置"), "is_builtin"),
        Col("is_active", _("启用"), "is_active"),
    )
    detail_fields = (
        Col("code", _("指标编码")),
        Col("name", _("指标名称")),
        Col("name_en", _("英文名称")),
        Col("dimension.name", _("考核维度")),
        Col("get_kind_display", _("指标类型")),
        Col("get_subject_kind_display", _("考核对象")),
        Col("unit", _("单位")),
        Col("get_direction_display", _("方向")),
        Col("metric", _("数据指标")),
        Col("description", _("指标说明")),
        Col("is_builtin", _("内置")),
        Col("is_active", _("启用")),
    )
    form_class = IndicatorForm
    importer = IndicatorImporter()

    def save(self, *, actor: Any, obj: models.Model, before: dict[str, Any] | None) -> models.Model:
        assert isinstance(obj, Indicator)
        return indicator_save(actor=actor, indicator=obj, before=before)

    def delete(self, *, actor: Any, obj: models.Model) -> None:
        assert isinstance(obj, Indicator)
        indicator_delete(actor=actor, indicator=obj)

    def urls(self) -> list[URLPattern]:
        edit = views.IndicatorEditView.as_view(resource=self)
        return _replace(super().urls(), {
            "indicators_detail": views.IndicatorDetailView.as_view(resource=self),
            "indicators_create": edit,
            "indicators_edit": edit,
        })


class TemplateResource(Resource):
    model = Template
    name = "templates"
    namespace = "indicators"
    filterset_class = TemplateFilterSet
    search_fields = ("code", "name", "description")
    default_ordering = ("code", "-version")
    columns = (
        Col("code", _("方案编码"), "code", link=True),
        Col("name", _("方案名称"), "name", link=True),
        Col("version", _("版本"), "version"),
        Col("get_subject_kind_display", _("考核对象"), "subject_kind"),
        Col("get_status_display", _("状态"), "status"),
        Col("frozen", _("已冻结"), "frozen"),
        Col("updated_at", _("更新时间"), "updated_at"),
    )
    form_class = TemplateForm

    def save(self, *, actor: Any, obj: models.Model, before: dict[str, Any] | None) -> models.Model:
        assert isinstance(obj, Template)
        return template_save(actor=actor, template=obj, before=before)

    def delete(self, *, actor: Any, obj: models.Model) -> None:
        assert isinstance(obj, Template)
        template_delete(actor=actor, template=obj)

    def urls(self) -> list[URLPattern]:
        edit = views.TemplateEditView.as_view(resource=self)
        patterns = _replace(super().urls(), {
            "templates_detail": views.TemplateDetailView.as_view(resource=self),
            "templates_create": edit,
            "templates_edit": edit,
        })
        return [
            *patterns,
            path("templates/<int:pk>/new-version/", views.TemplateActionView.as_view(resource=self,
                                                                                     action="new_version"),
                 name="templates_new_version"),
            path("templates/<int:pk>/activate/", views.TemplateActionView.as_view(resource=self, action="activate"),
                 name="templates_activate"),
            path("templates/<int:pk>/archive/", views.TemplateActionView.as_view(resource=self, action="archive"),
                 name="templates_archive"),
            path("templates/<int:pk>/copy/", views.TemplateCopyView.as_view(resource=self), name="templates_copy"),
            path("templates/<int:pk>/preview/", views.TemplatePreviewView.as_view(resource=self),
                 name="templates_preview"),
        ]


RESOURCES = (DimensionResource(), IndicatorResource(), TemplateResource())
