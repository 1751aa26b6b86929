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
    currency = models.CharField(max_length=3, blank=True)
    kind = models.CharField(max_length=20)

    class Meta:
        ordering = ["run", "payee", "period", "id"]
        indexes = [models.Index(fields=["run", "payee", "period"])]

    def __str__(self) -> str:
        return f"{self.transaction_id or self.kind}: {self.amount}"


# -- claims ------------------------------------------------------------------------------------


class ClaimDecision(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"


class CreditClaim(BaseModel):
    """A claim for credit under a crediting policy, worked as a `commission_claim` case.

    The claim names the invoices it is about and, for each role of the policy's split, the
    payee who played it. Approved, it re-credits every line of those invoices (and of their
    credit memos) by the policy's split from the day it was approved: the engine pays or
    recovers the difference in the next open period, never by changing a closed one.
    """

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="claim")
    policy = models.ForeignKey(CreditingPolicy, on_delete=models.PROTECT, related_name="claims")
    claimant = models.ForeignKey(
        "parties.Payee", on_delete=models.PROTECT, related_name="claims_filed"
    )
    filed_on = models.DateField()
    decision = models.CharField(
        max_length=10, choices=ClaimDecision.choices, default=ClaimDecision.PENDING
    )
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-filed_on", "-id"]

    def __str__(self) -> str:
        return f"Claim {self.case.number} under {self.policy.number}"


class CreditClaimInvoice(models.Model):
    """An invoice the claim is about: all its lines are re-credited when it is approved."""

    claim = models.ForeignKey(CreditClaim, on_delete=models.CASCADE, related_name="invoices")
    invoice = models.ForeignKey(
        "receivables.Invoice", on_delete=models.PROTECT, related_name="credit_claims"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["claim", "invoice"], name="claim_invoice_unique")
        ]

    def __str__(self) -> str:
        return f"{self.claim_id}: invoice {self.invoice_id}"


class CreditClaimRole(models.Model):
    """Who played one role of the policy's split (e.g. specifying: REP-004)."""

    claim = models.ForeignKey(CreditClaim, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=40)
    payee = models.ForeignKey("parties.Payee", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["claim", "role"]
        constraints = [models.UniqueConstraint(fields=["claim", "role"], name="claim_role_unique")]

    def __str__(self) -> str:
        return f"{self.role}: {self.payee_id}"


class CreditSplit(BaseModel):
    """An explicit split of an order's credit between payees (shares add up to 1)."""

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="splits")
    payee = models.ForeignKey("parties.Payee", on_delete=models.PROTECT, related_name="+")
    share = models.DecimalField(max_digits=9, decimal_places=6)

    class Meta:
        ordering = ["order", "payee__code"]
        constraints = [
            models.UniqueConstraint(fields=["order", "payee"], name="credit_split_unique")
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.payee_id} {self.share}"


# -- what was actually paid, and its reconciliation ------------------------------------------


class PaidImport(BaseModel):
    """One file from payroll of what was actually paid (all-or-nothing, never loaded twice)."""

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, unique=True)
    row_count = models.PositiveIntegerField(default=0)
    totals = models.JSONField(default=dict, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.row_count} rows)"


class PaidLine(models.Model):
    """One amount paid to a payee for a period (and component, when payroll says)."""

    paid_import = models.ForeignKey(PaidImport, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField()
    payee = models.ForeignKey("parties.Payee", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=7)
    component = models.CharField(max_length=60, blank=True)
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    currency = models.CharField(max_length=3)
    paid_on = models.DateField()
    reference = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["paid_import", "line_number"]
        indexes = [models.Index(fields=["payee", "period"])]

    def __str__(self) -> str:
        return f"{self.payee_id} {self.period} {self.component or 'total'}: {self.amount}"


class Variance(BaseModel):
    """A difference between what a run calculated and what was paid, and the case about it."""

    run = models.ForeignKey(CommissionRun, on_delete=models.CASCADE, related_name="variances")
    payee = models.ForeignKey("parties.Payee", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=7)
    component = models.CharField(max_length=60, blank=True)
    currency = models.CharField(max_length=3)
    calculated = models.DecimalField(max_digits=18, decimal_places=2)
    paid = models.DecimalField(max_digits=18, decimal_places=2)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["run", "period", "payee__code", "component"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "payee", "period", "component", "currency"],
                name="variance_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.payee_id} {self.period}: {self.calculated} calculated, {self.paid} paid"


class Quota(BaseModel):
    """A payee's quota for one period (a month, quarter or year, as the plan measures it);
    it takes the place of the plan's own `quota` for that payee and period."""

    payee = models.ForeignKey("parties.Payee", on_delete=models.CASCADE, related_name="quotas")
    period = models.CharField(max_length=7, help_text="2026-10, 2026-Q4 or 2026")
    amount = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        ordering = ["payee__code", "period"]
        constraints = [models.UniqueConstraint(fields=["payee", "period"], name="quota_unique")]

    def __str__(self) -> str:
        return f"{self.payee_id} {self.period}: {self.amount}"
