"""factory_boy factories of the record kinds (tests only)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import factory

from outperform.records.models import (
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
from outperform.records.services import record_prepare
from outperform.testing.factories import ContractFactory, VendorFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


class RecordFactory(factory.django.DjangoModelFactory):
    """Derived columns filled as every writer fills them."""

    class Meta:
        abstract = True

    external_id = factory.Sequence(lambda n: f"EXT-{n:06d}")
    vendor = factory.SubFactory(VendorFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = model_class(*args, **kwargs)
        record_prepare(obj)
        obj.save()
        return obj


class TaskFactory(RecordFactory):
    class Meta:
        model = TaskRecord

    title = factory.Sequence(lambda n: f"任务{n}")
    due_date = dt.date(2026, 10, 15)


class TicketFactory(RecordFactory):
    class Meta:
        model = Ticket

    title = factory.Sequence(lambda n: f"工单{n}")
    priority = "p2"
    opened_at = dt.datetime(2026, 10, 12, 9, 0, tzinfo=SHANGHAI)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from outperform.records.sla.service import tickets_refresh_sla

        obj = super()._create(model_class, *args, **kwargs)
        tickets_refresh_sla([obj])
        return obj


class PauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketPause

    ticket = factory.SubFactory(TicketFactory)
    reason = "awaiting_customer"
    started_at = dt.datetime(2026, 10, 12, 10, 0, tzinfo=SHANGHAI)
    ended_at = dt.datetime(2026, 10, 12, 11, 0, tzinfo=SHANGHAI)


class DefectFactory(RecordFactory):
    class Meta:
        model = Defect

    title = factory.Sequence(lambda n: f"差错{n}")
    found_date = dt.date(2026, 10, 12)


class ComplaintFactory(RecordFactory):
    class Meta:
        model = Complaint

    received_date = dt.date(2026, 10, 12)
    channel = "phone"
    category = "attitude"


class InspectionFactory(RecordFactory):
    class Meta:
        model = Inspection

    title = factory.Sequence(lambda n: f"检查{n}")
    kind = "onsite"
    inspection_date = dt.date(2026, 10, 20)


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InspectionFinding

    inspection = factory.SubFactory(InspectionFactory)
    external_id = factory.Sequence(lambda n: f"FND-{n:06d}")
    item = factory.Sequence(lambda n: f"检查项{n}")
    passed = True


class InnovationFactory(RecordFactory):
    class Meta:
        model = InnovationProposal

    title = factory.Sequence(lambda n: f"提案{n}")
    submitted_date = dt.date(2026, 10, 8)


class CostFactory(RecordFactory):
    class Meta:
        model = CostEntry

    period_start = dt.date(2026, 10, 1)
    period_end = dt.date(2026, 10, 31)
    outsourcing_cost_fen = 100_000_00
    benchmark_cost_fen = 120_000_00


class RecruitmentFactory(RecordFactory):
    class Meta:
        model = RecruitmentRequest

    position_name = "客服专员"
    headcount = 3
    requested_date = dt.date(2026, 9, 1)


class LeaverFactory(RecordFactory):
    class Meta:
        model = LeaverRecord

    leave_date = dt.date(2026, 10, 31)
    reason = "voluntary"


class TrainingFactory(RecordFactory):
    class Meta:
        model = TrainingPlan

    title = factory.Sequence(lambda n: f"培训{n}")
    planned_date = dt.date(2026, 10, 10)


class IncidentFactory(RecordFactory):
    class Meta:
        model = Incident

    title = factory.Sequence(lambda n: f"事件{n}")
    kind = "infosec"
    occurred_date = dt.date(2026, 10, 21)


class CalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkCalendar

    code = factory.Sequence(lambda n: f"CAL-{n}")
    name = factory.Sequence(lambda n: f"日历{n}")


class SlaPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SlaPolicy

    contract = factory.SubFactory(ContractFactory)
    priority = "p2"
    response_minutes = 120
    resolution_minutes = 900
