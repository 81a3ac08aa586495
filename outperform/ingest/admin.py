from django.contrib import admin

from outperform.core.admin import ReadOnlyAdminMixin

from .models import ColumnMapping, IngestBatch


@admin.register(IngestBatch)
class IngestBatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Batches are written by the ingest services only."""

    list_display = ("id", "source", "origin", "state", "filename", "rows", "created", "updated", "error_count",
                    "created_by", "created_at")
    list_filter = ("source", "origin", "state")
    search_fields = ("filename", "file_hash")


@admin.register(ColumnMapping)
class ColumnMappingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("source", "signature", "updated_by", "updated_at")
