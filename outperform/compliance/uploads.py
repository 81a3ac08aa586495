"""Upload safety for evidence attachments: a size limit and a type check by content.

The suffix alone proves nothing (a renamed executable is still an executable), so the first bytes
must match what the suffix claims; text must decode as UTF-8 without NUL bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024

ZIP = (b"PK\x03\x04",)
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
SIGNATURES: dict[str, tuple[bytes, ...] | None] = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": ZIP,
    ".xlsx": ZIP,
    ".zip": ZIP,
    ".doc": OLE,
    ".xls": OLE,
    ".txt": None,  # checked as text
}


def max_bytes() -> int:
    return min(EVIDENCE_MAX_BYTES, int(getattr(settings, "OUTPERFORM_MAX_UPLOAD_BYTES", EVIDENCE_MAX_BYTES)))


def check_upload(upload: Any) -> None:
    """Raise ValidationError({"file": …}) naming what is wrong with the upload."""
    if upload is None:
        raise ValidationError({"file": _("请选择文件 / Choose a file")})
    limit = max_bytes()
    if not upload.size:
        raise ValidationError({"file": _("文件为空 / The file is empty")})
    if upload.size > limit:
        raise ValidationError({"file": _("文件过大（最大 %(mb)s MB）/ The file is too large (%(mb)s MB at most)")
                               % {"mb": limit // (1024 * 1024)}})
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in SIGNATURES:
        raise ValidationError({"file": _("不支持的文件类型，允许：%s / Unsupported file type")
                               % "、".join(sorted(SIGNATURES))})
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    signatures = SIGNATURES[suffix]
    if signatures is None:
        ok = b"\x00" not in head and _decodes(head)
    else:
        ok = any(head.startswith(sig) for sig in signatures)
    if not ok:
        raise ValidationError({"file": _("文件内容与扩展名 %s 不符 / The content does not match the file type")
                               % suffix})


def _decodes(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the 4 KB window is fine.
        return exc.start >= len(head) - 3
    return True
