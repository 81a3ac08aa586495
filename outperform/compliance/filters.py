import django_filters
from django.utils.translation import gettext_lazy as _

from outperform.vendors.models import Vendor

from .models import (
    AuditFinding,
    ChecklistArea,
    ComplianceChecklist,
    EmergencyContact,
    FindingSeverity,
    FindingStatus,
    NoticeState,
    RectificationNotice,
    VendorAudit,
)


class NoticeFilterSet(django_filters.FilterSet):
    vendor = django_filters.ModelChoiceFilter(queryset=Vendor.objects.all(), label=_("服务商"))
    state = django_filters.ChoiceFilter(choices=NoticeState.choices, label=_("状态"))
    escalated = django_filters.BooleanFilter(field_name="escalated_at", lookup_expr="isnull", exclude=True,
                                             label=_("已升级"))

    class Meta:
        model = RectificationNotice
        fields = ["vendor", "state", "escalated"]


class ChecklistFilterSet(django_filters.FilterSet):
    area = django_filters.ChoiceFilter(choices=ChecklistArea.choices, label=_("领域"))

    class Meta:
        model = ComplianceChecklist
        fields = ["area", "active"]


class AuditFilterSet(django_filters.FilterSet):
    vendor = django_filters.ModelChoiceFilter(queryset=Vendor.objects.all(), label=_("服务商"))
    checklist = django_filters.ModelChoiceFilter(queryset=ComplianceChecklist.objects.all(), label=_("检查表"))

    class Meta:
        model = VendorAudit
        fields = ["vendor", "checklist"]


class FindingFilterSet(django_filters.FilterSet):
    vendor = django_filters.ModelChoiceFilter(queryset=Vendor.objects.all(), label=_("服务商"))
    severity = django_filters.ChoiceFilter(choices=FindingSeverity.choices, label=_("严重程度"))
    status = django_filters.ChoiceFilter(choices=FindingStatus.choices, label=_("状态"))
    overdue = django_filters.BooleanFilter(label=_("已逾期"))

    class Meta:
        model = AuditFinding
        fields = ["vendor", "severity", "status", "overdue"]


class ContactFilterSet(django_filters.FilterSet):
    vendor = django_filters.ModelChoiceFilter(queryset=Vendor.objects.all(), label=_("服务商"))

    class Meta:
        model = EmergencyContact
        fields = ["vendor", "available_24h"]
