"""The task table ingest writes a million rows into keeps exactly the indexes a query uses
(docs/records.md, "Indexes of the task table"): each costs every ingested row an index entry, so
one added by habit (a foreign key's own index, PostgreSQL's LIKE twin of a unique column) shows up
here and must be argued for there."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def indexes() -> set[tuple[tuple[str, ...], bool]]:
    with connection.cursor() as cur:
        found = connection.introspection.get_constraints(cur, "records_taskrecord")
    # SQLite reports the primary key and a unique column as constraints, PostgreSQL as indexes too.
    return {(tuple(c["columns"]), bool(c["unique"] or c["primary_key"]))
            for c in found.values() if c["index"] or c["primary_key"] or c["unique"]}


def test_the_task_table_has_seven_indexes_each_used_by_a_query() -> None:
    assert indexes() == {
        (("id",), True),  # primary key
        (("external_id",), True),  # the natural key: upserts, ingest's match of stored rows
        (("due_date",), False),  # list pages in date order, period metrics over everyone
        (("vendor_id", "due_date"), False),  # vendor metrics and scope; deleting a vendor
        (("worker_id", "due_date"), False),  # worker metrics, trends, a worker's own records
        (("project_id", "due_date"), False),  # project metrics (partial: set projects only)
        (("department_id", "due_date"), False),  # department metrics (partial: set departments only)
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="partial indexes and LIKE twins are PostgreSQL's")
def test_on_postgresql_no_like_twin_and_the_link_indexes_are_partial() -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'records_taskrecord'")
        defs = dict(cur.fetchall())
    assert not [d for d in defs.values() if "pattern_ops" in d]
    assert defs["records_task_project_due"].endswith("WHERE (project_id IS NOT NULL)")
    assert defs["records_task_department_due"].endswith("WHERE (department_id IS NOT NULL)")
