from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from outperform.access.scoping import Scope
from outperform.core.crud import Col, Resource

from .filters import AppealFilterSet, AppraisalFilterSet, CycleFilterSet, TeamFilterSet
from .forms import CycleForm, TeamForm
from .models import Appeal, Appraisal, Cycle, CycleState, Team


class CycleResource(Resource):
    model = Cycle
    name = "cycles"
    namespace = "cycles"
    select_related = ("default_template",)
    filterset_class = CycleFilterSet
    search_fields = ("name",)
    default_ordering = ("-start_date", "-id")
    columns = (
        Col("name", _("周期名称"), "name", link=True),
        Col("get_period_type_display", _("周期类型"), "period_type"),
        Col("start_date", _("开始日期"), "start_date"),
        Col("end_date", _("结束日期"), "end_date"),
        Col("get_subject_kind_display", _("考核对象"), "subject_kind"),
        Col("default_template", _("默认考核方案")),
        Col("get_state_display", _("状态"), "state"),
    )
    form_class = CycleForm

    def save(self, *, actor: Any, obj: models.Model, before: dict[str, Any] | None) -> models.Model:
        # A cycle is set up in 草稿 only; once opened its scope and template are what the
        # appraisals were built from.
        if before is not None and before.get("state") != CycleState.DRAFT:
            raise ValidationError(_g("只有草稿状态的周期可以修改 / Only a draft cycle can be edited"), code="stage")
        if before is not None:
            # The form was read before; the cycle may have been opened since (cycle_open holds this
            # row's lock while it works). Saving the stale row would put it back in 草稿.
            with transaction.atomic():
                current = Cycle.objects.select_for_update().filter(pk=obj.pk).values_list("state", flat=True).first()
            if current != CycleState.DRAFT:
                raise ValidationError(_g("只有草稿状态的周期可以修改 / Only a draft cycle can be edited"),
                                      code="stage")
        assert isinstance(obj, Cycle)
        if before is None:
            obj.state = CycleState.DRAFT
        return super().save(actor=actor, obj=obj, before=before)

    def delete(self, *, actor: Any, obj: models.Model) -> None:
        assert isinstance(obj, Cycle)
        if obj.state != CycleState.DRAFT:
            raise ValidationError(_g("只有草稿状态的周期可以删除 / Only a draft cycle can be deleted"), code="stage")
        super().delete(actor=actor, obj=obj)


class AppraisalResource(Resource):
    """The appraisals of one cycle; the list page adds the cycle filter and hides results that
    the viewer may not see yet (queries.results_visible)."""

    model = Appraisal
    name = "appraisals"
    namespace = "cycles"
    select_related = ("cycle", "department", "vendor", "position", "worker")
    filterset_class = AppraisalFilterSet
    search_fields = ("subject_name", "worker__employee_no")
    default_ordering = ("subject_name", "id")
    columns = (
        Col("worker.employee_no", _("工号"), "worker__employee_no"),
        Col("subject_name", _("姓名"), "subject_name", link=True),
        Col("vendor.name", _("服务商"), "vendor__name"),
        Col("department.name", _("部门"), "department__name"),
        Col("position.name", _("岗位"), "position__name"),
        Col("get_state_display", _("状态"), "state"),
        Col("composite", _("综合得分"), "composite"),
        Col("grade_name", _("等级"), "grade"),
        Col("rank", _("排名"), "rank"),
        Col("coefficient", _("系数")),
        Col("bonus_fen", _("奖金(元)"), "bonus_fen", money=True),
    )
    RESULT_ACCESSORS = frozenset({"composite", "grade_name", "rank", "coefficient", "bonus_fen"})
    RESULT_SORTS = frozenset({"composite", "grade", "rank", "bonus_fen"})


class AppealResource(Resource):
    model = Appeal
    name = "appeals"
    namespace = "cycles"
    select_related = ("appraisal", "appraisal__cycle", "submitted_by", "decided_by")
    filterset_class = AppealFilterSet
    search_fields = ("appraisal__subject_name", "reason")
    default_ordering = ("-created_at", "-id")
    columns = (
        Col("appraisal.subject_name", _("考核对象"), "appraisal__subject_name", link=True),
        Col("appraisal.cycle.name", _("考核周期"), "appraisal__cycle__name"),
        Col("submitted_by", _("申诉人")),
        Col("created_at", _("提交时间"), "created_at"),
        Col("get_state_display", _("状态"), "state"),
        Col("decided_by", _("处理人")),
        Col("decided_at", _("处理时间"), "decided_at"),
    )


ARCHIVE_LINK = "archive_link"


def team_members(obj: models.Model, scope: Scope) -> dict[str, Any]:
    assert isinstance(obj, Team)
    rows = [
        {"cells": [w.employee_no, w.name, w.vendor.name, w.department.name],
         "url": reverse("workers:workers_detail", args=[w.pk])}
        for w in obj.members.select_related("vendor", "department").order_by("employee_no")
    ]
    return {"related_tables": [{
        "title": _("成员"), "headers": [_("工号"), _("姓名"), _("服务商"), _("部门")], "rows": rows, "add_url": None,
    }]}


class TeamResource(Resource):
    model = Team
    name = "teams"
    namespace = "cycles"
    select_related = ("department", "project", "vendor", "leader")
    filterset_class = TeamFilterSet
    search_fields = ("code", "name")
    default_ordering = ("code",)
    detail_fields = (
        Col("code", _("团队编码"), "code"),
        Col("name", _("团队名称"), "name"),
        Col("department.name", _("部门"), "department__name"),
        Col("project.name", _("项目"), "project__name"),
        Col("vendor.name", _("服务商"), "vendor__name"),
        Col("leader", _("负责人")),
    )
    columns = (
        Col("code", _("团队编码"), "code", link=True),
        Col("name", _("团队名称"), "name", link=True),
        *detail_fields[2:],
        Col(ARCHIVE_LINK, _("绩效档案")),
    )
    form_class = TeamForm
    children = (team_members,)
    detail_links = ((_("绩效档案"), "cycles:archive_team"),)

    def personal_owner(self, obj: models.Model) -> tuple[int | None, int | None]:
        return None, None

    def cell(self, obj: models.Model, col: Col, scope: Scope) -> str:
        if col.accessor == ARCHIVE_LINK:
            # A link cell built from the pk alone: no query per row.
            return format_html('<a href="{}"><i class="bi bi-graph-up"></i> {}</a>',
                               reverse("cycles:archive_team", args=[obj.pk]), _g("绩效档案"))
        return super().cell(obj, col, scope)
