"""Reading uploaded .xlsx and .csv files as a header row plus a stream of data rows.

Uploaded files are hostile until proven otherwise. Before any parser sees a workbook, its zip
directory and every member are checked here: no macros, no zip bombs (declared sizes, compression
ratio, and each member actually inflated to prove its declared size), no duplicate member names,
and a scan of the sheet's cell references, because calamine allocates a dense grid spanning the
used range: a 5 KB file with one cell in A1 and one in XFD1048576 makes it allocate gigabytes and
abort the process. Sheets that can't be proven small enough are read with openpyxl's streaming
reader instead, which is slower but never allocates more than a row.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import os
import posixpath
import re
import struct
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

from .cells import clean_text
from .errors import SpreadsheetError

if TYPE_CHECKING:
    from .spec import SheetSpec

MB = 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    """What an upload may be. The defaults suit interactive imports; raise them per call if needed."""

    max_file_bytes: int = 50 * MB
    max_uncompressed_bytes: int = 200 * MB  # sum of all members of an xlsx
    max_compression_ratio: float = 100.0  # per member, for members above ratio_min_bytes
    ratio_min_bytes: int = 5 * MB
    max_zip_members: int = 5_000
    max_rows: int = 100_000  # data rows, not counting the header and blank rows
    max_columns: int = 256  # width of the header row
    # calamine holds the sheet's used range densely (~32 bytes a cell, briefly twice): beyond this
    # many cells the streaming openpyxl reader is used instead.
    max_dense_cells: int = 4_000_000
    header_scan_rows: int = 10  # with a spec, the header may be this far down (title rows above)


DEFAULT_LIMITS = ReadLimits()

Row = tuple[int, list[Any]]


@dataclass
class Table:
    """A header row and an iterator of (spreadsheet row number, values) for the non-blank rows below.

    Values are as read (str, int, float, bool, date/datetime, None for empty) and each row is
    exactly as long as `headers`. Row numbers are what Excel shows at the left edge, so errors can
    say "第 12 行". Iterate once; close() (or a with-block) releases the file early.
    """

    headers: list[str]
    rows: Iterator[Row]
    header_row_number: int = 1
    sheet_name: str | None = None
    source_format: str = "xlsx"  # "xlsx" or "csv"
    encoding: str | None = None
    delimiter: str | None = None
    engine: str | None = None  # "calamine", "openpyxl" or "csv"
    _close: Callable[[], None] | None = field(default=None, repr=False)

    def __iter__(self) -> Iterator[Row]:
        return self.rows

    def close(self) -> None:
        close_rows = getattr(self.rows, "close", None)
        if close_rows is not None:
            close_rows()
        if self._close is not None:
            self._close()
            self._close = None

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _refuse(code: str, zh: str, en: str) -> SpreadsheetError:
    return SpreadsheetError(zh, en, code)


def _corrupt(detail: str = "") -> SpreadsheetError:
    return _refuse(
        "corrupt",
        "文件已损坏或不是有效的 Excel 工作簿，请用 Excel/WPS 打开后另存为 .xlsx 再上传",
        "the file is damaged or not a valid Excel workbook; open it in Excel or WPS and save it as .xlsx"
        + (f" ({detail})" if detail else ""),
    )


def _macro() -> SpreadsheetError:
    return _refuse(
        "macro",
        "不接受含宏的工作簿（.xlsm 等），请另存为不含宏的 .xlsx 再上传",
        "macro-enabled workbooks (.xlsm etc.) are not accepted; save it as a plain .xlsx",
    )


def _bomb() -> SpreadsheetError:
    return _refuse(
        "zip_bomb",
        "文件解压后过大或压缩比异常，已拒绝",
        "the file expands to too much data or is abnormally compressed, and was refused",
    )


# --- opening the source --------------------------------------------------------------------------

XLSX_EXTENSIONS = frozenset({".xlsx", ".xltx"})
CSV_EXTENSIONS = frozenset({".csv", ".tsv", ".txt"})
_MACRO_EXTENSIONS = frozenset({".xlsm", ".xltm", ".xlam", ".xla"})
_LEGACY_EXTENSIONS = frozenset({".xls", ".xlt", ".xlsb", ".et", ".ett"})
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _open_source(
    source: Any, limits: ReadLimits
) -> tuple[IO[bytes], Callable[[], None] | None, str | None]:
    """A seekable binary file positioned at 0, its closer (if we opened it) and its path name."""
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(source)), None, None
    if isinstance(source, str | os.PathLike):
        fp = open(source, "rb")  # noqa: SIM115 - closed by the Table
        return fp, fp.close, os.fspath(source)
    if isinstance(source, io.TextIOBase):
        raise TypeError("read_table needs a binary file: open it with 'rb'")
    name = getattr(source, "name", None)
    name = name if isinstance(name, str) else None
    if isinstance(source, io.IOBase) and source.seekable():
        source.seek(0)
        return source, None, name  # type: ignore[return-value]
    # A non-seekable stream (a socket, a pipe) or a file-like wrapper such as Django's UploadedFile
    # (which TextIOWrapper and calamine don't all accept): spool it, refusing early if too big.
    if callable(getattr(source, "seek", None)):
        with contextlib.suppress(OSError, ValueError):
            source.seek(0)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * MB)  # noqa: SIM115 - closed by the Table
    copied = 0
    while chunk := source.read(MB):
        copied += len(chunk)
        if copied > limits.max_file_bytes:
            spool.close()
            raise _too_large(limits)
        spool.write(chunk)
    spool.seek(0)
    return spool, spool.close, name


def _too_large(limits: ReadLimits) -> SpreadsheetError:
    mb = limits.max_file_bytes // MB
    return _refuse("too_large", f"文件过大（上限 {mb} MB）", f"the file is too large (limit {mb} MB)")


def read_table(
    source: Any,
    filename: str | None = None,
    *,
    sheet: str | int | None = None,
    spec: SheetSpec | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Table:
    """Open an uploaded .xlsx or .csv (a path, bytes, or a binary file object, read from its start).

    The type is decided by content, the name only has to be an accepted one. `sheet` picks a
    worksheet by name or 0-based index; by default the one titled like spec.title, else the first
    visible one. With a spec, the header row may sit below a few title rows: the row among the first
    `limits.header_scan_rows` that names most spec columns is taken. Raises SpreadsheetError.
    """
    fp, closer, path_name = _open_source(source, limits)
    try:
        return _read_table(fp, closer, filename or path_name, sheet, spec, limits)
    except BaseException:
        if closer is not None:
            closer()
        raise


def _read_table(
    fp: IO[bytes],
    closer: Callable[[], None] | None,
    filename: str | None,
    sheet: str | int | None,
    spec: SheetSpec | None,
    limits: ReadLimits,
) -> Table:
    ext = os.path.splitext(filename or "")[1].lower()
    if ext in _MACRO_EXTENSIONS:
        raise _macro()
    if ext in _LEGACY_EXTENSIONS:
        raise _refuse(
            "unsupported_type",
            "不支持旧版 .xls / .xlsb 等格式，请另存为 .xlsx 再上传",
            "legacy .xls/.xlsb files are not supported; save the file as .xlsx",
        )
    if ext and ext not in XLSX_EXTENSIONS | CSV_EXTENSIONS:
        raise _unsupported()
    size = fp.seek(0, os.SEEK_END)
    fp.seek(0)
    if size > limits.max_file_bytes:
        raise _too_large(limits)
    if size == 0:
        raise _refuse("empty", "文件是空的", "the file is empty")
    head = fp.read(8)
    fp.seek(0)
    if head.startswith(_ZIP_MAGIC):
        return _read_xlsx(fp, closer, sheet, spec, limits)
    if head.startswith(_OLE_MAGIC):
        raise _refuse(
            "encrypted_or_legacy",
            "这是设置了打开密码的工作簿或旧版 .xls 文件，请取消密码并另存为 .xlsx 再上传",
            "this is a password-protected workbook or a legacy .xls file; remove the password and save as .xlsx",
        )
    if ext in XLSX_EXTENSIONS:
        raise _corrupt("not a zip archive")
    return _read_csv(fp, closer, spec, limits)


def _unsupported() -> SpreadsheetError:
    return _refuse(
        "unsupported_type",
        "只接受 .xlsx 或 .csv 文件",
        "only .xlsx and .csv files are accepted",
    )


# --- common row handling -------------------------------------------------------------------------


# Anything a person can see: not whitespace, not an invisible or control character.
_VISIBLE = re.compile(r"[^\s\x00-\x1f\x7f\u00ad\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


def _is_blank(values: list[Any]) -> bool:
    for v in values:
        if v is None or v == "" or (isinstance(v, str) and _VISIBLE.search(v) is None):
            continue
        return False
    return True


def _assemble(
    raw_rows: Iterator[Row],
    spec: SheetSpec | None,
    limits: ReadLimits,
) -> tuple[list[str], int, Iterator[Row]]:
    """Find the header row, then yield the non-blank rows below it, trimmed to the header width."""
    lookahead: list[Row] = []
    for number, values in raw_rows:
        if _is_blank(values):
            continue
        lookahead.append((number, values))
        if spec is None or len(lookahead) >= limits.header_scan_rows:
            break
    if not lookahead:
        raise _refuse("empty", "文件中没有数据（连表头都没有）", "the file has no data, not even a header row")
    pick = 0
    if spec is not None:
        scores = [spec.header_score(values) for _, values in lookahead]
        if max(scores) > 0:
            pick = scores.index(max(scores))
    header_number, header_values = lookahead[pick]
    headers = [clean_text(v, fold_width=False) or "" for v in header_values]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    if width > limits.max_columns:
        raise _refuse(
            "too_many_columns",
            f"列数过多（{width} 列，上限 {limits.max_columns} 列）",
            f"too many columns ({width}; the limit is {limits.max_columns})",
        )
    rest = itertools.chain(lookahead[pick + 1 :], raw_rows)

    def data() -> Iterator[Row]:
        count = 0
        for number, values in rest:
            if len(values) >= width:
                row = [None if v == "" else v for v in values[:width]]
            else:
                row = [None if v == "" else v for v in values]
                row += [None] * (width - len(row))
            if row.count(None) == width or _is_blank(row):
                continue
            count += 1
            if count > limits.max_rows:
                raise _refuse(
                    "too_many_rows",
                    f"数据行数超过上限 {limits.max_rows} 行，请拆分后分批上传",
                    f"more than {limits.max_rows} data rows; split the file and upload it in parts",
                )
            yield number, row

    return headers, header_number, data()


# --- CSV -----------------------------------------------------------------------------------------

_DELIMITERS = (",", "\t", ";", "|")


def _decodes(fp: IO[bytes], encoding: str) -> bool:
    """Does the whole file decode? Checked in chunks so memory stays flat."""
    decoder = codecs.getincrementaldecoder(encoding)()
    fp.seek(0)
    try:
        while chunk := fp.read(MB):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        fp.seek(0)
    return True


def _detect_encoding(fp: IO[bytes]) -> str:
    head = fp.read(4)
    fp.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode text" export
    if b"\x00" in fp.read(8192):
        fp.seek(0)
        raise _unsupported()
    fp.seek(0)
    # Whole-file UTF-8 validation: a GBK file whose first rows happen to be ASCII must not be taken
    # for UTF-8 and fail half-way. GB18030 is a superset of GBK/GB2312 (Chinese Excel's "CSV").
    for encoding in ("utf-8", "gb18030"):
        if _decodes(fp, encoding):
            return encoding
    raise _refuse(
        "encoding",
        "无法识别文件编码，请另存为“CSV UTF-8”或 .xlsx",
        "the text encoding is not recognised; save as “CSV UTF-8” or .xlsx",
    )


def _sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the first lines into the most equally wide rows of >1 field."""
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        try:
            rows = [r for r in itertools.islice(csv.reader(io.StringIO(sample), delimiter=delimiter), 20) if r]
        except csv.Error:
            continue
        if not rows:
            continue
        widths = [len(r) for r in rows]
        width = max(set(widths), key=widths.count)
        if width < 2:
            continue
        score = (widths.count(width), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(
    fp: IO[bytes], closer: Callable[[], None] | None, spec: SheetSpec | None, limits: ReadLimits
) -> Table:
    encoding = _detect_encoding(fp)
    text = io.TextIOWrapper(fp, encoding=encoding, newline="")
    sample = text.read(64 * 1024)
    if len(sample) == 64 * 1024 and "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # don't judge by a cut-off last line
    delimiter = _sniff_delimiter(sample)
    text.seek(0)

    def raw_rows() -> Iterator[Row]:
        reader = csv.reader(text, delimiter=delimiter)
        number = 0
        try:
            for number, values in enumerate(reader, 1):  # noqa: B007 - used in the except clause
                for i, v in enumerate(values):
                    # ="0123" is how many systems keep leading zeros through Excel.
                    if v[:2] == '="' and v[-1:] == '"' and len(v) >= 3:
                        values[i] = v[2:-1]
                yield number, values
        except csv.Error as exc:
            raise _refuse(
                "corrupt",
                f"CSV 第 {number + 1} 行格式错误：{exc}",
                f"CSV row {number + 1} is malformed: {exc}",
            ) from None
        except UnicodeDecodeError:  # pragma: no cover - the whole file was validated
            raise _corrupt("encoding") from None

    def close() -> None:
        # Detach so that closing the wrapper doesn't close a file object the caller owns.
        with contextlib.suppress(ValueError):  # already detached
            text.detach()
        if closer is not None:
            closer()

    try:
        headers, header_number, rows = _assemble(raw_rows(), spec, limits)
    except BaseException:
        close()
        raise
    return Table(
        headers, _closing(rows, close), header_number, None, "csv", encoding, delimiter, "csv", close
    )


def _closing(rows: Iterator[Row], close: Callable[[], None]) -> Iterator[Row]:
    try:
        yield from rows
    finally:
        close()


# --- xlsx: container checks ----------------------------------------------------------------------


@dataclass
class _SheetRef:
    name: str
    member: str  # zip member name, as stored
    visible: bool


def _member_chunks(fp: IO[bytes], info: zipfile.ZipInfo, chunk: int = MB) -> Iterator[bytes]:
    """Inflate one member from the raw stream, proving it inflates to exactly its declared size.

    zipfile stops at the declared size and calamine's Rust reader doesn't, so a member whose deflate
    stream runs on past a small declared size (with a CRC forged for the prefix) would pass zipfile
    and explode in calamine. Doing the inflation ourselves closes that gap.
    """
    fp.seek(info.header_offset)
    local = fp.read(30)
    if len(local) != 30 or local[:4] != b"PK\x03\x04":
        raise _corrupt("bad local header")
    name_length, extra_length = struct.unpack("<HH", local[26:30])
    fp.seek(info.header_offset + 30 + name_length + extra_length)
    remaining = info.compress_size
    produced = 0
    crc = 0
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size:
            raise _corrupt("stored size mismatch")
        while remaining:
            data = fp.read(min(chunk, remaining))
            if not data:
                raise _corrupt("truncated member")
            remaining -= len(data)
            crc = zlib.crc32(data, crc)
            yield data
    else:
        inflater = zlib.decompressobj(-15)
        while not inflater.eof:
            if inflater.unconsumed_tail:
                data = inflater.unconsumed_tail
            elif remaining:
                data = fp.read(min(chunk, remaining))
                if not data:
                    raise _corrupt("truncated member")
                remaining -= len(data)
            else:
                data = b""
            try:
                out = inflater.decompress(data, chunk)
            except zlib.error:
                raise _corrupt("bad deflate data") from None
            if not out and not data:
                raise _corrupt("truncated deflate stream")
            produced += len(out)
            if produced > info.file_size:
                raise _bomb()
            crc = zlib.crc32(out, crc)
            if out:
                yield out
        produced_total = produced
        if produced_total != info.file_size:
            raise _corrupt("size mismatch")
    if crc != info.CRC:
        raise _corrupt("CRC mismatch")


def _safe_xml(data: bytes) -> ET.Element:
    # Entity declarations have no business in OOXML parts and are how "billion laughs" starts.
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise _corrupt("DTD in XML part")
    try:
        return ET.fromstring(data)  # noqa: S314 - DTDs refused above
    except ET.ParseError:
        raise _corrupt("malformed XML") from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _relationships(zf: zipfile.ZipFile, names: dict[str, str], part: str) -> list[tuple[str, str, str]]:
    """(Id, Type, resolved member path) of a part's relationships."""
    folder, base = posixpath.split(part)
    rels = names.get(posixpath.join(folder, "_rels", base + ".rels").lower())
    if rels is None:
        return []
    out = []
    for rel in _safe_xml(zf.read(rels)):
        if _local(rel.tag) != "Relationship" or rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        out.append((rel.get("Id", ""), rel.get("Type", ""), posixpath.normpath(path)))
    return out


def _inspect_zip(fp: IO[bytes], limits: ReadLimits) -> tuple[zipfile.ZipFile, list[_SheetRef]]:
    try:
        return _inspect_zip_unchecked(fp, limits)
    except SpreadsheetError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, ValueError, EOFError, KeyError):
        raise _corrupt("bad zip") from None


def _inspect_zip_unchecked(fp: IO[bytes], limits: ReadLimits) -> tuple[zipfile.ZipFile, list[_SheetRef]]:
    zf = zipfile.ZipFile(fp)
    infos = zf.infolist()
    if len(infos) > limits.max_zip_members:
        raise _bomb()
    names: dict[str, str] = {}
    total = 0
    for info in infos:
        lower = info.filename.replace("\\", "/").lower()
        # calamine looks members up case-insensitively; two spellings of one name could show the
        # checks one member and the parser another.
        if lower in names:
            raise _corrupt("duplicate member")
        names[lower] = info.filename
        if info.flag_bits & 0x1:
            raise _refuse(
                "encrypted_or_legacy", "不接受加密的文件", "encrypted files are not accepted"
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _corrupt("unsupported compression")
        total += info.file_size
        if info.file_size > limits.ratio_min_bytes and (
            info.file_size > limits.max_compression_ratio * max(info.compress_size, 1)
        ):
            raise _bomb()
    if total > limits.max_uncompressed_bytes:
        raise _bomb()

    for lower in names:
        if lower.endswith("vbaproject.bin") or lower.startswith(("xl/macrosheets/", "xl/dialogsheets/")):
            raise _macro()
    content_types = names.get("[content_types].xml")
    if content_types is None:
        raise _corrupt("no [Content_Types].xml")
    if zf.getinfo(content_types).file_size > MB:
        raise _corrupt("oversized content types")
    types = zf.read(content_types).lower()
    if b"macroenabled" in types or b"vbaproject" in types:
        raise _macro()

    workbook = None
    # The package's root relationships name the workbook part; Excel always uses xl/workbook.xml
    # but other producers needn't.
    root_rels = names.get("_rels/.rels")
    if root_rels is not None:
        for rel in _safe_xml(zf.read(root_rels)):
            if rel.get("Type", "").endswith("/officeDocument"):
                workbook = posixpath.normpath(rel.get("Target", "").lstrip("/"))
    workbook = workbook or "xl/workbook.xml"
    if workbook.lower().endswith(".bin") or "xl/workbook.bin" in names:
        raise _refuse(
            "unsupported_type", "不支持 .xlsb 格式，请另存为 .xlsx", ".xlsb files are not supported; save as .xlsx"
        )
    if workbook.lower() not in names:
        if "content.xml" in names:
            raise _refuse(
                "unsupported_type",
                "不支持 OpenDocument（.ods）表格，请另存为 .xlsx",
                "OpenDocument (.ods) spreadsheets are not supported; save as .xlsx",
            )
        raise _corrupt("no workbook part")
    workbook_member = names[workbook.lower()]
    if zf.getinfo(workbook_member).file_size > 10 * MB:
        raise _corrupt("oversized workbook part")
    targets = {rid: (rtype, path) for rid, rtype, path in _relationships(zf, names, workbook)}
    sheets: list[_SheetRef] = []
    for element in _safe_xml(zf.read(workbook_member)).iter():
        if _local(element.tag) != "sheet":
            continue
        rid = next((v for k, v in element.attrib.items() if _local(k) == "id" and "relationships" in k), None)
        rtype, path = targets.get(rid or "", ("", ""))
        if not rtype.endswith("/worksheet") or path.lower() not in names:
            continue
        sheets.append(_SheetRef(element.get("name", ""), names[path.lower()], element.get("state", "visible") == "visible"))
    if not sheets:
        raise _corrupt("no worksheet")
    return zf, sheets


def _choose_sheet(sheets: list[_SheetRef], sheet: str | int | None, spec: SheetSpec | None) -> _SheetRef:
    if isinstance(sheet, int):
        if 0 <= sheet < len(sheets):
            return sheets[sheet]
    elif isinstance(sheet, str):
        for wanted in (sheet, sheet.casefold()):
            for ref in sheets:
                if ref.name == wanted or ref.name.casefold() == wanted:
                    return ref
    else:
        if spec is not None:
            for ref in sheets:
                if ref.visible and ref.name.strip().casefold() == spec.title.strip().casefold():
                    return ref
        return next((ref for ref in sheets if ref.visible), sheets[0])
    names = "、".join(ref.name for ref in sheets)
    raise _refuse(
        "sheet_not_found",
        f"找不到工作表“{sheet}”，文件中有：{names}",
        f"no worksheet “{sheet}”; the file has: {', '.join(ref.name for ref in sheets)}",
    )


# --- xlsx: is the sheet safe for calamine? -------------------------------------------------------


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _greater_than(n: int) -> str:
    """A regex matching decimal numbers (no leading zeros) greater than n."""
    s = str(n)
    alternatives = [rf"[1-9]\d{{{len(s)},}}"]
    for i, ch in enumerate(s):
        if ch != "9":
            rest = len(s) - i - 1
            low = int(ch) + 1 if i else max(int(ch) + 1, 1)
            alternatives.append(re.escape(s[:i]) + f"[{low}-9]" + (rf"\d{{{rest}}}" if rest else ""))
    return "(?:" + "|".join(alternatives) + ")"


class _SheetScan:
    """Streams the worksheet XML once and decides whether calamine may load it.

    Proven safe means: every cell element in sheetData is spelled `<c r="..."`, none uses a
    namespace prefix, and no cell reference lies beyond the rows and columns seen, so the used
    range calamine will allocate is rows x columns and that product is within budget. Anything
    unusual just means "use the streaming reader", never an error.
    """

    # Rows holding cells; a row tag ending the block counts too, its cells being in the next block.
    _ROW_REF = re.compile(rb'<row r="(\d+)"[^>/]*>\s*(?:<c[\s>/]|\Z)')
    _WIDE_CELL = re.compile(rb'<c r="([A-Za-z]{2,})\d')
    _PREFIXED_CELL = re.compile(rb"<[A-Za-z_][\w.\-]*:(?:c|row)[\s>/]")
    _PREFIX_HINT = re.compile(rb":(?:c|row)[\s>/]")  # a cheap pre-filter for the above

    def __init__(self, limits: ReadLimits) -> None:
        self.limits = limits
        self.state = 0  # 0 before sheetData, 1 inside, 2 after
        self.safe = True
        self.max_row = 0
        self.max_col = 0
        self.carry = b""
        self._gt_cache: dict[int, re.Pattern[bytes]] = {}

    def _cells_beyond(self, row: int) -> re.Pattern[bytes]:
        pattern = self._gt_cache.get(row)
        if pattern is None:
            # The lookahead rejects cells with fewer digits than `row` before the slower alternation.
            digits = len(str(row))
            pattern = re.compile(
                rb'<c r="[A-Za-z]+0*(?=[1-9]\d{%d})' % (digits - 1) + _greater_than(row).encode() + rb'"'
            )
            self._gt_cache = {row: pattern}
        return pattern

    def feed(self, data: bytes) -> None:
        if not self.safe or self.state == 2:
            return
        buffer = self.carry + data
        cut = buffer.rfind(b"<")
        if cut <= 0:
            self.carry = buffer if cut == 0 else b""
            block = b"" if cut == 0 else buffer
        else:
            block, self.carry = buffer[:cut], buffer[cut:]
        if len(self.carry) > 16 * MB:  # one tag this long is not a spreadsheet we want to trust
            self.safe = False
            return
        self._block(block)

    def finish(self) -> None:
        if self.safe and self.state != 2:
            self._block(self.carry)
            self.carry = b""

    def _block(self, block: bytes) -> None:
        if self.state == 0:
            at = block.find(b"sheetData")
            if at < 0:
                return
            if block[at - 1 : at] != b"<":
                self.safe = False  # a prefixed or otherwise odd sheetData
                return
            block = block[at:]
            self.state = 1
            if block.startswith(b"sheetData/>"):
                self.state = 2
                return
        end = block.find(b"</sheetData>")
        if end >= 0:
            block = block[:end]
            self.state = 2
        # Rows needn't be checked: a cell with its own reference ignores the row it sits in.
        if block.count(b"<c") != block.count(b'<c r="'):
            self.safe = False
            return
        if self._PREFIX_HINT.search(block) and self._PREFIXED_CELL.search(block):
            self.safe = False
            return
        for letters in set(self._WIDE_CELL.findall(block)):
            self.max_col = max(self.max_col, _column_number(letters))
        if self.max_col == 0 and b'<c r="' in block:
            self.max_col = 26  # only one-letter columns: at most Z
        if self.max_col > self.limits.max_columns:
            self.safe = False
            return
        rows = self._ROW_REF.findall(block)
        if rows:
            self.max_row = max(self.max_row, max(int(r) for r in rows))
        # Cells must not lie below every row seen so far, or the range is taller than we think.
        if b'<c r="' in block and self._cells_beyond(self.max_row).search(block):
            self.safe = False

    @property
    def calamine_ok(self) -> bool:
        return self.safe and self.state == 2 and self.max_row * max(self.max_col, 1) <= self.limits.max_dense_cells


def _verify_members(
    fp: IO[bytes], zf: zipfile.ZipFile, sheet_member: str, limits: ReadLimits
) -> bool:
    """Inflate every member (proving sizes and CRCs); returns whether calamine may read the sheet."""
    scan = _SheetScan(limits)
    for info in zf.infolist():
        if info.filename == sheet_member:
            for data in _member_chunks(fp, info):
                scan.feed(data)
            scan.finish()
        else:
            for _ in _member_chunks(fp, info):
                pass
    fp.seek(0)
    return scan.calamine_ok


# --- xlsx: reading -------------------------------------------------------------------------------


def _calamine_rows(fp: IO[bytes], sheet_name: str) -> Iterator[Row] | None:
    import python_calamine

    fp.seek(0)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(fp)
        sheet = workbook.get_sheet_by_name(sheet_name)
    except Exception:
        # Any failure of the native reader: the streaming reader gets a chance, with its own errors.
        return None
    except BaseException as exc:
        # A Rust panic surfaces as pyo3's PanicException, which derives from BaseException.
        if type(exc).__name__ == "PanicException":
            return None
        raise

    def rows() -> Iterator[Row]:
        try:
            # iter_rows starts at row 1 whatever the used range; columns start at the first used one.
            yield from enumerate(sheet.iter_rows(), 1)
        finally:
            workbook.close()

    return rows()


def _openpyxl_rows(fp: IO[bytes], sheet_name: str, limits: ReadLimits) -> Iterator[Row]:
    import openpyxl

    fp.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(fp, read_only=True, data_only=True)
        worksheet = workbook[sheet_name]
    except SpreadsheetError:
        raise
    except Exception:
        raise _corrupt("openpyxl could not open it") from None
    # The declared dimension can't be trusted; without it openpyxl sizes rows by their own cells,
    # and max_col caps a row that has a stray cell far to the right.
    worksheet.reset_dimensions()

    def rows() -> Iterator[Row]:
        try:
            cells = worksheet.iter_rows(max_col=limits.max_columns + 1, values_only=True)
            for number, values in enumerate(cells, 1):
                yield number, list(values)
        except SpreadsheetError:
            raise
        except Exception:
            raise _corrupt("unreadable sheet") from None
        finally:
            workbook.close()

    return rows()


def _read_xlsx(
    fp: IO[bytes],
    closer: Callable[[], None] | None,
    sheet: str | int | None,
    spec: SheetSpec | None,
    limits: ReadLimits,
) -> Table:
    zf, sheets = _inspect_zip(fp, limits)
    chosen = _choose_sheet(sheets, sheet, spec)
    calamine_ok = _verify_members(fp, zf, chosen.member, limits)
    zf.close()
    raw: Iterator[Row] | None = _calamine_rows(fp, chosen.name) if calamine_ok else None
    engine = "calamine"
    if raw is None:
        raw, engine = _openpyxl_rows(fp, chosen.name, limits), "openpyxl"
    try:
        headers, header_number, rows = _assemble(raw, spec, limits)
    except BaseException:
        close_raw = getattr(raw, "close", None)
        if close_raw is not None:
            close_raw()
        raise

    def close() -> None:
        close_raw = getattr(raw, "close", None)
        if close_raw is not None:
            close_raw()
        if closer is not None:
            closer()

    return Table(headers, _closing(rows, close), header_number, chosen.name, "xlsx", None, None, engine, close)
