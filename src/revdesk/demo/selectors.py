"""Reads about the demo company: row counts, a fingerprint, and what each demo login sees."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Model

from revdesk.cases.models import Case, CaseEvent
from revdesk.catalog.models import (
    BillingCode,
    FxRate,
    PriceList,
    PriceListItem,
    Product,
    ProductLine,
)
from revdesk.compensation.models import PaidLine, Variance
from revdesk.foundation.models import ChangeAction, ChangeRecord
from revdesk.foundation.scoping import restrict, viewer_for
from revdesk.orders.choices import OrderStatus
from revdesk.orders.models import Order, OrderLine
from revdesk.parties.choices import Role
from revdesk.parties.models import (
    BillingContact,
    Customer,
    Distributor,
    Payee,
    PlanAssignment,
    Territory,
    TerritoryAssignment,
    UserProfile,
)
from revdesk.receivables.models import (
    Activity,
    CreditMemo,
    Invoice,
    Payment,
    PaymentApplication,
    PortfolioAssignment,
    PromiseToPay,
    TopPastDueLine,
)

from . import data

User = get_user_model()

# Natural keys and values of every table the demo writes (no database ids, no timestamps).
FINGERPRINT_FIELDS: dict[type[Model], tuple[str, ...]] = {
    ProductLine: ("code", "name", "kind"),
    BillingCode: ("code", "description", "is_recurring", "revenue_account", "tax_category"),
    Product: (
        "sku",
        "name",
        "product_line__code",
        "billing_code__code",
        "currency",
        "unit_cost",
        "list_price",
        "is_recurring",
    ),
    PriceList: ("code", "currency", "valid_from", "valid_to"),
    PriceListItem: ("price_list__code", "product__sku", "unit_price"),
    FxRate: ("currency", "quote_currency", "valid_on", "rate"),
    Territory: ("code", "name", "parent__code"),
    Payee: ("code", "name", "email", "kind", "manager__code", "hired_on", "user__username"),
    TerritoryAssignment: ("payee__code", "territory__code", "role", "valid_from", "valid_to"),
    PlanAssignment: ("payee__code", "plan_code", "valid_from", "valid_to"),
    Distributor: ("code", "name", "country", "currency", "email"),
    Customer: (
        "code",
        "name",
        "parent__code",
        "country",
        "currency",
        "payment_terms_days",
        "credit_limit",
        "segment",
        "territory__code",
        "sales_rep__code",
        "collector__username",
        "is_key_account",
        "requires_po",
        "requires_proof_of_delivery",
        "requires_portal_upload",
        "portal_name",
    ),
    BillingContact: ("customer__code", "name", "email", "phone", "title", "is_primary"),
    User: ("username", "first_name", "last_name", "email", "is_superuser", "password"),
    UserProfile: ("user__username", "distributor__code", "team_lead__username"),
    Order: (
        "number",
        "customer__code",
        "order_type",
        "channel",
        "distributor__code",
        "sales_rep__code",
        "status",
        "booked_on",
        "currency",
        "po_number",
    ),
    OrderLine: (
        "order__number",
        "line_number",
        "product__sku",
        "quantity",
        "unit_price",
        "amount",
        "term_months",
    ),
    Invoice: (
        "number",
        "customer__code",
        "order__number",
        "issued_on",
        "due_on",
        "currency",
        "amount",
        "tax_amount",
        "balance",
        "po_number",
        "status",
    ),
    CreditMemo: (
        "number",
        "customer__code",
        "invoice__number",
        "issued_on",
        "currency",
        "amount",
        "reason",
    ),
    Payment: (
        "number",
        "customer__code",
        "received_on",
        "currency",
        "amount",
        "method",
        "reference",
    ),
    PaymentApplication: ("payment__number", "invoice__number", "amount", "applied_on"),
    # The collections desk. Promise numbers come from database ids, and a broken promise's
    # task is stamped when the daily job ran: both left out.
    PortfolioAssignment: ("customer__code", "collector__username", "valid_from", "valid_to"),
    TopPastDueLine: (
        "snapshot__period",
        "rank",
        "customer__code",
        "currency",
        "past_due",
        "oldest_days_past_due",
        "net_open",
        "disputed",
    ),
    PromiseToPay: (
        "customer__code",
        "amount",
        "currency",
        "promised_on",
        "grace_days",
        "made_on",
        "status",
        "status_on",
        "received",
    ),
    Activity: (
        "customer__code",
        "invoice__number",
        "kind",
        "outcome",
        "subject",
        "body",
        "next_action",
        "next_action_on",
        "assigned_to__username",
        "done_at",
    ),
    # Case numbers come from database ids (PostgreSQL never gives an id twice): left out.
    Case: (
        "case_type__code",
        "title",
        "status",
        "priority",
        "team__code",
        "owner__username",
        "customer__code",
        "amount",
        "currency",
        "opened_at",
        "escalation_level",
    ),
    CaseEvent: (
        "case__title",
        "case__opened_at",
        "time",
        "kind",
        "actor_name",
        "body",
        "to_status",
    ),
    # What payroll paid for the paid commission run, and its variances (runs are numbered by
    # database ids: the run is named by its periods).
    PaidLine: (
        "paid_import__file_name",
        "paid_import__sha256",
        "line_number",
        "payee__code",
        "period",
        "component",
        "amount",
        "currency",
        "paid_on",
        "reference",
    ),
    Variance: (
        "run__periods",
        "payee__code",
        "period",
        "component",
        "currency",
        "calculated",
        "paid",
        "case__title",
    ),
}


def table_counts() -> dict[str, int]:
    """Rows per table the demo writes, by model name."""
    return {model.__name__: model.objects.count() for model in FINGERPRINT_FIELDS}


def demo_fingerprint() -> dict[str, str]:
    """A SHA-256 per table over natural keys and values, plus "all" over every table.

    Equal fingerprints mean equal data, whatever the database ids and timestamps are.
    The user's password hash is left out (it is salted); the password itself is fixed.
    """
    digests: dict[str, str] = {}
    total = hashlib.sha256()
    for model, fields in FINGERPRINT_FIELDS.items():
        names = [name for name in fields if name != "password"]
        rows = sorted(repr(tuple(map(_plain, row))) for row in model.objects.values_list(*names))
        digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        digests[model.__name__] = digest
        total.update(f"{model.__name__}:{len(rows)}:{digest}\n".encode())
    digests["all"] = total.hexdigest()
    return digests


#: a commission run's number in a text ("Run 12 (2026-01..2026-09) calculated ..."): it is a
#: database id, like a case number, so the fingerprint reads it as "Run #"
RUN_NUMBER = re.compile(r"\b(Run|reconcile) \d+\b")
#: a case's or promise's number in a text ("CM-CASE-000123", "Promise PTP-000053 broken"):
#: database ids too, read as "CASE-#", "PTP-#"
RECORD_NUMBER = re.compile(r"\b(CASE|PTP)-\d+\b")


def _plain(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        return str(value)
    return RECORD_NUMBER.sub(r"\1-#", RUN_NUMBER.sub(r"\1 #", value))


def demo_company_exists() -> bool:
    return Customer.objects.exists()


@dataclass(frozen=True)
class DemoBuild:
    """What the demo company in the database was built for."""

    as_of: dt.date
    seed: int
    customers: int


def demo_build_read() -> DemoBuild | None:
    """The as-of date and seed the demo was built for (None if the data came from elsewhere)."""
    records = ChangeRecord.objects.filter(source="demo", action=ChangeAction.CREATE).order_by(
        "-time", "-id"
    )
    for after in records.values_list("after", flat=True):
        if isinstance(after, dict) and data.BUILD_RECORD_KEY in after:
            return DemoBuild(
                as_of=dt.date.fromisoformat(after["as_of"]),
                seed=int(after["seed"]),
                customers=int(after["customers"]),
            )
    return None


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    sees: str


DEMO_LOGINS = (
    ("admin", "Administrator"),
    ("ops", "Sales operations"),
    ("analyst", "Commissions analyst"),
    ("leader", "Desk leader"),
    ("lead", "Senior collector"),
    ("collector", "Collector"),
    ("collector2", "Collector"),
    ("manager", "Sales manager"),
    ("rep", "Sales rep"),
    ("distributor", "Distributor user"),
)


def demo_logins(*, as_of: dt.date) -> list[DemoLogin]:
    """Each demo login that exists, with what `restrict` lets it see on as_of (counted live).

    The figures follow the web home page's rules (web/selectors.py) so that they equal what the
    person sees there on as_of: active customers; overdue = open, balance above zero, due
    before as_of; orders this year = booked from 1 January to as_of and not cancelled.
    """
    users = {u.username: u for u in User.objects.filter(username__in=[n for n, _ in DEMO_LOGINS])}
    rows = []
    for username, role in DEMO_LOGINS:
        user = users.get(username)
        if user is None:
            continue
        rows.append(DemoLogin(username, role, _what_they_see(user, as_of)))
    return rows


def demo_other_logins() -> list[str]:
    """Collectors' usernames that are not in the table of demo logins (same password)."""
    shown = [name for name, _ in DEMO_LOGINS]
    return list(
        User.objects.filter(groups__name=Role.COLLECTOR.label)
        .exclude(username__in=shown)
        .order_by("username")
        .values_list("username", flat=True)
    )


def _what_they_see(user, as_of: dt.date) -> str:
    viewer = viewer_for(user)
    if viewer.sees_everything:
        return (
            f"everything: {Customer.objects.count():,} customers, "
            f"{Order.objects.count():,} orders, {Invoice.objects.count():,} invoices"
        )
    customers = restrict(Customer.objects.filter(is_active=True), user)
    invoices = restrict(Invoice.objects.all(), user)
    orders = restrict(Order.objects.all(), user)
    orders_this_year = orders.filter(
        booked_on__gte=dt.date(as_of.year, 1, 1), booked_on__lte=as_of
    ).exclude(status=OrderStatus.CANCELLED)
    parts = []
    if viewer.collector_ids:
        team = len(viewer.collector_ids)
        owner = "their team's portfolio" if team > 1 else "their portfolio"
        keys = customers.filter(is_key_account=True).count()
        overdue = invoices.filter(Invoice.overdue_q(as_of)).count()
        parts.append(
            f"{owner}: {customers.count():,} customers ({keys} key accounts), "
            f"{overdue:,} overdue invoices"
        )
    if viewer.payee_ids:
        who = "their team" if len(viewer.payee_ids) > 1 else "their own"
        payee = Payee.objects.filter(user=user).first()
        parts.append(
            f"{who} ({payee.name if payee else '?'}): {customers.count():,} customers, "
            f"{orders_this_year.count():,} orders this year"
        )
    if viewer.distributor_ids:
        names = ", ".join(
            Distributor.objects.filter(pk__in=viewer.distributor_ids).values_list("name", flat=True)
        )
        parts.append(
            f"{names}: {orders_this_year.count():,} orders this year "
            f"({orders.count():,} in all), {invoices.count():,} invoices"
        )
    return "; ".join(parts) or "nothing"
