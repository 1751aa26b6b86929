"""Background tasks of the ingest app (Django tasks API): they only call services."""

from django_tasks import task


@task()
def import_run_execute_task(run_id: int) -> str:
    """Import an uploaded file queued by import_run_queue; returns the run's status."""
    from .services import import_run_execute

    run = import_run_execute(run_id=run_id)
    return run.status if run is not None else "skipped"
