"""Excel: the indicator library exported, edited and imported again (round trip), errors by cell."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from outperform.indicators.importers import DimensionImporter, IndicatorImporter
from outperform.indicators.models import Indicator

pytestmark = pytest.mark.django_db


def _export(client) -> openpyxl.Workbook:  # type: ignore[no-untyped-def]
    response = client.get(reverse("indicators:indicators_list"), {"export": "xlsx"})
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _bytes(wb: openpyxl.Workbook) -> io.BytesIO:
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def _run(world, wb, dry_run=False):  # type: ignore[no-untyped-def]
    return IndicatorImporter().run(_bytes(wb), "indicators.xlsx", actor=world.users["hr"], dry_run=dry_run)


def _column(ws, header: str) -> int:  # type: ignore[no-untyped-def]
    headers = [c.value for c in ws[1]]
    return headers.index(header) + 1


def _row_of(ws, code: str) -> int:  # type: ignore[no-untyped-def]
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, 1).value == code:
            return row
    raise AssertionError(code)


def test_export_then_import_changes_nothing(world, client_for):
    wb = _export(client_for("hr"))
    result = _run(world, wb)
    assert result.ok, [(e.row_number, e.column_header, e.message_zh) for e in result.errors]
    assert (result.created, result.updated, result.unchanged) == (0, 0, Indicator.objects.count())


def test_round_trip_with_edits_and_a_new_row(world, client_for):
    before = {i.code: (i.rule, i.levels, i.rater_roles) for i in Indicator.objects.all()}
    wb = _export(client_for("hr"))
    ws = wb.active
    ws.cell(_row_of(ws, "w_quality"), _column(ws, "指标名称")).value = "工作质量（新）"
    ws.cell(_row_of(ws, "v_sla_rate"), _column(ws, "评分规则")).value = (
        '{"type": "linear", "floor": "90", "target": "99.5"}')
    new = ws.max_row + 1
    for header, value in {"指标编码": "w_new", "指标名称": "新指标", "考核维度": "工作质量", "指标类型": "定性",
                          "考核对象": "外包人员", "方向": "越高越好", "评价角色": "上级、自评",
                          "等级描述": "100|卓越|零差错\n70|合格|偶有差错", "启用": "是"}.items():
        ws.cell(new, _column(ws, header)).value = value
    result = _run(world, wb)
    assert result.ok, [(e.row_number, e.column_header, e.message_zh) for e in result.errors]
    assert (result.created, result.updated) == (1, 2)
    assert Indicator.objects.get(code="w_quality").name == "工作质量（新）"
    assert Indicator.objects.get(code="v_sla_rate").rule == {
        "type": "linear", "floor": "90", "target": "99.5", "direction": "higher_is_better"}
    created = Indicator.objects.get(code="w_new")
    assert created.rater_roles == ["supervisor", "self"] and created.dimension.code == "QUALITY"
    assert created.levels == [{"score": 100, "label": "卓越", "description": "零差错"},
                              {"score": 70, "label": "合格", "description": "偶有差错"}]
    # Every JSON value survived the trip through Excel.
    for indicator in Indicator.objects.exclude(code__in=["w_new", "v_sla_rate"]):
        assert (indicator.rule, indicator.levels, indicator.rater_roles) == before[indicator.code], indicator.code


def test_a_bad_formula_is_reported_at_its_cell_and_nothing_is_written(world, client_for):
    wb = _export(client_for("hr"))
    ws = wb.active
    row = _row_of(ws, "w_task_completion")
    ws.cell(row, _column(ws, "评分规则")).value = '{"type": "formula", "expression": "value / (tasks_assigned"}'
    ws.cell(_row_of(ws, "w_quality"), _column(ws, "指标名称")).value = "不应写入"
    result = _run(world, wb)
    assert not result.ok
    (error,) = result.errors
    assert (error.row_number, error.column_header) == (row, "评分规则")
    assert "公式第 " in error.message_zh and "column" in error.message_en
    assert Indicator.objects.get(code="w_quality").name == "工作质量"


def test_row_checks_pin_errors_to_their_column(world, client_for):
    wb = _export(client_for("hr"))
    ws = wb.active
    row = _row_of(ws, "w_teamwork")
    ws.cell(row, _column(ws, "评分规则")).value = '{"type": "deduction", "per_event": "5"}'
    result = _run(world, wb)
    assert [(e.row_number, e.column_header) for e in result.errors] == [(row, "评分规则")]


def test_web_import_preview_then_commit(world, client_for):
    web = client_for("hr")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["指标编码", "指标名称", "考核维度", "指标类型", "单位", "方向", "数据指标", "评分规则"])
    ws.append(["w_overtime", "加班时长", "EFFIC", "定量", "小时", "越低越好", "overtime_hours",
               '{"type": "linear", "floor": "40", "target": "0", "direction": "lower_is_better"}'])
    upload = _bytes(wb)
    upload.name = "indicators.xlsx"
    response = web.post(reverse("indicators:indicators_import"), {"file": upload})
    assert response.status_code == 200 and not Indicator.objects.filter(code="w_overtime").exists()
    token = response.context["token"]
    response = web.post(reverse("indicators:indicators_import"), {"token": token})
    assert response.status_code == 302
    assert Indicator.objects.get(code="w_overtime").rule["direction"] == "lower_is_better"


def test_dimension_import(world):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["维度编码", "维度名称", "英文名称", "排序"])
    ws.append(["SAFE", "安全生产", "Workplace safety", 200])
    result = DimensionImporter().run(_bytes(wb), "d.xlsx", actor=world.users["hr"], dry_run=False)
    assert result.ok and result.created == 1
