"""Demo enterprise: 华东某集团 with departments, projects, positions, vendors, contracts and workers.

Bulk inserts, deterministic for a seed, fast enough for 100,000 workers. Demo rows are reference
data loaded by an operator command, not user edits, so they are not audited row by row.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from outperform.access.models import Role, RoleGrant
from outperform.core.models import User
from outperform.org.models import Department, Position, PositionCategory, Project, ProjectStatus
from outperform.org.services import department_rebuild_paths
from outperform.vendors.models import (
    Comparator,
    Contract,
    ContractStatus,
    ServiceLevel,
    Vendor,
    VendorCategory,
)
from outperform.workers.models import Worker, WorkerStatus

from . import names

DEMO_PASSWORD = "Outperform#2026"  # noqa: S105 — published demo log-in

DEPARTMENTS = [  # code, name, parent code
    ("HQ", "华东智联集团", None),
    ("OPS", "运营中心", "HQ"),
    ("OPS-CS1", "客服一部", "OPS"),
    ("OPS-CS2", "客服二部", "OPS"),
    ("OPS-QA", "质检部", "OPS"),
    ("TECH", "技术中心", "HQ"),
    ("TECH-DEV", "研发部", "TECH"),
    ("TECH-OPS", "运维部", "TECH"),
    ("LOG", "物流中心", "HQ"),
    ("LOG-WH", "仓储部", "LOG"),
    ("LOG-DLV", "配送部", "LOG"),
    ("HR", "人力资源部", "HQ"),
    ("FIN", "财务部", "HQ"),
    ("ADM", "行政后勤部", "HQ"),
    ("MKT", "市场部", "HQ"),
]
LEAF_DEPARTMENTS = ["OPS-CS1", "OPS-CS2", "OPS-QA", "TECH-DEV", "TECH-OPS", "LOG-WH", "LOG-DLV", "ADM", "MKT"]

POSITIONS = [
    ("P-MGR", "外包项目主管", PositionCategory.MANAGEMENT),
    ("P-OPS", "运营专员", PositionCategory.OPERATIONS),
    ("P-PM", "项目经理", PositionCategory.PROJECT_MANAGER),
    ("P-CS", "客服专员", PositionCategory.SERVICE),
    ("P-QA", "质检专员", PositionCategory.SERVICE),
    ("P-CRM", "客户关系专员", PositionCategory.CRM),
    ("P-DEV", "软件工程师", PositionCategory.TECHNICAL),
    ("P-SRE", "运维工程师", PositionCategory.TECHNICAL),
    ("P-WH", "仓储管理员", PositionCategory.OPERATIONS),
    ("P-DRV", "配送员", PositionCategory.SERVICE),
    ("P-ADM", "行政助理", PositionCategory.SUPPORT),
]
DEPT_POSITIONS = {
    "OPS-CS1": ["P-CS", "P-CS", "P-CS", "P-CRM", "P-MGR"],
    "OPS-CS2": ["P-CS", "P-CS", "P-CRM", "P-OPS", "P-MGR"],
    "OPS-QA": ["P-QA", "P-QA", "P-OPS"],
    "TECH-DEV": ["P-DEV", "P-DEV", "P-DEV", "P-PM"],
    "TECH-OPS": ["P-SRE", "P-SRE", "P-OPS"],
    "LOG-WH": ["P-WH", "P-WH", "P-OPS"],
    "LOG-DLV": ["P-DRV", "P-DRV", "P-DRV", "P-MGR"],
    "ADM": ["P-ADM", "P-ADM"],
    "MKT": ["P-CRM", "P-OPS", "P-PM"],
}
PROJECTS = [
    ("PRJ-HOTLINE", "400客服热线", "OPS-CS1"),
    ("PRJ-ONLINE", "在线客服与工单", "OPS-CS2"),
    ("PRJ-QC", "服务质检外包", "OPS-QA"),
    ("PRJ-APP", "会员App开发", "TECH-DEV"),
    ("PRJ-IDC", "数据中心运维", "TECH-OPS"),
    ("PRJ-WMS", "华东仓储运营", "LOG-WH"),
    ("PRJ-LASTMILE", "城配最后一公里", "LOG-DLV"),
    ("PRJ-FAC", "园区后勤服务", "ADM"),
    ("PRJ-EVENT", "市场活动执行", "MKT"),
]
VENDORS = [
    ("上海卓越人力资源有限公司", VendorCategory.LABOUR, "310000", ["OPS-CS1", "OPS-CS2", "ADM"]),
    ("江苏恒信劳务服务有限公司", VendorCategory.LABOUR, "320000", ["LOG-WH", "LOG-DLV"]),
    ("杭州云帆信息技术有限公司", VendorCategory.IT, "330000", ["TECH-DEV", "TECH-OPS"]),
    ("北京博睿客户服务外包有限公司", VendorCategory.CUSTOMER_SERVICE, "110000", ["OPS-CS1", "OPS-CS2", "OPS-QA"]),
    ("深圳前海智才人力资源服务有限公司", VendorCategory.HR, "440300", ["MKT", "OPS-QA", "ADM"]),
    ("苏州安捷物流服务有限公司", VendorCategory.BPO, "320500", ["LOG-WH", "LOG-DLV"]),
    ("上海申城物业后勤服务有限公司", VendorCategory.FACILITY, "310000", ["ADM"]),
]
SLA_TERMS = [
    ("首次响应时间", Comparator.AT_MOST, Decimal("2"), "小时"),
    ("问题解决时间", Comparator.AT_MOST, Decimal("24"), "小时"),
    ("客户满意度", Comparator.AT_LEAST, Decimal("90"), "%"),
    ("交付及时率", Comparator.AT_LEAST, Decimal("95"), "%"),
]


@dataclass
class DemoSummary:
    created: bool
    workers: int
    logins: list[tuple[str, str, str]]


LOGINS = [  # username, role label, what they see
    ("admin", "系统管理员 System admin", "everything, Django admin"),
    ("hr", "绩效管理员 HR", "whole organisation"),
    ("supervisor", "部门主管 Supervisor (运营中心)", "运营中心 and its sub-departments"),
    ("vendor", "服务商管理员 Vendor manager (上海卓越)", "their vendor's people and contracts"),
    ("worker", "外包人员 Worker", "themself"),
    ("auditor", "审计员 Auditor", "read-only everything, personal data masked"),
]


@dataclass
class DemoContext:
    """What an app's `demo.load(ctx)` gets: the seeded random source, the demo log-ins by username
    (admin, hr, supervisor, vendor, worker, auditor), the demo's "today", and whether this is a
    demo-sized load (small=True: cycles exist) or a big benchmark load (keep extras cheap)."""

    rng: random.Random
    users: dict[str, User]
    today: dt.date
    small: bool


def _app_extensions(ctx: DemoContext, say: Callable[[str], None]) -> None:
    """Apps added after the foundation bring their own demo rows in `outperform/<app>/demo.py`,
    loaded in INSTALLED_APPS order so that later apps can build on earlier ones."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    for config in apps.get_app_configs():
        module_name = f"{config.name}.demo"
        if not config.name.startswith("outperform.") or find_spec(module_name) is None:
            continue
        module = import_module(module_name)
        if hasattr(module, "load"):  # outperform.core.demo is this package, not an extension
            module.load(ctx)
            say(f"demo: {config.label}")


def demo_exists() -> bool:
    return Department.objects.filter(code="HQ").exists()


@transaction.atomic
def load_demo(
    workers: int = 300, seed: int = 2026, progress: Callable[[str], None] | None = None, with_cycles: bool | None = None
) -> DemoSummary:
    """with_cycles: the two demo cycles; by default only for demo sizes (≤ 5,000 workers), since the
    big sizes serve benchmarks that build their own cycles."""
    if with_cycles is None:
        with_cycles = workers <= 5000
    if demo_exists():
        return DemoSummary(created=False, workers=Worker.objects.count(), logins=_login_rows())
    rng = random.Random(seed)
    say = progress or (lambda _m: None)
    today = dt.date(2026, 11, 1)

    users = _users()
    depts = _departments(users)
    positions = {code: Position(code=code, name=name, category=cat) for code, name, cat in POSITIONS}
    Position.objects.bulk_create(positions.values())
    projects = {
        code: Project(code=code, name=name, department=depts[dept], manager=users["supervisor"],
                      start_date=dt.date(2025, 1, 1), status=ProjectStatus.ACTIVE)
        for code, name, dept in PROJECTS
    }
    Project.objects.bulk_create(projects.values())
    project_by_dept = {p.department.code: p for p in projects.values()}
    vendors = _vendors(rng, today)
    say(f"org: {len(depts)} departments, {len(positions)} positions, {len(projects)} projects, {len(vendors)} vendors")

    supervisors = _supervisors(rng, depts)
    RoleGrant.objects.bulk_create([
        RoleGrant(user=users["admin"], role=Role.SYSTEM_ADMIN),
        RoleGrant(user=users["hr"], role=Role.HR_ADMIN),
        RoleGrant(user=users["supervisor"], role=Role.SUPERVISOR, department=depts["OPS"]),
        RoleGrant(user=users["vendor"], role=Role.VENDOR_MANAGER, vendor=vendors[0]),
        RoleGrant(user=users["worker"], role=Role.WORKER),
        RoleGrant(user=users["auditor"], role=Role.AUDITOR),
        *[RoleGrant(user=u, role=Role.SUPERVISOR, department=depts[code]) for code, u in supervisors.items()],
    ])

    batch: list[Worker] = []
    vendor_depts = [(v, [depts[c] for c in VENDORS[i][3]]) for i, v in enumerate(vendors)]
    weights = [5, 4, 3, 4, 2, 3, 1]
    for n in range(workers):
        vendor, vdepts = rng.choices(vendor_depts, weights=weights)[0]
        dept = rng.choice(vdepts)
        gender = "M" if rng.random() < 0.55 else "F"
        hire = today - dt.timedelta(days=rng.randrange(30, 1500))
        left = rng.random() < 0.04
        salary = rng.randrange(4500, 16000, 100) * 100
        batch.append(Worker(
            employee_no=f"W{n + 1:06d}",
            name=names.person_name(rng),
            gender=gender,
            mobile=names.mobile(rng),
            id_number=names.id_number(rng, gender),
            vendor=vendor,
            department=dept,
            project=project_by_dept.get(dept.code),
            position=positions[rng.choice(DEPT_POSITIONS[dept.code])],
            supervisor=supervisors[dept.code],
            hire_date=hire,
            leave_date=today - dt.timedelta(days=rng.randrange(1, 25)) if left else None,
            status=WorkerStatus.LEFT if left else WorkerStatus.ACTIVE,
            base_salary_fen=salary,
            base_bonus_fen=(salary // 4 // 10000) * 10000,
        ))
        if len(batch) >= 5000:
            Worker.objects.bulk_create(batch)
            batch.clear()
            say(f"workers: {n + 1}")
    Worker.objects.bulk_create(batch)
    # The demo worker log-in is a real worker of the demo vendor in the demo supervisor's centre.
    first = Worker.objects.filter(vendor=vendors[0], department__code="OPS-CS1").order_by("employee_no").first()
    if first is not None:
        Worker.objects.filter(pk=first.pk).update(user=users["worker"], status=WorkerStatus.ACTIVE, leave_date=None)
        User.objects.filter(pk=users["worker"].pk).update(full_name=first.name)
    if with_cycles:
        _worker_accounts()
        say("cycles: 2026 Q3 (archived), 2026 Q4 (running)")
        from .cycles import load_demo_cycles

        load_demo_cycles(rng, users["hr"])
    _app_extensions(DemoContext(rng=rng, users=users, today=today, small=with_cycles), say)
    return DemoSummary(created=True, workers=workers, logins=_login_rows())


def _worker_accounts() -> None:
    """A log-in for every demo worker (no usable password), so self and peer evaluations exist."""
    rows = list(Worker.objects.filter(user__isnull=True).values_list("id", "employee_no", "name"))
    accounts = [User(username=no.lower(), full_name=name, password="!") for _wid, no, name in rows]  # noqa: S106
    User.objects.bulk_create(accounts, batch_size=2000)
    ids = dict(User.objects.filter(username__in=[a.username for a in accounts]).values_list("username", "id"))
    links = [Worker(pk=wid, user_id=ids[no.lower()]) for wid, no, _name in rows]
    Worker.objects.bulk_update(links, ["user"], batch_size=2000)


def _login_rows() -> list[tuple[str, str, str]]:
    return [(u, r, f"{DEMO_PASSWORD}  — {what}") for u, r, what in LOGINS]


def _users() -> dict[str, User]:
    full = {"admin": "系统管理员", "hr": "李娜（HR）", "supervisor": "陈志强", "vendor": "王经理",
            "worker": "外包人员", "auditor": "审计员"}
    users = {}
    for username, _role, _what in LOGINS:
        user = User(username=username, full_name=full[username], is_staff=username == "admin",
                    is_superuser=username == "admin", email=f"{username}@example.com")
        user.set_password(DEMO_PASSWORD)
        users[username] = user
    User.objects.bulk_create(users.values())
    return {u.username: u for u in User.objects.filter(username__in=users)}


def _departments(users: dict[str, User]) -> dict[str, Department]:
    depts: dict[str, Department] = {}
    for code, name, _parent in DEPARTMENTS:
        depts[code] = Department(code=code, name=name)
    Department.objects.bulk_create(depts.values())
    for code, _name, parent in DEPARTMENTS:
        depts[code].parent = depts[parent] if parent else None
    depts["OPS"].head = users["supervisor"]
    Department.objects.bulk_update(depts.values(), ["parent", "head"])
    department_rebuild_paths()
    return {d.code: d for d in Department.objects.all()}


def _supervisors(rng: random.Random, depts: dict[str, Department]) -> dict[str, User]:
    sups = {}
    for i, code in enumerate(LEAF_DEPARTMENTS):
        user = User(username=f"sup{i + 1:02d}", full_name=names.person_name(rng), email=f"sup{i + 1:02d}@example.com")
        user.set_unusable_password()
        sups[code] = user
    User.objects.bulk_create(sups.values())
    saved = {u.username: u for u in User.objects.filter(username__in=[u.username for u in sups.values()])}
    result = {code: saved[u.username] for code, u in sups.items()}
    for code, user in result.items():
        depts[code].head = user
    # The demo supervisor log-in leads 客服一部 too, so they have people to rate.
    result["OPS-CS1"] = User.objects.get(username="supervisor")
    depts["OPS-CS1"].head = result["OPS-CS1"]
    Department.objects.bulk_update([depts[c] for c in result], ["head"])
    return result


def _vendors(rng: random.Random, today: dt.date) -> list[Vendor]:
    vendors = [
        Vendor(name=name, credit_code=names.credit_code(rng, region), category=cat,
               contact_name=names.person_name(rng), contact_mobile=names.mobile(rng),
               contact_email=f"contact{i + 1}@vendor{i + 1}.example.com", address=f"{name[:2]}市示范路{i + 8}号")
        for i, (name, cat, region, _depts) in enumerate(VENDORS)
    ]
    Vendor.objects.bulk_create(vendors)
    vendors = list(Vendor.objects.order_by("id"))
    contracts = []
    for i, vendor in enumerate(vendors):
        contracts.append(Contract(
            vendor=vendor, number=f"HT-2026-{i + 1:03d}", title=f"2026年度{vendor.get_category_display()}服务合同",
            start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31) if i % 3 else today + dt.timedelta(days=20 + i),
            amount_fen=rng.randrange(50, 900) * 1_000_000, service_scope="按合同附件一《服务内容与标准》执行",
            confidentiality_duty=True, status=ContractStatus.ACTIVE,
        ))
        contracts.append(Contract(
            vendor=vendor, number=f"HT-2025-{i + 1:03d}", title=f"2025年度{vendor.get_category_display()}服务合同",
            start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 12, 31),
            amount_fen=rng.randrange(50, 900) * 1_000_000, confidentiality_duty=True, status=ContractStatus.EXPIRED,
        ))
    Contract.objects.bulk_create(contracts)
    ServiceLevel.objects.bulk_create([
        ServiceLevel(contract=c, metric=m, comparator=cmp, target=t, unit=u)
        for c in Contract.objects.filter(status=ContractStatus.ACTIVE) for m, cmp, t, u in SLA_TERMS
    ])
    return vendors
