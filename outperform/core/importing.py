"""Spreadsheet import and export of a model, on top of the Django-free `core.excel` layer.

An import is all-or-nothing: rows are parsed, foreign keys resolved in bulk (one query per
referenced model), existing rows found by natural key, every row validated, and then everything is
written in one transaction with one audit row per created or changed object. A dry run goes through
the very same path and rolls back, so the preview can't disagree with the commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q

from outperform.access.scoping import restrict, scope_for

from . import excel
from .audit import audit_bulk, snapshot
from .display import fen_to_yuan
from .faults import checkpoint
from .models import User


@dataclass(frozen=True)
class ForeignRef:
    """A column that names another object, matched against any of `match` fields."""

    column: str
    model: type[models.Model]
    match: tuple[str, ...] = ("code", "name")
    label_zh: str = ""
    # The target may be a row of the same file (a parent department listed in the same upload):
    # such references are assigned after the rows are inserted.
    same_file: bool = False


# Checks other apps run on each NEW row of an import before it is written (bulk_create sends no
# pre_save signal): fn(obj, memo) raises ValidationError({field: message}) to refuse the row. `memo` is
# a dict that lives for one import, so a check can look each vendor up once, not once per row.
CreateCheck = Callable[[models.Model, dict[Any, Any]], None]
_CREATE_CHECKS: dict[type[models.Model], list[CreateCheck]] = {}


def register_create_check(model: type[models.Model], check: CreateCheck) -> None:
    if check not in _CREATE_CHECKS.setdefault(model, []):
        _CREATE_CHECKS[model].append(check)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0
    errors: list[excel.RowError] = field(default_factory=list)
    committed: bool = False
    header_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.header_errors


def _error(row: int, col: excel.Column | None, value: Any, zh: str, en: str | None = None) -> excel.RowError:
    return excel.RowError(
        row_number=row,
        column_header=col.header_zh if col else "",
        column_key=col.key if col else "",
        value=value,
        message_zh=zh,
        message_en=en if en is not None else zh,
    )


class ModelImporter:
    model: ClassVar[type[models.Model]]
    sheet: ClassVar[excel.SheetSpec]
    key: ClassVar[str]  # natural key: a model field and the column of the same key
    refs: ClassVar[Sequence[ForeignRef]] = ()
    money_columns: ClassVar[frozenset[str]] = frozenset()  # model fields in fen, sheet in yuan

    # --- hooks -----------------------------------------------------------------------------
    def apply(self, obj: models.Model, values: dict[str, Any], resolved: dict[str, Any]) -> None:
        """Copy one parsed row onto obj. Empty cells of optional columns leave existing values."""
        for col in self.sheet.columns:
            if col.key in resolved:
                if resolved[col.key] is not None or col.required:
                    setattr(obj, col.key, resolved[col.key])
                continue
            if col.key not in values:
                continue
            value = values[col.key]
            if value is None and not col.required and obj.pk:
                continue
            if value is None:
                field_obj = obj._meta.get_field(col.key)
                assert isinstance(field_obj, models.Field)
                value = field_obj.get_default() if not field_obj.null else None
            setattr(obj, col.key, value)

    def export_value(self, obj: models.Model, column: excel.Column) -> Any:
        if column.key in {r.column for r in self.refs}:
            ref = next(r for r in self.refs if r.column == column.key)
            target = getattr(obj, column.key)
            return getattr(target, ref.match[0]) if target is not None else None
        value = getattr(obj, column.key)
        if column.key in self.money_columns:
            return fen_to_yuan(value)
        field_obj = obj._meta.get_field(column.key)
        if getattr(field_obj, "choices", None):
            return getattr(obj, f"get_{column.key}_display")()
        return value

    # --- import ----------------------------------------------------------------------------
    def run(self, fileobj: Any, filename: str, *, actor: User, dry_run: bool) -> ImportResult:
        table = excel.read_table(fileobj, filename, spec=self.sheet)
        outcome = excel.parse_rows(self.sheet, table)
        result = ImportResult(rows=len(outcome.rows), errors=list(outcome.errors))
        if outcome.missing_required_headers:
            result.header_errors.append(
                "缺少必填列 / Missing required columns: " + ", ".join(outcome.missing_required_headers)
            )
            return result
        with transaction.atomic():
            self._write(outcome.rows, actor, result)
            if not result.ok or dry_run:
                transaction.set_rollback(True)
            else:
                result.committed = True
        return result

    def _resolve_refs(
        self, rows: Sequence[excel.ParsedRow], actor: User | None, only: ForeignRef | None = None
    ) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for ref in (only,) if only is not None else self.refs:
            wanted = {r.values.get(ref.column) for r in rows} - {None}
            lookup: dict[str, Any] = {}
            if wanted:
                q = Q()
                for f in ref.match:
                    q |= Q(**{f"{f}__in": wanted})
                qs = ref.model._default_manager.filter(q)
                for target in restrict(qs, actor, "view") if actor is not None else qs:
                    for f in reversed(ref.match):  # the first match field wins on clashes
                        lookup[str(getattr(target, f))] = target
            found[ref.column] = lookup
        return found

    def _write(self, rows: Sequence[excel.ParsedRow], actor: User, result: ImportResult) -> None:
        columns = {c.key: c for c in self.sheet.columns}
        refs = self._resolve_refs(rows, actor)
        keys = [r.values.get(self.key) for r in rows if r.values.get(self.key) is not None]
        manager = self.model._default_manager
        existing = {getattr(o, self.key): o for o in manager.filter(**{f"{self.key}__in": keys})}
        changeable = set(
            restrict(manager.filter(**{f"{self.key}__in": keys}), actor, "change").values_list("pk", flat=True)
        )
        failed_rows = {e.row_number for e in result.errors}
        create_checks = _CREATE_CHECKS.get(self.model, [])
        memo: dict[Any, Any] = {}
        seen: dict[Any, int] = {}
        file_names = {
            str(r.values[f]) for r in rows for ref in self.refs if ref.same_file for f in ref.match
            if r.values.get(f) is not None
        }
        deferred: list[tuple[int, ForeignRef, str]] = []
        written: dict[int, models.Model] = {}
        to_create: list[tuple[int, models.Model]] = []
        to_update: list[tuple[int, models.Model, dict[str, Any]]] = []
        fk_fields = [r.column for r in self.refs]
        for row in rows:
            if row.row_number in failed_rows or not row.ok:
                continue
            key = row.values.get(self.key)
            if key in seen:
                result.errors.append(_error(
                    row.row_number, columns[self.key], key,
                    f"与第 {seen[key]} 行重复", f"duplicates row {seen[key]}",
                ))
                continue
            seen[key] = row.row_number
            resolved: dict[str, Any] = {}
            row_ok = True
            for ref in self.refs:
                raw = row.values.get(ref.column)
                if raw is None:
                    resolved[ref.column] = None
                    continue
                target = refs[ref.column].get(str(raw))
                if target is None and ref.same_file and str(raw) in file_names:
                    deferred.append((row.row_number, ref, str(raw)))
                    resolved[ref.column] = None
                    continue
                if target is None:
                    row_ok = False
                    result.errors.append(_error(
                        row.row_number, columns[ref.column], raw,
                        f"找不到{ref.label_zh or columns[ref.column].header_zh}“{raw}”",
                        f"no {columns[ref.column].header_en} “{raw}” that you may use",
                    ))
                resolved[ref.column] = target
            if not row_ok:
                continue
            obj = existing.get(key)
            if obj is not None and obj.pk not in changeable:
                result.errors.append(_error(
                    row.row_number, columns[self.key], key,
                    "该记录不在您的权限范围内，不能修改", "this record is outside your scope and can't be changed",
                ))
                continue
            before = snapshot(obj) if obj is not None else None
            if obj is None:
                obj = self.model()
            self.apply(obj, row.values, resolved)
            try:
                obj.clean_fields(exclude=fk_fields)
                obj.clean()
                for ref in self.refs:
                    fk = obj._meta.get_field(ref.column)
                    if not fk.null and getattr(obj, f"{ref.column}_id", None) is None:
                        raise ValidationError({ref.column: "必填 / required"})
                if before is None:
                    for check in create_checks:
                        check(obj, memo)
            except ValidationError as exc:
                for field_name, messages in exc.message_dict.items():
                    col = columns.get(field_name)
                    for message in messages:
                        result.errors.append(_error(row.row_number, col, row.values.get(field_name), message))
                continue
            written[row.row_number] = obj
            if before is None:
                to_create.append((row.row_number, obj))
            elif snapshot(obj) != before:
                to_update.append((row.row_number, obj, before))
            else:
                result.unchanged += 1
        if result.errors:
            return
        created = [o for _, o in to_create]
        manager.bulk_create(created, batch_size=1000)
        checkpoint("import_written")  # rows written, audit not yet: a crash here must leave nothing
        update_fields = [c.key for c in self.sheet.columns if c.key != self.key]
        manager.bulk_update([o for _, o, _ in to_update], update_fields, batch_size=1000)
        self._assign_deferred(deferred, written, columns)
        try:
            self.after_write()
        except ValidationError as exc:
            result.header_errors.extend(exc.messages)
            return
        self._check_write_scope(actor, to_create, to_update, columns[self.key], result)
        if result.errors:
            return
        updated = [(o, b) for _, o, b in to_update]
        audit_bulk(actor, created=created, updated=updated, reason="Excel import")
        self.written(created=created, updated=updated)
        result.created, result.updated = len(to_create), len(to_update)

    def _assign_deferred(
        self, deferred: list[tuple[int, ForeignRef, str]], written: dict[int, models.Model], columns: dict[str, Any]
    ) -> None:
        if not deferred:
            return
        # One lookup per referenced model, now that the file's own rows exist.
        fake_rows = [excel.ParsedRow(n, {ref.column: raw}) for n, ref, raw in deferred]
        lookups = {
            ref.column: self._resolve_refs(fake_rows, None, only=ref)[ref.column] for ref in {r for _, r, _ in deferred}
        }
        by_field: dict[str, list[models.Model]] = {}
        for row_number, ref, raw in deferred:
            obj = written[row_number]
            setattr(obj, ref.column, lookups[ref.column].get(raw))
            by_field.setdefault(ref.column, []).append(obj)
        for field_name, objs in by_field.items():
            self.model._default_manager.bulk_update(objs, [field_name])

    def after_write(self) -> None:
        """Hook run inside the import's transaction after the rows are written."""

    def written(self, *, created: Sequence[models.Model], updated: Sequence[tuple[models.Model, dict[str, Any]]]) -> None:
        """Hook run inside the import's transaction once the rows are written and audited: the rows
        created, and the rows changed with their state before (audit.snapshot). For announcing the
        file's changes once (transaction.on_commit): a dry run or a rejected file rolls back, and
        Django drops what was queued with it."""

    def _check_write_scope(
        self,
        actor: User,
        to_create: Iterable[tuple[int, models.Model]],
        to_update: Iterable[tuple[int, models.Model, dict[str, Any]]],
        key_col: excel.Column,
        result: ImportResult,
    ) -> None:
        rows_by_pk = {o.pk: (n, o) for n, o in to_create} | {o.pk: (n, o) for n, o, _ in to_update}
        if scope_for(actor).whole_write or not rows_by_pk:
            return
        allowed = set(
            restrict(self.model._default_manager.filter(pk__in=list(rows_by_pk)), actor, "change")
            .values_list("pk", flat=True)
        )
        for pk in sorted(set(rows_by_pk) - allowed, key=lambda p: rows_by_pk[p][0]):
            number, obj = rows_by_pk[pk]
            result.errors.append(_error(
                number, key_col, getattr(obj, self.key),
                "该行将写入您权限范围之外的数据", "this row would write outside your scope",
            ))

    # --- export ----------------------------------------------------------------------------
    def export(self, objects: Iterable[models.Model], mask: Callable[[models.Model, str, Any], Any] | None = None) -> bytes:
        def rows() -> Iterable[list[Any]]:
            for obj in objects:
                values = []
                for col in self.sheet.columns:
                    value = self.export_value(obj, col)
                    if mask is not None:
                        value = mask(obj, col.key, value)
                    values.append(value)
                yield values

        return excel.write_rows(self.sheet, rows(), self.sheet.title)

    def template(self) -> bytes:
        return excel.write_template(self.sheet)


def choice_parser(choices: type[models.TextChoices]) -> Callable[[Any], Any]:
    """Accept a choice by code, Chinese label or English label."""
    from django.utils import translation

    mapping: dict[str, str] = {}
    for value, label in choices.choices:
        mapping[str(value)] = value
        mapping[str(label)] = value
        with translation.override("en"):
            mapping[str(label)] = value
    for value, label in choices.choices:
        with translation.override("zh-hans"):
            mapping[str(label)] = value
    return excel.parse_choice(mapping)
