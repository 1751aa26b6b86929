"""Benchmark: import N generated invoice rows into a fresh SQLite database.

    .venv/bin/python bench/import_invoices.py 1000000

Generates the CSV (streamed, never held in memory), migrates a new SQLite database in a
temporary REVDESK_HOME, creates 1,000 customers, imports the file with `revdesk import`'s own
code path (validation pass + load pass, one transaction, audit records), re-imports it to time
the idempotent path, and prints rows/s and peak RSS (resource.getrusage).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

CUSTOMERS = 1000


def generate(path: Path, rows: int) -> None:
    start = dt.date(2026, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["number", "customer_code", "issued_on", "due_on", "currency", "amount", "tax_amount"]
        )
        for index in range(rows):
            issued = start + dt.timedelta(days=index % 300)
            cents = 10_000 + (index * 7919) % 9_000_000
            writer.writerow(
                [
                    f"INV-{index:08d}",
                    f"C-{index % CUSTOMERS:05d}",
                    issued.isoformat(),
                    (issued + dt.timedelta(days=30)).isoformat(),
                    "USD",
                    f"{cents // 100}.{cents % 100:02d}",
                    "0.00",
                ]
            )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", type=int, nargs="?", default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="revdesk-bench-"))
    os.environ["REVDESK_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from revdesk.foundation.models import ChangeRecord
    from revdesk.ingest.importer import file_import
    from revdesk.parties.models import Customer
    from revdesk.receivables.models import Invoice

    call_command("migrate", interactive=False, verbosity=0)
    Customer.objects.bulk_create(
        Customer(code=f"C-{i:05d}", name=f"Customer {i}", country="US", currency="USD")
        for i in range(CUSTOMERS)
    )
    source = home / "invoices.csv"
    began = time.perf_counter()
    generate(source, args.rows)
    print(
        f"generated {args.rows:,} rows ({source.stat().st_size / 1e6:.0f} MB) in "
        f"{time.perf_counter() - began:.1f} s; peak RSS so far {peak_rss_mb():.0f} MB"
    )

    began = time.perf_counter()
    result = file_import(kind="invoices", path=source)
    first = time.perf_counter() - began
    assert result.ok, result.errors[:5]
    print(
        f"first import: {result.created:,} created in {first:.1f} s = "
        f"{args.rows / first:,.0f} rows/s; peak RSS {peak_rss_mb():.0f} MB"
    )
    assert Invoice.objects.count() == args.rows
    records = ChangeRecord.objects.count()

    began = time.perf_counter()
    again = file_import(kind="invoices", path=source)
    second = time.perf_counter() - began
    assert again.ok
    assert again.unchanged == args.rows
    assert again.created == again.updated == 0
    assert ChangeRecord.objects.count() == records
    print(
        f"re-import (all unchanged): {second:.1f} s = {args.rows / second:,.0f} rows/s; "
        f"peak RSS {peak_rss_mb():.0f} MB"
    )
    print(
        f"python {platform.python_version()}, {platform.machine()}, cpus {os.cpu_count()}, "
        f"database {home / 'revdesk.sqlite3'}"
    )
    if not args.keep:
        import shutil

        shutil.rmtree(home)
    return 0


if __name__ == "__main__":
    sys.exit(main())
