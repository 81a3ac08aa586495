import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from outperform.core.excel import (
    ERRORS_HEADER,
    Column,
    SheetSpec,
    neutralise,
    parse_bool,
    parse_choice,
    parse_date,
    parse_int,
    parse_money_fen,
    parse_rows,
    parse_text,
    read_table,
    write_error_report,
    write_rows,
    write_template,
)

from .helpers import xlsx_bytes

SPEC = SheetSpec("外包人员", [
    Column("employee_no", "工号", "Employee no.", parse_text(max_length=10), required=True, example="W000123",
           comment="唯一工号 / unique number", width=14),
    Column("name", "姓名", "Name", parse_text(), required=True, example="张伟"),
    Column("gender", "性别", "Gender", parse_choice([("M", "男", "Male"), ("F", "女", "Female")]), example="男"),
    Column("hire_date", "入场日期", "Hire date", parse_date(), required=True, example="2026-01-05"),
    Column("salary", "基本工资（元）", "Base salary (yuan)", parse_money_fen(), example="6500.00"),
    Column("level", "级别", "Level", parse_int()),
    Column("active", "在岗", "Active", parse_bool(), example="是"),
])


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def sheet(data: bytes, index: int = 0) -> Any:
    return load(data).worksheets[index]


class TestNeutralise:
    @pytest.mark.parametrize("text", ["=1+1", "+x", "-x", "@x", "\tx", "\rx", "=HYPERLINK(\"http://evil\",\"点我\")"])
    def test_formula_starts_get_an_apostrophe(self, text: str) -> None:
        assert neutralise(text) == "'" + text

    @pytest.mark.parametrize("text", ["张三", "a=b", " =x", "'quoted", "1+1"])
    def test_other_text_is_unchanged(self, text: str) -> None:
        assert neutralise(text) == text

    def test_illegal_characters_and_length(self) -> None:
        assert neutralise("a\x00b\x1fc") == "abc"
        assert len(neutralise("x" * 40_000)) == 32_767


class TestWriteRows:
    def test_injection_neutralised_numbers_stay_numbers(self) -> None:
        data = write_rows(["文本", "数字"], [["=1+1", -5], ["+x", Decimal("-1.5")], ["-x", 0], ["@x", -0.25]], "导出")
        ws = sheet(data)
        assert ws.title == "导出"
        texts = [ws.cell(row=r, column=1) for r in range(2, 6)]
        assert [c.value for c in texts] == ["'=1+1", "'+x", "'-x", "'@x"]
        assert all(c.data_type == "s" for c in texts)
        numbers = [ws.cell(row=r, column=2) for r in range(2, 6)]
        assert [c.value for c in numbers] == [-5, -1.5, 0, -0.25]
        assert all(c.data_type == "n" for c in numbers)

    def test_header_dates_and_layout(self) -> None:
        aware = dt.datetime(2024, 1, 5, 1, 30, tzinfo=dt.UTC)
        data = write_rows(
            ["姓名", "日期", "时间", "在岗"],
            [["张三", dt.date(2024, 1, 5), aware, True]],
            tz=dt.timezone(dt.timedelta(hours=8)),
        )
        ws = sheet(data)
        assert [c.value for c in ws[1]] == ["姓名", "日期", "时间", "在岗"]
        assert all(c.font.b for c in ws[1])
        assert ws.freeze_panes == "A2"
        assert ws["B2"].is_date
        assert ws["B2"].value == dt.datetime(2024, 1, 5)
        assert ws["B2"].number_format == "yyyy-mm-dd"
        assert ws["C2"].value == dt.datetime(2024, 1, 5, 9, 30)  # shown in the requested zone
        assert ws["D2"].value == "是"
        assert ws.column_dimensions["A"].width >= 8
        assert ws.auto_filter.ref == "A1:D2"

    def test_spec_export_round_trips_through_the_importer(self) -> None:
        rows: list[Any] = [
            {"employee_no": "W1", "name": "=cmd|' /C calc'!A0", "gender": "女", "hire_date": dt.date(2024, 1, 5),
             "salary": Decimal("1234.50"), "level": 3, "active": False},
            ["W2", "李四", "Male", dt.date(2023, 12, 31), Decimal("0.01"), None, True],
        ]
        data = write_rows(SPEC, rows)
        ws = sheet(data)
        assert ws.title == "外包人员"
        assert ws["E2"].number_format == "#,##0.00"
        assert ws.column_dimensions["A"].width == 14
        outcome = parse_rows(SPEC, read_table(data, "export.xlsx", spec=SPEC))
        assert outcome.ok, outcome.errors
        first, second = (r.values for r in outcome.rows)
        assert first == {"employee_no": "W1", "name": "=cmd|' /C calc'!A0", "gender": "F",
                         "hire_date": dt.date(2024, 1, 5), "salary": 123450, "level": 3, "active": False}
        assert second["salary"] == 1
        assert second["gender"] == "M"

    def test_many_rows_stream(self) -> None:
        data = write_rows(["n"], ([i] for i in range(5000)))
        assert sheet(data).max_row == 5001


class TestTemplate:
    def test_template(self) -> None:
        data = write_template(SPEC)
        workbook = load(data)
        ws = workbook.worksheets[0]
        assert ws.title == "外包人员"
        headers = [c.value for c in ws[1]]
        assert headers == ["工号*", "姓名*", "性别", "入场日期*", "基本工资（元）", "级别", "在岗"]
        assert ws.freeze_panes == "A2"
        comment = ws["A1"].comment
        assert comment is not None
        assert "唯一工号" in comment.text and "必填" in comment.text and "Format" in comment.text
        assert "2024年1月5日" in ws["D1"].comment.text
        assert ws["A2"].value == "W000123"
        assert ws["A2"].font.i and ws["A2"].font.color.rgb.endswith("808080")
        assert ws["D2"].is_date
        validations = {str(v.sqref): v.formula1 for v in ws.data_validations.dataValidation}
        assert set(validations) == {"C2:C1048576", "G2:G1048576"}
        lists = workbook["_lists"]
        assert lists.sheet_state == "hidden"
        assert [c.value for c in lists["A"]] == ["男", "女"]
        assert [c.value for c in lists["B"]] == ["是", "否"]
        assert workbook.sheetnames[-1] == "_lists"
        assert "说明 Instructions" in workbook.sheetnames
        assert ws.column_dimensions["A"].number_format == "@"

    def test_untouched_template_imports_nothing(self) -> None:
        data = write_template(SPEC)
        outcome = parse_rows(SPEC, read_table(data, "template.xlsx", spec=SPEC))
        assert outcome.ok
        assert outcome.rows == []
        assert outcome.skipped_example_rows == [2]

    def test_english_template_is_understood(self) -> None:
        data = write_template(SPEC, language="en")
        assert sheet(data)["A1"].value == "Employee no.*"
        assert parse_rows(SPEC, read_table(data, "t.xlsx", spec=SPEC)).skipped_example_rows == [2]


class TestErrorReport:
    UPLOAD: list[list[Any]] = [
        ["外包人员花名册"],
        ["工号", "姓名", "入场日期", "基本工资（元）", "备注"],
        ["W1", "张三", "2024-02-30", "12.345", "@x"],
        [None] * 5,
        ["W2", "李四", "2024-01-05", "100", ""],
        ["W3", "", "2024-01-05", -5, None],
    ]

    def report(self) -> tuple[bytes, list[Any]]:
        upload = xlsx_bytes(self.UPLOAD)
        outcome = parse_rows(SPEC, read_table(upload, "u.xlsx", spec=SPEC))
        errors = list(outcome.errors)
        return write_error_report(SPEC, read_table(upload, "u.xlsx", spec=SPEC), errors), errors

    def test_bad_cells_marked_red_with_comments(self) -> None:
        data, errors = self.report()
        assert {(e.row_number, e.column_key) for e in errors} == {(3, "hire_date"), (3, "salary"), (6, "name"), (6, "salary")}
        ws = sheet(data)
        assert ws.title == "外包人员"
        assert ws["A2"].value == ERRORS_HEADER
        assert [c.value for c in ws[2]][1:] == ["工号", "姓名", "入场日期", "基本工资（元）", "备注"]
        bad_date, bad_money = ws["D3"], ws["E3"]
        assert bad_date.value == "2024-02-30"
        assert bad_date.fill.fgColor.rgb.endswith("FFC7CE")
        assert bad_date.comment is not None
        assert "日期不存在" in bad_date.comment.text and "no such date" in bad_date.comment.text
        assert bad_money.fill.fgColor.rgb.endswith("FFC7CE")
        assert ws["B3"].fill.fgColor.rgb in ("00000000", None) or ws["B3"].fill.fill_type is None
        assert "入场日期：日期不存在" in ws["A3"].value and "基本工资（元）：" in ws["A3"].value
        assert ws["A5"].value is None
        assert ws["F3"].value == "'@x"  # the upload's own text is neutralised too
        assert ws["C6"].fill.fgColor.rgb.endswith("FFC7CE")
        assert ws["E6"].value == -5  # numbers stay numbers, even in a report

    def test_error_list_sheet(self) -> None:
        data, errors = self.report()
        ws = sheet(data, 1)
        rows = [[c.value for c in row] for row in ws.iter_rows()]
        assert rows[0] == ["行 Row", "列 Column", "值 Value", "错误", "Error"]
        assert len(rows) == 1 + len(errors)
        assert rows[1][:3] == [3, "入场日期", "2024-02-30"]
        assert {r[0] for r in rows[1:]} == {3, 6}

    def test_report_fixed_and_uploaded_again(self) -> None:
        data, _ = self.report()
        workbook = load(data)
        ws = workbook.worksheets[0]
        ws["D3"], ws["E3"], ws["C6"], ws["E6"] = "2024-02-28", "12.34", "王五", 5
        buffer = io.BytesIO()
        workbook.save(buffer)
        outcome = parse_rows(SPEC, read_table(buffer.getvalue(), "fixed.xlsx", spec=SPEC))
        assert outcome.ok, outcome.errors
        assert outcome.unknown_headers == ["备注"]  # and not the Errors column
        assert [r.row_number for r in outcome.rows] == [3, 5, 6]

    def test_missing_required_column_is_added_and_marked(self) -> None:
        upload = xlsx_bytes([["姓名", "入场日期"], ["张三", "2024-01-05"]])
        data = write_error_report(SPEC, read_table(upload, "u.xlsx"), [])
        ws = sheet(data)
        assert [c.value for c in ws[1]] == [ERRORS_HEADER, "姓名", "入场日期", "工号*"]
        assert ws["D1"].fill.fgColor.rgb.endswith("FFC7CE")
        assert "缺少必填列" in ws["D1"].comment.text
        listing = [[c.value for c in row] for row in sheet(data, 1).iter_rows(min_row=2)]
        assert listing == [[1, "工号", None, "缺少必填列", "required column missing"]]

    def test_errors_from_the_importer_are_placed_by_column_key(self) -> None:
        from outperform.core.excel import RowError

        upload = xlsx_bytes([["Employee no.", "姓名", "入场日期"], ["W1", "张三", "2024-01-05"]])
        error = RowError(row_number=2, column_header="工号", column_key="employee_no", value="W1",
                         message_zh="该记录不在您的权限范围内", message_en="outside your scope")
        ws = sheet(write_error_report(SPEC, read_table(upload, "u.xlsx"), [error]))
        assert ws["B2"].fill.fgColor.rgb.endswith("FFC7CE")
        assert "outside your scope" in ws["B2"].comment.text
