"""What the demo company's payroll paid for the paid commission run, loaded and reconciled.

Payroll pays each payee's payout of each period on the 15th of the next month, exactly as the
run calculated it (a negative payout is a deduction), with two differences an analyst meets
every month:

- a manual adjustment: payroll keyed an extra amount for one payee and period (a manager's
  promise made outside the plan), paid on its own line; the payee was paid too much;
- a component short: for one payee and period payroll paid component by component, and one
  component's figure left out its last line (a late invoice, or a quota bonus, that reached
  payroll after its cut-off); the payee is still owed that line.

The file goes through the paid import service like any payroll file, then the run is
reconciled and a commission inquiry opened per variance, so the reconciliation page shows
what an analyst would find. Everything follows from the run and the seed: same seed, same
file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import tempfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from revdesk.compensation.models import CommissionRun, Payout, PayoutLine
from revdesk.compensation.reconciliation import COLUMNS, paid_import, variance_cases_open
from revdesk.engine.commission_inputs import period_parse
from revdesk.engine.money import ZERO, round_money

#: what payroll keys by hand for a payee (one is chosen)
MANUAL_ADJUSTMENTS = ("150.00", "250.00", "400.00")


def _paid_on(period: str) -> dt.date:
    """The 15th of the month after the period."""
    return (period_parse(period)[1] + dt.timedelta(days=1)).replace(day=15)


def _money(amount: Decimal) -> str:
    return format(round_money(amount), "f")


def paid_file(run: CommissionRun, rng: random.Random) -> tuple[str, dict]:
    """The CSV payroll would send for `run`, and what it changed (payee, period, component and
    amounts of the two differences; empty when the run has too few payouts for them)."""
    payouts = list(
        Payout.objects.filter(run=run)
        .select_related("payee")
        .order_by("period", "payee__code", "currency")
    )
    components: dict[tuple[int, str], dict[str, list[PayoutLine]]] = defaultdict(dict)
    for line in PayoutLine.objects.filter(run=run).order_by("period", "id"):
        name = line.component or line.kind
        components[(line.payee_id, line.period)].setdefault(name, []).append(line)

    positive = [p for p in payouts if p.amount > ZERO]
    short_candidates = []
    for payout in positive:
        parts = components.get((payout.payee_id, payout.period), {})
        sums = {name: sum((line.amount for line in lines), ZERO) for name, lines in parts.items()}
        # whole cents only, so the components add up to the payout however they are rounded
        if len(parts) < 2 or any(total != round_money(total) for total in sums.values()):
            continue
        for name in sorted(parts):
            last = parts[name][-1].amount
            if ZERO < last == round_money(last) and sums[name] >= last:
                short_candidates.append((payout, name))
    short = rng.choice(short_candidates) if short_candidates else None
    manual_candidates = [p for p in positive if short is None or p.payee_id != short[0].payee_id]
    manual = rng.choice(manual_candidates) if manual_candidates else None
    extra = Decimal(rng.choice(MANUAL_ADJUSTMENTS))

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    story: dict = {}
    for payout in payouts:
        paid_on = _paid_on(payout.period)
        reference = f"PAY-{paid_on:%Y-%m}"
        row = [payout.payee.code, payout.period, "", "", payout.currency, paid_on.isoformat()]
        if short is not None and payout is short[0]:
            parts = components[(payout.payee_id, payout.period)]
            for name in sorted(parts):
                calculated = round_money(sum((line.amount for line in parts[name]), ZERO))
                paid = calculated
                if name == short[1]:
                    paid = round_money(calculated - parts[name][-1].amount)
                    story["short"] = {
                        "payee": payout.payee.code,
                        "period": payout.period,
                        "component": name,
                        "calculated": calculated,
                        "paid": paid,
                        "missing": parts[name][-1].transaction_id,
                    }
                writer.writerow([*row[:2], name, _money(paid), *row[4:], reference])
            continue
        writer.writerow([*row[:3], _money(payout.amount), *row[4:], reference])
        if payout is manual:
            writer.writerow([*row[:3], _money(extra), *row[4:], f"{reference}-MANUAL"])
            story["manual"] = {
                "payee": payout.payee.code,
                "period": payout.period,
                "calculated": payout.amount,
                "paid": payout.amount + extra,
            }
    return out.getvalue(), story


def payroll_paid_load(run: CommissionRun, *, rng: random.Random, actor, now: dt.datetime):
    """Load what payroll paid for `run` through the paid import, reconcile the run and open a
    commission inquiry per variance (at `now`). Returns (the paid import, the cases opened)."""
    text, _ = paid_file(run, rng)
    name = f"payroll-paid-{run.periods.replace('..', '-to-')}.csv"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_text(text, encoding="utf-8")
        record = paid_import(path, actor=actor, name=name)
    cases = variance_cases_open(run, actor=actor, source="system", now=now)
    return record, cases
