"""Background tasks of the receivables app (Django tasks API): they only call services.

A bank file uploaded on the cash application page is read here (receivables.cash.cash_apply,
one transaction), so the request returns at once; the page polls the task's result
(docs/decisions/0006-background-work.md). The file waits under REVDESK_UPLOADS/cash, in a
folder with a random name, until the task has read it; the step the task is at is written
beside it (a file, not the database: the reading is one transaction the page cannot see
into). A file refused (its problems with line and column, read before, refused by the
ledger) is a result in plain words, not a failure; nothing of it is saved.
"""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path, PurePosixPath

from django.conf import settings
from django_tasks import task

STAGE_FILE = "stage.txt"


def _folder() -> Path:
    return Path(settings.REVDESK_UPLOADS) / "cash"


def _stored(upload: str) -> Path | None:
    """The stored file a task names (`<folder>/<name>`), only ever under the cash uploads: it
    is kept as <folder>/file/<name>, the step the task is at as <folder>/stage.txt."""
    parts = PurePosixPath(upload).parts
    if len(parts) != 2 or any(part in ("", ".", "..") for part in parts):
        return None
    return _folder() / parts[0] / "file" / parts[1]


@task()
def cash_file_read_task(
    upload: str, name: str, profile: dict | None = None, actor_id: int | None = None
) -> dict:
    """Read the stored file `upload` as `revdesk cash apply` does, as the person who uploaded
    it, then remove it. Returns {"ok": True, "bank_file": id, "receipts": n} or {"ok": False,
    "message": ..., "problems": [[file, line, column, message], ...]}."""
    from django.contrib.auth import get_user_model

    from revdesk.engine.bankfiles import BankFileError
    from revdesk.foundation.bulk import RowsRefused
    from revdesk.foundation.context import acting_as

    from .cash import AlreadyRead, cash_apply

    path = _stored(upload)
    if path is None or not path.is_file():
        return {"ok": False, "name": name, "message": f"{name} is no longer here: upload it again."}
    stage = path.parent.parent / STAGE_FILE

    def step(text: str) -> None:
        stage.write_text(text, encoding="utf-8")

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        with acting_as(actor, "web"):
            run = cash_apply(path=path, actor=actor, profile=profile, progress=step)
    except BankFileError as error:
        return {
            "ok": False,
            "name": name,
            "message": f"{name} was not read: nothing was saved.",
            "problems": [list(problem) for problem in error.problems],
        }
    except AlreadyRead as error:
        return {"ok": False, "name": name, "message": " ".join(error.messages)}
    except RowsRefused as error:
        return {
            "ok": False,
            "name": name,
            "message": f"{name} was not read (nothing was saved): the ledger refused "
            + "; ".join(r.message for r in error.refusals[:5]),
        }
    finally:
        shutil.rmtree(path.parent.parent, ignore_errors=True)
    return {
        "ok": True,
        "name": name,
        "bank_file": run.bank_file.pk,
        "receipts": run.summary.get("receipts", 0),
    }


def cash_file_queue(*, data, name: str, actor, profile: dict | None = None):
    """Keep an uploaded file (`data`: its chunks; `name`: a safe file name, the bank file's
    name) and hand its reading to a background worker; returns the task's result handle
    (finished already when the backend runs tasks at once)."""
    folder = secrets.token_hex(16)
    target = _stored(f"{folder}/{name}")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("xb") as handle:
            for chunk in data:
                handle.write(chunk)
        (target.parent.parent / STAGE_FILE).write_text("waiting for the background worker")
        actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
        return cash_file_read_task.enqueue(
            upload=f"{folder}/{name}", name=name, profile=profile, actor_id=actor_id
        )
    except BaseException:
        shutil.rmtree(target.parent.parent, ignore_errors=True)
        raise


def cash_file_result(result_id: str):
    """The result handle of a queued reading, or None (unknown id, another task, or a backend
    that keeps no results)."""
    from django_tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch

    try:
        return cash_file_read_task.get_result(result_id)
    except (TaskResultDoesNotExist, TaskResultMismatch, NotImplementedError, ValueError):
        return None


def cash_file_stage(result) -> str:
    """The step a running reading is at, in words ("" once finished or unknown)."""
    path = _stored(str(result.kwargs.get("upload", "")))
    if path is None:
        return ""
    try:
        return (path.parent.parent / STAGE_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return ""
