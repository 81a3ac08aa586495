"""The generic ingest path: every database, every source. Rows are parsed as they stream in and
handled in chunks of CHUNK rows — references resolved, existing rows fetched by natural key, each
row validated like a form save, compared, and only new or changed rows written — with a constant
number of queries per chunk. The caller holds the one transaction and rolls back on any error."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from outperform.access.scoping import restrict, scope_for
from outperform.core.audit import audit_bulk, snapshot
from outperform.core.db import bulk_update_fast
from outperform.core.models import User

from .reading import ErrorLog, Mapping_, RowParser, example_matcher, row_error
from .sources import IngestSource

CHUNK = 2000
Progress = Callable[[int, int, str], None]

OUTSIDE_EXISTING = ("该记录不在您的权限范围内，不能修改", "this record is outside your scope and can't be changed")
OUTSIDE_WRITE = ("该行将写入您权限范围之外的数据", "this row would write outside your scope")


@dataclass
class Counts:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def prepare(objs: list[models.Model]) -> None:
    """Links a worker implies and derived columns, exactly as every other writer of records does."""
    from outperform.records.services import record_prepare

    for obj in objs:
        record_prepare(obj)
    if objs and type(objs[0]).__name__ == "Ticket":
        from outperform.records.sla.service import tickets_refresh_sla

        tickets_refresh_sla(objs, save=False)  # type: ignore[arg-type]


class GenericWriter:
    def __init__(self, source: IngestSource, headers: list[str], mapping: Mapping_, *, actor: User,
                 errors: ErrorLog, progress: Progress | None = None, total: int = 0) -> None:
        self.source = source
        self.actor = actor
        self.errors = errors
        self.progress = progress
        self.total = total
        self.parse = RowParser(source.spec, headers, mapping, source.natural_key)
        self.mapping = mapping
        self.width = max([len(headers), *(p + 1 for p in mapping)])
        self.key = source.natural_key
        self.key_header = self.parse.headers.get(self.key, source.column(self.key).header_zh)
        self.present = set(mapping.values())
        self.refs = [r for r in source.refs if r.column in self.present]
        self.ref_cache: dict[str, dict[str, Any]] = {r.column: {} for r in self.refs}
        self.ref_missing: dict[str, set[str]] = {r.column: set() for r in self.refs}
        self.seen: dict[Any, int] = {}
        self.counts = Counts()
        scope = scope_for(actor)
        self.vendor_ids = None if scope.whole_write else scope.vendor_ids
        self.vendor_attr = f"{source.vendor_path}_id" if source.vendor_path else "vendor_id"
        manager = source.model._default_manager
        self.manager = manager
        meta = source.model._meta
        self.update_fields = [
            f.name for f in meta.concrete_fields if not f.primary_key and f.name != "created_at"
        ]
        self.fk_fields = [r.column for r in source.refs]
        # Loaded with the existing rows so that deriving and validating them needs no query per row.
        self.related = [f for f in self.fk_fields if f in ("worker", "project")]

    # --- rows -------------------------------------------------------------------------------
    def feed(self, rows: Iterable[tuple[int, list[Any]]], *, skip_example: bool = True) -> Counts:
        chunk: list[tuple[int, dict[str, Any]]] = []
        is_example = example_matcher(self.source.spec, self.mapping) if skip_example else None
        for row_number, raw in rows:
            if is_example is not None:
                first, is_example = is_example, None
                if first(list(raw) + [None] * (self.width - len(raw))):
                    continue
            self.counts.rows += 1
            values = self.parse(row_number, raw, self.errors)
            if values is None:
                continue
            key = values[self.key]
            first = self.seen.setdefault(key, row_number)
            if first != row_number:
                self.errors.add(row_error(row_number, self.key_header, self.key, key,
                                          f"与第 {first} 行重复", f"duplicates row {first}"))
                continue
            chunk.append((row_number, values))
            if len(chunk) >= CHUNK:
                self.flush(chunk)
                chunk = []
        if chunk:
            self.flush(chunk)
        if self.progress is not None:
            self.progress(self.counts.rows, max(self.total, self.counts.rows), "")
        return self.counts

    def _resolve(self, chunk: list[tuple[int, dict[str, Any]]]) -> None:
        for ref in self.refs:
            cache, missing = self.ref_cache[ref.column], self.ref_missing[ref.column]
            wanted = {str(v[ref.column]) for _, v in chunk if v.get(ref.column) is not None} - set(cache) - missing
            if not wanted:
                continue
            q = Q()
            for f in ref.match:
                q |= Q(**{f"{f}__in": wanted})
            found: dict[str, Any] = {}
            for target in restrict(ref.model._default_manager.filter(q), self.actor, "view"):
                for f in reversed(ref.match):  # the first match field wins, as in the Excel import
                    found[str(getattr(target, f))] = target
            for raw in wanted:
                if raw in found:
                    cache[raw] = found[raw]
                else:
                    missing.add(raw)

    def flush(self, chunk: list[tuple[int, dict[str, Any]]]) -> None:
        self._resolve(chunk)
        keys = [v[self.key] for _, v in chunk]
        existing = {
            getattr(o, self.key): o
            for o in self.manager.filter(**{f"{self.key}__in": keys}).select_related(*self.related)
        }
        to_create: list[models.Model] = []
        to_update: list[tuple[models.Model, dict[str, Any]]] = []
        prepared: list[tuple[int, dict[str, Any], models.Model, dict[str, Any] | None]] = []
        importer = self.source.importer
        for row_number, values in chunk:
            resolved: dict[str, Any] = {}
            ok = True
            for ref in self.refs:
                raw = values.get(ref.column)
                if raw is None:
                    resolved[ref.column] = None
                    continue
                target = self.ref_cache[ref.column].get(str(raw))
                if target is None:
                    ok = False
                    column = self.source.column(ref.column)
                    self.errors.add(row_error(
                        row_number, self.parse.headers[ref.column], ref.column, raw,
                        f"找不到{ref.label_zh or column.header_zh}“{raw}”",
                        f"no {column.header_en} “{raw}” that you may use",
                    ))
                resolved[ref.column] = target
            if not ok:
                continue
            obj = existing.get(values[self.key])
            if obj is not None and self.vendor_ids is not None and getattr(obj, self.vendor_attr, None) not in self.vendor_ids:
                self.errors.add(row_error(row_number, self.key_header, self.key, values[self.key], *OUTSIDE_EXISTING))
                continue
            before = snapshot(obj) if obj is not None else None
            if obj is None:
                obj = self.source.model()
            importer.apply(obj, values, resolved)
            prepared.append((row_number, values, obj, before))
        prepare([obj for _, _, obj, _ in prepared])
        for row_number, values, obj, before in prepared:
            if not self._valid(row_number, values, obj):
                continue
            if before is None:
                to_create.append(obj)
            elif snapshot(obj) != before:
                to_update.append((obj, before))
            else:
                self.counts.unchanged += 1
        self.counts.created += len(to_create)
        self.counts.updated += len(to_update)
        if not self.errors.count:
            self._write(to_create, to_update)
        if self.progress is not None:
            self.progress(self.counts.rows, max(self.total, self.counts.rows), "")

    def _valid(self, row_number: int, values: dict[str, Any], obj: models.Model) -> bool:
        try:
            obj.clean_fields(exclude=self.fk_fields)
            obj.clean()
            for field_name in self.fk_fields:
                fk = obj._meta.get_field(field_name)
                if not fk.null and getattr(obj, f"{field_name}_id", None) is None:
                    raise ValidationError({field_name: "必填 / required"})
        except ValidationError as exc:
            for field_name, messages in exc.message_dict.items():
                header = self.parse.headers.get(field_name, "")
                for message in messages:
                    self.errors.add(row_error(row_number, header, field_name if header else "",
                                              values.get(field_name), message, message))
            return False
        if self.vendor_ids is not None and getattr(obj, self.vendor_attr, None) not in self.vendor_ids:
            self.errors.add(row_error(row_number, self.key_header, self.key, values[self.key], *OUTSIDE_WRITE))
            return False
        return True

    def _write(self, to_create: list[models.Model], to_update: list[tuple[models.Model, dict[str, Any]]]) -> None:
        if to_create:
            self.manager.bulk_create(to_create, batch_size=1000)
        if to_update:
            now = timezone.now()
            objs = [o for o, _ in to_update]
            for obj in objs:
                if hasattr(obj, "updated_at"):
                    obj.updated_at = now
            bulk_update_fast(self.source.model, objs, self.update_fields)
            # One audit row per changed record (what changed, before and after); new records are
            # summed up in the batch's own audit row.
            audit_bulk(self.actor, updated=to_update, reason="数据接入 / ingest")
