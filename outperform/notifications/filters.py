import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Channel, ChannelKind, Delivery, DeliveryStatus, NotificationKind


class ChannelFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ChannelKind.choices, label=_("类型"))
    enabled = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = Channel
        fields = ["kind", "enabled"]


class DeliveryFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices, label=_("状态"))
    channel_kind = django_filters.ChoiceFilter(choices=ChannelKind.choices, label=_("渠道类型"))
    channel = django_filters.ModelChoiceFilter(queryset=Channel.objects.all(), label=_("渠道"))
    kind = django_filters.ChoiceFilter(choices=NotificationKind.choices, label=_("通知类型"))
    since = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label=_("起始日期"))

    class Meta:
        model = Delivery
        fields = ["status", "channel_kind", "channel", "kind"]
