"""API shapes for the catalogue."""

from typing import Annotated

from ninja import Field, FilterLookup, FilterSchema, Schema

from revdesk.foundation.api import Amount
from revdesk.foundation.scoping import viewer_for


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    product_line: str = Field(description="Product line code")
    billing_code: str | None = Field(None, description="Billing code, if any")
    currency: str = Field(description="Currency of unit_cost and list_price")
    list_price: Amount
    unit_cost: Amount | None = Field(
        None, description="Shown only to people who see everything (margin is confidential)"
    )
    is_recurring: bool
    is_active: bool

    @staticmethod
    def resolve_product_line(obj) -> str:
        return obj.product_line.code

    @staticmethod
    def resolve_billing_code(obj) -> str | None:
        return obj.billing_code.code if obj.billing_code_id else None

    @staticmethod
    def resolve_unit_cost(obj, context):
        request = (context or {}).get("request")
        user = getattr(request, "auth", None)
        return obj.unit_cost if user is not None and viewer_for(user).sees_everything else None


class ProductFilter(FilterSchema):
    q: Annotated[str | None, FilterLookup(["sku__icontains", "name__icontains"])] = Field(
        None, description="Part of the SKU or name"
    )
    sku: str | None = None
    product_line: Annotated[str | None, FilterLookup("product_line__code")] = None
    billing_code: Annotated[str | None, FilterLookup("billing_code__code")] = None
    is_recurring: bool | None = None
    is_active: bool | None = None
