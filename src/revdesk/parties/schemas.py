"""API shapes for parties: what goes out, what may come in, and the list filters."""

import datetime as dt
from typing import Annotated, Any

from ninja import Field, FilterLookup, FilterSchema, Schema
from pydantic import ConfigDict

from revdesk.foundation.api import Amount, AmountIn

from .choices import PayeeKind, Segment

# --- customers ------------------------------------------------------------------------------


class CustomerDocumentOut(Schema):
    """Base of a document that belongs to a customer (an order, an invoice, a payment): fills
    its `customer` (the code) and `customer_name`, or None while the customer is not known.

    It declares no fields, so each document lists its own in its own order.
    """

    @staticmethod
    def resolve_customer(obj) -> str | None:
        return obj.customer.code if obj.customer_id else None

    @staticmethod
    def resolve_customer_name(obj) -> str | None:
        return obj.customer.name if obj.customer_id else None


CustomerCodeFilter = Annotated[
    str | None, FilterLookup("customer__code"), Field(description="Customer code")
]
"""A list filter on the customer's code: `customer: CustomerCodeFilter = None`."""


class CustomerOut(Schema):
    id: int
    code: str
    name: str
    parent: str | None = Field(None, description="Code of the key-account parent")
    country: str
    currency: str = Field(description="Currency of the customer's invoices and credit limit")
    payment_terms_days: int
    credit_limit: Amount
    segment: Segment
    territory: str | None = Field(None, description="Territory code")
    sales_rep: str | None = Field(None, description="Employee number of the sales rep")
    collector: str | None = Field(None, description="Username of the collector")
    is_key_account: bool
    requires_po: bool
    requires_proof_of_delivery: bool
    requires_portal_upload: bool
    requires_timesheet: bool
    invoice_format: str
    portal_name: str
    documentation_requirements: list[str]
    is_active: bool
    updated_at: dt.datetime

    @staticmethod
    def resolve_parent(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None

    @staticmethod
    def resolve_territory(obj) -> str | None:
        return obj.territory.code if obj.territory_id else None

    @staticmethod
    def resolve_sales_rep(obj) -> str | None:
        return obj.sales_rep.code if obj.sales_rep_id else None

    @staticmethod
    def resolve_collector(obj) -> str | None:
        return obj.collector.get_username() if obj.collector_id else None


class CustomerPatch(Schema):
    """Only the fields sent are changed. Related records are named by their codes."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(None, min_length=1, max_length=200)
    parent: str | None = Field(None, description="Parent customer code; null to clear")
    country: str = Field(None, description="Two-letter ISO 3166 code, e.g. US")
    currency: str = Field(None, description="Three-letter ISO 4217 code, e.g. USD")
    payment_terms_days: int = Field(None, ge=0, le=365)
    credit_limit: AmountIn = Field(None, description='A string, e.g. "250000.00"')
    segment: Segment = None
    territory: str | None = Field(None, description="Territory code; null to clear")
    sales_rep: str | None = Field(None, description="Sales rep employee number; null to clear")
    collector: str | None = Field(None, description="Collector username; null to clear")
    is_key_account: bool = None
    requires_po: bool = None
    requires_proof_of_delivery: bool = None
    requires_portal_upload: bool = None
    requires_timesheet: bool = None
    invoice_format: str = Field(None, max_length=100)
    portal_name: str = Field(None, max_length=100)
    is_active: bool = None


class CustomerFilter(FilterSchema):
    q: Annotated[str | None, FilterLookup(["code__icontains", "name__icontains"])] = Field(
        None, description="Part of the code or name"
    )
    code: str | None = None
    segment: Segment | None = None
    country: str | None = None
    currency: str | None = None
    territory: Annotated[str | None, FilterLookup("territory__code")] = Field(
        None, description="Territory code"
    )
    sales_rep: Annotated[str | None, FilterLookup("sales_rep__code")] = Field(
        None, description="Sales rep employee number"
    )
    collector: Annotated[str | None, FilterLookup("collector__username")] = Field(
        None, description="Collector username"
    )
    parent: Annotated[str | None, FilterLookup("parent__code")] = Field(
        None, description="Parent customer code"
    )
    is_key_account: bool | None = None
    is_active: bool | None = None


class ChangeOut(Schema):
    field: str
    before: Any = None
    after: Any = None


class ChangeRecordOut(Schema):
    time: dt.datetime
    user: str = Field(description="Who made the change (kept if the login is later deleted)")
    action: str
    source: str
    request_id: str
    changes: list[ChangeOut]

    @staticmethod
    def resolve_user(obj) -> str:
        return obj.user_name

    @staticmethod
    def resolve_request_id(obj) -> str:
        return str(obj.request_id)

    @staticmethod
    def resolve_changes(obj) -> list[dict]:
        return [
            {"field": name, "before": before, "after": after}
            for name, before, after in obj.changed_fields
        ]


# --- payees, distributors, territories ------------------------------------------------------


class PayeeOut(Schema):
    id: int
    code: str = Field(description="Employee number")
    name: str
    email: str
    kind: PayeeKind
    manager: str | None = Field(None, description="Employee number of the manager")
    currency: str
    hired_on: dt.date | None
    is_active: bool

    @staticmethod
    def resolve_manager(obj) -> str | None:
        return obj.manager.code if obj.manager_id else None


class PayeeFilter(FilterSchema):
    q: Annotated[str | None, FilterLookup(["code__icontains", "name__icontains"])] = None
    kind: PayeeKind | None = None
    manager: Annotated[str | None, FilterLookup("manager__code")] = None
    is_active: bool | None = None


class DistributorOut(Schema):
    id: int
    code: str
    name: str
    country: str
    currency: str
    email: str
    is_active: bool


class DistributorFilter(FilterSchema):
    q: Annotated[str | None, FilterLookup(["code__icontains", "name__icontains"])] = None
    country: str | None = None
    is_active: bool | None = None


class TerritoryOut(Schema):
    id: int
    code: str
    name: str
    parent: str | None = None

    @staticmethod
    def resolve_parent(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None


class TerritoryFilter(FilterSchema):
    q: Annotated[str | None, FilterLookup(["code__icontains", "name__icontains"])] = None
    parent: Annotated[str | None, FilterLookup("parent__code")] = None
