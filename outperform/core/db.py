"""Bulk writes faster than Django's bulk_update, whose CASE WHEN per row and field grows slow past a
few thousand rows. PostgreSQL: COPY into a temporary table, then one UPDATE … FROM. Other
databases: one prepared UPDATE run with executemany. Both run inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def bulk_update_fast(model: type[models.Model], objs: Sequence[models.Model], fields: Sequence[str]) -> int:
    if not objs:
        return 0
    meta = model._meta
    concrete = [meta.get_field(f) for f in fields]
    table = connection.ops.quote_name(meta.db_table)
    pk = meta.pk
    assert pk is not None
    if connection.vendor == "postgresql":
        return _postgres(objs, concrete, table, pk)
    columns = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in concrete)  # type: ignore[union-attr,arg-type]
    # Table and column names come from the model's metadata, quoted; values are parameters.
    sql = f"UPDATE {table} SET {columns} WHERE {connection.ops.quote_name(pk.column or 'id')} = %s"  # noqa: S608
    rows = [
        [f.get_db_prep_save(getattr(o, f.attname), connection) for f in concrete]  # type: ignore[union-attr]
        + [o.pk]
        for o in objs
    ]
    with connection.cursor() as cur:
        cur.executemany(sql, rows)
    return len(rows)


def _postgres(objs: Sequence[models.Model], fields: list[Any], table: str, pk: Any) -> int:
    from psycopg.types.json import Jsonb

    q = connection.ops.quote_name
    tmp = q(f"tmp_bulk_{table.strip(chr(34))}")
    cols = [f.column for f in fields]
    types = [f.db_type(connection) for f in fields]
    defs = ", ".join(f"{q(c)} {t}" for c, t in zip(cols, types, strict=True))
    is_json = [isinstance(f, models.JSONField) for f in fields]
    # Values are read before the COPY starts: reading a deferred field runs a query, and a query on
    # a connection in the middle of a COPY waits forever.
    rows = [
        [o.pk, *(Jsonb(v) if j and v is not None else v
                 for v, j in zip((getattr(o, f.attname) for f in fields), is_json, strict=False))]
        for o in objs
    ]
    with connection.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE {tmp} (_pk bigint, {defs}) ON COMMIT DROP")
        raw = cur.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {tmp} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        sets = ", ".join(f"{q(c)} = s.{q(c)}" for c in cols)
        cur.execute(f"UPDATE {table} t SET {sets} FROM {tmp} s WHERE t.{q(pk.column)} = s._pk")  # noqa: S608
        cur.execute(f"DROP TABLE {tmp}")
        return len(objs)
