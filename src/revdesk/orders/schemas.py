"""API shapes for orders."""

import datetime as dt
from typing import Annotated

from ninja import Field, FilterLookup, FilterSchema, Schema

from revdesk.foundation.api import Amount, Quantity
from revdesk.parties.schemas import CustomerCodeFilter, CustomerDocumentOut

from .choices import OrderChannel, OrderStatus, OrderType
from .selectors import order_total


class OrderLineOut(Schema):
    line_number: int
    sku: str
    product: str
    quantity: Quantity
    unit_price: Amount
    amount: Amount
    term_months: int | None

    @staticmethod
    def resolve_sku(obj) -> str:
        return obj.product.sku

    @staticmethod
    def resolve_product(obj) -> str:
        return obj.product.name


class OrderOut(CustomerDocumentOut):
    id: int
    number: str
    customer: str = Field(description="Customer code")
    customer_name: str
    order_type: OrderType
    channel: OrderChannel
    distributor: str | None = Field(None, description="Distributor code")
    sales_rep: str | None = Field(None, description="Sales rep employee number")
    status: OrderStatus
    booked_on: dt.date
    currency: str = Field(description="Currency of every amount on the order")
    po_number: str
    total: Amount = Field(description="Sum of the line amounts")
    lines: list[OrderLineOut]

    @staticmethod
    def resolve_distributor(obj) -> str | None:
        return obj.distributor.code if obj.distributor_id else None

    @staticmethod
    def resolve_sales_rep(obj) -> str | None:
        return obj.sales_rep.code if obj.sales_rep_id else None

    @staticmethod
    def resolve_total(obj):
        return order_total(obj)

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(obj.lines.all())


class OrderFilter(FilterSchema):
    q: Annotated[str | None, FilterLookup(["number__icontains", "po_number__icontains"])] = Field(
        None, description="Part of the order or PO number"
    )
    number: str | None = None
    status: OrderStatus | None = None
    order_type: OrderType | None = None
    channel: OrderChannel | None = None
    customer: CustomerCodeFilter = None
    distributor: Annotated[str | None, FilterLookup("distributor__code")] = Field(
        None, description="Distributor code"
    )
    sales_rep: Annotated[str | None, FilterLookup("sales_rep__code")] = Field(
        None, description="Sales rep employee number"
    )
    currency: str | None = None
    booked_from: Annotated[dt.date | None, FilterLookup("booked_on__gte")] = Field(
        None, description="Booked on or after (YYYY-MM-DD)"
    )
    booked_to: Annotated[dt.date | None, FilterLookup("booked_on__lte")] = Field(
        None, description="Booked on or before (YYYY-MM-DD)"
    )
