"""Dispute aging: the disputes (AR disputes, short payments, deductions) open at the end of a
day, how much they hold and how long they have been open, per customer, parent, collector,
region or company and currency, as Ibis expressions over an Arrow table (DuckDB by default).
One set of rules for file mode (`revdesk calc kpis --disputes`) and the database-backed KPIs
(receivables.reports, which turn the dispute cases into `DISPUTES_SCHEMA` rows).

Conventions (docs/guide/collections.md):

- A dispute is open at the end of a day when it was opened on or before that day and not
  resolved, rejected or closed by then (`closed_on` empty, or after the day).
- Its age is the day − the day it was opened (opened that day: 0 days).
- Buckets by age: 0–30, 31–60, 61–90 and over 90 days (day 30 is in 0–30).
- Average age: the ages of the open disputes added up ÷ how many there are, each dispute
  counted once whatever its amount; rounded half-up to two decimals once (engine.kpis).
- Amounts stay in their currency: every figure is per currency.

`open_disputes_explain` lists every open dispute with its age and bucket: the rows each
figure sums.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import ibis
import pyarrow as pa

from .aging import CENTS, default_backend, group_keys
from .commission_inputs import Columns, InputError, place_text, row_places, table_read

#: the dispute age buckets' upper limits in days; above the last: "over-90"
DISPUTE_LIMITS = (30, 60, 90)
DISPUTE_BUCKETS = ("0-30", "31-60", "61-90", "over-90")

DISPUTES: Columns = {
    "number": ("text", True),
    "amount": ("cents", True),
    "currency": ("currency", True),
    "opened_on": ("date", True),
    "closed_on": ("date", False),
    "customer": ("text", False),
    "parent": ("text", False),
    "collector": ("text", False),
    "region": ("text", False),
}
DISPUTES_SCHEMA = pa.schema(
    [
        ("number", pa.string()),
        ("amount", pa.decimal128(38, 2)),
        ("currency", pa.string()),
        ("opened_on", pa.date32()),
        ("closed_on", pa.date32()),
        ("customer", pa.string()),
        ("parent", pa.string()),
        ("collector", pa.string()),
        ("region", pa.string()),
    ]
)


@dataclass(frozen=True)
class OpenDisputes:
    """The disputes open at the end of a day (of one group and currency): how many, how much,
    their ages added up, the oldest's age, and the amount per age bucket."""

    count: int = 0
    amount: Decimal = Decimal("0.00")
    age_days_total: int = 0
    oldest_days: int | None = None
    buckets: dict[str, Decimal] = field(
        default_factory=lambda: dict.fromkeys(DISPUTE_BUCKETS, Decimal("0.00"))
    )


def disputes_read(path: Path) -> pa.Table:
    """Disputes from CSV or Parquet (`DISPUTES`), checked: InputError names the line and column
    of every problem; nothing is worked out from a file with errors."""
    table = table_read(path, DISPUTES)
    problems: list[tuple[str, int | str | None, str, str]] = []
    rows = table.to_pylist()
    seen: dict[str, int] = {}  # number -> the index of its first row
    place = row_places(path)  # (read only for a problem)
    for index, row in enumerate(rows):
        number = row["number"]
        if number in seen:
            problems.append(
                (
                    path.name,
                    place(index),
                    "number",
                    f"{number} is given twice ({place_text(place(seen[number]))})",
                )
            )
        seen.setdefault(number, index)
        if row["amount"] < 0:
            problems.append(
                (path.name, place(index), "amount", f"{row['amount']}: write 0 or more")
            )
        closed = row["closed_on"]
        if closed is not None and closed < row["opened_on"]:
            problems.append((path.name, place(index), "closed_on", f"{closed} is before opened_on"))
    if problems:
        raise InputError(problems)
    return disputes_table(rows)


def disputes_table(rows: list[dict]) -> pa.Table:
    """Disputes as the engine reads them (`DISPUTES_SCHEMA`), from dicts with its columns (the
    optional ones may be missing)."""
    return pa.table(
        {f.name: pa.array([row.get(f.name) for row in rows], f.type) for f in DISPUTES_SCHEMA},
        schema=DISPUTES_SCHEMA,
    )


def _bucket(age: ibis.IntegerValue) -> ibis.StringValue:
    cases = [
        (age <= limit, ibis.literal(label))
        for limit, label in zip(DISPUTE_LIMITS, DISPUTE_BUCKETS, strict=False)
    ]
    return ibis.cases(*cases, else_=ibis.literal(DISPUTE_BUCKETS[-1]))


def open_disputes_expr(disputes: ibis.Table, as_of: dt.date | str) -> ibis.Table:
    """Each dispute open at the end of `as_of` (a day, or the name of a date column of
    `disputes`: each row's own day), with its age in days and its bucket."""

    def day(table: ibis.Table) -> ibis.DateValue:
        return table[as_of] if isinstance(as_of, str) else ibis.literal(as_of)

    still = disputes.filter(
        (disputes.opened_on <= day(disputes))
        & (disputes.closed_on.isnull() | (disputes.closed_on > day(disputes)))
    )
    age = day(still).delta(still.opened_on, unit="day").cast("int32")
    return still.mutate(age_days=age, bucket=_bucket(age), amount=still.amount.cast(CENTS))


def dispute_aging_expr(disputes: ibis.Table, as_of: dt.date | str, by: str) -> ibis.Table:
    """Per `by` (and currency; and day, when `as_of` names a date column): the open
    disputes' count, amount, ages added up, oldest age, and amount per bucket."""
    found = open_disputes_expr(disputes, as_of)
    zero = ibis.literal(Decimal(0), CENTS)
    figures = {
        "count": found.count().cast("int64"),
        "amount": found.amount.sum().coalesce(zero).cast(CENTS),
        "age_days_total": found.age_days.cast("int64").sum().coalesce(0).cast("int64"),
        "oldest_days": found.age_days.max().cast("int32"),
    }
    for label in DISPUTE_BUCKETS:
        figures[f"bucket_{label}"] = (
            found.amount.sum(where=found.bucket == label).coalesce(zero).cast(CENTS)
        )
    keys = group_keys(by) + ([as_of] if isinstance(as_of, str) else [])
    return found.group_by(keys).aggregate(**figures).order_by(keys)


def _open(row: dict) -> OpenDisputes:
    return OpenDisputes(
        count=row["count"],
        amount=row["amount"],
        age_days_total=row["age_days_total"],
        oldest_days=row["oldest_days"],
        buckets={label: row[f"bucket_{label}"] for label in DISPUTE_BUCKETS},
    )


def dispute_aging(
    disputes: pa.Table,
    as_of: dt.date,
    *,
    by: str = "company",
    backend: ibis.BaseBackend | None = None,
) -> dict[tuple, OpenDisputes]:
    """The disputes open at the end of `as_of` per `by` and currency: (group, currency) or
    (currency,) for the company -> `OpenDisputes`. Groups with none open are not listed."""
    found = dispute_aging_at(disputes, [as_of], by=by, backend=backend)
    return {key[:-1]: figures for key, figures in found.items()}


def dispute_aging_at(
    disputes: pa.Table,
    days: list[dt.date],
    *,
    by: str = "company",
    backend: ibis.BaseBackend | None = None,
) -> dict[tuple, OpenDisputes]:
    """`dispute_aging` at the end of each of `days`, in one query: (group..., currency, day)
    -> `OpenDisputes`."""
    keys = group_keys(by)
    if not disputes.num_rows or not days:
        return {}
    con = backend or default_backend()
    at = ibis.memtable(pa.table({"day": pa.array(sorted(set(days)), pa.date32())}))
    table = ibis.memtable(disputes.cast(DISPUTES_SCHEMA)).cross_join(at)
    return {
        (*(row[key] for key in keys), row["day"]): _open(row)
        for row in con.to_pyarrow(dispute_aging_expr(table, "day", by)).to_pylist()
    }


def open_disputes_explain(
    disputes: pa.Table, as_of: dt.date, *, backend: ibis.BaseBackend | None = None
) -> pa.Table:
    """Every dispute open at the end of `as_of` with its age and bucket, oldest first: what the
    dispute aging's figures sum."""
    con = backend or default_backend()
    found = open_disputes_expr(ibis.memtable(disputes.cast(DISPUTES_SCHEMA)), as_of)
    return con.to_pyarrow(
        found.select(
            "number",
            "customer",
            "parent",
            "collector",
            "region",
            "currency",
            "amount",
            "opened_on",
            "age_days",
            "bucket",
        ).order_by([found.currency, found.age_days.desc(), found.number])
    )


__all__ = [
    "DISPUTES",
    "DISPUTES_SCHEMA",
    "DISPUTE_BUCKETS",
    "OpenDisputes",
    "dispute_aging",
    "dispute_aging_at",
    "disputes_read",
    "disputes_table",
    "open_disputes_explain",
]
