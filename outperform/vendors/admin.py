from django.contrib import admin

from outperform.core.admin import AuditedAdmin

from .models import Contract, ServiceLevel, Vendor


@admin.register(Vendor)
class VendorAdmin(AuditedAdmin):
    list_display = ["name", "credit_code", "category", "status"]
    list_filter = ["category", "status"]
    search_fields = ["name", "credit_code"]


@admin.register(Contract)
class ContractAdmin(AuditedAdmin):
    list_display = ["number", "title", "vendor", "start_date", "end_date", "status"]
    list_filter = ["status"]
    search_fields = ["number", "title"]


@admin.register(ServiceLevel)
class ServiceLevelAdmin(AuditedAdmin):
    list_display = ["contract", "metric", "comparator", "target", "unit"]
