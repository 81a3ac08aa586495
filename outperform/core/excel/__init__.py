"""Spreadsheet layer of Outperform: read, parse, and write .xlsx/.csv files. Django-free.

Typical import:

    table = read_table(upload, upload.name, spec=SPEC)
    outcome = parse_rows(SPEC, table)
    if not outcome.ok: ... write_error_report(SPEC, read_table(upload, upload.name, spec=SPEC), outcome.errors)

See docs/excel.md.
"""

from .cells import (
    CellParser,
    clean_text,
    date_from_serial,
    display_value,
    excel_serial,
    parse_bool,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
    parse_money_fen,
    parse_text,
)
from .errors import BilingualError, CellError, SpreadsheetError
from .parse import ParsedRow, ParseOutcome, RowError, parse_rows
from .reader import DEFAULT_LIMITS, ReadLimits, Table, read_table
from .spec import ERRORS_HEADER, Column, HeaderMatch, SheetSpec, normalize_header
from .writer import neutralise, write_error_report, write_rows, write_template

__all__ = [
    "DEFAULT_LIMITS",
    "ERRORS_HEADER",
    "BilingualError",
    "CellError",
    "CellParser",
    "Column",
    "HeaderMatch",
    "ParseOutcome",
    "ParsedRow",
    "ReadLimits",
    "RowError",
    "SheetSpec",
    "SpreadsheetError",
    "Table",
    "clean_text",
    "date_from_serial",
    "display_value",
    "excel_serial",
    "neutralise",
    "normalize_header",
    "parse_bool",
    "parse_choice",
    "parse_date",
    "parse_decimal",
    "parse_int",
    "parse_money_fen",
    "parse_rows",
    "parse_text",
    "read_table",
    "write_error_report",
    "write_rows",
    "write_template",
]
