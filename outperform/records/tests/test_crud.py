"""Every record page through the reusable CRUD + permission base: writers create, update and delete
with one audit row each (web and API); every other role is refused and writes nothing."""

from __future__ import annotations

from outperform.records.models import (
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
from outperform.testing.crud import CrudCase

from . import factories as f


def links(w):
    return {"vendor": w.vendor_a.pk, "project": w.project.pk, "department": w.ops_cs.pk}


def api_links(w):
    return {"vendor": w.vendor_a.credit_code, "project": w.project.code, "department": w.ops_cs.code}


class TestTasks(CrudCase):
    route, api, model = "records:tasks", "/api/v1/records/tasks/", TaskRecord
    make = staticmethod(lambda w: f.TaskFactory(vendor=w.vendor_b))
    form_data = staticmethod(lambda w: {"external_id": "T-NEW", "title": "月报", **links(w),
                                        "worker": w.workers["a_ops_cs"].pk, "due_date": "2026-10-15",
                                        "delivered_date": "2026-10-14", "acceptance": "accepted", "rework_count": 0})
    api_data = staticmethod(lambda w: {"external_id": "T-API", "title": "月报", **api_links(w),
                                       "worker": w.workers["a_ops_cs"].employee_no, "due_date": "2026-10-15",
                                       "acceptance": "pending", "rework_count": 0})
    update_field = ("title", "月报（改）")


class TestTickets(CrudCase):
    route, api, model = "records:tickets", "/api/v1/records/tickets/", Ticket
    make = staticmethod(lambda w: f.TicketFactory(vendor=w.vendor_b))
    form_data = staticmethod(lambda w: {"external_id": "K-NEW", "title": "无法登录", **links(w), "priority": "p2",
                                        "opened_at": "2026-10-12T09:00"})
    api_data = staticmethod(lambda w: {"external_id": "K-API", "title": "无法登录", **api_links(w), "priority": "p2",
                                       "opened_at": "2026-10-12T09:00:00+08:00"})
    update_field = ("title", "无法登录（改）")


class TestPauses(CrudCase):
    route, api, model = "records:pauses", "/api/v1/records/ticket-pauses/", TicketPause
    make = staticmethod(lambda w: f.PauseFactory(ticket=f.TicketFactory(vendor=w.vendor_b)))
    form_data = staticmethod(lambda w: {"ticket": f.TicketFactory(vendor=w.vendor_a).pk, "reason": "third_party",
                                        "started_at": "2026-10-12T10:00", "ended_at": "2026-10-12T11:00"})
    update_field = ("note", "等待运营商")


class TestDefects(CrudCase):
    route, api, model = "records:defects", "/api/v1/records/defects/", Defect
    make = staticmethod(lambda w: f.DefectFactory(vendor=w.vendor_b))
    form_data = staticmethod(lambda w: {"external_id": "D-NEW", "title": "计算错误", **links(w),
                                        "found_date": "2026-10-12", "severity": "major", "status": "open"})
    api_data = staticmethod(lambda w: {"external_id": "D-API", "title": "计算错误", **api_links(w),
                                       "found_date": "2026-10-12", "severity": "major", "status": "open"})
    update_field = ("status", "fixed")


class TestComplaints(CrudCase):
    route, api, model = "records:complaints", "/api/v1/records/complaints/", Complaint
    make = staticmethod(lambda w: f.ComplaintFactory(vendor=w.vendor_b))
    form_data = staticmethod(lambda w: {"external_id": "C-NEW", **links(w), "received_date": "2026-10-12",
                                        "channel": "phone", "category": "attitude", "severity": "low",
                                        "status": "open"})
    api_data = staticmethod(lambda w: {"external_id": "C-API", **api_links(w), "received_date": "2026-10-12",
                                       "channel": "online", "category": "quality", "severity": "high",
                                       "status": "open"})
    update_field = ("severity", "medium")


class TestInspections(CrudCase):
    route, api, model = "records:inspections", "/api/v1/records/inspections/", Inspection
    make = staticmethod(lambda w: f.InspectionFactory(vendor=w.vendor_b))
    form_data = staticmethod(lambda w: {"external_id": "I-NEW", "title": "现场检查", "kind": "onsite", **links(w),
                                        "inspection_date": "2026-10-20"})
    api_data = staticmethod(lambda w: {"external_id": "I-API", "title": "内部审查", "kind": "internal_audit",
                                       **api_links(w), "inspection_date": "2026-10-20"})
    update_field = ("inspector", "李敏")


class TestFindings(CrudCase):
    route, api, model = "records:findings", "/api/v1/records/inspection-findings/", InspectionFinding
    make = staticmethod(lambda w: f.FindingFactory(inspection=f.InspectionFactory(vendor=w.vendor_b)))
    form_data = staticmethod(lambda w: {"inspection": f.InspectionFactory(vendor=w.vendor_a).pk,
                                        "external_id": "F-NEW", "item": "着装规范", "passed": "on"})
    api_data = staticmethod(lambda w: {"inspection": f.InspectionFactory(vendor=w.vendor_a).external_id,
                                       "external_id": "F-API", "item": "着装规范", "passed": True})
    update_field = ("note", "已复查")


class TestInnovations(CrudCase):
    route, api, model = "records:innovations", "/api/v1/records/innovations/", InnovationProposal
    make = staticmethod(lambda w: f.InnovationFactory(vendor=w.vendor_b))
    form_data = staticmethod(lambda w: {"external_id": "N-NEW", "title": "自动派单", **links(w),
                                        "submitted_date": "2026-10-08", "estimated_benefit_fen_yuan": "50000.50",
                                        "status": "submitted"})
    api_data = staticmethod(lambda w: {"external_id": "N-API", "title": "自动派单", **api_links(w),
                                       "submitted_date": "2026-10-08", "estimated_benefit_fen": 5000050,
                                       "status": "adopted"})
    update_field = ("evaluation_score", "88.50")


class TestCosts(CrudCase):
    route, api, model = "records:costs", "/api/v1/records/costs/", CostEntry
    make = staticmethod(lambda w: f.CostFactory(vendor=w.vendor_b))
    form_data = staticmethod(lambda w: {"external_id": "CO-NEW", **links(w), "period_start": "2026-10-01",
                                        "period_end": "2026-10-31", "category": "service_fee",
                                        "outsourcing_cost_fen_yuan": "100000", "benchmark_cost_fen_yuan": "120000",
                                        "available_hours": "1760", "used_hours": "1500"})
    api_data = staticmethod(lambda w: {"external_id": "CO-API", **api_links(w), "period_start": "2026-10-01",
                                       "period_end": "2026-10-31", "outsourcing_cost_fen": 10000000,
                                       "benchmark_cost_fen": 12000000})
    update_field = ("note", "10月")


class TestRecruitments(CrudCase):
    route, api, model = "records:recruitments", "/api/v1/records/recruitments/", RecruitmentRequest
    make = staticmethod(lambda w: f.RecruitmentFactory(vendor=w.vendor_b))
    form_data = staticmethod(lambda w: {"external_id": "R-NEW", **links(w), "position_name": "客服专员",
                                        "headcount": 3, "requested_date": "2026-09-01", "filled_count": 0,
                                        "cost_fen_yuan": "0"})
    api_data = staticmethod(lambda w: {"external_id": "R-API", **api_links(w), "position_name": "客服专员",
                                       "headcount": 3, "requested_date": "2026-09-01"})
    update_field = ("filled_count", 2)


class TestLeavers(CrudCase):
    route, api, model = "records:leavers", "/api/v1/records/leavers/", LeaverRecord
    make = staticmethod(lambda w: f.LeaverFactory(vendor=w.vendor_b))
    form_data = staticmethod(lambda w: {"external_id": "L-NEW", **links(w), "worker": w.workers["a_tech"].pk,
                                        "leave_date": "2026-10-31", "reason": "voluntary"})
    api_data = staticmethod(lambda w: {"external_id": "L-API", **api_links(w), "leave_date": "2026-10-31",
                                       "reason": "contract_end"})
    update_field = ("note", "个人原因")


class TestTrainings(CrudCase):
    route, api, model = "records:trainings", "/api/v1/records/training-plans/", TrainingPlan
    make = staticmethod(lambda w: f.TrainingFactory(vendor=w.vendor_b))
    form_data = staticmethod(lambda w: {"external_id": "TR-NEW", "title": "服务规范", **links(w),
                                        "planned_date": "2026-10-10", "planned_participants": 30,
                                        "completed_participants": 0, "hours": "4"})
    api_data = staticmethod(lambda w: {"external_id": "TR-API", "title": "服务规范", **api_links(w),
                                       "planned_date": "2026-10-10", "planned_participants": 30})
    update_field = ("completed_participants", 28)


class TestIncidents(CrudCase):
    route, api, model = "records:incidents", "/api/v1/records/incidents/", Incident
    make = staticmethod(lambda w: f.IncidentFactory(vendor=w.vendor_b))
    form_data = staticmethod(lambda w: {"external_id": "S-NEW", "title": "资料外泄", "kind": "confidentiality",
                                        **links(w), "severity": "minor", "occurred_date": "2026-10-21",
                                        "status": "open"})
    api_data = staticmethod(lambda w: {"external_id": "S-API", "title": "资料外泄", "kind": "confidentiality",
                                       **api_links(w), "severity": "minor", "occurred_date": "2026-10-21"})
    update_field = ("severity", "critical")


class TestCalendars(CrudCase):
    route, api, model = "records:calendars", "/api/v1/records/calendars/", WorkCalendar
    make = staticmethod(lambda w: f.CalendarFactory())
    form_data = staticmethod(lambda w: {"code": "CS-24", "name": "客服排班", "mon": "08:00-20:00",
                                        "tue": "08:00-20:00", "wed": "08:00-20:00", "thu": "08:00-20:00",
                                        "fri": "08:00-20:00", "sat": "09:00-17:00", "sun": "",
                                        "makeup_windows": "08:00-20:00"})
    update_field = ("name", "客服排班（改）")


class TestCalendarDays(CrudCase):
    route, api, model = "records:calendar_days", "/api/v1/records/calendar-days/", CalendarDay
    make = staticmethod(lambda w: CalendarDay.objects.create(calendar=f.CalendarFactory(), date="2027-01-01",
                                                             kind="holiday", name="元旦"))
    form_data = staticmethod(lambda w: {"calendar": WorkCalendar.objects.get(code="CN-STD").pk,
                                        "date": "2027-10-01", "kind": "holiday", "name": "国庆节"})
    update_field = ("name", "国庆")


class TestSlaPolicies(CrudCase):
    route, api, model = "records:sla_policies", "/api/v1/records/sla-policies/", SlaPolicy
    make = staticmethod(lambda w: f.SlaPolicyFactory(contract=w.contract_b))
    form_data = staticmethod(lambda w: {"contract": w.contract_a.pk, "priority": "p1", "response_minutes": 30,
                                        "resolution_minutes": 240})
    api_data = staticmethod(lambda w: {"contract": w.contract_a.number, "priority": "p2", "response_minutes": 60,
                                       "resolution_minutes": 480})
    update_field = ("response_minutes", 45)
