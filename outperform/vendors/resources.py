from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from outperform.access.scoping import Scope
from outperform.core.crud import Col, Resource

from .filters import ContractFilterSet, ServiceLevelFilterSet, VendorFilterSet
from .forms import ContractForm, ServiceLevelForm, VendorForm
from .importers import ContractImporter, VendorImporter
from .models import Contract, ServiceLevel, Vendor


def contract_service_levels(obj: models.Model, scope: Scope) -> dict[str, Any]:
    assert isinstance(obj, Contract)
    rows = [
        {"cells": [sl.metric, f"{sl.get_comparator_display()} {sl.target} {sl.unit}", sl.note],
         "url": reverse("vendors:service_levels_detail", args=[sl.pk])}
        for sl in obj.service_levels.all()
    ]
    return {"related_tables": [{
        "title": _("服务等级协议（SLA）"),
        "headers": [_("指标"), _("目标"), _("说明")],
        "rows": rows,
        "add_url": reverse("vendors:service_levels_create") + f"?contract={obj.pk}",
    }]}


class VendorResource(Resource):
    model = Vendor
    name = "vendors"
    namespace = "vendors"
    filterset_class = VendorFilterSet
    search_fields = ("name", "credit_code", "contact_name")
    default_ordering = ("name",)
    columns = (
        Col("name", _("服务商名称"), "name", link=True),
        Col("credit_code", _("统一社会信用代码"), "credit_code"),
        Col("get_category_display", _("服务类别"), "category"),
        Col("contact_name", _("联系人")),
        Col("contact_mobile", _("联系电话")),
        Col("get_status_display", _("状态"), "status"),
    )
    detail_fields = (
        *columns,
        Col("contact_email", _("联系邮箱")),
        Col("address", _("地址")),
        Col("note", _("备注")),
    )
    form_class = VendorForm
    importer = VendorImporter()
    detail_links = ((_("绩效档案"), "cycles:archive_vendor"),)


class ContractResource(Resource):
    model = Contract
    name = "contracts"
    namespace = "vendors"
    select_related = ("vendor",)
    filterset_class = ContractFilterSet
    search_fields = ("number", "title", "vendor__name")
    default_ordering = ("end_date", "number")
    columns = (
        Col("number", _("合同编号"), "number", link=True),
        Col("title", _("合同名称"), "title", link=True),
        Col("vendor.name", _("服务商"), "vendor__name"),
        Col("start_date", _("开始日期"), "start_date"),
        Col("end_date", _("结束日期"), "end_date"),
        Col("amount_fen", _("合同金额"), "amount_fen", money=True),
        Col("get_status_display", _("状态"), "status"),
    )
    detail_fields = (
        *columns,
        Col("service_scope", _("服务范围")),
        Col("confidentiality_duty", _("保密义务")),
    )
    form_class = ContractForm
    importer = ContractImporter()
    children = (contract_service_levels,)

    def personal_owner(self, obj: models.Model) -> tuple[int | None, int | None]:
        return None, None


class ServiceLevelResource(Resource):
    model = ServiceLevel
    name = "service_levels"
    namespace = "vendors"
    select_related = ("contract", "contract__vendor")
    filterset_class = ServiceLevelFilterSet
    search_fields = ("metric", "contract__number")
    default_ordering = ("contract", "id")
    columns = (
        Col("contract.number", _("合同编号"), "contract__number", link=True),
        Col("metric", _("指标"), "metric", link=True),
        Col("get_comparator_display", _("比较")),
        Col("target", _("目标值"), "target"),
        Col("unit", _("单位")),
        Col("note", _("说明")),
    )
    form_class = ServiceLevelForm


RESOURCES = (VendorResource(), ContractResource(), ServiceLevelResource())
