"""Encodings, delimiters and the mapping step (no database)."""

from __future__ import annotations

import io

import pytest

from outperform.core import excel
from outperform.ingest.reading import (
    ErrorLog,
    RowParser,
    check_mapping,
    header_signature,
    open_table,
    suggest_mapping,
)
from outperform.records.importers import TaskImporter

from .helpers import HEADERS

SPEC = TaskImporter.sheet
ROW = ["T1", "客服工单处理", "91310000MA1FL0XQ3D", "W1", "", "", "2026/10/31", "", "已验收", "１"]


def _csv(encoding: str, delimiter: str = ",") -> bytes:
    lines = [delimiter.join(HEADERS), delimiter.join(ROW)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.mark.parametrize(("encoding", "detected"), [
    ("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8"), ("gbk", "gb18030"), ("gb18030", "gb18030"),
])
def test_encodings_are_detected_without_asking(encoding: str, detected: str) -> None:
    with open_table(io.BytesIO(_csv(encoding)), "tasks.csv", SPEC) as table:
        assert table.encoding == detected
        assert table.headers == HEADERS
        rows = list(table.rows)
    assert rows == [(2, ["T1", "客服工单处理", "91310000MA1FL0XQ3D", "W1", None, None, "2026/10/31", None, "已验收", "１"])]


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_delimiter_is_sniffed(delimiter: str) -> None:
    with open_table(io.BytesIO(_csv("utf-8", delimiter)), "tasks.csv", SPEC) as table:
        assert table.delimiter == delimiter
        assert len(table.headers) == 10


def test_mapping_by_chinese_or_english_names_and_unknown_columns_left_out() -> None:
    headers = ["External ID", "任务名称", "Vendor", "备注", "计划完成日期"]
    assert suggest_mapping(SPEC, headers) == {0: "external_id", 1: "title", 2: "vendor", 4: "due_date"}


def test_remembered_mapping_wins_over_names() -> None:
    headers = ["单号", "事项", "供应商", "截止"]
    remembered = {"单号": "external_id", "事项": "title", "供应商": "vendor", "截止": "due_date"}
    assert suggest_mapping(SPEC, headers, remembered) == {0: "external_id", 1: "title", 2: "vendor", 3: "due_date"}
    # the same columns spelled with other widths/spaces are the same header set
    assert header_signature(["单号", "事项 *"]) == header_signature(["单号 ", "事项"])


def test_mapping_problems_name_the_missing_and_doubled_columns() -> None:
    problems = check_mapping(SPEC, {0: "external_id", 1: "title", 2: "title"}, "external_id")
    text = " ".join(str(p) for p in problems)
    assert "任务名称" in text and "两次" in text
    assert "缺少必填列" in text and "服务商编码" in text and "计划完成日期" in text


def test_row_parser_uses_the_source_cell_rules_full_width_included() -> None:
    parser = RowParser(SPEC, HEADERS, suggest_mapping(SPEC, HEADERS), "external_id")
    errors = ErrorLog()
    values = parser(2, ROW, errors)
    assert errors.count == 0
    assert values is not None
    assert values["rework_count"] == 1  # full-width １
    assert values["acceptance"] == "accepted"
    assert str(values["due_date"]) == "2026-10-31"


def test_row_parser_reports_row_and_column() -> None:
    parser = RowParser(SPEC, HEADERS, suggest_mapping(SPEC, HEADERS), "external_id")
    errors = ErrorLog()
    bad = list(ROW)
    bad[6] = "2026-02-30"
    bad[8] = "差不多"
    assert parser(7, bad, errors) is None
    assert [(e.row_number, e.column_header) for e in errors.kept] == [(7, "计划完成日期"), (7, "验收结果")]


def test_refused_files_say_why() -> None:
    with pytest.raises(excel.SpreadsheetError) as exc:
        open_table(io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100), "old.xls", SPEC)
    assert exc.value.code in {"unsupported_type", "encrypted_or_legacy"}
