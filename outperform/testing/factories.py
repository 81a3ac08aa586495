"""factory_boy factories for every model of the foundation."""

from __future__ import annotations

import datetime as dt
import random

import factory

from outperform.access.models import Role, RoleGrant
from outperform.core.demo import names
from outperform.core.models import User
from outperform.org.models import Department, Position, PositionCategory, Project
from outperform.vendors.models import Comparator, Contract, ServiceLevel, Vendor, VendorCategory
from outperform.workers.models import Worker

_rng = random.Random(7)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "Secret#2026pass")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create and results:
            instance.save(update_fields=["password"])


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.Sequence(lambda n: f"部门{n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = super()._create(model_class, *args, **kwargs)
        from outperform.org.services import department_rebuild_paths

        department_rebuild_paths()
        obj.refresh_from_db()
        return obj


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    code = factory.Sequence(lambda n: f"P{n:03d}")
    name = factory.Sequence(lambda n: f"岗位{n}")
    category = PositionCategory.SERVICE


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    code = factory.Sequence(lambda n: f"PRJ{n:03d}")
    name = factory.Sequence(lambda n: f"项目{n}")
    department = factory.SubFactory(DepartmentFactory)


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vendor

    name = factory.Sequence(lambda n: f"测试服务商{n}有限公司")
    credit_code = factory.LazyFunction(lambda: names.credit_code(_rng))
    category = VendorCategory.LABOUR


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    vendor = factory.SubFactory(VendorFactory)
    number = factory.Sequence(lambda n: f"HT-T-{n:04d}")
    title = factory.Sequence(lambda n: f"测试合同{n}")
    start_date = dt.date(2026, 1, 1)
    end_date = dt.date(2026, 12, 31)
    amount_fen = 100_000_00


class ServiceLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceLevel

    contract = factory.SubFactory(ContractFactory)
    metric = "首次响应时间"
    comparator = Comparator.AT_MOST
    target = 2
    unit = "小时"


class WorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Worker

    employee_no = factory.Sequence(lambda n: f"T{n:06d}")
    name = factory.LazyFunction(lambda: names.person_name(_rng))
    gender = "F"
    mobile = factory.LazyFunction(lambda: names.mobile(_rng))
    id_number = factory.LazyFunction(lambda: names.id_number(_rng, "F"))
    vendor = factory.SubFactory(VendorFactory)
    department = factory.SubFactory(DepartmentFactory)
    position = factory.SubFactory(PositionFactory)
    hire_date = dt.date(2025, 3, 1)
    base_salary_fen = 8000_00
    base_bonus_fen = 2000_00


class RoleGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleGrant

    user = factory.SubFactory(UserFactory)
    role = Role.HR_ADMIN
