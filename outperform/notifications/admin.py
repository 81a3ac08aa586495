"""Django admin: read-only lists for support; everything is written by the app's services."""

from __future__ import annotations

from django.contrib import admin

from outperform.core.admin import ReadOnlyAdminMixin

from .models import Delivery, Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user", "kind", "title", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("title", "user__username")
    raw_id_fields = ("user",)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "channel_kind", "target", "title", "status", "attempts", "response_code")
    list_filter = ("status", "channel_kind")
    search_fields = ("title", "target")
    exclude = ("body",)
