from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from outperform.core.crud import Col, Resource

from .filters import WorkerFilterSet
from .forms import WorkerForm
from .importers import WorkerImporter
from .models import Worker
from .services import worker_delete, worker_save


class WorkerResource(Resource):
    model = Worker
    name = "workers"
    namespace = "workers"
    select_related = ("vendor", "department", "project", "position", "supervisor")
    list_select_related = ("vendor", "department", "position")
    rank_sorts = ("vendor__name", "department__name", "position__name")
    filterset_class = WorkerFilterSet
    search_fields = ("employee_no", "name", "mobile")
    default_ordering = ("employee_no",)
    columns = (
        Col("employee_no", _("工号"), "employee_no", link=True),
        Col("name", _("姓名"), "name", link=True),
        Col("vendor.name", _("服务商"), "vendor__name"),
        Col("department.name", _("部门"), "department__name"),
        Col("position.name", _("岗位"), "position__name"),
        Col("mobile", _("手机号"), personal=True),
        Col("hire_date", _("入场日期"), "hire_date"),
        Col("get_status_display", _("状态"), "status"),
    )
    detail_fields = (
        Col("employee_no", _("工号")),
        Col("name", _("姓名")),
        Col("get_gender_display", _("性别")),
        Col("mobile", _("手机号"), personal=True),
        Col("id_number", _("身份证号"), personal=True),
        Col("email", _("邮箱")),
        Col("vendor.name", _("服务商")),
        Col("department.name", _("部门")),
        Col("project.name", _("项目")),
        Col("position.name", _("岗位")),
        Col("supervisor", _("直属上级")),
        Col("hire_date", _("入场日期")),
        Col("leave_date", _("离场日期")),
        Col("get_status_display", _("状态")),
        Col("base_salary_fen", _("基本工资"), money=True, personal=True),
        Col("base_bonus_fen", _("绩效奖金基数"), money=True, personal=True),
    )
    form_class = WorkerForm
    importer = WorkerImporter()
    detail_links = ((_("绩效档案"), "cycles:archive_worker"),)

    # The form and the API save through these: the roster's services announce headcount changes.
    def save(self, *, actor: Any, obj: models.Model, before: dict[str, Any] | None) -> models.Model:
        assert isinstance(obj, Worker)
        return worker_save(actor=actor, obj=obj, before=before)

    def delete(self, *, actor: Any, obj: models.Model) -> None:
        assert isinstance(obj, Worker)
        worker_delete(actor=actor, obj=obj)


RESOURCES = (WorkerResource(),)
