"""What the commissions desk reads: the engine's inputs built from the database, and runs.

`commission_inputs(periods)` turns invoices, credit memos, payment applications, payees, plan
assignments, plan versions and FX rates into the engine's CommissionInputs (the same typed
Arrow tables file mode reads from CSV), so a database run and `revdesk calc commissions` share
one calculation:

- an invoice is split over its order's lines pro rata to the line amounts: each line's share
  of the invoice's net amount (amount − tax), in cents, the last line taking the rounding
  remainder so the lines add up to the invoice; cost and units are the product's unit cost ×
  quantity and the quantity, times the part of the order the invoice bills (net ÷ order
  total). The transaction id is `INVOICE/LINE` (INV-1/1), credited to the order's sales rep;
- a credit memo on an invoice reverses it line by line (negative amounts; its net is the memo
  amount less the invoice's tax proportion), `MEMO/LINE` with original_id `INVOICE/LINE`;
- payment applications (for plans payable on payment) are split over the invoice's lines the
  same way, as cumulative shares of the gross amount, so a fully paid invoice releases exactly
  its lines;
- FX: one rate per month and currency pair, the rate in force on the month's last day.

Money is summed in Python Decimal, never in SQL (docs/decisions/0002-money.md).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import pyarrow as pa

from revdesk.engine.commission_inputs import (
    ARROW_TYPES,
    ASSIGNMENTS,
    FX,
    PAYEES,
    PAYMENTS,
    TRANSACTIONS,
    CommissionInputs,
    Policy,
    period_parse,
)
from revdesk.engine.plan_files import plan_parse
from revdesk.engine.plans import Plan

from .models import CommissionRun, CreditingPolicy, PayoutLine, PlanVersion

CENT = Decimal("0.01")
MICRO = Decimal("0.000001")
ZERO = Decimal(0)
CHUNK = 2000


class InputsRefused(ValueError):
    """The database cannot be calculated as it stands: `problems` in plain words."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass
class DatabaseInputs:
    inputs: CommissionInputs
    notes: list[str] = field(default_factory=list)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _micro(value: Decimal) -> Decimal:
    return value.quantize(MICRO, rounding=ROUND_HALF_UP)


def _chunks(queryset, fields: list[str]):
    """values_list in primary-key chunks (no server cursor needed, the same on both DBs)."""
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", *fields)[:CHUNK])
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def _table(columns: dict[str, tuple[str, bool]], rows: dict[str, list]) -> pa.Table:
    count = len(next(iter(rows.values()), []))
    return pa.table(
        {
            name: pa.array(rows[name], ARROW_TYPES[kind])
            if name in rows
            else pa.nulls(count, ARROW_TYPES[kind])
            for name, (kind, _) in columns.items()
        }
    )


@dataclass
class _Line:
    number: int
    amount: Decimal
    quantity: Decimal
    unit_cost: Decimal
    product_line: str
    sku: str
    recurring: bool
    term: int | None


def _order_lines(order_ids: set[int]) -> dict[int, list[_Line]]:
    from revdesk.orders.models import OrderLine

    lines: dict[int, list[_Line]] = defaultdict(list)
    ids = sorted(order_ids)
    for start in range(0, len(ids), CHUNK):
        rows = OrderLine.objects.filter(order_id__in=ids[start : start + CHUNK]).values_list(
            "order_id",
            "line_number",
            "amount",
            "quantity",
            "product__unit_cost",
            "product__product_line__code",
            "product__sku",
            "product__is_recurring",
            "term_months",
        )
        for order_id, number, amount, quantity, cost, line, sku, recurring, term in rows:
            lines[order_id].append(
                _Line(number, amount, quantity, cost, line, sku, recurring, term)
            )
    for entries in lines.values():
        entries.sort(key=lambda line: line.number)
    return lines


def _split(net: Decimal, lines: list[_Line]) -> list[Decimal]:
    """`net` over the lines pro rata to their amounts, in cents; the last takes the rest."""
    total = sum((line.amount for line in lines), ZERO)
    shares = [_cents(net * line.amount / total) for line in lines[:-1]]
    return [*shares, net - sum(shares, ZERO)]


def _plans() -> dict[str, list[Plan]]:
    plans: dict[str, list[Plan]] = defaultdict(list)
    for code, version, text in PlanVersion.objects.values_list("code", "version", "text"):
        plans[code].append(plan_parse(text, f"{code} v{version}"))
    for versions in plans.values():
        versions.sort(key=lambda plan: (plan.valid_from, plan.version))
    return dict(plans)


def _policies() -> dict[str, Policy]:
    return {
        number: Policy(
            number, title, {role: Decimal(str(share)) for role, share in splits.items()}, text
        )
        for number, title, splits, text in CreditingPolicy.objects.values_list(
            "number", "title", "splits", "text"
        )
    }


def _months(first: dt.date, last: dt.date) -> list[tuple[str, dt.date]]:
    """(YYYY-MM, last day of the month) for every month from first to last."""
    months = []
    day = first.replace(day=1)
    while day <= last:
        key = f"{day.year}-{day.month:02d}"
        months.append((key, period_parse(key)[1]))
        day = period_parse(key)[1] + dt.timedelta(days=1)
    return months


def _fx(currencies: set[str], plan_currencies: set[str], first: dt.date, last: dt.date):
    """Rows (month, from, to, rate): the rate in force on each month's last day, for every
    document currency to every plan currency (the inverse of a published rate if only that
    one is published)."""
    from revdesk.catalog.models import FxRate

    published: dict[tuple[str, str], list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for currency, quote, valid_on, rate in FxRate.objects.filter(valid_on__lte=last).values_list(
        "currency", "quote_currency", "valid_on", "rate"
    ):
        published[(currency, quote)].append((valid_on, rate))
    for entries in published.values():
        entries.sort()

    def rate_on(source: str, target: str, day: dt.date) -> Decimal | None:
        for pair, invert in (((source, target), False), ((target, source), True)):
            found = None
            for valid_on, rate in published.get(pair, []):
                if valid_on > day:
                    break
                found = rate
            if found is not None and found != 0:
                return _micro(Decimal(1) / found) if invert else found
        return None

    rows: dict[str, list] = {"period": [], "from": [], "to": [], "rate": []}
    for month, month_end in _months(first, last):
        for source in sorted(currencies):
            for target in sorted(plan_currencies - {source}):
                rate = rate_on(source, target, month_end)
                if rate is not None:
                    rows["period"].append(month)
                    rows["from"].append(source)
                    rows["to"].append(target)
                    rows["rate"].append(rate)
    return rows


def commission_inputs(periods: list[str]) -> DatabaseInputs:
    """The engine's inputs for a run of `periods` (everything dated up to the last one's end:
    earlier periods are the closed history the engine restates against)."""
    from revdesk.parties.models import Payee, PlanAssignment
    from revdesk.receivables.models import CreditMemo, Invoice, PaymentApplication

    if not periods:
        raise InputsRefused(["no period to calculate"])
    window_end = max(period_parse(period)[1] for period in periods)
    notes: list[str] = []
    plans = _plans()
    problems: list[str] = []

    # payees and assignments ----------------------------------------------------------------
    payees: dict[str, list] = {"id": [], "name": [], "manager": []}
    for code, name, manager in Payee.objects.order_by("code").values_list(
        "code", "name", "manager__code"
    ):
        payees["id"].append(code)
        payees["name"].append(name)
        payees["manager"].append(manager)
    assignments: dict[str, list] = {"payee": [], "plan": [], "valid_from": [], "valid_to": []}
    for payee, plan, valid_from, valid_to in PlanAssignment.objects.order_by(
        "payee__code", "valid_from"
    ).values_list("payee__code", "plan_code", "valid_from", "valid_to"):
        if plan not in plans:
            problems.append(
                f"{payee} is assigned plan {plan}, which has no plan version: import the plan "
                "file (revdesk commissions plans import) or correct the assignment"
            )
            continue
        assignments["payee"].append(payee)
        assignments["plan"].append(plan)
        assignments["valid_from"].append(valid_from)
        assignments["valid_to"].append(valid_to)
    if problems:
        raise InputsRefused(problems)

    # invoices --------------------------------------------------------------------------------
    invoice_rows = list(
        _chunks(
            Invoice.objects.filter(issued_on__lte=window_end),
            [
                "number",
                "issued_on",
                "currency",
                "amount",
                "tax_amount",
                "order_id",
                "order__sales_rep__code",
                "customer__code",
                "customer__segment",
                "customer__territory__code",
            ],
        )
    )
    lines_of = _order_lines({row[6] for row in invoice_rows if row[6] is not None})
    tx: dict[str, list] = defaultdict(list)
    split_of: dict[int, tuple[str, Decimal, list[tuple[str, Decimal]]]] = {}
    no_order = no_rep = 0

    def add(**values) -> None:
        for name in TRANSACTIONS:
            tx[name].append(values.get(name))

    for (
        pk,
        number,
        issued,
        currency,
        amount,
        tax,
        order_id,
        rep,
        customer,
        segment,
        territory,
    ) in invoice_rows:
        lines = lines_of.get(order_id) if order_id is not None else None
        order_total = sum((line.amount for line in lines or []), ZERO)
        if not lines or order_total == 0:
            no_order += 1
            continue
        if rep is None:
            no_rep += 1
            continue
        net = amount - tax
        billed = net / order_total
        parts = []
        for line, line_amount in zip(lines, _split(net, lines), strict=True):
            tid = f"{number}/{line.number}"
            parts.append((tid, line_amount))
            add(
                id=tid,
                date=issued,
                type="invoice",
                payee=rep,
                customer=customer,
                product_line=line.product_line,
                sku=line.sku,
                units=_micro(line.quantity * billed),
                amount=line_amount,
                cost=_micro(line.unit_cost * line.quantity * billed),
                currency=currency,
                segment=segment,
                territory=territory,
                mrr=line_amount if line.recurring else None,
                tcv=line_amount * line.term if line.recurring and line.term else line_amount,
            )
        split_of[pk] = (rep, amount, parts)
    if no_order:
        notes.append(f"{no_order} invoice(s) without order lines were left out (no product)")
    if no_rep:
        notes.append(f"{no_rep} invoice(s) whose order has no sales rep were left out")

    # credit memos ----------------------------------------------------------------------------
    invoice_info = {row[0]: row for row in invoice_rows}
    unlinked = 0
    for _pk, number, issued, currency, amount, invoice_id in _chunks(
        CreditMemo.objects.filter(issued_on__lte=window_end),
        ["number", "issued_on", "currency", "amount", "invoice_id"],
    ):
        if invoice_id not in split_of:
            unlinked += 1
            continue
        rep, gross, parts = split_of[invoice_id]
        row = invoice_info[invoice_id]
        lines = lines_of[row[6]]
        order_total = sum((line.amount for line in lines), ZERO)
        net_invoice = row[4] - row[5]
        memo_net = _cents(amount * net_invoice / gross) if gross else amount
        billed = memo_net / order_total
        for line, (original, _), line_amount in zip(
            lines, parts, _split(memo_net, lines), strict=True
        ):
            add(
                id=f"{number}/{line.number}",
                date=issued,
                type="credit_memo",
                payee=rep,
                customer=row[8],
                product_line=line.product_line,
                sku=line.sku,
                units=-_micro(line.quantity * billed),
                amount=-line_amount,
                cost=-_micro(line.unit_cost * line.quantity * billed),
                currency=currency,
                original_id=original,
                segment=row[9],
                territory=row[10],
                mrr=-line_amount if line.recurring else None,
                tcv=-(line_amount * line.term if line.recurring and line.term else line_amount),
            )
    if unlinked:
        notes.append(
            f"{unlinked} credit memo(s) not on a commissioned invoice were left out "
            "(no invoice, or the invoice has no order lines or rep)"
        )

    # payments (only when a plan pays on payment) ----------------------------------------------
    payments_table = None
    if any(plan.payable_on == "payment" for versions in plans.values() for plan in versions):
        payments: dict[str, list] = {"invoice_id": [], "date": [], "amount": []}
        applied: dict[int, Decimal] = defaultdict(lambda: ZERO)
        released: dict[str, Decimal] = defaultdict(lambda: ZERO)
        rows = sorted(
            (
                row[1:]
                for row in _chunks(
                    PaymentApplication.objects.filter(applied_on__lte=window_end),
                    ["invoice_id", "applied_on", "amount"],
                )
                if row[1] in split_of
            ),
            key=lambda row: (row[0], row[1], row[2]),
        )
        for invoice_id, applied_on, amount in rows:
            _, gross, parts = split_of[invoice_id]
            applied[invoice_id] += amount
            for tid, line_amount in parts:
                cumulative = (
                    line_amount
                    if applied[invoice_id] >= gross
                    else _micro(line_amount * applied[invoice_id] / gross)
                )
                payments["invoice_id"].append(tid)
                payments["date"].append(applied_on)
                payments["amount"].append(cumulative - released[tid])
                released[tid] = cumulative
        payments_table = _table(PAYMENTS, payments)

    # FX --------------------------------------------------------------------------------------
    fx_table = None
    dates = tx["date"]
    plan_currencies = {plan.currency for versions in plans.values() for plan in versions}
    currencies = set(tx["currency"])
    if dates and (currencies - plan_currencies or len(plan_currencies) > 1):
        fx_table = _table(FX, _fx(currencies, plan_currencies, min(dates), window_end))

    return DatabaseInputs(
        inputs=CommissionInputs(
            plans=plans,
            assignments=_table(ASSIGNMENTS, assignments),
            transactions=_table(TRANSACTIONS, dict(tx)) if tx else _table(TRANSACTIONS, {}),
            payments=payments_table,
            fx=fx_table,
            payees=_table(PAYEES, payees),
            policies=_policies(),
        ),
        notes=notes,
    )


# -- runs --------------------------------------------------------------------------------------


def run_list():
    return CommissionRun.objects.order_by("-id")


def run_lines(run: CommissionRun, payee_code: str):
    """A payee's explanation lines in a run, in period order then as calculated."""
    return (
        PayoutLine.objects.filter(run=run, payee__code=payee_code)
        .select_related("payee")
        .order_by("period", "id")
    )
