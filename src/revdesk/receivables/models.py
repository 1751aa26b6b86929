"""The receivables ledger: invoices, credit memos, payments and what each payment paid.

An invoice's balance is kept by services (receivables.services) in Decimal, never summed in
SQLite SQL (see docs/decisions/0002-money.md).
"""

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from revdesk.foundation.fields import CurrencyField, MoneyField
from revdesk.foundation.models import BaseModel
from revdesk.orders.models import Order
from revdesk.parties.models import Customer

from .choices import InvoiceStatus, PaymentMethod


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

    class Meta:
        ordering = ["-received_on", "-number"]

    def __str__(self) -> str:
        return self.number


class PaymentApplication(BaseModel):
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="applications")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="applications")
    amount = MoneyField(validators=[MinValueValidator(0)])
    applied_on = models.DateField()

    class Meta:
        ordering = ["applied_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "invoice"], name="payment_application_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.payment.number} → {self.invoice.number}: {self.amount}"
