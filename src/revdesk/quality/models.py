"""The weekly quality review: checklists and the reviews of sampled work.

Each week a sample of every person's completed work (closed cases, manual cash
applications; overrides of calculated figures from issue 4) is given to a peer, who checks
each item against the checklist of its source. An item passes when no question fails.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse

from revdesk.foundation.models import BaseModel

from .choices import Result

USER = settings.AUTH_USER_MODEL


class Checklist(BaseModel):
    """The questions a reviewer answers for one source of work. Each change is a new
    version; reviews keep the version they were made with, new reviews take the newest."""

    source = models.CharField(
        max_length=40, help_text="The source of work it checks: case, cash_application, override"
    )
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=100)
    questions = models.TextField(help_text="One question per line, each answered pass or fail")
    note = models.CharField(max_length=200, blank=True, help_text="What changed")

    class Meta:
        ordering = ["source", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["source", "version"], name="checklist_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def question_list(self) -> list[str]:
        return [line.strip() for line in self.questions.splitlines() if line.strip()]


class QualityReview(BaseModel):
    """One sampled item of one person's week, and what its reviewer found."""

    week = models.DateField(help_text="The Monday of the week the work was completed in")
    person = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="quality_reviews")
    team = models.ForeignKey("cases.Team", on_delete=models.PROTECT, related_name="quality_reviews")
    reviewer = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quality_reviews_to_do",
        help_text="A peer in the same team (never the person), else the team's senior or leader",
    )
    source = models.CharField(max_length=40)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    label = models.CharField(max_length=200, help_text="How the item read when it was sampled")
    url = models.CharField(max_length=300, blank=True, help_text="The item's page")
    completed_at = models.DateTimeField()
    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="reviews")
    answers = models.JSONField(
        default=list, blank=True, help_text="Per question: question, answer (pass/fail/na), note"
    )
    result = models.CharField(max_length=10, choices=Result.choices, default=Result.PENDING)
    findings = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-week", "person__username", "completed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["week", "content_type", "object_id"], name="quality_review_week_item"
            )
        ]
        indexes = [
            models.Index(fields=["reviewer", "result"]),
            models.Index(fields=["week", "team"]),
        ]

    def __str__(self) -> str:
        return f"Review of {self.label} ({self.week:%G-W%V})"

    def get_absolute_url(self) -> str:
        return reverse("web:quality_review", args=[self.pk])

    @property
    def week_label(self) -> str:
        return f"{self.week:%G-W%V}"
