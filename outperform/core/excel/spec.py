"""Declaring a sheet: its columns, how each is parsed, and how headers are recognised."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .cells import CellParser, clean_text, parse_text

# The leading column of an error report. An error report is meant to be fixed and uploaded again,
# so this header is ignored rather than reported as unknown.
ERRORS_HEADER = "错误 / Errors"

_REQUIRED_MARKERS = re.compile(
    r"[(\[【](?:非必填|必填|选填|可选|required|optional)[)\]】]|(?:非必填|必填|选填)$", re.IGNORECASE
)
_HEADER_NOISE = re.compile(r"[\s*.:_\-]+")
_PARENTHESISED = re.compile(r"\([^()]*\)")
_SPLIT_BILINGUAL = re.compile(r"[/|\n]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


def normalize_header(value: object) -> str:
    """The comparison form of a header: width-folded, no spaces, no '*' or (必填), case-folded."""
    s = clean_text(value, multiline=True) or ""
    s = _REQUIRED_MARKERS.sub("", s)
    return _HEADER_NOISE.sub("", s).casefold()


def _header_candidates(value: object) -> list[str]:
    """Spellings to try for one uploaded header, best first: whole, then its parts.

    People write bilingual headers ("姓名 / Name", "姓名\\nName", "姓名 Name") and add units or
    remarks in parentheses ("手机号（11位）").
    """
    text = clean_text(value, multiline=True) or ""
    tries = [text, _PARENTHESISED.sub("", text)]
    tries += _SPLIT_BILINGUAL.split(text)
    cjk = "".join(_CJK_RUN.findall(text))
    if cjk:
        tries += [cjk, _CJK_RUN.sub(" ", text)]
    seen: list[str] = []
    for t in tries:
        n = normalize_header(t)
        if n and n not in seen:
            seen.append(n)
    return seen


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    parse: a callable (raw cell) -> value, normally one of the cells.parse_* factories.
    required: the header must be present and no cell may be empty.
    aliases: other accepted header spellings (old template versions, common synonyms).
    comment: help shown in the template (header comment and the instructions sheet).
    example: the value of the template's example row.
    number_format: Excel number format for exports/templates; by default the parser's.
    """

    key: str
    header_zh: str
    header_en: str
    parse: Callable[[Any], Any] = field(default_factory=parse_text)
    required: bool = False
    width: float = 16
    aliases: tuple[str, ...] = ()
    comment: str = ""
    example: Any = None
    number_format: str | None = None

    @property
    def kind(self) -> str:
        return getattr(self.parse, "kind", "custom")

    @property
    def parser(self) -> CellParser[Any] | None:
        return self.parse if isinstance(self.parse, CellParser) else None

    @property
    def excel_number_format(self) -> str | None:
        if self.number_format is not None:
            return self.number_format
        return getattr(self.parse, "number_format", None)

    def header(self, language: str = "zh") -> str:
        return self.header_en if language == "en" else self.header_zh

    def spellings(self) -> list[str]:
        return [self.header_zh, self.header_en, self.key, *self.aliases]


@dataclass
class HeaderMatch:
    """How an uploaded header row lines up with a spec."""

    columns: list[tuple[int, Column]]  # (0-based position in the file, column), file order
    duplicates: list[tuple[int, Column, int]]  # (position, column, position it duplicates)
    unknown: list[str]
    missing: list[Column]

    @property
    def missing_required(self) -> list[Column]:
        return [c for c in self.missing if c.required]

    def position_of(self, key: str) -> int | None:
        for position, column in self.columns:
            if column.key == key:
                return position
        return None


@dataclass(frozen=True)
class SheetSpec:
    """A sheet: its title (used for the template and exports) and columns.

    unique: groups of column keys whose values must not repeat within one file (natural keys).
    row_checks: callables run on each row's parsed values (only when all its cells parsed); they
    raise CellError, with column_key set to pin the error to a column.
    """

    title: str
    columns: Sequence[Column]
    unique: Sequence[Sequence[str]] = ()
    row_checks: Sequence[Callable[[Mapping[str, Any]], None]] = ()
    _lookup: dict[str, Column] = field(init=False, repr=False, compare=False)
    _by_key: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        columns = tuple(self.columns)
        object.__setattr__(self, "columns", columns)
        by_key: dict[str, Column] = {}
        lookup: dict[str, Column] = {}
        for column in columns:
            if column.key in by_key:
                raise ValueError(f"{self.title}: column key {column.key!r} is used twice")
            by_key[column.key] = column
            for spelling in column.spellings():
                n = normalize_header(spelling)
                if not n:
                    continue
                other = lookup.get(n)
                if other is not None and other is not column:
                    raise ValueError(f"{self.title}: header {spelling!r} matches {other.key!r} and {column.key!r}")
                lookup[n] = column
        # Units in parentheses may be left out ("基本工资" for "基本工资（元）"), unless that would
        # make a header ambiguous.
        for column in columns:
            for spelling in (column.header_zh, column.header_en):
                n = normalize_header(_PARENTHESISED.sub("", clean_text(spelling) or ""))
                if n and n not in lookup:
                    lookup[n] = column
        for group in self.unique:
            for key in group:
                if key not in by_key:
                    raise ValueError(f"{self.title}: unique key {key!r} is not a column")
        object.__setattr__(self, "_lookup", lookup)
        object.__setattr__(self, "_by_key", by_key)

    def column(self, key: str) -> Column:
        return self._by_key[key]

    def resolve_header(self, header: object) -> Column | None:
        """The column an uploaded header names, or None."""
        candidates = _header_candidates(header)
        if not candidates:
            return None
        exact = self._lookup.get(candidates[0])
        if exact is not None:
            return exact
        hits = {id(c): c for c in (self._lookup.get(n) for n in candidates[1:]) if c is not None}
        # A bilingual header must agree with itself; "姓名 / Mobile" names nothing.
        return next(iter(hits.values())) if len(hits) == 1 else None

    def header_score(self, cells: Iterable[object]) -> int:
        """How many cells of a row are headers of this spec (to find the header row)."""
        return sum(1 for c in cells if c not in (None, "") and self.resolve_header(c) is not None)

    def match_headers(self, headers: Sequence[str]) -> HeaderMatch:
        columns: list[tuple[int, Column]] = []
        duplicates: list[tuple[int, Column, int]] = []
        unknown: list[str] = []
        first_at: dict[str, int] = {}
        for position, header in enumerate(headers):
            if not header or normalize_header(header) == normalize_header(ERRORS_HEADER):
                continue
            column = self.resolve_header(header)
            if column is None:
                unknown.append(header)
            elif column.key in first_at:
                duplicates.append((position, column, first_at[column.key]))
            else:
                first_at[column.key] = position
                columns.append((position, column))
        missing = [c for c in self.columns if c.key not in first_at]
        return HeaderMatch(columns, duplicates, unknown, missing)
