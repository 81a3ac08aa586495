from django.contrib import admin

from outperform.core.admin import AuditedAdmin

from .models import Worker


@admin.register(Worker)
class WorkerAdmin(AuditedAdmin):
    list_display = ["employee_no", "name", "vendor", "department", "position", "status"]
    list_filter = ["status", "vendor"]
    search_fields = ["employee_no", "name"]
    raw_id_fields = ["supervisor", "user"]
