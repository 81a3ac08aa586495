"""Builders of real spreadsheet files for the tests (no mocks: openpyxl, csv and zipfile)."""

from __future__ import annotations

import csv
import io
import struct
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from typing import Any

import openpyxl


def xlsx_bytes(rows: Iterable[Sequence[Any]], title: str = "Sheet1", extra_sheets: Sequence[str] = ()) -> bytes:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = title
    for row in rows:
        ws.append(list(row))
    for name in extra_sheets:
        workbook.create_sheet(name).append(["other"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Iterable[Sequence[Any]], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return text.getvalue().encode(encoding)


def rezip(data: bytes, *, add: dict[str, bytes] | None = None, replace: dict[str, bytes] | None = None) -> bytes:
    """Copy a zip, adding or replacing members (deflated)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = (replace or {}).get(info.filename, src.read(info.filename))
            dst.writestr(info.filename, content)
        for name, content in (add or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def raw_zip(entries: Sequence[tuple[str, bytes, int, int]]) -> bytes:
    """A zip written by hand: (name, deflated data, declared crc, declared size) per member.

    Lets a test declare sizes and CRCs that don't match the data, which zipfile won't write.
    """
    out = io.BytesIO()
    central = []
    for name, deflated, crc, size in entries:
        offset = out.tell()
        encoded = name.encode()
        out.write(struct.pack(
            "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(deflated), size, len(encoded), 0
        ))
        out.write(encoded)
        out.write(deflated)
        central.append(struct.pack(
            "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(deflated), size,
            len(encoded), 0, 0, 0, 0, 0, offset,
        ) + encoded)
    start = out.tell()
    for record in central:
        out.write(record)
    size = out.tell() - start
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central), size, start, 0))
    return out.getvalue()


def deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def raw_copy(data: bytes, *, lie: dict[str, bytes] | None = None) -> bytes:
    """Rewrite a zip by hand; for members in `lie`, declare that prefix's size and CRC while the
    deflate stream still holds the whole member."""
    entries = []
    for name, content in members(data).items():
        declared = (lie or {}).get(name, content)
        entries.append((name, deflate(content), zlib.crc32(declared), len(declared)))
    return raw_zip(entries)
