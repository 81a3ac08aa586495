from django.contrib import admin

from outperform.core.admin import AuditedAdmin

from .models import RoleGrant


@admin.register(RoleGrant)
class RoleGrantAdmin(AuditedAdmin):
    list_display = ["user", "role", "department", "vendor"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name"]
    raw_id_fields = ["user"]
