from django.db import models


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed (nothing saved)"
    DRY_RUN = "dry_run", "Dry run (nothing saved)"

    @classmethod
    def finished(cls) -> frozenset[str]:
        return frozenset({cls.SUCCEEDED, cls.FAILED, cls.DRY_RUN})


class ImportPhase(models.TextChoices):
    WAITING = "", "Waiting for a worker"
    CHECKING = "checking", "Checking every row"
    LOADING = "loading", "Saving (one transaction)"
