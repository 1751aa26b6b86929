"""Benchmark: the collections reports on millions of open items, the engine against
hand-written DuckDB SQL for the same figures.

    .venv/bin/python bench/collections_reports.py --items 5000000 [--customers 200000] [--seed 1]
        [--json]

Generates N open items (seeded, column-wise: invoices over the last 400 days and the next 60,
one in twenty a credit memo or payment on account, 70% USD, 20% EUR, 10% GBP, customers in
hierarchies with 50 collectors and 8 regions) and a ledger behind them (each item's whole
amount, and for two in five a settlement of part of it), cached as Parquet under
bench/.data/. Then, each timed on its own, on the same Arrow tables in memory:

- aging by customer, aging of the company, Top Past Due (top 20 customers), each of the open
  items (engine.aging: Ibis over DuckDB) and by a hand-written DuckDB query;
- the KPI inputs of a quarter from the ledger (engine.kpis.ledger_kpi_inputs: the aging of
  the ledger on two days and the quarter's sales), against the same by hand.

Every pair must agree to the cent (every row); the engine's time is reported against the
SQL's (target: within 2x).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".data"
AS_OF = dt.date(2026, 10, 31)
QUARTER = ("2026-07", "2026-09")


def generate(items: int, customers: int, seed: int):
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    codes = np.array([f"C{i:07d}" for i in range(customers)])
    # one customer in five is a subsidiary of one of the first tenth
    parent_index = np.where(
        rng.random(customers) < 0.2,
        rng.integers(0, customers // 10, customers),
        np.arange(customers),
    )
    collectors = np.array([f"coll{i:02d}" for i in range(50)])
    regions = np.array(
        ["NA-EAST", "NA-WEST", "NA-CENTRAL", "EMEA-N", "EMEA-S", "UK", "APAC", "LATAM"]
    )
    customer_collector = collectors[rng.integers(0, 50, customers)]
    customer_region = regions[rng.integers(0, 8, customers)]
    who = rng.integers(0, customers, items)
    issued = AS_OF.toordinal() - rng.integers(-60, 400, items)
    terms = rng.choice([30, 45, 60, 90], items)
    credit = rng.random(items) < 0.05
    amount_cents = rng.integers(1_000, 5_000_000, items)
    open_share = np.where(rng.random(items) < 0.4, rng.integers(1, 100, items), 100)
    open_cents = amount_cents * open_share // 100
    sign = np.where(credit, -1, 1)
    kinds = np.where(credit, np.where(rng.random(items) < 0.5, "credit_memo", "payment"), "invoice")
    currencies = np.array(["USD", "EUR", "GBP"])[rng.choice(3, items, p=[0.7, 0.2, 0.1])]
    epoch = dt.date(1970, 1, 1).toordinal()
    issued_days = (issued - epoch).astype("int32")
    due_days = np.where(credit, issued_days, issued_days + terms).astype("int32")
    documents = pa.array([f"D{i:09d}" for i in range(items)])

    base = {
        "customer": pa.array(codes[who]),
        "document": documents,
        "type": pa.array(kinds),
        "invoice_date": pa.array(issued_days, pa.int32()).cast(pa.date32()),
        "due_date": pa.array(due_days, pa.int32()).cast(pa.date32()),
    }
    extra = {
        "parent": pa.array(codes[parent_index[who]]),
        "collector": pa.array(customer_collector[who]),
        "region": pa.array(customer_region[who]),
    }
    open_items = pa.table(
        {
            **base,
            "original_amount": _cents(sign * amount_cents),
            "open_amount": _cents(sign * open_cents),
            "currency": pa.array(currencies),
            **extra,
        }
    )
    settled = np.flatnonzero(open_share < 100)
    settle_day = np.minimum(
        issued_days[settled] + rng.integers(1, 90, len(settled)), AS_OF.toordinal() - epoch
    )
    ledger_documents = pa.table(
        {
            **base,
            "amount": _cents(sign * amount_cents),
            "currency": pa.array(currencies),
            **extra,
        }
    )
    settlements = pa.table(
        {
            "document": documents.take(pa.array(settled)),
            "date": pa.array(settle_day.astype("int32"), pa.int32()).cast(pa.date32()),
            "amount": _cents((sign * (amount_cents - open_cents))[settled]),
        }
    )
    return open_items, ledger_documents, settlements


def _cents(values):
    """Whole cents (int64) as DECIMAL(38, 2), without a Python object per value."""
    import pyarrow as pa

    whole = pa.array(values.astype("int64"), pa.int64()).cast(pa.decimal128(38, 0))
    # x cents = x / 100: a DECIMAL(38, 0) of cents read as DECIMAL(38, 2) has the same digits
    return pa.Array.from_buffers(pa.decimal128(38, 2), len(whole), whole.buffers())


SQL_AGING = """
with aged as (
    select {keys}, open_amount as amount, (date '{as_of}' - coalesce(due_date, invoice_date)) as d
    from items where invoice_date <= date '{as_of}' and open_amount <> 0
)
select {keys},
    coalesce(sum(amount) filter (where amount > 0 and d <= 0), 0) as "current",
    coalesce(sum(amount) filter (where amount > 0 and d between 1 and 30), 0) as "1-30",
    coalesce(sum(amount) filter (where amount > 0 and d between 31 and 60), 0) as "31-60",
    coalesce(sum(amount) filter (where amount > 0 and d between 61 and 90), 0) as "61-90",
    coalesce(sum(amount) filter (where amount > 0 and d between 91 and 120), 0) as "91-120",
    coalesce(sum(amount) filter (where amount > 0 and d > 120), 0) as "over-120",
    coalesce(sum(amount) filter (where amount < 0), 0) as open_credits,
    sum(amount) as net,
    coalesce(sum(amount) filter (where amount > 0 and d > 0), 0) as past_due,
    count(*) as items
from aged group by all order by {keys}
"""

SQL_TOP = """
with aged as (
    select customer, currency, open_amount as amount, (date '{as_of}' - due_date) as d
    from items where invoice_date <= date '{as_of}' and open_amount <> 0
),
per as (
    select customer, currency,
        coalesce(sum(amount) filter (where amount > 0 and d > 0), 0) as past_due,
        max(d) filter (where amount > 0 and d > 0) as oldest_days_past_due,
        sum(amount) as net_open,
        count(*) filter (where amount > 0 and d > 0) as items_past_due
    from aged group by all
)
select * from (
    select row_number() over (partition by currency order by past_due desc, customer) as rank,
           customer, currency, past_due, oldest_days_past_due, net_open, items_past_due
    from per where past_due > 0
) where rank <= 20 order by currency, rank
"""

SQL_KPI = """
with settled_by as (
    select document, sum(amount) filter (where date <= date '{begin}') as s_begin,
           sum(amount) as s_end
    from settlements where date <= date '{end}' group by document
),
open as (
    select d.currency, d.due_date, d.invoice_date,
           d.amount - coalesce(s.s_begin, 0) as open_begin,
           d.amount - coalesce(s.s_end, 0) as open_end
    from documents d left join settled_by s using (document)
    where d.invoice_date <= date '{end}'
)
select currency,
    sum(open_begin) filter (where invoice_date <= date '{begin}' and open_begin <> 0) as ar_begin,
    sum(open_end) filter (where open_end <> 0) as ar_end,
    coalesce(sum(open_end) filter (where open_end > 0 and due_date >= date '{end}'), 0)
        as ar_end_current
from open group by currency order by currency
"""
SQL_SALES = """
select currency, strftime(invoice_date, '%Y-%m') as month, sum(amount) as sales
from documents where type in ('invoice', 'debit_memo')
  and invoice_date between date '{start}' and date '{end}'
group by all order by all
"""


def _timed(function):
    began = time.perf_counter()
    result = function()
    return time.perf_counter() - began, result


def _rows(table) -> list[tuple]:
    return sorted(tuple(row.values()) for row in table.to_pylist())


def run(items: int, customers: int, seed: int, say) -> dict:
    import duckdb
    import pyarrow.parquet as pq

    from revdesk.engine.aging import Ledger, aging, default_backend, top_past_due
    from revdesk.engine.commission_inputs import period_parse
    from revdesk.engine.kpis import ledger_kpi_inputs

    folder = CACHE / f"collections-{items}-items-{customers}-customers-seed-{seed}"
    if not folder.is_dir():
        say(f"generating {items:,} open items ({customers:,} customers, seed {seed}) into {folder}")
        began = time.perf_counter()
        tables = generate(items, customers, seed)
        partial = folder.with_suffix(".partial")
        partial.mkdir(parents=True, exist_ok=True)
        for name, table in zip(("items", "documents", "settlements"), tables, strict=True):
            pq.write_table(table, partial / f"{name}.parquet")
        partial.rename(folder)
        say(f"  generated in {time.perf_counter() - began:.1f} s")
    open_items, documents, settlements = (
        pq.read_table(folder / f"{name}.parquet") for name in ("items", "documents", "settlements")
    )
    ledger = Ledger(documents, settlements)
    con = duckdb.connect()
    con.register("items", open_items)
    con.register("documents", documents)
    con.register("settlements", settlements)
    default_backend()  # connecting is not part of a report
    start, end = period_parse(QUARTER[0])[0], period_parse(QUARTER[1])[1]
    begin = start - dt.timedelta(days=1)

    def sql(query: str):
        return con.sql(query).to_arrow_table()

    def sql_kpis():
        balances = sql(SQL_KPI.format(begin=begin, end=end))
        sales = sql(SQL_SALES.format(start=start, end=end))
        return balances, sales

    def engine_kpis():
        return ledger_kpi_inputs(ledger, QUARTER[0], QUARTER[1], by="company")

    results = []
    for name, engine, hand in (
        (
            "aging by customer",
            lambda: aging(open_items, AS_OF, by="customer"),
            lambda: sql(SQL_AGING.format(keys="customer, currency", as_of=AS_OF)),
        ),
        (
            "aging of the company",
            lambda: aging(open_items, AS_OF, by="company"),
            lambda: sql(SQL_AGING.format(keys="currency", as_of=AS_OF)),
        ),
        (
            "Top Past Due (20)",
            lambda: top_past_due(open_items, AS_OF, top=20),
            lambda: sql(SQL_TOP.format(as_of=AS_OF)),
        ),
        ("KPI inputs of a quarter (ledger)", engine_kpis, sql_kpis),
    ):
        say(f"{name} ...")
        engine_seconds, engine_result = min(
            (_timed(engine) for _ in range(3)), key=lambda pair: pair[0]
        )
        sql_seconds, sql_result = min((_timed(hand) for _ in range(3)), key=lambda pair: pair[0])
        agree = _agree(name, engine_result, sql_result)
        results.append(
            {
                "report": name,
                "engine_seconds": round(engine_seconds, 3),
                "sql_seconds": round(sql_seconds, 3),
                "ratio": round(engine_seconds / sql_seconds, 2),
                "agree": agree,
            }
        )
        say(
            f"  engine {engine_seconds:.2f} s, SQL {sql_seconds:.2f} s "
            f"({engine_seconds / sql_seconds:.2f}x), agree: {agree}"
        )
    return {
        "date": dt.date.today().isoformat(),
        "machine": f"{os.cpu_count()} cpus, {platform.python_version()}",
        "items": items,
        "customers": customers,
        "results": results,
    }


def _agree(name: str, engine, hand) -> bool:
    if name.startswith("KPI"):
        balances, sales = hand
        by_currency = {row["currency"]: row for row in balances.to_pylist()}
        monthly = {(r["currency"], r["month"]): r["sales"] for r in sales.to_pylist()}
        for (currency,), inputs in engine.items():
            row = by_currency[currency]
            if (inputs.ar_begin, inputs.ar_end, inputs.ar_end_current) != (
                row["ar_begin"],
                row["ar_end"],
                row["ar_end_current"],
            ):
                return False
            for month, amount in inputs.sales.items():
                if monthly.get((currency, month), Decimal(0)) != amount:
                    return False
        return len(engine) == len(by_currency)
    engine_rows = _rows(
        engine.drop_columns(["items"]) if "items" in engine.column_names else engine
    )
    hand_rows = _rows(hand.drop_columns(["items"]) if "items" in hand.column_names else hand)
    return engine_rows == hand_rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=5_000_000)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revdesk.settings")
    report = run(
        args.items,
        args.customers,
        args.seed,
        say=lambda text: None if args.json else print(text, flush=True),
    )
    if args.json:
        print(json.dumps(report, indent=2))
    return 0 if all(r["agree"] for r in report["results"]) else 1


if __name__ == "__main__":
    sys.exit(main())
