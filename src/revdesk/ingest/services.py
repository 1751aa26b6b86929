"""Writes of the ingest app itself: the ImportRun history (imported data goes through the
owning apps' services)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from .choices import ImportStatus
from .models import ImportRun

if TYPE_CHECKING:
    from .importer import ImportResult

STORED_ERRORS = 10_000


def import_run_start(
    *, kind: str, file_name: str, sha256: str, actor, profile: str, dry_run: bool
) -> ImportRun:
    authenticated = getattr(actor, "is_authenticated", False)
    return ImportRun.objects.create(
        kind=kind,
        file_name=file_name[:255],
        sha256=sha256,
        profile=profile[:100],
        user=actor if authenticated else None,
        user_name=actor.get_username() if authenticated else "system",
        dry_run=dry_run,
        started_at=timezone.now(),
    )


def import_run_finish(*, run: ImportRun, result: ImportResult) -> ImportRun:
    errors = result.errors
    run.status = ImportStatus(result.status)
    run.finished_at = timezone.now()
    run.rows = result.rows
    run.created = result.created
    run.updated = result.updated
    run.unchanged = result.unchanged
    run.error_count = len(errors)
    run.errors = [p.as_dict() for p in errors[:STORED_ERRORS]]
    run.warnings = [p.as_dict() for p in result.warnings[:STORED_ERRORS]]
    run.save()
    return run
