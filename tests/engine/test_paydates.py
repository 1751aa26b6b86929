"""Pay-date prediction (engine.paydates): learnt from each customer's own history, the
fallback for new customers, and the error measured on held-out history."""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa

from revdesk.engine.paydates import (
    MIN_HISTORY,
    OPEN_SCHEMA,
    PAID_SCHEMA,
    PayDateModel,
    accuracy,
)


def _history(customers: int = 40, invoices: int = 25, seed: int = 1):
    """Customers with a habit (paid 3 days early to 45 days late, ± 4 days), half
    enterprise, half small business, invoices over 20 months on 30, 45 or 60 days' terms."""
    rng = random.Random(seed)
    habits = {f"C{i:02d}": rng.choice([-3, 0, 5, 12, 30, 45]) for i in range(customers)}
    segments = {code: "enterprise" if i % 2 else "smb" for i, code in enumerate(habits)}
    rows = []
    for code, habit in habits.items():
        for _ in range(invoices):
            issued = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(600))
            terms = rng.choice([30, 45, 60])
            due = issued + dt.timedelta(days=terms)
            rows.append(
                {
                    "document": f"I{len(rows):05d}",
                    "customer": code,
                    "segment": segments[code],
                    "issued_on": issued,
                    "due_on": due,
                    "amount": float(rng.randrange(100, 50000)),
                    "paid_on": due + dt.timedelta(days=max(-terms, habit + rng.randint(-4, 4))),
                }
            )
    return pa.Table.from_pylist(rows, schema=PAID_SCHEMA), habits, segments


def _open(document, customer, segment):
    return {
        "document": document,
        "customer": customer,
        "segment": segment,
        "issued_on": dt.date(2026, 11, 1),
        "due_on": dt.date(2026, 12, 1),
        "amount": 1000.0,
    }


def test_each_customer_is_predicted_from_its_own_history():
    paid, habits, segments = _history()
    model = PayDateModel.train(paid)
    late = next(code for code, habit in habits.items() if habit == 45)
    early = next(code for code, habit in habits.items() if habit == -3)
    items = pa.Table.from_pylist(
        [_open("X1", late, segments[late]), _open("X2", early, segments[early])],
        schema=OPEN_SCHEMA,
    )
    predicted = {row["document"]: row for row in model.predict(items, paid).to_pylist()}
    assert predicted["X1"]["method"] == "model"
    assert 40 <= predicted["X1"]["delay_days"] <= 50
    assert -8 <= predicted["X2"]["delay_days"] <= 2
    assert predicted["X1"]["pay_on"] == dt.date(2026, 12, 1) + dt.timedelta(
        days=predicted["X1"]["delay_days"]
    )


def test_a_new_customer_gets_its_segments_median_then_the_companys():
    paid, _, _ = _history()
    model = PayDateModel.train(paid)
    items = pa.Table.from_pylist(
        [_open("N1", "NEW", "smb"), _open("N2", "NEW2", "government")], schema=OPEN_SCHEMA
    )
    rows = {row["document"]: row for row in model.predict(items, paid).to_pylist()}
    assert rows["N1"]["method"] == "segment"
    assert rows["N1"]["delay_days"] == round(model.fallback.by_segment["smb"])
    assert rows["N2"]["method"] == "company"
    assert rows["N2"]["delay_days"] == round(model.fallback.company)


def test_the_error_is_measured_on_held_out_history_and_beats_the_fallback():
    paid, _, _ = _history()
    measured = accuracy(paid)
    assert measured.held_out == 200  # the latest fifth of 1,000 paid invoices
    assert measured.model_invoices + measured.new_customer_invoices == 200
    assert measured.model_error < 4  # each customer's habit is within ± 4 days
    assert measured.fallback_error_same > 3 * measured.model_error
    assert accuracy(paid) == measured  # the same history gives the same figures


def test_history_after_an_invoice_was_issued_is_not_learnt_from():
    paid, habits, segments = _history()
    code = next(iter(habits))
    mine = sorted(row["paid_on"] for row in paid.to_pylist() if row["customer"] == code)
    model = PayDateModel.train(paid)

    def method(issued: dt.date) -> str:
        item = dict(_open("E1", code, segments[code]), issued_on=issued)
        table = pa.Table.from_pylist([item], schema=OPEN_SCHEMA)
        return model.predict(table, paid).to_pylist()[0]["method"]

    # issued before the customer had paid MIN_HISTORY invoices: its own record is too short
    assert method(mine[MIN_HISTORY - 1]) == "segment"
    assert method(mine[MIN_HISTORY - 1] + dt.timedelta(days=1)) == "model"
