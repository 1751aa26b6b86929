"""Benchmark: cash matching, speed and quality, the engine against a naive exact-reference
matcher, on generated receipts with a known truth.

    .venv/bin/python bench/cash_match.py --invoices 1000000 --receipts 100000 [--seed 7]
        [--files 4000] [--matchers engine,naive] [--threshold 0.90] [--json]

1. **Data**: `engine.cashmatch_generate.cash_inputs_generate` (the mix of receipts and the
   truth rules are in its docstring), cached as Parquet under bench/.data/ and reused by
   later runs with the same sizes and seed.
2. **Bank files** (`--files N`, 0 to skip): the first N receipts without remittance lines are
   written as real files in the format each was generated in (BAI2, MT940, camt.053, CSV;
   one file per format and currency; test data, as simple as the formats allow) and read back
   with `engine.bankfiles.read_bank_file`: the readers' receipts a second, and whether every
   receipt read back is the generated one (id, date, amount, currency, payer, text).
3. **Matchers**, each timed on the same tables in memory (inputs loaded, not timed):
   - `engine`: `engine.cashmatch.match(items, receipts, customers=, remittance=)`, default
     settings;
   - `naive`: a receipt is applied only when its text holds exactly one invoice number
     verbatim (the text cut into words at anything but letters, digits and dashes; a word
     equal to an open invoice's number in the receipt's currency) and the receipt's amount is
     that invoice's open amount; everything else stays unapplied (one DuckDB query).
4. **Scores**: `engine.cashmatch_metrics.cash_metrics` against the truth (definitions there
   and in docs/guide/cash-application.md, "Measuring cash application"), overall and by kind.

Targets (issue 6): at least 95% of the receipts that should be applied auto-applied
correctly, at most 0.1% of all receipts with a wrong application, 100,000 receipts against
1,000,000 open invoices in under 60 s.
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
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".data"
TABLES = ("customers", "items", "receipts", "remittance", "truth")


def data_load(invoices: int, receipts: int, seed: int):
    import pyarrow.parquet as pq

    from revdesk.engine.cashmatch_generate import (
        GENERATOR_VERSION,
        CashSet,
        cash_inputs_generate,
    )

    folder = CACHE / f"cash-v{GENERATOR_VERSION}-{invoices}-{receipts}-{seed}"
    if all((folder / f"{name}.parquet").exists() for name in TABLES):
        tables = {name: pq.read_table(folder / f"{name}.parquet") for name in TABLES}
        return CashSet(**tables, seed=seed), None  # type: ignore[arg-type]
    started = time.perf_counter()
    generated = cash_inputs_generate(invoices=invoices, receipts=receipts, seed=seed)
    took = time.perf_counter() - started
    folder.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        pq.write_table(getattr(generated, name), folder / f"{name}.parquet")
    return generated, took


# -- bank files ------------------------------------------------------------------------------


def _bai2(rows: list[dict], currency: str) -> str:
    lines = ["01,REVDESK,BANK,261201,0600,1,,,2/"]
    total_all = 0
    groups = 0
    records_all = 1
    by_day: dict[dt.date, list[dict]] = {}
    for row in rows:
        by_day.setdefault(row["date"], []).append(row)
    for day, entries in sorted(by_day.items()):
        groups += 1
        group = [f"02,REVDESK,BANK,1,{day:%y%m%d},,{currency},2/", f"03,123456789,{currency},/"]
        total = 0
        for row in entries:
            cents = int(row["amount"] * 100)
            total += cents
            text = row["text"] or ""
            group.append(f"16,195,{cents},Z,{row['receipt']},,{text}/")
        group.append(f"49,{total},{len(entries) + 2}/")
        group.append(f"98,{total},1,{len(entries) + 4}/")
        lines += group
        total_all += total
        records_all += len(group)
    lines.append(f"99,{total_all},{groups},{records_all + 1}/")
    return "\n".join(lines) + "\n"


def _mt940(rows: list[dict], currency: str) -> str:
    out = []
    by_day: dict[dt.date, list[dict]] = {}
    for row in rows:
        by_day.setdefault(row["date"], []).append(row)
    for number, (day, entries) in enumerate(sorted(by_day.items()), start=1):
        out += [f":20:STMT{number:05d}", ":25:NL00BANK0123456789", f":28C:{number}/1"]
        out.append(f":60F:C{day:%y%m%d}{currency}0,00")
        total = Decimal(0)
        for row in entries:
            total += row["amount"]
            amount = f"{row['amount']:.2f}".replace(".", ",")
            out.append(f":61:{day:%y%m%d}{day:%m%d}C{amount}NTRFNONREF//{row['receipt']}")
            text = row["text"] or ""
            parts = _pieces(text)
            name = row["payer_name"] or ""
            fields = ["166?00SEPA-GUTSCHRIFT"]
            fields += [f"?{20 + i}{part}" for i, part in enumerate(parts) if part]
            fields.append(f"?31{row['payer_account'] or ''}")
            fields += [f"?{32 + i}{piece}" for i, piece in enumerate(_pieces(name)[:2])]
            out.append(f":86:{fields[0]}")
            out += fields[1:]  # a subfield a line: each within the 65 characters of a line
        out.append(f":62F:C{day:%y%m%d}{currency}{total:.2f}".replace(".", ","))
        out.append("-")
    return "\r\n".join(out) + "\r\n"


def _pieces(text: str, size: int = 27) -> list[str]:
    """Text cut into subfields of at most `size` characters, never next to a space: the
    readers strip each subfield before joining them."""
    pieces, start = [], 0
    while start < len(text):
        end = min(start + size, len(text))
        while end < len(text) and end - start > 1 and " " in (text[end - 1], text[end]):
            end -= 1
        pieces.append(text[start:end])
        start = end
    return pieces


def _camt(rows: list[dict], currency: str) -> str:
    from xml.sax.saxutils import escape

    entries = []
    for row in rows:
        party = ""
        if row["payer_name"]:
            party += f"<Dbtr><Nm>{escape(row['payer_name'])}</Nm></Dbtr>"
        if row["payer_account"]:
            party += f"<DbtrAcct><Id><Othr><Id>{row['payer_account']}</Id></Othr></Id></DbtrAcct>"
        text = f"<RmtInf><Ustrd>{escape(row['text'])}</Ustrd></RmtInf>" if row["text"] else ""
        entries.append(
            f'<Ntry><Amt Ccy="{currency}">{row["amount"]:.2f}</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
            f"<Sts>BOOK</Sts><BookgDt><Dt>{row['date']}</Dt></BookgDt><ValDt><Dt>{row['date']}"
            f"</Dt></ValDt><AcctSvcrRef>{row['receipt']}</AcctSvcrRef><NtryDtls><TxDtls>"
            f"<Refs><AcctSvcrRef>{row['receipt']}</AcctSvcrRef></Refs>"
            f'<AmtDtls><TxAmt><Amt Ccy="{currency}">{row["amount"]:.2f}</Amt></TxAmt></AmtDtls>'
            f"<RltdPties>{party}</RltdPties>{text}</TxDtls></NtryDtls></Ntry>"
        )
    body = "\n".join(entries)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>BENCH-1</MsgId><CreDtTm>2026-12-01T06:00:00</CreDtTm></GrpHdr>\n"
        "<Stmt><Id>BENCH-STMT-1</Id><CreDtTm>2026-12-01T06:00:00</CreDtTm>"
        f"<Acct><Id><IBAN>NL00BANK0123456789</IBAN></Id><Ccy>{currency}</Ccy></Acct>\n"
        f"{body}\n</Stmt></BkToCstmrStmt></Document>\n"
    )


def _csv(rows: list[dict], path: Path) -> None:
    columns = ["receipt", "date", "amount", "currency", "payer_name", "payer_account", "text"]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
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


def files_roundtrip(cash, count: int, folder: Path) -> dict:
    """Write the first `count` receipts without remittance lines as bank files, read them
    back, compare."""
    from revdesk.engine.bankfiles import read_bank_file

    remitted = set(cash.remittance.column("receipt").to_pylist())
    rows = [
        row
        for row in cash.receipts.slice(0, count + len(remitted)).to_pylist()
        if row["receipt"] not in remitted and row["format"] in ("bai2", "mt940", "camt.053", "csv")
    ][:count]
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for fmt in ("bai2", "mt940", "camt.053", "csv"):
        for currency in ("USD", "EUR"):
            picked = [r for r in rows if r["format"] == fmt and r["currency"] == currency]
            if not picked:
                continue
            path = folder / f"{fmt}-{currency}.{ {'camt.053': 'xml'}.get(fmt, fmt) }"
            if fmt == "bai2":
                path.write_text(_bai2(picked, currency))
            elif fmt == "mt940":
                path.write_text(_mt940(picked, currency), newline="")
            elif fmt == "camt.053":
                path.write_text(_camt(picked, currency))
            else:
                _csv(picked, path)
            written.append(path)
    by_id = {row["receipt"]: row for row in rows}
    per_format: dict[str, dict] = {}
    differ: list[str] = []
    for path in written:
        started = time.perf_counter()
        bank_file = read_bank_file(path)
        took = time.perf_counter() - started
        entry = per_format.setdefault(bank_file.format, {"files": 0, "receipts": 0, "s": 0.0})
        entry["files"] += 1
        entry["receipts"] += bank_file.receipts.num_rows
        entry["s"] += took
        for got in bank_file.receipts.to_pylist():
            want = by_id.get(got["receipt"])
            same = want is not None and all(
                _same(got[k], want[k])
                for k in ("date", "amount", "currency", "payer_name", "payer_account", "text")
            )
            if not same:
                differ.append(got["receipt"])
    for entry in per_format.values():
        entry["receipts_per_s"] = round(entry["receipts"] / entry["s"]) if entry["s"] else None
        entry["s"] = round(entry["s"], 3)
    return {
        "receipts": len(rows),
        "read_back": sum(e["receipts"] for e in per_format.values()),
        "differ": len(differ),
        "differ_first": differ[:10],
        "formats": per_format,
    }


def _same(got, want) -> bool:
    if isinstance(want, str) or isinstance(got, str):
        return " ".join(str(got or "").split()) == " ".join(str(want or "").split())
    return got == want


# -- the naive matcher -------------------------------------------------------------------------


NAIVE_SQL = r"""
WITH words AS (
    SELECT DISTINCT receipt, currency, unnest(regexp_split_to_array(text, '[^A-Za-z0-9-]+')) AS w
    FROM receipts WHERE text IS NOT NULL
),
hits AS (
    SELECT w.receipt, i.customer, i.invoice, i.open_amount
    FROM words w JOIN items i ON i.invoice = w.w AND i.currency = w.currency
),
single AS (
    SELECT receipt, any_value(customer) AS customer, any_value(invoice) AS invoice,
           any_value(open_amount) AS open_amount
    FROM hits GROUP BY receipt HAVING count(*) = 1
)
SELECT r.receipt, s.customer, s.invoice, r.amount, r.currency
FROM receipts r JOIN single s ON s.receipt = r.receipt AND s.open_amount = r.amount
ORDER BY r.receipt
"""


class NaiveResult:
    def __init__(self, applications, unapplied, suggestions):
        self.applications = applications
        self.unapplied = unapplied
        self.suggestions = suggestions


def naive_match(items, receipts) -> NaiveResult:
    import duckdb
    import pyarrow as pa
    import pyarrow.compute as pc

    from revdesk.engine.cashmatch import (
        APPLICATIONS_SCHEMA,
        SUGGESTIONS_SCHEMA,
        UNAPPLIED_SCHEMA,
    )

    con = duckdb.connect()
    con.register("items", items)
    con.register("receipts", receipts)
    found = con.sql(NAIVE_SQL).to_arrow_table()
    n = found.num_rows
    applications = pa.table(
        {
            "receipt": found["receipt"],
            "customer": found["customer"],
            "invoice": found["invoice"],
            "applied": found["amount"].cast(APPLICATIONS_SCHEMA.field("applied").type),
            "write_off": pa.array(
                [Decimal("0.00")] * n, APPLICATIONS_SCHEMA.field("write_off").type
            ),
            "write_off_reason": pa.nulls(n, pa.string()),
            "rule": pa.array(["naive_exact"] * n, pa.string()),
            "confidence": pa.array([Decimal("1.00")] * n, pa.decimal128(3, 2)),
            "explanation": pa.array(["exactly one invoice number verbatim, its amount"] * n),
            "currency": found["currency"],
            "identified_by": pa.array(["reference"] * n, pa.string()),
        },
        schema=APPLICATIONS_SCHEMA,
    )
    left = receipts.filter(pc.invert(pc.is_in(receipts["receipt"], found["receipt"])))
    m = left.num_rows
    unapplied = pa.table(
        {
            "receipt": left["receipt"],
            "customer": pa.nulls(m, pa.string()),
            "amount": left["amount"],
            "reason": pa.array(["unidentified"] * m, pa.string()),
            "explanation": pa.array(["not exactly one invoice number at its amount"] * m),
            "currency": left["currency"],
            "confidence": pa.nulls(m, pa.decimal128(3, 2)),
        },
        schema=UNAPPLIED_SCHEMA,
    )
    con.close()
    return NaiveResult(applications, unapplied, SUGGESTIONS_SCHEMA.empty_table())


# -- the run -----------------------------------------------------------------------------------


def _machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "python": platform.python_version(),
    }


def _pct(value) -> str:
    return "-" if value is None else f"{value * 100:.2f}%"


def run(args) -> dict:
    import duckdb

    from revdesk.engine.cashmatch import MatchSettings, match
    from revdesk.engine.cashmatch_metrics import cash_metrics

    report: dict = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": _machine(),
        "duckdb": duckdb.__version__,
        "invoices": args.invoices,
        "receipts": args.receipts,
        "seed": args.seed,
        "threshold": args.threshold or "default",
        "load_before": [round(x, 2) for x in os.getloadavg()],
    }
    cash, generated_s = data_load(args.invoices, args.receipts, args.seed)
    report["generated_s"] = None if generated_s is None else round(generated_s, 1)
    report["remittance_lines"] = cash.remittance.num_rows
    if args.files:
        folder = CACHE / f"cash-files-{args.invoices}-{args.receipts}-{args.seed}"
        report["files"] = files_roundtrip(cash, args.files, folder)

    results = {}
    for name in args.matchers.split(","):
        load = [round(x, 2) for x in os.getloadavg()]
        cpu = time.process_time()
        started = time.perf_counter()
        if name == "engine":
            settings = MatchSettings(threshold=Decimal(args.threshold)) if args.threshold else None
            result = match(
                cash.items,
                cash.receipts,
                customers=cash.customers,
                remittance=cash.remittance,
                settings=settings,
            )
        elif name == "naive":
            result = naive_match(cash.items, cash.receipts)
        else:
            raise SystemExit(f"unknown matcher {name!r}")
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        metrics = cash_metrics(result, cash.truth, cash.receipts)
        results[name] = {
            "seconds": round(seconds, 2),
            "cpu_s": round(cpu, 2),
            "receipts_per_s": round(args.receipts / seconds),
            "load_at_start": load,
            **metrics,
        }
    report["matchers"] = results
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    report["load_after"] = [round(x, 2) for x in os.getloadavg()]
    return report


def show(report: dict) -> None:
    m = report["machine"]
    print(
        f"{report['date']}  {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, Python "
        f"{m['python']}, DuckDB {report['duckdb']}; load {report['load_before']} -> "
        f"{report['load_after']}"
    )
    print(
        f"{report['invoices']:,} open invoices, {report['receipts']:,} receipts "
        f"({report['remittance_lines']:,} remittance lines), seed {report['seed']}"
        + (f"; generated in {report['generated_s']} s" if report["generated_s"] else "")
    )
    if "files" in report:
        f = report["files"]
        print(
            f"\nbank files: {f['receipts']:,} receipts written, {f['read_back']:,} read back, "
            f"{f['differ']} differ"
        )
        for fmt, entry in sorted(f["formats"].items()):
            print(
                f"  {fmt:9} {entry['files']} files  {entry['receipts']:>6,} receipts  "
                f"{entry['s']:>7.3f} s  {entry['receipts_per_s'] or 0:>8,}/s"
            )
    names = list(report["matchers"])
    rows = [
        ("seconds", lambda r: f"{r['seconds']:.2f}"),
        ("CPU s", lambda r: f"{r['cpu_s']:.2f}"),
        ("receipts/s", lambda r: f"{r['receipts_per_s']:,}"),
        ("receipts to apply", lambda r: f"{r['receipts_to_apply']:,}"),
        ("auto-applied correctly", lambda r: f"{r['auto_applied_correctly']:,}"),
        ("auto-application rate", lambda r: _pct(r["auto_application_rate"])),
        ("wrong applications", lambda r: f"{r['wrong_applications']:,}"),
        ("wrong rate (of all)", lambda r: _pct(r["wrong_rate"])),
        ("partly applied (rest right)", lambda r: f"{r['partly_applied']:,}"),
        ("invoice hit rate", lambda r: _pct(r["invoice_hit_rate"])),
        ("application accuracy (lines)", lambda r: _pct(r["application_accuracy"])),
        ("suggested receipts", lambda r: f"{r['suggested_receipts']:,}"),
        ("  of which right", lambda r: f"{r['suggestions_right']:,}"),
        (
            "payer suggestions (right)",
            lambda r: f"{r['payer_suggestions']} ({r['payer_suggestions_right']})",
        ),
    ]
    print()
    print(f"{'':32}" + "".join(f"{n:>16}" for n in names))
    for label, value in rows:
        print(f"{label:32}" + "".join(f"{value(report['matchers'][n]):>16}" for n in names))
    for n in names:
        print(f"\nunapplied ({n}):")
        for reason, u in report["matchers"][n]["unapplied"].items():
            amounts = ", ".join(f"{c} {Decimal(a):,.2f}" for c, a in u["amount"].items())
            truth = ", ".join(
                f"{c} {Decimal(a):,.2f}" for c, a in u["of_which_truth_applies"].items()
            )
            print(
                f"  {reason:13} {u['receipts']:>7,} receipts  {amounts}  (truth applies "
                f"{truth or '0'}); age mean {u['age_days_mean']} d, oldest "
                f"{u['age_days_oldest']} d"
            )
    print("\nby kind (correct / wrong / partly / suggested / left unapplied):")
    kinds = sorted(report["matchers"][names[0]]["by_kind"])
    print(f"{'kind':14}{'receipts':>9}" + "".join(f"{n:>32}" for n in names))
    for kind in kinds:
        cells = []
        for n in names:
            c = report["matchers"][n]["by_kind"].get(kind, {})
            good = (
                c.get("correct", 0)
                if kind not in ("unknown", "on_account")
                else c.get("rightly_unapplied", 0)
            )
            cells.append(
                f"{good:>7,}/{c.get('wrong', 0):>5,}/{c.get('partly_applied', 0):>4,}/"
                f"{c.get('suggested', 0):>5,}/{c.get('left_unapplied', 0):>6,}"
            )
        count = report["matchers"][names[0]]["by_kind"][kind]["receipts"]
        print(f"{kind:14}{count:>9,}" + "".join(f"{cell:>32}" for cell in cells))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--receipts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--files", type=int, default=4000, help="receipts written as bank files")
    parser.add_argument("--matchers", default="engine,naive")
    parser.add_argument("--threshold", help="the engine's confidence threshold (default 0.90)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE.parent / "src"))
    report = run(args)
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        show(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
