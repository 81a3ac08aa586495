"""Room on every page of cycles_appraisal for the result columns that compute fills in.

An appraisal row is written twice: opened (about 200 bytes) and computed (about 450 bytes, with
the result and its JSON summary). None of the result columns is indexed, so PostgreSQL can update
the row in place on its page (a HOT update) - when the page has room. On full pages every update
instead writes a new row elsewhere and an entry in each of the table's 16 indexes: saving
100,000 results took 15 s that way and about 2 s with room (docs/cycles.md, "Compute").
30 % fill leaves room for every row of a page to grow to its computed size. PostgreSQL only;
SQLite has no fill factor."""

from __future__ import annotations

from typing import Any

from django.db import migrations

FILLFACTOR = 30


def set_fillfactor(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE cycles_appraisal SET (fillfactor = {FILLFACTOR})")


def reset_fillfactor(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cycles_appraisal RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("cycles", "0001_initial")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor, elidable=False)]
