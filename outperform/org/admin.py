from django.contrib import admin

from outperform.core.admin import AuditedAdmin

from .models import Department, Position, Project


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ["code", "name", "parent", "path", "is_active"]
    search_fields = ["code", "name"]
    readonly_fields = ["path"]


@admin.register(Position)
class PositionAdmin(AuditedAdmin):
    list_display = ["code", "name", "category", "is_active"]
    list_filter = ["category"]
    search_fields = ["code", "name"]


@admin.register(Project)
class ProjectAdmin(AuditedAdmin):
    list_display = ["code", "name", "department", "status"]
    list_filter = ["status"]
    search_fields = ["code", "name"]
