"""Background tasks of the compensation app (Django tasks API): they only call services.

A calculation asked for in the browser runs here, so the request returns at once; the page
polls the task's result (docs/decisions/0006-background-work.md). A refusal (a locked period,
a plan missing) is a result in plain words, not a failure.
"""

from __future__ import annotations

from django_tasks import task


@task()
def run_create_task(periods: str, actor_id: int | None = None) -> dict:
    """Calculate `periods` as run_create does, as the person who asked.

    Returns {"ok": True, "run": id, "periods": ...} or {"ok": False, "message": ...}."""
    from django.contrib.auth import get_user_model

    from revdesk.foundation.context import acting_as

    from .runs import RunRefused, run_create

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        with acting_as(actor, "web"):
            run = run_create(periods, actor=actor)
    except RunRefused as error:
        return {"ok": False, "periods": periods, "message": str(error)}
    return {"ok": True, "periods": periods, "run": run.pk}


def run_create_queue(*, periods: str, actor):
    """Hand a calculation of `periods` to a background worker; returns the task's result
    handle (finished already when the backend runs tasks at once)."""
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    return run_create_task.enqueue(periods=periods, actor_id=actor_id)


def run_create_result(result_id: str):
    """The result handle of a queued calculation, or None (unknown id, another task, or a
    backend that keeps no results)."""
    from django_tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch

    try:
        return run_create_task.get_result(result_id)
    except (TaskResultDoesNotExist, TaskResultMismatch, NotImplementedError, ValueError):
        return None


def run_create_pending() -> list[dict]:
    """Calculations waiting for a worker or running, oldest first: {"id", "periods",
    "status" (READY or RUNNING), "enqueued_at"}. Only a backend that keeps results (the
    database) has any; the immediate backend has finished before the page is drawn."""
    from django_tasks import task_backends

    if not task_backends[run_create_task.backend].supports_get_result:
        return []
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:
        return []
    rows = DBTaskResult.objects.filter(
        task_path=run_create_task.module_path, status__in=("READY", "RUNNING")
    ).order_by("enqueued_at")
    return [
        {
            "id": str(row.pk),
            "periods": (row.args_kwargs or {}).get("kwargs", {}).get("periods", ""),
            "status": row.status,
            "enqueued_at": row.enqueued_at,
        }
        for row in rows[:50]
    ]
