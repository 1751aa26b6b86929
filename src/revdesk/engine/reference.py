"""The row-by-row reference of the commission calculation: plain Python, Decimal, one
transaction at a time. It is the oracle the Ibis engine (engine/commissions.py) is held to,
to the cent, on generated data (tests/engine/test_engine_agrees.py), and the "row-by-row"
contender of bench/. Slow on purpose: obvious before fast.

The rules, stage by stage (DESIGN.md, engine shape):

credit     A transaction's credit goes to its `payee` (share 1) unless `credits` rows split
           it, or a claim approved on or before the cut-off date re-credits it by its
           policy's role splits (the latest approved claim wins). A transaction with
           eligible = false earns nothing.
plan       Each credited payee uses the plan assigned on the transaction date (assignment
           and plan version both in force; valid_to inclusive). No plan: no commission.
measure    basis amount | margin (amount − cost) | units | mrr | tcv, credit memos negative,
           times the credit share, converted to the plan currency at the fx.csv rate of the
           period holding the transaction date (units are not converted).
earn       rate, rates_by_product_line (a line not in the table earns 0) or tiers, times the
           multiplier (a memo reversing an ineligible original is ineligible too). Tiers
           measure attainment (basis ÷ quota, compared as basis against
           upto × quota, never by a rounded division) or the basis itself, accumulated per
           period or year to date (quota: the sum of the year's quotas through the period).
           Retroactive: each transaction at the band reached at the end of its period.
           Incremental: transactions in date-then-id order, each slice of the accumulated
           basis at its own band, split exactly at a boundary.
           SPIFs per unit (amount × units × share) or per deal (amount × share, invoices and
           bookings; a memo reversing the whole original takes it back, a partial one does
           not; outside a clawback window nothing is taken back). Bonuses when the period's
           basis of the plan's first component reaches
           attainment_at_least × quota. Manager override: rate × basis credited to the
           payees reporting to the manager (up to `levels` up), on the manager's plan.
clawback   With a clawback section, a credit_memo or disconnect with an original_id whose
           original is dated at most window_months before it is commissioned (negative) at
           the original's rate for that payee and component (the original plan version's
           rate or product-line rate × multiplier; for tiers the original's effective rate),
           in the memo's period; an older original gives 0. Such memos stay out of tier and
           bonus accumulation. Without a clawback section memos count at the normal rate.
round      Every product is kept at 6 decimals (half-up, the engine's DECIMAL(38, 6)).
           rounding: line rounds each transaction's commission line (per payee and
           component; incremental slices carry the rounding in their last slice) half-up to
           the cent; period_total rounds once, the payee-period total after caps.
payable    invoice / booking: in the transaction's period. payment: an invoice's lines are
           released pro rata (line × paid ÷ invoice amount) in each payment's period; other
           transaction types are payable in their own period.
caps       Per component per payee and payable period, then the plan's cap / floor on the
           payee's period total (earnings, SPIFs, bonuses, overrides). The plan that rules
           a payee-period (caps, rounding, draw, currency) is the one assigned on its last day.
restate    Periods are calculated in order. Run P sees everything known at the end of P; it
           pays P's total plus, for each earlier calculated period, the change of that
           period's total since it was last paid (adjustment lines); closed periods keep
           what they paid.
draw       On what run P pays: recoverable — below the draw, the draw is paid and the
           shortfall owed; above it, the excess repays the owed balance first.
           Non-recoverable — topped up to the draw, nothing owed.
output     One payout row per payee and calculated period with activity (a credited
           transaction, a line, an adjustment, or a draw), by period then payee.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .commission_inputs import (
    REVERSAL_TYPES,
    CommissionInputs,
    memos_follow_originals,
    period_parse,
)
from .money import ZERO, round_money
from .plans import Plan

SIX = Decimal("0.000001")
ONE = Decimal(1)
MEMO_TYPES = REVERSAL_TYPES
DEAL_TYPES = ("invoice", "booking")
MONEY_BASES = ("amount", "margin", "mrr", "tcv")


@dataclass(frozen=True)
class PayoutRow:
    payee: str
    period: str
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Line:
    """One explanation line: why part of a payout is what it is."""

    payee: str
    period: str
    transaction_id: str | None
    credit_share: Decimal | None
    component: str
    tier: str | None
    rate: Decimal | None
    base: Decimal | None
    amount: Decimal
    kind: str  # earning | clawback | spif | bonus | override | adjustment | draw | recovery | cap


@dataclass
class ReferenceResult:
    payouts: list[PayoutRow]
    lines: list[Line]


def q6(value: Decimal) -> Decimal:
    return value.quantize(SIX, rounding=ROUND_HALF_UP)


def period_key(date: dt.date, period: str) -> str:
    if period == "month":
        return f"{date.year:04d}-{date.month:02d}"
    if period == "quarter":
        return f"{date.year:04d}-Q{(date.month - 1) // 3 + 1}"
    return f"{date.year:04d}"


def period_kind(key: str) -> str:
    period_parse(key)
    return "year" if len(key) == 4 else "quarter" if "Q" in key else "month"


def months_before(date: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (the month's last day if shorter)."""
    index = date.year * 12 + date.month - 1 - months
    year, month = divmod(index, 12)
    last = period_parse(f"{year:04d}-{month + 1:02d}")[1]
    return last.replace(day=min(date.day, last.day))


@dataclass
class _Txn:
    id: str
    date: dt.date
    type: str
    payee: str
    product_line: str
    sku: str
    units: Decimal
    amount: Decimal
    cost: Decimal
    currency: str
    original_id: str | None
    segment: str | None
    territory: str | None
    mrr: Decimal | None
    tcv: Decimal | None
    eligible: bool


@dataclass
class _Period:
    """What one payee has in one period as seen at one cut-off."""

    lines: list[Line] = field(default_factory=list)
    active: bool = False
    plan: Plan | None = None  # the plan of the latest line (fallback for the ruling plan)


class _Calculator:
    def __init__(self, inputs: CommissionInputs, periods: list[str]):
        if not periods:
            raise ValueError("no period to calculate")
        self.first_day = min(period_parse(p)[0] for p in periods)
        self.last_day = max(period_parse(p)[1] for p in periods)
        self.inputs = inputs
        rows = inputs.transactions.to_pylist()
        self.txns = [
            _Txn(
                id=r["id"],
                date=r["date"],
                type=r["type"],
                payee=r["payee"],
                product_line=r["product_line"],
                sku=r["sku"],
                units=r["units"],
                amount=r["amount"],
                cost=r["cost"],
                currency=r["currency"],
                original_id=r.get("original_id"),
                segment=r.get("segment"),
                territory=r.get("territory"),
                mrr=r.get("mrr"),
                tcv=r.get("tcv"),
                eligible=r.get("eligible") is not False,
            )
            for r in rows
        ]
        self.txns.sort(key=lambda t: (t.date, t.id))
        self.by_id = {t.id: t for t in self.txns}
        for txn in self.txns:  # reversing a sale that earned nothing takes nothing back
            original = self.by_id.get(txn.original_id) if txn.original_id else None
            if original is not None and not original.eligible:
                txn.eligible = False
        self.assignments: dict[str, list[dict]] = defaultdict(list)
        for row in inputs.assignments.to_pylist():
            self.assignments[row["payee"]].append(row)
        self.quotas = {}
        if inputs.quotas is not None:
            for row in inputs.quotas.to_pylist():
                self.quotas[(row["payee"], row["period"])] = row["amount"]
        self.fx = []
        if inputs.fx is not None:
            for row in inputs.fx.to_pylist():
                first, last = period_parse(row["period"])
                self.fx.append((row["from"], row["to"], first, last, row["rate"]))
        self.payments: dict[str, list[dict]] = defaultdict(list)
        if inputs.payments is not None:
            for row in sorted(inputs.payments.to_pylist(), key=lambda r: r["date"]):
                self.payments[row["invoice_id"]].append(row)
        self.managers: dict[str, str | None] = {}
        if inputs.payees is not None:
            for row in inputs.payees.to_pylist():
                self.managers[row["id"]] = row.get("manager") or None
        self.credits: dict[str, list[tuple[str, Decimal]]] = defaultdict(list)
        if inputs.credits is not None:
            for row in inputs.credits.to_pylist():
                self.credits[row["transaction_id"]].append((row["payee"], row["share"]))
        self.claims: dict[str, list[dict]] = defaultdict(list)
        if inputs.claims is not None:
            for row in inputs.claims.to_pylist():
                if row["approved"] is not None:
                    self.claims[row["transaction_id"]].append(row)

    # -- lookups ---------------------------------------------------------------------------

    def plan_on(self, payee: str, date: dt.date) -> Plan | None:
        current = [
            a
            for a in self.assignments.get(payee, [])
            if a["valid_from"] <= date and (a["valid_to"] is None or date <= a["valid_to"])
        ]
        if not current:
            return None
        code = max(current, key=lambda a: a["valid_from"])["plan"]
        versions = [
            v
            for v in self.inputs.plans.get(code, [])
            if v.valid_from <= date and (v.valid_to is None or date <= v.valid_to)
        ]
        return versions[-1] if versions else None

    def fx_rate(self, currency: str, to: str, date: dt.date) -> Decimal:
        if currency == to:
            return ONE
        for source, target, first, last, rate in self.fx:
            if source == currency and target == to and first <= date <= last:
                return rate
        raise ValueError(f"no fx rate from {currency} to {to} for {date.isoformat()}")

    def quota(self, payee: str, key: str, plan: Plan) -> Decimal:
        if (payee, key) in self.quotas:
            return self.quotas[(payee, key)]
        if plan.quota is not None:
            return plan.quota
        raise ValueError(f"no quota for {payee} in {key} (plan {plan.code})")

    def ytd_quota(self, payee: str, key: str, plan: Plan) -> Decimal:
        first, last = period_parse(key)
        total = ZERO
        day = dt.date(first.year, 1, 1)
        while day <= last:
            this = period_key(day, plan.period)
            total += self.quota(payee, this, plan)
            day = period_parse(this)[1] + dt.timedelta(days=1)
        return total

    def credit(self, txn: _Txn, cutoff: dt.date) -> list[tuple[str, Decimal]]:
        approved = [c for c in self.claims.get(txn.id, []) if c["approved"] <= cutoff]
        if approved:
            claim = max(approved, key=lambda c: (c["approved"], c["claim_id"]))
            policy = self.inputs.policies[claim["policy"]]
            shares: dict[str, Decimal] = defaultdict(lambda: ZERO)
            for role, share in policy.splits.items():
                shares[claim[role]] += share
            return list(shares.items())
        if txn.id in self.credits:
            shares = defaultdict(lambda: ZERO)
            for payee, share in self.credits[txn.id]:
                shares[payee] += share
            return list(shares.items())
        return [(txn.payee, ONE)]

    def chain(self, payee: str, levels: int) -> list[tuple[str, int]]:
        found, seen, current = [], {payee}, payee
        for level in range(1, levels + 1):
            manager = self.managers.get(current)
            if not manager or manager in seen:
                break
            found.append((manager, level))
            seen.add(manager)
            current = manager
        return found

    @staticmethod
    def basis(txn: _Txn, basis: str) -> Decimal:
        if basis == "amount":
            return txn.amount
        if basis == "margin":
            return txn.amount - txn.cost
        if basis == "units":
            return txn.units
        if basis == "mrr":
            return txn.mrr or ZERO
        return txn.tcv or ZERO

    @staticmethod
    def matches(flt, txn: _Txn) -> bool:
        return (
            (not flt.product_lines or txn.product_line in flt.product_lines)
            and (not flt.skus or txn.sku in flt.skus)
            and (not flt.segments or txn.segment in flt.segments)
            and (not flt.transaction_types or txn.type in flt.transaction_types)
            and (not flt.territories or txn.territory in flt.territories)
        )

    def converted(self, txn: _Txn, basis: str, share: Decimal, plan: Plan) -> Decimal:
        value = self.basis(txn, basis) * share
        if basis in MONEY_BASES:
            value *= self.fx_rate(txn.currency, plan.currency, txn.date)
        return value

    def whole_reversal(self, txn: _Txn) -> bool:
        """A memo taking back the whole of its original (it undoes the deal itself)."""
        original = self.by_id.get(txn.original_id) if txn.original_id else None
        return txn.type in MEMO_TYPES and original is not None and txn.amount == -original.amount

    def spif_day(self, txn: _Txn) -> dt.date:
        """The day a SPIF's window is checked on: a memo's original's (a return takes back
        what the sale earned inside the window, whenever it comes), else the transaction's."""
        original = self.by_id.get(txn.original_id) if txn.original_id else None
        if txn.type in MEMO_TYPES and original is not None:
            return original.date
        return txn.date

    def in_window(self, plan: Plan, txn: _Txn) -> _Txn | bool | None:
        """For a memo under a clawback plan: the original if inside the window, False if
        outside; None when the normal rate applies."""
        if plan.clawback is None or txn.type not in MEMO_TYPES or not txn.original_id:
            return None
        original = self.by_id.get(txn.original_id)
        if original is None:
            return None
        if original.date >= months_before(txn.date, plan.clawback.window_months):
            return original
        return False

    # -- one cut-off: every period's lines --------------------------------------------------

    def earnings(self, cutoff: dt.date) -> dict[tuple[str, str], _Period]:
        result: dict[tuple[str, str], _Period] = defaultdict(_Period)
        credited = []  # (txn, payee, share, plan)
        for txn in self.txns:
            if txn.date > self.last_day or not txn.eligible:
                continue
            for payee, share in self.credit(txn, cutoff):
                plan = self.plan_on(payee, txn.date)
                if plan is None:
                    continue
                key = period_key(txn.date, plan.period)
                result[(payee, key)].active = True
                result[(payee, key)].plan = plan
                credited.append((txn, payee, share, plan))

        # (payee, plan code, component, txn id) -> (unrounded commission, credited basis)
        earned: dict[tuple[str, str, str, str], tuple[Decimal, Decimal]] = {}
        accumulated: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
        # accumulation for tiers and bonuses: normal lines that pass the filter
        for txn, payee, share, plan in credited:
            if self.in_window(plan, txn) is not None:
                continue
            key = period_key(txn.date, plan.period)
            for component in plan.components:
                if self.matches(component.filter, txn):
                    value = self.converted(txn, component.basis, share, plan)
                    accumulated[(payee, plan.code, component.code, key)] += value

        running: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
        for txn, payee, share, plan in credited:
            window = self.in_window(plan, txn)
            key = period_key(txn.date, plan.period)
            for component in plan.components:
                if not self.matches(component.filter, txn):
                    continue
                base = self.converted(txn, component.basis, share, plan)
                if window is not None:
                    rate = (
                        ZERO
                        if window is False
                        else self.original_rate(payee, component.code, window, earned)
                    )
                    amount = q6(base * rate)
                    pieces = [(None, rate, base, amount)]
                    kind = "clawback"
                elif component.tiers is None:
                    rate = (
                        component.rate
                        if component.rate is not None
                        else component.rates_by_product_line.get(txn.product_line, ZERO)
                    )
                    amount = q6(base * rate * component.multiplier)
                    pieces = [(None, rate * component.multiplier, base, amount)]
                    kind = "earning"
                else:
                    pieces = self.tiered(payee, plan, component, key, base, accumulated, running)
                    amount = sum((p[3] for p in pieces), ZERO)
                    kind = "earning"
                    earned[(payee, plan.code, component.code, txn.id)] = (amount, base)
                self.release(result, txn, payee, share, plan, component.code, pieces, kind)
            for spif in plan.spifs:
                if not self.matches(spif.filter, txn):
                    continue
                day = self.spif_day(txn)
                if spif.valid_from and day < spif.valid_from:
                    continue
                if spif.valid_to and day > spif.valid_to:
                    continue
                if spif.per == "unit":
                    base = txn.units * share
                elif txn.type in DEAL_TYPES:
                    base = share
                elif self.whole_reversal(txn):
                    base = ZERO if self.in_window(plan, txn) is False else -share
                else:
                    continue
                amount = q6(base * spif.amount)
                pieces = [(None, spif.amount, base, amount)]
                self.release(result, txn, payee, share, plan, spif.code, pieces, "spif")

        # manager overrides: on everything credited, whether or not the report has a plan
        for txn in self.txns:
            if txn.date > self.last_day or not txn.eligible:
                continue
            for payee, share in self.credit(txn, cutoff):
                for manager, level in self.chain(payee, 100):
                    plan = self.plan_on(manager, txn.date)
                    if plan is None or plan.override is None or level > plan.override.levels:
                        continue
                    override = plan.override
                    base = self.converted(txn, override.basis, share, plan)
                    window = self.in_window(plan, txn)
                    kind = "override"
                    rate = override.rate
                    if window is not None:
                        kind = "clawback"
                        before = None if window is False else self.plan_on(manager, window.date)
                        rate = before.override.rate if before and before.override else ZERO
                    amount = q6(base * rate)
                    pieces = [(None, rate, base, amount)]
                    self.release(result, txn, manager, share, plan, override.code, pieces, kind)

        # bonuses: on the ruling plan of each payee-period
        for (payee, key), period in list(result.items()):
            plan = self.ruling_plan(payee, key, period)
            if plan is None or not plan.bonuses:
                continue
            if not plan.components:
                continue
            first = plan.components[0]
            basis = accumulated.get((payee, plan.code, first.code, key), ZERO)
            quota = self.quota(payee, key, plan)
            for bonus in plan.bonuses:
                if quota > 0 and basis >= bonus.attainment_at_least * quota:
                    period.lines.append(
                        Line(
                            payee,
                            key,
                            None,
                            None,
                            bonus.code,
                            None,
                            None,
                            basis,
                            bonus.amount,
                            "bonus",
                        )
                    )
        return result

    def original_rate(self, payee, component_code, original: _Txn, earned) -> Decimal:
        plan = self.plan_on(payee, original.date)
        if plan is None:
            return ZERO
        component = next((c for c in plan.components if c.code == component_code), None)
        if component is None:
            return ZERO
        if component.rate is not None:
            return component.rate * component.multiplier
        if component.rates_by_product_line is not None:
            rate = component.rates_by_product_line.get(original.product_line, ZERO)
            return rate * component.multiplier
        amount, base = earned.get((payee, plan.code, component_code, original.id), (ZERO, ZERO))
        return q6(amount / base) if base else ZERO

    def tiered(self, payee, plan, component, key, base, accumulated, running):
        tiers = component.tiers
        ytd = tiers.accumulate == "ytd"
        group = (payee, plan.code, component.code, key[:4] if ytd else key)
        if tiers.measure == "attainment":
            quota = self.ytd_quota(payee, key, plan) if ytd else self.quota(payee, key, plan)
            scale = quota
        else:
            scale = ONE
        bounds = [None if b.upto is None else b.upto * scale for b in tiers.bands]
        if tiers.method == "retroactive":
            if ytd:
                total = sum(
                    (
                        value
                        for (p, c, comp, k), value in accumulated.items()
                        if (p, c, comp) == group[:3] and k[:4] == key[:4] and k <= key
                    ),
                    ZERO,
                )
            else:
                total = accumulated[(payee, plan.code, component.code, key)]
            index = next(i for i, b in enumerate(bounds) if b is None or total <= b)
            rate = tiers.bands[index].rate * component.multiplier
            return [(str(index + 1), rate, base, q6(base * rate))]
        before = running[group]
        after = before + base
        running[group] = after
        low, high = min(before, after), max(before, after)
        sign = ONE if after >= before else -ONE
        pieces = []
        lower = None
        for i, (band, upper) in enumerate(zip(tiers.bands, bounds, strict=True)):
            start = low if lower is None else max(low, lower)
            end = high if upper is None else min(high, upper)
            if end > start:
                rate = band.rate * component.multiplier
                pieces.append(
                    (str(i + 1), rate, sign * (end - start), q6(sign * (end - start) * rate))
                )
            lower = upper
        if not pieces:  # a zero basis: the band the accumulated basis is in
            index = next(i for i, b in enumerate(bounds) if b is None or before <= b)
            pieces.append(
                (str(index + 1), tiers.bands[index].rate * component.multiplier, ZERO, ZERO)
            )
        return pieces

    def release(self, result, txn, payee, share, plan, code, pieces, kind) -> None:
        """Put a transaction's line pieces (unrounded) in the period(s) they become payable.
        Under payable_on payment an invoice's line is released by the cumulative share paid
        (line × paid so far ÷ amount, less what was released before), so a fully paid invoice
        releases exactly its line."""
        if plan.rounding == "line":
            pieces = _round_pieces(pieces)
        if plan.payable_on == "payment" and txn.type == "invoice":
            releases = []
            whole, before = txn.amount, ZERO
            for payment in self.payments.get(txn.id, []) if whole else []:
                after = before + payment["amount"]
                parts = []
                for tier, rate, base, amount in pieces:
                    then = [q6(base * before / whole), q6(amount * before / whole)]
                    now = [q6(base * after / whole), q6(amount * after / whole)]
                    if plan.rounding == "line":
                        then[1], now[1] = round_money(then[1]), round_money(now[1])
                    parts.append((tier, rate, now[0] - then[0], now[1] - then[1]))
                releases.append((period_key(payment["date"], plan.period), parts))
                before = after
        else:
            releases = [(period_key(txn.date, plan.period), pieces)]
        for key, parts in releases:
            period = result[(payee, key)]
            period.active = True
            period.plan = plan
            for tier, rate, base, amount in parts:
                period.lines.append(
                    Line(payee, key, txn.id, share, code, tier, rate, base, amount, kind)
                )

    def ruling_plan(self, payee: str, key: str, period: _Period | None) -> Plan | None:
        plan = self.plan_on(payee, period_parse(key)[1])
        if plan is None and period is not None:
            plan = period.plan
        return plan

    def settle(self, payee: str, key: str, period: _Period) -> tuple[Decimal, str, list[Line]]:
        """A payee-period's total after caps and rounding, its currency, and its cap lines."""
        plan = self.ruling_plan(payee, key, period)
        lines: list[Line] = []
        total = ZERO
        by_component: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for line in period.lines:
            by_component[line.component] += line.amount
        for component in plan.components:
            if component.code not in by_component:
                continue
            value = by_component[component.code]
            limited = value
            if component.cap is not None and limited > component.cap:
                limited = component.cap
            if component.floor is not None and limited < component.floor:
                limited = component.floor
            if limited != value:
                lines.append(
                    Line(
                        payee,
                        key,
                        None,
                        None,
                        component.code,
                        None,
                        None,
                        value,
                        limited - value,
                        "cap",
                    )
                )
        total = sum((line.amount for line in period.lines + lines), ZERO)
        limited = total
        if plan.cap is not None and limited > plan.cap:
            limited = plan.cap
        if plan.floor is not None and limited < plan.floor:
            limited = plan.floor
        if limited != total:
            lines.append(
                Line(payee, key, None, None, "plan", None, None, total, limited - total, "cap")
            )
        return round_money(limited), plan.currency, lines

    # -- the runs -----------------------------------------------------------------------------

    def history(self, kind: str) -> list[str]:
        """Every period of `kind` from the first with any data up to the end of the range."""
        days = [t.date for t in self.txns]
        days += [p["date"] for ps in self.payments.values() for p in ps]
        days += [a["valid_from"] for rows in self.assignments.values() for a in rows]
        first = max(min(days, default=self.first_day), dt.date(1900, 1, 1))
        keys, day = [], period_parse(period_key(first, kind))[0]
        while period_parse(period_key(day, kind))[1] <= self.last_day:
            keys.append(period_key(day, kind))
            day = period_parse(keys[-1])[1] + dt.timedelta(days=1)
        return keys

    def run(self) -> ReferenceResult:
        cache: dict[frozenset, dict] = {}
        owed: dict[str, Decimal] = defaultdict(lambda: ZERO)
        payouts: list[PayoutRow] = []
        lines: list[Line] = []
        kinds = {plan.period for versions in self.inputs.plans.values() for plan in versions}
        for kind in sorted(kinds):
            keys = self.history(kind)
            paid: dict[tuple[str, str], Decimal] = {}  # (payee, period) -> total last paid
            seen: dict | None = None
            for index, key in enumerate(keys):
                first, cutoff = period_parse(key)
                known = frozenset(
                    c["claim_id"]
                    for cs in self.claims.values()
                    for c in cs
                    if c["approved"] <= cutoff
                )
                if known not in cache:
                    cache[known] = self.earnings(cutoff)
                earnings = cache[known]
                changed = seen is not None and earnings is not seen
                seen = earnings
                payees = {p for (p, k) in earnings if k == key}
                payees |= {p for (p, k) in paid}
                payees |= set(self.assignments)
                for payee in sorted(payees):
                    period = earnings.get((payee, key))
                    plan = self.ruling_plan(payee, key, period)
                    if plan is None or plan.period != kind:
                        continue
                    active = period is not None and (period.active or bool(period.lines))
                    net, currency, run_lines = ZERO, plan.currency, []
                    if period is not None:
                        net, currency, caps = self.settle(payee, key, period)
                        run_lines += period.lines + caps
                        paid[(payee, key)] = net
                    for earlier in keys[:index] if changed else []:
                        now = ZERO
                        if (payee, earlier) in earnings:
                            now = self.settle(payee, earlier, earnings[(payee, earlier)])[0]
                        change = now - paid.get((payee, earlier), ZERO)
                        if change:
                            active = True
                            paid[(payee, earlier)] = now
                            net += change
                            run_lines.append(
                                Line(payee, key, None, None, earlier, None, None, None, change,
                                     "adjustment")
                            )  # fmt: skip
                    amount = net
                    draw = plan.draw.amount if plan.draw is not None else ZERO
                    if plan.draw is not None:
                        active = True
                    if plan.draw is not None and net < draw:
                        run_lines.append(
                            Line(payee, key, None, None, "draw", None, None, net, draw - net,
                                 "draw")
                        )  # fmt: skip
                        if plan.draw.recoverable:
                            owed[payee] += draw - net
                        amount = draw
                    elif owed[payee] > 0 and net > draw:
                        # earnings above the draw (all earnings, once off the draw) repay first
                        recovery = min(owed[payee], net - draw)
                        owed[payee] -= recovery
                        amount = net - recovery
                        run_lines.append(
                            Line(payee, key, None, None, "draw", None, None, net, -recovery,
                                 "recovery")
                        )  # fmt: skip
                    shown = first >= self.first_day
                    if active and shown:
                        payouts.append(PayoutRow(payee, key, round_money(amount), currency))
                        lines += run_lines
        payouts.sort(key=lambda r: (period_parse(r.period)[1], r.period, r.payee))
        return ReferenceResult(payouts, lines)


def _round_pieces(pieces):
    """Round each piece of a line (each tier slice) half-up to the cent."""
    return [(tier, rate, base, round_money(amount)) for tier, rate, base, amount in pieces]


def reference_calculate(inputs: CommissionInputs, *, periods: list[str]) -> ReferenceResult:
    """Payouts (payee, period, amount, currency; by period then payee) and explanation lines
    for the periods given, calculated in order as successive runs."""
    return _Calculator(memos_follow_originals(inputs), periods).run()
