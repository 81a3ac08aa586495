"""Each foundation resource through the reusable CRUD + permission base."""

from __future__ import annotations

from outperform.org.models import Department, Position, Project
from outperform.testing.crud import READ_ONLY_ROLES, CrudCase
from outperform.testing.factories import (
    ContractFactory,
    DepartmentFactory,
    PositionFactory,
    ProjectFactory,
    ServiceLevelFactory,
    VendorFactory,
    WorkerFactory,
)
from outperform.vendors.models import Contract, ServiceLevel, Vendor
from outperform.workers.models import Worker


class TestDepartments(CrudCase):
    route, api, model = "org:departments", "/api/v1/departments/", Department
    make = staticmethod(lambda w: DepartmentFactory(parent=w.hq))
    form_data = staticmethod(lambda w: {"code": "NEW-D", "name": "新部门", "parent": w.hq.pk, "is_active": "on"})
    api_data = staticmethod(lambda w: {"code": "NEW-D2", "name": "新部门2", "parent": w.hq.pk, "is_active": True})
    update_field = ("name", "改名部门")


class TestPositions(CrudCase):
    route, api, model = "org:positions", "/api/v1/positions/", Position
    make = staticmethod(lambda w: PositionFactory())
    form_data = staticmethod(lambda w: {"code": "NEW-P", "name": "新岗位", "category": "service", "is_active": "on"})
    update_field = ("name", "改名岗位")


class TestProjects(CrudCase):
    route, api, model = "org:projects", "/api/v1/projects/", Project
    make = staticmethod(lambda w: ProjectFactory(department=w.ops))
    form_data = staticmethod(lambda w: {"code": "NEW-PRJ", "name": "新项目", "department": w.ops.pk,
                                        "status": "active"})
    update_field = ("name", "改名项目")


class TestVendors(CrudCase):
    route, api, model = "vendors:vendors", "/api/v1/vendors/", Vendor
    make = staticmethod(lambda w: VendorFactory())
    form_data = staticmethod(lambda w: {"name": "丙服务商", "credit_code": "91310000MA1FL0XQ3D",
                                        "category": "labour", "status": "active"})
    update_field = ("name", "丙服务商（更名）")


class TestContracts(CrudCase):
    route, api, model = "vendors:contracts", "/api/v1/contracts/", Contract
    make = staticmethod(lambda w: ContractFactory(vendor=w.vendor_b))
    form_data = staticmethod(lambda w: {"vendor": w.vendor_a.pk, "number": "HT-NEW", "title": "新合同",
                                        "start_date": "2026-01-01", "end_date": "2026-12-31", "amount_yuan": "1234.56",
                                        "confidentiality_duty": "on", "status": "active"})
    api_data = staticmethod(lambda w: {"vendor": w.vendor_a.pk, "number": "HT-NEW-API", "title": "新合同",
                                       "start_date": "2026-01-01", "end_date": "2026-12-31", "amount_fen": 123456,
                                       "status": "active"})
    update_field = ("title", "改名合同")


class TestServiceLevels(CrudCase):
    route, api, model = "vendors:service_levels", "/api/v1/service-levels/", ServiceLevel
    make = staticmethod(lambda w: ServiceLevelFactory(contract=w.contract_b))
    form_data = staticmethod(lambda w: {"contract": w.contract_a.pk, "metric": "响应时间", "comparator": "le",
                                        "target": "2", "unit": "小时"})
    update_field = ("target", "4.00")


class TestWorkers(CrudCase):
    route, api, model = "workers:workers", "/api/v1/workers/", Worker
    # Vendor managers write their own vendor's roster, so they are writers here (for vendor A).
    writers = ("hr", "system_admin", "vendor_manager")
    refused = READ_ONLY_ROLES
    make = staticmethod(lambda w: WorkerFactory(vendor=w.vendor_a, department=w.ops, position=w.position))
    form_data = staticmethod(lambda w: {"employee_no": "NEW-W", "name": "新员工", "vendor": w.vendor_a.pk,
                                        "department": w.ops.pk, "position": w.position.pk,
                                        "hire_date": "2026-01-05", "status": "active", "gender": "F"})
    update_field = ("name", "改名员工")
