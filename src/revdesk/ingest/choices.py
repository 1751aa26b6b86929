from django.db import models


class ImportStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed (nothing saved)"
    DRY_RUN = "dry_run", "Dry run (nothing saved)"
