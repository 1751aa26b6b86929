"""Attachments on cases, stored safely.

- Size: at most settings.REVDESK_ATTACHMENT_MAX_BYTES (REVDESK_ATTACHMENT_MAX_MB, default 20).
- Type: decided from the file's first bytes (the `filetype` library), never from the name or
  the sender's Content-Type; only the kinds below are kept, and the name's extension must
  agree with what the bytes are (an .exe renamed .pdf is refused).
- Names: the sender's name is cleaned (no folders, no control characters, no leading dots)
  and only shown; the file is stored under a random name in the case's own folder, and is
  always downloaded as an attachment, never shown inline.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
import uuid
from pathlib import Path, PurePosixPath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from .choices import EventKind, Visibility
from .models import Attachment, Case, CaseEvent

#: Binary kinds by extension -> the MIME types their first bytes may show.
BINARY_KINDS: dict[str, set[str]] = {
    "pdf": {"application/pdf"},
    "png": {"image/png"},
    "jpg": {"image/jpeg"},
    "jpeg": {"image/jpeg"},
    "gif": {"image/gif"},
    "tif": {"image/tiff"},
    "tiff": {"image/tiff"},
    "xlsx": {
        "application/zip",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    },
    "docx": {
        "application/zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    },
    "xls": {"application/x-ole-storage", "application/vnd.ms-excel"},
    "doc": {"application/x-ole-storage", "application/msword"},
    "msg": {"application/x-ole-storage", "application/vnd.ms-outlook"},
    "zip": {"application/zip"},
}
#: Text kinds: no magic number; they must decode as text and hold no NUL bytes.
TEXT_KINDS: dict[str, str] = {
    "txt": "text/plain",
    "csv": "text/csv",
    "eml": "message/rfc822",
    "xml": "application/xml",
    "edi": "application/edi-x12",
    "820": "application/edi-x12",
    "bai": "text/plain",
    "bai2": "text/plain",
    "sta": "text/plain",
    "940": "text/plain",
    "html": "text/plain",  # kept as text: never served as a page
    "htm": "text/plain",
}
#: What we store each kind as (served with this type, as a download).
STORED_TYPE: dict[str, str] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "doc": "application/msword",
    "msg": "application/vnd.ms-outlook",
    "zip": "application/zip",
    **TEXT_KINDS,
}
ALLOWED_EXTENSIONS = sorted(STORED_TYPE)


class AttachmentRefused(ValidationError):
    """The file was not kept; the message says why in words for the person who sent it."""


def safe_name(name: str) -> str:
    """A display name without folders, control characters or tricks, at most 200 chars."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/")
    name = PurePosixPath(name).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip().lstrip(".")
    cleaned = get_valid_filename(name) if name else ""
    if not cleaned:
        cleaned = "attachment"
    stem, dot, ext = cleaned.rpartition(".")
    if dot and len(cleaned) > 200:
        cleaned = f"{stem[: 199 - len(ext)]}.{ext}"
    return cleaned[:200]


def _extension(name: str) -> str:
    _, dot, ext = name.rpartition(".")
    return ext.lower() if dot else ""


def _looks_like_text(data: bytes) -> bool:
    if b"\x00" in data[:65536]:
        return False
    sample = data[:65536]
    for encoding in ("utf-8", "cp1252", "latin-1"):
        try:
            sample.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def attachment_check(name: str, data: bytes) -> tuple[str, str]:
    """(safe name, stored content type), or AttachmentRefused saying why."""
    shown = safe_name(name)
    limit = settings.REVDESK_ATTACHMENT_MAX_BYTES
    if len(data) > limit:
        raise AttachmentRefused(
            f"{shown} is {len(data) / 1048576:.1f} MB; attachments may be at most "
            f"{limit / 1048576:.0f} MB."
        )
    if not data:
        raise AttachmentRefused(f"{shown} is empty.")
    ext = _extension(shown)
    if ext not in STORED_TYPE:
        raise AttachmentRefused(
            (
                f"{shown}: files of type .{ext} are not kept."
                if ext
                else f"{shown} has no type at the end of its name, so it was not kept."
            )
            + " Allowed: "
            + ", ".join(f".{e}" for e in ALLOWED_EXTENSIONS)
            + "."
        )
    kind = filetype.guess(data[:8192])
    if ext in BINARY_KINDS:
        if kind is None or kind.mime not in BINARY_KINDS[ext]:
            seen = kind.mime if kind else "not a recognisable file"
            raise AttachmentRefused(
                f"{shown} is named .{ext} but its content is {seen}: it was not kept."
            )
    elif kind is not None and kind.mime not in {"text/plain"}:
        raise AttachmentRefused(
            f"{shown} is named .{ext} but its content is {kind.mime}: it was not kept."
        )
    elif not _looks_like_text(data):
        raise AttachmentRefused(f"{shown} is named .{ext} but is not a text file: it was not kept.")
    return shown, STORED_TYPE[ext]


@transaction.atomic
def attachment_add(
    case: Case,
    *,
    name: str,
    data: bytes,
    actor=None,
    event: CaseEvent | None = None,
    visibility: str = Visibility.INTERNAL,
    now: dt.datetime | None = None,
) -> Attachment:
    """Keep a file on the case. Without an event, an 'Attachment added' line is written.

    Raises AttachmentRefused (nothing is stored) when the file is too big, empty, of a kind
    not kept, or not what its name says.
    """
    from .services import event_add

    shown, content_type = attachment_check(name, data)
    now = now or timezone.now()
    real = actor if getattr(actor, "is_authenticated", False) else None
    if event is None:
        event = event_add(
            case,
            kind=EventKind.ATTACHMENT,
            actor=real,
            body=shown,
            visibility=visibility,
            now=now,
        )
    attachment = Attachment(
        case=case,
        event=event,
        stored_name=f"{uuid.uuid4().hex}.{_extension(shown)}",
        name=shown,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=real,
        time=now,
    )
    attachment.file.save(attachment.stored_name, ContentFile(data), save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


def orphan_files_remove(older_than: dt.timedelta = dt.timedelta(hours=1)) -> int:
    """Delete stored files no attachment row points at (left by a transaction that rolled
    back after the file was written). Run by `revdesk cases tick`. Returns how many."""
    root = Path(settings.MEDIA_ROOT) / "cases"
    if not root.is_dir():
        return 0
    kept = set(Attachment.objects.values_list("file", flat=True))
    limit = timezone.now().timestamp() - older_than.total_seconds()
    removed = 0
    for path in root.glob("*/*"):
        relative = path.relative_to(settings.MEDIA_ROOT).as_posix()
        if path.is_file() and relative not in kept and path.stat().st_mtime < limit:
            path.unlink()
            removed += 1
    return removed
