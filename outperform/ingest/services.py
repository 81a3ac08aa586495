"""Writes of the ingest app: upload a file, confirm its column mapping, dry-run or commit it
(inline, or as a background job when the file is large), and REST pushes with an idempotency key.

Every run is all-or-nothing: the rows are written inside one transaction that is rolled back when
any row has an error, or when it is a dry run — the preview and the commit go through the very same
code, so they can't disagree.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import time
import uuid
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outperform.access.scoping import scope_for
from outperform.core import excel
from outperform.core.audit import audit_create
from outperform.core.jobs import Progress, job_start
from outperform.core.models import Job, User

from . import fast
from .generic import Counts, GenericWriter
from .models import BatchOrigin, BatchState, ColumnMapping, IdempotentPush, IngestBatch
from .reading import (
    ErrorLog,
    Mapping_,
    check_mapping,
    file_hash,
    header_signature,
    mapping_from_json,
    mapping_to_json,
    open_table,
    suggest_mapping,
)
from .sources import IngestSource, get_source

JOB_TARGET = "outperform.ingest.tasks.run_batch_job"
MAX_PUSH_RECORDS = 10_000


def background_bytes() -> int:
    """Files larger than this run as a background job with a progress bar."""
    return int(getattr(settings, "INGEST_BACKGROUND_BYTES", 2 * 1024 * 1024))


def upload_dir() -> Path:
    d = Path(settings.MEDIA_ROOT) / "ingest"
    d.mkdir(parents=True, exist_ok=True)
    return d


def batch_path(batch: IngestBatch) -> Path:
    return upload_dir() / batch.stored_name


def source_for(actor: User, key: str) -> IngestSource:
    """The source, if the actor may fill it; PermissionDenied otherwise (unknown keys too)."""
    try:
        source = get_source(key)
    except KeyError:
        raise PermissionDenied from None
    if not source.may_ingest(scope_for(actor)):
        raise PermissionDenied
    return source


# --- upload and mapping ---------------------------------------------------------------------------


def batch_upload(*, actor: User, source_key: str, fileobj: IO[bytes], filename: str) -> IngestBatch:
    """Keep the file, read its header row and propose a mapping. SpreadsheetError if refused."""
    source = source_for(actor, source_key)
    suffix = Path(filename).suffix.lower()
    if suffix not in {".xlsx", ".csv", ".tsv", ".txt"}:
        raise excel.SpreadsheetError("只接受 .xlsx 或 .csv 文件", "only .xlsx and .csv files are accepted",
                                     "unsupported_type")
    stored = f"{actor.pk}-{uuid.uuid4()}{suffix}"
    path = upload_dir() / stored
    with path.open("wb") as out:
        fileobj.seek(0)
        while chunk := fileobj.read(1024 * 1024):
            out.write(chunk)
    try:
        with path.open("rb") as fp:
            digest, size = file_hash(fp)
            with open_table(fp, filename, source.spec) as table:
                headers = table.headers
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    remembered = ColumnMapping.objects.filter(source=source.key, signature=header_signature(headers)).first()
    mapping = suggest_mapping(source.spec, headers, remembered.mapping if remembered else None)
    return IngestBatch.objects.create(
        source=source.key, origin=BatchOrigin.UPLOAD, filename=filename[:255], file_hash=digest, file_size=size,
        stored_name=stored, headers=headers, mapping=mapping_to_json(mapping), created_by=actor,
    )


def batch_set_mapping(*, actor: User, batch: IngestBatch, mapping: Mapping_) -> IngestBatch:
    """Confirm the mapping (ValidationError naming the problem) and remember it for this source and
    this set of headers."""
    source = source_for(actor, batch.source)
    problems = check_mapping(source.spec, mapping, source.natural_key)
    if problems:
        raise ValidationError([str(p) for p in problems])
    batch.mapping = mapping_to_json(mapping)
    batch.save(update_fields=["mapping"])
    by_header = {batch.headers[p]: k for p, k in mapping.items() if p < len(batch.headers)}
    ColumnMapping.objects.update_or_create(
        source=source.key, signature=header_signature(batch.headers),
        defaults={"headers": batch.headers, "mapping": by_header, "updated_by": actor},
    )
    return batch


# --- running --------------------------------------------------------------------------------------


@dataclasses.dataclass
class RunResult:
    counts: Counts
    errors: ErrorLog
    header_errors: list[str]
    engine: str
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.errors.count and not self.header_errors


def batch_run(*, actor: User, batch: IngestBatch, dry_run: bool) -> IngestBatch:
    """Validate (dry run) or commit a batch: inline for small files, as a background job otherwise."""
    source_for(actor, batch.source)
    if batch.state in (BatchState.COMMITTED, BatchState.RUNNING):
        raise ValidationError("该批次已提交或正在处理 / This batch is committed or running")
    if batch.file_size > background_bytes():
        batch.state = BatchState.RUNNING
        label = (_("校验：%s") if dry_run else _("导入：%s")) % batch.filename
        batch.job = job_start(actor=actor, kind="ingest", label=label, target=JOB_TARGET,
                              kwargs={"batch_id": batch.pk, "actor_id": actor.pk, "dry_run": dry_run})
        batch.save(update_fields=["state", "job"])
        return batch
    return batch_execute(actor=actor, batch=batch, dry_run=dry_run)


def batch_execute(*, actor: User, batch: IngestBatch, dry_run: bool, job: Job | None = None) -> IngestBatch:
    source = source_for(actor, batch.source)
    mapping = mapping_from_json(batch.mapping)
    problems = check_mapping(source.spec, mapping, source.natural_key)
    progress = Progress(job)
    if problems:
        result = RunResult(Counts(), ErrorLog(), [str(p) for p in problems], "", 0.0)
    else:
        with batch_path(batch).open("rb") as fp:
            result = ingest_file(source=source, fp=fp, filename=batch.filename, mapping=mapping, actor=actor,
                                 dry_run=dry_run, progress=progress)
    _record(batch, result, dry_run=dry_run)
    if batch.committed:
        if batch.created or batch.updated:
            audit_create(actor, batch, reason=f"数据接入 / ingest: {batch.created} new, {batch.updated} changed")
        batch_path(batch).unlink(missing_ok=True)
    return batch


def _record(batch: IngestBatch, result: RunResult, *, dry_run: bool) -> None:
    c = result.counts
    batch.rows, batch.created, batch.updated, batch.unchanged = c.rows, c.created, c.updated, c.unchanged
    batch.error_count = result.errors.count
    batch.errors = result.errors.as_json()
    batch.header_errors = result.header_errors
    batch.engine = result.engine
    batch.seconds = round(result.seconds, 3)
    if not result.ok:
        batch.state = BatchState.INVALID
    elif dry_run:
        batch.state = BatchState.VALIDATED
    else:
        batch.state = BatchState.COMMITTED
        batch.committed_at = timezone.now()
    batch.save()


def ingest_file(*, source: IngestSource, fp: IO[bytes], filename: str, mapping: Mapping_, actor: User,
                dry_run: bool, progress: Any = None, engine: str | None = None) -> RunResult:
    """Read, validate and (unless dry_run or any error) write one file, all or nothing.

    engine: "copy" (PostgreSQL COPY + set-based SQL) or "generic"; by default the fastest one the
    database and the source allow.
    """
    started = time.perf_counter()
    errors = ErrorLog()
    chosen = engine or ("copy" if fast.supported(source) else "generic")
    try:
        with transaction.atomic():
            if chosen == "copy":
                counts = fast.ingest(source, fp, filename, mapping, actor=actor, errors=errors, progress=progress,
                                     dry_run=dry_run)
            else:
                with open_table(fp, filename, source.spec) as table:
                    total = _estimate_rows(fp, table)
                    writer = GenericWriter(source, table.headers, mapping, actor=actor, errors=errors,
                                           progress=progress, total=total)
                    counts = writer.feed(table.rows)
            if errors.count or dry_run:
                transaction.set_rollback(True)
    except excel.SpreadsheetError as exc:
        return RunResult(Counts(), errors, [str(exc)], chosen, time.perf_counter() - started)
    return RunResult(counts, errors, [], chosen, time.perf_counter() - started)


def _estimate_rows(fp: IO[bytes], table: excel.Table) -> int:
    """Data rows of a CSV, counted as line breaks (cheap; cells with line breaks make it a bit high)."""
    if table.source_format != "csv":
        return 0
    position = fp.tell()
    fp.seek(0)
    lines = 0
    while chunk := fp.read(4 * 1024 * 1024):
        lines += chunk.count(b"\n")
    fp.seek(position)
    return max(lines - table.header_row_number, 0)


# --- REST pushes ----------------------------------------------------------------------------------


class IdempotencyConflictError(Exception):
    """The Idempotency-Key was used before with another body."""


def push_records(*, actor: User, source_key: str, records: list[Any], idempotency_key: str = "") -> tuple[int, dict[str, Any]]:
    """Validate and write a JSON list of records, all or nothing. Returns (HTTP status, body).

    With an idempotency key, a repeat of the same body gets the stored answer without writing
    anything, and the same key with another body raises IdempotencyConflictError.
    """
    source = source_for(actor, source_key)
    body_hash = hashlib.sha256(
        json.dumps([source_key, records], sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()
    if idempotency_key:
        stored = IdempotentPush.objects.filter(user=actor, key=idempotency_key).first()
        if stored is not None:
            if stored.body_hash != body_hash:
                raise IdempotencyConflictError
            return stored.status_code, {**stored.response, "replayed": True}
    status, body = _push(source, actor, records)
    if idempotency_key:
        try:
            with transaction.atomic():
                IdempotentPush.objects.create(user=actor, key=idempotency_key[:200], source=source.key,
                                              body_hash=body_hash, status_code=status, response=body)
        except IntegrityError:  # a concurrent request with the same key won the race
            raise IdempotencyConflictError from None
    return status, body


def _push(source: IngestSource, actor: User, records: list[Any]) -> tuple[int, dict[str, Any]]:
    if not isinstance(records, list) or not records:
        return 400, {"detail": "请求体应为非空的 JSON 数组 / the body must be a non-empty JSON array"}
    if len(records) > MAX_PUSH_RECORDS:
        return 400, {"detail": f"一次最多 {MAX_PUSH_RECORDS} 条 / at most {MAX_PUSH_RECORDS} records per request"}
    # Every key any record uses becomes a column; unknown keys are an error, not silently dropped.
    fields: list[str] = []
    for record in records:
        if not isinstance(record, dict):
            return 400, {"detail": "每条记录应为 JSON 对象 / every record must be a JSON object"}
        for k in record:
            if k not in fields:
                fields.append(str(k))
    mapping: Mapping_ = {}
    unknown = []
    for position, name in enumerate(fields):
        column = source.spec.resolve_header(name)
        if column is None:
            unknown.append(name)
        else:
            mapping[position] = column.key
    problems = [str(p) for p in check_mapping(source.spec, mapping, source.natural_key)]
    if unknown:
        problems.append("未知字段 / unknown fields: " + ", ".join(unknown))
    if problems:
        return 400, {"detail": "；".join(problems)}
    rows = [(index, [record.get(name) for name in fields]) for index, record in enumerate(records)]
    errors = ErrorLog()
    started = time.perf_counter()
    with transaction.atomic():
        writer = GenericWriter(source, fields, mapping, actor=actor, errors=errors)
        counts = writer.feed(rows, skip_example=False)
        if errors.count:
            transaction.set_rollback(True)
    batch = IngestBatch.objects.create(
        source=source.key, origin=BatchOrigin.API, filename="REST", file_hash=_records_hash(records),
        rows=counts.rows, created=counts.created, updated=counts.updated, unchanged=counts.unchanged,
        error_count=errors.count, errors=errors.as_json(), engine="generic",
        state=BatchState.INVALID if errors.count else BatchState.COMMITTED,
        committed_at=None if errors.count else timezone.now(), created_by=actor,
        seconds=round(time.perf_counter() - started, 3),
    )
    if errors.count:
        return 400, {
            "batch": batch.pk, "error_count": errors.count,
            "errors": [{"index": e.row_number, "field": e.column_key, "value": e.value,
                        "message": e.message_zh, "message_en": e.message_en} for e in errors.kept],
        }
    if counts.created or counts.updated:
        audit_create(actor, batch, reason=f"数据接入 / ingest: {counts.created} new, {counts.updated} changed")
    return 200, {"batch": batch.pk, "rows": counts.rows, "created": counts.created, "updated": counts.updated,
                 "unchanged": counts.unchanged}


def _records_hash(records: list[Any]) -> str:
    return hashlib.sha256(json.dumps(records, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def database_is_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- error report ---------------------------------------------------------------------------------

REPORT_FULL_ROWS = 100_000  # above this the report holds only the rows with errors


def batch_error_report(batch: IngestBatch) -> bytes:
    """The uploaded file re-written with the bad cells red and commented (core.excel's report), so
    it can be corrected and uploaded again. The headers are the file's own, whatever they map to."""
    source = get_source(batch.source)
    mapping = mapping_from_json(batch.mapping)
    spec = _file_spec(source, batch.headers, mapping)
    errors = [
        excel.RowError(e["row"], e["column"], "", e["value"], e["zh"], e["en"]) for e in batch.errors
    ]
    bad_rows = {e.row_number for e in errors}
    with batch_path(batch).open("rb") as fp, open_table(fp, batch.filename, source.spec) as table:
        if batch.rows > REPORT_FULL_ROWS:
            table.rows = ((n, values) for n, values in table.rows if n in bad_rows)
        return excel.write_error_report(spec, table, errors)


def _file_spec(source: IngestSource, headers: list[str], mapping: Mapping_) -> excel.SheetSpec:
    """The source's columns renamed to the file's headers, so the report marks the file's columns."""
    columns = []
    for position, key in sorted(mapping.items()):
        if position < len(headers) and headers[position]:
            column = source.column(key)
            columns.append(dataclasses.replace(column, header_zh=headers[position], header_en=headers[position],
                                               aliases=(), required=False))
    try:
        return excel.SheetSpec(source.spec.title, columns)
    except ValueError:
        return source.spec


# --- housekeeping ---------------------------------------------------------------------------------


def ingest_cleanup(*, upload_days: int = 7, key_days: int = 30) -> dict[str, int]:
    """Remove uploads nobody committed within `upload_days` and idempotency keys older than
    `key_days` (a client retrying later than that is sending a new push). Batches stay as history."""
    now = timezone.now()
    stale = IngestBatch.objects.filter(created_at__lt=now - dt.timedelta(days=upload_days)).exclude(stored_name="")
    files = 0
    for batch in stale.only("pk", "stored_name"):
        path = batch_path(batch)
        if path.exists():
            path.unlink()
            files += 1
    stale.update(stored_name="")
    keys, _ = IdempotentPush.objects.filter(created_at__lt=now - dt.timedelta(days=key_days)).delete()
    return {"files": files, "keys": keys}
