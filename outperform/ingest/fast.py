"""The PostgreSQL fast path: COPY into a staging table, then set-based SQL (docs/ingest.md).

1. Stage. A clean CSV (UTF-8 or GB18030, header on row 1, no quotes, no blank lines) is piped to
   `COPY … FROM STDIN` as it is — PostgreSQL parses it; anything else (xlsx, quoted or odd CSV)
   is read by core.excel and its rows are COPY'd. Staged cells are raw text.
2. Survey, one pass. Free-text columns (the key, a title) have a *canonical* SQL predicate: text
   the Python cell parser would return unchanged; rows with a cell that is not — usually none — are
   parsed in Python by the very same cell parsers and written back, or marked as errors. Every other
   column (dates, numbers, choices, references) holds few distinct values: the pass collects them
   and each is parsed once in Python by the column's own parser into a dictionary. So a cell can't
   mean anything else than on the generic path; only the speed differs.
3. Rows. One CREATE TABLE AS reads the staged rows with their dictionary values (references
   resolved against the caller's visible vendors, workers, projects, departments, the first match
   field winning as in the Excel import) and the stored records (by key), and computes the final
   values the way `records.services.record_prepare` does (the worker's department and project,
   derived facts).
4. Errors. Refused cells, repeated keys, unknown references, rows outside the caller's scope, model
   validation (length, range, the worker's vendor) are found by set queries, in the generic path's
   order; messages name row and column.
5. Write. New rows are inserted, changed rows updated (`IS DISTINCT FROM`), unchanged rows left
   alone; each changed row gets one audit row built in SQL. All inside the caller's transaction.
   Every referenced row was found by the resolving join and is locked `FOR KEY SHARE` before the
   write — what a foreign-key trigger does per row and key at COMMIT, done once per referenced
   row — so where the database role may, the write skips those triggers (`fk_checks_done`); and a
   load large against the table builds its indexes, keys included, once instead of growing them a
   row at a time (`indexes_rebuilt`).

`tests/test_fast.py` checks on PostgreSQL that this path and the generic path write identical rows.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, models, transaction
from django.utils import timezone

from outperform.access.scoping import restrict, scope_for
from outperform.core import excel
from outperform.core.models import User

from .generic import OUTSIDE_EXISTING, OUTSIDE_WRITE, Counts
from .reading import ErrorLog, Mapping_, example_matcher, open_table, row_error
from .sources import IngestSource

_q = connection.ops.quote_name

REQUIRED = ("必填，不能为空", "required; the cell is empty")
REBUILD_MIN_ROWS = 100_000  # new rows from which a load may rebuild the indexes (indexes_rebuilt)
REBUILD_EXISTING_PER_NEW = 2  # … when the table holds at most this many rows per new one
REBUILD_LOCK_WAIT = 2.0  # seconds to wait for the table's lock before inserting row by row instead
REBUILD_WORKERS = 2  # parallel workers per index build (max_parallel_maintenance_workers)
REBUILD_MEMORY = "512MB"  # maintenance_work_mem for the builds: shared by the workers, 32 MB each at least
SHORT_DICTIONARY = 32  # distinct values written into the SQL as a CASE rather than joined
GONE = ("{label}“{raw}”在导入过程中已被删除，请重新提交",
        "{label_en} “{raw}” was deleted while the file was loading; submit it again")


@dataclass(frozen=True)
class FastRules:
    """What record_prepare and the model's clean() do for one source, in SQL terms."""

    # Fill department/project from the worker (and department from the project) when empty.
    worker_fills: bool
    # derived column -> SQL over the final values (aliases: the field names)
    derived: dict[str, str]
    repr_sql: str  # str(obj) for the audit log
    worker_vendor_message: str = "该人员不属于所选服务商 / This worker belongs to another vendor"


FAST_SOURCES: dict[str, FastRules] = {
    # Mirrors records.derive.task_facts; the fast == generic test keeps them honest.
    "task": FastRules(
        worker_fills=True,
        derived={
            "on_time": "CASE WHEN delivered_date IS NULL THEN NULL ELSE delivered_date <= due_date END",
            "first_pass": "CASE WHEN acceptance = 'pending' THEN NULL "
                          "ELSE acceptance = 'accepted' AND rework_count = 0 END",
        },
        repr_sql="left(external_id || ' ' || title, 200)",
    ),
}


# Cell kinds whose parsed value, written by canonical_text, parses back to itself (a typed xlsx
# cell is staged that way). Not money: 12.5 yuan parses to 1250 fen, and "1250" to 125,000.
ROUND_TRIP_KINDS = frozenset({"text", "int", "decimal", "date", "bool", "choice"})


def supported(source: IngestSource) -> bool:
    refs = {r.column for r in source.refs}
    columns = source.spec.columns
    return (connection.vendor == "postgresql" and source.key in FAST_SOURCES and not source.spec.row_checks
            and _per_cell(source.column(source.natural_key), refs)
            and all(c.kind in ROUND_TRIP_KINDS for c in columns)
            and all(_rule(c) is not None for c in columns if _per_cell(c, refs)))


def _per_cell(column: excel.Column, refs: set[str]) -> bool:
    """Free text is checked cell by cell; anything else has few distinct values, each parsed once."""
    return column.kind == "text" and column.key not in refs


# --- cells ----------------------------------------------------------------------------------------

# Characters clean_text leaves alone (printable, no width folding needed): ASCII without space,
# CJK ideographs and punctuation, general punctuation such as “” and —. "+" is left out so that
# scientific notation (1.1E+17, refused by the text parser) never looks canonical, and a leading "'"
# (dropped before a formula character) is left out of the first character.
_ASCII = r"!-*,-~"
_ASCII_FIRST = r"!-&(-*,-~"
_WIDE = r"\u3001-\u303f\u3400-\u4dbf\u4e00-\u9fff\u2010-\u2027\u2030-\u205e"
_FULL_WIDTH = r"\uff01-\uff5e"


@dataclass(frozen=True)
class CellRule:
    """How a canonical text cell looks: a regex for the whole cell plus cheap SQL checks over {c}."""

    regex: str
    cheap: str = ""


def _closure(parser: Any) -> dict[str, Any]:
    fn = getattr(parser, "fn", parser)
    cells = getattr(fn, "__closure__", None) or ()
    return {name: cell.cell_contents for name, cell in zip(fn.__code__.co_freevars, cells, strict=False)}


def _rule(column: excel.Column) -> CellRule | None:
    """The canonical form of a text column, or None if there is none (then every cell of the
    column is parsed in Python)."""
    env = _closure(column.parse)
    if column.kind != "text" or env.get("multiline"):
        return None
    wide = _WIDE + ("" if env.get("fold_width", True) else _FULL_WIDTH)
    regex = f"[{_ASCII_FIRST}{wide}](?:[{_ASCII}{wide} ]*[{_ASCII}{wide}])?"
    cheap = ["strpos({c}, '  ') = 0"]
    if env.get("max_length"):
        cheap.append(f"char_length({{c}}) <= {int(env['max_length'])}")
    if env.get("upper"):
        cheap.append("{c} = upper({c})")
    if env.get("lower"):
        cheap.append("{c} = lower({c})")
    return CellRule(regex, " AND ".join(cheap))


def canonical_text(value: Any) -> str | None:
    """A parsed value written as text its parser reads back as the same value (xlsx cells that
    arrive typed are staged this way)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _dict_sql_type(field: models.Field | None) -> str:
    """The SQL type a dictionary holds a column's parsed values in: wide enough that a value out of
    the field's range reaches model validation (and its message) instead of failing a cast."""
    if isinstance(field, models.DateTimeField):
        return "timestamptz"
    if isinstance(field, models.DateField):
        return "date"
    if isinstance(field, models.BooleanField):
        return "boolean"
    if isinstance(field, models.IntegerField | models.DecimalField | models.FloatField):
        return "numeric"
    return "text"


@dataclass
class Survey:
    rows: int = 0
    blank: int = 0
    odd_text: int = 0  # rows with a free-text cell that is not canonical


# --- the run --------------------------------------------------------------------------------------


class FastIngest:
    def __init__(self, source: IngestSource, mapping: Mapping_, *, actor: User, errors: ErrorLog,
                 progress: Any = None, dry_run: bool = False) -> None:
        self.source = source
        self.dry_run = dry_run
        self.rules = FAST_SOURCES[source.key]
        self.mapping = mapping
        self.actor = actor
        self.errors = errors
        self.progress = progress
        self.model = source.model
        self.meta = source.model._meta
        self.key = source.natural_key
        self.ref_columns = {r.column: r for r in source.refs if r.column in mapping.values()}
        self.by_key = {k: p for p, k in mapping.items()}
        refs = set(self.ref_columns)
        self.cell_positions = sorted(p for p, k in mapping.items() if _per_cell(source.column(k), refs))
        self.dict_positions = sorted(p for p in mapping if p not in self.cell_positions)
        scope = scope_for(actor)
        self.vendor_ids = None if scope.whole_write else sorted(scope.vendor_ids)
        self.started = time.perf_counter()

    def say(self, done: int, total: int, message: str) -> None:
        self.trace(message)
        if self.progress is not None:
            self.progress(done, total, message)

    def trace(self, step: str) -> None:
        """Step timings for the benchmark (INGEST_TRACE=1, docs/ingest.md): seconds since the start,
        and — PostgreSQL on this host — the CPU seconds its process serving us spent since then (on
        a shared machine wall seconds follow the load; these don't)."""
        if not os.environ.get("INGEST_TRACE"):
            return
        if not hasattr(self, "_cpu0"):
            with connection.cursor() as cur:
                cur.execute("SELECT pg_backend_pid()")
                self._pid = cur.fetchone()[0]
            self._cpu0 = process_cpu(self._pid)
        cpu = process_cpu(self._pid)
        spent = f" cpu {cpu - self._cpu0:6.2f}s" if cpu is not None and self._cpu0 is not None else ""
        print(f"fast ingest {time.perf_counter() - self.started:7.2f}s{spent} {step}", file=sys.stderr)

    def run(self, fp: IO[bytes], filename: str) -> Counts:
        self.trace("start")
        with open_table(fp, filename, self.source.spec) as table:
            self.headers = table.headers
            self.width = len(table.headers)
            with connection.cursor() as cur:
                self.cur = cur
                # Hash joins and sorts over a million staged rows stay in memory (this transaction
                # only); the statements are simple scans and joins that JIT compiling only delays.
                cur.execute("SET LOCAL work_mem = '128MB'")
                cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
                cur.execute("SET LOCAL jit = off")
                self._create_stage()
                if not self._load_raw(fp, table):
                    self._load_rows(table)
        with connection.cursor() as cur:
            self.cur = cur
            # Without statistics the planner takes the staged rows for a quarter of what they are
            # and sorted the whole staged table to disk to match it with the stored rows.
            cur.execute("ANALYZE ingest_stage")
            self.trace("staged (COPY)")
            survey = self._survey()
            if survey.blank:
                cur.execute(f"DELETE FROM ingest_stage WHERE {self._blank_sql()}")  # noqa: S608
            total = survey.rows - survey.blank - self._skip_example()
            self.say(total // 6, total, "校验单元格 / checking cells")
            self.trace(f"surveyed: distinct values parsed, {survey.odd_text} rows with odd text")
            if survey.odd_text:
                self._fix_cells()
                self.trace("odd text cells parsed in Python")
            for column in self.ref_columns:
                self._resolve(column)
            self._cell_errors()
            self._duplicates()
            self.say(total // 3, total, "校验行 / checking rows")
            self.trace("references resolved, cell errors and duplicates found")
            self._typed()
            self.trace("typed rows built")
            counts, ids, flagged = self._tally(total)
            if flagged:
                self._row_errors()
                counts, ids, _ = self._tally(total)
            self.say(total // 2, total, "校验行 / checking rows")
            self.trace(f"row checks and counts: {counts}")
            if not self.errors.count and (counts.created or counts.updated):
                self.say(2 * total // 3, total, "写入 / writing")
                self._write(counts, ids)
            self.say(total, total, "")
            return counts

    def _stream(self, name: str, sql: str, params: Any = None) -> Iterator[list[tuple[Any, ...]]]:
        """Batches of a query's rows from a server-side cursor: a file whose every row is wrong
        costs one batch of memory, not a million rows. (Other statements may run between batches.)"""
        with connection.connection.cursor(name=name) as named:
            named.execute(sql, params)
            while batch := named.fetchmany(5000):
                yield batch

    # --- 1. load ------------------------------------------------------------------------------
    def _col(self, position: int) -> str:
        return _q(f"c{position}")

    def _create_stage(self) -> None:
        cols = ", ".join(f"{self._col(i)} text" for i in range(self.width))
        for table in ("ingest_stage", "ingest_fix", "ingest_typed",
                      *(f"ingest_d{p}" for p in range(self.width))):
            self.cur.execute(f"DROP TABLE IF EXISTS {table}")
        self.cur.execute(
            # _bad: a typed cell its parser refused while loading (such rows are checked no
            # further, as before); _err: any error found by the checks after loading.
            f"CREATE TEMP TABLE ingest_stage (_row bigint GENERATED BY DEFAULT AS IDENTITY, {cols}, "
            "_bad boolean NOT NULL DEFAULT false, _err boolean NOT NULL DEFAULT false) ON COMMIT DROP"
        )

    def _load_raw(self, fp: IO[bytes], table: excel.Table) -> bool:
        """Pipe the file to COPY untouched, when PostgreSQL's CSV reading gives what ours would."""
        pg_encoding = {"utf-8": "UTF8", "utf-8-sig": "UTF8", "gb18030": "GB18030"}.get(table.encoding or "")
        if table.source_format != "csv" or table.header_row_number != 1 or pg_encoding is None:
            return False
        fp.seek(0)
        first = fp.read(1024 * 1024)
        end = first.find(b"\n")
        if end < 0:
            return False
        offset = end + 1
        # Blank lines (records of their own to Python's csv), quotes (="0012", quotes inside fields)
        # and bare CRs are read differently by the two parsers: such files take the row-by-row load.
        fp.seek(0)
        tail = b""
        while chunk := fp.read(4 * 1024 * 1024):
            block = tail + chunk
            if b'"' in block or b"\n\n" in block or b"\n\r\n" in block or b"\r" in block.replace(b"\r\n", b""):
                return False
            tail = chunk[-2:]
        delimiter = (table.delimiter or ",").replace("'", "''")
        cols = ", ".join(self._col(i) for i in range(self.width))
        sid = transaction.savepoint()
        try:
            fp.seek(offset)
            with self.cur.cursor.copy(
                f"COPY ingest_stage ({cols}) FROM STDIN WITH (FORMAT csv, DELIMITER E'{delimiter}', "
                f"ENCODING '{pg_encoding}')"
            ) as copy:
                while chunk := fp.read(1024 * 1024):
                    copy.write(chunk)
        except Exception:  # PostgreSQL disagreed with the file (ragged rows …): read it row by row
            transaction.savepoint_rollback(sid)
            self.cur.execute("TRUNCATE ingest_stage")
            return False
        transaction.savepoint_commit(sid)
        self.row_offset = 1  # identity 1 is file row 2, below the header
        return True

    def _load_rows(self, table: excel.Table) -> None:
        self.row_offset = 0
        parsers = {p: self.source.column(k).parse for p, k in self.mapping.items()}
        cols = ", ".join(["_row", *(self._col(i) for i in range(self.width)), "_bad"])
        # A typed xlsx cell (number, date, bool) is parsed here and staged as canonical text; the
        # same few dates and numbers recur on every row, so each is parsed once.
        typed: dict[tuple[int, type, Any], str | None | excel.CellError] = {}
        with self.cur.cursor.copy(f"COPY ingest_stage ({cols}) FROM STDIN") as copy:
            for number, values in table.rows:
                bad = False
                cells: list[Any] = list(values)
                for i, v in enumerate(values):
                    if v is None or type(v) is str:
                        continue
                    parse = parsers.get(i)
                    if parse is None:
                        cells[i] = None
                        continue
                    memo = (i, type(v), v)
                    text = typed.get(memo, typed)
                    if text is typed:
                        try:
                            text = canonical_text(parse(v))
                        except excel.CellError as exc:
                            text = exc
                        if len(typed) < 100_000:
                            typed[memo] = text
                    if isinstance(text, excel.CellError):
                        bad = True
                        self.errors.add(row_error(number, self.headers[i], self.mapping[i], v,
                                                  text.message_zh, text.message_en))
                        text = None
                    cells[i] = text
                copy.write_row((number, *cells, bad))

    def _skip_example(self) -> int:
        """The template's untouched example row, as the first data row, is not data."""
        is_example = example_matcher(self.source.spec, self.mapping)
        if is_example is None:
            return 0
        cols = ", ".join(self._col(i) for i in range(self.width))
        self.cur.execute(f"SELECT _row, {cols} FROM ingest_stage ORDER BY _row LIMIT 1")  # noqa: S608
        first = self.cur.fetchone()
        if first is not None and is_example(list(first[1:])):
            self.cur.execute("DELETE FROM ingest_stage WHERE _row = %s", [first[0]])
            return 1
        return 0

    def _blank_sql(self) -> str:
        return " AND ".join(f"({self._col(i)} IS NULL OR {self._col(i)} ~ '^\\s*$')" for i in range(self.width))

    # --- 2. cells -----------------------------------------------------------------------------
    def _required(self, key: str) -> bool:
        return self.source.column(key).required or key == self.key

    def _canonical_sql(self) -> str:
        """Every free-text cell canonical: one predicate per column (one big regex over the joined
        row measured several times slower in PostgreSQL than small ones per cell)."""
        parts: list[str] = []
        for position in self.cell_positions:
            key = self.mapping[position]
            rule = _rule(self.source.column(key))
            c = self._col(position)
            if rule is None:
                return "false"
            test = f"{c} ~ {_literal('^(?:' + rule.regex + ')$')}"
            if rule.cheap:
                test += f" AND ({rule.cheap.replace('{c}', c)})"
            parts.append(f"({c} IS NOT NULL AND {test})" if self._required(key) else f"({c} IS NULL OR ({test}))")
        return " AND ".join(parts) or "true"

    def _fix_cells(self) -> None:
        """Parse the rows with a non-canonical free-text cell in Python, write back what they mean."""
        cols = [f"c{p}" for p in self.cell_positions]
        self.cur.execute(
            "CREATE TEMP TABLE ingest_fix (_row bigint, "
            + ", ".join(f"{_q(c)} text" for c in cols) + ", _bad boolean) ON COMMIT DROP"
        )
        select = ", ".join(_q(c) for c in cols)
        fixed = 0
        # A server-side cursor read in batches, each parsed and COPY'd before the next is fetched:
        # however many rows need Python, only one batch is in memory.
        with connection.connection.cursor(name="ingest_fix_cursor") as named:
            named.execute(
                f"SELECT _row, {select} FROM ingest_stage WHERE NOT _bad AND NOT ({self._canonical_sql()}) "  # noqa: S608
                "ORDER BY _row"
            )
            while batch := named.fetchmany(5000):
                with self.cur.cursor.copy(f"COPY ingest_fix (_row, {select}, _bad) FROM STDIN") as copy:
                    for row in self._parse_fallback(batch):
                        copy.write_row(row)
                        fixed += 1
        if not fixed:
            return
        sets = ", ".join(f"{_q(c)} = f.{_q(c)}" for c in cols)
        self.cur.execute(
            f"UPDATE ingest_stage s SET {sets}, _err = f._bad FROM ingest_fix f WHERE s._row = f._row"  # noqa: S608
        )

    def _parse_fallback(self, rows: Any) -> Iterator[tuple[Any, ...]]:
        plan = [(p, self.mapping[p], self.source.column(self.mapping[p])) for p in self.cell_positions]
        for record in rows:
            number = record[0] + self.row_offset
            out: list[Any] = [record[0]]
            bad = False
            for (position, key, column), raw in zip(plan, record[1:], strict=True):
                try:
                    value = column.parse(raw)
                    if value is None and self._required(key):
                        raise excel.CellError(*REQUIRED)
                except excel.CellError as exc:
                    bad = True
                    self.errors.add(row_error(number, self.headers[position], key, raw, exc.message_zh, exc.message_en))
                    out.append(None)
                    continue
                out.append(canonical_text(value))
            out.append(bad)
            yield tuple(out)

    def _survey(self) -> Survey:
        """One pass over the staged rows: how many there are, how many are blank, how many have a
        free-text cell that is not canonical, the distinct values of every dictionary column —
        each parsed once by the column's own parser into `ingest_d<position>` (raw, value, id of a
        reference, error)."""
        groups = self.dict_positions
        grouped = {p: f"GROUPING({self._col(p)}) = 0" for p in groups}
        position = ("CASE WHEN GROUPING(_blank) = 0 THEN -2 WHEN GROUPING(_odd) = 0 THEN -3 "
                    + " ".join(f"WHEN {grouped[p]} THEN {p}" for p in groups) + " ELSE -1 END")
        value = "CASE " + " ".join(f"WHEN {grouped[p]} THEN {self._col(p)}" for p in groups) + " END" if groups else "NULL"
        sets = ", ".join(["()", "(_blank)", "(_odd)", *(f"({self._col(p)})" for p in groups)])
        for p in self.dict_positions:
            field = self._field(self.mapping[p])
            kind = "text" if self.mapping[p] in self.ref_columns else _dict_sql_type(field)
            self.cur.execute(
                f"CREATE TEMP TABLE ingest_d{p} (raw text PRIMARY KEY, v {kind}, id bigint, zh text, en text) "
                "ON COMMIT DROP"
            )
        self.nulls: dict[int, int] = {}
        survey = Survey()
        parsers = {p: self.source.column(self.mapping[p]).parse for p in self.dict_positions}
        with connection.connection.cursor(name="ingest_survey_cursor") as named:
            named.execute(
                f"SELECT {position}, {value}, COALESCE(_blank, _odd), count(*) "  # noqa: S608
                f"FROM (SELECT *, {self._blank_sql()} AS _blank, NOT _bad AND NOT ({self._canonical_sql()}) AS _odd "
                f"FROM ingest_stage) s GROUP BY GROUPING SETS ({sets})"
            )
            # Each batch is parsed and COPY'd before the next is fetched (the connection can't
            # fetch from the cursor while a COPY is open): one batch in memory at a time.
            while batch := named.fetchmany(5000):
                out: dict[str, list[tuple[Any, ...]]] = {}
                for p, raw, flag, n in batch:
                    if p == -1:
                        survey.rows = n
                    elif p == -2:
                        survey.blank += n if flag else 0
                    elif p == -3:
                        survey.odd_text += n if flag else 0
                    elif raw is None:
                        self.nulls[p] = n
                    else:
                        target, row = self._parse_distinct(p, raw, parsers[p])
                        out.setdefault(target, []).append(row)
                for target, rows in out.items():
                    with self.cur.cursor.copy(f"COPY {target} FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
        return survey

    def _parse_distinct(self, position: int, raw: str, parse: Any) -> tuple[str, tuple[Any, ...]]:
        key = self.mapping[position]
        try:
            value = parse(raw)
            if value is None and self._required(key):
                raise excel.CellError(*REQUIRED)
        except excel.CellError as exc:
            return f"ingest_d{position} (raw, zh, en)", (raw, exc.message_zh, exc.message_en)
        if key in self.ref_columns and value is not None:
            value = str(value)  # matched as text, like the generic path's lookups
        return f"ingest_d{position} (raw, v)", (raw, value)

    def _field(self, key: str) -> models.Field | None:
        try:
            field = self.meta.get_field(key)
        except Exception:
            return None
        return field if isinstance(field, models.Field) else None

    def _resolve(self, column: str) -> None:
        """A reference dictionary's ids: the caller's visible targets, the first match field wins."""
        lookup, params = self._ref_lookup_sql(column)
        position = self.by_key[column]
        self.cur.execute(
            f"UPDATE ingest_d{position} d SET id = r.id FROM ({lookup}) r WHERE r.k = d.v",  # noqa: S608
            params,
        )

    def _cell_errors(self) -> None:
        """Rows with a cell its parser refused (or a required cell left empty) are errors, every
        such cell named, as the generic path names them; such rows go no further."""
        flagged = []
        for p in self.dict_positions:
            self.cur.execute(f"SELECT EXISTS (SELECT 1 FROM ingest_d{p} WHERE zh IS NOT NULL)")  # noqa: S608
            bad_values = self.cur.fetchone()[0]
            missing = self._required(self.mapping[p]) and self.nulls.get(p, 0) > 0
            if bad_values or missing:
                flagged.append((p, bad_values, missing))
        if not flagged:
            return
        joins = " ".join(f"LEFT JOIN ingest_d{p} d{p} ON d{p}.raw = s.{self._col(p)} AND d{p}.zh IS NOT NULL"
                         for p, bad_values, _ in flagged if bad_values)
        tests = [f"d{p}.raw IS NOT NULL" for p, bad_values, _ in flagged if bad_values]
        tests += [f"s.{self._col(p)} IS NULL" for p, _, missing in flagged if missing]
        picks = ", ".join(
            f"s.{self._col(p)}, " + (f"d{p}.zh, d{p}.en" if bad_values else "NULL::text, NULL::text")
            for p, bad_values, _ in flagged
        )
        where = f"NOT s._bad AND ({' OR '.join(tests)})"
        sql = f"SELECT s._row, {picks} FROM ingest_stage s {joins} WHERE {where} ORDER BY s._row"  # noqa: S608
        for batch in self._stream("ingest_cell_errors", sql):
            for record in batch:
                row, cells = record[0], record[1:]
                for i, (p, _, missing) in enumerate(flagged):
                    raw, zh, en = cells[3 * i : 3 * i + 3]
                    if zh is None and not (missing and raw is None):
                        continue
                    zh, en = (zh, en) if zh is not None else REQUIRED
                    self.errors.add(row_error(row + self.row_offset, self.headers[p], self.mapping[p], raw, zh, en))
        self.cur.execute(f"UPDATE ingest_stage s SET _err = true FROM (SELECT s._row FROM ingest_stage s {joins} "  # noqa: S608
                         f"WHERE {where}) b WHERE s._row = b._row")

    def _duplicates(self) -> None:
        """A key repeated among the rows without cell errors is an error on every later row. A
        unique index proves there is none (sorting the keys is cheaper than grouping them); only
        when it can't be built are the repeats looked for."""
        key_col = self._col(self.by_key[self.key])
        sid = transaction.savepoint()
        try:
            self.cur.execute(f"CREATE UNIQUE INDEX ingest_stage_key ON ingest_stage ({key_col}) WHERE NOT (_bad OR _err)")
        except IntegrityError:
            transaction.savepoint_rollback(sid)
        else:
            transaction.savepoint_commit(sid)
            self.cur.execute("DROP INDEX ingest_stage_key")  # it proved its point; scans are faster
            return
        repeats = (f"SELECT _row, first, k FROM (SELECT _row, {key_col} AS k, "  # noqa: S608
                   f"min(_row) OVER (PARTITION BY {key_col}) AS first FROM ingest_stage WHERE NOT (_bad OR _err)) d "
                   "WHERE _row <> first")
        header = self.headers[self.by_key[self.key]]
        for batch in self._stream("ingest_duplicates", repeats + " ORDER BY _row"):
            for row, first, key in batch:
                f = first + self.row_offset
                self.errors.add(row_error(row + self.row_offset, header, self.key, key,
                                          f"与第 {f} 行重复", f"duplicates row {f}"))
        self.cur.execute(f"UPDATE ingest_stage s SET _err = true FROM ({repeats}) d WHERE s._row = d._row")  # noqa: S608

    # --- 3. rows ------------------------------------------------------------------------------
    def _ref_lookup_sql(self, column: str) -> tuple[str, list[Any]]:
        """(match text, id) of the caller's visible targets; the first match field wins."""
        ref = self.ref_columns[column]
        qs = restrict(ref.model._default_manager.all(), self.actor, "view")
        parts, params = [], []
        for rank, field in enumerate(ref.match):
            sql, p = qs.values_list(field, "pk").query.sql_with_params()
            parts.append(f"SELECT m::text AS k, id, {rank} AS rank FROM ({sql}) q(m, id)")  # noqa: S608
            params += list(p)
        return (f"SELECT DISTINCT ON (k) k, id FROM ({' UNION ALL '.join(parts)}) u "  # noqa: S608
                "WHERE k IS NOT NULL ORDER BY k, rank, id"), params

    def _typed(self) -> None:
        fields = [f for f in self.meta.concrete_fields if not f.primary_key and f.name not in ("created_at", "updated_at")]
        table = _q(self.meta.db_table)
        selects, joins, params = ["s._row"], [], []
        key_pos = self.by_key[self.key]
        for position in self.dict_positions:
            key = self.mapping[position]
            names = [key + "__new", key + "__unknown"] if key in self.ref_columns else [key + "__new"]
            exprs, join, ps = self._dict_sql(position)
            selects += [f"{sql} AS {_q(name)}" for sql, name in zip(exprs, names, strict=True)]
            params += ps
            if join:
                joins.append(join)
        for position in self.cell_positions:
            key = self.mapping[position]
            if key != self.key:
                selects.append(f"s.{self._col(position)} AS {_q(key + '__new')}")
        selects.append(f"s.{self._col(key_pos)} AS {_q(self.key)}")
        selects.append("t.id AS _pk")
        for f in fields:
            selects.append(f"t.{_q(_c(f))} AS {_q(_c(f) + '__old')}")
        key_sql = f"t.{_q(_c(self.meta.get_field(self.key)))} = s.{self._col(key_pos)}"
        # Into an empty table (a first load) no row can match a stored one, so the stored side is
        # left out of the plan (the planner drops a join to a relation that is false): no hash of
        # the table's dead rows (a rolled-back load leaves a million) is built and probed per row.
        # Asking whether the table is empty costs nothing; asking whether any staged key is stored
        # was planned as a million index probes (2.3 s), so a table holding rows keeps the join.
        self.cur.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")  # noqa: S608
        stored = table if self.cur.fetchone()[0] else f"(SELECT * FROM {table} WHERE false)"  # noqa: S608
        joins.append(f"LEFT JOIN {stored} t ON {key_sql}")
        pre_sql = ("SELECT " + ", ".join(selects)  # noqa: S608
                   + " FROM ingest_stage s " + " ".join(joins) + " WHERE NOT (s._bad OR s._err) OFFSET 0")
        # Final values: the file's value, else the stored one, else the field's default — as
        # ModelImporter.apply does; then record_prepare's fill-ins and the derived facts.
        finals: list[str] = []
        for f in fields:
            name = f.name
            if name in self.rules.derived:
                continue
            default = self._default_sql(f)
            if name == self.key:
                finals.append(f"p.{_q(name)} AS {_q(_c(f))}")
            elif name in self.mapping.values():
                finals.append(f"COALESCE(p.{_q(name + '__new')}, p.{_q(_c(f) + '__old')}, {default}) AS {_q(_c(f))}")
            else:
                finals.append(f"CASE WHEN p._pk IS NULL THEN {default} ELSE p.{_q(_c(f) + '__old')} END AS {_q(_c(f))}")
        raws = [f"p.{_q(c + '__unknown')}" for c in self.ref_columns]
        old = [f"p.{_q(_c(f) + '__old')}" for f in fields]
        v1_sql = "SELECT p._row, p._pk, " + ", ".join(finals + raws + old) + f" FROM ({pre_sql}) p OFFSET 0"  # noqa: S608
        attnames = {f.name: _c(f) for f in fields}
        worker, project, department = (attnames.get(n) for n in ("worker", "project", "department"))
        fill: list[str] = []
        joins2 = ""
        if self.rules.worker_fills and worker and project and department:
            joins2 = (f" LEFT JOIN {_q('workers_worker')} w ON w.id = v.{_q(worker)}"
                      f" LEFT JOIN {_q('org_project')} pj ON pj.id = COALESCE(v.{_q(project)}, w.project_id)")
            fill = [f"COALESCE(v.{_q(project)}, w.project_id) AS {_q(project)}",
                    f"COALESCE(v.{_q(department)}, w.department_id, pj.department_id) AS {_q(department)}",
                    "w.vendor_id AS _worker_vendor"]
        filled = {project, department} if fill else set()
        keep = [f"v.{_q(_c(f))}" for f in fields if f.name not in self.rules.derived and _c(f) not in filled]
        rest = [f"v.{_q(c + '__unknown')}" for c in self.ref_columns]
        rest += [f"v.{_q(_c(f) + '__old')}" for f in fields]
        v2_sql = "SELECT v._row, v._pk, " + ", ".join(keep + fill + rest) + f" FROM ({v1_sql}) v" + joins2 + " OFFSET 0"  # noqa: S608
        derived = [f"({sql}) AS {_q(name)}" for name, sql in self.rules.derived.items()]
        # One statement, one materialisation: the steps above are nested subqueries, each fenced
        # (OFFSET 0) so that PostgreSQL computes its values once instead of inlining the
        # expressions into every later use (a cell's date was parsed four times per row).
        self.cur.execute(
            "CREATE TEMP TABLE ingest_typed ON COMMIT DROP AS SELECT v.*"  # noqa: S608
            + (", " + ", ".join(derived) if derived else "") + f" FROM ({v2_sql}) v",
            params,
        )
        self.fields = fields

    def _dict_sql(self, position: int) -> tuple[list[str], str, list[Any]]:
        """How the typed step reads a dictionary column: (expressions, join, parameters). The
        expressions are the value — for a reference its id, and whether the cell names a target
        the caller can't use. Rows with a refused value never reach the typed step, so only the
        good values matter. When every value is spelled as its own canonical text, a cast of the
        cell is that value; a short dictionary is written out as a CASE; only a long one is joined
        (a join per column per row was the typed step's largest cost)."""
        key = self.mapping[position]
        d, cell = f"ingest_d{position}", f"s.{self._col(position)}"
        ref = key in self.ref_columns
        kind = "bigint" if ref else _dict_sql_type(self._field(key))
        self.cur.execute(
            f"SELECT count(*), COALESCE(bool_and(v IS NOT NULL AND v::text = raw), true) FROM {d} WHERE zh IS NULL"  # noqa: S608
        )
        size, identity = self.cur.fetchone()
        if identity and not ref:
            return [f"{cell}::{kind}"], "", []
        if size > SHORT_DICTIONARY:
            alias = f"d{position}"
            join = f"LEFT JOIN {d} {alias} ON {alias}.raw = {cell} AND {alias}.zh IS NULL"
            if ref:
                return [f"{alias}.id", f"({alias}.v IS NOT NULL AND {alias}.id IS NULL)"], join, []
            return [f"{alias}.v"], join, []
        self.cur.execute(f"SELECT raw, {'id' if ref else 'v'}, v IS NOT NULL FROM {d} WHERE zh IS NULL ORDER BY raw")  # noqa: S608
        entries = self.cur.fetchall()
        known = [(raw, value) for raw, value, _ in entries if value is not None]
        value_sql = (f"CASE {cell} " + " ".join(f"WHEN %s THEN %s::{kind}" for _ in known) + " END"
                     if known else f"NULL::{kind}")
        params = [x for entry in known for x in entry]
        if not ref:
            return [value_sql], "", params
        unknown = [raw for raw, value, named in entries if value is None and named]
        return [value_sql, f"{cell} = ANY(%s)" if unknown else "false"], "", params + ([unknown] if unknown else [])

    @staticmethod
    def _default_sql(field: models.Field) -> str:
        if field.null and not field.has_default():
            return "NULL"
        return _literal(field.get_default())

    # --- 4. errors ----------------------------------------------------------------------------
    def _checks(self) -> dict[str, tuple[str, list[Any]]]:
        """The row-level checks, in the order the generic path makes them: references, the stored
        record's scope, model validation, the scope of what would be written. (name: SQL, params)"""
        checks: dict[str, tuple[str, list[Any]]] = {}
        for column in self.ref_columns:
            checks[f"ref:{column}"] = (_q(column + "__unknown"), [])
        vendor = _c(self.meta.get_field(self.source.vendor_path)) if self.source.vendor_path else None
        if self.vendor_ids is not None and vendor:
            checks["outside_existing"] = (
                f"_pk IS NOT NULL AND ({_q(vendor + '__old')} IS NULL OR NOT {_q(vendor + '__old')} = ANY(%s))",
                [self.vendor_ids])
        checks["field"] = (self._validation_sql(), [])
        if self.rules.worker_fills:
            checks["worker"] = ("_worker_vendor IS NOT NULL AND _worker_vendor <> vendor_id", [])
        if self.vendor_ids is not None and vendor:
            checks["outside_write"] = (f"{_q(vendor)} IS NULL OR NOT {_q(vendor)} = ANY(%s)", [self.vendor_ids])
        return checks

    def _row_errors(self) -> None:
        """The rows a check flagged, in one scan; per row the first failing kind wins."""
        checks = self._checks()
        names = list(checks)
        flags = ", ".join(f"COALESCE({sql}, false)" for sql, _ in checks.values())
        cols = ", ".join(_q(_c(f)) for f in self.fields)
        any_sql = " OR ".join(f"COALESCE({sql}, false)" for sql, _ in checks.values())
        params = [p for _, ps in checks.values() for p in ps]
        sql = f"SELECT _row, {flags}, {cols} FROM ingest_typed WHERE {any_sql} ORDER BY _row"  # noqa: S608
        for batch in self._stream("ingest_row_errors", sql, params + params):
            self._row_errors_of(names, batch)

    def _row_errors_of(self, names: list[str], flagged: list[tuple[Any, ...]]) -> None:
        n = len(names)
        unknown_rows = {c: [r[0] for r in flagged if r[1 + names.index(f"ref:{c}")]] for c in self.ref_columns}
        texts = {c: self._ref_texts(c, rows) for c, rows in unknown_rows.items() if rows}
        bad: list[int] = []
        key_header = self.headers[self.by_key[self.key]]
        names_of = [f.name for f in self.fields]
        for record in flagged:
            row = record[0]
            flag = dict(zip(names, record[1 : 1 + n], strict=True))
            values = record[1 + n :]
            number = row + self.row_offset
            key_value = values[names_of.index(self.key)]
            unknown = [c for c in self.ref_columns if flag[f"ref:{c}"]]
            if unknown:
                for column in unknown:
                    col = self.source.column(column)
                    label = self.ref_columns[column].label_zh or col.header_zh
                    text = texts[column].get(row)
                    self.errors.add(row_error(number, self.headers[self.by_key[column]], column, text,
                                              f"找不到{label}“{text}”",
                                              f"no {col.header_en} “{text}” that you may use"))
            elif flag.get("outside_existing"):
                self.errors.add(row_error(number, key_header, self.key, key_value, *OUTSIDE_EXISTING))
            elif flag["field"] or flag.get("worker"):
                if not self._validation_messages(number, flag["field"], bool(flag.get("worker")), values):
                    if not flag.get("outside_write"):
                        continue
                    self.errors.add(row_error(number, key_header, self.key, key_value, *OUTSIDE_WRITE))
            elif flag.get("outside_write"):
                self.errors.add(row_error(number, key_header, self.key, key_value, *OUTSIDE_WRITE))
            else:
                continue
            bad.append(row)
        if bad:
            self.cur.execute("DELETE FROM ingest_typed WHERE _row = ANY(%s)", [bad])

    def _ref_texts(self, column: str, rows: list[int]) -> dict[int, str]:
        """What the given rows' cells of a reference column say (as parsed), for messages."""
        position = self.by_key.get(column)
        if position is None or not rows:
            return {}
        self.cur.execute(
            f"SELECT s._row, d.v FROM ingest_stage s JOIN ingest_d{position} d ON d.raw = s.{self._col(position)} "  # noqa: S608
            "WHERE s._row = ANY(%s)", [rows],
        )
        return dict(self.cur.fetchall())

    def _validation_sql(self) -> str:
        """Rows that may fail model validation; their messages come from Django's own validators."""
        checks: list[str] = []
        for f in self.fields:
            c = _q(_c(f))
            if isinstance(f, models.CharField) and f.max_length:
                checks.append(f"char_length({c}) > {int(f.max_length)}")
            if isinstance(f, models.IntegerField) and not isinstance(f, models.AutoField):
                low, high = connection.ops.integer_field_range(f.get_internal_type())
                if low is not None:
                    checks.append(f"{c} < {int(low)}")
                if high is not None:
                    checks.append(f"{c} > {int(high)}")
                if isinstance(f, models.PositiveIntegerField | models.PositiveBigIntegerField | models.PositiveSmallIntegerField):
                    checks.append(f"{c} < 0")
            if not f.null and not f.has_default() and not isinstance(f, models.ForeignKey):
                checks.append(f"{c} IS NULL")
            if isinstance(f, models.CharField | models.TextField) and not f.blank:
                checks.append(f"{c} = ''")
            if isinstance(f, models.ForeignKey) and not f.null:
                checks.append(f"{c} IS NULL")
        return " OR ".join(checks) or "false"

    def _validation_messages(self, number: int, field_bad: bool, worker_bad: bool, values: Any) -> bool:
        messages: dict[str, list[str]] = {}
        if field_bad:
            for f, value in zip(self.fields, values, strict=True):
                if f.name in self.rules.derived:
                    continue
                if isinstance(value, Decimal) and value == value.to_integral_value() and isinstance(f, models.IntegerField):
                    value = int(value)
                try:
                    f.clean(value, None) if not isinstance(f, models.ForeignKey) else _fk_required(f, value)
                except ValidationError as exc:
                    messages[f.name] = list(exc.messages)
        if not messages and worker_bad:
            messages["worker"] = [str(self.rules.worker_vendor_message)]
        names = [f.name for f in self.fields]
        for name, texts in messages.items():
            position = self.by_key.get(name)
            header = self.headers[position] if position is not None else ""
            value = values[names.index(name)] if name in names else None
            if name in self.ref_columns:
                value = None
            for text in texts:
                self.errors.add(row_error(number, header, name if header else "", value, text, text))
        return bool(messages)

    def _tally(self, total: int) -> tuple[Counts, dict[str, set[int]], int]:
        """new / changed / unchanged, the ids each foreign key of the rows refers to, and how many
        rows a row-level check flags — one pass."""
        same = self._unchanged_sql()
        checks = self._checks()
        flagged = " OR ".join(f"COALESCE({sql}, false)" for sql, _ in checks.values())
        params = [p for _, ps in checks.values() for p in ps]
        fks = [f for f in self.fields if isinstance(f, models.ForeignKey)]
        sets = ", ".join(["()", *(f"({_q(_c(f))})" for f in fks)])
        which = "CASE " + " ".join(f"WHEN GROUPING({_q(_c(f))}) = 0 THEN {i}" for i, f in enumerate(fks)) + " END" if fks else "NULL"
        value = "CASE " + " ".join(f"WHEN GROUPING({_q(_c(f))}) = 0 THEN {_q(_c(f))}" for f in fks) + " END" if fks else "NULL"
        self.cur.execute(
            f"SELECT {which}, {value}, count(*) FILTER (WHERE _pk IS NULL), "  # noqa: S608
            f"count(*) FILTER (WHERE _pk IS NOT NULL AND NOT ({same})), "
            f"count(*) FILTER (WHERE _pk IS NOT NULL AND ({same})), count(*) FILTER (WHERE {flagged}) "
            f"FROM ingest_typed GROUP BY GROUPING SETS ({sets})", params,
        )
        counts = Counts(rows=total)
        ids: dict[str, set[int]] = {f.name: set() for f in fks}
        n_flagged = 0
        for which_fk, target, created, updated, unchanged, flags in self.cur.fetchall():
            if which_fk is None:
                counts.created, counts.updated, counts.unchanged, n_flagged = created, updated, unchanged, flags
            elif target is not None:
                ids[fks[which_fk].name].add(target)
        return counts, ids, n_flagged

    def _unchanged_sql(self) -> str:
        new = ", ".join(_q(_c(f)) for f in self.fields)
        old = ", ".join(_q(_c(f) + "__old") for f in self.fields)
        return f"({new}) IS NOT DISTINCT FROM ({old})"

    # --- 5. write -----------------------------------------------------------------------------
    def _lock_references(self, ids: dict[str, set[int]]) -> None:
        """Lock every row the written rows refer to, FOR KEY SHARE as a foreign-key check does: from
        here to COMMIT none can be deleted or change its key. A row deleted since it was resolved
        is an error on the rows referring to it, as if it had been gone before the upload."""
        for name, wanted in ids.items():
            if not wanted:
                continue
            field = self.meta.get_field(name)
            assert isinstance(field, models.ForeignKey)
            target = field.related_model._meta
            pk = _q(_c(field.target_field))
            self.cur.execute(
                f"SELECT {pk} FROM {_q(target.db_table)} WHERE {pk} = ANY(%s) FOR KEY SHARE",  # noqa: S608
                [sorted(wanted)],
            )
            gone = wanted - {r[0] for r in self.cur.fetchall()}
            if not gone:
                continue
            column = _q(_c(field))
            self.cur.execute(
                f"SELECT _row, {column} FROM ingest_typed WHERE {column} = ANY(%s) ORDER BY _row",  # noqa: S608
                [sorted(gone)],
            )
            hit = self.cur.fetchall()
            texts = self._ref_texts(name, [row for row, _ in hit]) if name in self.ref_columns else {}
            position = self.by_key.get(name)
            header = self.headers[position] if position is not None else ""
            label = str(field.verbose_name)
            for row, value in hit:
                shown = texts.get(row, value)
                self.errors.add(row_error(row + self.row_offset, header, name if header else "", shown,
                                          GONE[0].format(label=label, raw=shown),
                                          GONE[1].format(label_en=name, raw=shown)))

    def _write(self, counts: Counts, ids: dict[str, set[int]]) -> None:
        self._lock_references(ids)
        if self.errors.count:
            return
        # The clock, not now(): PostgreSQL's now() is the start of the transaction, which may be
        # older than the rows it would stamp (Django's auto_now uses the clock too).
        now = timezone.now()
        table = _q(self.meta.db_table)
        cols = [_q(_c(f)) for f in self.fields]
        self.trace("referenced rows locked")
        with fk_checks_done(self.meta.db_table) as skipped:
            self.trace(f"foreign-key triggers {'skipped' if skipped else 'kept'}")
            if counts.created:
                with indexes_rebuilt(self.meta.db_table, counts.created, allowed=not self.dry_run) as rebuilt:
                    self.trace(f"indexes {'dropped' if rebuilt else 'kept'}")
                    self.cur.execute(
                        f"INSERT INTO {table} ({', '.join(cols)}, created_at, updated_at) "  # noqa: S608
                        f"SELECT {', '.join(cols)}, %s, %s FROM ingest_typed WHERE _pk IS NULL", [now, now]
                    )
                    self.trace("inserted")
                if rebuilt:
                    self.trace("indexes built again")
            if counts.updated:
                # The join below is planned from the typed table's statistics (nothing else is).
                self.cur.execute("ANALYZE ingest_typed")
                sets = ", ".join(f"{c} = v.{c}" for c in cols)
                self.cur.execute(
                    f"UPDATE {table} t SET {sets}, updated_at = %s FROM ingest_typed v "  # noqa: S608
                    f"WHERE t.id = v._pk AND NOT ({self._unchanged_sql_v()})", [now]
                )
                self.trace("updated")
        if not counts.updated:
            return
        same = self._unchanged_sql()
        changes = ", ".join(
            f"'{f.attname}', CASE WHEN {_q(_c(f))} IS DISTINCT FROM {_q(_c(f) + '__old')} "
            f"THEN jsonb_build_array({_q(_c(f) + '__old')}, {_q(_c(f))}) END"
            for f in self.fields
        )
        content_type = ContentType.objects.get_for_model(self.model).pk
        self.cur.execute(
            "INSERT INTO core_auditlog (actor_id, at, action, content_type_id, object_id, object_repr, changes, reason) "  # noqa: S608
            f"SELECT %s, %s, 'update', %s, _pk::text, {self.rules.repr_sql}, "
            f"jsonb_strip_nulls(jsonb_build_object({changes})), %s "
            f"FROM ingest_typed WHERE _pk IS NOT NULL AND NOT ({same}) ORDER BY _row",
            [self.actor.pk, now, content_type, "数据接入 / ingest"],
        )

    def _unchanged_sql_v(self) -> str:
        new = ", ".join(f"v.{_q(_c(f))}" for f in self.fields)
        old = ", ".join(f"v.{_q(_c(f) + '__old')}" for f in self.fields)
        return f"({new}) IS NOT DISTINCT FROM ({old})"


class fk_checks_done:  # noqa: N801 - used as a with-block, like a function
    """Within the block, writes to `table` skip its foreign-key triggers — only where the caller has
    checked every reference and locked the referenced rows (FastIngest._lock_references), and
    only where the database role may (superuser, or PostgreSQL 15's `GRANT SET ON PARAMETER
    session_replication_role`) and the table has no trigger of its own that replica mode would
    silence too. Otherwise nothing changes and the triggers run as usual."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.previous: str | None = None

    def __enter__(self) -> bool:
        if not fk_triggers_skippable(self.table):
            return False
        with connection.cursor() as cur:
            cur.execute("SELECT current_setting('session_replication_role')")
            self.previous = cur.fetchone()[0]
            cur.execute("SET LOCAL session_replication_role = replica")
        return True

    def __exit__(self, exc_type: object, *exc: object) -> None:
        # After an error the transaction is rolled back, and SET LOCAL with it.
        if self.previous is not None and exc_type is None:
            with connection.cursor() as cur:
                cur.execute("SELECT set_config('session_replication_role', %s, true)", [self.previous])


class indexes_rebuilt:  # noqa: N801 - used as a with-block, like a function
    """Within the block, a large insert into `table` finds no index to grow: every index is dropped
    first — the plain ones, and the primary key and unique keys too where no other table's foreign
    key hangs on them — and built again after it by its own definition, in the same transaction.
    Building an index sorts its entries once; inserting a million rows one by one measured about
    seven times the work for the plain indexes, and the two keys alone doubled the insert
    (docs/ingest.md). A key rebuilt checks every row again, so a repeat that slipped in would fail
    the build and roll the whole load back: the table never commits without its keys. Only when
    the load is large against the table (REBUILD_MIN_ROWS new rows, and no more than
    REBUILD_EXISTING_PER_NEW stored rows per new one — a build reads the whole table), never in a
    dry run, and only when the table's lock comes within REBUILD_LOCK_WAIT: dropping an index locks
    the table against readers until COMMIT, so a reader already at work means the rows go in one
    by one instead."""

    def __init__(self, table: str, incoming: int, *, allowed: bool = True) -> None:
        self.table = table
        self.incoming = incoming
        self.allowed = allowed
        self.dropped: list[str] = []  # the statements that build them again, keys first

    def __enter__(self) -> bool:
        if not self.allowed or not rebuild_pays(self.table, self.incoming):
            return False
        table = _q(self.table)
        with connection.cursor() as cur:
            # (name, constraint or NULL, statement that builds it again); an index another
            # constraint depends on (conindid: another table's foreign key, an exclusion
            # constraint) stays: dropping it would need CASCADE.
            cur.execute(
                "SELECT c.relname, k.conname, CASE WHEN k.conname IS NOT NULL "
                "  THEN 'ALTER TABLE ' || %s || ' ADD CONSTRAINT ' || quote_ident(k.conname) || ' ' || pg_get_constraintdef(k.oid) "
                "  ELSE pg_get_indexdef(i.indexrelid) END "
                "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u') "
                "WHERE i.indrelid = %s::regclass AND i.indisvalid AND NOT EXISTS ("
                "  SELECT 1 FROM pg_constraint f WHERE f.conindid = i.indexrelid AND f.contype NOT IN ('p', 'u')) "
                "ORDER BY i.indisprimary DESC, i.indisunique DESC, c.relname", [table, self.table],
            )
            indexes = cur.fetchall()
            if not indexes:
                return False
            cur.execute("SELECT current_setting('lock_timeout')")
            previous = cur.fetchone()[0]
            sid = transaction.savepoint()
            try:
                cur.execute(f"SET LOCAL lock_timeout = '{int(REBUILD_LOCK_WAIT * 1000)}ms'")
                with _fk_checks_made(self.table):  # ALTER TABLE refuses a table with checks queued
                    for name, constraint, _ in indexes:
                        if constraint:
                            cur.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_q(constraint)}")
                        else:
                            cur.execute(f"DROP INDEX {_q(name)}")
            except OperationalError:  # the lock didn't come in time: insert row by row
                transaction.savepoint_rollback(sid)
                return False
            transaction.savepoint_commit(sid)
            cur.execute("SELECT set_config('lock_timeout', %s, true)", [previous])
        self.dropped = [statement for _, _, statement in indexes]
        return True

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is not None or not self.dropped:  # after an error the DROP is rolled back too
            return
        # PostgreSQL builds no index on a table with foreign-key checks still queued (where the
        # triggers ran, or rows written earlier in the transaction): they are made first.
        with _fk_checks_made(self.table), connection.cursor() as cur:
            # Each build may sort with two parallel workers (the second core), within this
            # transaction only; a sort of a million keys fits in the memory given.
            cur.execute(f"SET LOCAL max_parallel_maintenance_workers = {REBUILD_WORKERS}")
            cur.execute(f"SET LOCAL maintenance_work_mem = '{REBUILD_MEMORY}'")
            for statement in self.dropped:
                cur.execute(statement)


class _fk_checks_made:  # noqa: N801 - used as a with-block, like a function
    """Within the block, the table's deferred foreign-key checks queued so far are made (SET
    CONSTRAINTS … IMMEDIATE runs them now) and new ones are not deferred; after it, the constraints
    deferred by default are deferred again."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.deferred: list[str] = []

    def __enter__(self) -> None:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT quote_ident(conname), condeferred FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f' AND condeferrable", [self.table],
            )
            deferrable = cur.fetchall()
            if deferrable:
                cur.execute(f"SET CONSTRAINTS {', '.join(name for name, _ in deferrable)} IMMEDIATE")
        self.deferred = [name for name, initially_deferred in deferrable if initially_deferred]

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if self.deferred and exc_type is None:
            with connection.cursor() as cur:
                cur.execute(f"SET CONSTRAINTS {', '.join(self.deferred)} DEFERRED")


def rebuild_pays(table: str, incoming: int) -> bool:
    if incoming < REBUILD_MIN_ROWS or not getattr(settings, "INGEST_REBUILD_INDEXES", True):
        return False
    with connection.cursor() as cur:
        # Stored rows: the table's size now, at the density last measured (or ~50 rows a page).
        cur.execute(
            "SELECT pg_relation_size(oid) / 8192.0 * CASE WHEN relpages > 0 AND reltuples > 0 "
            "THEN reltuples / relpages ELSE 50 END FROM pg_class WHERE oid = %s::regclass", [table],
        )
        existing = float(cur.fetchone()[0] or 0)
    return existing <= incoming * REBUILD_EXISTING_PER_NEW


def fk_triggers_skippable(table: str) -> bool:
    if os.environ.get("INGEST_FK_TRIGGERS") == "always":  # the benchmark measures both ways
        return False
    with connection.cursor() as cur:
        if getattr(connection, "pg_version", 0) >= 150000:  # GRANT SET ON PARAMETER came with 15
            cur.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
        else:
            cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cur.fetchone()[0]:
            return False
        cur.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table])
        return bool(cur.fetchone()[0] == 0)


def process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) of a local process, from /proc; None elsewhere."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _c(field: Any) -> str:
    """A concrete field's column name (the stubs allow None, which concrete fields never have)."""
    return str(field.column)


def _fk_required(field: models.ForeignKey, value: Any) -> None:
    if value is None and not field.null:
        raise ValidationError("必填 / required")


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def ingest(source: IngestSource, fp: IO[bytes], filename: str, mapping: Mapping_, *, actor: Any,
           errors: ErrorLog, progress: Any = None, dry_run: bool = False) -> Counts:
    return FastIngest(source, mapping, actor=actor, errors=errors, progress=progress, dry_run=dry_run).run(fp, filename)

