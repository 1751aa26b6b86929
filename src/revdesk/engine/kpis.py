"""The collection KPIs of a period: DSO (count-back and simple), best possible DSO, average
days delinquent, the collection effectiveness index (CEI), % current, unapplied cash and the
dispute aging, from the period's credit sales by month, its receivables, the cash not applied
and the disputes open at its end. One set of rules for file mode (`revdesk calc kpis`) and the
database-backed reports (receivables.reports), which sum the ledger into `KpiInputs`.

Definitions (shared/examples/receivables/02-kpis):

- DSO, count-back: from the ending receivables take each month's sales, going back from
  the last month, adding the month's calendar days while the month is fully absorbed; for
  the first month not fully absorbed add remaining ÷ its sales × its days. Receivables
  larger than every month's sales are counted on at the period's average daily sales.
- DSO, simple: ending receivables ÷ the period's sales × the period's days.
- Best possible DSO: the same two methods on the ending receivables not yet due.
- Average days delinquent (ADD): DSO − best possible DSO, method by method.
- CEI = (receivables at the start + sales − receivables at the end) ÷ (receivables at the
  start + sales − receivables at the end not yet due) × 100.
- % current = the open invoices and debit memos not yet past due at the end ÷ all open
  invoices and debit memos at the end × 100 (open credits are in neither: the aging's
  Current bucket ÷ the sum of its buckets).
- Unapplied cash: what the receipts received by the end had not yet been applied to invoices
  at the end (receipts on account and receipts not yet matched to a customer).
- Dispute aging (engine.dispute_aging): the disputes open at the end, their amount, how
  many, their average and oldest age in days, and the amount per age bucket.

Every figure is worked out in Decimal and rounded half-up to two decimals at the end, once
(ADD is the difference of the unrounded figures); amounts are to the cent already, counts and
whole days stay whole. A figure that cannot be worked out (no sales in the period, a CEI
denominator of zero, nothing open for % current) is None, with the reason in `notes`. A
figure whose input is not given (file mode without ar_end_receivable, unapplied_cash or a
disputes file) is left out of `values`.

What each figure is made of is on `KpiInputs` (sales by month, the receivables, the open
disputes' totals) and, item by item, in the aging's items and `open_disputes_explain`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import ibis
import pyarrow as pa

from .aging import (
    CENTS,
    DEBIT_TYPES,
    DOCUMENTS_SCHEMA,
    SETTLEMENTS_SCHEMA,
    Ledger,
    default_backend,
    group_keys,
)
from .commission_inputs import (
    Columns,
    InputError,
    period_parse,
    place_text,
    row_places,
    table_read,
)
from .dispute_aging import DISPUTE_BUCKETS, OpenDisputes, dispute_aging_at

HUNDREDTH = Decimal("0.01")
KPI_NAMES = (
    "dso_countback",
    "dso_simple",
    "best_possible_dso_countback",
    "best_possible_dso_simple",
    "add_countback",
    "add_simple",
    "cei_percent",
    "current_percent",
    "unapplied_cash",
    "disputes_open",
    "disputed_amount",
    "dispute_average_age_days",
    "dispute_oldest_age_days",
    *(f"disputed_{label.replace('-', '_')}" for label in DISPUTE_BUCKETS),
)
#: the figures every KpiInputs gives; the others need their inputs (OPTIONAL_INPUTS, disputes)
DAYS_KPIS = KPI_NAMES[:7]
DISPUTE_KPIS = KPI_NAMES[9:]
KPI_FILE: Columns = {"item": ("text", True), "value": ("decimal", True)}
BALANCES = ("ar_begin", "ar_end", "ar_end_current")
#: rows a KPI file may give: % current needs ar_end_receivable, unapplied cash its own
OPTIONAL_INPUTS = ("ar_end_receivable", "unapplied_cash")


@dataclass(frozen=True)
class KpiInputs:
    """A period's credit sales by month (YYYY-MM -> amount; the months follow each other)
    and its receivables: at the start, at the end (credits netted), and the part of the end
    not yet due; at the end also the open invoices and debit memos before credits
    (`ar_end_receivable`), the cash not applied (`unapplied_cash`) and the open disputes.
    The last three are None when not known (their KPIs are then left out)."""

    sales: dict[str, Decimal]
    ar_begin: Decimal
    ar_end: Decimal
    ar_end_current: Decimal
    currency: str = ""
    ar_end_receivable: Decimal | None = None
    unapplied_cash: Decimal | None = None
    disputes: OpenDisputes | None = None

    def __post_init__(self) -> None:
        months = sorted(self.sales)
        if not months:
            raise ValueError("no month of sales: give at least one month")
        for before, after in itertools.pairwise(months):
            if _next_month(before) != after:
                raise ValueError(f"the months of sales skip from {before} to {after}")

    @property
    def months(self) -> list[str]:
        return sorted(self.sales)

    @property
    def start(self) -> dt.date:
        return period_parse(self.months[0])[0]

    @property
    def end(self) -> dt.date:
        return period_parse(self.months[-1])[1]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Kpis:
    """The figures (KPI_NAMES -> value or None) and why any is missing."""

    values: dict[str, Decimal | None]
    notes: list[str] = field(default_factory=list)


def _next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def month_before(month: str) -> str:
    """The month before YYYY-MM."""
    year, number = int(month[:4]), int(month[5:7])
    return f"{year - (number == 1):04d}-{(number - 2) % 12 + 1:02d}"


def _month_days(month: str) -> int:
    return calendar.monthrange(int(month[:4]), int(month[5:7]))[1]


def _countback(receivables: Decimal, inputs: KpiInputs) -> Decimal:
    remaining, days = receivables, Decimal(0)
    for month in reversed(inputs.months):
        if remaining <= 0:
            return days
        sales, month_days = inputs.sales[month], _month_days(month)
        if remaining >= sales:
            remaining -= sales
            days += month_days
        else:
            return days + remaining / sales * month_days
    if remaining > 0:  # more than every month's sales: on at the average daily sales
        days += remaining / sum(inputs.sales.values()) * inputs.days
    return days


def _simple(receivables: Decimal, inputs: KpiInputs) -> Decimal:
    return receivables / sum(inputs.sales.values()) * inputs.days


def _rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def kpis(inputs: KpiInputs) -> Kpis:
    """The KPIs of `inputs` (see the module doc), rounded half-up to two decimals."""
    notes: list[str] = []
    raw: dict[str, Decimal | None] = dict.fromkeys(DAYS_KPIS)
    sales = sum(inputs.sales.values(), Decimal(0))
    if sales > 0:
        for method, work in (("countback", _countback), ("simple", _simple)):
            dso = work(inputs.ar_end, inputs)
            best = work(inputs.ar_end_current, inputs)
            raw[f"dso_{method}"] = dso
            raw[f"best_possible_dso_{method}"] = best
            raw[f"add_{method}"] = dso - best
    else:
        notes.append("no credit sales in the period: DSO and ADD are not defined")
    collectible = inputs.ar_begin + sales - inputs.ar_end_current
    if collectible != 0:
        collected = inputs.ar_begin + sales - inputs.ar_end
        raw["cei_percent"] = collected / collectible * 100
    else:
        notes.append("nothing was collectible in the period: CEI is not defined")
    if inputs.ar_end_receivable is not None:
        raw["current_percent"] = None
        if inputs.ar_end_receivable > 0:
            raw["current_percent"] = inputs.ar_end_current / inputs.ar_end_receivable * 100
        else:
            notes.append("no invoice open at the end: % current is not defined")
    if inputs.unapplied_cash is not None:
        raw["unapplied_cash"] = inputs.unapplied_cash
    values = {name: _rounded(value) for name, value in raw.items()}
    if inputs.disputes is not None:
        values.update(_dispute_figures(inputs.disputes))
    return Kpis(values, notes)


def _dispute_figures(disputes: OpenDisputes) -> dict[str, Decimal | None]:
    """The dispute aging's figures: counts and whole days as whole numbers, the average age
    rounded once, amounts to the cent (None: no dispute open, so no age)."""
    count = disputes.count
    figures: dict[str, Decimal | None] = {
        "disputes_open": Decimal(count),
        "disputed_amount": disputes.amount,
        "dispute_average_age_days": _rounded(Decimal(disputes.age_days_total) / count)
        if count
        else None,
        "dispute_oldest_age_days": None
        if disputes.oldest_days is None
        else Decimal(disputes.oldest_days),
    }
    for label in DISPUTE_BUCKETS:
        figures[f"disputed_{label.replace('-', '_')}"] = disputes.buckets[label]
    return figures


def kpi_inputs_read(path: Path) -> KpiInputs:
    """A KPI input file (CSV or Parquet; columns item, value): one row sales_YYYY-MM per
    month of the period, and ar_begin, ar_end, ar_end_current; optionally ar_end_receivable
    (for % current) and unapplied_cash. InputError names the line and column of every
    problem."""
    table = table_read(path, KPI_FILE)
    name = path.name
    place = row_places(path)  # (read only for a problem)
    problems: list[tuple[str, int | str | None, str, str]] = []
    sales: dict[str, Decimal] = {}
    balances: dict[str, Decimal] = {}
    first: dict[str, int] = {}  # item -> the index of its row
    for index, row in enumerate(table.to_pylist()):
        item, value = row["item"], row["value"]
        if item in first:
            earlier = place_text(place(first[item]))
            problems.append((name, place(index), "item", f"{item} is given twice ({earlier})"))
            continue
        first[item] = index
        if item.startswith("sales_"):
            month = item.removeprefix("sales_")
            try:
                period_parse(month)
                valid = len(month) == 7 and month[4] == "-"
            except ValueError:
                valid = False
            if not valid:
                problems.append((name, place(index), "item", f"{item!r}: write sales_YYYY-MM"))
            elif value < 0:
                problems.append((name, place(index), "value", f"{value}: sales are 0 or more"))
            else:
                sales[month] = value
        elif item in BALANCES or item in OPTIONAL_INPUTS:
            if item in OPTIONAL_INPUTS and value < 0:
                problems.append((name, place(index), "value", f"{value}: {item} is 0 or more"))
            balances[item] = value
        else:
            items = ", ".join((*BALANCES, *OPTIONAL_INPUTS))
            problems.append(
                (name, place(index), "item", f"{item!r} is not sales_YYYY-MM or {items}")
            )
    for item in BALANCES:
        if item not in balances and not problems:
            problems.append((name, None, "item", f"no {item} row"))
    if not sales and not problems:
        problems.append((name, None, "item", "no sales_YYYY-MM row"))
    if problems:
        raise InputError(problems)
    try:
        return KpiInputs(sales, **balances)
    except ValueError as error:
        raise InputError([(name, None, "item", str(error))]) from error


def months_between(first: str, last: str) -> list[str]:
    """YYYY-MM from `first` to `last`, both included."""
    months = [first]
    while months[-1] < last:
        months.append(_next_month(months[-1]))
    return months


def ledger_kpi_inputs(
    ledger: Ledger,
    first: str,
    last: str,
    *,
    by: str = "company",
    disputes: pa.Table | None = None,
    receipts: Ledger | None = None,
    backend: ibis.BaseBackend | None = None,
) -> dict[tuple, KpiInputs]:
    """The KPI inputs of the months `first` to `last` from a ledger, per `by` (as in the
    aging: customer, parent, collector, region or company) and currency: the credit sales
    are the invoices and debit memos issued in each month, the receivables the net open
    items (credits netted) at the end of the day before the first month and of the last
    month, the part not yet due the Current bucket at the end, the receivable before credits
    the sum of the buckets at the end, and the unapplied cash what the ledger's payments
    (and `receipts`: cash not matched to a customer, in no collector's or region's group)
    had left unapplied at the end. With `disputes` (engine.dispute_aging), the disputes
    open at the end; without, the dispute figures are left out."""
    (found,) = ledger_kpi_periods(
        ledger, [(first, last)], by=by, disputes=disputes, receipts=receipts, backend=backend
    ).values()
    return found


def ledger_kpi_trend(
    ledger: Ledger,
    months: list[str],
    *,
    by: str = "company",
    disputes: pa.Table | None = None,
    receipts: Ledger | None = None,
    backend: ibis.BaseBackend | None = None,
) -> dict[str, dict[tuple, KpiInputs]]:
    """Month -> the KPI inputs of the three months it ends (a rolling quarter), for each of
    `months`, as `ledger_kpi_inputs` gives them, in one pass over the ledger."""
    periods = [(month_before(month_before(month)), month) for month in months]
    found = ledger_kpi_periods(
        ledger, periods, by=by, disputes=disputes, receipts=receipts, backend=backend
    )
    return {last: inputs for (_, last), inputs in found.items()}


def ledger_kpi_periods(
    ledger: Ledger,
    periods: list[tuple[str, str]],
    *,
    by: str = "company",
    disputes: pa.Table | None = None,
    receipts: Ledger | None = None,
    backend: ibis.BaseBackend | None = None,
) -> dict[tuple[str, str], dict[tuple, KpiInputs]]:
    """The KPI inputs of each period (first month, last month) as `ledger_kpi_inputs` gives
    them, with one query for the balances at every day they need, one for the sales of every
    month and one for the disputes open at every period end."""
    keys = group_keys(by)
    con = backend or default_backend()
    bounds = {
        period: (period_parse(period[0])[0] - dt.timedelta(days=1), period_parse(period[1])[1])
        for period in periods
    }
    days = sorted({day for pair in bounds.values() for day in pair})
    documents = ibis.memtable(ledger.documents.cast(DOCUMENTS_SCHEMA))
    held = _balances(con, ledger, days, keys)
    unapplied = {k: row["unapplied_cash"] for k, row in held.items() if "unapplied_cash" in row}
    if receipts is not None and receipts.documents.num_rows:
        for k, row in _balances(con, receipts, days, keys).items():
            if "unapplied_cash" in row:
                unapplied[k] = unapplied.get(k, ZERO_CENTS) + row["unapplied_cash"]
    start, end = min(days) + dt.timedelta(days=1), max(days)
    issued = documents.filter(
        documents.type.isin(DEBIT_TYPES)
        & (documents.invoice_date >= ibis.literal(start))
        & (documents.invoice_date <= ibis.literal(end))
    )
    monthly = issued.group_by([*keys, issued.invoice_date.strftime("%Y-%m").name("month")])
    sales: dict[tuple, dict[str, Decimal]] = {}
    for row in con.to_pyarrow(monthly.aggregate(sales=issued.amount.sum().cast(CENTS))).to_pylist():
        sales.setdefault(_key(row, keys), {})[row["month"]] = row["sales"]
    ends = sorted({end for _, end in bounds.values()})
    opened = {} if disputes is None else dispute_aging_at(disputes, ends, by=by, backend=backend)
    found = {}
    for period, (begin, end) in bounds.items():
        months = months_between(*period)
        groups = {k[:-1] for k in held if k[-1] in (begin, end)} | set(sales)
        groups |= {k[:-1] for k in unapplied if k[-1] == end}
        groups |= {k[:-1] for k in opened if k[-1] == end}
        inputs = {}
        for key in sorted(groups, key=lambda k: tuple(v or "" for v in k)):
            before, after = held.get((*key, begin), {}), held.get((*key, end), {})
            month_sales = sales.get(key, {})
            # a group of another period's only (its documents all came later)
            if not (
                before
                or after
                or any(m in month_sales for m in months)
                or (*key, end) in unapplied
                or (*key, end) in opened
            ):
                continue
            inputs[key] = KpiInputs(
                sales={month: month_sales.get(month, ZERO_CENTS) for month in months},
                ar_begin=before.get("ar_end", ZERO_CENTS),
                ar_end=after.get("ar_end", ZERO_CENTS),
                ar_end_current=after.get("ar_end_current", ZERO_CENTS),
                currency=key[-1],
                ar_end_receivable=after.get("ar_end_receivable", ZERO_CENTS),
                unapplied_cash=unapplied.get((*key, end), ZERO_CENTS),
                disputes=None if disputes is None else opened.get((*key, end), OpenDisputes()),
            )
        found[period] = inputs
    return found


ZERO_CENTS = Decimal("0.00")


def _balances(con, ledger: Ledger, days: list[dt.date], keys: list[str]) -> dict[tuple, dict]:
    """(group keys..., day) -> the balances at the end of the day (`balances_at_expr`). Two
    days (one period: its eve and its end) take one pass over the ledger (`balances_expr`)
    instead of one per day; the eve's row then holds its "ar_end" only (all a period reads of
    its eve)."""
    documents = ibis.memtable(ledger.documents.cast(DOCUMENTS_SCHEMA))
    settlements = ibis.memtable(ledger.settlements.cast(SETTLEMENTS_SCHEMA))
    if len(days) != 2:
        found = con.to_pyarrow(balances_at_expr(documents, settlements, days, keys))
        return {(*_key(row, keys), row["day"]): row for row in found.to_pylist()}
    begin, end = days
    held = {}
    for row in con.to_pyarrow(balances_expr(documents, settlements, begin, end, keys)).to_pylist():
        held[(*_key(row, keys), begin)] = {"ar_end": row.pop("ar_begin")}
        held[(*_key(row, keys), end)] = row
    return held


def _end_figures(joined: ibis.Table, open_end: ibis.NumericValue, day) -> dict:
    """What the KPIs read of the items open at the end of `day`: the net, the Current part
    (debits not yet past due), the debits before credits, and the payments' unapplied cash."""
    none = ibis.literal(Decimal(0), CENTS)
    not_due = joined.due_date.coalesce(joined.invoice_date) >= day
    return {
        "ar_end": open_end.sum().coalesce(none).cast(CENTS),
        "ar_end_current": open_end.sum(where=(open_end > 0) & not_due).coalesce(none).cast(CENTS),
        "ar_end_receivable": open_end.sum(where=open_end > 0).coalesce(none).cast(CENTS),
        "unapplied_cash": (-open_end.sum(where=(joined.type == "payment") & (open_end < 0)))
        .coalesce(none)
        .cast(CENTS),
    }


def balances_expr(
    documents: ibis.Table,
    settlements: ibis.Table,
    begin: dt.date,
    end: dt.date,
    keys: list[str],
) -> ibis.Table:
    """Per `keys`: what a ledger had open at the end of `begin` (credits netted) and, at the
    end of `end`, the figures of `_end_figures`, in one pass over the ledger."""
    first, last = ibis.literal(begin), ibis.literal(end)
    until = settlements.filter(settlements.date <= last)
    settled = until.group_by(s_document=until.document).aggregate(
        s_begin=until.amount.sum(where=until.date <= first),
        s_end=until.amount.sum(),
    )
    issued = documents.filter(documents.invoice_date <= last)
    joined = issued.left_join(settled, issued.document == settled.s_document)
    none = ibis.literal(Decimal(0), CENTS)
    open_begin = (joined.amount - joined.s_begin.coalesce(none)).cast(CENTS)
    open_end = (joined.amount - joined.s_end.coalesce(none)).cast(CENTS)
    return joined.group_by(keys).aggregate(
        ar_begin=open_begin.sum(where=joined.invoice_date <= first).coalesce(none).cast(CENTS),
        **_end_figures(joined, open_end, last),
    )


def balances_at_expr(
    documents: ibis.Table, settlements: ibis.Table, days: list[dt.date], keys: list[str]
) -> ibis.Table:
    """Per `keys` and each of `days`: what the ledger had open at the end of the day (credits
    netted), its Current part (debits not yet past due), its debits before credits and what
    its payments had not applied: the aging's "net", "current", the sum of its buckets and
    minus its payments' open credits (engine.aging), for every day in one pass."""
    at = ibis.memtable(pa.table({"day": pa.array(days, pa.date32())}))
    paid = settlements.cross_join(at)
    paid = paid.filter(paid.date <= paid.day)
    settled = paid.group_by(s_document=paid.document, s_day=paid.day).aggregate(
        s_amount=paid.amount.sum()
    )
    issued = documents.cross_join(at)
    issued = issued.filter(issued.invoice_date <= issued.day)
    joined = issued.left_join(
        settled, (issued.document == settled.s_document) & (issued.day == settled.s_day)
    )
    none = ibis.literal(Decimal(0), CENTS)
    open_end = (joined.amount - joined.s_amount.coalesce(none)).cast(CENTS)
    return joined.group_by([*keys, "day"]).aggregate(**_end_figures(joined, open_end, joined.day))


def _key(row: dict, keys: list[str]) -> tuple:
    return tuple(row[key] for key in keys)


__all__ = [
    "DAYS_KPIS",
    "DISPUTE_KPIS",
    "KPI_NAMES",
    "KpiInputs",
    "Kpis",
    "kpi_inputs_read",
    "kpis",
    "ledger_kpi_inputs",
    "ledger_kpi_periods",
    "ledger_kpi_trend",
    "month_before",
    "months_between",
]
