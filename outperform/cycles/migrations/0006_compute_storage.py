"""Compute speed, second pass (issue 4 §6): 25 % fill on cycles_appraisal instead of 30 %.

At 30 % a page took 13-14 opened rows (about 175 bytes each) and had no room for all of them to
grow to their computed size (about 450 bytes with the JSON summary) beside the old versions, which
stay until the transaction ends: on the 100,000-worker benchmark one update in five (19,106) left
its page and wrote an entry in each of the table's 16 indexes. At 25 % a page takes 11-12 opened
rows, 12 × (175 + 450) bytes fit in a page, and every update of the first compute is HOT. The
table is no larger for it: the rows that left their pages had added 3,820 pages (about 30 MB).
Only new pages take the new fill factor. PostgreSQL only; SQLite has no fill factor."""

from __future__ import annotations

from typing import Any

from django.db import migrations

FILLFACTOR = 25
PREVIOUS = 30  # 0002_appraisal_fillfactor


def set_fillfactor(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE cycles_appraisal SET (fillfactor = {FILLFACTOR})")


def previous_fillfactor(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE cycles_appraisal SET (fillfactor = {PREVIOUS})")


class Migration(migrations.Migration):
    dependencies = [("cycles", "0005_page_indexes")]

    operations = [migrations.RunPython(set_fillfactor, previous_fillfactor, elidable=False)]
