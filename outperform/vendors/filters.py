import datetime as dt

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Contract, ContractStatus, ServiceLevel, Vendor, VendorCategory, VendorStatus


class VendorFilterSet(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=VendorCategory.choices, label=_("服务类别"))
    status = django_filters.ChoiceFilter(choices=VendorStatus.choices, label=_("状态"))

    class Meta:
        model = Vendor
        fields = ["category", "status"]


class ContractFilterSet(django_filters.FilterSet):
    vendor = django_filters.ModelChoiceFilter(queryset=Vendor.objects.all(), label=_("服务商"))
    status = django_filters.ChoiceFilter(choices=ContractStatus.choices, label=_("状态"))
    expires_within = django_filters.NumberFilter(
        method="filter_expires_within", label=_("N天内到期"), min_value=0, max_value=36500
    )  # the cap keeps today + N days a date (a huge N overflowed into a server error)

    class Meta:
        model = Contract
        fields = ["vendor", "status", "expires_within"]

    def filter_expires_within(self, queryset: QuerySet[Contract], name: str, value: int) -> QuerySet[Contract]:
        return contracts_expiring(queryset, int(value))


def contracts_expiring(queryset: QuerySet[Contract], days: int, today: dt.date | None = None) -> QuerySet[Contract]:
    """Contracts in force whose end date falls within the next `days` days (today included)."""
    today = today or timezone.localdate()
    return queryset.filter(
        status__in=[ContractStatus.ACTIVE, ContractStatus.DRAFT],
        end_date__gte=today,
        end_date__lte=today + dt.timedelta(days=days),
    )


class ServiceLevelFilterSet(django_filters.FilterSet):
    contract = django_filters.ModelChoiceFilter(queryset=Contract.objects.all(), label=_("合同"))

    class Meta:
        model = ServiceLevel
        fields = ["contract"]
