"""The receivables ledger: invoices, credit memos, payments and what each payment paid.

An invoice's balance is kept by services (receivables.services) in Decimal, never summed in
SQLite SQL (see docs/decisions/0002-money.md).
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from revdesk.foundation.fields import CurrencyField, MoneyField
from revdesk.foundation.models import BaseModel
from revdesk.orders.models import Order
from revdesk.parties.choices import Segment
from revdesk.parties.models import Customer

from . import rules
from .choices import (
    ActivityKind,
    CallOutcome,
    DocumentKind,
    DunningAction,
    InvoiceStatus,
    PaymentMethod,
    PromiseStatus,
    ReceiptStatus,
    SuggestionStatus,
)


def _settled(
    invoice_id: int | None, *, memo_id=None, application_id=None, write_off_id=None
) -> tuple[Decimal, int]:
    """What is paid, credited and written off on an invoice as saved (Decimal, summed in
    Python, never SQL SUM: see docs/decisions/0002-money.md) and how many entries, leaving
    one memo, application or write-off out (the one being edited)."""
    if invoice_id is None:
        return Decimal(0), 0
    applications = PaymentApplication.objects.filter(invoice_id=invoice_id)
    memos = CreditMemo.objects.filter(invoice_id=invoice_id)
    write_offs = WriteOff.objects.filter(invoice_id=invoice_id)
    if application_id is not None:
        applications = applications.exclude(pk=application_id)
    if memo_id is not None:
        memos = memos.exclude(pk=memo_id)
    if write_off_id is not None:
        write_offs = write_offs.exclude(pk=write_off_id)
    amounts = [
        *applications.values_list("amount", flat=True),
        *memos.values_list("amount", flat=True),
        *write_offs.values_list("amount", flat=True),
    ]
    return sum(amounts, Decimal(0)), len(amounts)


def applied_from(payment_id: int | None, *, application_id=None) -> Decimal:
    """What a payment pays on invoices as saved (Decimal, summed in Python), leaving one
    application out (the one being edited)."""
    if payment_id is None:
        return Decimal(0)
    applications = PaymentApplication.objects.filter(payment_id=payment_id)
    if application_id is not None:
        applications = applications.exclude(pk=application_id)
    return sum(applications.values_list("amount", flat=True), Decimal(0))


def customer_roots(ids) -> dict[int, int]:
    """Customer id -> its top-most key-account parent's id (itself when it has no parent),
    as saved; reads the chains a level at a time. A loop (refused elsewhere) stops the walk."""
    parent_of: dict[int, int | None] = {}
    pending = {i for i in ids if i is not None}
    while pending:
        wanted = sorted(pending)
        for start in range(0, len(wanted), 900):
            parent_of.update(
                Customer.objects.filter(pk__in=wanted[start : start + 900]).values_list(
                    "pk", "parent_id"
                )
            )
        pending = {p for p in parent_of.values() if p is not None and p not in parent_of}
    roots = {}
    for start in {i for i in ids if i is not None}:
        node, seen = start, {start}
        while parent_of.get(node) is not None and parent_of[node] not in seen:
            node = parent_of[node]
            seen.add(node)
        roots[start] = node
    return roots


def same_customer(payer_id, invoice_customer_id, *, hierarchy_allowed: bool) -> bool:
    """Whether a document of payer_id may settle an invoice of invoice_customer_id (see
    receivables.rules: the same customer, or for payments the same top-most parent)."""
    if payer_id is None or payer_id == invoice_customer_id:
        return True
    if not hierarchy_allowed:
        return False
    roots = customer_roots([payer_id, invoice_customer_id])
    return roots.get(payer_id) == roots.get(invoice_customer_id)


class Invoice(BaseModel):
    number = models.CharField(max_length=40, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="invoices")
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    issued_on = models.DateField()
    due_on = models.DateField()
    currency = CurrencyField()
    amount = MoneyField(validators=[MinValueValidator(0)], help_text="Total including tax")
    tax_amount = MoneyField(default=0, validators=[MinValueValidator(0)])
    balance = MoneyField(help_text="Open amount after payments and credits")
    po_number = models.CharField("PO number", max_length=60, blank=True)
    status = models.CharField(
        max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN
    )
    # written by the collections daily job (receivables.worklist.paydates_refresh)
    predicted_pay_on = models.DateField(
        null=True, blank=True, help_text="When the customer's history says it will be paid"
    )
    predicted_by = models.CharField(
        max_length=10, blank=True, help_text="model (the customer's history), segment or company"
    )

    class Meta:
        ordering = ["-issued_on", "-number"]
        indexes = [
            models.Index(fields=["customer", "status"]),
            models.Index(fields=["due_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("issued_on")),
                name="invoice_due_after_issue",
            )
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("web:invoice_detail", args=[self.pk])

    @staticmethod
    def open_q() -> models.Q:
        """Open: status open and a balance left (an open invoice at 0.00 is not open money).

        The one definition of "open invoice" (home figures, customer page, overdue).
        """
        return models.Q(status=InvoiceStatus.OPEN, balance__gt=0)

    @staticmethod
    def overdue_q(on: dt.date) -> models.Q:
        """Overdue on a day: open, and due before that day.

        The one definition of "overdue" (home figures, lists, filters, API, demo printout).
        """
        return Invoice.open_q() & models.Q(due_on__lt=on)

    @property
    def is_open(self) -> bool:
        return self.status == InvoiceStatus.OPEN and self.balance > 0

    def days_overdue_on(self, on: dt.date) -> int | None:
        """Days past due on a day, or None when the invoice is not overdue then."""
        late = self.is_open and self.due_on < on
        return (on - self.due_on).days if late else None

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if problem := rules.invoice_tax_problem(amount=self.amount, tax_amount=self.tax_amount):
            errors["tax_amount"] = problem
        if self.pk is not None:
            settled, entries = _settled(self.pk)
            if problem := rules.invoice_amount_problem(amount=self.amount, settled=settled):
                errors["amount"] = problem
            saved = Invoice.objects.filter(pk=self.pk).values_list("currency", flat=True).first()
            if saved is not None and (
                problem := rules.invoice_currency_problem(
                    old=saved, new=self.currency, settled=settled, entries=entries
                )
            ):
                errors["currency"] = problem
        if errors:
            raise ValidationError(errors)


class InvoiceInstalment(BaseModel):
    """One part of an invoice whose terms split payment (e.g. 50% at 30 days, 50% at 60): due
    on its own day, aged on its own. An invoice's instalments add up to its amount; what is
    paid, credited or written off on the invoice settles them in order, the first first
    (rules.instalments_paid). An invoice without instalments is due whole on its due date."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="instalments")
    sequence = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    due_on = models.DateField()
    amount = MoneyField(validators=[MinValueValidator(Decimal("0.01"))])

    class Meta:
        ordering = ["invoice_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "sequence"], name="instalment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.invoice.number} instalment {self.sequence}"


class CreditMemo(BaseModel):
    number = models.CharField(max_length=40, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="credit_memos")
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="credit_memos"
    )
    issued_on = models.DateField()
    currency = CurrencyField()
    amount = MoneyField(validators=[MinValueValidator(0)], help_text="Positive amount credited")
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-issued_on", "-number"]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        super().clean()
        if self.invoice_id is None or self.amount is None:
            return
        invoice = self.invoice
        errors: dict[str, str] = {}
        if problem := rules.currency_match_problem(
            what="credit memo",
            currency=self.currency,
            invoice_number=invoice.number,
            invoice_currency=invoice.currency,
        ):
            errors["currency"] = problem
        if self.customer_id is not None and (
            problem := rules.customer_match_problem(
                what="credit memo",
                customer=self.customer.code,
                invoice_number=invoice.number,
                invoice_customer=invoice.customer.code,
                same=self.customer_id == invoice.customer_id,
                hierarchy_allowed=False,
            )
        ):
            errors["customer"] = problem
        others, _ = _settled(invoice.pk, memo_id=self.pk)
        if problem := rules.over_settled_problem(
            invoice_number=invoice.number,
            invoice_amount=invoice.amount,
            others=others,
            this=self.amount,
        ):
            errors["amount"] = problem
        if errors:
            raise ValidationError(errors)


class BankFile(BaseModel):
    """A bank statement or remittance file read by cash application (receivables.cash): its
    receipts became payments. The same file (by its contents) is read once."""

    name = models.CharField(max_length=255, help_text="The file's name as it came")
    format = models.CharField(max_length=20, help_text="bai2, mt940, camt.053, x12-820, csv...")
    fingerprint = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the file")
    receipts = models.PositiveIntegerField(default=0)
    debits_skipped = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.JSONField(default=dict, blank=True, help_text="What the run decided")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class Payment(BaseModel):
    """Cash received. Applications say which invoices it paid; the rest is unapplied."""

    number = models.CharField(max_length=40, unique=True, help_text="Receipt number")
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    received_on = models.DateField()
    currency = CurrencyField()
    amount = MoneyField(validators=[MinValueValidator(0)])
    method = models.CharField(
        max_length=10, choices=PaymentMethod.choices, default=PaymentMethod.WIRE
    )
    reference = models.CharField(max_length=200, blank=True, help_text="Remittance text")
    reversed_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day the receipt came back (a returned cheque, a recalled transfer): "
        "from then on it pays nothing and what it paid is open again (services.payment_reverse)",
    )
    reversal_reason = models.CharField(max_length=200, blank=True)
    # cash application: where the receipt came from, who sent it, and where it stands
    bank_file = models.ForeignKey(
        BankFile, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    source = models.CharField(max_length=80, blank=True, help_text="Line or record in the file")
    payer_name = models.CharField(max_length=200, blank=True)
    payer_account = models.CharField(max_length=60, blank=True)
    bank_reference = models.CharField(max_length=80, blank=True)
    status = models.CharField(
        max_length=16,
        choices=ReceiptStatus.choices,
        blank=True,
        help_text="Where cash application left it (blank: entered or imported by hand)",
    )
    status_reason = models.TextField(blank=True, help_text="Why, in plain words")

    class Meta:
        ordering = ["-received_on", "-number"]

    def __str__(self) -> str:
        return self.number

    def unapplied(self, applied: Decimal) -> Decimal:
        """What is left to apply when `applied` is applied: nothing once reversed (the money
        went back)."""
        return Decimal("0.00") if self.reversed_on else self.amount - applied

    def clean(self) -> None:
        super().clean()
        if self.pk is None:
            return
        errors: dict[str, str] = {}
        for invoice_number, invoice_currency in self.applications.values_list(
            "invoice__number", "invoice__currency"
        ):
            if problem := rules.currency_match_problem(
                what="payment",
                currency=self.currency,
                invoice_number=invoice_number,
                invoice_currency=invoice_currency,
            ):
                errors["currency"] = problem
                break
        if problem := rules.payment_amount_problem(
            amount=self.amount, applied=applied_from(self.pk)
        ):
            errors["amount"] = problem
        if errors:
            raise ValidationError(errors)


class RemittanceAdvice(BaseModel):
    """A customer's word of what a payment pays, sent apart from it: an e-mail to the cases
    inbox (its text, PDF and spreadsheet attachments read: receivables.remittance_mail). Open
    until the receipt it describes is applied by it, or until every invoice it names is paid
    some other way (closed: the receipt was applied by its reference, by a person, by the
    ERP), so an old advice never stands in the way of the next one for the same amount."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for its receipt"
        APPLIED = "applied", "Applied to its receipt"
        CLOSED = "closed", "Closed: its invoices were paid otherwise"

    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="advices"
    )
    received_at = models.DateTimeField()
    total = MoneyField(null=True, blank=True, help_text="As the advice states it, if it does")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    payment = models.ForeignKey(
        "Payment", null=True, blank=True, on_delete=models.SET_NULL, related_name="advices"
    )
    notes = models.TextField(blank=True, help_text="What was found where, in plain words")

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"Remittance advice {self.pk} ({self.get_status_display()})"


class RemittanceLine(BaseModel):
    """A document a remittance advice says a receipt pays, as the customer sent it: with the
    receipt in the bank file (X12 820, camt structured remittance) or apart from it (an
    e-mail: `advice`). Applied as given; a deduction opens a case."""

    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.CASCADE, related_name="remittance"
    )
    advice = models.ForeignKey(
        RemittanceAdvice, null=True, blank=True, on_delete=models.CASCADE, related_name="lines"
    )
    invoice_number = models.CharField(max_length=60)
    paid = MoneyField()
    invoiced = MoneyField(null=True, blank=True)
    adjustment = MoneyField(default=0)
    adjustment_reason = models.CharField(max_length=20, blank=True, help_text="The customer's")
    source = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["payment", "id"]

    def __str__(self) -> str:
        whose = self.payment.number if self.payment_id else f"advice {self.advice_id}"
        return f"{whose}: {self.invoice_number} {self.paid}"


class PaymentApplication(BaseModel):
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="applications")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="applications")
    amount = MoneyField(validators=[MinValueValidator(0)])
    applied_on = models.DateField()
    # cash application: the rule that decided it, how sure, and why (blank: by hand)
    rule = models.CharField(max_length=30, blank=True)
    confidence = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    explanation = models.TextField(blank=True)

    class Meta:
        ordering = ["applied_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "invoice"], name="payment_application_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.payment.number} → {self.invoice.number}: {self.amount}"

    def clean(self) -> None:
        super().clean()
        if self.invoice_id is None or self.payment_id is None or self.amount is None:
            return
        invoice = self.invoice
        errors: dict[str, str] = {}
        if problem := rules.reversed_payment_problem(
            payment_number=self.payment.number, reversed_on=self.payment.reversed_on
        ):
            errors["payment"] = problem
        if problem := rules.currency_match_problem(
            what="payment",
            currency=self.payment.currency,
            invoice_number=invoice.number,
            invoice_currency=invoice.currency,
        ):
            errors["invoice"] = problem
        payment = self.payment
        if "invoice" not in errors and (
            problem := rules.customer_match_problem(
                what="payment",
                customer=payment.customer.code if payment.customer_id else "",
                invoice_number=invoice.number,
                invoice_customer=invoice.customer.code,
                same=same_customer(
                    payment.customer_id, invoice.customer_id, hierarchy_allowed=True
                ),
                hierarchy_allowed=True,
            )
        ):
            errors["invoice"] = problem
        others, _ = _settled(invoice.pk, application_id=self.pk)
        problems = [
            rules.over_settled_problem(
                invoice_number=invoice.number,
                invoice_amount=invoice.amount,
                others=others,
                this=self.amount,
            ),
            rules.payment_over_applied_problem(
                payment_number=payment.number,
                payment_amount=payment.amount,
                others=applied_from(payment.pk, application_id=self.pk),
                this=self.amount,
            ),
        ]
        if found := [problem for problem in problems if problem]:
            errors["amount"] = " ".join(found)
        if errors:
            raise ValidationError(errors)


class ApplicationReversal(BaseModel):
    """An application taken back: what it paid is open again from `reversed_on`. Kept so the
    ledger on any earlier day still shows the invoice paid, and so every reversal says who,
    when and why (a returned receipt reverses all its applications; a wrong application is
    reversed alone)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="reversals")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="reversals")
    amount = MoneyField(validators=[MinValueValidator(Decimal("0.01"))])
    applied_on = models.DateField()
    reversed_on = models.DateField()
    reason = models.CharField(max_length=200)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["reversed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reversed_on__gte=models.F("applied_on")),
                name="application_reversal_after_applied",
            )
        ]

    def __str__(self) -> str:
        return f"{self.payment.number} → {self.invoice.number}: {self.amount} reversed"


class CashSuggestion(BaseModel):
    """A likely application cash application was not sure enough to make: a person accepts
    it (it is applied) or rejects it."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="suggestions")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="suggestions")
    amount = MoneyField()
    rule = models.CharField(max_length=30)
    confidence = models.DecimalField(max_digits=4, decimal_places=3)
    explanation = models.TextField()
    status = models.CharField(
        max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["payment", "-confidence", "id"]

    def __str__(self) -> str:
        return f"{self.payment.number} → {self.invoice.number}? {self.amount}"


class CollectionsDay(BaseModel):
    """One run of the collections daily job: what it did and how well the pay dates are
    predicted (mean absolute error in days on held-out history, engine.paydates)."""

    day = models.DateField(db_index=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    promises_kept = models.PositiveIntegerField(default=0)
    promises_broken = models.PositiveIntegerField(default=0)
    tasks_created = models.PositiveIntegerField(default=0)
    predictions = models.PositiveIntegerField(default=0)
    worklist_rows = models.PositiveIntegerField(default=0)
    dunning_done = models.PositiveIntegerField(default=0, help_text="Dunning levels done")
    dunning_paused = models.PositiveIntegerField(
        default=0, help_text="Waiting on a promise or dispute"
    )
    dunning_blocked = models.PositiveIntegerField(default=0, help_text="Could not be sent")
    trained_on = models.PositiveIntegerField(default=0, help_text="Paid invoices learnt from")
    held_out = models.PositiveIntegerField(default=0)
    model_error_days = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    fallback_error_days = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    new_customer_error_days = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Collections day {self.day}"


class PortfolioAssignment(BaseModel):
    """Who collected a customer when: the history behind Customer.collector (the current
    owner, which decides who sees the account). Written only by
    receivables.activities.portfolio_assign; the latest has no end."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="portfolio_assignments"
    )
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="portfolio_history"
    )
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True, help_text="Last day; empty: still")

    class Meta:
        ordering = ["customer", "-valid_from"]
        indexes = [models.Index(fields=["collector", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.customer.code} → {self.collector} from {self.valid_from}"


class Activity(BaseModel):
    """One collection effort on an account, or a follow-up task: what happened (a call, an
    e-mail, a note, a statement sent, a portal upload), with whom, about which invoice, and
    what is next. The account timeline is these, with the promises, payments and cases."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="activities")
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    kind = models.CharField(max_length=12, choices=ActivityKind.choices)
    occurred_at = models.DateTimeField(db_index=True)
    contact = models.ForeignKey(
        "parties.BillingContact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    outcome = models.CharField(max_length=16, choices=CallOutcome.choices, blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    next_action = models.CharField(max_length=200, blank=True)
    next_action_on = models.DateField(null=True, blank=True, db_index=True)
    # a follow-up task: whose, by when, done when
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="collection_tasks",
    )
    done_at = models.DateTimeField(null=True, blank=True)
    promise = models.ForeignKey(
        "PromiseToPay",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"


class PromiseToPay(BaseModel):
    """A customer's promise to pay an amount by a date (plus grace days), evaluated every day
    as kept or broken (receivables.activities.promises_evaluate, engine.promises)."""

    number = models.CharField(max_length=20, unique=True, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="promises")
    invoices = models.ManyToManyField(Invoice, blank=True, related_name="promises")
    amount = MoneyField(validators=[MinValueValidator(Decimal("0.01"))])
    currency = CurrencyField()
    promised_on = models.DateField("promised date")
    grace_days = models.PositiveSmallIntegerField(default=2)
    made_on = models.DateField()
    contact = models.ForeignKey(
        "parties.BillingContact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="promises",
    )
    note = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=PromiseStatus.choices, default=PromiseStatus.OPEN, db_index=True
    )
    status_on = models.DateField(null=True, blank=True, help_text="When it was kept or broken")
    received = MoneyField(default=0, help_text="Paid towards it (by the deadline, once broken)")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-promised_on", "-number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(promised_on__gte=models.F("made_on")),
                name="promise_after_made",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def deadline(self) -> dt.date:
        return self.promised_on + dt.timedelta(days=self.grace_days)

    @property
    def shortfall(self) -> Decimal:
        return self.amount - self.received


class TopPastDueSnapshot(BaseModel):
    """The Top Past Due list as it stood at the end of a month or quarter, kept so that the
    review can show how each customer moved (receivables.reports.top_past_due_keep)."""

    period = models.CharField(max_length=7, help_text="2026-10 or 2026-Q4")
    as_of = models.DateField(help_text="The period's last day")
    by = models.CharField(max_length=10, default="customer")
    top = models.PositiveSmallIntegerField()
    kept_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-as_of", "period"]
        constraints = [
            models.UniqueConstraint(fields=["period", "by"], name="top_past_due_once_per_period")
        ]

    def __str__(self) -> str:
        return f"Top past due {self.period}"


class TopPastDueLine(models.Model):
    snapshot = models.ForeignKey(TopPastDueSnapshot, on_delete=models.CASCADE, related_name="lines")
    rank = models.PositiveSmallIntegerField()
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    currency = CurrencyField()
    past_due = MoneyField()
    oldest_days_past_due = models.PositiveIntegerField()
    net_open = MoneyField()
    disputed = MoneyField(default=0)

    class Meta:
        ordering = ["snapshot", "currency", "rank"]

    def __str__(self) -> str:
        return f"{self.snapshot.period} #{self.rank} {self.customer.code}"


class WorklistEntry(BaseModel):
    """A customer's row on its collector's worklist, worked out by the daily job and again
    whenever something changes on the account (receivables.worklist.worklist_refresh), so
    the page reads rows instead of working the ledger out on every visit."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="worklist")
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="worklist_entries",
    )
    on = models.DateField(help_text="The day it was worked out for")
    score = models.DecimalField(max_digits=5, decimal_places=1)
    at_risk = MoneyField(help_text="Overdue plus half of what comes due, reporting currency")
    oldest_days = models.PositiveIntegerField(default=0)
    parts = models.JSONField(default=list, help_text="[label, points] that add up to the score")
    next_action = models.CharField(max_length=200)
    why = models.CharField(max_length=400)
    overdue = models.JSONField(default=dict, help_text="currency -> amount (text)")
    coming_due = models.JSONField(default=dict, help_text="currency -> amount (text)")
    items = models.JSONField(default=list, help_text="The invoices, as the page shows them")

    class Meta:
        ordering = ["-score", "-at_risk", "customer__code"]
        indexes = [models.Index(fields=["collector", "-score"])]
        verbose_name_plural = "worklist entries"

    def __str__(self) -> str:
        return f"{self.customer.code}: {self.score}"


class DunningStrategy(BaseModel):
    """Ordered dunning levels for the customers of a segment (blank: everyone else)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    segment = models.CharField(
        max_length=20,
        choices=Segment.choices,
        blank=True,
        unique=True,
        help_text="The customers it applies to; blank: those of a segment without its own",
    )

    class Meta:
        ordering = ["segment", "code"]
        verbose_name_plural = "dunning strategies"

    def __str__(self) -> str:
        return self.name


class DunningLevel(BaseModel):
    strategy = models.ForeignKey(DunningStrategy, on_delete=models.CASCADE, related_name="levels")
    order = models.PositiveSmallIntegerField()
    days_past_due = models.PositiveSmallIntegerField(
        help_text="Reached when the oldest overdue invoice is this many days past due"
    )
    action = models.CharField(max_length=15, choices=DunningAction.choices)
    template = models.SlugField(
        max_length=40, blank=True, help_text="The mail template of a reminder or final letter"
    )

    class Meta:
        ordering = ["strategy", "order"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "order"], name="dunning_level_order_once")
        ]

    def __str__(self) -> str:
        action = self.get_action_display()
        return f"{self.strategy.code} {self.order}: {action} at {self.days_past_due} days"


class DunningState(BaseModel):
    """How far a customer's dunning has gone since it last had nothing overdue."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="dunning")
    strategy = models.ForeignKey(
        DunningStrategy, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    level = models.PositiveSmallIntegerField(default=0, help_text="The last level done (0: none)")
    reached_on = models.DateField(null=True, blank=True)
    paused = models.CharField(max_length=200, blank=True, help_text="Why it waits, if it does")

    def __str__(self) -> str:
        return f"{self.customer.code}: level {self.level}"


class WriteOff(BaseModel):
    """Part of an invoice that will not be collected, taken off its balance (a resolved
    dispute, or a decision on a bad debt); entered through receivables.services."""

    number = models.CharField(max_length=40, unique=True)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="write_offs")
    amount = MoneyField(validators=[MinValueValidator(Decimal("0.01"))])
    written_off_on = models.DateField()
    reason = models.CharField(max_length=200)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payment = models.ForeignKey(
        "Payment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="write_offs",
        help_text="The receipt whose small shortfall it wrote off (cash application): taken "
        "back with the receipt's application",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-written_off_on", "-number"]

    def __str__(self) -> str:
        return f"{self.number}: {self.amount} off {self.invoice.number}"

    def clean(self) -> None:
        super().clean()
        if self.invoice_id is None or self.amount is None:
            return
        others, _ = _settled(self.invoice_id, write_off_id=self.pk)
        if problem := rules.over_settled_problem(
            invoice_number=self.invoice.number,
            invoice_amount=self.invoice.amount,
            others=others,
            this=self.amount,
        ):
            raise ValidationError({"amount": problem})


def _document_path(instance: "InvoiceDocument", filename: str) -> str:
    return f"invoice-documents/{filename}"


class InvoiceDocument(BaseModel):
    """A document that meets a customer's requirement for an invoice: a file (proof of
    delivery, timesheet, the PO), a reference (the PO number, the portal's confirmation), or
    the day it was submitted to the customer's portal (receivables.documents)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    file = models.FileField(upload_to=_document_path, max_length=300, blank=True)
    name = models.CharField(max_length=200, blank=True, help_text="The file's name as sent")
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    reference = models.CharField(max_length=200, blank=True)
    submitted_on = models.DateField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["invoice", "kind", "created_at"]

    def __str__(self) -> str:
        return f"{self.invoice.number}: {self.get_kind_display()}"
