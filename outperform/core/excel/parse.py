"""Turning a read table into parsed rows and per-cell errors, according to a SheetSpec."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .cells import display_value
from .errors import CellError
from .reader import Table
from .spec import Column, SheetSpec

_REQUIRED = ("必填，不能为空", "required; the cell is empty")


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """One data row. `values` holds a key for every spec column present in the file (None for an
    empty cell); a cell that failed to parse has no key, and then ok is False."""

    row_number: int
    values: dict[str, Any]
    ok: bool = True


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem, located as the user sees it in Excel: row number and column header.

    column_key is "" for a problem of the whole row; value is the offending cell as text.
    """

    row_number: int
    column_header: str
    column_key: str
    value: Any
    message_zh: str
    message_en: str

    @property
    def message(self) -> str:
        if self.message_zh == self.message_en:
            return self.message_zh
        return f"{self.message_zh} / {self.message_en}"

    def describe(self, language: str = "zh") -> str:
        if language == "en":
            where = f"Row {self.row_number}" + (f", “{self.column_header}”" if self.column_header else "")
            return f"{where}: {self.message_en}"
        where = f"第 {self.row_number} 行" + (f"「{self.column_header}」" if self.column_header else "")
        return f"{where}：{self.message_zh}"


@dataclass
class ParseOutcome:
    """Everything parse_rows found.

    rows: every data row, in file order (rows with errors have ok=False).
    errors: at most max_errors of them; error_count is the true total.
    missing_required_headers: Chinese headers of required columns absent from the file. When
    there are any, no row was parsed (the file is the wrong one, or its header row is broken).
    """

    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    unknown_headers: list[str] = field(default_factory=list)
    missing_required_headers: list[str] = field(default_factory=list)
    present_columns: list[str] = field(default_factory=list)
    header_row_number: int = 1
    row_count: int = 0
    error_count: int = 0
    skipped_example_rows: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.error_count and not self.missing_required_headers

    @property
    def valid_rows(self) -> list[ParsedRow]:
        return [r for r in self.rows if r.ok]

    def header_message(self) -> tuple[str, str] | None:
        """(zh, en) message about missing required columns, if any."""
        if not self.missing_required_headers:
            return None
        names = "、".join(self.missing_required_headers)
        return (f"缺少必填列：{names}", f"missing required columns: {', '.join(self.missing_required_headers)}")


def _example_matcher(
    spec: SheetSpec, present: list[tuple[int, Column]]
) -> Callable[[list[Any]], bool] | None:
    """A test for "this row is the template's untouched example row", or None if there is none.

    Values are compared after parsing, so the example 2026-01-05 matches a date cell and
    "6500.00" matches 6500.
    """
    expected: list[tuple[int, Callable[[Any], Any], Any]] = []
    blank: list[int] = []
    for position, column in present:
        if column.example is None:
            blank.append(position)
            continue
        try:
            expected.append((position, column.parse, column.parse(column.example)))
        except CellError:
            return None
    if not expected:
        return None

    def matches(raw: list[Any]) -> bool:
        if any(display_value(raw[p]) for p in blank):
            return False
        for position, parse, value in expected:
            try:
                if parse(raw[position]) != value:
                    return False
            except CellError:
                return False
        return True

    return matches


def parse_rows(
    spec: SheetSpec, table: Table, *, max_errors: int = 10_000, skip_example: bool = True
) -> ParseOutcome:
    """Parse every data row of `table` by `spec`, collecting errors rather than stopping at one.

    The template's example row, left in place and unchanged as the first data row, is skipped
    and reported in skipped_example_rows (skip_example=False turns that off).
    SpreadsheetError from the reader (e.g. too many rows) propagates.
    """
    match = spec.match_headers(table.headers)
    outcome = ParseOutcome(
        unknown_headers=match.unknown,
        missing_required_headers=[c.header_zh for c in match.missing_required],
        present_columns=[c.key for _, c in match.columns],
        header_row_number=table.header_row_number,
    )
    if outcome.missing_required_headers:
        return outcome

    errors = outcome.errors
    error_count = 0
    header_row = table.header_row_number
    for position, column, first in match.duplicates:
        error_count += 1
        errors.append(RowError(
            header_row, table.headers[position], column.key, table.headers[position],
            f"与第 {first + 1} 列重复，只使用第一列", f"duplicates column {first + 1}; only the first one is used",
        ))

    # Hot loop: plain tuples and the parsers' inner functions, no attribute lookups per cell.
    plan = [
        (position, c.key, getattr(c.parse, "fn", c.parse), c.required, table.headers[position])
        for position, c in match.columns
    ]
    width = len(table.headers)
    is_example = _example_matcher(spec, match.columns) if skip_example else None
    present = {c.key for _, c in match.columns}
    unique_groups = [tuple(g) for g in spec.unique if all(k in present for k in g)]
    seen_unique: list[dict[tuple[Any, ...], int]] = [{} for _ in unique_groups]
    row_checks = tuple(spec.row_checks)
    rows = outcome.rows
    row_count = 0

    for row_number, raw in table.rows:
        if len(raw) < width:
            raw = list(raw) + [None] * (width - len(raw))
        if is_example is not None:
            first_row, is_example = is_example, None
            if first_row(raw):
                outcome.skipped_example_rows.append(row_number)
                continue
        row_count += 1
        values: dict[str, Any] = {}
        ok = True
        for position, key, parse, required, header in plan:
            cell = raw[position]
            try:
                value = parse(cell)
            except CellError as exc:
                ok = False
                error_count += 1
                if len(errors) < max_errors:
                    errors.append(RowError(
                        row_number, header, key, display_value(cell), exc.message_zh, exc.message_en
                    ))
                continue
            if value is None and required:
                ok = False
                error_count += 1
                if len(errors) < max_errors:
                    errors.append(RowError(row_number, header, key, "", *_REQUIRED))
                continue
            values[key] = value

        if unique_groups:
            for group, seen in zip(unique_groups, seen_unique, strict=True):
                signature = tuple(values.get(k) for k in group)
                if any(v is None for v in signature):
                    continue
                earlier = seen.setdefault(signature, row_number)
                if earlier != row_number:
                    ok = False
                    error_count += 1
                    if len(errors) < max_errors:
                        column = spec.column(group[0])
                        errors.append(RowError(
                            row_number, table.headers[match.position_of(column.key) or 0], column.key,
                            display_value(values[group[0]]),
                            f"与第 {earlier} 行重复", f"duplicates row {earlier}",
                        ))

        if ok and row_checks:
            for check in row_checks:
                try:
                    check(values)
                except CellError as exc:
                    ok = False
                    error_count += 1
                    if len(errors) < max_errors:
                        key = exc.column_key or ""
                        at = match.position_of(key) if key else None
                        errors.append(RowError(
                            row_number,
                            table.headers[at] if at is not None else "",
                            key,
                            display_value(values.get(key)) if key else "",
                            exc.message_zh,
                            exc.message_en,
                        ))

        rows.append(ParsedRow(row_number, values, ok))

    outcome.row_count = row_count
    outcome.error_count = error_count
    return outcome
