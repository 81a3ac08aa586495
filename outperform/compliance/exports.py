"""Export-only lists for the vendor-loop apps (compliance and standings).

Their rows are written through services (state machines, derived flags, computed standings), so the
lists export to .xlsx but never import: their resources set `importable = False`, and their
`importer` is an `Exporter` — a ModelImporter whose columns are display accessors ("vendor.name",
"get_state_display"). Every text cell still goes through the shared writer, which neutralises formulas.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar

from django.db import models
from django.utils import timezone

from outperform.core import excel
from outperform.core.crud import Col
from outperform.core.display import resolve
from outperform.core.importing import ModelImporter


class Exporter(ModelImporter):
    key = "pk"
    money: ClassVar[frozenset[str]] = frozenset()  # column keys holding fen, written in yuan

    def export_value(self, obj: models.Model, column: excel.Column) -> Any:
        value = resolve(obj, column.key)
        if column.key in self.money and isinstance(value, int) and not isinstance(value, bool):
            return Decimal(value) / 100  # exact: fen are integers
        if isinstance(value, models.Model):
            return str(value)
        if isinstance(value, list):
            return "；".join(str(v) for v in value)
        if isinstance(value, dict):
            return "；".join(f"{k}: {v}" for k, v in value.items())
        if isinstance(value, dt.datetime):
            # Excel has no time zones: the wall-clock time people saw on the page.
            return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
        return value


def exporter_for(model: type[models.Model], title: str, columns: Sequence[Col]) -> Exporter:
    spec = excel.SheetSpec(title, [
        excel.Column(c.accessor, str(c.label), str(c.label), excel.parse_text(),
                     number_format="#,##0.00" if c.money else None)
        for c in columns])
    cls = type(f"{model.__name__}Exporter", (Exporter,), {
        "model": model, "sheet": spec, "money": frozenset(c.accessor for c in columns if c.money)})
    return cls()
