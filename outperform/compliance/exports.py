"""Excel export of the compliance lists. The lists are written through services (state machines,
derived flags), so they export but do not import: an `Exporter` is a ModelImporter whose columns are
display accessors ("vendor.name", "get_state_display") and whose routes never include an import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, ClassVar

from django.db import models

from outperform.core import excel
from outperform.core.crud import Col
from outperform.core.display import resolve
from outperform.core.importing import ModelImporter


class Exporter(ModelImporter):
    key = "pk"
    personal: ClassVar[dict[str, str]] = {}  # column key -> model field name, for masking

    def export_value(self, obj: models.Model, column: excel.Column) -> Any:
        value = resolve(obj, column.key)
        if isinstance(value, models.Model):
            return str(value)
        if isinstance(value, list):
            return "；".join(str(v) for v in value)
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None)
        return value


def exporter_for(model: type[models.Model], title: str, columns: Sequence[Col]) -> Exporter:
    spec = excel.SheetSpec(title, [excel.Column(c.accessor, str(c.label), str(c.label), excel.parse_text())
                                   for c in columns])
    cls = type(f"{model.__name__}Exporter", (Exporter,), {"model": model, "sheet": spec})
    return cls()
