"""Reading an upload for ingest: the file's header row, a mapping of its columns onto a source's
columns, and a stream of parsed rows with their errors — one row in memory at a time.

The spreadsheet layer (`core.excel`) does the hard parts: refusing hostile workbooks, detecting the
CSV encoding (strict UTF-8 first, with or without BOM, then GB18030/GBK) and delimiter, folding
full-width characters, parsing cells the way Chinese users type them. Ingest only raises its limits
(a million rows is normal here) and never keeps the rows it has read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from outperform.core import excel
from outperform.core.excel.cells import display_value
from outperform.core.excel.spec import normalize_header

MB = 1024 * 1024
INGEST_LIMITS = excel.ReadLimits(
    max_file_bytes=2048 * MB,
    max_uncompressed_bytes=1024 * MB,
    max_rows=20_000_000,
)
MAX_KEPT_ERRORS = 5_000  # the first errors are kept for the page and the report; the count is exact


def file_hash(fp: IO[bytes]) -> tuple[str, int]:
    """sha256 and size of a file, read in chunks."""
    fp.seek(0)
    digest = hashlib.sha256()
    size = 0
    while chunk := fp.read(MB):
        digest.update(chunk)
        size += len(chunk)
    fp.seek(0)
    return digest.hexdigest(), size


def open_table(fp: IO[bytes], filename: str, spec: excel.SheetSpec | None = None) -> excel.Table:
    return excel.read_table(fp, filename, spec=spec, limits=INGEST_LIMITS)


def header_signature(headers: list[str]) -> str:
    """The same for the same columns however they are spelled (width, case, spaces, *)."""
    normal = "\x1f".join(normalize_header(h) for h in headers)
    return hashlib.sha256(normal.encode()).hexdigest()


# --- mapping ------------------------------------------------------------------------------------

Mapping_ = dict[int, str]  # file column position → source column key


def suggest_mapping(spec: excel.SheetSpec, headers: list[str], remembered: Mapping[str, str] | None = None) -> Mapping_:
    """What each file column is, from the remembered mapping of this header set, else by name."""
    out: Mapping_ = {}
    taken: set[str] = set()
    keys = {c.key for c in spec.columns}
    for position, header in enumerate(headers):
        key = (remembered or {}).get(header)
        if key is None and remembered is None:
            column = spec.resolve_header(header) if header else None
            key = column.key if column is not None else None
        if key and key in keys and key not in taken:
            out[position] = key
            taken.add(key)
    return out


@dataclass(frozen=True)
class MappingProblem:
    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


def check_mapping(spec: excel.SheetSpec, mapping: Mapping_, natural_key: str) -> list[MappingProblem]:
    problems: list[MappingProblem] = []
    used: dict[str, int] = {}
    for position, key in mapping.items():
        if key in used:
            column = spec.column(key)
            problems.append(MappingProblem(
                f"“{column.header_zh}”被映射了两次（第 {used[key] + 1} 列和第 {position + 1} 列）",
                f"“{column.header_en}” is mapped twice (columns {used[key] + 1} and {position + 1})",
            ))
        used[key] = position
    required = [c for c in spec.columns if c.required or c.key == natural_key]
    missing = [c for c in required if c.key not in used]
    if missing:
        problems.append(MappingProblem(
            "缺少必填列：" + "、".join(c.header_zh for c in missing),
            "missing required columns: " + ", ".join(c.header_en for c in missing),
        ))
    return problems


def mapping_from_json(data: Mapping[str, Any]) -> Mapping_:
    return {int(k): str(v) for k, v in data.items() if v}


def mapping_to_json(mapping: Mapping_) -> dict[str, str]:
    return {str(k): v for k, v in sorted(mapping.items())}


# --- streaming parse ----------------------------------------------------------------------------


@dataclass
class ErrorLog:
    """Errors as found: the first MAX_KEPT_ERRORS kept, all counted."""

    kept: list[excel.RowError] = field(default_factory=list)
    count: int = 0

    def add(self, error: excel.RowError) -> None:
        self.count += 1
        if len(self.kept) < MAX_KEPT_ERRORS:
            self.kept.append(error)

    def as_json(self) -> list[dict[str, Any]]:
        return [
            {"row": e.row_number, "column": e.column_header, "key": e.column_key, "value": str(e.value)[:200],
             "zh": e.message_zh, "en": e.message_en}
            for e in self.kept
        ]


def row_error(row: int, header: str, key: str, value: Any, zh: str, en: str) -> excel.RowError:
    return excel.RowError(row, header, key, display_value(value) if value is not None else "", zh, en)


_REQUIRED = ("必填，不能为空", "required; the cell is empty")


class RowParser:
    """Parses one raw row by the mapped columns with the source's own cell parsers."""

    def __init__(self, spec: excel.SheetSpec, headers: list[str], mapping: Mapping_, natural_key: str) -> None:
        self.plan = [
            (position, key, getattr(spec.column(key).parse, "fn", spec.column(key).parse),
             spec.column(key).required or key == natural_key, headers[position] if position < len(headers) else key)
            for position, key in sorted(mapping.items())
        ]
        self.row_checks = tuple(spec.row_checks)
        self.headers = {key: header for _, key, _, _, header in self.plan}

    def __call__(self, row_number: int, raw: list[Any], errors: ErrorLog) -> dict[str, Any] | None:
        values: dict[str, Any] = {}
        ok = True
        width = len(raw)
        for position, key, parse, required, header in self.plan:
            cell = raw[position] if position < width else None
            try:
                value = parse(cell)
            except excel.CellError as exc:
                ok = False
                errors.add(row_error(row_number, header, key, cell, exc.message_zh, exc.message_en))
                continue
            if value is None and required:
                ok = False
                errors.add(row_error(row_number, header, key, None, *_REQUIRED))
                continue
            values[key] = value
        if ok:
            for check in self.row_checks:
                try:
                    check(values)
                except excel.CellError as exc:
                    ok = False
                    key = exc.column_key or ""
                    errors.add(row_error(row_number, self.headers.get(key, ""), key, values.get(key),
                                         exc.message_zh, exc.message_en))
        return values if ok else None


def example_matcher(spec: excel.SheetSpec, mapping: Mapping_) -> Any:
    """A test for "this is the template's untouched example row" (skipped when it is the first data
    row, as every Excel import does), or None."""
    from outperform.core.excel.parse import _example_matcher

    return _example_matcher(spec, [(p, spec.column(k)) for p, k in sorted(mapping.items())])
