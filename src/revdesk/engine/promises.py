"""Promises to pay, evaluated on a day: kept, broken or still open. One set of rules for file
mode (`revdesk calc promises`) and the daily evaluation of the database (receivables).

Rules (shared/examples/receivables/03-promises):

- A promise counts the customer's payments in its currency from the day it was made.
- It is kept on the day the payments reach the promised amount, if that day is no later than
  the promised date plus the grace days (the deadline).
- It is broken the day after the deadline if they have not; what it received is what came
  by the deadline, its shortfall the rest.
- Until then it is open, with what it has received so far.
- A payment counts once: when a customer has several promises, payments go to them in
  order of promised date (then the day made, then the promise), each taking what it still
  needs; what a broken promise did not take by its deadline is left for the next.

Promises are few (a collector makes a handful a day), so they are worked out one customer
at a time, in Decimal.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from .commission_inputs import Columns, InputError, place_text, row_places, table_read

ZERO = Decimal("0.00")
PROMISES: Columns = {
    "promise": ("text", True),
    "customer": ("text", True),
    "promised_date": ("date", True),
    "amount": ("cents", True),
    "currency": ("currency", True),
    "made_on": ("date", True),
    "grace_days": ("decimal", False),
}
PAYMENTS: Columns = {
    "customer": ("text", True),
    "date": ("date", True),
    "amount": ("cents", True),
    "currency": ("currency", True),
}
STATUS_SCHEMA = pa.schema(
    [
        ("promise", pa.string()),
        ("customer", pa.string()),
        ("currency", pa.string()),
        ("amount", pa.decimal128(38, 2)),
        ("deadline", pa.date32()),
        ("status", pa.string()),
        ("status_date", pa.date32()),
        ("received", pa.decimal128(38, 2)),
        ("shortfall", pa.decimal128(38, 2)),
    ]
)


@dataclass(frozen=True)
class Promise:
    promise: str
    customer: str
    promised_date: dt.date
    amount: Decimal
    currency: str
    made_on: dt.date
    grace_days: int

    @property
    def deadline(self) -> dt.date:
        return self.promised_date + dt.timedelta(days=self.grace_days)


@dataclass(frozen=True)
class Payment:
    customer: str
    date: dt.date
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Outcome:
    """A promise on the day it was evaluated: open, kept or broken, since when (None while
    open), what it received (by the deadline, once broken) and what it still lacks."""

    promise: Promise
    status: str
    status_date: dt.date | None
    received: Decimal
    shortfall: Decimal

    def row(self) -> dict:
        p = self.promise
        return {
            "promise": p.promise,
            "customer": p.customer,
            "currency": p.currency,
            "amount": p.amount,
            "deadline": p.deadline,
            "status": self.status,
            "status_date": self.status_date,
            "received": self.received,
            "shortfall": self.shortfall,
        }


def evaluate(promises: list[Promise], payments: list[Payment], on: dt.date) -> list[Outcome]:
    """Every promise as it stands at the end of `on` (see the module doc), in the order given."""
    paid: dict[tuple[str, str], list[list]] = defaultdict(list)  # [date, amount left]
    for payment in sorted(payments, key=lambda p: p.date):
        if payment.date <= on and payment.amount > 0:
            paid[(payment.customer, payment.currency)].append([payment.date, payment.amount])
    outcomes: dict[str, Outcome] = {}
    ordered = sorted(promises, key=lambda p: (p.promised_date, p.made_on, p.promise))
    for promise in ordered:
        pool = paid[(promise.customer, promise.currency)]
        last_day = min(on, promise.deadline)
        received, reached = ZERO, None
        for entry in pool:
            day, left = entry
            if day < promise.made_on or left <= 0:
                continue
            if day > last_day:
                break
            taken = min(left, promise.amount - received)
            entry[1] -= taken
            received += taken
            if received >= promise.amount:
                reached = day
                break
        shortfall = promise.amount - received
        if reached is not None:
            outcome = Outcome(promise, "kept", reached, received, ZERO)
        elif on > promise.deadline:
            broken_on = promise.deadline + dt.timedelta(days=1)
            outcome = Outcome(promise, "broken", broken_on, received, shortfall)
        else:
            outcome = Outcome(promise, "open", None, received, shortfall)
        outcomes[promise.promise] = outcome
    return [outcomes[promise.promise] for promise in promises]


def outcomes_table(outcomes: list[Outcome]) -> pa.Table:
    return pa.Table.from_pylist([o.row() for o in outcomes], schema=STATUS_SCHEMA)


def promises_read(path: Path, default_grace: int) -> list[Promise]:
    """Promises from CSV or Parquet (`PROMISES`; grace_days defaults to `default_grace`)."""
    rows = table_read(path, PROMISES).to_pylist()
    problems: list[tuple[str, int | str | None, str, str]] = []
    seen: dict[str, int] = {}  # promise -> the index of its row
    place = row_places(path)  # (read only for a problem)
    promises = []
    for index, row in enumerate(rows):
        grace = row["grace_days"]
        if grace is not None and (grace < 0 or grace != grace.to_integral_value()):
            problems.append(
                (path.name, place(index), "grace_days", f"{grace}: a whole number of days")
            )
            continue
        if row["amount"] <= 0:
            problems.append(
                (path.name, place(index), "amount", f"{row['amount']}: promised is above 0")
            )
        if row["promised_date"] < row["made_on"]:
            problems.append(
                (
                    path.name,
                    place(index),
                    "promised_date",
                    f"{row['promised_date']} is before made_on",
                )
            )
        if row["promise"] in seen:
            problems.append(
                (
                    path.name,
                    place(index),
                    "promise",
                    f"{row['promise']} is given twice ({place_text(place(seen[row['promise']]))})",
                )
            )
        seen[row["promise"]] = index
        promises.append(
            Promise(
                row["promise"],
                row["customer"],
                row["promised_date"],
                row["amount"],
                row["currency"],
                row["made_on"],
                default_grace if grace is None else int(grace),
            )
        )
    if problems:
        raise InputError(problems)
    return promises


def payments_read(path: Path) -> list[Payment]:
    """Payments received from CSV or Parquet (`PAYMENTS`)."""
    return [
        Payment(row["customer"], row["date"], row["amount"], row["currency"])
        for row in table_read(path, PAYMENTS).to_pylist()
    ]


__all__ = [
    "Outcome",
    "Payment",
    "Promise",
    "evaluate",
    "outcomes_table",
    "payments_read",
    "promises_read",
]
