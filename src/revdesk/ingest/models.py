"""The history of imports: one ImportRun per file imported (or tried)."""

from django.conf import settings
from django.db import models

from .choices import ImportPhase, ImportStatus


class ImportRun(models.Model):
    """One import of one file: who, when, what it did, and every problem found."""

    kind = models.CharField(max_length=40)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, blank=True)
    profile = models.CharField(max_length=100, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_runs",
    )
    user_name = models.CharField(max_length=150)
    dry_run = models.BooleanField(default=False)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=ImportStatus.choices, default=ImportStatus.RUNNING
    )
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="Every error (first 10,000)")
    warnings = models.JSONField(default=list, blank=True)
    # Uploads from the web: the file waits under REVDESK_HOME/uploads until a worker runs it.
    upload = models.CharField(
        max_length=255, blank=True, help_text="Stored file, relative to REVDESK_HOME/uploads"
    )
    encoding = models.CharField(max_length=40, blank=True)
    phase = models.CharField(max_length=20, choices=ImportPhase.choices, blank=True)
    rows_done = models.PositiveIntegerField(default=0, help_text="Rows done in this phase")
    rows_total = models.PositiveIntegerField(
        default=0, help_text="Rows in the file, once known (0: not yet)"
    )
    percent_done = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["kind", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.get_status_display()})"
