"""Demo rows of the compliance app: the default checklists, two audits of 上海卓越 with findings,
emergency contacts for every vendor, one open rectification notice for 上海卓越 (the "vendor" log-in)
and one closed one. Goes through the services, so the audit log and timelines are real; a handful of
rows, cheap on a big load too."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from outperform.core.demo.loader import DemoContext
from outperform.vendors.models import Vendor

from . import services
from .builtin import load_default_checklists
from .models import AuditFinding, ComplianceChecklist, EmergencyContact, FindingStatus, VendorAudit

DEMO_VENDOR = "上海卓越人力资源有限公司"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林"
GIVEN = ("伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平", "刚")
ROLES = ("信息安全负责人", "驻场项目经理", "客户经理", "值班主管")


def _mobile(ctx: DemoContext) -> str:
    return f"1{ctx.rng.choice('3578')}{ctx.rng.randrange(10**9):09d}"


def load(ctx: DemoContext) -> None:
    load_default_checklists()
    hr = ctx.users["hr"]
    vendors = list(Vendor.objects.order_by("name"))
    contacts = []
    for v in vendors:
        for i in range(2):
            name = ctx.rng.choice(SURNAMES) + ctx.rng.choice(GIVEN) + (ctx.rng.choice(GIVEN) if i else "")
            contacts.append(EmergencyContact(vendor=v, name=name, role=ROLES[i if i == 0 else ctx.rng.randrange(1, 4)],
                                             mobile=_mobile(ctx), phone=f"021-{ctx.rng.randrange(10**7, 10**8)}",
                                             email=f"duty{i + 1}@vendor{v.pk}.example.cn", available_24h=i == 0))
    EmergencyContact.objects.bulk_create(contacts)

    vendor = next((v for v in vendors if v.name == DEMO_VENDOR), vendors[0] if vendors else None)
    if vendor is None:
        return
    # Notices can't be issued with a deadline in the past (the demo's "today" may lag the clock).
    base = max(ctx.today, timezone.localdate())
    infosec = ComplianceChecklist.objects.get(code="CL-INFOSEC")
    access = ComplianceChecklist.objects.get(code="CL-ACCESS")
    a1 = services.audit_save(actor=hr, obj=VendorAudit(
        vendor=vendor, checklist=infosec, date=base - dt.timedelta(days=40),
        results={**{i: "pass" for i in infosec.items}, "客户数据加密存储与传输": "fail",
                 "禁止使用未经批准的外部存储设备": "fail"},
        note="抽查 12 台终端，2 台未启用磁盘加密；发现个人 U 盘接入记录。"), before=None)
    a2 = services.audit_save(actor=hr, obj=VendorAudit(
        vendor=vendor, checklist=access, date=base - dt.timedelta(days=12),
        results={**{i: "pass" for i in access.items}, "人员调岗离场 24 小时内回收权限": "fail",
                 "每季度复核账号权限": "na"},
        note="3 名离场人员账号在离场后 5 天才停用。"), before=None)
    f1 = services.finding_save(actor=hr, obj=AuditFinding(
        audit=a1, item="客户数据加密存储与传输", description="2 台终端未启用磁盘加密，存放客户通话录音",
        severity=2, due_date=base - dt.timedelta(days=10), owner=hr), before=None)
    services.finding_save(actor=hr, obj=AuditFinding(
        audit=a1, item="禁止使用未经批准的外部存储设备", description="终端发现个人 U 盘接入记录",
        severity=3, due_date=base - dt.timedelta(days=20), owner=hr, status=FindingStatus.CLOSED), before=None)
    f3 = services.finding_save(actor=hr, obj=AuditFinding(
        audit=a2, item="人员调岗离场 24 小时内回收权限", description="3 名离场人员账号离场 5 天后才停用",
        severity=2, due_date=base + dt.timedelta(days=14), owner=hr), before=None)

    vendor_user = ctx.users.get("vendor")
    closed = services.notice_issue(
        actor=hr, vendor=vendor, title="终端磁盘加密整改", deadline=base + dt.timedelta(days=7),
        problems="信息安全审查发现 2 台终端未启用磁盘加密，存放客户通话录音。",
        measures="1. 全部终端启用 BitLocker 磁盘加密；2. 建立终端加密月度巡检；3. 提交巡检记录截图。",
        owner=hr, links=[("audit_finding", f1.pk, f1.description[:60])])
    if vendor_user is not None:
        services.notice_respond(actor=vendor_user, notice=closed,
                                plan_text="本周内完成全部 46 台终端加密，由驻场 IT 每月巡检并留存记录。")
        services.evidence_add(actor=vendor_user, notice=closed, note="加密巡检记录",
                              upload=ContentFile("终端编号,加密状态\nSH-001,已加密\nSH-002,已加密\n".encode(),
                                                 name="加密巡检记录.txt"))
        services.notice_submit(actor=vendor_user, notice=closed, response="46 台终端已全部启用加密，巡检记录见附件。")
        services.notice_verify(actor=hr, notice=closed, note="抽查 5 台终端均已加密，同意关闭。")
    services.notice_issue(
        actor=hr, vendor=vendor, title="离场人员权限回收整改", deadline=base + dt.timedelta(days=14),
        problems="访问控制审查发现 3 名离场人员账号在离场 5 天后才停用。",
        measures="1. 建立离场当日权限回收清单；2. 与甲方 IT 对接离场工单；3. 提交近一个月离场人员权限回收记录。",
        owner=hr, links=[("audit_finding", f3.pk, f3.description[:60])])
