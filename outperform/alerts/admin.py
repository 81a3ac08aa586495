"""Django admin: read-only lists for support; rules and alerts change through the app's pages."""

from __future__ import annotations

from django.contrib import admin

from outperform.core.admin import ReadOnlyAdminMixin

from .models import Alert, AlertRule


@admin.register(AlertRule)
class AlertRuleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "severity", "enabled", "last_status", "last_evaluated_at")
    list_filter = ("kind", "enabled")


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("title", "rule", "severity", "state", "owner", "last_seen_at")
    list_filter = ("state", "severity", "kind")
    search_fields = ("title", "dedup_key")
