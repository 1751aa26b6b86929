"""Plans and crediting policies as records.

A plan version is the YAML text an analyst wrote (kept as written, so an export gives the
same file back) plus what it says, checked by the engine's plan format when it is saved.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from revdesk.foundation.models import BaseModel


class PlanVersion(BaseModel):
    """One version of one commission plan, effective-dated."""

    code = models.CharField(max_length=60, db_index=True)
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3)
    text = models.TextField(help_text="The plan file as written (YAML)")
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["code", "version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="plan_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version} ({self.name})"


class CreditingPolicy(BaseModel):
    """A numbered, written crediting policy and its machine-readable split by role."""

    number = models.CharField(max_length=40, unique=True, help_text="e.g. Policy 100")
    title = models.CharField(max_length=200)
    text = models.TextField(help_text="The policy as written (Markdown)")
    splits = models.JSONField(help_text='Share per role, e.g. {"specifying": "0.25", ...}')
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name_plural = "crediting policies"

    def __str__(self) -> str:
        return f"{self.number}: {self.title}"
