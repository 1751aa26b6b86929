"""Benchmark: cash application through the ledger (`revdesk cash apply`), not the engine alone.

    .venv/bin/python bench/cash_apply_db.py --invoices 1000000 --receipts 100000
    .venv/bin/python bench/cash_apply_db.py --database-url postgres://postgres@127.0.0.1/bench

The generated set of `bench/cash_match.py` (`engine/cashmatch_generate.py`, the same seed)
is put in a new database: its customers (name, bank accounts), its open invoices (each for its
open amount; the invoices in dispute with an open dispute case) in bulk, not through the
importer, which `bench/import_invoices.py` measures. The receipts are written as one lockbox
CSV file in our columns (receipt, date, amount, currency, payer_name, payer_account, text),
but for those that came with a remittance advice (12% of them; a CSV has no remittance
lines, and they are scored only by the engine's benchmark), whose invoices are left out of
the open ones too (as if paid the day before). Then `cash_apply` reads and applies the file,
as the command does, and the run is scored against the truth from the ledger's own rows (payment
applications), with the definitions of `engine/cashmatch_metrics.py`.

Printed: seconds for loading (not timed as cash application), for `cash_apply` as a whole
and each of its steps (from its progress), receipts/s, peak RSS, the rates. SQLite in a
temporary REVDESK_HOME unless `--database-url` names an empty PostgreSQL database (its
tables are made by `migrate`).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _peak_rss_mb() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _bank_csv(path: Path, cash) -> int:
    """The receipts without a remittance advice as one lockbox CSV file; how many."""
    advised = set(cash.remittance.column("receipt").to_pylist())
    written = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["receipt", "date", "amount", "currency", "payer_name", "payer_account", "text"]
        )
        for row in cash.receipts.to_pylist():
            if row["receipt"] in advised:
                continue
            written += 1
            writer.writerow(
                [
                    row["receipt"],
                    row["date"].isoformat(),
                    f"{row['amount']:.2f}",
                    row["currency"],
                    row["payer_name"] or "",
                    row["payer_account"] or "",
                    row["text"] or "",
                ]
            )
    return written


def _load(cash) -> None:
    """Customers, bank accounts, open invoices and their disputes, in bulk."""
    from revdesk.parties.models import Customer, CustomerBankAccount
    from revdesk.receivables.disputes import Shortfall, disputes_open_bulk
    from revdesk.receivables.models import Invoice

    names: dict[str, str] = {}
    accounts: dict[str, list[str]] = defaultdict(list)
    for row in cash.customers.to_pylist():
        names[row["customer"]] = row["name"]
        if row["bank_account"]:
            accounts[row["customer"]].append(row["bank_account"])
    currency: dict[str, str] = {}
    for customer, code in zip(
        cash.items.column("customer").to_pylist(),
        cash.items.column("currency").to_pylist(),
        strict=True,
    ):
        currency.setdefault(customer, code)
    Customer.objects.bulk_create(
        (
            Customer(code=code, name=name, country="US", currency=currency.get(code, "USD"))
            for code, name in names.items()
        ),
        batch_size=5_000,
    )
    ids = dict(Customer.objects.values_list("code", "pk"))
    CustomerBankAccount.objects.bulk_create(
        (
            CustomerBankAccount(customer_id=ids[code], account=account)
            for code, held in accounts.items()
            for account in held
        ),
        batch_size=5_000,
    )
    disputed = []

    advised = set(cash.remittance.column("receipt").to_pylist())
    paid_by_advice = {
        (row["customer"], row["invoice"])
        for row in cash.truth.to_pylist()
        if row["receipt"] in advised
    }

    def invoices():
        for row in cash.items.to_pylist():
            if (row["customer"], row["invoice"]) in paid_by_advice:
                continue
            if row["disputed"]:
                disputed.append((row["invoice"], ids[row["customer"]], row["open_amount"]))
            yield Invoice(
                number=row["invoice"],
                customer_id=ids[row["customer"]],
                issued_on=row["invoice_date"],
                due_on=row["due_date"],
                currency=row["currency"],
                amount=row["open_amount"],
                balance=row["open_amount"],
            )

    Invoice.objects.bulk_create(invoices(), batch_size=10_000)
    # the disputes through the ledger's own service, as a collector opens them
    invoice_of = Invoice.objects.select_related("customer").in_bulk(
        [n for n, _c, _a in disputed], field_name="number"
    )
    disputes_open_bulk(
        actor=None,
        shortfalls=[
            Shortfall(invoice_of[number], None, amount, "ar_dispute", "pricing", "Disputed price")
            for number, _c, amount in disputed
        ],
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--receipts", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default SQLite)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="revdesk-cash-bench-"))
    os.environ["REVDESK_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revdesk.settings")
    import django

    django.setup()
    import pyarrow as pa
    from cash_match import data_load
    from django.core.management import call_command
    from django.db import connection

    from revdesk.engine.cashmatch import MatchResult, MatchSettings
    from revdesk.engine.cashmatch_metrics import cash_metrics
    from revdesk.receivables.cash import cash_apply, deduction_reasons
    from revdesk.receivables.models import PaymentApplication

    cash, _took = data_load(args.invoices, args.receipts, args.seed)
    began = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    _load(cash)
    loaded = time.perf_counter() - began
    bank = home / f"lockbox-{args.receipts}.csv"
    in_file = _bank_csv(bank, cash)
    receipts = cash.receipts.filter(
        pa.array([r not in set(cash.remittance.column("receipt").to_pylist())
                  for r in cash.receipts.column("receipt").to_pylist()])
    )  # fmt: skip

    steps: list[tuple[str, float]] = []

    def progress(stage: str) -> None:
        steps.append((stage, time.perf_counter()))

    load_before = os.getloadavg()
    cpu_before = time.process_time()
    started = time.perf_counter()
    run = cash_apply(path=bank, actor=None, settings=MatchSettings(reasons=deduction_reasons()),
                     progress=progress)  # fmt: skip
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_before
    marks = [*steps, ("end", time.perf_counter())]
    by_step = {stage: round(marks[i + 1][1] - at, 2) for i, (stage, at) in enumerate(marks[:-1])}

    names = ("receipt", "customer", "invoice", "applied")
    columns: dict[str, list] = {name: [] for name in names}
    for row in PaymentApplication.objects.values_list(
        "payment__number", "invoice__customer__code", "invoice__number", "amount"
    ).iterator(chunk_size=20_000):
        for name, value in zip(names, row, strict=True):
            columns[name].append(value)
    applied = pa.table(columns)
    empty = pa.table({"receipt": [], "customer": [], "invoice": [], "amount": []})
    scored = cash_metrics(
        MatchResult(applied, pa.table({"receipt": [], "amount": [], "reason": [], "currency": []}),
                    empty, empty, in_file, MatchSettings()),
        cash.truth, receipts, as_of=cash.as_of,
    )  # fmt: skip
    figures = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
        "database": connection.vendor,
        "invoices": args.invoices,
        "receipts": args.receipts,
        "receipts_in_file": in_file,
        "load_seconds": round(loaded, 1),
        "cash_apply_seconds": round(seconds, 2),
        "cash_apply_cpu_s": round(cpu, 2),
        "receipts_per_s": round(in_file / seconds),
        "steps": by_step,
        "load_average_before": [round(x, 2) for x in load_before],
        "peak_rss_mb": _peak_rss_mb(),
        "summary": run.summary,
        "auto_application_rate": scored["auto_application_rate"],
        "auto_applied_correctly": scored["auto_applied_correctly"],
        "wrong_applications": scored["wrong_applications"],
        "by_kind": scored["by_kind"],
    }
    if args.json:
        print(json.dumps(figures, indent=2, default=str))
    else:
        for key, value in figures.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
