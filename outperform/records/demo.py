"""Demo records for 2026 Q3 and Q4 (up to the demo's today): a few thousand facts across the kinds,
SLA policies for the demo contracts, tickets with their SLA columns. Bulk inserts; the same volume
whatever the size of the demo (big loads serve benchmarks, which bring their own records)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, TypeVar

from django.db import models
from django.utils import timezone

from outperform.core.demo.loader import DemoContext
from outperform.vendors.models import Contract, ContractStatus, Vendor, VendorCategory
from outperform.workers.models import Worker

from .models import (
    Acceptance,
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
)
from .services import inspections_rescore, record_prepare
from .sla.service import tickets_refresh_sla

Q3 = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
Q4 = (dt.date(2026, 10, 1), dt.date(2026, 12, 31))

# priority: (response, resolution) in working minutes
POLICIES = {"p1": (30, 240), "p2": (60, 480), "p3": (240, 1350), "p4": (480, 2700)}

TASK_TITLES = ["月度对账报表", "客户回访清单", "系统巡检报告", "库存盘点", "配送路线优化", "工单质检抽查",
               "接口联调", "需求评审纪要", "培训课件更新", "数据清洗", "周报汇总", "活动物料准备"]
TICKET_TITLES = ["账号无法登录", "打印机无法连接", "系统响应缓慢", "报表导出失败", "邮箱收发异常",
                 "客户投诉升级处理", "VPN 连接中断", "电话坐席掉线", "订单状态不同步", "发票信息有误"]
DEFECT_TITLES = ["数据录入错误", "报表口径不一致", "漏发通知", "地址填写错误", "功能缺陷", "配送错件",
                 "话术使用不规范", "工资表计算错误"]
INSPECTION_ITEMS = ["着装与工牌规范", "服务话术规范", "台账记录完整", "消防通道畅通", "客户信息保密",
                    "设备运行正常", "现场卫生整洁", "交接班记录", "安全操作规程", "质检问题整改闭环"]
INNOVATIONS = ["工单智能分派规则", "客服知识库重构", "仓储拣货路径优化", "自动化对账脚本", "配送波次合并",
               "来电高峰排班模型", "质检抽样规则优化", "培训微课体系"]
TRAININGS = ["新员工服务规范培训", "信息安全与保密培训", "客户沟通技巧", "系统操作培训", "安全生产培训",
             "投诉处理实务"]
INCIDENTS = [("客户信息外发", "confidentiality"), ("弱口令导致账号被盗", "infosec"),
             ("未按合同配置人员", "contract_breach"), ("劳动用工检查不合规", "regulatory")]


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def _workday(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    for _ in range(10):
        day = _day(rng, start, end)
        if day.weekday() < 5:
            return day
    return day


M = TypeVar("M", bound=models.Model)


def _prepared(objs: list[M]) -> list[M]:
    for obj in objs:
        record_prepare(obj)
    return objs


def load(ctx: DemoContext) -> None:
    rng = random.Random(ctx.rng.random())
    today = ctx.today
    q4_end = min(Q4[1], today) if today >= dt.date(2026, 10, 15) else dt.date(2026, 11, 20)
    periods = [Q3, (Q4[0], q4_end)]
    workers = list(
        Worker.objects.select_related("vendor").filter(status="active").order_by("pk")[:1500]
    )
    vendors = list(Vendor.objects.order_by("pk"))
    if not workers or not vendors:
        return
    contracts = list(Contract.objects.filter(status=ContractStatus.ACTIVE).order_by("pk"))
    SlaPolicy.objects.bulk_create([
        SlaPolicy(contract=c, priority=p, response_minutes=r, resolution_minutes=s)
        for c in contracts for p, (r, s) in POLICIES.items()
    ])
    # Each vendor has a level of quality, so the demo ranks vendors visibly apart.
    quality = {v.pk: rng.uniform(0.75, 0.98) for v in vendors}
    seq = iter(range(1, 10**7))

    def ext(prefix: str) -> str:
        return f"{prefix}-2026-{next(seq):06d}"

    def person() -> Worker:
        return rng.choice(workers)

    def base(w: Worker) -> dict[str, Any]:
        return {"vendor_id": w.vendor_id, "worker": w, "department_id": w.department_id, "project_id": w.project_id}

    tasks, defects, complaints, tickets = [], [], [], []
    for start, end in periods:
        for _ in range(750):
            w = person()
            q = quality[w.vendor_id]
            due = _workday(rng, start, end)
            delivered = None if due > today - dt.timedelta(days=3) and rng.random() < 0.6 else (
                due + dt.timedelta(days=rng.choice([-3, -2, -1, 0, 0, 0]) if rng.random() < q else rng.randint(1, 6)))
            acceptance = Acceptance.PENDING if delivered is None else (
                Acceptance.ACCEPTED if rng.random() < q + 0.05 else Acceptance.REJECTED)
            rework = 0 if rng.random() < q else rng.randint(1, 3)
            tasks.append(TaskRecord(external_id=ext("RW"), title=rng.choice(TASK_TITLES), due_date=due,
                                    delivered_date=delivered, acceptance=acceptance, rework_count=rework, **base(w)))
        for _ in range(int(150 * 1.0)):
            w = person()
            found = _day(rng, start, end)
            severity = rng.choices(["trivial", "minor", "major", "critical"], [4, 6, 2, 0.3])[0]
            fixed = rng.random() < 0.8
            defects.append(Defect(external_id=ext("QX"), title=rng.choice(DEFECT_TITLES), found_date=found,
                                  severity=severity, status="fixed" if fixed else "open",
                                  fixed_date=found + dt.timedelta(days=rng.randint(0, 5)) if fixed else None,
                                  **base(w)))
        for _ in range(70):
            w = person()
            received = _day(rng, start, end)
            done = rng.random() < 0.85
            resolved_at = dt.datetime.combine(received + dt.timedelta(days=rng.randint(0, 6)), dt.time(16, 0),
                                              tzinfo=timezone.get_default_timezone()) if done else None
            complaints.append(Complaint(
                external_id=ext("TS"), received_date=received,
                channel=rng.choice(["phone", "phone", "online", "email", "onsite"]),
                category=rng.choice(["attitude", "quality", "timeliness", "billing", "other"]),
                severity=rng.choices(["low", "medium", "high"], [6, 3, 1])[0],
                status="resolved" if done else rng.choice(["open", "processing"]),
                description="客户反映服务人员处理不及时，要求回电说明。",
                resolution="已致电客户致歉并完成处理。" if done else "", resolved_at=resolved_at, **base(w)))
        tz = timezone.get_default_timezone()
        for _ in range(400):
            w = person()
            q = quality[w.vendor_id]
            day = _workday(rng, start, end)
            opened = dt.datetime.combine(day, dt.time(rng.choice([9, 10, 11, 14, 15, 16]), rng.randrange(60)),
                                         tzinfo=tz)
            priority = rng.choices(["p1", "p2", "p3", "p4"], [1, 3, 5, 2])[0]
            response_target, resolution_target = POLICIES[priority]
            fast = rng.random() < q
            first = opened + dt.timedelta(minutes=rng.randint(3, int(response_target * (0.7 if fast else 2.5))))
            open_now = opened.date() > today - dt.timedelta(days=2) and rng.random() < 0.5
            resolved = None if open_now else opened + dt.timedelta(
                minutes=rng.randint(20, int(resolution_target * (0.8 if fast else 3.0))))
            tickets.append(Ticket(external_id=ext("GD"), title=rng.choice(TICKET_TITLES), priority=priority,
                                  opened_at=opened, first_response_at=first, resolved_at=resolved,
                                  description="用户来电反映问题，已登记。", **base(w)))
    TaskRecord.objects.bulk_create(_prepared(tasks), batch_size=2000)
    Defect.objects.bulk_create(_prepared(defects), batch_size=2000)
    Complaint.objects.bulk_create(_prepared(complaints), batch_size=2000)
    Ticket.objects.bulk_create(_prepared(tickets), batch_size=2000)
    saved = list(Ticket.objects.filter(external_id__startswith="GD-2026-").order_by("pk"))
    pauses = [
        TicketPause(ticket=t, reason=rng.choice(["awaiting_customer", "third_party", "customer_request"]),
                    started_at=t.opened_at + dt.timedelta(minutes=20),
                    ended_at=t.opened_at + dt.timedelta(minutes=20 + rng.randint(30, 240)))
        for t in saved if rng.random() < 0.1
    ]
    TicketPause.objects.bulk_create(pauses)
    tickets_refresh_sla(saved)

    _inspections(rng, periods, workers, vendors, ext)
    _vendor_level(rng, periods, vendors, workers, ext, today)


def _inspections(rng: random.Random, periods: list[tuple[dt.date, dt.date]], workers: list[Worker],
                 vendors: list[Vendor], ext: Any) -> None:
    inspections = []
    for start, end in periods:
        for vendor in vendors:
            staff = [w for w in workers if w.vendor_id == vendor.pk] or workers
            for kind in ("regular", "onsite", "internal_audit")[: rng.randint(1, 3)]:
                w = rng.choice(staff)
                inspections.append(Inspection(
                    external_id=ext("JC"), title=f"{start:%Y}年{start.month}-{end.month}月{vendor.name[:6]}检查",
                    kind=kind, inspection_date=_workday(rng, start, end), inspector="质检部 李敏",
                    conclusion="总体符合要求，个别问题限期整改。", vendor_id=vendor.pk,
                    department_id=w.department_id, project_id=w.project_id))
    Inspection.objects.bulk_create(_prepared(inspections), batch_size=2000)
    saved = list(Inspection.objects.filter(external_id__startswith="JC-2026-"))
    findings: list[InspectionFinding] = []
    for inspection in saved:
        for item in rng.sample(INSPECTION_ITEMS, rng.randint(5, 9)):
            passed = rng.random() < 0.85
            findings.append(InspectionFinding(
                inspection=inspection, external_id=f"{inspection.external_id}-{len(findings) + 1:04d}", item=item,
                passed=passed, severity="" if passed else rng.choice(["low", "medium", "high"]),
                note="" if passed else "现场发现问题，已拍照留档",
                due_date=None if passed else inspection.inspection_date + dt.timedelta(days=14)))
    InspectionFinding.objects.bulk_create(findings, batch_size=2000)
    inspections_rescore(i.pk for i in saved)


def _vendor_level(rng: random.Random, periods: list[tuple[dt.date, dt.date]], vendors: list[Vendor],
                  workers: list[Worker], ext: Any, today: dt.date) -> None:
    costs: list[CostEntry] = []
    recruitments: list[RecruitmentRequest] = []
    trainings: list[TrainingPlan] = []
    innovations: list[InnovationProposal] = []
    leavers: list[LeaverRecord] = []
    incidents: list[Incident] = []
    for start, end in periods:
        for vendor in vendors:
            staff = [w for w in workers if w.vendor_id == vendor.pk] or workers
            month = start
            while month <= end:
                month_end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
                cost = rng.randrange(30, 300) * 10_000_00
                costs.append(CostEntry(
                    external_id=ext("CB"), vendor_id=vendor.pk, period_start=month, period_end=month_end,
                    category="service_fee", outsourcing_cost_fen=cost,
                    benchmark_cost_fen=int(cost * rng.uniform(1.0, 1.35)),
                    available_hours=len(staff) * 176, used_hours=int(len(staff) * 176 * rng.uniform(0.75, 0.98)),
                    note=f"{month:%Y年%m月}服务费"))
                month = month_end + dt.timedelta(days=1)
            if vendor.category in (VendorCategory.HR, VendorCategory.LABOUR):
                for _ in range(rng.randint(2, 5)):
                    requested = _day(rng, start, end)
                    headcount = rng.randint(1, 8)
                    filled_date = requested + dt.timedelta(days=rng.randint(7, 45))
                    done = filled_date <= today
                    recruitments.append(RecruitmentRequest(
                        external_id=ext("ZP"), vendor_id=vendor.pk, position_name=rng.choice(
                            ["客服专员", "仓储管理员", "配送员", "运维工程师"]),
                        headcount=headcount, requested_date=requested,
                        filled_count=headcount if done else rng.randint(0, headcount - 1),
                        filled_date=filled_date if done else None, cost_fen=headcount * rng.randint(800, 2500) * 100))
            for title in rng.sample(TRAININGS, 2):
                planned = _day(rng, start, end)
                planned_n = rng.randint(10, 40)
                completed = planned <= today
                trainings.append(TrainingPlan(
                    external_id=ext("PX"), vendor_id=vendor.pk, title=title, planned_date=planned,
                    completed_date=planned if completed else None, planned_participants=planned_n,
                    completed_participants=int(planned_n * rng.uniform(0.8, 1.0)) if completed else 0,
                    hours=rng.choice([2, 4, 8])))
            for _ in range(rng.randint(0, 3)):
                w = rng.choice(staff)
                status = rng.choice(["submitted", "evaluating", "adopted", "adopted", "rejected"])
                innovations.append(InnovationProposal(
                    external_id=ext("CX"), title=rng.choice(INNOVATIONS), submitted_date=_day(rng, start, end),
                    description="通过流程优化减少重复劳动，预计提升效率。",
                    estimated_benefit_fen=rng.randrange(1, 30) * 10_000_00,
                    evaluation_score=rng.randint(60, 95) if status in ("adopted", "rejected") else None,
                    status=status, vendor_id=vendor.pk, worker=w, department_id=w.department_id,
                    project_id=w.project_id))
            for w in rng.sample(staff, min(len(staff), rng.randint(0, 4))):
                leavers.append(LeaverRecord(
                    external_id=ext("LZ"), leave_date=_day(rng, start, end),
                    reason=rng.choice(["voluntary", "voluntary", "contract_end", "dismissed", "transfer"]),
                    vendor_id=vendor.pk, worker=w, department_id=w.department_id, project_id=w.project_id))
        for _ in range(rng.randint(1, 3)):
            vendor = rng.choice(vendors)
            title, kind = rng.choice(INCIDENTS)
            incidents.append(Incident(
                external_id=ext("AQ"), title=title, kind=kind,
                severity=rng.choices(["minor", "major", "critical"], [6, 2, 1])[0],
                occurred_date=_day(rng, start, end), status="closed", vendor_id=vendor.pk,
                description="事件经核查属实。", measures="已约谈服务商负责人并要求限期整改。"))
    CostEntry.objects.bulk_create(_prepared(costs), batch_size=2000)
    RecruitmentRequest.objects.bulk_create(_prepared(recruitments), batch_size=2000)
    TrainingPlan.objects.bulk_create(_prepared(trainings), batch_size=2000)
    InnovationProposal.objects.bulk_create(_prepared(innovations), batch_size=2000)
    LeaverRecord.objects.bulk_create(_prepared(leavers), batch_size=2000)
    Incident.objects.bulk_create(_prepared(incidents), batch_size=2000)
