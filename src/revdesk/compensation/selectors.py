"""What the commissions desk reads: the engine's inputs built from the database, and runs.

`commission_inputs(periods)` turns invoices, credit memos, payment applications, payees, plan
assignments, plan versions and FX rates into the engine's CommissionInputs (the same typed
Arrow tables file mode reads from CSV), so a database run and `revdesk calc commissions` share
one calculation:

- an invoice is split over its order's lines pro rata to the line amounts: each line's share
  of the invoice's net amount (amount − tax), in cents, the last line taking the rounding
  remainder so the lines add up to the invoice; cost and units are the product's unit cost ×
  quantity and the quantity, times the part of the order the invoice bills (net ÷ order
  total). The transaction id is `INVOICE/LINE` (INV-1/1), credited to the order's sales rep
  or, when the order has none, to the owner of the customer's territory on the invoice date;
- a credit memo on an invoice reverses it line by line (negative amounts; its net is the memo
  amount less the invoice's tax proportion), `MEMO/LINE` with original_id `INVOICE/LINE`;
- payment applications (for plans payable on payment) are split over the invoice's lines the
  same way, as cumulative shares of the gross amount, so a fully paid invoice releases exactly
  its lines;
- quotas: a payee's own quota for a period (Quota, loaded with `revdesk commissions quotas
  import`) takes the place of the plan's `quota`;
- FX: one rate per month and currency pair, the rate in force on the month's last day;
- eligibility: an order the order desk marked not commission-eligible earns nothing (its
  invoices' lines carry eligible = false, and so do their credit memos);
- explicit splits of an order (CreditSplit) credit every line of its invoices and memos;
- claims (CreditClaim) become the engine's claims: one row per line of each claimed invoice
  and of its credit memos, the claim's payee per role of the policy, approved on the day the
  claim was approved (a pending or denied claim credits nothing);
- what closed periods paid: the lines of approved and paid runs ending before the first
  period asked for, and the periods those runs closed, so nothing closed is recalculated.

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
    CLAIMS,
    CREDITS,
    FX,
    PAYEES,
    PAYMENTS,
    QUOTAS,
    TRANSACTIONS,
    CommissionInputs,
    Policy,
    period_parse,
)
from revdesk.engine.commissions import LINE_SCHEMA, periods_expand
from revdesk.engine.money import round_money
from revdesk.engine.plan_files import plan_parse
from revdesk.engine.plans import Plan

from .models import (
    ClaimDecision,
    CommissionRun,
    CreditClaim,
    CreditingPolicy,
    CreditSplit,
    Payout,
    PayoutLine,
    PlanVersion,
    Quota,
    RunStatus,
)

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
    shares = [round_money(net * line.amount / total) for line in lines[:-1]]
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
    window_start = min(period_parse(period)[0] for period in periods)
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
                "order__commission_eligible",
            ],
        )
    )
    lines_of = _order_lines({row[6] for row in invoice_rows if row[6] is not None})
    owners = TerritoryOwners()
    by_owner = 0
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
        eligible,
    ) in invoice_rows:
        lines = lines_of.get(order_id) if order_id is not None else None
        order_total = sum((line.amount for line in lines or []), ZERO)
        if not lines or order_total == 0:
            no_order += 1
            continue
        if rep is None:
            rep = owners.on(territory, issued)
            if rep is None:
                no_rep += 1
                continue
            by_owner += 1
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
                eligible=eligible,
            )
        split_of[pk] = (rep, amount, parts)
    if no_order:
        notes.append(f"{no_order} invoice(s) without order lines were left out (no product)")
    if by_owner:
        notes.append(
            f"{by_owner} invoice(s) whose order has no sales rep were credited to the owner of "
            "the customer's territory on the invoice date"
        )
    if no_rep:
        notes.append(
            f"{no_rep} invoice(s) whose order has no sales rep, and whose customer's territory "
            "had no owner on the invoice date, were left out"
        )

    # credit memos ----------------------------------------------------------------------------
    invoice_info = {row[0]: row for row in invoice_rows}
    memo_lines: dict[int, list[str]] = defaultdict(list)  # invoice id -> its memos' line ids
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
        memo_net = round_money(amount * net_invoice / gross) if gross else amount
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
                eligible=row[11],
            )
            memo_lines[invoice_id].append(f"{number}/{line.number}")
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

    def lines_of_invoices(invoice_ids) -> list[str]:
        return [
            tid
            for invoice_id in invoice_ids
            if invoice_id in split_of
            for tid in [*(t for t, _ in split_of[invoice_id][2]), *memo_lines[invoice_id]]
        ]

    settled, closed = _settled(window_start)
    return DatabaseInputs(
        inputs=CommissionInputs(
            plans=plans,
            assignments=_table(ASSIGNMENTS, assignments),
            transactions=_table(TRANSACTIONS, dict(tx)) if tx else _table(TRANSACTIONS, {}),
            payments=payments_table,
            fx=fx_table,
            payees=_table(PAYEES, payees),
            quotas=_quotas(),
            credits=_credits(split_of, lines_of_invoices),
            claims=_claims(window_end, lines_of_invoices),
            policies=_policies(),
            settled=settled,
            closed=closed,
        ),
        notes=notes,
    )


def _quotas() -> pa.Table | None:
    """Payees' own quotas (they take the place of the plan's quota for that period)."""
    rows: dict[str, list] = {"payee": [], "period": [], "amount": []}
    for payee, period, amount in Quota.objects.order_by("payee__code", "period").values_list(
        "payee__code", "period", "amount"
    ):
        rows["payee"].append(payee)
        rows["period"].append(period)
        rows["amount"].append(amount)
    return _table(QUOTAS, rows) if rows["payee"] else None


class TerritoryOwners:
    """Who owned each territory when (the owner role of territory assignments), loaded once:
    `on(territory, day)` is the payee a sale there is credited to when no rep is named."""

    def __init__(self):
        from revdesk.parties.choices import TerritoryRole
        from revdesk.parties.models import TerritoryAssignment

        self.spans: dict[str, list[tuple[dt.date, dt.date | None, str]]] = defaultdict(list)
        rows = TerritoryAssignment.objects.filter(role=TerritoryRole.OWNER).order_by(
            "territory__code", "valid_from", "payee__code"
        )
        for territory, start, end, payee in rows.values_list(
            "territory__code", "valid_from", "valid_to", "payee__code"
        ):
            self.spans[territory].append((start, end, payee))

    def on(self, territory: str | None, day: dt.date) -> str | None:
        """The payee owning the territory on `day` (the latest start wins an overlap)."""
        found = None
        for start, end, payee in self.spans.get(territory, ()):
            if start <= day and (end is None or day <= end):
                found = payee
        return found


def _credits(split_of: dict, lines_of_invoices) -> pa.Table | None:
    """Explicit splits of orders, on every line of their invoices and memos."""
    from revdesk.receivables.models import Invoice

    shares: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    splits = CreditSplit.objects.order_by("order_id", "payee__code")
    for order_id, payee, share in splits.values_list("order_id", "payee__code", "share"):
        shares[order_id].append((payee, share))
    if not shares:
        return None
    from revdesk.orders.models import Order

    wrong = [order for order, parts in shares.items() if sum(s for _, s in parts) != 1]
    if wrong:
        numbers = Order.objects.filter(pk__in=wrong).order_by("number")
        raise InputsRefused(
            [
                f"the credit split of order {number} does not add up to 1: correct it before "
                "calculating"
                for number in numbers.values_list("number", flat=True)
            ]
        )
    rows: dict[str, list] = {"transaction_id": [], "payee": [], "share": []}
    invoices = Invoice.objects.filter(order_id__in=shares, pk__in=list(split_of))
    for invoice_id, order_id in invoices.order_by("pk").values_list("pk", "order_id"):
        for tid in lines_of_invoices([invoice_id]):
            for payee, share in shares[order_id]:
                rows["transaction_id"].append(tid)
                rows["payee"].append(payee)
                rows["share"].append(share)
    return _table(CREDITS, rows)


def _claims(window_end: dt.date, lines_of_invoices) -> pa.Table | None:
    """Every claim filed by the window's end, one row per transaction line it is about."""
    claims = (
        CreditClaim.objects.filter(filed_on__lte=window_end)
        .select_related("case", "policy")
        .prefetch_related("invoices", "roles__payee")
        .order_by("pk")
    )
    rows: dict[str, list] = defaultdict(list)
    roles: set[str] = set()
    found = []
    for claim in claims:
        who = {role.role: role.payee.code for role in claim.roles.all()}
        roles.update(who)
        approved = (
            claim.decided_on
            if claim.decision == ClaimDecision.APPROVED and claim.decided_on <= window_end
            else None
        )
        for tid in lines_of_invoices([item.invoice_id for item in claim.invoices.all()]):
            found.append((claim, tid, approved, who))
    if not found:
        return None
    for claim, tid, approved, who in found:
        rows["claim_id"].append(claim.case.number)
        rows["policy"].append(claim.policy.number)
        rows["transaction_id"].append(tid)
        rows["filed"].append(claim.filed_on)
        rows["approved"].append(approved)
        for role in sorted(roles):
            rows[role].append(who.get(role))
    table = _table(CLAIMS, rows)
    for role in sorted(roles):
        table = table.append_column(role, pa.array(rows[role], pa.string()))
    return table


def _settled(window_start: dt.date) -> tuple[pa.Table | None, frozenset[str]]:
    """The lines approved and paid runs ending before `window_start` paid, and the periods
    they closed (each asked period and each plan period paid in it)."""
    runs = list(
        CommissionRun.objects.filter(
            status__in=[RunStatus.APPROVED, RunStatus.PAID], ends_on__lt=window_start
        ).values_list("pk", "periods")
    )
    if not runs:
        return None, frozenset()
    closed: set[str] = set()
    for _, periods in runs:
        closed.update(periods_expand(periods))
    run_ids = [pk for pk, _ in runs]
    closed.update(Payout.objects.filter(run_id__in=run_ids).values_list("period", flat=True))
    payout_currency = {
        (run, payee, period): currency
        for run, payee, period, currency in Payout.objects.filter(run_id__in=run_ids).values_list(
            "run_id", "payee__code", "period", "currency"
        )
    }
    names = list(LINE_SCHEMA.names)
    rows: dict[str, list] = {name: [] for name in names}
    for line in _chunks(
        PayoutLine.objects.filter(run_id__in=run_ids),
        ["run_id", "payee__code", *names[1:]],
    ):
        values = dict(zip(["run", *names], line[1:], strict=True))
        if not values["currency"]:  # lines stored before lines carried their currency
            values["currency"] = payout_currency[(values["run"], values["payee"], values["period"])]
        for name in names:
            value = values[name]
            rows[name].append(value if value != "" or name == "kind" else None)
    table = pa.table({name: pa.array(rows[name], LINE_SCHEMA.field(name).type) for name in names})
    return table, frozenset(closed)


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


# -- pages: runs, a payee's commissions, plans -------------------------------------------------

#: the figures a sales rep sees: only runs that are approved or paid
FINAL_STATUSES = ("approved", "paid")
#: lines whose base is what was credited to the payee (attainment is measured on it)
CREDIT_KINDS = ("earning", "clawback")


@dataclass
class PayoutRow:
    payee_id: int
    payee_code: str
    payee_name: str
    period: str
    amount: Decimal
    currency: str


def run_payout_rows(run: CommissionRun, *, user, sort: str = "payee") -> list[PayoutRow]:
    """The run's payouts of the payees this person may see, one row per payee and period.

    sort: payee, name, period or amount, "-" in front for descending."""
    from revdesk.foundation.scoping import restrict
    from revdesk.parties.models import Payee

    from .models import Payout

    visible = restrict(Payee.objects.all(), user).values("pk")
    rows = [
        PayoutRow(payee_id, code, name, period, amount, currency)
        for payee_id, code, name, period, amount, currency in Payout.objects.filter(
            run=run, payee__in=visible
        ).values_list("payee_id", "payee__code", "payee__name", "period", "amount", "currency")
    ]
    keys = {
        "payee": lambda row: (row.payee_code, row.period),
        "name": lambda row: (row.payee_name.lower(), row.payee_code, row.period),
        "period": lambda row: (row.period, row.payee_code),
        "amount": lambda row: (row.currency, row.amount, row.payee_code, row.period),
    }
    name = sort.lstrip("-")
    rows.sort(key=keys.get(name, keys["payee"]), reverse=sort.startswith("-"))
    return rows


def run_totals(rows: list[PayoutRow]) -> list[tuple[str, int, Decimal]]:
    """(currency, payees, total) of payout rows, added in Decimal."""
    payees: dict[str, set[int]] = defaultdict(set)
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        payees[row.currency].add(row.payee_id)
        totals[row.currency] += row.amount
    return [(currency, len(payees[currency]), totals[currency]) for currency in sorted(totals)]


def run_steps_for(run: CommissionRun, *, user) -> list[str]:
    """The statuses this person may move the run to from here.

    Review and pay: commissions analyst or administrator. Approve: manager or administrator,
    never the person who reviewed it (unless an administrator). Back to draft from reviewed:
    analyst, manager or administrator."""
    from revdesk.foundation.scoping import viewer_for
    from revdesk.parties.choices import Role

    from .models import RunStatus

    if user is None or not getattr(user, "is_authenticated", False):
        return []
    roles = set(viewer_for(user).roles)
    admin = user.is_superuser or Role.ADMIN in roles
    analyst = admin or Role.COMMISSIONS_ANALYST in roles
    manager = admin or Role.MANAGER in roles
    steps = []
    if run.status == RunStatus.DRAFT and analyst:
        steps.append(RunStatus.REVIEWED.value)
    if run.status == RunStatus.REVIEWED:
        if manager and (admin or run.reviewed_by_id != user.pk):
            steps.append(RunStatus.APPROVED.value)
        if analyst or manager:
            steps.append(RunStatus.DRAFT.value)
    if run.status == RunStatus.APPROVED and analyst:
        steps.append(RunStatus.PAID.value)
    return steps


@dataclass
class ComponentGroup:
    """The lines of one component (or, without one, of one kind) in one period."""

    label: str
    lines: list[PayoutLine]
    subtotal: Decimal


@dataclass
class PeriodExplanation:
    period: str
    groups: list[ComponentGroup]
    total: Decimal  # the lines added up: equal to the payout
    payout: Decimal | None
    currency: str
    run: CommissionRun | None = None
    credited: Decimal = ZERO  # the first component's base (what attainment is measured on)


def _explain_periods(run: CommissionRun, payee_id: int, periods=None) -> list[PeriodExplanation]:
    from .models import Payout

    lines = PayoutLine.objects.filter(run=run, payee_id=payee_id).order_by("period", "id")
    payouts = Payout.objects.filter(run=run, payee_id=payee_id)
    if periods is not None:
        lines = lines.filter(period__in=periods)
        payouts = payouts.filter(period__in=periods)
    paid = {
        period: (amount, currency)
        for period, amount, currency in payouts.values_list("period", "amount", "currency")
    }
    lines = list(lines)
    payout_lines_noted(payee_id, lines)
    grouped: dict[str, dict[str, list[PayoutLine]]] = defaultdict(dict)
    for line in lines:
        label = line.component or line.kind
        grouped[line.period].setdefault(label, []).append(line)
    explanations = []
    for period in sorted(set(grouped) | set(paid)):
        groups = [
            ComponentGroup(label, entries, sum((line.amount for line in entries), ZERO))
            for label, entries in grouped.get(period, {}).items()
        ]
        amount, currency = paid.get(period, (None, ""))
        explanations.append(
            PeriodExplanation(
                period=period,
                groups=groups,
                total=sum((group.subtotal for group in groups), ZERO),
                payout=amount,
                currency=currency,
                run=run,
            )
        )
    return explanations


def payout_lines_noted(payee_id: int, lines: list[PayoutLine]) -> list[PayoutLine]:
    """Give each of one payee's lines a `note`: the line in plain words (engine line_notes),
    from the payee's plan version in force for the line's period and their own quota. Three
    queries whatever the number of lines: the payee's assignments, those plans' versions,
    the payee's quotas."""
    from revdesk.engine.line_notes import line_notes
    from revdesk.parties.models import PlanAssignment

    if not lines:
        return lines
    key = str(payee_id)
    assigned = list(
        PlanAssignment.objects.filter(payee_id=payee_id).values_list(
            "plan_code", "valid_from", "valid_to"
        )
    )
    plans: dict[str, list[Plan]] = defaultdict(list)
    versions = PlanVersion.objects.filter(code__in={code for code, _, _ in assigned})
    for code, version, text in versions.values_list("code", "version", "text"):
        plans[code].append(plan_parse(text, f"{code} v{version}"))
    assignments = pa.table(
        {
            "payee": pa.array([key] * len(assigned), pa.string()),
            "plan": pa.array([row[0] for row in assigned], pa.string()),
            "valid_from": pa.array([row[1] for row in assigned], pa.date32()),
            "valid_to": pa.array([row[2] for row in assigned], pa.date32()),
        }
    )
    quotas = list(Quota.objects.filter(payee_id=payee_id).values_list("period", "amount"))
    quota_table = pa.table(
        {
            "payee": pa.array([key] * len(quotas), pa.string()),
            "period": pa.array([period for period, _ in quotas], pa.string()),
            "amount": pa.array([amount for _, amount in quotas], pa.decimal128(38, 6)),
        }
    )
    rows = [
        {
            "payee": key,
            "period": line.period,
            "transaction_id": line.transaction_id or None,
            "credit_share": line.credit_share,
            "component": line.component,
            "tier": line.tier,
            "rate": line.rate,
            "base": line.base,
            "amount": line.amount,
            "currency": line.currency,
            "kind": line.kind,
        }
        for line in lines
    ]
    table = pa.Table.from_pylist(rows, schema=LINE_SCHEMA)
    notes = line_notes(table, plans, assignments, quotas=quota_table).to_pylist()
    for line, note in zip(lines, notes, strict=True):
        line.note = note
    return lines


def run_payee_explanation(run: CommissionRun, payee, *, user) -> list[PeriodExplanation] | None:
    """A payee's lines in a run, per period and grouped by component with subtotals that add
    up to the payout; None when this person may not see the payee."""
    from revdesk.foundation.scoping import may_see

    if not may_see(user, payee):
        return None
    return _explain_periods(run, payee.pk)


def _plan_in_force(payee, day: dt.date) -> Plan | None:
    """The plan version a payee is on at `day` (assignment and version both cover it)."""
    from django.db.models import Q

    from revdesk.parties.models import PlanAssignment

    assignment = (
        PlanAssignment.objects.filter(payee=payee, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from")
        .first()
    )
    if assignment is None:
        return None
    version = (
        PlanVersion.objects.filter(code=assignment.plan_code, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from", "-version")
        .first()
    )
    return plan_parse(version.text, f"{version.code} v{version.version}") if version else None


@dataclass
class ChartMonth:
    month: str
    credited: Decimal  # in the month
    quota: Decimal | None  # the payee's quota for the month, else the plan's (None: none)
    credited_to_date: Decimal
    quota_to_date: Decimal | None

    @property
    def attainment(self) -> Decimal | None:
        """Credited to date over quota to date, in per cent to one decimal (half-up)."""
        if not self.quota_to_date:
            return None
        return (self.credited_to_date * 100 / self.quota_to_date).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


@dataclass
class PayeeCommissions:
    year: int
    periods: list[PeriodExplanation]
    chart: list[ChartMonth]
    years: list[int]
    includes_drafts: bool


def payee_commissions(payee, *, year: int, include_drafts: bool) -> PayeeCommissions:
    """Per period of `year`, the payee's payout from the approved or paid run covering it (with
    include_drafts, a draft or reviewed run's figure where no approved run covers the period),
    each explained as on the run page; and the year to date, month by month, of what was
    credited (the base of the plan's first component) against the payee's own quota for the
    month, else the plan's.

    Who may see the payee is the caller's business (the page 404s others)."""
    from .models import Payout

    statuses = list(FINAL_STATUSES)
    if include_drafts:
        statuses += ["draft", "reviewed"]
    payouts = Payout.objects.filter(
        payee=payee, run__status__in=statuses, period__startswith=f"{year}"
    ).select_related("run")
    # per period the run that counts: approved or paid first, then the newest
    best: dict[str, CommissionRun] = {}
    for payout in payouts:
        run = payout.run
        rank = (run.status in FINAL_STATUSES, run.pk)
        current = best.get(payout.period)
        if current is None or rank > (current.status in FINAL_STATUSES, current.pk):
            best[payout.period] = run
    periods: list[PeriodExplanation] = []
    by_run: dict[int, list[str]] = defaultdict(list)
    for period, run in best.items():
        by_run[run.pk].append(period)
    runs = {run.pk: run for run in best.values()}
    for run_id, keys in by_run.items():
        periods.extend(_explain_periods(runs[run_id], payee.pk, keys))
    periods.sort(key=lambda explanation: explanation.period)

    chart: list[ChartMonth] = []
    monthly = {p.period: p for p in periods if len(p.period) == 7 and p.period[4] == "-"}
    if monthly:
        last_month = int(max(monthly)[5:7])
        credited_to_date = ZERO
        quota_to_date: Decimal | None = None
        own_quotas = dict(
            Quota.objects.filter(payee=payee, period__startswith=f"{year}-").values_list(
                "period", "amount"
            )
        )
        for month in range(1, last_month + 1):
            key = f"{year}-{month:02d}"
            plan = _plan_in_force(payee, period_parse(key)[1])
            credited = ZERO
            explanation = monthly.get(key)
            if explanation is not None and plan is not None and plan.components:
                first = plan.components[0].code
                credited = sum(
                    (
                        line.base or ZERO
                        for group in explanation.groups
                        for line in group.lines
                        if line.component == first and line.kind in CREDIT_KINDS
                    ),
                    ZERO,
                )
                explanation.credited = credited
            quota = own_quotas.get(key)
            if quota is None and plan is not None and plan.period == "month":
                quota = plan.quota
            credited_to_date += credited
            if quota is not None:
                quota_to_date = (quota_to_date or ZERO) + quota
            chart.append(ChartMonth(key, credited, quota, credited_to_date, quota_to_date))
    years = sorted(
        {
            int(period[:4])
            for period in Payout.objects.filter(payee=payee, run__status__in=statuses)
            .values_list("period", flat=True)
            .distinct()
        }
        | {year},
        reverse=True,
    )
    return PayeeCommissions(year, periods, chart, years, include_drafts)


@dataclass
class PlanSummary:
    code: str
    name: str
    versions: list[PlanVersion]
    assignments: list  # PlanAssignment rows of payees this person may see


def plan_summaries(*, user) -> list[PlanSummary]:
    """Every plan code with its versions (oldest first) and the payees assigned to it."""
    from revdesk.foundation.scoping import restrict
    from revdesk.parties.models import Payee, PlanAssignment

    versions: dict[str, list[PlanVersion]] = defaultdict(list)
    for version in PlanVersion.objects.select_related("saved_by").order_by("code", "version"):
        versions[version.code].append(version)
    visible = restrict(Payee.objects.all(), user).values("pk")
    assigned: dict[str, list] = defaultdict(list)
    for assignment in (
        PlanAssignment.objects.filter(payee__in=visible)
        .select_related("payee")
        .order_by("payee__code", "valid_from")
    ):
        assigned[assignment.plan_code].append(assignment)
    return [
        PlanSummary(code, entries[-1].name, entries, assigned.get(code, []))
        for code, entries in sorted(versions.items())
    ]


def plan_version_draft(version: PlanVersion) -> str:
    """The version's text with the next free version number, to edit and save as new."""
    import re

    last = PlanVersion.objects.filter(code=version.code).order_by("-version").first()
    following = (last.version if last else version.version) + 1
    pattern = re.compile(r"^version:[ \t]*\S*[ \t]*(#.*)?$", re.MULTILINE)
    if pattern.search(version.text):
        return pattern.sub(f"version: {following}", version.text, count=1)
    code_line = re.compile(r"^(code:.*)$", re.MULTILINE)
    if code_line.search(version.text):
        return code_line.sub(rf"\1\nversion: {following}", version.text, count=1)
    return f"version: {following}\n{version.text}"


# -- claims --------------------------------------------------------------------------------------


def claim_list(user, *, decision: str | None = None):
    """The claims this person may see, newest first, with what the list shows."""
    from revdesk.foundation.scoping import restrict

    claims = restrict(CreditClaim.objects.all(), user).distinct()
    if decision:
        claims = claims.filter(decision=decision)
    return claims.select_related(
        "case", "case__owner", "policy", "claimant", "decided_by"
    ).prefetch_related("invoices__invoice", "roles__payee")


def policies_in_force(day: dt.date):
    """Crediting policies a claim may be filed under on `day`."""
    from django.db.models import Q

    return CreditingPolicy.objects.filter(valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )
