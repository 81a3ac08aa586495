"""The payroll workbook of an approved plan: one row per person, a totals row, and a sheet that
reconciles every group's total with its pool.

Money is written as numbers in yuan, each the exact Decimal fen / 100 (never a binary float on the
way), formatted with two decimals; totals are sums of fen, not spreadsheet formulas, so a file read
without Excel's calculation engine shows them too.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from outperform.access.scoping import Scope
from outperform.core.excel import neutralise
from outperform.core.masking import mask_money

from .models import BonusLine, BonusPlan
from .selectors import TotalRow, grand_total

PAYROLL_HEADERS = ("工号", "姓名", "服务商", "部门", "等级", "综合得分", "系数", "基数（元）", "在岗天数", "周期天数",
                   "折算比例", "奖金（元）")
MONEY = "#,##0.00"
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else Decimal(fen) / 100


def _cell(ws: Any, value: Any, fmt: str | None = None, bold: bool = False) -> Cell:
    cell = WriteOnlyCell(ws, value=neutralise(value) if isinstance(value, str) else value)
    if fmt:
        cell.number_format = fmt
    if bold:
        cell.font = BOLD
    return cell


def _header(ws: Any, headers: Iterable[str]) -> list[Cell]:
    cells = []
    for h in headers:
        c = _cell(ws, h, bold=True)
        c.fill = HEADER_FILL
        cells.append(c)
    return cells


def payroll_workbook(plan: BonusPlan, lines: Iterable[BonusLine], totals: list[TotalRow], scope: Scope,
                     whole_totals: list[TotalRow]) -> bytes:
    """`lines` and `totals`: what the user may see; `whole_totals`: every group of the plan, for
    the reconciliation of each pool (amounts of pools are not personal)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("奖金发放表")
    ws.freeze_panes = "A2"
    for col, width in zip("ABCDEFGHIJKL", (12, 10, 28, 14, 8, 10, 7, 12, 9, 9, 10, 12), strict=True):
        ws.column_dimensions[col].width = width
    ws.append(_header(ws, PAYROLL_HEADERS))
    count = base_total = bonus_total = 0
    pool_mode = plan.is_pool
    all_pay_visible = True
    for line in lines:
        worker = line.worker
        sees_pay = scope.sees_personal_data(vendor_id=line.vendor_id, user_id=worker.user_id)
        all_pay_visible = all_pay_visible and sees_pay
        if pool_mode:
            base: Any = None
        elif sees_pay:
            base = _cell(ws, yuan(line.base_fen), MONEY)
        else:
            base = mask_money(line.base_fen)
        ws.append([
            _cell(ws, worker.employee_no), _cell(ws, worker.name),
            _cell(ws, line.vendor.name if line.vendor else ""), _cell(ws, line.department.name if line.department else ""),
            _cell(ws, line.grade_name), _cell(ws, line.composite, "0.00"), _cell(ws, line.coefficient, "0.00"),
            base, line.days, line.period_days,
            _cell(ws, Decimal(line.days) / Decimal(line.period_days) if line.period_days else 0, "0.00%"),
            _cell(ws, yuan(line.bonus_fen), MONEY),
        ])
        count += 1
        base_total += line.base_fen
        bonus_total += line.bonus_fen
    shows_base = not pool_mode and all_pay_visible
    ws.append([
        _cell(ws, "合计", bold=True), _cell(ws, f"{count} 人", bold=True), None, None, None, None, None,
        _cell(ws, yuan(base_total), MONEY, bold=True) if shows_base else None, None, None, None,
        _cell(ws, yuan(bonus_total), MONEY, bold=True),
    ])
    _reconciliation(wb, plan, totals, whole_totals)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _reconciliation(wb: Workbook, plan: BonusPlan, totals: list[TotalRow], whole_totals: list[TotalRow]) -> None:
    ws = wb.create_sheet("核对")
    for col, width in zip("ABCDEFG", (28, 10, 14, 14, 14, 12, 14), strict=True):
        ws.column_dimensions[col].width = width
    group = "服务商" if plan.mode == "pool_vendor" else "部门"
    ws.append([_cell(ws, f"{plan.name}（{plan.get_mode_display()}）", bold=True)])
    if plan.is_pool:
        ws.append(_header(ws, (group, "人数", "奖金池（元）", "已分配（元）", "差额（元）", "本表人数", "本表金额（元）")))
        mine = {t.id: t for t in totals}
        for t in whole_totals:
            own = mine.get(t.id)
            ws.append([
                _cell(ws, t.name), t.count, _cell(ws, yuan(t.pool_fen), MONEY), _cell(ws, yuan(t.allocated_fen), MONEY),
                _cell(ws, yuan(t.difference_fen), MONEY), own.count if own else 0,
                _cell(ws, yuan(own.bonus_fen if own else 0), MONEY),
            ])
        g = grand_total(whole_totals)
        ws.append([
            _cell(ws, "合计", bold=True), g.count, _cell(ws, yuan(g.pool_fen), MONEY, True),
            _cell(ws, yuan(g.allocated_fen), MONEY, True), _cell(ws, yuan(g.difference_fen), MONEY, True),
            sum(t.count for t in totals), _cell(ws, yuan(sum(t.bonus_fen for t in totals)), MONEY, True),
        ])
    else:
        ws.append(_header(ws, (group, "人数", "奖金（元）")))
        for t in totals:
            ws.append([_cell(ws, t.name), t.count, _cell(ws, yuan(t.bonus_fen), MONEY)])
        ws.append([_cell(ws, "合计", bold=True), sum(t.count for t in totals),
                   _cell(ws, yuan(sum(t.bonus_fen for t in totals)), MONEY, True)])
    ws.append([])
    ws.append([_cell(ws, "方案奖金合计（元）"), None, _cell(ws, yuan(plan.total_fen), MONEY, True)])
    ws.append([_cell(ws, "方案人数"), None, plan.line_count])
