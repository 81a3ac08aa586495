import django_filters
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from .models import AuditAction, AuditLog, User


class AuditLogFilterSet(django_filters.FilterSet):
    content_type = django_filters.ModelChoiceFilter(
        queryset=ContentType.objects.filter(app_label__in=["org", "vendors", "workers", "access", "core"]),
        label=_("对象类型"),
    )
    object_id = django_filters.CharFilter(label=_("对象ID"))
    actor = django_filters.ModelChoiceFilter(queryset=User.objects.all(), label=_("操作人"))
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, label=_("操作"))
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("起始日期"))
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("截止日期"))

    class Meta:
        model = AuditLog
        fields = ["content_type", "object_id", "actor", "action"]
