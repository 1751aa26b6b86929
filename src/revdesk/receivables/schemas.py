"""API shapes for invoices and payments."""

import datetime as dt
from typing import Annotated

from django.db.models import Q
from ninja import Field, FilterLookup, FilterSchema, Schema

from revdesk.foundation.api import Amount
from revdesk.parties.schemas import CustomerCodeFilter, CustomerDocumentOut

from .choices import InvoiceStatus, PaymentMethod
from .models import Invoice
from .selectors import payment_applied


class InvoiceApplicationOut(Schema):
    payment: str = Field(description="Receipt number")
    received_on: dt.date
    applied_on: dt.date
    amount: Amount

    @staticmethod
    def resolve_payment(obj) -> str:
        return obj.payment.number

    @staticmethod
    def resolve_received_on(obj) -> dt.date:
        return obj.payment.received_on


class InvoiceCreditMemoOut(Schema):
    number: str
    issued_on: dt.date
    amount: Amount
    reason: str


class InvoiceOut(CustomerDocumentOut):
    id: int
    number: str
    customer: str = Field(description="Customer code")
    customer_name: str
    order: str | None = Field(None, description="Order number")
    issued_on: dt.date
    due_on: dt.date
    currency: str = Field(description="Currency of every amount on the invoice")
    amount: Amount = Field(description="Total including tax")
    tax_amount: Amount
    balance: Amount = Field(description="Open amount after payments and credits")
    po_number: str
    status: InvoiceStatus
    applications: list[InvoiceApplicationOut]
    credit_memos: list[InvoiceCreditMemoOut]

    @staticmethod
    def resolve_order(obj) -> str | None:
        return obj.order.number if obj.order_id else None

    @staticmethod
    def resolve_applications(obj) -> list:
        return list(obj.applications.all())

    @staticmethod
    def resolve_credit_memos(obj) -> list:
        return list(obj.credit_memos.all())


class InvoiceFilter(FilterSchema):
    q: Annotated[str | None, FilterLookup(["number__icontains", "po_number__icontains"])] = Field(
        None, description="Part of the invoice or PO number"
    )
    number: str | None = None
    status: InvoiceStatus | None = None
    customer: CustomerCodeFilter = None
    order: Annotated[str | None, FilterLookup("order__number")] = Field(
        None, description="Order number"
    )
    currency: str | None = None
    issued_from: Annotated[dt.date | None, FilterLookup("issued_on__gte")] = None
    issued_to: Annotated[dt.date | None, FilterLookup("issued_on__lte")] = None
    due_from: Annotated[dt.date | None, FilterLookup("due_on__gte")] = None
    due_to: Annotated[dt.date | None, FilterLookup("due_on__lte")] = None
    overdue_on: dt.date | None = Field(
        None, description="Open invoices already past due on this day (YYYY-MM-DD)"
    )

    def filter_overdue_on(self, value: dt.date | None) -> Q:
        if value is None:
            return Q()
        return Invoice.overdue_q(value)


class PaymentApplicationOut(Schema):
    invoice: str = Field(description="Invoice number")
    applied_on: dt.date
    amount: Amount

    @staticmethod
    def resolve_invoice(obj) -> str:
        return obj.invoice.number


class PaymentOut(CustomerDocumentOut):
    id: int
    number: str = Field(description="Receipt number")
    customer: str | None = Field(None, description="Customer code (empty: not yet identified)")
    customer_name: str | None = None
    received_on: dt.date
    currency: str = Field(description="Currency of every amount on the payment")
    amount: Amount
    applied: Amount = Field(description="Applied to invoices so far")
    unapplied: Amount = Field(description="Still to apply")
    method: PaymentMethod
    reference: str
    reversed_on: dt.date | None = Field(
        None, description="The day the receipt came back; from then on it pays nothing"
    )
    reversal_reason: str = ""
    applications: list[PaymentApplicationOut]

    @staticmethod
    def resolve_applied(obj):
        return payment_applied(obj)

    @staticmethod
    def resolve_unapplied(obj):
        return obj.unapplied(payment_applied(obj))

    @staticmethod
    def resolve_applications(obj) -> list:
        return list(obj.applications.all())


class PaymentFilter(FilterSchema):
    q: Annotated[str | None, FilterLookup(["number__icontains", "reference__icontains"])] = Field(
        None, description="Part of the receipt number or remittance text"
    )
    number: str | None = None
    customer: CustomerCodeFilter = None
    method: PaymentMethod | None = None
    currency: str | None = None
    received_from: Annotated[dt.date | None, FilterLookup("received_on__gte")] = None
    received_to: Annotated[dt.date | None, FilterLookup("received_on__lte")] = None
