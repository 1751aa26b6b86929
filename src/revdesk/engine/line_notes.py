"""Plain-words notes on explanation lines, for an analyst who reads them in Excel.

The engine's lines (`commissions.LINE_SCHEMA`) say what was calculated: base, rate, amount,
kind. A note says it in words, from the line and the plan version in force for the payee and
period, and states only what the line and the plan show to be true:

    earning     7,000.00 × 5% = 350.00
                3,000.00 × 6% × 1.25 (multiplier) = 225.00
                9,000.00 × 6% = 540.00; tier 2: from 100% to 150% of quota
    clawback    takes back what T1 earned, at its rate: -1,000.00 × 5% = -50.00
                original outside the 6-month clawback window: nothing taken back
    spif        2 units × 25.00 = 50.00      per deal: 100.00 × 50% credit = 50.00
    bonus       attainment 105% of quota 10,000.00 reached 100%: 1,000.00
    cap         capped at 5,000.00: earned 5,600.00, 600.00 taken off
                floor 300.00: topped up from 120.00 by 180.00
    rounding    period total rounded to the cent: 1,234.567 to 1,234.57
    adjustment  restates an earlier period (a claim or late change): ...
    draw        draw tops the period up to 2,000.00 from 1,200.00 earned (recoverable: ...)
    recovery    repays draw owed from earlier periods: 500.00, ...

`line_note(line, plan, ...)` writes one note; `line_notes(lines, plans, assignments, ...)`
writes the notes of a lines table, finding each line's plan version in force for its payee
and period, its quota, and (given the transactions) what a clawback reverses. Nothing here
changes a calculation: the notes are text beside the lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from decimal import ROUND_DOWN, Decimal

import pyarrow as pa
import pyarrow.compute as pc

from .commission_inputs import period_parse
from .money import CENT, ZERO
from .plans import Plan

_FOREVER = dt.date(9999, 12, 31)


# -- text of numbers ---------------------------------------------------------------------------


def money_text(value: Decimal | None) -> str:
    """2 decimals with thousands separators; a value kept at finer precision shows all of it."""
    if value is None:
        return ""
    if value == value.quantize(CENT):
        return f"{value:,.2f}"
    return f"{value.normalize():,f}"


def percent_text(value: Decimal) -> str:
    """A fraction as per cent: 0.05 -> 5%, 0.0125 -> 1.25%, 1.5 -> 150%."""
    shown = (value * 100).normalize()
    if shown == shown.to_integral_value():
        shown = shown.quantize(Decimal(1))
    return f"{shown:f}%"


def number_text(value: Decimal) -> str:
    shown = value.normalize()
    if shown == shown.to_integral_value():
        shown = shown.quantize(Decimal(1))
    return f"{shown:f}"


def _signed_percent(value: Decimal) -> str:
    return ("+" if value > 0 else "") + percent_text(value)


# -- one line ----------------------------------------------------------------------------------


def line_note(
    line: Mapping,
    plan: Plan | None,
    *,
    quota: Decimal | None = None,
    original: str | None = None,
    outside_window: bool | None = None,
) -> str:
    """The plain-words note of one explanation line (a mapping with the LINE_SCHEMA keys).

    plan: the plan version in force for the line's payee and period (None: not known, the
    note says less). quota: the payee's quota for the period (bonus lines; else the plan's).
    original: the transaction a clawback reverses; outside_window: whether that original is
    older than the plan's clawback window (None: not known)."""
    kind = line.get("kind") or ""
    writer = _WRITERS.get(kind)
    if writer is None:
        return ""
    return writer(_Line(line), plan, quota, original, outside_window)


class _Line:
    """The columns of a line, read once (Decimal or None)."""

    def __init__(self, line: Mapping):
        self.transaction_id = line.get("transaction_id") or None
        self.credit_share = _decimal(line.get("credit_share"))
        self.component = line.get("component") or ""
        self.tier = line.get("tier")
        self.rate = _decimal(line.get("rate"))
        self.base = _decimal(line.get("base"))
        self.amount = _decimal(line.get("amount")) or ZERO
        self.period = line.get("period") or ""


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _component(plan: Plan | None, code: str):
    if plan is None:
        return None
    return next((c for c in plan.components if c.code == code), None)


def _equals(product: Decimal, amount: Decimal) -> str:
    """'= amount', saying when the amount is the product rounded to the cent."""
    if product == amount or product.quantize(CENT) != amount:
        return f"= {money_text(amount)}"
    return f"= {money_text(amount)} (rounded to the cent)"


def _share_text(line: _Line) -> str:
    share = line.credit_share
    if share is None or share == 1 or share == 0:
        return ""
    return f"; {percent_text(abs(share))} of the credit"


def _released_text(line: _Line, plan: Plan | None) -> str:
    if (
        plan is not None
        and plan.payable_on == "payment"
        and line.transaction_id
        and line.base is not None
        and line.base > 0
    ):
        return "; released as the invoice is paid"
    return ""


def _band_text(component, tier: int) -> str:
    tiers = component.tiers
    if tiers is None or not 1 <= tier <= len(tiers.bands):
        return f"tier {tier}"
    low = tiers.bands[tier - 2].upto if tier > 1 else None
    high = tiers.bands[tier - 1].upto
    if tiers.measure == "attainment":

        def bound(value: Decimal) -> str:
            return percent_text(value)

        of = " of quota"
    else:

        def bound(value: Decimal) -> str:
            return money_text(value)

        of = f" of {component.basis}"
    if low is None and high is None:
        band = "every" + of
    elif low is None:
        band = f"up to {bound(high)}{of}"
    elif high is None:
        band = f"above {bound(low)}{of}"
    else:
        band = f"from {bound(low)} to {bound(high)}{of}"
    if tiers.accumulate == "ytd":
        band += ", year to date"
    how = (
        "this slice in the band"
        if tiers.method == "incremental"
        else "the whole period at the tier reached"
    )
    return f"tier {tier}: {band} ({how})"


def _earning(line: _Line, plan, quota, original, outside) -> str:
    component = _component(plan, line.component)
    base, rate = line.base or ZERO, line.rate
    if rate is None:
        return f"earned {money_text(line.amount)}"
    multiplier = component.multiplier if component is not None else Decimal(1)
    product = base * rate * multiplier
    factors = f"{money_text(base)} × {percent_text(rate)}"
    if multiplier != 1:
        factors += f" × {number_text(multiplier)} (multiplier)"
    is_tiered = component is not None and component.tiers is not None
    if is_tiered and line.tier is None and line.transaction_id is None:
        # the year-to-date catch-up: the basis of earlier periods moves to the new rate
        text = (
            f"year-to-date tier catch-up: this year's earlier {money_text(base)} moves to "
            f"the new rate, {_signed_percent(rate)} (the change)"
        )
        if multiplier != 1:
            text += f" × {number_text(multiplier)} (multiplier)"
        return f"{text} {_equals(product, line.amount)}"
    if component is None and product.quantize(CENT) != line.amount.quantize(CENT):
        text = f"{factors}, with the plan's multiplier, = {money_text(line.amount)}"
    else:
        text = f"{factors} {_equals(product, line.amount)}"
    if line.tier is not None:
        text += "; " + (_band_text(component, line.tier) if is_tiered else f"tier {line.tier}")
    return text + _share_text(line) + _released_text(line, plan)


def _window(plan: Plan | None) -> str:
    if plan is None or plan.clawback is None:
        return "the clawback window"
    return f"the {plan.clawback.window_months}-month clawback window"


def _clawback(line: _Line, plan, quota, original, outside) -> str:
    what = original or "the original sale"
    component = _component(plan, line.component)
    rate = line.rate or ZERO
    if rate == 0 or line.amount == 0:
        if outside is True:
            return f"original outside {_window(plan)}: nothing taken back"
        if outside is False:
            return f"{what} earned nothing under this component: nothing taken back"
        return (
            f"nothing taken back: {what} is outside {_window(plan)} "
            "or earned nothing under this component"
        )
    base = line.base or ZERO
    tiered = component is not None and component.tiers is not None
    if tiered:
        multiplier = component.multiplier
        where = f" in tier {line.tier}" if line.tier is not None else ""
        factors = f"{money_text(base)} × {percent_text(rate)}"
        if multiplier != 1:
            factors += f" × {number_text(multiplier)} (multiplier)"
        product = base * rate * multiplier
        head = f"takes back what {what} earned{where}, at its rate"
    else:
        # flat and product-line rates: the rate shown already includes any multiplier
        factors = f"{money_text(base)} × {percent_text(rate)}"
        product = base * rate
        head = f"takes back what {what} earned, at its rate"
        if component is not None and component.multiplier != 1:
            head += " (multiplier included)"
    return f"{head}: {factors} {_equals(product, line.amount)}" + _share_text(line)


def _spif(line: _Line, plan, quota, original, outside) -> str:
    spif = next((s for s in plan.spifs if s.code == line.component), None) if plan else None
    base, rate = line.base or ZERO, line.rate or ZERO
    share = line.credit_share
    per_deal = spif.per == "deal" if spif is not None else share is not None and abs(base) == share
    if per_deal:
        if base == 0:
            if share:
                return f"per deal: original outside {_window(plan)}: nothing taken back"
            return "per deal: no credit, nothing earned"
        shown = percent_text(abs(base))
        if base < 0:
            return (
                f"per deal, taken back (the whole deal reversed): {money_text(rate)} × "
                f"{shown} credit = {money_text(line.amount)}"
            )
        return f"per deal: {money_text(rate)} × {shown} credit = {money_text(line.amount)}"
    text = f"{number_text(base)} units × {money_text(rate)} = {money_text(line.amount)}"
    if base < 0:
        text += " (returned units take it back)"
    return text + _share_text(line) + _released_text(line, plan)


def _override(line: _Line, plan, quota, original, outside) -> str:
    base, rate = line.base or ZERO, line.rate or ZERO
    return (
        f"override on a report's credited sale: {money_text(base)} × {percent_text(rate)} "
        f"{_equals(base * rate, line.amount)}" + _released_text(line, plan)
    )


def _bonus(line: _Line, plan, quota, original, outside) -> str:
    bonus = next((b for b in plan.bonuses if b.code == line.component), None) if plan else None
    if quota is None and plan is not None:
        quota = plan.quota
    base = line.base or ZERO
    target = f" reached {percent_text(bonus.attainment_at_least)}" if bonus else " reached"
    if quota:
        attainment = (base / quota).quantize(Decimal("0.0001"), rounding=ROUND_DOWN)
        return (
            f"attainment {percent_text(attainment)} of quota {money_text(quota)}{target}: "
            f"{money_text(line.amount)}"
        )
    return f"credited {money_text(base)} in the period{target} of quota: {money_text(line.amount)}"


def _cap(line: _Line, plan, quota, original, outside) -> str:
    base = line.base or ZERO
    limit = base + line.amount
    where = f"{line.component} " if line.component else "the period total "
    if line.amount < 0:
        return (
            f"{where}capped at {money_text(limit)}: earned {money_text(base)}, "
            f"{money_text(-line.amount)} taken off"
        )
    return (
        f"floor {money_text(limit)} on {where.strip()}: earned {money_text(base)}, "
        f"topped up by {money_text(line.amount)}"
    )


def _rounding(line: _Line, plan, quota, original, outside) -> str:
    base = line.base or ZERO
    return (
        f"period total rounded to the cent: {money_text(base)} to {money_text(base + line.amount)}"
    )


def _adjustment(line: _Line, plan, quota, original, outside) -> str:
    parts = []
    if line.credit_share:
        parts.append(f"change in credit share {_signed_percent(line.credit_share)}")
    if line.base:
        parts.append(f"change in base {_signed_money(line.base)}")
    parts.append(f"change in amount {_signed_money(line.amount)}")
    what = line.component or "the period"
    if line.tier is not None:
        what += f" tier {line.tier}"
    return f"restates an earlier period (a claim or late change) for {what}: " + ", ".join(parts)


def _signed_money(value: Decimal) -> str:
    return ("+" if value > 0 else "") + money_text(value)


def _draw(line: _Line, plan, quota, original, outside) -> str:
    base = line.base or ZERO
    text = (
        f"draw tops the period up to {money_text(base + line.amount)} from "
        f"{money_text(base)} earned"
    )
    if plan is not None and plan.draw is not None:
        if plan.draw.recoverable:
            return text + f" (recoverable: {money_text(line.amount)} owed back from later earnings)"
        return text + " (not recoverable: nothing owed back)"
    return text


def _recovery(line: _Line, plan, quota, original, outside) -> str:
    base = line.base or ZERO
    repaid = -line.amount
    text = f"repays draw owed from earlier periods: {money_text(repaid)}"
    if plan is not None and plan.draw is not None:
        above = base - plan.draw.amount
        if repaid < above:
            return text + ", all that was owed"
        return text + f", all earned above the {money_text(plan.draw.amount)} draw"
    if repaid < base:
        return text + ", all that was owed"
    return text + f", all of the {money_text(base)} earned"


_WRITERS = {
    "earning": _earning,
    "clawback": _clawback,
    "spif": _spif,
    "override": _override,
    "bonus": _bonus,
    "cap": _cap,
    "rounding": _rounding,
    "adjustment": _adjustment,
    "draw": _draw,
    "recovery": _recovery,
}


# -- every line of a table ---------------------------------------------------------------------


def _codes(plan: Plan) -> set[str]:
    codes = {c.code for c in plan.components}
    codes |= {s.code for s in plan.spifs} | {b.code for b in plan.bonuses}
    if plan.override is not None:
        codes.add(plan.override.code)
    return codes


class PlanFinder:
    """The plan version in force for a payee and period, from the assignments (payee, plan,
    valid_from, valid_to) and the plan versions by code: of the versions whose assignment
    and validity overlap the period, one that knows the line's component, in force on the
    period's last day if one is, else the latest to start."""

    def __init__(self, plans: Mapping[str, list[Plan]], assignments: pa.Table):
        self.windows: dict[str, list[tuple[dt.date, dt.date, Plan]]] = {}
        for row in assignments.select(["payee", "plan", "valid_from", "valid_to"]).to_pylist():
            for plan in plans.get(row["plan"], []):
                first = max(row["valid_from"], plan.valid_from)
                last = min(row["valid_to"] or _FOREVER, plan.valid_to or _FOREVER)
                if first <= last:
                    self.windows.setdefault(row["payee"], []).append((first, last, plan))
        self._found: dict[tuple[str, str, str], Plan | None] = {}

    def find(self, payee: str, period: str, component: str = "") -> Plan | None:
        key = (payee, period, component)
        if key not in self._found:
            self._found[key] = self._find(payee, period, component)
        return self._found[key]

    def _find(self, payee: str, period: str, component: str) -> Plan | None:
        try:
            start, end = period_parse(period)
        except ValueError:
            return None
        overlapping = [w for w in self.windows.get(payee, []) if w[0] <= end and start <= w[1]]
        if not overlapping:
            return None
        knowing = [w for w in overlapping if component and component in _codes(w[2])]
        chosen = knowing or overlapping
        at_end = [w for w in chosen if w[0] <= end <= w[1]]
        return max(at_end or chosen, key=lambda w: (w[0], w[2].version))[2]


def _months_before(day: dt.date, months: int) -> dt.date:
    """`day` less whole months, the day clamped to the month's end (as SQL intervals do)."""
    count = day.year * 12 + day.month - 1 - months
    year, month = divmod(count, 12)
    month += 1
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return dt.date(year, month, min(day.day, (following - dt.timedelta(days=1)).day))


def line_notes(
    lines: pa.Table,
    plans: Mapping[str, list[Plan]],
    assignments: pa.Table,
    *,
    quotas: pa.Table | None = None,
    transactions: pa.Table | None = None,
    progress: Callable[[int], None] | None = None,
) -> pa.Array:
    """The note of every line of `lines` (LINE_SCHEMA columns), in order, as a string array.

    plans: the plan versions by code; assignments: payee, plan, valid_from, valid_to;
    quotas: payee, period, amount (a payee's own quota, else the plan's); transactions: id,
    date, original_id (what a clawback reverses and whether it is inside the window);
    progress: called with the number of lines noted so far, every `NOTES_STEP` lines."""
    finder = PlanFinder(plans, assignments)
    own_quota: dict[tuple[str, str], Decimal] = {}
    if quotas is not None:
        for row in quotas.select(["payee", "period", "amount"]).to_pylist():
            own_quota[(row["payee"], row["period"])] = row["amount"]
    reversed_: dict[str, tuple[str, dt.date, dt.date | None]] = {}
    if transactions is not None and "original_id" in transactions.column_names:
        wanted = {
            row["transaction_id"]
            for row in lines.select(["transaction_id", "kind"]).to_pylist()
            if row["kind"] == "clawback" and row["transaction_id"]
        }
        if wanted:
            # the clawed-back memos and their originals alone, found by Arrow (not every
            # transaction made a Python row)
            tx = transactions.select(["id", "date", "original_id"])
            memos = tx.filter(pc.is_in(tx["id"], value_set=pa.array(sorted(wanted), pa.string())))
            originals = tx.filter(pc.is_in(tx["id"], value_set=memos["original_id"].drop_null()))
            date_of = dict(
                zip(originals["id"].to_pylist(), originals["date"].to_pylist(), strict=True)
            )
            for row in memos.to_pylist():
                if row["original_id"]:
                    original = row["original_id"]
                    reversed_[row["id"]] = (original, row["date"], date_of.get(original))
    notes: list[str] = []
    for line in _rows(lines, progress):
        plan = finder.find(line["payee"], line["period"], line.get("component") or "")
        quota = own_quota.get((line["payee"], line["period"]))
        original, outside = None, None
        found = reversed_.get(line.get("transaction_id") or "")
        if found is not None:
            original, memo_date, original_date = found
            if original_date is not None and plan is not None and plan.clawback is not None:
                since = _months_before(memo_date, plan.clawback.window_months)
                outside = original_date < since
        notes.append(line_note(line, plan, quota=quota, original=original, outside_window=outside))
    return pa.array(notes, pa.string())


#: lines noted between two calls of `line_notes`'s progress
NOTES_STEP = 50_000


def _rows(lines: pa.Table, progress: Callable[[int], None] | None) -> Iterator[dict]:
    """The lines as dicts, a slice at a time, telling `progress` how far it got."""
    for start in range(0, lines.num_rows, NOTES_STEP):
        yield from lines.slice(start, NOTES_STEP).to_pylist()
        if progress is not None:
            progress(min(start + NOTES_STEP, lines.num_rows))


__all__ = ["PlanFinder", "line_note", "line_notes", "money_text", "percent_text"]
