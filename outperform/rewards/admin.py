from django.contrib import admin

from outperform.core.admin import AuditedAdmin, ReadOnlyAdminMixin

from .models import BonusLine, BonusPlan, SalaryRule, SalarySuggestion


@admin.register(BonusPlan)
class BonusPlanAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Plans move through their states only in the product (services), never here."""

    list_display = ("name", "cycle", "mode", "state", "line_count", "total_fen")
    list_filter = ("state", "mode")


@admin.register(BonusLine)
class BonusLineAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("plan", "worker", "grade_name", "coefficient", "bonus_fen", "frozen")
    list_filter = ("plan",)
    raw_id_fields = ("worker", "appraisal")


@admin.register(SalaryRule)
class SalaryRuleAdmin(AuditedAdmin):
    list_display = ("name", "grade_name", "match", "cycles", "min_pct", "max_pct", "priority", "is_active")


@admin.register(SalarySuggestion)
class SalarySuggestionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("cycle", "worker", "grade_name", "suggested_pct", "state")
    list_filter = ("state",)
