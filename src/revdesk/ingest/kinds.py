"""Every kind that can be imported and exported, declared once.

Columns say name, type, whether required, default and (for references) which kind's natural
key they name. Loading goes through the owning app's bulk services; nothing here writes a
model directly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from revdesk.catalog import services as catalog_services
from revdesk.catalog.models import BillingCode, Product, ProductLine
from revdesk.engine.money import round_money
from revdesk.foundation.bulk import Outcome, RowsRefused
from revdesk.foundation.scoping import restrict
from revdesk.orders import services as order_services
from revdesk.orders.choices import OrderChannel, OrderStatus, OrderType
from revdesk.orders.models import Order, OrderLine
from revdesk.parties import services as party_services
from revdesk.parties.choices import PayeeKind, Segment
from revdesk.parties.models import Customer, CustomerBankAccount, Distributor, Payee, Territory
from revdesk.receivables import services as receivable_services
from revdesk.receivables.choices import PaymentMethod
from revdesk.receivables.models import (
    ApplicationReversal,
    CreditMemo,
    Invoice,
    InvoiceInstalment,
    Payment,
)

from .spec import Column, KindSpec, columns_for, format_value
from .spec import ColumnType as T

ZERO = Decimal(0)
User = get_user_model()

REFERENCES: dict[str, tuple[type, str]] = {
    "customers": (Customer, "code"),
    "distributors": (Distributor, "code"),
    "payees": (Payee, "code"),
    "territories": (Territory, "code"),
    "products": (Product, "sku"),
    "orders": (Order, "number"),
    "invoices": (Invoice, "number"),
    "users": (User, "username"),
    "product-lines": (ProductLine, "code"),
    "billing-codes": (BillingCode, "code"),
}


class Resolver:
    """Natural key -> id for every referenced kind, looked up in chunks and remembered."""

    def __init__(self) -> None:
        self.ids: dict[str, dict[str, int]] = defaultdict(dict)
        self.missing: dict[str, set[str]] = defaultdict(set)
        self.remember_missing = True

    def resolve(self, ref: str, keys: Iterable[str]) -> None:
        known = self.ids[ref]
        missing = self.missing[ref]
        wanted = sorted({k for k in keys if k and k not in known and k not in missing})
        model, field = REFERENCES[ref]
        for start in range(0, len(wanted), 900):
            chunk = wanted[start : start + 900]
            found = dict(
                model._default_manager.filter(**{f"{field}__in": chunk}).values_list(field, "id")
            )
            known.update(found)
            if self.remember_missing:
                missing.update(k for k in chunk if k not in found)

    def get(self, ref: str, key: object) -> int | None:
        if key in (None, ""):
            return None
        return self.ids[ref].get(key)

    def forget_missing(self) -> None:
        self.missing.clear()
        self.remember_missing = False


def service_row(
    spec: KindSpec, row: Mapping[str, object], resolver: Resolver, *, header: bool | None = None
) -> dict[str, object]:
    """The service's row for one parsed file row: targets with references resolved to ids."""
    data: dict[str, object] = {}
    for column in spec.columns:
        if not column.target or (header is not None and column.header != header):
            continue
        value = row[column.name]
        if column.type is T.REFERENCE:
            value = resolver.get(column.ref, value)
        data[column.target] = value
    return data


class LoadRefused(Exception):
    """Rows of one batch a service refused for a business rule, as (position in the batch,
    column, value as the file writes it, what was expected). Nothing of the load is kept."""

    def __init__(self, problems: list[tuple[int, str, str, str]]):
        self.problems = problems
        super().__init__(f"{len(problems)} row(s) refused")


def _refused(
    spec: KindSpec,
    rows: list[Mapping[str, object]],
    error: RowsRefused,
    positions: list[int] | None = None,
    columns: Mapping[str, str] | None = None,
) -> LoadRefused:
    """Turn a service's refusals (by service row and attribute) into file rows and columns.

    positions: the batch position of each service row (default: the same); columns: the
    file column for a service attribute (default: the column whose target it is)."""
    by_target = {column.target: column.name for column in spec.columns if column.target}
    problems = []
    for refusal in error.refusals:
        position = positions[refusal.index] if positions is not None else refusal.index
        name = (columns or {}).get(refusal.field) or by_target.get(refusal.field, refusal.field)
        try:
            value = format_value(spec.column(name), rows[position][name])
        except KeyError:
            value = "" if refusal.value is None else str(refusal.value)
        problems.append((position, name, value, refusal.message))
    return LoadRefused(problems)


def _simple_loader(service):
    def load(spec, rows, resolver, actor, state) -> list[Outcome]:
        try:
            result = service(rows=[service_row(spec, row, resolver) for row in rows], actor=actor)
        except RowsRefused as error:
            raise _refused(spec, rows, error) from error
        return [result.outcomes[tuple(row[k] for k in spec.key)] for row in rows]

    return load


def _load_instalments(spec, rows, resolver, actor, state) -> list[Outcome]:
    service_rows = [service_row(spec, row, resolver) for row in rows]
    try:
        result = receivable_services.invoice_instalments_upsert(rows=service_rows, actor=actor)
    except RowsRefused as error:
        raise _refused(spec, rows, error) from error
    return [result.outcomes[(row["invoice_id"], row["sequence"])] for row in service_rows]


def _combine(line: Outcome | None, header: Outcome, header_changed: bool) -> Outcome:
    if line is Outcome.CREATED or (line is None and header is Outcome.CREATED):
        return Outcome.CREATED
    if line is Outcome.UPDATED or header_changed:
        return Outcome.UPDATED
    return Outcome.UNCHANGED


def _load_products(spec, rows, resolver, actor, state) -> list[Outcome]:
    lines: dict[str, dict] = {}
    for row in rows:
        lines.setdefault(
            row["product_line_code"],
            {"code": row["product_line_code"], "name": row["product_line_name"]},
        )
    line_ids = catalog_services.product_lines_create_missing(rows=list(lines.values()), actor=actor)
    resolver.ids["product-lines"].update(line_ids)
    service_rows = []
    for row in rows:
        data = service_row(spec, row, resolver)
        data["product_line_id"] = line_ids[row["product_line_code"]]
        service_rows.append(data)
    result = catalog_services.products_upsert(rows=service_rows, actor=actor)
    return [result.outcomes[(row["sku"],)] for row in rows]


def _load_orders(spec, rows, resolver, actor, state) -> list[Outcome]:
    changed_headers: set[str] = state.setdefault("changed_headers", set())
    headers: dict[str, dict] = {}
    for row in rows:
        if row["number"] not in headers:
            headers[row["number"]] = service_row(spec, row, resolver, header=True)
    header_result = order_services.orders_upsert(rows=list(headers.values()), actor=actor)
    for (number,), outcome in header_result.outcomes.items():
        if outcome is not Outcome.UNCHANGED:
            changed_headers.add(number)
    line_rows = []
    for row in rows:
        data = service_row(spec, row, resolver, header=False)
        data["order_id"] = header_result.objects[(row["number"],)].pk
        line_rows.append(data)
    line_result = order_services.order_lines_upsert(rows=line_rows, actor=actor)
    outcomes = []
    for row, data in zip(rows, line_rows, strict=True):
        line = line_result.outcomes[(data["order_id"], row["line_number"])]
        header = header_result.outcomes[(row["number"],)]
        outcomes.append(_combine(line, header, row["number"] in changed_headers))
    return outcomes


def _load_payments(spec, rows, resolver, actor, state) -> list[Outcome]:
    changed_headers: set[str] = state.setdefault("changed_headers", set())
    headers: dict[str, dict] = {}
    header_positions: list[int] = []
    for position, row in enumerate(rows):
        if row["number"] not in headers:
            headers[row["number"]] = service_row(spec, row, resolver, header=True)
            header_positions.append(position)
    try:
        header_result = receivable_services.payments_upsert(
            rows=list(headers.values()), actor=actor
        )
    except RowsRefused as error:
        raise _refused(spec, rows, error, header_positions) from error
    for (number,), outcome in header_result.outcomes.items():
        if outcome is not Outcome.UNCHANGED:
            changed_headers.add(number)
    payment_ids = {number: payment.pk for (number,), payment in header_result.objects.items()}
    # a file that says a receipt came back, read after it was reversed (the same file again):
    # its applications were taken back then; the reversal's day is checked below
    taken_back = set(
        ApplicationReversal.objects.filter(
            payment_id__in=payment_ids.values(), payment__reversed_on__isnull=False
        ).values_list("payment__number", "invoice__number")
    )
    applications = []
    application_positions: list[int] = []
    for position, row in enumerate(rows):
        if row["reversed_on"] and (row["number"], row["invoice_number"]) in taken_back:
            continue
        if row["invoice_number"]:
            application_positions.append(position)
            applications.append(
                {
                    "payment_id": header_result.objects[(row["number"],)].pk,
                    "invoice_id": resolver.get("invoices", row["invoice_number"]),
                    "amount": row["applied_amount"],
                    "applied_on": row["received_on"],
                }
            )
    try:
        application_result = receivable_services.payment_applications_upsert(
            rows=applications, actor=actor
        )
    except RowsRefused as error:
        raise _refused(
            spec,
            rows,
            error,
            application_positions,
            {"amount": "applied_amount", "invoice_id": "invoice_number", "payment_id": "number"},
        ) from error
    reversal_positions = [p for p in header_positions if rows[p]["reversed_on"] is not None]
    try:
        reversed_now = receivable_services.payments_reverse_rows(
            rows=[
                {
                    "payment_id": payment_ids[rows[p]["number"]],
                    "reversed_on": rows[p]["reversed_on"],
                    "reversal_reason": rows[p]["reversal_reason"],
                }
                for p in reversal_positions
            ],
            actor=actor,
        )
    except RowsRefused as error:
        raise _refused(spec, rows, error, reversal_positions) from error
    for number, pk in payment_ids.items():
        if reversed_now.get(pk) is Outcome.UPDATED:
            changed_headers.add(number)
    outcomes = []
    for row in rows:
        line = None
        key = (payment_ids[row["number"]], resolver.get("invoices", row["invoice_number"]))
        if row["invoice_number"] and key in application_result.outcomes:
            line = application_result.outcomes[key]
        header = header_result.outcomes[(row["number"],)]
        outcomes.append(_combine(line, header, row["number"] in changed_headers))
    return outcomes


def _exporter(model, paths: Mapping[str, str], order_by: tuple[str, ...]):
    def export(user=None) -> Iterator[dict[str, object]]:
        queryset: QuerySet = model._default_manager.all()
        if user is not None:
            queryset = restrict(queryset, user)
        names = list(paths)
        for values in (
            queryset.order_by(*order_by)
            .values_list(*(paths[name] for name in names))
            .iterator(chunk_size=2000)
        ):
            yield dict(zip(names, values, strict=True))

    return export


# --- row checks across columns ------------------------------------------------------------


def _due_after_issue(row):
    if row["due_on"] and row["issued_on"] and row["due_on"] < row["issued_on"]:
        yield "due_on", f"a due date on or after the issue date ({row['issued_on'].isoformat()})"


def _line_amount(row):
    if row["amount"] is not None and row["quantity"] is not None and row["unit_price"] is not None:
        expected = round_money(row["quantity"] * row["unit_price"])
        if row["amount"] != expected:
            yield "amount", f"{expected} (quantity × unit price), or leave it blank"


def _distributor_orders(row):
    if row["channel"] == OrderChannel.DISTRIBUTOR and not row["distributor_code"]:
        yield "distributor_code", "a distributor code: the channel is distributor"


def _application_pair(row):
    if row["invoice_number"] and row["applied_amount"] is None:
        yield "applied_amount", "the amount applied to the invoice named in invoice_number"
    if row["applied_amount"] is not None and not row["invoice_number"]:
        yield "invoice_number", "the invoice the applied_amount pays"


# --- the kinds ----------------------------------------------------------------------------

C = Column

TERRITORIES = KindSpec(
    name="territories",
    title="Territories",
    description="Sales territories, with an optional parent territory.",
    key=("code",),
    self_ref="parent_code",
    columns=columns_for(
        Territory,
        [
            C("code", T.TEXT, "Territory code (natural key)", required=True),
            C("name", T.TEXT, "Territory name", required=True),
            C(
                "parent_code",
                T.REFERENCE,
                "Parent territory code; may appear later in the same file",
                ref="territories",
                field="parent_id",
            ),
        ],
    ),
    load=_simple_loader(party_services.territories_upsert),
    export=_exporter(
        Territory, {"code": "code", "name": "name", "parent_code": "parent__code"}, ("code",)
    ),
)

PAYEES = KindSpec(
    name="payees",
    title="Payees (reps, managers, directors)",
    description="People paid under a plan, with their manager.",
    key=("code",),
    self_ref="manager_code",
    columns=columns_for(
        Payee,
        [
            C("code", T.TEXT, "Employee number (natural key)", required=True),
            C("name", T.TEXT, "Full name", required=True),
            C("email", T.TEXT, "E-mail address", default=""),
            C("kind", T.CHOICE, "Role in the sales line", choices=PayeeKind, default="sales_rep"),
            C(
                "manager_code",
                T.REFERENCE,
                "Manager's employee number; may appear later in the same file",
                ref="payees",
                field="manager_id",
            ),
            C("currency", T.CURRENCY, "Currency the payee is paid in", default="USD"),
            C("hired_on", T.DATE, "Hire date"),
            C("is_active", T.BOOL, "Still active", default=True),
        ],
    ),
    load=_simple_loader(party_services.payees_upsert),
    export=_exporter(
        Payee,
        {
            "code": "code",
            "name": "name",
            "email": "email",
            "kind": "kind",
            "manager_code": "manager__code",
            "currency": "currency",
            "hired_on": "hired_on",
            "is_active": "is_active",
        },
        ("code",),
    ),
)

DISTRIBUTORS = KindSpec(
    name="distributors",
    title="Distributors",
    description="Companies we sell through.",
    key=("code",),
    columns=columns_for(
        Distributor,
        [
            C("code", T.TEXT, "Distributor code (natural key)", required=True),
            C("name", T.TEXT, "Company name", required=True),
            C("country", T.COUNTRY, "Country", required=True),
            C("currency", T.CURRENCY, "Agreement currency", default="USD"),
            C("email", T.TEXT, "E-mail address", default=""),
            C("is_active", T.BOOL, "Still active", default=True),
        ],
    ),
    load=_simple_loader(party_services.distributors_upsert),
    export=_exporter(
        Distributor,
        {name: name for name in ("code", "name", "country", "currency", "email", "is_active")},
        ("code",),
    ),
)

CUSTOMERS = KindSpec(
    name="customers",
    title="Customers",
    description="Customers with their key-account parent, territory, rep, collector and "
    "documentation requirements.",
    key=("code",),
    self_ref="parent_code",
    columns=columns_for(
        Customer,
        [
            C("code", T.TEXT, "Customer code in the ERP (natural key)", required=True),
            C("name", T.TEXT, "Customer name", required=True),
            C(
                "parent_code",
                T.REFERENCE,
                "Key-account parent's code; may appear later in the same file",
                ref="customers",
                field="parent_id",
            ),
            C("country", T.COUNTRY, "Country", required=True),
            C("currency", T.CURRENCY, "Billing currency", required=True),
            C("payment_terms_days", T.INT, "Payment terms in days", default=30, minimum=0),
            C("credit_limit", T.DECIMAL, "Credit limit", default=ZERO, minimum=ZERO),
            C("segment", T.CHOICE, "Segment", choices=Segment, default="mid_market"),
            C(
                "territory_code",
                T.REFERENCE,
                "Territory code",
                ref="territories",
                field="territory_id",
            ),
            C(
                "sales_rep_code",
                T.REFERENCE,
                "Sales rep's employee number (payee code)",
                ref="payees",
                field="sales_rep_id",
            ),
            C(
                "collector_username",
                T.REFERENCE,
                "Collector's Revdesk user name",
                ref="users",
                field="collector_id",
            ),
            C("is_key_account", T.BOOL, "Key account", default=False),
            C("requires_po", T.BOOL, "A PO number is required to get paid", default=False),
            C(
                "requires_proof_of_delivery",
                T.BOOL,
                "Proof of delivery is required",
                default=False,
            ),
            C("requires_portal_upload", T.BOOL, "Invoices go through a portal", default=False),
            C("portal_name", T.TEXT, "Name of the customer's invoice portal", default=""),
            C("requires_timesheet", T.BOOL, "A timesheet is required", default=False),
            C(
                "invoice_format",
                T.TEXT,
                "A format the customer's AP needs (EDI 810, PDF with the PO on page 1)",
                default="",
            ),
            C("is_active", T.BOOL, "Still active", default=True),
        ],
    ),
    load=_simple_loader(party_services.customers_upsert),
    export=_exporter(
        Customer,
        {
            "code": "code",
            "name": "name",
            "parent_code": "parent__code",
            "country": "country",
            "currency": "currency",
            "payment_terms_days": "payment_terms_days",
            "credit_limit": "credit_limit",
            "segment": "segment",
            "territory_code": "territory__code",
            "sales_rep_code": "sales_rep__code",
            "collector_username": "collector__username",
            "is_key_account": "is_key_account",
            "requires_po": "requires_po",
            "requires_proof_of_delivery": "requires_proof_of_delivery",
            "requires_portal_upload": "requires_portal_upload",
            "portal_name": "portal_name",
            "requires_timesheet": "requires_timesheet",
            "invoice_format": "invoice_format",
            "is_active": "is_active",
        },
        ("code",),
    ),
)

PRODUCTS = KindSpec(
    name="products",
    title="Products",
    description="Products with their product line and billing code.",
    key=("sku",),
    notes=(
        "A product line that does not exist yet is created from product_line_code and "
        "product_line_name (the name is then required). An existing product line keeps its "
        "name: a product import never renames it.",
        "billing_code must already exist in the catalogue: a missing code is an error to "
        "escalate, never created by an import.",
    ),
    columns=columns_for(
        Product,
        [
            C("sku", T.TEXT, "SKU (natural key)", required=True),
            C("name", T.TEXT, "Product name", required=True),
            C(
                "product_line_code",
                T.REFERENCE,
                "Product line code; created if new (with product_line_name)",
                ref="product-lines",
                required=True,
                field="",
                create_with="product_line_name",
            ),
            C(
                "product_line_name",
                T.TEXT,
                "Product line name, used only to create a new product line",
                default="",
                field="",
                model_field=ProductLine._meta.get_field("name"),
            ),
            C(
                "billing_code",
                T.REFERENCE,
                "Billing code (must exist in the catalogue)",
                ref="billing-codes",
                field="billing_code_id",
            ),
            C("currency", T.CURRENCY, "Price currency", default="USD"),
            C("unit_cost", T.DECIMAL, "Unit cost", required=True, minimum=ZERO),
            C("list_price", T.DECIMAL, "List price", required=True, minimum=ZERO),
            C("is_recurring", T.BOOL, "Billed monthly", default=False),
            C("is_active", T.BOOL, "Still sold", default=True),
        ],
    ),
    load=_load_products,
    export=_exporter(
        Product,
        {
            "sku": "sku",
            "name": "name",
            "product_line_code": "product_line__code",
            "product_line_name": "product_line__name",
            "billing_code": "billing_code__code",
            "currency": "currency",
            "unit_cost": "unit_cost",
            "list_price": "list_price",
            "is_recurring": "is_recurring",
            "is_active": "is_active",
        },
        ("sku",),
    ),
)

_order_header = columns_for(
    Order,
    [
        C("number", T.TEXT, "Order number (with line_number, the natural key)", required=True),
        C(
            "customer_code",
            T.REFERENCE,
            "Customer code",
            ref="customers",
            required=True,
            field="customer_id",
        ),
        C("order_type", T.CHOICE, "Order type", choices=OrderType, default="new"),
        C("channel", T.CHOICE, "Sales channel", choices=OrderChannel, default="direct"),
        C(
            "distributor_code",
            T.REFERENCE,
            "Distributor code (required when channel is distributor)",
            ref="distributors",
            field="distributor_id",
        ),
        C(
            "sales_rep_code",
            T.REFERENCE,
            "Sales rep's employee number (payee code)",
            ref="payees",
            field="sales_rep_id",
        ),
        C("status", T.CHOICE, "Order status", choices=OrderStatus, default="submitted"),
        C("booked_on", T.DATE, "Booking date", required=True),
        C("currency", T.CURRENCY, "Order currency", required=True),
        C("po_number", T.TEXT, "Customer's PO number", default=""),
    ],
)
_order_line = columns_for(
    OrderLine,
    [
        C("line_number", T.INT, "Line number within the order", required=True, minimum=1),
        C(
            "product_sku",
            T.REFERENCE,
            "Product SKU",
            ref="products",
            required=True,
            field="product_id",
        ),
        C(
            "quantity",
            T.DECIMAL,
            "Quantity",
            required=True,
            minimum=ZERO,
            excel_format="General",
        ),
        C("unit_price", T.DECIMAL, "Unit price in the order currency", required=True, minimum=ZERO),
        C("amount", T.DECIMAL, "Line amount = quantity × unit price (blank: computed)"),
        C("term_months", T.INT, "Contract term in months (recurring services)", minimum=0),
    ],
)

ORDERS = KindSpec(
    name="orders",
    title="Orders",
    description="Orders as booked: one row per order line, the order's header fields repeated "
    "on each of its lines.",
    key=("number", "line_number"),
    group="number",
    row_checks=(_line_amount, _distributor_orders),
    columns=_order_header + tuple(Column(**{**c.__dict__, "header": False}) for c in _order_line),
    load=_load_orders,
    export=_exporter(
        OrderLine,
        {
            "number": "order__number",
            "customer_code": "order__customer__code",
            "order_type": "order__order_type",
            "channel": "order__channel",
            "distributor_code": "order__distributor__code",
            "sales_rep_code": "order__sales_rep__code",
            "status": "order__status",
            "booked_on": "order__booked_on",
            "currency": "order__currency",
            "po_number": "order__po_number",
            "line_number": "line_number",
            "product_sku": "product__sku",
            "quantity": "quantity",
            "unit_price": "unit_price",
            "amount": "amount",
            "term_months": "term_months",
        },
        ("order__number", "line_number"),
    ),
)

INVOICES = KindSpec(
    name="invoices",
    title="Invoices",
    description="Invoices issued. Balance and status are not imported: they follow from the "
    "amount, payments applied and credit memos.",
    key=("number",),
    row_checks=(_due_after_issue,),
    columns=columns_for(
        Invoice,
        [
            C("number", T.TEXT, "Invoice number (natural key)", required=True),
            C(
                "customer_code",
                T.REFERENCE,
                "Customer code",
                ref="customers",
                required=True,
                field="customer_id",
            ),
            C("order_number", T.REFERENCE, "Order number", ref="orders", field="order_id"),
            C("issued_on", T.DATE, "Issue date", required=True),
            C("due_on", T.DATE, "Due date (on or after the issue date)", required=True),
            C("currency", T.CURRENCY, "Invoice currency", required=True),
            C("amount", T.DECIMAL, "Total including tax", required=True, minimum=ZERO),
            C("tax_amount", T.DECIMAL, "Tax included in the amount", default=ZERO, minimum=ZERO),
            C("po_number", T.TEXT, "Customer's PO number", default=""),
        ],
    ),
    load=_simple_loader(receivable_services.invoices_upsert),
    export=_exporter(
        Invoice,
        {
            "number": "number",
            "customer_code": "customer__code",
            "order_number": "order__number",
            "issued_on": "issued_on",
            "due_on": "due_on",
            "currency": "currency",
            "amount": "amount",
            "tax_amount": "tax_amount",
            "po_number": "po_number",
        },
        ("number",),
    ),
)

CREDIT_MEMOS = KindSpec(
    name="credit-memos",
    title="Credit memos",
    description="Credits issued; a credit memo linked to an invoice reduces its balance.",
    key=("number",),
    columns=columns_for(
        CreditMemo,
        [
            C("number", T.TEXT, "Credit memo number (natural key)", required=True),
            C(
                "customer_code",
                T.REFERENCE,
                "Customer code",
                ref="customers",
                required=True,
                field="customer_id",
            ),
            C(
                "invoice_number",
                T.REFERENCE,
                "Invoice credited",
                ref="invoices",
                field="invoice_id",
            ),
            C("issued_on", T.DATE, "Issue date", required=True),
            C("currency", T.CURRENCY, "Currency", required=True),
            C("amount", T.DECIMAL, "Amount credited (positive)", required=True, minimum=ZERO),
            C("reason", T.TEXT, "Reason", default=""),
        ],
    ),
    load=_simple_loader(receivable_services.credit_memos_upsert),
    export=_exporter(
        CreditMemo,
        {
            "number": "number",
            "customer_code": "customer__code",
            "invoice_number": "invoice__number",
            "issued_on": "issued_on",
            "currency": "currency",
            "amount": "amount",
            "reason": "reason",
        },
        ("number",),
    ),
)

INVOICE_INSTALMENTS = KindSpec(
    name="invoice-instalments",
    title="Invoice instalments",
    description="Instalment schedules of invoices whose terms split payment (e.g. half at 30 "
    "days, half at 60): one row per instalment. The rows of an invoice are its whole "
    "schedule, numbered 1, 2, 3... with due dates going up, adding up to the invoice's amount; "
    "they replace the schedule saved before. Each instalment is then aged on its own.",
    key=("invoice_number", "sequence"),
    group="invoice_number",
    columns=columns_for(
        InvoiceInstalment,
        [
            C(
                "invoice_number",
                T.REFERENCE,
                "Invoice",
                ref="invoices",
                required=True,
                field="invoice_id",
            ),
            C("sequence", T.INT, "Instalment number: 1, 2, 3...", required=True, header=False),
            C("due_on", T.DATE, "Due date of the instalment", required=True, header=False),
            C(
                "amount",
                T.DECIMAL,
                "Amount of the instalment",
                required=True,
                minimum=Decimal("0.01"),
                places=2,
                header=False,
            ),
        ],
    ),
    load=_load_instalments,
    export=_exporter(
        InvoiceInstalment,
        {
            "invoice_number": "invoice__number",
            "sequence": "sequence",
            "due_on": "due_on",
            "amount": "amount",
        },
        ("invoice__number", "sequence"),
    ),
)

_payment_header = columns_for(
    Payment,
    [
        C("number", T.TEXT, "Receipt number (natural key)", required=True),
        C("customer_code", T.REFERENCE, "Paying customer", ref="customers", field="customer_id"),
        C("received_on", T.DATE, "Date received", required=True),
        C("currency", T.CURRENCY, "Currency", required=True),
        C("amount", T.DECIMAL, "Amount received", required=True, minimum=ZERO),
        C("method", T.CHOICE, "Payment method", choices=PaymentMethod, default="wire"),
        C("reference", T.TEXT, "Remittance text", default=""),
        C(
            "reversed_on",
            T.DATE,
            "Day the receipt came back (a returned cheque, a recalled transfer): from then it "
            "pays nothing and the invoices it paid are open again",
            field="",
        ),
        C("reversal_reason", T.TEXT, "Why it came back", default="", field=""),
    ],
)

PAYMENTS = KindSpec(
    name="payments",
    title="Payments",
    description="Cash received. With invoice_number and applied_amount a row also applies the "
    "payment to that invoice (and refreshes its balance); a payment that pays several invoices "
    "takes one row per invoice, its other columns repeated.",
    key=("number", "invoice_number"),
    group="number",
    group_sum=("applied_amount", "amount"),
    row_checks=(_application_pair,),
    columns=(
        *_payment_header,
        Column(
            "invoice_number",
            T.REFERENCE,
            "Invoice this payment pays (optional)",
            ref="invoices",
            field="",
            header=False,
        ),
        Column(
            "applied_amount",
            T.DECIMAL,
            "Amount applied to that invoice",
            minimum=ZERO,
            places=2,
            field="",
            header=False,
        ),
    ),
    load=_load_payments,
    export=_exporter(
        Payment,
        {
            "number": "number",
            "customer_code": "customer__code",
            "received_on": "received_on",
            "currency": "currency",
            "amount": "amount",
            "method": "method",
            "reference": "reference",
            "reversed_on": "reversed_on",
            "reversal_reason": "reversal_reason",
            "invoice_number": "applications__invoice__number",
            "applied_amount": "applications__amount",
        },
        ("number", "applications__invoice__number"),
    ),
)


def _load_bank_accounts(spec, rows, resolver, actor, state) -> list[Outcome]:
    service_rows = [service_row(spec, row, resolver) for row in rows]
    try:
        result = party_services.customer_bank_accounts_upsert(rows=service_rows, actor=actor)
    except RowsRefused as error:
        raise _refused(spec, rows, error) from error
    return [
        result.outcomes[(row["customer_id"], party_services.bank_account_key(row["account"]))]
        for row in service_rows
    ]


CUSTOMER_BANK_ACCOUNTS = KindSpec(
    name="customer-bank-accounts",
    title="Customer bank accounts",
    description="The accounts customers pay from, as banks write them on receipts (account "
    "number or IBAN): cash application knows a payer by them. One row per account; a "
    "customer may have several.",
    key=("customer_code", "account"),
    columns=columns_for(
        CustomerBankAccount,
        [
            C(
                "customer_code",
                T.REFERENCE,
                "Customer who pays from it",
                ref="customers",
                field="customer_id",
                required=True,
            ),
            C(
                "account",
                T.TEXT,
                "Account number or IBAN (spaces and dashes are ignored)",
                required=True,
            ),
        ],
    ),
    load=_load_bank_accounts,
    export=_exporter(
        CustomerBankAccount,
        {"customer_code": "customer__code", "account": "account"},
        ("customer__code", "account"),
    ),
)


KINDS: dict[str, KindSpec] = {
    spec.name: spec
    for spec in (
        TERRITORIES,
        PAYEES,
        DISTRIBUTORS,
        CUSTOMERS,
        PRODUCTS,
        ORDERS,
        INVOICES,
        INVOICE_INSTALMENTS,
        CREDIT_MEMOS,
        PAYMENTS,
        CUSTOMER_BANK_ACCOUNTS,
    )
}
