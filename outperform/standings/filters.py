import django_filters
from django.utils.translation import gettext_lazy as _

from outperform.cycles.models import Cycle
from outperform.indicators.models import SubjectKind
from outperform.vendors.models import Vendor

from .models import Settlement, SettlementRule, SettlementState, StandingBand, VendorStanding


class StandingBandFilterSet(django_filters.FilterSet):
    require_rectification = django_filters.BooleanFilter(label=_("要求整改"))
    termination_review = django_filters.BooleanFilter(label=_("进入终止合作评审"))

    class Meta:
        model = StandingBand
        fields = ["require_rectification", "termination_review"]


class VendorStandingFilterSet(django_filters.FilterSet):
    vendor = django_filters.ModelChoiceFilter(queryset=Vendor.objects.all(), label=_("服务商"))
    code = django_filters.CharFilter(label=_("评级"))
    is_current = django_filters.BooleanFilter(label=_("当前评级"))
    rectification_required = django_filters.BooleanFilter(label=_("要求整改"))
    termination_review = django_filters.BooleanFilter(label=_("终止合作评审"))

    class Meta:
        model = VendorStanding
        fields = ["vendor", "code", "is_current", "rectification_required", "termination_review"]


class SettlementRuleFilterSet(django_filters.FilterSet):
    contract__vendor = django_filters.ModelChoiceFilter(queryset=Vendor.objects.all(), label=_("服务商"))

    class Meta:
        model = SettlementRule
        fields = ["contract__vendor"]


class SettlementFilterSet(django_filters.FilterSet):
    cycle = django_filters.ModelChoiceFilter(
        queryset=Cycle.objects.filter(subject_kind=SubjectKind.VENDOR), label=_("期间"))
    vendor = django_filters.ModelChoiceFilter(queryset=Vendor.objects.all(), label=_("服务商"))
    state = django_filters.ChoiceFilter(choices=SettlementState.choices, label=_("状态"))

    class Meta:
        model = Settlement
        fields = ["cycle", "vendor", "state"]
