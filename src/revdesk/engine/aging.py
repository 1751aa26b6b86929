"""Receivables aging and the Top Past Due list on open items, as Ibis expressions over Arrow
tables (DuckDB by default): one set of rules for file mode (`revdesk calc aging`,
`revdesk calc top-past-due`) and the database-backed reports (receivables.reports).

Conventions (docs/guide/collections.md, shared/examples/receivables):

- Days past due = report date − due date. 0 or less is Current, then one bucket per upper
  limit (default 30, 60, 90, 120): day 30 is in 1–30, day 31 in 31–60, and above the last
  limit "over 120". Aged by invoice date instead, the days are report date − invoice date
  and the first bucket is 0–30.
- Open credits (negative open amounts: unapplied credit memos and payments on account) are
  never put in a bucket: they are a column of their own, netted in the total ("net").
- Past due is what is in the buckets after Current (by due date, whatever the basis).
- Items dated after the report date are left out (they did not exist yet); items with
  nothing open are left out.
- Amounts stay in their document's currency: every figure is per currency.

Every figure explains itself: `aged_items` gives each item with its days and bucket, the
rows every bucket, total and rank is the sum of (`--explain` in file mode).
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import ibis
import ibis.expr.datatypes as dt_types
import pyarrow as pa

from .backend import connect
from .commission_inputs import Columns, InputError, row_places, table_read

#: money in the receivables ledger: to the cent, as the database keeps it
CENTS = dt_types.Decimal(38, 2)
#: what an item may be: invoices and debit memos are aged, credits are open credits
DEBIT_TYPES = ("invoice", "debit_memo")
CREDIT_TYPES = ("credit_memo", "payment")
ITEM_TYPES = DEBIT_TYPES + CREDIT_TYPES
#: what the aging can be summed by, besides currency ("company": by currency alone)
GROUPS = ("customer", "parent", "collector", "region", "company")

ITEMS: Columns = {
    "customer": ("text", True),
    "document": ("text", True),
    "type": ("text", True),
    "invoice_date": ("date", True),
    "due_date": ("date", False),
    "original_amount": ("cents", False),
    "open_amount": ("cents", True),
    "currency": ("currency", True),
    "parent": ("text", False),
    "collector": ("text", False),
    "region": ("text", False),
}
ITEMS_SCHEMA = pa.schema(
    [
        ("customer", pa.string()),
        ("document", pa.string()),
        ("type", pa.string()),
        ("invoice_date", pa.date32()),
        ("due_date", pa.date32()),
        ("original_amount", pa.decimal128(38, 2)),
        ("open_amount", pa.decimal128(38, 2)),
        ("currency", pa.string()),
        ("parent", pa.string()),
        ("collector", pa.string()),
        ("region", pa.string()),
    ]
)


@dataclass(frozen=True)
class Buckets:
    """The aging buckets: their upper limits in days and what the days count from."""

    limits: tuple[int, ...] = (30, 60, 90, 120)
    basis: str = "due"  # "due": days past due; "invoice": days since the invoice date

    def __post_init__(self) -> None:
        if self.basis not in ("due", "invoice"):
            raise ValueError(f"basis {self.basis!r}: write due or invoice")
        if not self.limits or any(limit <= 0 for limit in self.limits):
            raise ValueError("bucket limits are whole days above 0, such as 30,60,90,120")
        if list(self.limits) != sorted(set(self.limits)):
            raise ValueError("bucket limits go up, each once, such as 30,60,90,120")

    @classmethod
    def parse(cls, text: str, basis: str = "due") -> Buckets:
        """From "30,60,90,120" (the upper limit of each bucket after the first)."""
        try:
            limits = tuple(int(part) for part in text.split(","))
        except ValueError:
            raise ValueError(
                f"{text!r}: write the buckets' upper limits in days, such as 30,60,90,120"
            ) from None
        return cls(limits, basis)

    @property
    def labels(self) -> list[str]:
        """current, 1-30, 31-60, ..., over-120 (by invoice date: 0-30, 31-60, ...)."""
        if self.basis == "due":
            labels, low = ["current"], 1
        else:
            labels, low = [], 0
        for limit in self.limits:
            labels.append(f"{low}-{limit}")
            low = limit + 1
        return [*labels, f"over-{self.limits[-1]}"]

    def bucket(self, days: ibis.IntegerValue) -> ibis.StringValue:
        labels = self.labels
        first = 1 if self.basis == "due" else 0
        cases = [(days <= 0, ibis.literal(labels[0]))] if self.basis == "due" else []
        for label, limit in zip(labels[first:], self.limits, strict=False):
            cases.append((days <= limit, ibis.literal(label)))
        return ibis.cases(*cases, else_=ibis.literal(labels[-1]))


def items_read(path: Path) -> pa.Table:
    """Open items from CSV or Parquet (`ITEMS`), checked: InputError names the file, line and
    column of every problem; nothing is reported from a file with errors."""
    table = table_read(path, ITEMS)
    problems: list[tuple[str, int | str | None, str, str]] = []
    name = path.name
    place = row_places(path)  # (read only for a problem)
    columns = {column: table.column(column).to_pylist() for column in table.column_names}
    for index in range(table.num_rows):
        kind = columns["type"][index]
        amount = columns["open_amount"][index]
        if kind not in ITEM_TYPES:
            problems.append(
                (name, place(index), "type", f"{kind!r} is not one of {', '.join(ITEM_TYPES)}")
            )
            continue
        if kind in DEBIT_TYPES:
            due, issued = columns["due_date"][index], columns["invoice_date"][index]
            if due is None:
                problems.append(
                    (name, place(index), "due_date", f"empty; an {kind} has a due date")
                )
            elif due < issued:
                problems.append(
                    (name, place(index), "due_date", f"{due} is before the invoice date")
                )
        elif amount is not None and amount > 0:
            problems.append(
                (
                    name,
                    place(index),
                    "open_amount",
                    f"{amount} is positive; a {kind}'s open amount is what it takes off, "
                    f"written negative (-{amount})",
                )
            )
    if problems:
        raise InputError(problems)
    return items_table(table.to_pylist())


def items_table(rows: list[dict]) -> pa.Table:
    """Open items as the engine reads them (`ITEMS_SCHEMA`), from dicts with its columns
    (the optional ones may be missing)."""
    columns = {
        field.name: pa.array([row.get(field.name) for row in rows], field.type)
        for field in ITEMS_SCHEMA
    }
    return pa.table(columns, schema=ITEMS_SCHEMA)


#: a receivables ledger, for the reports that age it on any day: every document with its
#: whole amount (signed: invoices and debit memos positive, credits negative) ...
DOCUMENTS_SCHEMA = pa.schema(
    [
        ("customer", pa.string()),
        ("document", pa.string()),
        ("type", pa.string()),
        ("invoice_date", pa.date32()),
        ("due_date", pa.date32()),
        ("amount", pa.decimal128(38, 2)),
        ("currency", pa.string()),
        ("parent", pa.string()),
        ("collector", pa.string()),
        ("region", pa.string()),
    ]
)
#: ... and what settled each, on which day, signed as the document (a payment applied to an
#: invoice settles both: the invoice by +amount, the payment by -amount)
SETTLEMENTS_SCHEMA = pa.schema(
    [("document", pa.string()), ("date", pa.date32()), ("amount", pa.decimal128(38, 2))]
)


@dataclass(frozen=True)
class Ledger:
    """Documents and their settlements (`DOCUMENTS_SCHEMA`, `SETTLEMENTS_SCHEMA`): the open
    items on any day are worked out from them (`open_items_expr`)."""

    documents: pa.Table
    settlements: pa.Table


def open_items_expr(documents: ibis.Table, settlements: ibis.Table, as_of: dt.date) -> ibis.Table:
    """The open items of a ledger at the end of `as_of` (`ITEMS_SCHEMA`): each document issued
    by then, less what settled it by then."""
    report_day = ibis.literal(as_of)
    until = settlements.filter(settlements.date <= report_day)
    settled = until.group_by(s_document=until.document).aggregate(
        s_amount=until.amount.sum().cast(CENTS)
    )
    issued = documents.filter(documents.invoice_date <= report_day)
    joined = issued.left_join(settled, issued.document == settled.s_document)
    zero = ibis.literal(Decimal(0), CENTS)
    return joined.select(
        "customer",
        "document",
        "type",
        "invoice_date",
        "due_date",
        original_amount=joined.amount,
        open_amount=(joined.amount - joined.s_amount.coalesce(zero)).cast(CENTS),
        currency=joined.currency,
        parent=joined.parent,
        collector=joined.collector,
        region=joined.region,
    )


def aged_items(items: ibis.Table, as_of: dt.date, buckets: Buckets) -> ibis.Table:
    """Each open item on `as_of` with its days past due, its age (days since the invoice
    date), its bucket (open_credits for a credit) and its open amount to the cent: the rows
    every figure of the aging sums."""
    report_day = ibis.literal(as_of)
    known = items.filter((items.invoice_date <= report_day) & (items.open_amount != 0))
    due = known.due_date.coalesce(known.invoice_date)
    overdue = report_day.delta(due, unit="day")
    age = report_day.delta(known.invoice_date, unit="day")
    credit = known.open_amount < 0
    days = overdue if buckets.basis == "due" else age
    bucket = ibis.ifelse(credit, ibis.literal("open_credits"), buckets.bucket(days))
    return known.mutate(
        days_past_due=overdue.cast("int32"),
        age=age.cast("int32"),
        bucket=bucket,
        past_due=~credit & (overdue > 0),
        amount=known.open_amount.cast(CENTS),
    )


def group_keys(by: str) -> list[str]:
    """The columns a figure `by` one of GROUPS is summed per (always with currency)."""
    if by not in GROUPS:
        raise ValueError(f"by {by!r}: write one of {', '.join(GROUPS)}")
    return ["currency"] if by == "company" else [by, "currency"]


def _total(column: ibis.DecimalValue, where: ibis.BooleanValue | None = None) -> ibis.Value:
    return column.sum(where=where).coalesce(ibis.literal(Decimal(0), CENTS)).cast(CENTS)


def aging_expr(items: ibis.Table, as_of: dt.date, buckets: Buckets, by: str) -> ibis.Table:
    """Per `by` (and currency): each bucket's total, the open credits, the net (everything
    open), what is past due and how many items."""
    aged = aged_items(items, as_of, buckets)
    keys = group_keys(by)
    figures = {label: _total(aged.amount, aged.bucket == label) for label in buckets.labels}
    figures["open_credits"] = _total(aged.amount, aged.bucket == "open_credits")
    figures["net"] = _total(aged.amount)
    figures["past_due"] = _total(aged.amount, aged.past_due)
    figures["items"] = aged.count().cast("int64")
    return aged.group_by(keys).aggregate(**figures).order_by(keys)


def top_past_due_expr(items: ibis.Table, as_of: dt.date, top: int, by: str) -> ibis.Table:
    """The `top` customers (or hierarchies: by parent) with the most past due, per currency:
    rank, past due, the oldest item's days past due, the net open (credits netted), the
    items past due; ties ranked by name. Customers with nothing past due are not listed."""
    if by not in ("customer", "parent"):
        raise ValueError(f"by {by!r}: the Top Past Due ranks customers or parents")
    if top < 1:
        raise ValueError("--top is a number of customers, 1 or more")
    aged = aged_items(items, as_of, Buckets())
    grouped = aged.group_by([by, "currency"]).aggregate(
        past_due=_total(aged.amount, aged.past_due),
        oldest_days_past_due=aged.days_past_due.max(where=aged.past_due),
        net_open=_total(aged.amount),
        items_past_due=aged.past_due.sum().cast("int64"),
    )
    listed = grouped.filter(grouped.past_due > 0)
    window = ibis.window(
        group_by=listed.currency, order_by=[listed.past_due.desc(), listed[by].asc()]
    )
    ranked = listed.mutate(rank=(ibis.row_number().over(window) + 1).cast("int32"))
    ranked = ranked.filter(ranked["rank"] <= top)
    return ranked.select(
        "rank", by, "currency", "past_due", "oldest_days_past_due", "net_open", "items_past_due"
    ).order_by(["currency", "rank"])


def items_expr(items: pa.Table | Ledger, as_of: dt.date) -> ibis.Table:
    """Open items as a table to build on: given (`ITEMS_SCHEMA`), or a ledger's on `as_of`."""
    if isinstance(items, Ledger):
        documents = ibis.memtable(items.documents.cast(DOCUMENTS_SCHEMA))
        settlements = ibis.memtable(items.settlements.cast(SETTLEMENTS_SCHEMA))
        return open_items_expr(documents, settlements, as_of)
    return ibis.memtable(items.cast(ITEMS_SCHEMA))


#: the names the inputs take in the default DuckDB while a report runs on them
_NAMES = {
    "items": "revdesk_aging_items",
    "documents": "revdesk_aging_documents",
    "settlements": "revdesk_aging_settlements",
}
_COMPILED: dict[tuple, tuple[str, pa.Schema]] = {}
_COMPILED_MAX = 512


def _compiled(key: tuple, expr_of, as_of: dt.date, on_ledger: bool) -> tuple[str, pa.Schema]:
    """A report's SQL on the inputs by name (`_NAMES`) and its result schema, compiled once
    per report and parameters: Ibis takes tens of milliseconds to compile, DuckDB less to
    run the query on a portfolio, and the pages ask for the same reports all day."""
    found = _COMPILED.get((key, on_ledger))
    if found is None:
        if on_ledger:
            table = open_items_expr(
                ibis.table(DOCUMENTS_SCHEMA, name=_NAMES["documents"]),
                ibis.table(SETTLEMENTS_SCHEMA, name=_NAMES["settlements"]),
                as_of,
            )
        else:
            table = ibis.table(ITEMS_SCHEMA, name=_NAMES["items"])
        expr = expr_of(table)
        found = (ibis.to_sql(expr, dialect="duckdb"), expr.schema().to_pyarrow())
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.clear()
        _COMPILED[(key, on_ledger)] = found
    return found


def _run(
    key: tuple,
    expr_of,
    items: pa.Table | Ledger,
    as_of: dt.date,
    backend: ibis.BaseBackend | None,
) -> pa.Table:
    """Run a report (`expr_of` on the open items) on `items`. On this thread's DuckDB the
    inputs are registered by name and the report's SQL compiled once (`_compiled`); on a
    backend given (Spark), the expression goes as Ibis builds it."""
    if backend is not None:
        return backend.to_pyarrow(expr_of(items_expr(items, as_of)))
    con = default_backend().con  # type: ignore[attr-defined]
    on_ledger = isinstance(items, Ledger)
    sql, schema = _compiled(key, expr_of, as_of, on_ledger)
    inputs = (
        {
            _NAMES["documents"]: items.documents.cast(DOCUMENTS_SCHEMA),
            _NAMES["settlements"]: items.settlements.cast(SETTLEMENTS_SCHEMA),
        }
        if on_ledger
        else {_NAMES["items"]: items.cast(ITEMS_SCHEMA)}
    )
    for name, table in inputs.items():
        con.register(name, table)
    try:
        return con.sql(sql).to_arrow_table().cast(schema)
    finally:
        for name in inputs:
            con.unregister(name)


_local = threading.local()


def default_backend() -> ibis.BaseBackend:
    """The DuckDB the reports of this thread share (connecting costs; a DuckDB connection
    is not for two threads at once, and a web server answers on several)."""
    con = getattr(_local, "con", None)
    if con is None:
        con = _local.con = connect()
    return con


def aging(
    items: pa.Table | Ledger,
    as_of: dt.date,
    *,
    buckets: Buckets | None = None,
    by: str = "customer",
    backend: ibis.BaseBackend | None = None,
) -> pa.Table:
    """The aging of `items` (`ITEMS_SCHEMA`, or a `Ledger`) on `as_of`: see `aging_expr`."""
    chosen = buckets or Buckets()
    key = ("aging", as_of, chosen, by)
    return _run(key, lambda t: aging_expr(t, as_of, chosen, by), items, as_of, backend)


def top_past_due(
    items: pa.Table | Ledger,
    as_of: dt.date,
    *,
    top: int = 20,
    by: str = "customer",
    backend: ibis.BaseBackend | None = None,
) -> pa.Table:
    """The Top Past Due list of `items` on `as_of`: see `top_past_due_expr`."""
    key = ("top", as_of, top, by)
    return _run(key, lambda t: top_past_due_expr(t, as_of, top, by), items, as_of, backend)


def explain(
    items: pa.Table | Ledger,
    as_of: dt.date,
    *,
    buckets: Buckets | None = None,
    backend: ibis.BaseBackend | None = None,
) -> pa.Table:
    """Every item the aging sums, with its days, bucket and amount, in customer and due
    date order."""
    chosen = buckets or Buckets()

    def expr(table: ibis.Table) -> ibis.Table:
        aged = aged_items(table, as_of, chosen)
        return aged.select(
            "customer",
            "parent",
            "collector",
            "region",
            "document",
            "type",
            "invoice_date",
            "due_date",
            "currency",
            "amount",
            "days_past_due",
            "age",
            "bucket",
        ).order_by(["customer", "currency", "due_date", "document"])

    return _run(("explain", as_of, chosen), expr, items, as_of, backend)


__all__ = [
    "DOCUMENTS_SCHEMA",
    "ITEMS",
    "ITEMS_SCHEMA",
    "SETTLEMENTS_SCHEMA",
    "Buckets",
    "Ledger",
    "aging",
    "explain",
    "group_keys",
    "items_read",
    "items_table",
    "top_past_due",
]
