"""The PostgreSQL fast path: COPY into a staging table, then set-based SQL.

1. Load. A clean CSV (UTF-8 or GB18030, header on row 1, no quotes, no blank lines) is piped to
   `COPY … FROM STDIN` as it is — PostgreSQL parses it; anything else (xlsx, quoted or odd CSV)
   is read by core.excel and its rows are COPY'd. Staged cells are raw text.
2. Cells. Each mapped column has a *canonical* SQL predicate: text the Python cell parser would
   return unchanged (a plain ISO date, a plain whole number, an exact choice spelling, clean text
   within its length). Rows with a cell that is not canonical — usually none — are fetched and parsed
   in Python by the very same cell parsers, and written back in canonical form or marked as errors.
   So the meaning of a cell can't differ from the generic path; only the speed does.
3. Rows. One CREATE TABLE AS joins the staged rows with the references (the caller's visible
   vendors, workers, projects, departments, matched like the Excel import: the first match field
   wins) and the existing records (by external id), and computes the final values the way
   `records.services.record_prepare` does (the worker's department and project, derived facts).
4. Errors. Duplicates, unknown references, rows outside the caller's scope, model validation
   (length, range, the worker's vendor) are found by set queries; messages name row and column.
5. Write. New rows are inserted, changed rows updated (`IS DISTINCT FROM`), unchanged rows left
   alone; each changed row gets one audit row built in SQL. All inside the caller's transaction.

`tests/test_fast.py` checks on PostgreSQL that this path and the generic path write identical rows.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from outperform.access.scoping import restrict, scope_for
from outperform.core import excel
from outperform.core.models import User

from .generic import OUTSIDE_EXISTING, OUTSIDE_WRITE, Counts
from .reading import ErrorLog, Mapping_, example_matcher, open_table, row_error
from .sources import IngestSource

_q = connection.ops.quote_name


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


def supported(source: IngestSource) -> bool:
    return (connection.vendor == "postgresql" and source.key in FAST_SOURCES and not source.spec.row_checks
            and all(_rule(source.column(k)) is not None or k in {r.column for r in source.refs}
                    for k in (c.key for c in source.spec.columns)))


# --- cells ----------------------------------------------------------------------------------------

# Characters clean_text leaves alone (printable, no width folding needed): ASCII without space,
# CJK ideographs and punctuation, general punctuation such as “” and —. "+" is left out so that
# scientific notation (1.1E+17, refused by the text parser) never looks canonical, and a leading "'"
# (dropped before a formula character) is left out of the first character.
_ASCII = r"!-*,-~"
_ASCII_FIRST = r"!-&(-*,-~"
_WIDE = r"\u3001-\u303f\u3400-\u4dbf\u4e00-\u9fff\u2010-\u2027\u2030-\u205e"
_FULL_WIDTH = r"\uff01-\uff5e"
_LATE_DAYS = [f"{m:02d}-{d}" for m in range(1, 13) for d in (29, 30, 31)
              if not (m == 2 or (d == 31 and m in (4, 6, 9, 11)))]


@dataclass(frozen=True)
class CellRule:
    """How a canonical cell looks (a regex for the whole cell, or a set of exact spellings, plus
    cheap SQL checks over {c}) and its typed value (SQL over {c})."""

    regex: str
    value: str  # SQL expression over {c}: the typed value
    to_text: Callable[[Any], str | None]  # parsed value -> canonical text
    cheap: str = ""  # more SQL checks over {c}, applied when the cell is not NULL
    params: tuple[Any, ...] = ()  # parameters of `cheap`, in order
    choices: tuple[str, ...] | None = None  # exact spellings, tested with = ANY() instead of the regex


def _closure(parser: Any) -> dict[str, Any]:
    fn = getattr(parser, "fn", parser)
    cells = getattr(fn, "__closure__", None) or ()
    return {name: cell.cell_contents for name, cell in zip(fn.__code__.co_freevars, cells, strict=False)}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _rule(column: excel.Column) -> CellRule | None:
    """The canonical form and typed value of a column, or None if there is none (then every cell of
    the column is parsed in Python)."""
    kind = getattr(column.parse, "kind", "")
    env = _closure(column.parse)
    if kind == "text" and not env.get("multiline"):
        wide = _WIDE + ("" if env.get("fold_width", True) else _FULL_WIDTH)
        regex = f"[{_ASCII_FIRST}{wide}](?:[{_ASCII}{wide} ]*[{_ASCII}{wide}])?"
        cheap = ["strpos({c}, '  ') = 0"]
        if env.get("max_length"):
            cheap.append(f"char_length({{c}}) <= {int(env['max_length'])}")
        if env.get("upper"):
            cheap.append("{c} = upper({c})")
        if env.get("lower"):
            cheap.append("{c} = lower({c})")
        return CellRule(regex, "{c}", _text, " AND ".join(cheap))
    if kind == "date":
        # Days 1-28 exist in every month; the later ones are listed (29 February is left to Python).
        cheap = ["(substr({c}, 9, 2) <= '28' OR substr({c}, 6, 5) = ANY(%s))"]
        params: list[Any] = [_LATE_DAYS]
        if env.get("min_date"):
            cheap.append("{c} >= %s")
            params.append(env["min_date"].isoformat())
        if env.get("max_date"):
            cheap.append("{c} <= %s")
            params.append(env["max_date"].isoformat())
        return CellRule(r"[1-9]\d{3}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])", "{c}::date",
                        lambda v: v.isoformat() if isinstance(v, dt.date) else _text(v),
                        " AND ".join(cheap), tuple(params))
    if kind == "int":
        low, high = env.get("min_value"), env.get("max_value")
        regex = r"0|[1-9]\d{0,8}" if low is not None and low >= 0 else r"0|-?[1-9]\d{0,8}"
        checks: list[str] = []
        values: list[Any] = []
        if low:
            checks.append("{c}::int >= %s")
            values.append(int(low))
        if high is not None:
            checks.append("{c}::int <= %s")
            values.append(int(high))
        # SQL may evaluate AND's operands in any order: CASE keeps the cast away from non-numbers.
        int_cheap = (r"CASE WHEN {c} ~ '^-?\d{1,9}$' THEN " + " AND ".join(checks) + " ELSE false END"
                     if checks else "")
        return CellRule(regex, "{c}::bigint", _text, int_cheap, tuple(values))
    if kind == "choice":
        exact: dict[str, Any] = env.get("exact", {})
        spellings = [k for k in exact if k and "\x1f" not in k]
        if not spellings:
            return None
        return CellRule("", "CASE {c} " + " ".join("WHEN %s THEN %s" for _ in exact) + " END", _text,
                        choices=tuple(spellings))
    if kind == "bool":
        return CellRule("", "({c} IN ('是', 'true', 'yes', '1', 'y'))",
                        lambda v: None if v is None else ("true" if v else "false"),
                        choices=("是", "否", "true", "false", "yes", "no", "1", "0", "y", "n"))
    return None


def _choice_params(column: excel.Column) -> list[Any]:
    exact = _closure(column.parse).get("exact", {})
    out: list[Any] = []
    for spelling, value in exact.items():
        out += [spelling, value]
    return out


# --- the run --------------------------------------------------------------------------------------


class FastIngest:
    def __init__(self, source: IngestSource, mapping: Mapping_, *, actor: User, errors: ErrorLog,
                 progress: Any = None) -> None:
        self.source = source
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
        scope = scope_for(actor)
        self.vendor_ids = None if scope.whole_write else sorted(scope.vendor_ids)
        self.started = time.perf_counter()

    def say(self, done: int, total: int, message: str) -> None:
        if os.environ.get("INGEST_TRACE"):  # step timings for the benchmark (docs/ingest.md)
            print(f"fast ingest {time.perf_counter() - self.started:.2f}s {message}", file=sys.stderr)
        if self.progress is not None:
            self.progress(done, total, message)

    def run(self, fp: IO[bytes], filename: str) -> Counts:
        with open_table(fp, filename, self.source.spec) as table:
            self.headers = table.headers
            self.width = len(table.headers)
            with connection.cursor() as cur:
                self.cur = cur
                # Hash joins and sorts over a million staged rows stay in memory (this transaction only).
                cur.execute("SET LOCAL work_mem = '128MB'")
                self._create_stage()
                if not self._load_raw(fp, table):
                    self._load_rows(table)
        with connection.cursor() as cur:
            self.cur = cur
            self.say(0, 0, "loaded")
            cur.execute(f"DELETE FROM ingest_stage WHERE {self._blank_sql()}")  # noqa: S608
            self._skip_example()
            cur.execute("SELECT count(*) FROM ingest_stage")
            total = cur.fetchone()[0]
            self.say(0, total, "校验单元格 / checking cells")
            self._fix_cells()
            self.say(total // 3, total, "校验行 / checking rows")
            self._duplicates()
            self.say(total // 3, total, "duplicates done")
            self._typed()
            self.say(total // 2, total, "typed done")
            self._row_errors()
            self.say(total // 2, total, "row errors done")
            counts = self._counts(total)
            if not self.errors.count:
                self.say(2 * total // 3, total, "写入 / writing")
                self._write()
            self.say(total, total, "")
            return counts

    # --- 1. load ------------------------------------------------------------------------------
    def _col(self, position: int) -> str:
        return _q(f"c{position}")

    def _create_stage(self) -> None:
        cols = ", ".join(f"{self._col(i)} text" for i in range(self.width))
        for table in ("ingest_stage", "ingest_fix", "ingest_typed"):
            self.cur.execute(f"DROP TABLE IF EXISTS {table}")
        self.cur.execute(
            f"CREATE TEMP TABLE ingest_stage (_row bigint GENERATED BY DEFAULT AS IDENTITY, {cols}, "
            "_bad boolean NOT NULL DEFAULT false) ON COMMIT DROP"
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
        with self.cur.cursor.copy(f"COPY ingest_stage ({cols}) FROM STDIN") as copy:
            for number, values in table.rows:
                bad = False
                cells: list[Any] = []
                for i, v in enumerate(values):
                    if v is None or type(v) is str:
                        cells.append(v)
                        continue
                    # A typed xlsx cell (number, date, bool): parsed here, staged canonical.
                    parse = parsers.get(i)
                    if parse is None:
                        cells.append(None)
                        continue
                    try:
                        cells.append(self._canonical_text(self.mapping[i], parse(v)))
                    except excel.CellError as exc:
                        bad = True
                        self.errors.add(row_error(number, self.headers[i], self.mapping[i], v,
                                                  exc.message_zh, exc.message_en))
                        cells.append(None)
                copy.write_row((number, *cells, bad))

    def _canonical_text(self, key: str, value: Any) -> str | None:
        rule = _rule(self.source.column(key))
        if rule is None:
            return _text(value.isoformat() if isinstance(value, dt.date) else value)
        return rule.to_text(value)

    def _skip_example(self) -> None:
        """The template's untouched example row, as the first data row, is not data."""
        is_example = example_matcher(self.source.spec, self.mapping)
        if is_example is None:
            return
        cols = ", ".join(self._col(i) for i in range(self.width))
        self.cur.execute(f"SELECT _row, {cols} FROM ingest_stage ORDER BY _row LIMIT 1")  # noqa: S608
        first = self.cur.fetchone()
        if first is not None and is_example(list(first[1:])):
            self.cur.execute("DELETE FROM ingest_stage WHERE _row = %s", [first[0]])

    def _blank_sql(self) -> str:
        return " AND ".join(f"({self._col(i)} IS NULL OR {self._col(i)} ~ '^\\s*$')" for i in range(self.width))

    # --- 2. cells -----------------------------------------------------------------------------
    def _canonical_sql(self) -> tuple[str, list[Any]]:
        """Every mapped cell canonical: one predicate per column (one big regex over the joined row
        measured several times slower in PostgreSQL than small ones per cell)."""
        parts: list[str] = []
        params: list[Any] = []
        for position, key in sorted(self.mapping.items()):
            column = self.source.column(key)
            rule = _rule(column)
            c = self._col(position)
            if rule is None:
                return "false", []
            if rule.choices is not None:
                test = f"{c} = ANY(%s)"
                params.append(list(rule.choices))
            else:
                test = f"{c} ~ %s"
                params.append(f"^(?:{rule.regex})$")
            if rule.cheap:
                test += f" AND ({rule.cheap.replace('{c}', c)})"
                params += list(rule.params)
            required = column.required or key == self.key
            parts.append(f"({c} IS NOT NULL AND {test})" if required else f"({c} IS NULL OR ({test}))")
        return " AND ".join(parts) or "true", params

    def _fix_cells(self) -> None:
        canonical, params = self._canonical_sql()
        cols = [f"c{p}" for p in sorted(self.mapping)]
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
                f"SELECT _row, {select} FROM ingest_stage WHERE NOT _bad AND NOT ({canonical})",  # noqa: S608
                params,
            )
            while batch := named.fetchmany(5000):
                with self.cur.cursor.copy(f"COPY ingest_fix (_row, {select}, _bad) FROM STDIN") as copy:
                    for row in self._parse_fallback(batch):
                        copy.write_row(row)
                        fixed += 1
        if fixed:
            sets = ", ".join(f"{_q(c)} = f.{_q(c)}" for c in cols)
            self.cur.execute(
                f"UPDATE ingest_stage s SET {sets}, _bad = f._bad FROM ingest_fix f WHERE s._row = f._row"  # noqa: S608
            )
        self.cur.execute("ANALYZE ingest_stage")

    def _parse_fallback(self, rows: Any) -> Iterator[tuple[Any, ...]]:
        plan = [(p, k, self.source.column(k)) for p, k in sorted(self.mapping.items())]
        for record in rows:
            number = record[0] + self.row_offset
            out: list[Any] = [record[0]]
            bad = False
            for (position, key, column), raw in zip(plan, record[1:], strict=True):
                try:
                    value = column.parse(raw)
                    if value is None and (column.required or key == self.key):
                        raise excel.CellError("必填，不能为空", "required; the cell is empty")
                except excel.CellError as exc:
                    bad = True
                    self.errors.add(row_error(number, self.headers[position], key, raw, exc.message_zh, exc.message_en))
                    out.append(None)
                    continue
                out.append(self._canonical_text(key, value))
            out.append(bad)
            yield tuple(out)

    # --- 3. rows ------------------------------------------------------------------------------
    def _value_sql(self, key: str) -> tuple[str, list[Any]]:
        column = self.source.column(key)
        position = self.by_key[key]
        rule = _rule(column)
        assert rule is not None
        sql = rule.value.replace("{c}", f"s.{self._col(position)}")
        params = _choice_params(column) if column.kind == "choice" else []
        return sql, params

    def _duplicates(self) -> None:
        key_col = self._col(self.by_key[self.key])
        self.cur.execute(
            f"SELECT _row, first FROM (SELECT _row, min(_row) OVER (PARTITION BY {key_col}) AS first "  # noqa: S608
            "FROM ingest_stage WHERE NOT _bad) d WHERE _row <> first ORDER BY _row"
        )
        dups = self.cur.fetchall()
        if dups:
            header = self.headers[self.by_key[self.key]]
            self.cur.execute(
                f"SELECT _row, {key_col} FROM ingest_stage WHERE _row = ANY(%s)", [[r for r, _ in dups]]  # noqa: S608
            )
            keys = dict(self.cur.fetchall())
            for row, first in dups:
                f = first + self.row_offset
                self.errors.add(row_error(row + self.row_offset, header, self.key, keys[row],
                                          f"与第 {f} 行重复", f"duplicates row {f}"))
            self.cur.execute("UPDATE ingest_stage SET _bad = true WHERE _row = ANY(%s)", [[r for r, _ in dups]])

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
        selects, joins, params, join_params = ["s._row"], [], [], []
        key_pos = self.by_key[self.key]
        for column in self.ref_columns:
            alias = f"r_{column}"
            lookup, lp = self._ref_lookup_sql(column)
            joins.append(f"LEFT JOIN ({lookup}) {alias} ON {alias}.k = s.{self._col(self.by_key[column])}")
            join_params += lp
            selects.append(f"s.{self._col(self.by_key[column])} AS {_q(column + '__raw')}")
            selects.append(f"{alias}.id AS {_q(column + '__new')}")
        for key in self.mapping.values():
            if key in self.ref_columns or key == self.key:
                continue
            sql, p = self._value_sql(key)
            selects.append(f"{sql} AS {_q(key + '__new')}")
            params += p
        params += join_params  # the joins follow the select list in the statement
        selects.append(f"s.{self._col(key_pos)} AS {_q(self.key)}")
        selects.append("t.id AS _pk")
        for f in fields:
            selects.append(f"t.{_q(_c(f))} AS {_q(_c(f) + '__old')}")
        joins.append(f"LEFT JOIN {table} t ON t.{_q(_c(self.meta.get_field(self.key)))} = s.{self._col(key_pos)}")
        pre_sql = ("SELECT " + ", ".join(selects)  # noqa: S608
                   + " FROM ingest_stage s " + " ".join(joins) + " WHERE NOT s._bad")
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
        raws = [f"p.{_q(c + '__raw')}" for c in self.ref_columns] + [f"p.{_q(c + '__new')} AS {_q(c + '__id')}" for c in self.ref_columns]
        old = [f"p.{_q(_c(f) + '__old')}" for f in fields]
        v1_sql = "SELECT p._row, p._pk, " + ", ".join(finals + raws + old) + f" FROM ({pre_sql}) p"  # noqa: S608
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
        rest = [f"v.{_q(c + '__raw')}" for c in self.ref_columns] + [f"v.{_q(c + '__id')}" for c in self.ref_columns]
        rest += [f"v.{_q(_c(f) + '__old')}" for f in fields]
        v2_sql = "SELECT v._row, v._pk, " + ", ".join(keep + fill + rest) + f" FROM ({v1_sql}) v" + joins2  # noqa: S608
        derived = [f"({sql}) AS {_q(name)}" for name, sql in self.rules.derived.items()]
        # One statement, one materialisation: the steps above are nested subqueries.
        self.cur.execute(
            "CREATE TEMP TABLE ingest_typed ON COMMIT DROP AS SELECT v.*"  # noqa: S608
            + (", " + ", ".join(derived) if derived else "") + f" FROM ({v2_sql}) v",
            params,
        )
        self.fields = fields
        self.cur.execute("ANALYZE ingest_typed")

    @staticmethod
    def _default_sql(field: models.Field) -> str:
        if field.null and not field.has_default():
            return "NULL"
        return _literal(field.get_default())

    # --- 4. errors ----------------------------------------------------------------------------
    def _row_errors(self) -> None:
        cur = self.cur
        bad: set[int] = set()
        # unknown references (every one of a row, like the generic path)
        for column, ref in self.ref_columns.items():
            cur.execute(
                f"SELECT _row, {_q(column + '__raw')} FROM ingest_typed "  # noqa: S608
                f"WHERE {_q(column + '__raw')} IS NOT NULL AND {_q(column + '__id')} IS NULL ORDER BY _row"
            )
            col = self.source.column(column)
            for row, raw in cur.fetchall():
                bad.add(row)
                self.errors.add(row_error(row + self.row_offset, self.headers[self.by_key[column]], column, raw,
                                          f"找不到{ref.label_zh or col.header_zh}“{raw}”",
                                          f"no {col.header_en} “{raw}” that you may use"))
        key_header = self.headers[self.by_key[self.key]]
        vendor = _c(self.meta.get_field(self.source.vendor_path)) if self.source.vendor_path else None
        if self.vendor_ids is not None and vendor:
            cur.execute(
                f"SELECT _row, {_q(self.key)} FROM ingest_typed WHERE _pk IS NOT NULL AND "  # noqa: S608
                f"({_q(vendor + '__old')} IS NULL OR NOT {_q(vendor + '__old')} = ANY(%s)) ORDER BY _row",
                [self.vendor_ids],
            )
            for row, key in cur.fetchall():
                if row not in bad:
                    bad.add(row)
                    self.errors.add(row_error(row + self.row_offset, key_header, self.key, key, *OUTSIDE_EXISTING))
        self._validation_errors(bad)
        if self.vendor_ids is not None and vendor:
            cur.execute(
                f"SELECT _row, {_q(self.key)} FROM ingest_typed WHERE "  # noqa: S608
                f"({_q(vendor)} IS NULL OR NOT {_q(vendor)} = ANY(%s)) ORDER BY _row", [self.vendor_ids],
            )
            for row, key in cur.fetchall():
                if row not in bad:
                    bad.add(row)
                    self.errors.add(row_error(row + self.row_offset, key_header, self.key, key, *OUTSIDE_WRITE))
        if bad:
            cur.execute("DELETE FROM ingest_typed WHERE _row = ANY(%s)", [sorted(bad)])

    def _validation_errors(self, bad: set[int]) -> None:
        """Rows that may fail model validation are found in SQL; their messages come from Django's
        own validators (clean_fields), so they read exactly as the generic path's."""
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
        worker_check = "_worker_vendor IS NOT NULL AND _worker_vendor <> vendor_id" if self.rules.worker_fills else "false"
        cols = ", ".join(_q(_c(f)) for f in self.fields)
        self.cur.execute(
            f"SELECT _row, ({' OR '.join(checks) or 'false'}) AS field_bad, ({worker_check}) AS worker_bad, {cols} "  # noqa: S608
            f"FROM ingest_typed WHERE ({' OR '.join(checks) or 'false'}) OR ({worker_check}) ORDER BY _row"
        )
        for record in self.cur.fetchall():
            row, field_bad, worker_bad, *values = record
            if row in bad:
                continue
            messages: dict[str, list[str]] = {}
            if field_bad:
                for f, value in zip(self.fields, values, strict=True):
                    if f.name in self.rules.derived:
                        continue
                    try:
                        f.clean(value, None) if not isinstance(f, models.ForeignKey) else _fk_required(f, value)
                    except ValidationError as exc:
                        messages[f.name] = list(exc.messages)
            if not messages and worker_bad:
                messages["worker"] = [str(self.rules.worker_vendor_message)]
            if not messages:
                continue
            bad.add(row)
            for name, texts in messages.items():
                position = self.by_key.get(name)
                header = self.headers[position] if position is not None else ""
                value = values[[f.name for f in self.fields].index(name)] if name in {f.name for f in self.fields} else None
                if name in self.ref_columns:
                    value = None
                for text in texts:
                    self.errors.add(row_error(row + self.row_offset, header, name if header else "", value, text, text))

    def _counts(self, total: int) -> Counts:
        same = self._unchanged_sql()
        self.cur.execute(
            f"SELECT count(*) FILTER (WHERE _pk IS NULL), count(*) FILTER (WHERE _pk IS NOT NULL AND NOT ({same})), "  # noqa: S608
            f"count(*) FILTER (WHERE _pk IS NOT NULL AND ({same})) FROM ingest_typed"
        )
        created, updated, unchanged = self.cur.fetchone()
        return Counts(rows=total, created=created, updated=updated, unchanged=unchanged)

    def _unchanged_sql(self) -> str:
        new = ", ".join(_q(_c(f)) for f in self.fields)
        old = ", ".join(_q(_c(f) + "__old") for f in self.fields)
        return f"({new}) IS NOT DISTINCT FROM ({old})"

    # --- 5. write -----------------------------------------------------------------------------
    def _write(self) -> None:
        # The clock, not now(): PostgreSQL's now() is the start of the transaction, which may be
        # older than the rows it would stamp (Django's auto_now uses the clock too).
        now = timezone.now()
        table = _q(self.meta.db_table)
        cols = [_q(_c(f)) for f in self.fields]
        self.cur.execute(
            f"INSERT INTO {table} ({', '.join(cols)}, created_at, updated_at) "  # noqa: S608
            f"SELECT {', '.join(cols)}, %s, %s FROM ingest_typed WHERE _pk IS NULL ORDER BY _row", [now, now]
        )
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
        sets = ", ".join(f"{c} = v.{c}" for c in cols)
        self.cur.execute(
            f"UPDATE {table} t SET {sets}, updated_at = %s FROM ingest_typed v "  # noqa: S608
            f"WHERE t.id = v._pk AND NOT ({self._unchanged_sql_v()})", [now]
        )

    def _unchanged_sql_v(self) -> str:
        new = ", ".join(f"v.{_q(_c(f))}" for f in self.fields)
        old = ", ".join(f"v.{_q(_c(f) + '__old')}" for f in self.fields)
        return f"({new}) IS NOT DISTINCT FROM ({old})"


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
           errors: ErrorLog, progress: Any = None) -> Counts:
    return FastIngest(source, mapping, actor=actor, errors=errors, progress=progress).run(fp, filename)


