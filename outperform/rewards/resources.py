from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from outperform.core.crud import Col, Resource

from .filters import PlanFilterSet, SalaryRuleFilterSet, SuggestionFilterSet
from .forms import SalaryRuleForm
from .importers import SalaryRuleImporter
from .models import BonusPlan, SalaryRule, SalarySuggestion


class PlanResource(Resource):
    """The list of bonus plans; the plan's own pages are the workflow views."""

    model = BonusPlan
    name = "plans"
    namespace = "rewards"
    select_related = ("cycle", "prepared_by", "decided_by")
    filterset_class = PlanFilterSet
    search_fields = ("name", "cycle__name")
    default_ordering = ("-created_at", "-id")
    columns = (
        Col("name", _("方案名称"), "name", link=True),
        Col("cycle.name", _("考核周期"), "cycle__start_date"),
        Col("get_mode_display", _("计算方式"), "mode"),
        Col("get_state_display", _("状态"), "state"),
        Col("line_count", _("人数"), "line_count"),
        Col("total_fen", _("奖金合计"), "total_fen", money=True),
        Col("prepared_by", _("编制人")),
        Col("decided_by", _("审批人")),
    )

    def personal_owner(self, obj: models.Model) -> tuple[int | None, int | None]:
        return None, None


class SalaryRuleResource(Resource):
    model = SalaryRule
    name = "rules"
    namespace = "rewards"
    filterset_class = SalaryRuleFilterSet
    search_fields = ("name", "grade_name")
    default_ordering = ("priority", "id")
    columns = (
        Col("name", _("规则名称"), "name", link=True),
        Col("get_match_display", _("条件"), "match"),
        Col("cycles", _("最近周期数"), "cycles"),
        Col("grade_name", _("绩效等级"), "grade_name"),
        Col("min_pct", _("调幅下限(%)"), "min_pct"),
        Col("max_pct", _("调幅上限(%)"), "max_pct"),
        Col("priority", _("优先级"), "priority"),
        Col("is_active", _("启用"), "is_active"),
    )
    form_class = SalaryRuleForm
    importer = SalaryRuleImporter()

    def personal_owner(self, obj: models.Model) -> tuple[int | None, int | None]:
        return None, None


class SuggestionResource(Resource):
    model = SalarySuggestion
    name = "suggestions"
    namespace = "rewards"
    select_related = ("cycle", "worker", "department", "vendor", "rule")
    filterset_class = SuggestionFilterSet
    search_fields = ("worker__employee_no", "worker__name")
    default_ordering = ("cycle", "worker__employee_no")
    columns = (
        Col("worker.employee_no", _("工号"), "worker__employee_no", link=True),
        Col("worker.name", _("姓名"), "worker__name", link=True),
        Col("cycle.name", _("考核周期"), "cycle__start_date"),
        Col("vendor.name", _("服务商"), "vendor__name"),
        Col("department.name", _("部门"), "department__name"),
        Col("grade_name", _("本期等级"), "grade_name"),
        Col("current_salary_fen", _("当前基本工资"), "current_salary_fen", money=True, personal=True),
        Col("suggested_pct", _("建议调幅(%)"), "suggested_pct"),
        Col("suggested_salary_fen", _("建议工资"), money=True, personal=True),
        Col("get_state_display", _("状态"), "state"),
        Col("final_pct", _("核定调幅(%)")),
        Col("final_salary_fen", _("核定工资"), money=True, personal=True),
    )

    def personal_owner(self, obj: models.Model) -> tuple[int | None, int | None]:
        assert isinstance(obj, SalarySuggestion)
        return obj.vendor_id, obj.worker.user_id
