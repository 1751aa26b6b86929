"""The collection KPIs of a period: DSO (count-back and simple), best possible DSO, average
days delinquent and the collection effectiveness index (CEI), from the period's credit sales
by month and its receivables. One set of rules for file mode (`revdesk calc kpis`) and the
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

Every figure is worked out in Decimal and rounded half-up to two decimals at the end, once
(ADD is the difference of the unrounded figures). A figure that cannot be worked out (no
sales in the period, a CEI denominator of zero) is None, with the reason in `notes`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import ibis

from .aging import (
    CENTS,
    DEBIT_TYPES,
    DOCUMENTS_SCHEMA,
    SETTLEMENTS_SCHEMA,
    Ledger,
    default_backend,
    group_keys,
)
from .commission_inputs import Columns, InputError, period_parse, table_read

HUNDREDTH = Decimal("0.01")
KPI_NAMES = (
    "dso_countback",
    "dso_simple",
    "best_possible_dso_countback",
    "best_possible_dso_simple",
    "add_countback",
    "add_simple",
    "cei_percent",
)
KPI_FILE: Columns = {"item": ("text", True), "value": ("decimal", True)}
BALANCES = ("ar_begin", "ar_end", "ar_end_current")


@dataclass(frozen=True)
class KpiInputs:
    """A period's credit sales by month (YYYY-MM -> amount; the months follow each other)
    and its receivables: at the start, at the end, and the part of the end not yet due."""

    sales: dict[str, Decimal]
    ar_begin: Decimal
    ar_end: Decimal
    ar_end_current: Decimal
    currency: str = ""

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
    raw: dict[str, Decimal | None] = dict.fromkeys(KPI_NAMES)
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
    return Kpis({name: _rounded(value) for name, value in raw.items()}, notes)


def kpi_inputs_read(path: Path) -> KpiInputs:
    """A KPI input file (CSV or Parquet; columns item, value): one row sales_YYYY-MM per
    month of the period, and ar_begin, ar_end, ar_end_current. InputError names the line
    and column of every problem."""
    table = table_read(path, KPI_FILE)
    name = path.name
    problems: list[tuple[str, int | None, str, str]] = []
    sales: dict[str, Decimal] = {}
    balances: dict[str, Decimal] = {}
    lines: dict[str, int] = {}
    for index, row in enumerate(table.to_pylist()):
        line, item, value = index + 2, row["item"], row["value"]
        if item in lines:
            problems.append((name, line, "item", f"{item} is given twice (line {lines[item]})"))
            continue
        lines[item] = line
        if item.startswith("sales_"):
            month = item.removeprefix("sales_")
            try:
                period_parse(month)
                valid = len(month) == 7 and month[4] == "-"
            except ValueError:
                valid = False
            if not valid:
                problems.append((name, line, "item", f"{item!r}: write sales_YYYY-MM"))
            elif value < 0:
                problems.append((name, line, "value", f"{value}: sales are 0 or more"))
            else:
                sales[month] = value
        elif item in BALANCES:
            balances[item] = value
        else:
            problems.append(
                (name, line, "item", f"{item!r} is not sales_YYYY-MM or {', '.join(BALANCES)}")
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
    backend: ibis.BaseBackend | None = None,
) -> dict[tuple, KpiInputs]:
    """The KPI inputs of the months `first` to `last` from a ledger, per `by` (as in the
    aging: customer, parent, collector, region or company) and currency: the credit sales
    are the invoices and debit memos issued in each month, the receivables the net open
    items (credits netted) at the end of the day before the first month and of the last
    month, and the part not yet due the Current bucket at the end."""
    months = months_between(first, last)
    start, end = period_parse(first)[0], period_parse(last)[1]
    keys = group_keys(by)
    con = backend or default_backend()
    documents = ibis.memtable(ledger.documents.cast(DOCUMENTS_SCHEMA))
    settlements = ibis.memtable(ledger.settlements.cast(SETTLEMENTS_SCHEMA))
    balances = con.to_pyarrow(
        balances_expr(documents, settlements, start - dt.timedelta(days=1), end, keys)
    )
    issued = documents.filter(
        documents.type.isin(DEBIT_TYPES)
        & (documents.invoice_date >= ibis.literal(start))
        & (documents.invoice_date <= ibis.literal(end))
    )
    monthly = issued.group_by([*keys, issued.invoice_date.strftime("%Y-%m").name("month")])
    sold = con.to_pyarrow(monthly.aggregate(sales=issued.amount.sum().cast(CENTS)))
    sales: dict[tuple, dict[str, Decimal]] = {}
    for row in sold.to_pylist():
        sales.setdefault(_key(row, keys), {})[row["month"]] = row["sales"]
    held = {_key(row, keys): row for row in balances.to_pylist()}
    zero = Decimal("0.00")
    found = {}
    for key in sorted({*held, *sales}, key=lambda k: tuple(v or "" for v in k)):
        row = held.get(key, {})
        found[key] = KpiInputs(
            sales={month: sales.get(key, {}).get(month, zero) for month in months},
            ar_begin=row.get("ar_begin", zero),
            ar_end=row.get("ar_end", zero),
            ar_end_current=row.get("ar_end_current", zero),
            currency=key[-1],
        )
    return found


def balances_expr(
    documents: ibis.Table,
    settlements: ibis.Table,
    begin: dt.date,
    end: dt.date,
    keys: list[str],
) -> ibis.Table:
    """Per `keys`: what a ledger had open at the end of `begin` and of `end` (credits netted)
    and, at `end`, its Current part (debits not yet past due): the aging's "net" on both days
    and its "current" on the last (engine.aging), in one pass over the ledger instead of two
    agings."""
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
    not_due = joined.due_date.coalesce(joined.invoice_date) >= last
    return joined.group_by(keys).aggregate(
        ar_begin=open_begin.sum(where=joined.invoice_date <= first).coalesce(none).cast(CENTS),
        ar_end=open_end.sum().coalesce(none).cast(CENTS),
        ar_end_current=open_end.sum(where=(open_end > 0) & not_due).coalesce(none).cast(CENTS),
    )


def _key(row: dict, keys: list[str]) -> tuple:
    return tuple(row[key] for key in keys)


__all__ = [
    "KPI_NAMES",
    "KpiInputs",
    "Kpis",
    "kpi_inputs_read",
    "kpis",
    "ledger_kpi_inputs",
    "month_before",
    "months_between",
]
