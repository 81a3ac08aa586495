import pytest

from outperform.core.excel import (
    ERRORS_HEADER,
    Column,
    SheetSpec,
    normalize_header,
    parse_date,
    parse_money_fen,
)

SPEC = SheetSpec("外包人员", [
    Column("employee_no", "工号", "Employee no.", required=True, aliases=("员工编号",)),
    Column("name", "姓名", "Name", required=True),
    Column("hire_date", "入场日期", "Hire date", parse_date()),
    Column("base_salary_fen", "基本工资（元）", "Base salary (yuan)", parse_money_fen()),
])


@pytest.mark.parametrize(("header", "key"), [
    ("工号", "employee_no"),
    ("工号*", "employee_no"),
    ("*工号", "employee_no"),
    (" 工 号 ", "employee_no"),
    ("工号（必填）", "employee_no"),
    ("工号【必填】", "employee_no"),
    ("工号:", "employee_no"),
    ("员工编号", "employee_no"),
    ("Employee No", "employee_no"),
    ("EMPLOYEE_NO", "employee_no"),
    ("ｅｍｐｌｏｙｅｅ ｎｏ", "employee_no"),
    ("employee-no.", "employee_no"),
    ("姓名 / Name", "name"),
    ("姓名\nName", "name"),
    ("姓名 Name", "name"),
    ("name (required)", "name"),
    ("基本工资（元）", "base_salary_fen"),
    ("基本工资(元)", "base_salary_fen"),
    ("基本工资", "base_salary_fen"),
    ("Base salary", "base_salary_fen"),
    ("入场日期（yyyy-mm-dd）", "hire_date"),
])
def test_tolerant_header_matching(header: str, key: str) -> None:
    column = SPEC.resolve_header(header)
    assert column is not None, header
    assert column.key == key


@pytest.mark.parametrize("header", ["备注", "姓名 / Hire date", "", "工资"])
def test_unknown_or_ambiguous_headers(header: str) -> None:
    assert SPEC.resolve_header(header) is None


def test_required_words_only_count_as_markers_in_brackets() -> None:
    assert normalize_header("Required date") == "requireddate"


def test_match_headers() -> None:
    match = SPEC.match_headers(["姓名", "备注", "工号", ERRORS_HEADER, "", "Name"])
    assert [(p, c.key) for p, c in match.columns] == [(0, "name"), (2, "employee_no")]
    assert match.unknown == ["备注"]
    assert [(p, c.key, first) for p, c, first in match.duplicates] == [(5, "name", 0)]
    assert [c.key for c in match.missing] == ["hire_date", "base_salary_fen"]
    assert match.missing_required == []
    assert match.position_of("employee_no") == 2


def test_missing_required() -> None:
    match = SPEC.match_headers(["Name", "入场日期"])
    assert [c.header_zh for c in match.missing_required] == ["工号"]


def test_spec_definition_errors() -> None:
    with pytest.raises(ValueError, match="twice"):
        SheetSpec("x", [Column("a", "甲", "A"), Column("a", "乙", "B")])
    with pytest.raises(ValueError, match="matches"):
        SheetSpec("x", [Column("a", "名称", "Name"), Column("b", "名 称", "Title")])
    with pytest.raises(ValueError, match="unique"):
        SheetSpec("x", [Column("a", "甲", "A")], unique=[("b",)])


def test_default_parser_is_text_and_kind() -> None:
    column = Column("note", "备注", "Note")
    assert column.parse("  a  b ") == "a b"
    assert column.kind == "text"
    assert SPEC.column("hire_date").excel_number_format == "yyyy-mm-dd"
