"""A whole appraisal template (考核方案) as one Excel workbook: export, and import as a new template
or a new version of an existing one.

Workbook layout (Chinese headers; the importer also accepts the English ones):

- 方案: two columns 项目/值, one row per template setting, plus one row per rater role weight
  (`角色权重:上级` = 60).
- 指标: 指标编码, 指标名称 (informational), 权重, 评分规则（覆盖，JSON）, 角色权重（覆盖，JSON）.
- 等级: 等级代码, 等级名称, 英文名称, 最低分, 最高分, 颜色, 奖金系数.
- 强制分布: 等级代码, 类型 (不超过/不少于 or max/min), 比例%.
- 加减分项: 编码, 名称, 上限, 说明.
- 一票否决项: 编码, 名称, 说明.

Cells are read with `core.excel` (read_table/parse_rows); every problem names the sheet, the row and
the column. The write goes through `services.template_new_version` + `services.template_save` (or
`template_save` alone for a new code) in one transaction, so the template validation, its messages
and the audit are the services' own, and nothing is left half-written. A dry run does the same
write and rolls it back.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from outperform.core import excel
from outperform.core.audit import snapshot
from outperform.core.models import User
from outperform.org.models import PositionCategory
from outperform.vendors.models import VendorCategory

from . import services
from .models import (
    AdjustmentItem,
    BonusMode,
    DistributionGroup,
    GradeBand,
    GradingMethod,
    Indicator,
    Quota,
    QuotaKind,
    RaterRole,
    SubjectKind,
    TeamMode,
    Template,
    TemplateIndicator,
    VetoItem,
)
from .snapshot import template_snapshot

SHEET_TEMPLATE = "方案"
SHEET_ITEMS = "指标"
SHEET_BANDS = "等级"
SHEET_QUOTAS = "强制分布"
SHEET_ADJUSTMENTS = "加减分项"
SHEET_VETOES = "一票否决项"
ROLE_PREFIX = "角色权重:"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _zh(label: Any) -> str:
    with translation.override("zh-hans"):
        return str(label)


def _en(label: Any) -> str:
    with translation.override("en"):
        return str(label)


def _choices(choices: type[models.TextChoices]) -> excel.CellParser[Any]:
    return excel.parse_choice([(value, _zh(label), _en(label)) for value, label in choices.choices],
                              labels={value: _zh(label) for value, label in choices.choices})


def _raw(value: Any) -> Any:
    return value


def _json(value: Any) -> Any:
    text = excel.clean_text(value, multiline=True)
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise excel.CellError(f"不是有效的 JSON（{exc.msg}，第 {exc.pos + 1} 个字符）",
                              f"not valid JSON ({exc.msg} at character {exc.pos + 1})") from None


def _categories(choices: type[models.TextChoices]) -> Callable[[Any], list[str]]:
    parse_one = _choices(choices)

    def parse(value: Any) -> list[str]:
        text = excel.clean_text(value) or ""
        parts = [p.strip() for p in text.replace("，", ",").replace("、", ",").replace(";", ",").split(",")]
        return list(dict.fromkeys(str(parse_one(p)) for p in parts if p))

    return parse


# --- the 方案 sheet: one row per setting ------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    label: str
    field: str
    parse: Callable[[Any], Any]
    required: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting("方案编码", "code", excel.parse_text(40), required=True),
    Setting("方案名称", "name", excel.parse_text(120, fold_width=False), required=True),
    Setting("考核对象", "subject_kind", _choices(SubjectKind), required=True),
    Setting("定级方式", "grading", _choices(GradingMethod), required=True),
    Setting("强制分布范围", "distribution_group", _choices(DistributionGroup), required=True),
    Setting("强制分布最小人数", "min_group_size", excel.parse_int(min_value=0), required=True),
    Setting("加减分合计上限", "adjustment_cap", excel.parse_decimal(2, min_value=0)),
    Setting("奖金计算", "bonus_mode", _choices(BonusMode), required=True),
    Setting("团队考核方式", "team_mode", _choices(TeamMode), required=True),
    Setting("低于此分须填评语", "comment_below", excel.parse_decimal(2), required=True),
    Setting("高于此分须填评语", "comment_above", excel.parse_decimal(2), required=True),
    Setting("匿名角色最少评价人数", "anonymity_min_raters", excel.parse_int(min_value=1), required=True),
    Setting("适用岗位类别", "position_categories", _categories(PositionCategory)),
    Setting("适用服务商类别", "vendor_categories", _categories(VendorCategory)),
    Setting("说明", "description", excel.parse_text(multiline=True, fold_width=False)),
)

SETTINGS_SPEC = excel.SheetSpec(SHEET_TEMPLATE, [
    excel.Column("item", "项目", "Item", excel.parse_text(required=True), required=True, width=24),
    excel.Column("value", "值", "Value", _raw, width=60),
])
ITEMS_SPEC = excel.SheetSpec(SHEET_ITEMS, [
    excel.Column("code", "指标编码", "Indicator code", excel.parse_text(40), required=True, width=26),
    excel.Column("name", "指标名称", "Indicator name", _raw, width=24),
    excel.Column("weight", "权重", "Weight", excel.parse_decimal(2, min_value=0, max_value=100), required=True,
                 width=10),
    excel.Column("rule", "评分规则（覆盖，JSON）", "Rule override (JSON)", _json, width=40),
    excel.Column("role_weights", "角色权重（覆盖，JSON）", "Role weights override (JSON)", _json, width=30),
], unique=[["code"]])
BANDS_SPEC = excel.SheetSpec(SHEET_BANDS, [
    excel.Column("code", "等级代码", "Grade code", excel.parse_text(10), required=True, width=14),
    excel.Column("name", "等级名称", "Grade name", excel.parse_text(20, fold_width=False), required=True, width=12),
    excel.Column("name_en", "英文名称", "English name", excel.parse_text(40, fold_width=False), width=14),
    excel.Column("min_score", "最低分", "Min score", excel.parse_decimal(2), required=True, width=10),
    excel.Column("max_score", "最高分", "Max score", excel.parse_decimal(2), required=True, width=10),
    excel.Column("colour", "颜色", "Colour", excel.parse_text(9), width=10),
    excel.Column("coefficient", "奖金系数", "Bonus coefficient", excel.parse_decimal(2, min_value=0), width=10),
], unique=[["code"]])
QUOTAS_SPEC = excel.SheetSpec(SHEET_QUOTAS, [
    excel.Column("grade_code", "等级代码", "Grade code", excel.parse_text(10), required=True, width=14),
    excel.Column("kind", "类型", "Kind", _choices(QuotaKind), required=True, width=10),
    excel.Column("share", "比例%", "Share %", excel.parse_decimal(2, min_value=0, max_value=100), required=True,
                 width=10),
])
ADJUSTMENTS_SPEC = excel.SheetSpec(SHEET_ADJUSTMENTS, [
    excel.Column("code", "编码", "Code", excel.parse_text(40), required=True, width=20),
    excel.Column("name", "名称", "Name", excel.parse_text(100, fold_width=False), required=True, width=20),
    excel.Column("cap", "上限", "Cap", excel.parse_decimal(2, min_value=0), required=True, width=10),
    excel.Column("description", "说明", "Description", excel.parse_text(300, multiline=True, fold_width=False), width=40),
], unique=[["code"]])
VETOES_SPEC = excel.SheetSpec(SHEET_VETOES, [
    excel.Column("code", "编码", "Code", excel.parse_text(40), required=True, width=20),
    excel.Column("name", "名称", "Name", excel.parse_text(100, fold_width=False), required=True, width=20),
    excel.Column("description", "说明", "Description", excel.parse_text(300, multiline=True, fold_width=False), width=40),
], unique=[["code"]])

OPTIONAL_SHEETS = frozenset({SHEET_QUOTAS, SHEET_ADJUSTMENTS, SHEET_VETOES})


# --- export ---------------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    """A value as it goes in a cell: numbers native, text neutralised (no formula can start)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | Decimal):
        return value
    return excel.neutralise(str(value))


def _sheet(workbook: Workbook, spec: excel.SheetSpec, rows: Iterable[Sequence[Any]]) -> None:
    ws = workbook.create_sheet(spec.title)
    for i, column in enumerate(spec.columns, 1):
        cell = ws.cell(row=1, column=i, value=excel.neutralise(column.header_zh))
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        ws.column_dimensions[get_column_letter(i)].width = column.width
    ws.freeze_panes = "A2"
    for row in rows:
        ws.append([_cell(v) for v in row])


def _setting_value(template: Template, setting: Setting) -> Any:
    value = getattr(template, setting.field)
    if setting.field in {"position_categories", "vendor_categories"}:
        return ",".join(value or [])
    if setting.field in {"subject_kind", "grading", "distribution_group", "bonus_mode", "team_mode"}:
        return _zh(getattr(template, f"get_{setting.field}_display")())
    return value


def _json_text(value: Any) -> str | None:
    return None if value in (None, {}, []) else json.dumps(value, ensure_ascii=False)


def export_template(template: Template) -> bytes:
    """The template as an .xlsx workbook (see the module docstring for the layout)."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    roles = dict(RaterRole.choices)
    settings_rows: list[list[Any]] = [[s.label, _setting_value(template, s)] for s in SETTINGS]
    settings_rows += [[f"{ROLE_PREFIX}{_zh(roles.get(role, role))}", Decimal(str(weight))]
                      for role, weight in (template.role_weights or {}).items()]
    _sheet(workbook, SETTINGS_SPEC, settings_rows)
    _sheet(workbook, ITEMS_SPEC, (
        [it.indicator.code, it.indicator.name, it.weight, _json_text(it.rule), _json_text(it.role_weights)]
        for it in template.items.select_related("indicator").order_by("order", "id")
    ))
    _sheet(workbook, BANDS_SPEC, (
        [b.code, b.name, b.name_en, b.min_score, b.max_score, b.colour, b.coefficient]
        for b in template.bands.order_by("-min_score")
    ))
    _sheet(workbook, QUOTAS_SPEC, ([q.grade_code, _zh(q.get_kind_display()), q.share]
                                   for q in template.quotas.order_by("id")))
    _sheet(workbook, ADJUSTMENTS_SPEC, ([a.code, a.name, a.cap, a.description]
                                        for a in template.adjustments.order_by("id")))
    _sheet(workbook, VETOES_SPEC, ([v.code, v.name, v.description] for v in template.vetoes.order_by("id")))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_filename(template: Template) -> str:
    return f"{template.code}-v{template.version}.xlsx"


# --- import ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One reason the workbook can't be imported; sheet/row/column are empty for the whole file or
    the whole template."""

    message_zh: str
    message_en: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""

    @property
    def where(self) -> str:
        parts = [f"工作表「{self.sheet}」" if self.sheet else "", f"第 {self.row} 行" if self.row else "",
                 f"「{self.column}」列" if self.column else ""]
        return "".join(parts)

    @property
    def where_en(self) -> str:
        parts = [f"sheet “{self.sheet}”" if self.sheet else "", f"row {self.row}" if self.row else "",
                 f"column “{self.column}”" if self.column else ""]
        return ", ".join(p for p in parts if p)

    @property
    def message(self) -> str:
        zh = f"{self.where}：{self.message_zh}" if self.where else self.message_zh
        if self.message_en == self.message_zh:
            return zh
        en = f"{self.where_en}: {self.message_en}" if self.where_en else self.message_en
        return f"{zh} / {en}"

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "value": self.value,
                "message_zh": self.message_zh, "message_en": self.message_en, "message": self.message}


@dataclass
class ImportOutcome:
    problems: list[Problem] = field(default_factory=list)
    template: Template | None = None  # the created template (not set on a dry run)
    preview: dict[str, Any] | None = None  # template_snapshot of what is (or would be) created
    new_version_of: int | None = None  # version number the import follows, when the code exists

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Parsed:
    fields: dict[str, Any] = field(default_factory=dict)
    role_weights: dict[str, Decimal] = field(default_factory=dict)
    rows: dict[str, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)


def _sheet_rows(data: bytes, spec: excel.SheetSpec, problems: list[Problem]) -> list[tuple[int, dict[str, Any]]]:
    try:
        table = excel.read_table(io.BytesIO(data), "upload.xlsx", sheet=spec.title, spec=spec)
    except excel.SpreadsheetError as exc:
        if exc.code == "sheet_not_found" and spec.title in OPTIONAL_SHEETS:
            return []
        problems.append(Problem(exc.message_zh, exc.message_en, sheet=spec.title))
        return []
    with table:
        outcome = excel.parse_rows(spec, table, skip_example=False)
    header = outcome.header_message()
    if header:
        problems.append(Problem(*header, sheet=spec.title, row=outcome.header_row_number))
    for e in outcome.errors:
        problems.append(Problem(e.message_zh, e.message_en, sheet=spec.title, row=e.row_number,
                                column=e.column_header, value=str(e.value or "")))
    return [(r.row_number, r.values) for r in outcome.rows if r.ok]


def _role_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for value, label in RaterRole.choices:
        for spelling in (value, _zh(label), _en(label)):
            lookup[spelling.strip().casefold()] = value
    return lookup


def _parse_settings(data: bytes, parsed: _Parsed, problems: list[Problem]) -> None:
    roles = _role_lookup()
    by_label = {s.label: s for s in SETTINGS}
    seen: dict[str, int] = {}
    value_header = SETTINGS_SPEC.column("value").header_zh
    for row, values in _sheet_rows(data, SETTINGS_SPEC, problems):
        label = str(values["item"]).strip()
        raw = values.get("value")
        if label.replace("：", ":").startswith(ROLE_PREFIX):
            name = label.replace("：", ":")[len(ROLE_PREFIX):].strip()
            role = roles.get(name.casefold())
            if role is None:
                problems.append(Problem(f"未知的评价角色“{name}”", f"unknown rater role “{name}”",
                                        SHEET_TEMPLATE, row, SETTINGS_SPEC.column("item").header_zh, label))
                continue
            try:
                weight = excel.parse_decimal(2, min_value=0, max_value=100)(raw)
            except excel.CellError as exc:
                problems.append(Problem(exc.message_zh, exc.message_en, SHEET_TEMPLATE, row, value_header,
                                        excel.display_value(raw)))
                continue
            if weight is not None:
                parsed.role_weights[role] = weight
            continue
        setting = by_label.get(label)
        if setting is None:
            problems.append(Problem(f"未知的项目“{label}”", f"unknown item “{label}”", SHEET_TEMPLATE, row,
                                    SETTINGS_SPEC.column("item").header_zh, label))
            continue
        if setting.field in seen:
            problems.append(Problem(f"与第 {seen[setting.field]} 行重复", f"repeats row {seen[setting.field]}",
                                    SHEET_TEMPLATE, row, SETTINGS_SPEC.column("item").header_zh, label))
            continue
        seen[setting.field] = row
        try:
            value = setting.parse(raw)
        except excel.CellError as exc:
            problems.append(Problem(exc.message_zh, exc.message_en, SHEET_TEMPLATE, row, value_header,
                                    excel.display_value(raw)))
            continue
        if value is None and setting.required:
            problems.append(Problem("必填，不能为空", "required; the cell is empty", SHEET_TEMPLATE, row, value_header))
            continue
        if value is not None:
            parsed.fields[setting.field] = value
    for setting in SETTINGS:
        if setting.required and setting.field not in seen:
            problems.append(Problem(f"缺少项目“{setting.label}”", f"the item “{setting.label}” is missing",
                                    SHEET_TEMPLATE))


def parse_workbook(data: bytes) -> tuple[_Parsed, list[Problem]]:
    problems: list[Problem] = []
    parsed = _Parsed()
    _parse_settings(data, parsed, problems)
    for key, spec in (("items", ITEMS_SPEC), ("bands", BANDS_SPEC), ("quotas", QUOTAS_SPEC),
                      ("adjustments", ADJUSTMENTS_SPEC), ("vetoes", VETOES_SPEC)):
        parsed.rows[key] = _sheet_rows(data, spec, problems)
    return parsed, problems


_CHILD_SHEETS = {"items": SHEET_ITEMS, "bands": SHEET_BANDS, "quotas": SHEET_QUOTAS,
                 "adjustments": SHEET_ADJUSTMENTS, "vetoes": SHEET_VETOES}


def _build(parsed: _Parsed, problems: list[Problem]) -> dict[str, list[models.Model]]:
    codes = [values["code"] for _row, values in parsed.rows["items"]]
    indicators = {i.code: i for i in Indicator.objects.select_related("dimension").filter(code__in=codes)}
    items: list[models.Model] = []
    for order, (row, values) in enumerate(parsed.rows["items"]):
        indicator = indicators.get(values["code"])
        if indicator is None:
            problems.append(Problem(f"指标库中没有编码为“{values['code']}”的指标",
                                    f"no indicator coded “{values['code']}” in the library",
                                    SHEET_ITEMS, row, ITEMS_SPEC.column("code").header_zh, values["code"]))
            continue
        items.append(TemplateIndicator(indicator=indicator, weight=values["weight"], rule=values.get("rule"),
                                       role_weights=values.get("role_weights"), order=order))

    def with_defaults(values: dict[str, Any], **defaults: Any) -> dict[str, Any]:
        return {**defaults, **{k: v for k, v in values.items() if v is not None}}

    return {
        "items": items,
        "bands": [GradeBand(**with_defaults(v, name_en="", colour="#1f5fbf", coefficient=Decimal(1)))
                  for _r, v in parsed.rows["bands"]],
        "quotas": [Quota(**v) for _r, v in parsed.rows["quotas"]],
        "adjustments": [AdjustmentItem(**with_defaults(v, description="")) for _r, v in parsed.rows["adjustments"]],
        "vetoes": [VetoItem(**with_defaults(v, description="")) for _r, v in parsed.rows["vetoes"]],
    }


class _DryRun(Exception):  # noqa: N818 - control flow, not an error
    def __init__(self, preview: dict[str, Any]) -> None:
        super().__init__("dry run")
        self.preview = preview


_FIELD_LABELS = {s.field: s.label for s in SETTINGS}


def _service_problems(exc: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    if hasattr(exc, "error_dict"):
        for key, messages in exc.message_dict.items():
            sheet = _CHILD_SHEETS.get(key, SHEET_TEMPLATE)
            column = "" if key in _CHILD_SHEETS else _FIELD_LABELS.get(key, "" if key == "__all__" else key)
            problems += [Problem(m, m, sheet=sheet, column=column) for m in messages]
    else:
        problems += [Problem(m, m) for m in exc.messages]
    return problems


def import_template(data: bytes, *, actor: User | None, dry_run: bool = False) -> ImportOutcome:
    """Parse the workbook and create the template (a new version when the code exists), all or
    nothing. With dry_run the write is done and rolled back, so the preview and the errors are
    exactly what a real import would give."""
    parsed, problems = parse_workbook(data)
    outcome = ImportOutcome(problems=problems)
    if problems:
        return outcome
    children = _build(parsed, problems)
    if problems:
        return outcome
    fields = dict(parsed.fields)
    role_weights = {role: format(w.normalize(), "f") for role, w in parsed.role_weights.items()}
    try:
        with transaction.atomic():
            latest = (Template.objects.select_for_update().filter(code=fields["code"])
                      .order_by("-version").first())
            if latest is not None:
                outcome.new_version_of = latest.version
                template = services.template_new_version(actor, latest)
                before: dict[str, Any] | None = snapshot(template)
            else:
                template, before = Template(), None
            for key, value in fields.items():
                setattr(template, key, value)
            for setting in SETTINGS:
                if setting.field not in fields and not setting.required:
                    model_field = Template._meta.get_field(setting.field)
                    assert isinstance(model_field, models.Field)
                    setattr(template, setting.field, model_field.get_default())
            template.role_weights = role_weights
            template = services.template_save(
                actor=actor, template=template, before=before, reason="imported from Excel",
                items=children["items"], bands=children["bands"],  # type: ignore[arg-type]
                quotas=children["quotas"], adjustments=children["adjustments"],  # type: ignore[arg-type]
                vetoes=children["vetoes"],  # type: ignore[arg-type]
            )
            preview = template_snapshot(template)
            if dry_run:
                raise _DryRun(preview)
    except _DryRun as run:
        outcome.preview = run.preview
        return outcome
    except ValidationError as exc:
        outcome.problems = _service_problems(exc)
        return outcome
    outcome.template, outcome.preview = template, preview
    return outcome
