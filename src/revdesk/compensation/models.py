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


class RunStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEWED = "reviewed", "Reviewed"
    APPROVED = "approved", "Approved"
    PAID = "paid", "Paid"


class CommissionRun(BaseModel):
    """One calculation of every payee for a period or a range of periods, with its lineage.

    A run records what it was calculated from (input fingerprint, engine version, plan
    versions) and moves draft → reviewed → approved → paid; an approved or paid run's periods
    are locked: a later correction is an adjustment in a later period.
    """

    periods = models.CharField(max_length=40, help_text="As asked: 2026-10 or 2026-07..2026-09")
    period_first = models.CharField(max_length=7)
    period_last = models.CharField(max_length=7)
    starts_on = models.DateField(help_text="First day of the first period")
    ends_on = models.DateField(help_text="Last day of the last period")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.DRAFT)
    fingerprint = models.CharField(max_length=64, help_text="sha256 of everything calculated from")
    engine_version = models.CharField(max_length=20)
    plan_versions = models.JSONField(default=list, blank=True)
    totals = models.JSONField(
        default=dict, blank=True, help_text='Total per currency, e.g. {"USD": "1.00"}'
    )
    payee_count = models.PositiveIntegerField(default=0)
    line_count = models.PositiveIntegerField(default=0)
    notes = models.JSONField(
        default=list, blank=True, help_text="What was left out of the inputs, and why"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "starts_on", "ends_on"])]

    def __str__(self) -> str:
        return f"Run {self.pk} ({self.periods}, {self.get_status_display().lower()})"


class Payout(models.Model):
    """What one payee is paid for one period in a run (rounded, in the plan currency)."""

    run = models.ForeignKey(CommissionRun, on_delete=models.CASCADE, related_name="payouts")
    payee = models.ForeignKey("parties.Payee", on_delete=models.PROTECT, related_name="payouts")
    period = models.CharField(max_length=7)
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    currency = models.CharField(max_length=3)

    class Meta:
        ordering = ["run", "period", "payee__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "payee", "period", "currency"], name="payout_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.payee_id} {self.period}: {self.amount} {self.currency}"


class PayoutLine(models.Model):
    """One explanation line: why part of a payout is what it is (lineage to a transaction)."""

    run = models.ForeignKey(CommissionRun, on_delete=models.CASCADE, related_name="lines")
    payee = models.ForeignKey("parties.Payee", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=7)
    transaction_id = models.CharField(max_length=80, blank=True)
    credit_share = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    component = models.CharField(max_length=60, blank=True)
    tier = models.IntegerField(null=True, blank=True)
    rate = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    base = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    amount = models.DecimalField(max_digits=24, decimal_places=6)
    kind = models.CharField(max_length=20)

    class Meta:
        ordering = ["run", "payee", "period", "id"]
        indexes = [models.Index(fields=["run", "payee", "period"])]

    def __str__(self) -> str:
        return f"{self.transaction_id or self.kind}: {self.amount}"
