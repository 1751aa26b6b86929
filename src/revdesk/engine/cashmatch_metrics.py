"""How well a matching run did, against a truth of what each receipt really pays
(docs/guide/cash-application.md, "Measuring cash application").

`cash_metrics(result, truth, receipts, as_of=...)` scores a `MatchResult` (or anything with
the same `applications`, `unapplied` and `suggestions` tables) against a truth table
(`engine.cashmatch_generate.TRUTH_SCHEMA`: receipt, kind, outcome, customer, invoice, amount;
outcome `apply` has one row per invoice the receipt pays and the amount it pays on it,
`on_account` and `unidentified` one row with the receipt's amount). An invoice is known by
(customer, invoice). The definitions:

- **auto-application rate** (receipt level): receipts whose applications, summed per invoice,
  are exactly the truth's invoices and amounts / receipts the truth applies;
- **wrong applications**: receipts with any application the truth does not have (an invoice
  it does not pay, or another amount on an invoice it pays) / all receipts. A receipt left
  unapplied, or suggested, is never wrong; nor is one that applied only some of its invoices,
  each rightly (counted as `partly_applied`);
- **invoice hit rate**: invoices the truth pays whose applied amount in the run (from all
  receipts) is exactly the truth's / invoices the truth pays;
- **application accuracy** (the stand-in, on generated data, for "auto-applications not
  later reversed"): applications (a receipt's amount on an invoice, its lines summed) the
  truth has with the same amount / all applications;
- **suggestions**: receipts left for a person with a suggested application; right when the
  suggested invoices and amounts are exactly the truth's. Payer suggestions (a customer
  without an invoice) are right when the customer is the truth's;
- **unapplied cash**: per reason (`unidentified`, `on_account`, `suggestion`): receipts,
  amount per currency, age in days at `as_of` (mean, oldest), and how much of that amount the
  truth says should have been applied.

Every count comes with its rate where one is defined; rates are fractions (0.9512), not
percents. Amounts are whole cents in, text out ("1250.00").
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pyarrow as pa


def _cents(amount: Decimal | None) -> int:
    return 0 if amount is None else int(amount * 100)


def _money(cents: int) -> str:
    return format(Decimal(cents).scaleb(-2), "f")


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 6) if whole else None


def cash_metrics(
    result, truth: pa.Table, receipts: pa.Table, *, as_of: dt.date | None = None
) -> dict:
    """The figures of the module docstring, as plain values (JSON-ready)."""
    kind_of: dict[str, str] = {}
    truth_customer: dict[str, str | None] = {}
    should: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    invoice_truth: dict[tuple[str, str], int] = defaultdict(int)
    for row in truth.to_pylist():
        kind_of[row["receipt"]] = row["kind"]
        truth_customer[row["receipt"]] = row["customer"]
        if row["outcome"] == "apply":
            key = (row["customer"], row["invoice"])
            should[row["receipt"]][key] = should[row["receipt"]].get(key, 0) + _cents(row["amount"])
            invoice_truth[key] += _cents(row["amount"])

    applied: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    invoice_applied: dict[tuple[str, str], int] = defaultdict(int)
    rows = result.applications.select(["receipt", "customer", "invoice", "applied"]).to_pylist()
    for row in rows:
        key = (row["customer"], row["invoice"])
        cents = _cents(row["applied"])
        applied[row["receipt"]][key] = applied[row["receipt"]].get(key, 0) + cents
        invoice_applied[key] += cents
    lines = sum(len(got) for got in applied.values())
    lines_right = sum(
        1
        for receipt, got in applied.items()
        for key, cents in got.items()
        if should.get(receipt, {}).get(key) == cents
    )

    suggested: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    payer_suggested: dict[str, str] = {}
    for row in result.suggestions.select(["receipt", "customer", "invoice", "amount"]).to_pylist():
        if row["invoice"] is None:
            payer_suggested[row["receipt"]] = row["customer"]
            continue
        key = (row["customer"], row["invoice"])
        suggested[row["receipt"]][key] = suggested[row["receipt"]].get(key, 0) + _cents(
            row["amount"]
        )

    all_receipts = receipts.select(["receipt", "date", "amount", "currency"]).to_pylist()
    dated = {row["receipt"]: row for row in all_receipts}
    as_of = as_of or max((row["date"] for row in all_receipts), default=dt.date.today())

    by_kind: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    correct = wrong = partly = 0
    for row in all_receipts:
        receipt = row["receipt"]
        kind = kind_of.get(receipt, "unknown_to_truth")
        counts = by_kind[kind]
        counts["receipts"] += 1
        want, got = should.get(receipt, {}), applied.get(receipt, {})
        if want:
            counts["to_apply"] += 1
        if got:
            counts["auto_applied"] += 1
            if any(want.get(key) != cents for key, cents in got.items()):
                wrong += 1
                counts["wrong"] += 1
            elif got == want:
                correct += 1
                counts["correct"] += 1
            else:
                partly += 1
                counts["partly_applied"] += 1
        elif receipt in suggested or receipt in payer_suggested:
            counts["suggested"] += 1
            if suggested.get(receipt) == want and want:
                counts["suggested_right"] += 1
        else:
            counts["left_unapplied"] += 1
            if not want:
                counts["rightly_unapplied"] += 1

    to_apply = len([r for r in dated if should.get(r)])
    hits = sum(1 for key, cents in invoice_truth.items() if invoice_applied.get(key) == cents)

    right_suggestions = sum(
        1 for receipt, got in suggested.items() if got and got == should.get(receipt)
    )
    right_payers = sum(
        1
        for receipt, customer in payer_suggested.items()
        if customer is not None and customer == truth_customer.get(receipt)
    )

    unapplied: dict[str, dict] = {}
    groups: dict[str, dict] = defaultdict(
        lambda: {
            "receipts": set(),
            "amount": defaultdict(int),
            "should_apply": defaultdict(int),
            "ages": [],
        }
    )
    for row in result.unapplied.select(["receipt", "amount", "reason", "currency"]).to_pylist():
        group = groups[row["reason"]]
        cents = _cents(row["amount"])
        group["amount"][row["currency"]] += cents
        if should.get(row["receipt"]):
            group["should_apply"][row["currency"]] += cents
        if row["receipt"] not in group["receipts"]:
            group["receipts"].add(row["receipt"])
            group["ages"].append((as_of - dated[row["receipt"]]["date"]).days)
    for reason in sorted(groups):
        group = groups[reason]
        ages = group["ages"]
        unapplied[reason] = {
            "receipts": len(group["receipts"]),
            "amount": {c: _money(v) for c, v in sorted(group["amount"].items())},
            "of_which_truth_applies": {
                c: _money(v) for c, v in sorted(group["should_apply"].items())
            },
            "age_days_mean": round(sum(ages) / len(ages), 1) if ages else None,
            "age_days_oldest": max(ages) if ages else None,
        }

    total = len(all_receipts)
    return {
        "receipts": total,
        "receipts_to_apply": to_apply,
        "auto_applied_correctly": correct,
        "auto_application_rate": _rate(correct, to_apply),
        "wrong_applications": wrong,
        "wrong_rate": _rate(wrong, total),
        "partly_applied": partly,
        "invoices_to_pay": len(invoice_truth),
        "invoice_hits": hits,
        "invoice_hit_rate": _rate(hits, len(invoice_truth)),
        "application_lines": lines,
        "application_lines_right": lines_right,
        "application_accuracy": _rate(lines_right, lines),
        "suggested_receipts": len(set(suggested) - set(applied)),
        "suggestions_right": right_suggestions,
        "payer_suggestions": len(payer_suggested),
        "payer_suggestions_right": right_payers,
        "unapplied": unapplied,
        "by_kind": {kind: dict(sorted(c.items())) for kind, c in sorted(by_kind.items())},
        "as_of": as_of.isoformat(),
    }


__all__ = ["cash_metrics"]
