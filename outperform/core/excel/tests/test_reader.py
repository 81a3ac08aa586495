import codecs
import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from outperform.core.excel import Column, ReadLimits, SheetSpec, SpreadsheetError, Table, read_table

from .helpers import csv_bytes, deflate, members, raw_copy, raw_zip, rezip, xlsx_bytes

ROWS: list[list[Any]] = [
    ["工号", "姓名", "入职日期"],
    ["F001", "张三", dt.date(2024, 1, 5)],
    [None, None, None],
    ["F002", "李四", "2024/1/5"],
]


def rows_of(table: Table) -> list[tuple[int, list[Any]]]:
    return list(table.rows)


def refused(data: bytes, name: str, code: str, **kwargs: Any) -> SpreadsheetError:
    with pytest.raises(SpreadsheetError) as exc:
        read_table(data, name, **kwargs)
    assert exc.value.code == code, str(exc.value)
    assert exc.value.message_zh and exc.value.message_en
    return exc.value


class TestXlsx:
    def test_headers_rows_and_spreadsheet_row_numbers(self) -> None:
        table = read_table(xlsx_bytes(ROWS + [[None] * 3] * 5), "花名册.xlsx")
        assert table.engine == "calamine"
        assert table.headers == ["工号", "姓名", "入职日期"]
        assert table.header_row_number == 1
        assert rows_of(table) == [
            (2, ["F001", "张三", dt.date(2024, 1, 5)]),  # row 3 is blank and skipped
            (4, ["F002", "李四", "2024/1/5"]),
        ]

    def test_numbers_come_as_numbers_and_rows_are_header_wide(self) -> None:
        table = read_table(xlsx_bytes([["工号", "金额"], [1001, 12.5, "beyond the header"], [1002]]), "a.xlsx")
        assert rows_of(table) == [(2, [1001.0, 12.5]), (3, [1002.0, None])]

    def test_path_and_file_object(self, tmp_path: Path) -> None:
        path = tmp_path / "upload.xlsx"
        path.write_bytes(xlsx_bytes(ROWS))
        assert len(rows_of(read_table(path))) == 2
        with path.open("rb") as fh:
            assert len(rows_of(read_table(fh, "upload.xlsx"))) == 2
            assert not fh.closed

    def test_non_seekable_stream(self) -> None:
        class Pipe(io.RawIOBase):
            def __init__(self, data: bytes) -> None:
                self.inner = io.BytesIO(data)

            def readable(self) -> bool:
                return True

            def readinto(self, buffer: Any) -> int:
                chunk = self.inner.read(len(buffer))
                buffer[: len(chunk)] = chunk
                return len(chunk)

        assert len(rows_of(read_table(Pipe(xlsx_bytes(ROWS)), "a.xlsx"))) == 2

    def test_title_rows_above_the_header_are_skipped_with_a_spec(self) -> None:
        spec = SheetSpec("x", [Column("no", "工号", "No"), Column("name", "姓名", "Name")])
        data = xlsx_bytes([["2024年1月 外包人员花名册"], [], ["制表：人事部"], ["工号", "姓名"], ["F1", "甲"]])
        table = read_table(data, "a.xlsx", spec=spec)
        assert table.headers == ["工号", "姓名"]
        assert table.header_row_number == 4
        assert rows_of(table) == [(5, ["F1", "甲"])]

    def test_data_not_starting_at_a1(self) -> None:
        workbook = openpyxl.Workbook()
        ws = workbook.active
        assert ws is not None
        ws["C3"], ws["D3"] = "工号", "姓名"
        ws["C4"], ws["D4"] = "F1", "甲"
        buffer = io.BytesIO()
        workbook.save(buffer)
        table = read_table(buffer.getvalue(), "a.xlsx")
        assert table.header_row_number == 3
        assert rows_of(table) == [(4, ["F1", "甲"])]

    def test_sheet_choice(self) -> None:
        data = xlsx_bytes(ROWS, title="说明", extra_sheets=["人员"])
        assert read_table(data, "a.xlsx").sheet_name == "说明"
        assert read_table(data, "a.xlsx", sheet="人员").headers == ["other"]
        assert read_table(data, "a.xlsx", sheet=1).headers == ["other"]
        spec = SheetSpec("人员", [Column("x", "other", "Other")])
        assert read_table(data, "a.xlsx", spec=spec).sheet_name == "人员"
        error = refused(data, "a.xlsx", "sheet_not_found", sheet="工资")
        assert "说明" in error.message_zh

    def test_hidden_first_sheet_is_passed_over(self) -> None:
        workbook = openpyxl.Workbook()
        hidden = workbook.active
        assert hidden is not None
        hidden.append(["secret"])
        hidden.sheet_state = "hidden"
        workbook.create_sheet("数据").append(["工号"])
        buffer = io.BytesIO()
        workbook.save(buffer)
        assert read_table(buffer.getvalue(), "a.xlsx").headers == ["工号"]

    def test_too_many_rows(self) -> None:
        table = read_table(xlsx_bytes([["a"]] + [[i] for i in range(11)]), "a.xlsx", limits=ReadLimits(max_rows=10))
        with pytest.raises(SpreadsheetError) as exc:
            rows_of(table)
        assert exc.value.code == "too_many_rows"

    def test_too_many_columns(self) -> None:
        refused(xlsx_bytes([[f"c{i}" for i in range(30)]]), "a.xlsx", "too_many_columns", limits=ReadLimits(max_columns=20))

    def test_empty(self) -> None:
        refused(xlsx_bytes([]), "a.xlsx", "empty")
        refused(b"", "a.csv", "empty")


class TestXlsxRefusals:
    def test_macro_extension(self) -> None:
        refused(xlsx_bytes(ROWS), "a.xlsm", "macro")

    def test_vba_project_inside_an_xlsx_named_file(self) -> None:
        data = rezip(xlsx_bytes(ROWS), add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 fake vba"})
        error = refused(data, "harmless.xlsx", "macro")
        assert "宏" in error.message_zh

    def test_macro_enabled_content_type(self) -> None:
        data = xlsx_bytes(ROWS)
        types = members(data)["[Content_Types].xml"].replace(
            b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml"
        )
        refused(rezip(data, replace={"[Content_Types].xml": types}), "a.xlsx", "macro")

    def test_excel4_macro_sheet(self) -> None:
        refused(rezip(xlsx_bytes(ROWS), add={"xl/macrosheets/sheet1.xml": b"<x/>"}), "a.xlsx", "macro")

    def test_zip_bomb_by_compression_ratio(self) -> None:
        data = rezip(xlsx_bytes(ROWS), add={"xl/media/image1.bin": bytes(20 * 1024 * 1024)})
        assert len(data) < 200_000
        refused(data, "a.xlsx", "zip_bomb")

    def test_zip_bomb_by_total_size(self) -> None:
        refused(xlsx_bytes(ROWS), "a.xlsx", "zip_bomb", limits=ReadLimits(max_uncompressed_bytes=2_000))

    def test_member_inflating_past_its_declared_size(self) -> None:
        # The deflate stream holds the whole sheet but the directory declares (and checksums) only a
        # prefix: zipfile would be satisfied, calamine would read everything.
        data = xlsx_bytes(ROWS)
        sheet = members(data)["xl/worksheets/sheet1.xml"]
        refused(raw_copy(data, lie={"xl/worksheets/sheet1.xml": sheet[:100]}), "a.xlsx", "zip_bomb")

    def test_honest_hand_written_zip_is_fine(self) -> None:
        assert len(rows_of(read_table(raw_copy(xlsx_bytes(ROWS)), "a.xlsx"))) == 2

    def test_crc_mismatch(self) -> None:
        entries = [(n, deflate(c), 12345, len(c)) for n, c in members(xlsx_bytes(ROWS)).items()]
        refused(raw_zip(entries), "a.xlsx", "corrupt")

    def test_case_duplicate_members(self) -> None:
        data = xlsx_bytes(ROWS)
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
            for name in src.namelist():
                dst.writestr(name, src.read(name))
            dst.writestr("XL/worksheets/sheet1.xml", b"<worksheet/>")
        refused(out.getvalue(), "a.xlsx", "corrupt")

    def test_not_a_zip_but_named_xlsx(self) -> None:
        refused("工号,姓名\n".encode(), "a.xlsx", "corrupt")

    def test_zip_that_is_not_a_workbook(self) -> None:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as zf:
            zf.writestr("readme.txt", "hello")
        refused(out.getvalue(), "a.xlsx", "corrupt")

    def test_legacy_and_encrypted(self) -> None:
        refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "a.xlsx", "encrypted_or_legacy")
        refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "a.xls", "unsupported_type")

    def test_unknown_types(self) -> None:
        refused(b"MZ\x90\x00", "setup.exe", "unsupported_type")
        refused(b"\x89PNG\r\n\x1a\n\x00\x00\x00", "photo.csv", "unsupported_type")

    def test_too_large(self) -> None:
        refused(xlsx_bytes(ROWS), "a.xlsx", "too_large", limits=ReadLimits(max_file_bytes=1000))

    def test_content_decides_not_the_name(self) -> None:
        table = read_table(xlsx_bytes(ROWS), "actually-a-workbook.csv")
        assert table.source_format == "xlsx"


class TestDenseRangeGuard:
    """calamine allocates the whole used range; files that would make it huge go to openpyxl."""

    def test_far_away_cell_uses_the_streaming_reader(self) -> None:
        workbook = openpyxl.Workbook()
        ws = workbook.active
        assert ws is not None
        ws["A1"], ws["B1"], ws["A2"] = "工号", "姓名", "F1"
        ws.cell(row=1_000_000, column=16_000, value="boom")  # would be ~16e9 cells
        buffer = io.BytesIO()
        workbook.save(buffer)
        table = read_table(buffer.getvalue(), "a.xlsx")
        assert table.engine == "openpyxl"
        assert rows_of(table) == [(2, ["F1", None])]

    def test_cell_reference_below_its_row(self) -> None:
        data = xlsx_bytes([["工号"], ["F1"]])
        sheet = members(data)["xl/worksheets/sheet1.xml"].replace(b'r="A2"', b'r="A900000"')
        table = read_table(rezip(data, replace={"xl/worksheets/sheet1.xml": sheet}), "a.xlsx")
        assert table.engine == "openpyxl"

    def test_lowercase_reference_is_no_loophole(self) -> None:
        data = xlsx_bytes([["工号"], ["F1"]])
        sheet = members(data)["xl/worksheets/sheet1.xml"].replace(b'r="A2"', b'r="zz2"')
        assert read_table(rezip(data, replace={"xl/worksheets/sheet1.xml": sheet}), "a.xlsx").engine == "openpyxl"

    def test_prefixed_elements(self) -> None:
        data = xlsx_bytes([["工号", "姓名"], ["F1", "甲"]])
        sheet = members(data)["xl/worksheets/sheet1.xml"]
        sheet = sheet.replace(b"<c ", b"<x:c ").replace(b"</c>", b"</x:c>").replace(
            b"<worksheet ", b'<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ', 1
        )
        table = read_table(rezip(data, replace={"xl/worksheets/sheet1.xml": sheet}), "a.xlsx")
        assert table.engine == "openpyxl"

    def test_cells_without_references(self) -> None:
        data = xlsx_bytes([["工号", "姓名"], ["F1", "甲"]])
        sheet = members(data)["xl/worksheets/sheet1.xml"].replace(b'<c r="B2"', b"<c")
        table = read_table(rezip(data, replace={"xl/worksheets/sheet1.xml": sheet}), "a.xlsx")
        assert table.engine == "openpyxl"
        assert rows_of(table) == [(2, ["F1", "甲"])]

    def test_dense_budget(self) -> None:
        data = xlsx_bytes([["a", "b"]] + [[i, i] for i in range(100)])
        assert read_table(data, "a.xlsx").engine == "calamine"
        assert read_table(data, "a.xlsx", limits=ReadLimits(max_dense_cells=50)).engine == "openpyxl"


class TestCsv:
    HEADER = ["工号", "姓名", "入职日期", "金额"]
    ROW = ["F001", "张三", "2024年1月5日", "1,234.50"]

    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
    def test_encodings(self, encoding: str) -> None:
        table = read_table(csv_bytes([self.HEADER, self.ROW], encoding), "a.csv")
        assert table.headers == self.HEADER
        assert rows_of(table) == [(2, self.ROW)]
        expected = {"utf-8-sig": "utf-8-sig", "utf-16": "utf-16", "utf-8": "utf-8"}.get(encoding, "gb18030")
        assert table.encoding == expected

    def test_bom_does_not_stick_to_the_first_header(self) -> None:
        data = codecs.BOM_UTF8 + csv_bytes([self.HEADER, self.ROW])
        assert read_table(data, "a.csv").headers[0] == "工号"

    def test_gbk_after_many_ascii_rows(self) -> None:
        rows = [["code", "name"]] + [[f"A{i}", "x"] for i in range(20000)] + [["A", "张三"]]
        table = read_table(csv_bytes(rows, "gbk"), "a.csv")
        assert table.encoding == "gb18030"
        assert rows_of(table)[-1] == (20002, ["A", "张三"])

    @pytest.mark.parametrize("delimiter", [",", "\t", ";", "|"])
    def test_delimiters(self, delimiter: str) -> None:
        table = read_table(csv_bytes([self.HEADER, self.ROW], delimiter=delimiter), "a.csv")
        assert table.delimiter == delimiter
        assert table.headers == self.HEADER

    def test_quoted_commas_and_newlines(self) -> None:
        table = read_table(csv_bytes([["a", "b"], ["1,234", "line1\nline2"], ["x", "y"]]), "a.csv")
        assert rows_of(table) == [(2, ["1,234", "line1\nline2"]), (3, ["x", "y"])]

    def test_blank_and_trailing_rows_and_row_numbers(self) -> None:
        data = "工号,姓名\r\nF1,甲\r\n,\r\n\r\nF2,乙\r\n,,\r\n\r\n".encode()
        assert rows_of(read_table(data, "a.csv")) == [(2, ["F1", "甲"]), (5, ["F2", "乙"])]

    def test_excel_text_guard(self) -> None:
        assert rows_of(read_table(b'a,b\r\n="0012",x\r\n', "a.csv")) == [(2, ["0012", "x"])]

    def test_caller_file_stays_open(self) -> None:
        fh = io.BytesIO(csv_bytes([self.HEADER, self.ROW]))
        table = read_table(fh, "a.csv")
        rows_of(table)
        table.close()
        assert not fh.closed

    def test_undecodable(self) -> None:
        refused(b"a,b\r\n\x81\x20,\xff\xfe\xff\r\n", "a.csv", "encoding")


@pytest.mark.parametrize("chunk", [1, 7, 64, 1000, 1 << 20])
def test_sheet_scan_does_not_depend_on_chunk_boundaries(chunk: int) -> None:
    from outperform.core.excel.reader import DEFAULT_LIMITS, _SheetScan

    data = xlsx_bytes([["工号", "姓名", "金额"]] + [[f"W{i}", "张三", i * 1.5] for i in range(300)])
    sheet = members(data)["xl/worksheets/sheet1.xml"]
    scan = _SheetScan(DEFAULT_LIMITS)
    for start in range(0, len(sheet), chunk):
        scan.feed(sheet[start : start + chunk])
    scan.finish()
    assert scan.calamine_ok
    assert (scan.max_row, scan.max_col) == (301, 26)


class UploadLike:
    """Duck-typed like Django's UploadedFile: read/seek/name, but not an io.IOBase."""

    def __init__(self, data: bytes, name: str) -> None:
        self.file = io.BytesIO(data)
        self.name = name

    def read(self, size: int = -1) -> bytes:
        return self.file.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.file.seek(offset, whence)

    def seekable(self) -> bool:
        return True


@pytest.mark.parametrize(("data", "name"), [(xlsx_bytes(ROWS), "花名册.xlsx"), (csv_bytes(ROWS[:2]), "花名册.csv")])
def test_upload_like_objects(data: bytes, name: str) -> None:
    upload = UploadLike(data, name)
    upload.read(10)  # a view may have peeked at it already
    table = read_table(upload)
    assert table.headers == ["工号", "姓名", "入职日期"]
    assert rows_of(table)[0][1][:2] == ["F001", "张三"]
