"""Writes of the ingest app itself: the ImportRun history and uploads waiting for a worker
(imported data goes through the owning apps' services)."""

from __future__ import annotations

import logging
import re
import secrets
import shutil
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .choices import ImportPhase, ImportStatus
from .models import ImportRun

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from .importer import ImportResult

STORED_ERRORS = 10_000
UPLOAD_SUFFIXES = (".csv", ".xlsx")

logger = logging.getLogger(__name__)


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


def import_run_begin(*, run: ImportRun, sha256: str) -> ImportRun:
    """A queued run is picked up by a worker: it is running from now."""
    run.status = ImportStatus.RUNNING
    run.started_at = timezone.now()
    run.sha256 = sha256
    run.save(update_fields=["status", "started_at", "sha256"])
    return run


def import_run_progress(
    *, run: ImportRun, phase: str, rows_done: int, rows_total: int, percent: int
) -> None:
    """Record how far a running import is (the web page polls it)."""
    ImportRun.objects.filter(pk=run.pk).update(
        phase=phase, rows_done=rows_done, rows_total=rows_total, percent_done=percent
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
    if run.upload:
        run.phase = ImportPhase.WAITING
        run.rows_done = result.rows if result.ok else 0
        run.rows_total = result.rows
        run.percent_done = 100
    run.save()
    return run


def import_run_fail(*, run: ImportRun, message: str) -> ImportRun:
    """An import stopped for a reason that is not in the file: the run is failed, with one
    problem saying why, and no rows counted (the load was rolled back)."""
    from .report import Problem

    run.status = ImportStatus.FAILED
    run.finished_at = timezone.now()
    run.created = run.updated = run.unchanged = 0
    run.error_count = 1
    run.errors = [Problem(None, "", "", message).as_dict()]
    run.warnings = []
    fields = [
        "status",
        "finished_at",
        "created",
        "updated",
        "unchanged",
        "error_count",
        "errors",
        "warnings",
    ]
    if run.upload:
        run.phase = ImportPhase.WAITING
        run.rows_done = 0
        run.percent_done = 100
        fields += ["phase", "rows_done", "percent_done"]
    run.save(update_fields=fields)
    return run


# uploads from the web --------------------------------------------------------------------


def uploads_dir() -> Path:
    return Path(settings.REVDESK_UPLOADS)


def upload_file_name(name: str) -> str:
    """The last part of what the browser sent, without folders, control characters or a
    leading dot: the name the person knows their file by, safe to store."""
    base = PurePosixPath(name.replace("\\", "/")).name
    base = re.sub(r"[\x00-\x1f\x7f/:*?\"<>|]", "", base).strip().lstrip(".").strip()
    return base[-200:] or "upload.csv"


def import_run_queue(
    *,
    kind: str,
    upload: UploadedFile,
    actor,
    profile: str = "",
    encoding: str = "",
    dry_run: bool = False,
) -> ImportRun:
    """Keep an uploaded file under REVDESK_HOME/uploads, in a folder with a random name, record
    an ImportRun in status queued and hand it to a background worker."""
    from .tasks import import_run_execute_task

    name = upload_file_name(upload.name or "")
    folder = secrets.token_hex(16)
    target = uploads_dir() / folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("xb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        with transaction.atomic():
            run = ImportRun.objects.create(
                kind=kind,
                file_name=name,
                profile=profile[:100],
                encoding=encoding[:40],
                user=actor,
                user_name=actor.get_username(),
                dry_run=dry_run,
                started_at=timezone.now(),
                status=ImportStatus.QUEUED,
                upload=f"{folder}/{name}",
            )
            # The worker must find the run: hand it over once it is committed.
            transaction.on_commit(lambda: import_run_execute_task.enqueue(run_id=run.pk))
    except BaseException:
        shutil.rmtree(target.parent, ignore_errors=True)  # no run, no file kept
        raise
    return run


def import_run_execute(*, run_id: int) -> ImportRun | None:
    """Run a queued upload with the very importer `revdesk import` uses, as the person who
    uploaded it; then remove the stored file (the run keeps the report)."""
    from .importer import file_import
    from .profiles import ProfileError, profile_load
    from .progress import ImportRunProgress
    from .report import Problem

    claimed = ImportRun.objects.filter(pk=run_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None  # already run (a task delivered twice) or gone
    run = ImportRun.objects.select_related("user").get(pk=run_id)
    path = uploads_dir() / run.upload
    try:
        profile = profile_load(run.profile) if run.profile else None
        if profile is not None and profile.kind and profile.kind != run.kind:
            raise ProfileError(f"Profile {profile.name} is for {profile.kind}, not {run.kind}.")
        file_import(
            kind=run.kind,
            path=path,
            actor=run.user,
            profile=profile,
            dry_run=run.dry_run,
            encoding=run.encoding or None,
            progress=ImportRunProgress(run),
            run=run,
        )
    except Exception as error:  # a run must never stay "running" forever
        logger.exception("Import run %s stopped", run_id)
        message = (
            str(error)
            if isinstance(error, ProfileError)
            else f"Revdesk could not finish reading {run.file_name} ({type(error).__name__}: "
            f"{error}). This is a fault in Revdesk, not in your file: tell your administrator."
        )
        # file_import records its own failures; this covers what stopped before or around it.
        ImportRun.objects.filter(pk=run_id, status=ImportStatus.RUNNING).update(
            status=ImportStatus.FAILED,
            finished_at=timezone.now(),
            error_count=1,
            errors=[Problem(None, "", "", message).as_dict()],
            created=0,
            updated=0,
            unchanged=0,
        )
    finally:
        if run.upload and path.parent != uploads_dir():
            shutil.rmtree(path.parent, ignore_errors=True)
        ImportRun.objects.filter(pk=run_id).update(upload="")
    run.refresh_from_db()
    return run
