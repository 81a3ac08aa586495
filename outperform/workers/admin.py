from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from outperform.core.admin import AuditedAdmin
from outperform.core.audit import snapshot

from .models import Worker
from .services import worker_save, workers_delete


@admin.register(Worker)
class WorkerAdmin(AuditedAdmin):
    """Through the roster's services like the pages, so headcount metrics follow admin edits too."""

    list_display = ["employee_no", "name", "vendor", "department", "position", "status"]
    list_filter = ["status", "vendor"]
    search_fields = ["employee_no", "name"]
    raw_id_fields = ["supervisor", "user"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = snapshot(Worker.objects.get(pk=obj.pk)) if change else None
        worker_save(actor=request.user, obj=obj, before=before)  # type: ignore[arg-type]

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        workers_delete(actor=request.user, objs=[obj])  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        # "Delete selected": one audit row per worker (QuerySet.delete would write none) and one refresh.
        workers_delete(actor=request.user, objs=list(queryset))  # type: ignore[arg-type]
