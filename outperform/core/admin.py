from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from .audit import snapshot
from .models import AuditLog, User
from .services import object_create, object_delete, object_update


class ReadOnlyAdminMixin:
    """For models written only by services (audit log, results, notifications): the admin shows
    them and changes nothing. Works for ModelAdmin and inlines alike."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Admin edits go through the audited services like every other write."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            before = snapshot(type(obj)._default_manager.get(pk=obj.pk))
            object_update(actor=request.user, obj=obj, before=before)  # type: ignore[arg-type]
        else:
            object_create(actor=request.user, obj=obj)  # type: ignore[arg-type]

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        object_delete(actor=request.user, obj=obj)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        # "Delete selected" would call QuerySet.delete and write no audit row; all or none of them go.
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "email", "is_active", "is_staff"]
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("Outperform", {"fields": ("full_name", "mobile")}))


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "actor", "action", "content_type", "object_repr"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "object_id"]
