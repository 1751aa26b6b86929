"""The collections reports on the database: aging, Top Past Due and the KPIs, worked out by
the engine (engine.aging, engine.kpis) from the ledger a person may see, on any day.

The ledger goes to the engine as it is: every invoice, unapplied credit memo and payment with
its whole amount, and every application, linked credit memo and write-off with its date
(`engine.aging.Ledger`). The engine works out what was open at the end of the report date,
so a report on an earlier day shows that day's aging, not today's balances under an old date.
No money is summed here (docs/decisions/0002-money.md).

The KPIs also read the dispute cases of those customers (their amounts and the days they were
opened and closed: engine.dispute_aging) and, for who may see them, the receipts not matched to
a customer (unapplied cash in no collector's or region's group).

Who sees what: the invoices, credit memos and payments of the customers in the person's
portfolio (revdesk.parties.scoping). What settled a visible document counts whoever may see
the other side (a parent paying a subsidiary's invoice has still paid it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import pyarrow as pa
from django.db.models import Q, QuerySet

from revdesk.cases.choices import OPEN_STATUSES
from revdesk.engine.aging import (
    DOCUMENTS_SCHEMA,
    SETTLEMENTS_SCHEMA,
    Buckets,
    Ledger,
    aging,
    explain,
    group_keys,
    top_past_due,
)
from revdesk.engine.dispute_aging import OpenDisputes, disputes_table
from revdesk.engine.kpis import (
    KPI_NAMES,
    KpiInputs,
    Kpis,
    kpis,
    ledger_kpi_inputs,
    ledger_kpi_trend,
    month_before,
    months_between,
)
from revdesk.foundation.scoping import restrict, viewer_for
from revdesk.parties.models import Customer, Territory

from . import rules
from .choices import InvoiceStatus
from .models import (
    ApplicationReversal,
    CreditMemo,
    Invoice,
    InvoiceInstalment,
    Payment,
    PaymentApplication,
    WriteOff,
    customer_roots,
)


class _Everything:
    """The desk's own jobs (the daily job, the Top Past Due snapshots), never a person's
    request: they see the whole ledger."""

    def __repr__(self) -> str:
        return "EVERYTHING"


EVERYTHING = _Everything()


def visible(queryset, user):
    """restrict(), or everything for the desk's own jobs (`EVERYTHING`)."""
    return queryset if user is EVERYTHING else restrict(queryset, user)


#: what a report can be summed by (engine.aging.GROUPS), as people read it
GROUP_LABELS = {
    "customer": "Customer",
    "parent": "Hierarchy (top-most parent)",
    "collector": "Collector",
    "region": "Region",
    "company": "Company",
}


@dataclass(frozen=True)
class Parties:
    """The customers a ledger names, by code: name, page, top-most parent, collector,
    region, key-account flag."""

    customers: dict[str, Customer]
    parent_of: dict[str, str]
    collector_of: dict[str, str]
    region_of: dict[str, str]

    def name(self, code: str | None) -> str:
        customer = self.customers.get(code or "")
        return customer.name if customer else ""


def _parties(customer_ids: set[int]) -> Parties:
    customers = {
        c.pk: c for c in Customer.objects.filter(pk__in=customer_ids).select_related("collector")
    }
    roots = customer_roots(customer_ids)
    missing = set(roots.values()) - set(customers)
    customers.update(Customer.objects.in_bulk(missing))
    region_of_territory = _regions()
    by_code = {c.code: c for c in customers.values()}
    return Parties(
        customers=by_code,
        parent_of={customers[i].code: customers[roots[i]].code for i in customer_ids},
        collector_of={
            c.code: (c.collector.get_username() if c.collector_id else "") for c in by_code.values()
        },
        region_of={c.code: region_of_territory.get(c.territory_id, "") for c in by_code.values()},
    )


def _regions() -> dict[int, str]:
    """Territory id -> the code of the top of its tree (the region)."""
    parent = dict(Territory.objects.values_list("pk", "parent_id"))
    codes = dict(Territory.objects.values_list("pk", "code"))
    regions = {}
    for territory in parent:
        node, seen = territory, {territory}
        while parent.get(node) is not None and parent[node] not in seen:
            node = parent[node]
            seen.add(node)
        regions[territory] = codes[node]
    return regions


def ledger(*, user, customers: QuerySet[Customer] | None = None) -> tuple[Ledger, Parties]:
    """The receivables ledger this person may see (`EVERYTHING` for the desk's own jobs; of
    `customers` only, when given), as the engine reads it, and the customers it names."""
    invoices = visible(Invoice.objects.exclude(status=InvoiceStatus.CANCELLED), user)
    memos = visible(CreditMemo.objects.filter(invoice__isnull=True), user)
    payments = visible(Payment.objects.filter(customer__isnull=False), user)
    if customers is not None:
        invoices = invoices.filter(customer__in=customers)
        memos = memos.filter(customer__in=customers)
        payments = payments.filter(customer__in=customers)
    invoice_rows = list(
        invoices.values_list(
            "pk", "customer_id", "number", "issued_on", "due_on", "amount", "currency"
        )
    )
    memo_rows = list(memos.values_list("customer_id", "number", "issued_on", "amount", "currency"))
    payment_rows = list(
        payments.values_list(
            "pk", "customer_id", "number", "received_on", "amount", "currency", "reversed_on"
        )
    )
    parties = _parties(
        {row[1] for row in invoice_rows}
        | {row[0] for row in memo_rows}
        | {row[1] for row in payment_rows}
    )
    code_of = {c.pk: code for code, c in parties.customers.items()}
    documents: dict[str, list] = defaultdict(list)

    def document(customer_id, number, kind, issued, due, amount, currency) -> None:
        code = code_of[customer_id]
        for name, value in (
            ("customer", code),
            ("document", number),
            ("type", kind),
            ("invoice_date", issued),
            ("due_date", due),
            ("amount", amount),
            ("currency", currency),
            ("parent", parties.parent_of[code]),
            ("collector", parties.collector_of[code]),
            ("region", parties.region_of[code]),
        ):
            documents[name].append(value)

    invoice_number = {row[0]: row[2] for row in invoice_rows}
    schedules: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for invoice_id, due, amount in (
        InvoiceInstalment.objects.filter(invoice_id__in=list(invoice_number))
        .order_by("invoice_id", "sequence")
        .values_list("invoice_id", "due_on", "amount")
    ):
        schedules[invoice_id].append((due, amount))
    for invoice_id, customer_id, number, issued, due, amount, currency in invoice_rows:
        if schedule := schedules.get(invoice_id):
            for sequence, (part_due, part) in enumerate(schedule, start=1):
                label = rules.instalment_label(number, sequence, len(schedule))
                document(customer_id, label, "invoice", issued, part_due, part, currency)
        else:
            document(customer_id, number, "invoice", issued, due, amount, currency)
    for customer_id, number, issued, amount, currency in memo_rows:
        document(customer_id, number, "credit_memo", issued, issued, -amount, currency)
    for _, customer_id, number, received, amount, currency, _ in payment_rows:
        document(customer_id, number, "payment", received, received, -amount, currency)

    settlements: dict[str, list] = defaultdict(list)

    def settle(number: str, day: dt.date, amount: Decimal) -> None:
        settlements["document"].append(number)
        settlements["date"].append(day)
        settlements["amount"].append(amount)

    payment_number = {row[0]: row[2] for row in payment_rows}
    # What settles each invoice, by day; an invoice in instalments settles them in order.
    on_invoice: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for model, day_field in (
        (PaymentApplication, "applied_on"),
        (CreditMemo, "issued_on"),
        (WriteOff, "written_off_on"),
    ):
        for invoice_id, day, amount in model.objects.filter(
            invoice_id__in=list(invoice_number)
        ).values_list("invoice_id", day_field, "amount"):
            on_invoice[invoice_id].append((day, amount))
    paid = PaymentApplication.objects.filter(payment_id__in=list(payment_number)).values_list(
        "payment_id", "applied_on", "amount"
    )
    for payment_id, day, amount in paid:
        settle(payment_number[payment_id], day, -amount)
    # An application taken back paid from its day to the day it was reversed.
    reversed_applications = ApplicationReversal.objects.filter(
        Q(invoice_id__in=list(invoice_number)) | Q(payment_id__in=list(payment_number))
    ).values_list("invoice_id", "payment_id", "applied_on", "reversed_on", "amount")
    for invoice_id, payment_id, applied, reversed_on, amount in reversed_applications:
        if invoice_id in invoice_number:
            on_invoice[invoice_id] += [(applied, amount), (reversed_on, -amount)]
        if payment_id in payment_number:
            settle(payment_number[payment_id], applied, -amount)
            settle(payment_number[payment_id], reversed_on, amount)
    # A receipt that came back is no credit from that day.
    for _, _, number, _, amount, _, reversed_on in payment_rows:
        if reversed_on is not None:
            settle(number, reversed_on, -amount)
    for invoice_id, entries in on_invoice.items():
        number = invoice_number[invoice_id]
        schedule = schedules.get(invoice_id)
        if not schedule:
            for day, amount in entries:
                settle(number, day, amount)
            continue
        parts = [part for _, part in schedule]
        labels = [rules.instalment_label(number, k, len(parts)) for k in range(1, len(parts) + 1)]
        total, before = Decimal(0), [Decimal(0)] * len(parts)
        by_day: dict[dt.date, Decimal] = defaultdict(Decimal)
        for day, amount in entries:
            by_day[day] += amount
        for day in sorted(by_day):
            total += by_day[day]
            after = rules.instalments_paid(parts, total)
            for label, old, new in zip(labels, before, after, strict=True):
                if new != old:
                    settle(label, day, new - old)
            before = after
    return (
        Ledger(
            documents=pa.table(
                {f.name: documents[f.name] for f in DOCUMENTS_SCHEMA}, schema=DOCUMENTS_SCHEMA
            ),
            settlements=pa.table(
                {f.name: settlements[f.name] for f in SETTLEMENTS_SCHEMA},
                schema=SETTLEMENTS_SCHEMA,
            ),
        ),
        parties,
    )


@dataclass(frozen=True)
class AgingReport:
    """The aging on a day, per `by` and currency (rows of engine.aging.aging_expr, with the
    name of what each row is), and the totals per currency."""

    as_of: dt.date
    by: str
    buckets: Buckets
    rows: list[dict]
    totals: list[dict]
    sees_everything: bool = False

    @property
    def columns(self) -> list[str]:
        return [*self.buckets.labels, "open_credits", "net", "past_due"]


#: how the rows of an aging may be sorted: by name (what they are summed by), or the most
#: past due or the most open first
AGING_ORDERS = ("name", "past_due", "net")


def aging_report(
    *,
    user,
    as_of: dt.date,
    by: str = "customer",
    buckets: Buckets | None = None,
    order: str = "name",
) -> AgingReport:
    if order not in AGING_ORDERS:
        raise ValueError(f"order {order!r}: write one of {', '.join(AGING_ORDERS)}")
    chosen = buckets or Buckets()
    book, parties = ledger(user=user)
    rows = aging(book, as_of, buckets=chosen, by=by).to_pylist()
    if order != "name":
        rows.sort(key=lambda row: -row[order])  # stable: ties stay in name order
    if by in ("customer", "parent"):
        for row in rows:
            row["name"] = parties.name(row[by])
            row["customer_id"] = getattr(parties.customers.get(row[by]), "pk", None)
    totals = aging(book, as_of, buckets=chosen, by="company").to_pylist()
    return AgingReport(as_of, by, chosen, rows, totals, viewer_for(user).sees_everything)


def aging_items(
    *,
    user,
    as_of: dt.date,
    by: str,
    key: str,
    bucket: str | None,
    buckets: Buckets | None = None,
    currency: str | None = None,
) -> list[dict]:
    """The items a figure of the aging sums (its explanation): those of one row (`key` of
    `by`; "" for the company) and currency (None: every currency), in one bucket (None:
    all)."""
    chosen = buckets or Buckets()
    book, parties = ledger(user=user)
    rows = explain(book, as_of, buckets=chosen).to_pylist()
    column = group_keys(by)[0]
    found = []
    for row in rows:
        if column != "currency" and (row[column] or "") != key:
            continue
        if bucket and row["bucket"] != bucket:
            continue
        if currency and row["currency"] != currency:
            continue
        row["name"] = parties.name(row["customer"])
        found.append(row)
    pages = {
        (Invoice, "invoice"): "web:invoice_detail",
        (Payment, "payment"): "web:payment_detail",
    }
    for (model, kind), name in pages.items():
        number_of = {
            row["document"]: rules.invoice_of(row["document"]) if kind == "invoice" else None
            for row in found
            if row["type"] == kind
        }
        numbers = [number or document for document, number in number_of.items()]
        ids = dict(model.objects.filter(number__in=numbers).values_list("number", "pk"))
        for row in found:
            number = number_of.get(row["document"]) or row["document"]
            if row["type"] == kind and number in ids:
                row["page"] = (name, ids[number])
    return found


@dataclass(frozen=True)
class TopPastDueRow:
    rank: int
    code: str
    name: str
    customer_id: int | None
    currency: str
    past_due: Decimal
    oldest_days_past_due: int
    net_open: Decimal
    items_past_due: int
    is_key_account: bool
    collector: str
    disputed: Decimal
    open_disputes: int


@dataclass(frozen=True)
class TopPastDue:
    as_of: dt.date
    top: int
    by: str
    rows: list[TopPastDueRow] = field(default_factory=list)


def top_past_due_report(*, user, as_of: dt.date, top: int = 20, by: str = "customer") -> TopPastDue:
    """The Top Past Due list on `as_of`, with each customer's key-account flag, collector and
    the amount in open collections cases (disputes, short payments, deductions)."""
    book, parties = ledger(user=user)
    ranked = top_past_due(book, as_of, top=top, by=by).to_pylist()
    disputes = _open_disputes(user, parties, by)
    rows = []
    for row in ranked:
        code = row[by]
        customer = parties.customers.get(code)
        disputed, count = disputes.get((code, row["currency"]), (Decimal("0.00"), 0))
        rows.append(
            TopPastDueRow(
                rank=row["rank"],
                code=code,
                name=parties.name(code),
                customer_id=customer.pk if customer else None,
                currency=row["currency"],
                past_due=row["past_due"],
                oldest_days_past_due=row["oldest_days_past_due"],
                net_open=row["net_open"],
                items_past_due=row["items_past_due"],
                is_key_account=bool(customer and customer.is_key_account),
                collector=parties.collector_of.get(code, ""),
                disputed=disputed,
                open_disputes=count,
            )
        )
    return TopPastDue(as_of, top, by, rows)


def _open_disputes(user, parties: Parties, by: str) -> dict[tuple[str, str], tuple[Decimal, int]]:
    """(customer or parent code, currency) -> the amount in open collections cases and how
    many (summed in Decimal)."""
    from revdesk.cases.models import Case

    cases = visible(
        Case.objects.filter(
            case_type__desk="collections",
            status__in=list(OPEN_STATUSES),
            customer__code__in=list(parties.customers),
        ),
        user,
    ).values_list("customer__code", "amount", "currency")
    totals: dict[tuple[str, str], tuple[Decimal, int]] = {}
    for code, amount, currency in cases:
        key = (parties.parent_of.get(code, code) if by == "parent" else code, currency or "")
        total, count = totals.get(key, (Decimal("0.00"), 0))
        totals[key] = (total + (amount or 0), count + 1)
    return totals


def top_past_due_keep(*, period: str, actor=None, top: int = 20, by: str = "customer"):
    """Keep the Top Past Due list of the whole company at the end of `period` (2026-10 or
    2026-Q4) as its snapshot, replacing one kept before for the same period."""
    from django.db import transaction

    from revdesk.engine.commission_inputs import period_parse

    from .models import TopPastDueLine, TopPastDueSnapshot

    as_of = period_parse(period)[1]
    report = top_past_due_report(user=EVERYTHING, as_of=as_of, top=top, by=by)
    ids = dict(
        Customer.objects.filter(code__in=[r.code for r in report.rows]).values_list("code", "pk")
    )
    with transaction.atomic():
        TopPastDueSnapshot.objects.filter(period=period, by=by).delete()
        snapshot = TopPastDueSnapshot.objects.create(
            period=period,
            as_of=as_of,
            by=by,
            top=top,
            kept_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        TopPastDueLine.objects.bulk_create(
            TopPastDueLine(
                snapshot=snapshot,
                rank=row.rank,
                customer_id=ids[row.code],
                currency=row.currency,
                past_due=row.past_due,
                oldest_days_past_due=row.oldest_days_past_due,
                net_open=row.net_open,
                disputed=row.disputed,
            )
            for row in report.rows
        )
    return snapshot


@dataclass(frozen=True)
class Movement:
    """How a customer stood in the snapshot before: its rank and past due then."""

    period: str
    rank: int | None
    past_due: Decimal | None

    def change(self, now: Decimal) -> Decimal | None:
        return None if self.past_due is None else now - self.past_due


def top_past_due_movements(report: TopPastDue, *, user) -> tuple[str | None, dict]:
    """The latest snapshot kept before the report's date (same ranking), and per (code,
    currency) of the report how it stood then (rank None: it was not on the list)."""
    from .models import TopPastDueSnapshot

    snapshot = (
        TopPastDueSnapshot.objects.filter(by=report.by, as_of__lt=report.as_of)
        .order_by("-as_of")
        .first()
    )
    if snapshot is None:
        return None, {}
    then = {
        (line.customer.code, line.currency): line
        for line in snapshot.lines.select_related("customer")
    }
    movements = {}
    for row in report.rows:
        line = then.get((row.code, row.currency))
        movements[(row.code, row.currency)] = Movement(
            snapshot.period, line.rank if line else None, line.past_due if line else None
        )
    return snapshot.period, movements


@dataclass(frozen=True)
class KpiRow:
    """One row of the KPIs (`key` of `by`, "" for the company; currency) with what they are
    made of: the credit sales, the receivables, the cash not applied and the disputes."""

    key: str
    currency: str
    figures: Kpis
    sales: Decimal
    ar_begin: Decimal
    ar_end: Decimal
    ar_end_current: Decimal
    ar_end_receivable: Decimal = Decimal("0.00")
    unapplied_cash: Decimal = Decimal("0.00")
    disputes: OpenDisputes = field(default_factory=OpenDisputes)


def _kpi_sources(user) -> tuple[Ledger, pa.Table, Ledger]:
    """What the KPIs of this person are worked out from: the ledger they may see, its
    customers' dispute cases (`engine.dispute_aging.DISPUTES_SCHEMA`), and the receipts not
    matched to a customer they may see (for the unapplied cash)."""
    book, parties = ledger(user=user)
    return book, _disputes(user, parties), _unmatched_receipts(user)


def _disputes(user, parties: Parties) -> pa.Table:
    """The dispute cases (AR disputes, short payments, deductions) with an amount, of the
    customers this person may see, as the engine reads them. Opened the local day of
    `opened_at`; closed the day it was resolved, rejected or closed (None while open: a case
    reopened counts as open since it was first opened)."""
    from django.utils import timezone

    from revdesk.cases.choices import DONE_STATUSES
    from revdesk.cases.models import Case

    from .disputes import DISPUTE_TYPES

    cases = visible(
        Case.objects.filter(
            case_type__code__in=DISPUTE_TYPES,
            amount__isnull=False,
            customer__in=visible(Customer.objects.all(), user),
        ),
        user,
    ).values_list(
        "number",
        "amount",
        "currency",
        "opened_at",
        "status",
        "resolved_at",
        "closed_at",
        "customer__code",
    )
    rows = []
    for number, amount, currency, opened, status, resolved, closed, code in cases:
        done = resolved or closed or opened
        rows.append(
            {
                "number": number,
                "amount": amount,
                "currency": currency,
                "opened_on": timezone.localdate(opened),
                "closed_on": timezone.localdate(done) if status in DONE_STATUSES else None,
                "customer": code,
                "parent": parties.parent_of.get(code, code),
                "collector": parties.collector_of.get(code, ""),
                "region": parties.region_of.get(code, ""),
            }
        )
    return disputes_table(rows)


def _unmatched_receipts(user) -> Ledger:
    """Receipts not matched to a customer (only for who may see them: a collector's portfolio
    has none), with what was applied from them, as a ledger in no customer's, collector's or
    region's group: they count in the unapplied cash, never in the receivables."""
    payments = list(
        visible(Payment.objects.filter(customer__isnull=True), user).values_list(
            "pk", "number", "received_on", "amount", "currency", "reversed_on"
        )
    )
    documents = {f.name: [] for f in DOCUMENTS_SCHEMA}
    for _, number, received, amount, currency, _ in payments:
        for name, value in (
            ("customer", ""),
            ("document", number),
            ("type", "payment"),
            ("invoice_date", received),
            ("due_date", received),
            ("amount", -amount),
            ("currency", currency),
            ("parent", ""),
            ("collector", ""),
            ("region", ""),
        ):
            documents[name].append(value)
    number_of = {row[0]: row[1] for row in payments}
    settlements = {f.name: [] for f in SETTLEMENTS_SCHEMA}
    for payment_id, day, amount in PaymentApplication.objects.filter(
        payment_id__in=list(number_of)
    ).values_list("payment_id", "applied_on", "amount"):
        settlements["document"].append(number_of[payment_id])
        settlements["date"].append(day)
        settlements["amount"].append(-amount)
    # as in `ledger`: an application taken back paid until it was reversed, and a receipt that
    # came back is no cash from that day
    taken_back = ApplicationReversal.objects.filter(payment_id__in=list(number_of)).values_list(
        "payment_id", "applied_on", "reversed_on", "amount"
    )
    for payment_id, applied, reversed_on, amount in taken_back:
        for day, part in ((applied, -amount), (reversed_on, amount)):
            settlements["document"].append(number_of[payment_id])
            settlements["date"].append(day)
            settlements["amount"].append(part)
    for _, number, _, amount, _, reversed_on in payments:
        if reversed_on is not None:
            settlements["document"].append(number)
            settlements["date"].append(reversed_on)
            settlements["amount"].append(-amount)
    return Ledger(
        documents=pa.table(documents, schema=DOCUMENTS_SCHEMA),
        settlements=pa.table(settlements, schema=SETTLEMENTS_SCHEMA),
    )


def _kpi_row(key: tuple, inputs: KpiInputs, by: str) -> KpiRow:
    return KpiRow(
        key="" if by == "company" else (key[0] or ""),
        currency=inputs.currency,
        figures=kpis(inputs),
        sales=sum(inputs.sales.values(), Decimal("0.00")),
        ar_begin=inputs.ar_begin,
        ar_end=inputs.ar_end,
        ar_end_current=inputs.ar_end_current,
        ar_end_receivable=inputs.ar_end_receivable or Decimal("0.00"),
        unapplied_cash=inputs.unapplied_cash or Decimal("0.00"),
        disputes=inputs.disputes or OpenDisputes(),
    )


def kpi_report(*, user, first: str, last: str, by: str = "company") -> list[KpiRow]:
    """The KPIs of the months `first` to `last` per `by` and currency (engine.kpis), of the
    ledger, disputes and receipts this person may see."""
    book, disputes, receipts = _kpi_sources(user)
    found = ledger_kpi_inputs(book, first, last, by=by, disputes=disputes, receipts=receipts)
    return [_kpi_row(key, inputs, by) for key, inputs in found.items()]


@dataclass(frozen=True)
class KpiTrend:
    """Per currency and `by` key ("" for the company), the KPIs of each of the months up to
    `last`, each over the three months it ends (a rolling quarter): what the KPI page
    charts."""

    months: list[str]
    by: str
    series: dict[str, dict[str, list[Kpis]]]


#: the groupings a trend is charted for (one line per collector or region; a line per
#: customer would be unreadable)
TREND_GROUPS = ("company", "collector", "region")


def kpi_trend(*, user, last: str, count: int = 12, by: str = "company") -> KpiTrend:
    if by not in TREND_GROUPS:
        raise ValueError(f"by {by!r}: a trend is by {', '.join(TREND_GROUPS)}")
    book, disputes, receipts = _kpi_sources(user)
    first = last
    for _ in range(count - 1):
        first = month_before(first)
    months = months_between(first, last)
    series: dict[str, dict[str, list[Kpis | None]]] = {}
    trend = ledger_kpi_trend(book, months, by=by, disputes=disputes, receipts=receipts)
    for index, month in enumerate(months):
        for key, inputs in trend[month].items():
            name = "" if by == "company" else (key[0] or "")
            lines = series.setdefault(key[-1], {})
            lines.setdefault(name, [None] * len(months))[index] = kpis(inputs)
    empty = Kpis(dict.fromkeys(KPI_NAMES), ["no receivables"])
    return KpiTrend(
        months,
        by,
        {
            currency: {name: [k or empty for k in values] for name, values in sorted(lines.items())}
            for currency, lines in sorted(series.items())
        },
    )


__all__ = [
    "EVERYTHING",
    "GROUP_LABELS",
    "KPI_NAMES",
    "TREND_GROUPS",
    "AgingReport",
    "TopPastDue",
    "aging_items",
    "aging_report",
    "kpi_report",
    "kpi_trend",
    "ledger",
    "month_before",
    "top_past_due_keep",
    "top_past_due_movements",
    "top_past_due_report",
    "visible",
]
