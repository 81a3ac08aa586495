from outperform.core.api import ScopedModelSerializer, ScopedModelViewSet

from .filters import ContractFilterSet, ServiceLevelFilterSet, VendorFilterSet
from .models import Contract, ServiceLevel, Vendor
from .resources import ContractResource, ServiceLevelResource, VendorResource


class VendorSerializer(ScopedModelSerializer):
    class Meta:
        model = Vendor
        fields = ["id", "name", "credit_code", "category", "contact_name", "contact_mobile", "contact_email",
                  "address", "status", "note", "created_at", "updated_at"]


class ServiceLevelSerializer(ScopedModelSerializer):
    class Meta:
        model = ServiceLevel
        fields = ["id", "contract", "metric", "comparator", "target", "unit", "note"]


class ContractSerializer(ScopedModelSerializer):
    class Meta:
        model = Contract
        fields = ["id", "vendor", "number", "title", "start_date", "end_date", "amount_fen", "service_scope",
                  "confidentiality_duty", "status", "created_at", "updated_at"]


class VendorViewSet(ScopedModelViewSet):
    resource = VendorResource()
    serializer_class = VendorSerializer
    filterset_class = VendorFilterSet
    search_fields = ["name", "credit_code"]
    ordering_fields = ["name", "credit_code", "status"]


class ContractViewSet(ScopedModelViewSet):
    resource = ContractResource()
    serializer_class = ContractSerializer
    filterset_class = ContractFilterSet
    search_fields = ["number", "title", "vendor__name"]
    ordering_fields = ["number", "start_date", "end_date", "amount_fen"]


class ServiceLevelViewSet(ScopedModelViewSet):
    resource = ServiceLevelResource()
    serializer_class = ServiceLevelSerializer
    filterset_class = ServiceLevelFilterSet
    search_fields = ["metric"]
    ordering_fields = ["id"]
