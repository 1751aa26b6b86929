"""Everything that writes catalogue data: one function per business action, in a transaction."""

from collections.abc import Mapping, Sequence

from django.db import transaction

from revdesk.foundation.bulk import UpsertResult, bulk_upsert

from .models import BillingCode, Product, ProductLine

# Bulk upserts by natural key, for imports (revdesk.ingest). Rows carry resolved ids.

PRODUCT_LINE_IMPORT_FIELDS = ("name",)
BILLING_CODE_IMPORT_FIELDS = ("description", "is_recurring", "revenue_account", "tax_category")
PRODUCT_IMPORT_FIELDS = (
    "name",
    "product_line_id",
    "billing_code_id",
    "currency",
    "unit_cost",
    "list_price",
    "is_recurring",
    "is_active",
)


@transaction.atomic
def product_lines_create_missing(*, rows: Sequence[Mapping[str, object]], actor) -> dict[str, int]:
    """Create the product lines (code, name) that do not exist yet; audited.

    Existing lines are left as they are (their name is not changed by a product import).
    Returns the id of every given code.
    """
    codes = [row["code"] for row in rows]
    existing = dict(ProductLine.objects.filter(code__in=codes).values_list("code", "id"))
    missing = [row for row in rows if row["code"] not in existing]
    result = bulk_upsert(
        model=ProductLine,
        key=("code",),
        rows=missing,
        fields=PRODUCT_LINE_IMPORT_FIELDS,
        actor=actor,
    )
    existing.update({key[0]: instance.pk for key, instance in result.objects.items()})
    return existing


@transaction.atomic
def billing_codes_upsert(*, rows: Sequence[Mapping[str, object]], actor) -> UpsertResult:
    """Create or update billing codes by code; audited."""
    return bulk_upsert(
        model=BillingCode,
        key=("code",),
        rows=rows,
        fields=BILLING_CODE_IMPORT_FIELDS,
        actor=actor,
    )


@transaction.atomic
def products_upsert(*, rows: Sequence[Mapping[str, object]], actor) -> UpsertResult:
    """Create or update products by SKU; audited."""
    return bulk_upsert(
        model=Product, key=("sku",), rows=rows, fields=PRODUCT_IMPORT_FIELDS, actor=actor
    )
