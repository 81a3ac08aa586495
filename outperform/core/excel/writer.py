"""Writing exports, import templates and error reports as .xlsx (openpyxl).

Every text cell goes through `neutralise`: text that Excel (or a CSV consumer downstream) would take
for a formula gets a leading apostrophe, so "=HYPERLINK(...)" typed into a worker's name can't run
on an administrator's machine. Real numbers are left alone: -5 stays the number -5.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.child import INVALID_TITLE_REGEX
from openpyxl.worksheet.datavalidation import DataValidation

from .cells import clean_text, display_value
from .parse import RowError
from .reader import Table
from .spec import ERRORS_HEADER, Column, SheetSpec, normalize_header

_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_MAX_CELL_CHARS = 32_767

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
_EXAMPLE_FONT = Font(italic=True, color="808080")
_ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
_ERROR_FONT = Font(color="9C0006")
_WRAP = Alignment(wrap_text=True, vertical="top")
_COMMENT_AUTHOR = "Outperform"
# Each comment is a VML shape; a report with 100k of them is slow to open and helps nobody.
_MAX_COMMENTS = 5_000


def neutralise(value: str) -> str:
    """Text made safe to put in a cell: no formula start, no XML-illegal characters, Excel's length."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(_FORMULA_TRIGGERS):
        value = "'" + value
    return value[:_MAX_CELL_CHARS]


def _cell_value(value: Any, *, language: str = "zh", tz: dt.tzinfo | None = None, words: bool = True) -> Any:
    """A Python value as openpyxl should write it: numbers and dates native, everything else text."""
    if value is None:
        return None
    if isinstance(value, bool):
        if not words:
            return value
        if language == "en":
            return "Yes" if value else "No"
        return "是" if value else "否"
    if isinstance(value, int | Decimal):
        return value if not isinstance(value, Decimal) or value.is_finite() else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            # Excel has no time zones: show the wall-clock time of the requested zone.
            value = (value.astimezone(tz) if tz is not None else value).replace(tzinfo=None)
        return value
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return value
    return neutralise(str(value))


def _sheet_title(title: str | None, fallback: str = "Sheet1") -> str:
    title = INVALID_TITLE_REGEX.sub(" ", title or "").strip().strip("'")[:31]
    return title or fallback


def _display_width(text: str) -> float:
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    return len(text) + wide


def _auto_width(header: str) -> float:
    return min(max(_display_width(header) + 4, 10), 50)


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header_cell(ws: Any, text: str, fill: PatternFill = _HEADER_FILL) -> Cell:
    cell = WriteOnlyCell(ws, value=neutralise(text))
    cell.font = _HEADER_FONT
    cell.fill = fill
    return cell


def _comment(text: str, width: int = 320, height: int = 160) -> Comment:
    comment = Comment(ILLEGAL_CHARACTERS_RE.sub("", text)[:30_000], _COMMENT_AUTHOR)
    comment.width = width
    comment.height = height
    return comment


# --- exports -------------------------------------------------------------------------------------


def write_rows(
    spec_or_headers: SheetSpec | Sequence[str],
    rows: Iterable[Mapping[str, Any] | Sequence[Any]],
    sheet_title: str | None = None,
    *,
    language: str = "zh",
    tz: dt.tzinfo | None = None,
) -> bytes:
    """An export: a bold, frozen header row, then one row per item, streamed (write-only mode).

    With a SheetSpec, rows may be mappings by column key or sequences in column order, and the
    spec's widths and number formats (money "#,##0.00", dates "yyyy-mm-dd") apply. Booleans are
    written 是/否 (Yes/No in English), which the importer reads back. Aware datetimes are shown in
    `tz` (pass the user's zone), naive ones as they are.
    """
    if isinstance(spec_or_headers, SheetSpec):
        columns: Sequence[Column] | None = spec_or_headers.columns
        headers = [c.header(language) for c in spec_or_headers.columns]
        widths = [c.width for c in spec_or_headers.columns]
        formats = [_export_format(c) for c in spec_or_headers.columns]
        title = sheet_title or spec_or_headers.title
    else:
        columns = None
        headers = [str(h) for h in spec_or_headers]
        widths = [_auto_width(h) for h in headers]
        formats = [None] * len(headers)
        title = sheet_title or "Sheet1"

    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(_sheet_title(title))
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.append([_header_cell(ws, h) for h in headers])

    formatted = [(i, f) for i, f in enumerate(formats) if f]
    count = 0
    for row in rows:
        if isinstance(row, Mapping):
            if columns is None:
                raise TypeError("rows given as mappings need a SheetSpec")
            values = [_cell_value(row.get(c.key), language=language, tz=tz) for c in columns]
        else:
            values = [_cell_value(v, language=language, tz=tz) for v in row]
        for i, number_format in formatted:
            if i < len(values) and isinstance(values[i], int | float | Decimal | dt.date) and not isinstance(
                values[i], bool
            ):
                cell = WriteOnlyCell(ws, value=values[i])
                cell.number_format = number_format
                values[i] = cell
        ws.append(values)
        count += 1
    if headers:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"
    return _save(workbook)


def _export_format(column: Column) -> str | None:
    number_format = column.excel_number_format
    return None if number_format in (None, "@", "General") else number_format


# --- import templates ----------------------------------------------------------------------------


def _template_example(column: Column) -> Any:
    """The example as a real cell value where that helps (a date cell for a date column)."""
    example = column.example
    if example is None or column.kind not in ("date", "int", "decimal", "money"):
        return example
    try:
        value = column.parse(example)
    except ValueError:
        return example
    # Money parses to fen; the sheet shows yuan.
    return Decimal(value).scaleb(-2) if column.kind == "money" and isinstance(value, int) else value


def _column_help(column: Column, language: str) -> str:
    parts = []
    if column.required:
        parts.append("必填 / Required")
    if column.comment:
        parts.append(column.comment)
    parser = column.parser
    if parser is not None and (parser.hint_zh or parser.hint_en):
        parts.append(f"格式：{parser.hint_zh}" if language != "en" else f"Format: {parser.hint_en}")
        parts.append(f"Format: {parser.hint_en}" if language != "en" else f"格式：{parser.hint_zh}")
    if column.example is not None:
        parts.append(f"示例 / Example：{display_value(column.example)}")
    return "\n".join(parts)


def write_template(spec: SheetSpec, *, language: str = "zh") -> bytes:
    """An import template: starred required headers with help comments, a grey italic example row
    (skipped by the importer if left unchanged), dropdowns for choice and yes/no columns, column
    formats (text columns are Text, so 工号 0012 and 18-digit ID numbers survive), and an
    instructions sheet."""
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = _sheet_title(spec.title)
    lists = None
    list_column = 0
    for i, column in enumerate(spec.columns, 1):
        letter = get_column_letter(i)
        header = column.header(language) + ("*" if column.required else "")
        cell = ws.cell(row=1, column=i, value=neutralise(header))
        cell.font = _HEADER_FONT
        cell.fill = _REQUIRED_FILL if column.required else _HEADER_FILL
        help_text = _column_help(column, language)
        if help_text:
            cell.comment = _comment(help_text)
        dimension = ws.column_dimensions[letter]
        dimension.width = max(column.width, _auto_width(header))
        number_format = column.excel_number_format
        if number_format:
            dimension.number_format = number_format
        example = _template_example(column)
        if example is not None:
            example_cell = ws.cell(row=2, column=i, value=_cell_value(example, language=language, words=False))
            example_cell.font = _EXAMPLE_FONT
            if number_format:
                example_cell.number_format = number_format
        choices = column.parser.choices if column.parser is not None else ()
        if choices:
            if lists is None:
                lists = workbook.create_sheet("_lists")
                lists.sheet_state = "hidden"
            list_column += 1
            list_letter = get_column_letter(list_column)
            for r, label in enumerate(choices, 1):
                lists.cell(row=r, column=list_column, value=neutralise(label))
            validation = DataValidation(
                type="list",
                formula1=f"{quote_sheetname('_lists')}!${list_letter}$1:${list_letter}${len(choices)}",
                allow_blank=True,
                showErrorMessage=False,  # codes and English labels are accepted too
            )
            validation.add(f"{letter}2:{letter}1048576")
            ws.add_data_validation(validation)
    ws.freeze_panes = "A2"
    _instructions(workbook, spec)
    if lists is not None:
        workbook.move_sheet(lists, offset=len(workbook.sheetnames))  # keep the hidden one last
    return _save(workbook)


def _instructions(workbook: Workbook, spec: SheetSpec) -> None:
    ws = workbook.create_sheet("说明 Instructions")
    notes = [
        f"在“{spec.title}”工作表中从第 2 行起填写数据，一行一条；带 * 的列必填。",
        f"Fill in the “{spec.title}” sheet from row 2, one record per row; columns marked * are required.",
        "第 2 行是示例（灰色斜体），如未修改，导入时会自动忽略；也可以直接覆盖或删除。",
        "Row 2 is an example (grey italic): left unchanged it is ignored on import; overwrite or delete it.",
        "日期可写 2024-01-05、2024/1/5、2024年1月5日；金额以元为单位，最多两位小数；是/否 列可写 是、否、Y、N。",
        "Dates: 2024-01-05, 2024/1/5 or 2024年1月5日; amounts in yuan with at most 2 decimals; yes/no as 是/否/Y/N.",
        "列的顺序可以调整，表头中英文均可；不要合并单元格。",
        "Columns may be in any order and headers in Chinese or English; don't merge cells.",
    ]
    for note in notes:
        ws.append([note])
    ws.append([])
    header = ["列名", "Column", "必填 Required", "格式", "Format", "说明 Notes", "示例 Example", "可选值 Choices"]
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    for column in spec.columns:
        parser = column.parser
        ws.append([
            neutralise(column.header_zh),
            neutralise(column.header_en),
            "是 Yes" if column.required else "",
            neutralise(parser.hint_zh) if parser else "",
            neutralise(parser.hint_en) if parser else "",
            neutralise(column.comment),
            neutralise(display_value(column.example)),
            neutralise("、".join(parser.choices)) if parser and parser.choices else "",
        ])
    for letter, width in zip("ABCDEFGH", (18, 18, 12, 36, 36, 40, 20, 30), strict=True):
        ws.column_dimensions[letter].width = width


# --- error reports -------------------------------------------------------------------------------


def _error_line(error: RowError) -> str:
    where = f"{error.column_header}：" if error.column_header else ""
    if error.message_en and error.message_en != error.message_zh:
        return f"{where}{error.message_zh}（{error.message_en}）"
    return f"{where}{error.message_zh}"


def write_error_report(spec: SheetSpec, table: Table, errors: Sequence[RowError], *, language: str = "zh") -> bytes:
    """The uploaded rows written back with bad cells filled red and commented (zh + en), a leading
    "错误 / Errors" column summing up each row, and a second sheet listing every error.

    `table` is the upload read again (read_table); row numbers are kept, so row 12 of the report is
    row 12 of the user's file and the report can be corrected and uploaded as it is.
    """
    match = spec.match_headers(table.headers)
    position_by_key = {column.key: position for position, column in match.columns}
    position_by_header = {normalize_header(h): i for i, h in enumerate(table.headers) if h}
    missing = match.missing_required

    def position_of(error: RowError) -> int | None:
        if error.column_key and error.column_key in position_by_key:
            return position_by_key[error.column_key]
        if error.column_header:
            return position_by_header.get(normalize_header(error.column_header))
        return None

    by_row: dict[int, list[RowError]] = {}
    for error in errors:
        by_row.setdefault(error.row_number, []).append(error)
    header_row = table.header_row_number

    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(_sheet_title(spec.title))
    ws.column_dimensions["A"].width = 48
    for i, header in enumerate(table.headers, 2):
        column = spec.resolve_header(header) if header else None
        ws.column_dimensions[get_column_letter(i)].width = column.width if column else _auto_width(header)
    ws.freeze_panes = f"B{header_row + 1}"

    comments_left = _MAX_COMMENTS

    def marked(value: Any, problems: list[RowError]) -> Cell:
        nonlocal comments_left
        cell = WriteOnlyCell(ws, value=value)
        cell.fill = _ERROR_FILL
        if comments_left > 0:
            comments_left -= 1
            text = "\n".join(f"{p.message_zh}\n{p.message_en}" if p.message_en != p.message_zh else p.message_zh
                             for p in problems)
            cell.comment = _comment(text, height=80 + 20 * len(problems))
        return cell

    # Rows above the header (title rows) are left blank so that row numbers line up.
    for _ in range(header_row - 1):
        ws.append([])
    header_problems: dict[int, list[RowError]] = {}
    for error in by_row.get(header_row, []):
        position = position_of(error)
        if position is not None:
            header_problems.setdefault(position, []).append(error)
    header_cells: list[Any] = [_header_cell(ws, ERRORS_HEADER)]
    for position, header in enumerate(table.headers):
        if position in header_problems:
            header_cells.append(marked(neutralise(header), header_problems[position]))
            header_cells[-1].font = _HEADER_FONT
        else:
            header_cells.append(_header_cell(ws, header))
    missing_error = "缺少必填列，请补上这一列 / required column missing; add it"
    for column in missing:
        cell = _header_cell(ws, column.header(language) + "*", _ERROR_FILL)
        cell.comment = _comment(missing_error, height=60)
        header_cells.append(cell)
    ws.append(header_cells)

    summary_font = _ERROR_FONT
    current = header_row
    for row_number, values in table.rows:
        while current < row_number - 1:
            ws.append([])
            current += 1
        current = row_number
        problems = by_row.get(row_number, [])
        out: list[Any] = []
        if problems:
            summary = WriteOnlyCell(ws, value=neutralise("；\n".join(_error_line(p) for p in problems)))
            summary.font = summary_font
            summary.alignment = _WRAP
            out.append(summary)
        else:
            out.append(None)
        cell_problems: dict[int, list[RowError]] = {}
        for problem in problems:
            position = position_of(problem)
            if position is not None:
                cell_problems.setdefault(position, []).append(problem)
        for position, raw in enumerate(values):
            value = _cell_value(raw, words=False)
            if position in cell_problems:
                out.append(marked(value, cell_problems[position]))
            else:
                out.append(value)
        ws.append(out)

    _error_list(workbook, spec, errors, missing, header_row, language)
    return _save(workbook)


def _error_list(
    workbook: Workbook,
    spec: SheetSpec,
    errors: Sequence[RowError],
    missing: Sequence[Column],
    header_row: int,
    language: str,
) -> None:
    ws = workbook.create_sheet("错误列表 Errors")
    for letter, width in zip("ABCDE", (10, 22, 24, 44, 44), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    ws.append([_header_cell(ws, h) for h in ("行 Row", "列 Column", "值 Value", "错误", "Error")])
    for column in missing:
        ws.append([header_row, neutralise(column.header(language)), None, "缺少必填列", "required column missing"])
    for error in sorted(errors, key=lambda e: e.row_number):
        value = error.value if isinstance(error.value, str) else clean_text(error.value, multiline=True)
        ws.append([
            error.row_number,
            neutralise(error.column_header or ""),
            neutralise(value) if value else None,
            neutralise(error.message_zh),
            neutralise(error.message_en),
        ])

