"""List filters of each record kind: vendor, project, department, a date range and its choices."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from outperform.org.models import Department, Project
from outperform.vendors.models import Contract, Vendor

from .models import (
    CalendarDay,
    Complaint,
    CostEntry,
    Defect,
    Incident,
    InnovationProposal,
    Inspection,
    InspectionFinding,
    LeaverRecord,
    RecruitmentRequest,
    SlaPolicy,
    TaskRecord,
    Ticket,
    TicketPause,
    TrainingPlan,
    WorkCalendar,
)


class DateInput(django_filters.widgets.forms.DateInput):
    input_type = "date"


def record_filterset(
    model: type[models.Model], date_field: str, choices: tuple[str, ...] = (), flags: tuple[str, ...] = ()
) -> type[django_filters.FilterSet]:
    """A filterset with the links every record has, a date range on its period date, its choice
    fields and yes/no facts. Declared, not written, so every kind filters the same way."""
    attrs: dict[str, Any] = {
        "vendor": django_filters.ModelChoiceFilter(queryset=Vendor.objects.all(), label=_("服务商")),
        "project": django_filters.ModelChoiceFilter(queryset=Project.objects.all(), label=_("项目")),
        "department": django_filters.ModelChoiceFilter(
            queryset=Department.objects.all(), label=_("部门"), method="filter_department"
        ),
        "date_from": django_filters.DateFilter(field_name=date_field, lookup_expr="gte", label=_("日期从"),
                                               widget=DateInput()),
        "date_to": django_filters.DateFilter(field_name=date_field, lookup_expr="lte", label=_("日期至"),
                                             widget=DateInput()),
    }
    if isinstance(model._meta.get_field(date_field), models.DateTimeField):
        attrs["date_from"] = django_filters.DateFilter(field_name=date_field, lookup_expr="date__gte",
                                                       label=_("日期从"), widget=DateInput())
        attrs["date_to"] = django_filters.DateFilter(field_name=date_field, lookup_expr="date__lte",
                                                     label=_("日期至"), widget=DateInput())
    for name in choices:
        field = model._meta.get_field(name)
        attrs[name] = django_filters.ChoiceFilter(choices=field.choices, label=field.verbose_name)  # type: ignore[union-attr]
    for name in flags:
        field = model._meta.get_field(name)
        attrs[name] = django_filters.BooleanFilter(label=field.verbose_name)  # type: ignore[union-attr]

    def filter_department(self: Any, queryset: QuerySet[Any], name: str, value: Department) -> QuerySet[Any]:
        # A department includes its sub-departments, as everywhere else.
        return queryset.filter(department__path__startswith=value.path)

    attrs["filter_department"] = filter_department
    attrs["Meta"] = type("Meta", (), {"model": model, "fields": [k for k in attrs if k != "filter_department"]})
    return type(f"{model.__name__}FilterSet", (django_filters.FilterSet,), attrs)


TaskFilterSet = record_filterset(TaskRecord, "due_date", ("acceptance",), ("on_time", "first_pass"))
TicketFilterSet = record_filterset(
    Ticket, "opened_at", ("priority", "sla_status", "response_status", "resolution_status"), ("resolved",)
)
DefectFilterSet = record_filterset(Defect, "found_date", ("severity", "status"))
ComplaintFilterSet = record_filterset(
    Complaint, "received_date", ("channel", "category", "severity", "status"), ("is_resolved",)
)
InspectionFilterSet = record_filterset(Inspection, "inspection_date", ("kind",))
InnovationFilterSet = record_filterset(InnovationProposal, "submitted_date", ("status",), ("adopted",))
CostFilterSet = record_filterset(CostEntry, "period_start", ("category",))
RecruitmentFilterSet = record_filterset(RecruitmentRequest, "requested_date", (), ("filled",))
LeaverFilterSet = record_filterset(LeaverRecord, "leave_date", ("reason",))
TrainingFilterSet = record_filterset(TrainingPlan, "planned_date", (), ("completed",))
IncidentFilterSet = record_filterset(Incident, "occurred_date", ("kind", "severity", "status"), ("veto",))


class FindingFilterSet(django_filters.FilterSet):
    inspection__vendor = django_filters.ModelChoiceFilter(queryset=Vendor.objects.all(), label=_("服务商"))
    passed = django_filters.BooleanFilter(label=_("通过"))
    severity = django_filters.ChoiceFilter(
        choices=InspectionFinding._meta.get_field("severity").choices, label=_("问题等级")
    )

    class Meta:
        model = InspectionFinding
        fields = ["inspection__vendor", "passed", "severity"]


class PauseFilterSet(django_filters.FilterSet):
    ticket__vendor = django_filters.ModelChoiceFilter(queryset=Vendor.objects.all(), label=_("服务商"))
    reason = django_filters.ChoiceFilter(
        choices=TicketPause._meta.get_field("reason").choices, label=_("暂停原因")
    )

    class Meta:
        model = TicketPause
        fields = ["ticket__vendor", "reason"]


class SlaPolicyFilterSet(django_filters.FilterSet):
    contract__vendor = django_filters.ModelChoiceFilter(queryset=Vendor.objects.all(), label=_("服务商"))
    contract = django_filters.ModelChoiceFilter(queryset=Contract.objects.all(), label=_("合同"))
    priority = django_filters.ChoiceFilter(
        choices=SlaPolicy._meta.get_field("priority").choices, label=_("优先级")
    )

    class Meta:
        model = SlaPolicy
        fields = ["contract__vendor", "contract", "priority"]


class CalendarDayFilterSet(django_filters.FilterSet):
    calendar = django_filters.ModelChoiceFilter(queryset=WorkCalendar.objects.all(), label=_("工作日历"))
    kind = django_filters.ChoiceFilter(
        choices=CalendarDay._meta.get_field("kind").choices, label=_("类型")
    )
    # Bounded: a year beyond 9999 overflowed the date lookup into a server error.
    year = django_filters.NumberFilter(field_name="date", lookup_expr="year", label=_("年份"), min_value=1,
                                       max_value=9999)

    class Meta:
        model = CalendarDay
        fields = ["calendar", "kind", "year"]
