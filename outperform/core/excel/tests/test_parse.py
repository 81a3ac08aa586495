import datetime as dt
from collections.abc import Mapping
from typing import Any

import pytest

from outperform.core.excel import (
    CellError,
    Column,
    ParseOutcome,
    SheetSpec,
    Table,
    parse_bool,
    parse_choice,
    parse_date,
    parse_int,
    parse_money_fen,
    parse_rows,
    parse_text,
    read_table,
)

from .helpers import csv_bytes, xlsx_bytes


def _dates_in_order(values: Mapping[str, Any]) -> None:
    start, end = values.get("hire_date"), values.get("leave_date")
    if start and end and end < start:
        raise CellError("离场日期不能早于入场日期", "leave date is before hire date", column_key="leave_date")


SPEC = SheetSpec(
    "外包人员",
    [
        Column("employee_no", "工号", "Employee no.", parse_text(max_length=10), required=True, example="W000123"),
        Column("name", "姓名", "Name", parse_text(max_length=20), required=True, example="张伟"),
        Column("gender", "性别", "Gender", parse_choice([("M", "男", "Male"), ("F", "女", "Female")]), example="男"),
        Column("mobile", "手机号", "Mobile", parse_text(max_length=11)),
        Column("hire_date", "入场日期", "Hire date", parse_date(), required=True, example="2026-01-05"),
        Column("leave_date", "离场日期", "Leave date", parse_date()),
        Column("salary", "基本工资（元）", "Base salary (yuan)", parse_money_fen(), example="6500.00"),
        Column("level", "级别", "Level", parse_int(min_value=1, max_value=9)),
        Column("active", "在岗", "Active", parse_bool()),
    ],
    unique=[("employee_no",)],
    row_checks=[_dates_in_order],
)


def outcome_of(rows: list[list[Any]], name: str = "a.xlsx", **kwargs: Any) -> ParseOutcome:
    data = xlsx_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows, kwargs.pop("encoding", "utf-8"))
    return parse_rows(SPEC, read_table(data, name, spec=SPEC), **kwargs)


def test_messy_but_valid_rows() -> None:
    outcome = outcome_of([
        ["工号*", "姓名", "性别", "手机号", "入场日期", "基本工资（元）", "在岗", "级别"],
        ["Ｗ００１ ", " 张\u3000三 ", "男", 13800138000.0, dt.date(2024, 1, 5), "1,234.56", "是", 3.0],
        [1002.0, "李四", "female", "13900139000", 45296, 6500, "N", "2"],
        ["W003", "王五", "", "", "2024年1月5日", "¥6,500.5", "", ""],
        [None] * 8,
        [None] * 8,
    ])
    assert outcome.ok, outcome.errors
    assert [r.row_number for r in outcome.rows] == [2, 3, 4]
    first, second, third = (r.values for r in outcome.rows)
    assert first == {
        "employee_no": "W001", "name": "张 三", "gender": "M", "mobile": "13800138000",
        "hire_date": dt.date(2024, 1, 5), "salary": 123456, "active": True, "level": 3,
    }
    assert second["employee_no"] == "1002"
    assert second["gender"] == "F"
    assert second["hire_date"] == dt.date(2024, 1, 5)
    assert second["salary"] == 650000
    assert second["active"] is False
    assert third["salary"] == 650050
    assert third["gender"] is None
    # Columns absent from the file are absent from values, so an update leaves them alone.
    assert "leave_date" not in first


def test_english_headers_in_another_order() -> None:
    outcome = outcome_of([
        ["Hire date", "Name", "Employee No"],
        ["2024/1/5", "Zhang San", "W1"],
    ])
    assert outcome.ok
    assert outcome.rows[0].values == {"hire_date": dt.date(2024, 1, 5), "name": "Zhang San", "employee_no": "W1"}


def test_cell_errors_name_row_and_column() -> None:
    outcome = outcome_of([
        ["工号", "姓名", "入场日期", "基本工资（元）", "级别", "在岗"],
        ["W1", "甲", "2024-02-30", "12.345", "10", "maybe"],
        ["W2", "", "2024-01-05", "1", "1", "是"],
        ["W3", "丙", "2024-01-05", "1", "1", "是"],
    ])
    assert not outcome.ok
    found = {(e.row_number, e.column_header, e.column_key) for e in outcome.errors}
    assert found == {
        (2, "入场日期", "hire_date"), (2, "基本工资（元）", "salary"), (2, "级别", "level"), (2, "在岗", "active"),
        (3, "姓名", "name"),
    }
    by_key = {e.column_key: e for e in outcome.errors if e.row_number == 2}
    assert by_key["hire_date"].value == "2024-02-30"
    assert "日期不存在" in by_key["hire_date"].message_zh
    assert "no such date" in by_key["hire_date"].message_en
    assert by_key["salary"].describe() == "第 2 行「基本工资（元）」：金额最多两位小数（精确到分）"
    assert by_key["salary"].describe("en").startswith("Row 2, “基本工资（元）”:")
    assert [r.ok for r in outcome.rows] == [False, False, True]
    assert outcome.error_count == 5
    assert [r.row_number for r in outcome.valid_rows] == [4]


def test_missing_required_header_is_one_error() -> None:
    outcome = outcome_of([["姓名", "入场日期"]] + [["甲", "2024-01-05"]] * 50)
    assert outcome.missing_required_headers == ["工号"]
    assert outcome.rows == []
    assert outcome.errors == []
    assert not outcome.ok
    assert outcome.header_message() == ("缺少必填列：工号", "missing required columns: 工号")


def test_unknown_headers_are_reported_not_fatal() -> None:
    outcome = outcome_of([["工号", "姓名", "入场日期", "备注", "Remark"], ["W1", "甲", "2024-01-05", "x", "y"]])
    assert outcome.ok
    assert outcome.unknown_headers == ["备注", "Remark"]


def test_duplicate_header_column() -> None:
    outcome = outcome_of([["工号", "姓名", "入场日期", "Name"], ["W1", "甲", "2024-01-05", "乙"]])
    assert [(e.row_number, e.column_header) for e in outcome.errors] == [(1, "Name")]
    assert outcome.rows[0].values["name"] == "甲"


def test_unique_keys_within_the_file() -> None:
    outcome = outcome_of([
        ["工号", "姓名", "入场日期"],
        ["W1", "甲", "2024-01-05"],
        ["Ｗ1", "乙", "not a date"],
        ["W1 ", "丙", "2024-01-05"],
    ])
    messages = [(e.row_number, e.column_key, e.message_zh) for e in outcome.errors]
    assert (3, "employee_no", "与第 2 行重复") in messages
    assert (4, "employee_no", "与第 2 行重复") in messages


def test_row_checks() -> None:
    outcome = outcome_of([["工号", "姓名", "入场日期", "离场日期"], ["W1", "甲", "2024-01-05", "2023-01-01"]])
    [error] = outcome.errors
    assert (error.row_number, error.column_key, error.column_header) == (2, "leave_date", "离场日期")


def test_gbk_csv_end_to_end() -> None:
    outcome = outcome_of(
        [["工号", "姓名", "入场日期", "基本工资（元）"], ["W1", "张三", "2024/1/5", "1,234.5"]], "a.csv", encoding="gbk"
    )
    assert outcome.ok
    assert outcome.rows[0].values["name"] == "张三"
    assert outcome.rows[0].values["salary"] == 123450


def test_untouched_template_example_row_is_skipped() -> None:
    header = ["工号*", "姓名*", "性别", "入场日期*", "基本工资（元）"]
    outcome = outcome_of([header, ["W000123", "张伟", "男", dt.date(2026, 1, 5), 6500], ["W1", "甲", "", "2024-01-05", ""]])
    assert outcome.skipped_example_rows == [2]
    assert [r.row_number for r in outcome.rows] == [3]
    # A changed example is data.
    outcome = outcome_of([header, ["W000123", "张伟", "女", dt.date(2026, 1, 5), 6500]])
    assert outcome.skipped_example_rows == []
    assert len(outcome.rows) == 1


def test_error_cap() -> None:
    outcome = outcome_of([["工号", "姓名", "入场日期"]] + [[f"W{i}", "", "bad"] for i in range(30)], max_errors=10)
    assert len(outcome.errors) == 10
    assert outcome.error_count == 60


def test_plain_table_without_reader() -> None:
    table = Table(["工号", "姓名", "入场日期"], iter([(7, ["W1", "甲"])]))
    outcome = parse_rows(SPEC, table)
    assert [(e.row_number, e.column_key) for e in outcome.errors] == [(7, "hire_date")]


@pytest.mark.parametrize("name", ["a.xlsx", "a.csv"])
def test_numbers_stored_as_text(name: str) -> None:
    outcome = outcome_of([["工号", "姓名", "入场日期", "级别", "基本工资（元）"], ["W1", "甲", "20240105", " ３ ", "１,２３４.５０"]], name)
    assert outcome.ok, outcome.errors
    assert outcome.rows[0].values["level"] == 3
    assert outcome.rows[0].values["salary"] == 123450
