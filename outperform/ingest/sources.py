"""The record sources ingest can fill, seen through their importers: columns, natural key, references."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models

from outperform.access.scoping import Scope
from outperform.core import excel
from outperform.core.importing import ForeignRef, ModelImporter


@dataclass(frozen=True)
class IngestSource:
    key: str
    label: Any
    model: type[models.Model]
    importer: ModelImporter
    # Lookup from the record to its vendor, when a vendor manager may push this source.
    vendor_path: str | None

    @property
    def spec(self) -> excel.SheetSpec:
        return self.importer.sheet

    @property
    def natural_key(self) -> str:
        return self.importer.key

    @property
    def refs(self) -> tuple[ForeignRef, ...]:
        return tuple(self.importer.refs)

    def column(self, key: str) -> excel.Column:
        return self.spec.column(key)

    def may_ingest(self, scope: Scope) -> bool:
        """HR and the admin may fill every source; a vendor manager the sources about a vendor
        (only their vendor's rows, checked per row); nobody else."""
        if scope.whole_write:
            return True
        return bool(scope.vendor_ids) and self.vendor_path is not None


def all_sources() -> dict[str, IngestSource]:
    from outperform.records.registry import sources

    out: dict[str, IngestSource] = {}
    for key, source in sources().items():
        if source.importer is None:
            continue
        vendor_path = source.subject_paths.get("vendor")
        # Only a direct foreign key can be checked per row before writing.
        if vendor_path is not None and "__" in vendor_path:
            vendor_path = None
        out[key] = IngestSource(key, source.label, source.model, source.importer(), vendor_path)
    return out


def get_source(key: str) -> IngestSource:
    """KeyError for an unknown key or a source without an importer."""
    return all_sources()[key]


def sources_for(scope: Scope) -> list[IngestSource]:
    return [s for s in all_sources().values() if s.may_ingest(scope)]
