"""A small organisation with one user per role, for the role × scope tests.

    HQ ── OPS ── OPS-CS        vendor A: workers a_ops_cs, a_tech, a_self (the worker log-in)
     └─── TECH                 vendor B: workers b_ops, b_tech

The supervisor holds OPS (so OPS and OPS-CS); the vendor manager holds vendor A.
"""

from __future__ import annotations

from dataclasses import dataclass

from outperform.access.models import Role, RoleGrant
from outperform.core.models import User
from outperform.org.models import Department, Position, Project
from outperform.vendors.models import Contract, Vendor
from outperform.workers.models import Worker

from .factories import (
    ContractFactory,
    DepartmentFactory,
    PositionFactory,
    ProjectFactory,
    UserFactory,
    VendorFactory,
    WorkerFactory,
)

ROLES = ("system_admin", "hr", "supervisor", "vendor_manager", "worker", "auditor", "nobody")


@dataclass
class World:
    users: dict[str, User]
    hq: Department
    ops: Department
    ops_cs: Department
    tech: Department
    vendor_a: Vendor
    vendor_b: Vendor
    contract_a: Contract
    contract_b: Contract
    position: Position
    project: Project
    workers: dict[str, Worker]

    def visible_workers(self, role: str) -> set[str]:
        """What each role must see of the workers, written out by hand."""
        everyone = set(self.workers)
        return {
            "system_admin": everyone,
            "hr": everyone,
            "auditor": everyone,
            "supervisor": {"a_ops_cs", "b_ops", "a_self"},
            "vendor_manager": {"a_ops_cs", "a_tech", "a_self"},
            "worker": {"a_self"},
            "nobody": set(),
        }[role]

    def visible_contracts(self, role: str) -> set[str]:
        return {
            "system_admin": {"a", "b"}, "hr": {"a", "b"}, "auditor": {"a", "b"},
            "supervisor": set(), "vendor_manager": {"a"}, "worker": set(), "nobody": set(),
        }[role]


def build_world() -> World:
    hq = DepartmentFactory(code="HQ", name="总部")
    ops = DepartmentFactory(code="OPS", name="运营中心", parent=hq)
    ops_cs = DepartmentFactory(code="OPS-CS", name="客服部", parent=ops)
    tech = DepartmentFactory(code="TECH", name="技术中心", parent=hq)
    vendor_a = VendorFactory(name="甲服务商")
    vendor_b = VendorFactory(name="乙服务商")
    position = PositionFactory(code="P-CS", name="客服专员")
    project = ProjectFactory(code="PRJ-A", name="热线项目", department=ops_cs)
    users = {name: UserFactory(username=name) for name in ROLES}
    users["system_admin"].is_superuser = True
    users["system_admin"].is_staff = True
    users["system_admin"].save()
    RoleGrant.objects.bulk_create([
        RoleGrant(user=users["system_admin"], role=Role.SYSTEM_ADMIN),
        RoleGrant(user=users["hr"], role=Role.HR_ADMIN),
        RoleGrant(user=users["supervisor"], role=Role.SUPERVISOR, department=ops),
        RoleGrant(user=users["vendor_manager"], role=Role.VENDOR_MANAGER, vendor=vendor_a),
        RoleGrant(user=users["worker"], role=Role.WORKER),
        RoleGrant(user=users["auditor"], role=Role.AUDITOR),
    ])
    common = {"position": position}
    workers = {
        "a_ops_cs": WorkerFactory(vendor=vendor_a, department=ops_cs, project=project, **common),
        "a_tech": WorkerFactory(vendor=vendor_a, department=tech, **common),
        "a_self": WorkerFactory(vendor=vendor_a, department=ops, user=users["worker"], **common),
        "b_ops": WorkerFactory(vendor=vendor_b, department=ops, **common),
        "b_tech": WorkerFactory(vendor=vendor_b, department=tech, **common),
    }
    return World(
        users=users, hq=hq, ops=ops, ops_cs=ops_cs, tech=tech, vendor_a=vendor_a, vendor_b=vendor_b,
        contract_a=ContractFactory(vendor=vendor_a, number="HT-A"),
        contract_b=ContractFactory(vendor=vendor_b, number="HT-B"),
        position=position, project=project, workers=workers,
    )
