"""Everything that writes orders: one function per business action, in a transaction."""

from collections.abc import Mapping, Sequence

from django.db import transaction

from revdesk.engine.money import round_money
from revdesk.foundation.bulk import UpsertResult, bulk_upsert

from .models import Order, OrderLine

# Bulk upserts by natural key, for imports (revdesk.ingest). Rows carry resolved ids.

ORDER_IMPORT_FIELDS = (
    "customer_id",
    "order_type",
    "channel",
    "distributor_id",
    "sales_rep_id",
    "status",
    "booked_on",
    "currency",
    "po_number",
)
ORDER_LINE_IMPORT_FIELDS = ("product_id", "quantity", "unit_price", "amount", "term_months")


@transaction.atomic
def orders_upsert(*, rows: Sequence[Mapping[str, object]], actor) -> UpsertResult:
    """Create or update order headers by number; audited."""
    return bulk_upsert(
        model=Order, key=("number",), rows=rows, fields=ORDER_IMPORT_FIELDS, actor=actor
    )


@transaction.atomic
def order_lines_upsert(*, rows: Sequence[Mapping[str, object]], actor) -> UpsertResult:
    """Create or update order lines by (order, line number); audited.

    The line amount is quantity × unit price rounded half-up to the cent; a row may leave
    `amount` out and it is computed, or give it and it must agree.
    """
    prepared = []
    for row in rows:
        amount = round_money(row["quantity"] * row["unit_price"])
        given = row.get("amount")
        if given is not None and round_money(given) != amount:
            raise ValueError(
                f"order line {row['line_number']}: amount {given} is not quantity × unit price"
                f" ({amount})"
            )
        prepared.append({**row, "amount": amount})
    return bulk_upsert(
        model=OrderLine,
        key=("order_id", "line_number"),
        rows=prepared,
        fields=ORDER_LINE_IMPORT_FIELDS,
        actor=actor,
    )
