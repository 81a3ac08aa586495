from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from outperform.core.admin import AuditedAdmin, ReadOnlyAdminMixin
from outperform.core.audit import snapshot

from .models import (
    AdjustmentItem,
    Dimension,
    GradeBand,
    Indicator,
    Quota,
    Template,
    TemplateIndicator,
    VetoItem,
)
from .services import indicator_save


@admin.register(Dimension)
class DimensionAdmin(AuditedAdmin):
    list_display = ["code", "name", "name_en", "order"]
    search_fields = ["code", "name"]


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdmin):
    list_display = ["code", "name", "dimension", "kind", "subject_kind", "is_builtin", "is_active"]
    list_filter = ["kind", "subject_kind", "dimension", "is_active"]
    search_fields = ["code", "name"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The rule is checked by the engine here too, not only on the product's pages.
        before = snapshot(Indicator.objects.get(pk=obj.pk)) if change else None
        indicator_save(actor=request.user, indicator=obj, before=before)  # type: ignore[arg-type]


class _ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False


class ItemInline(_ReadOnlyInline):
    model = TemplateIndicator


class BandInline(_ReadOnlyInline):
    model = GradeBand


class QuotaInline(_ReadOnlyInline):
    model = Quota


class AdjustmentInline(_ReadOnlyInline):
    model = AdjustmentItem


class VetoInline(_ReadOnlyInline):
    model = VetoItem


@admin.register(Template)
class TemplateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: templates are validated as a whole and versioned, which only the product's template
    pages (and the API) do."""

    list_display = ["code", "version", "name", "subject_kind", "status", "frozen"]
    list_filter = ["subject_kind", "status", "frozen"]
    search_fields = ["code", "name"]
    inlines = [ItemInline, BandInline, QuotaInline, AdjustmentInline, VetoInline]
