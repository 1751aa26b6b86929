"""The worked receivables cases of ../shared/examples/receivables in file mode: the engine's
aging, Top Past Due, KPIs and promises, through the Python API and `revdesk calc`, to the cent.
(The same cases through the database-backed reports: tests/receivables/test_reports.py.)"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from revdesk.cli import main
from revdesk.engine.aging import Buckets, aging, explain, items_read, items_table, top_past_due
from revdesk.engine.commission_inputs import InputError
from revdesk.engine.dispute_aging import OpenDisputes
from revdesk.engine.kpis import DAYS_KPIS, KpiInputs, kpi_inputs_read, kpis
from revdesk.engine.promises import Payment, Promise, evaluate, payments_read, promises_read

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "examples" / "receivables"
AGING = SHARED / "01-aging-and-top-past-due"
KPIS = SHARED / "02-kpis"
PROMISES = SHARED / "03-promises"
OCT_31 = dt.date(2026, 10, 31)
D = Decimal

assert SHARED.is_dir(), f"the shared worked cases are not beside the repository: {SHARED}"


def _csv(path: Path) -> list[dict]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _buckets_of(row: dict) -> dict[str, Decimal]:
    """An aging row in the long form of expected_buckets.csv."""
    labels = [*Buckets().labels, "open_credits", "net"]
    return {label: row[label] for label in labels}


def test_01_aging_buckets_of_the_company():
    (row,) = aging(items_read(AGING / "open_items.csv"), OCT_31, by="company").to_pylist()
    expected = {r["bucket"]: D(r["amount"]) for r in _csv(AGING / "expected_buckets.csv")}
    assert _buckets_of(row) == expected
    assert (row["currency"], row["past_due"], row["items"]) == ("USD", D("25800.00"), 9)


def test_01_aging_per_customer_adds_up_to_the_company():
    rows = aging(items_read(AGING / "open_items.csv"), OCT_31).to_pylist()
    assert [(r["customer"], r["current"], r["1-30"], r["net"]) for r in rows] == [
        ("C1", D("3000.00"), D("7000.00"), D("10000.00")),
        ("C2", D("0.00"), D("0.00"), D("18300.00")),
    ]
    assert rows[1]["open_credits"] == D("-500.00")  # never inside a bucket


def test_01_days_on_the_bucket_edges():
    lines = {
        r["document"]: (r["days_past_due"], r["bucket"])
        for r in explain(items_read(AGING / "open_items.csv"), OCT_31).to_pylist()
    }
    assert lines == {
        "INV-1": (-15, "current"),
        "INV-2": (0, "current"),  # due on the report date: not yet late
        "INV-3": (1, "1-30"),
        "INV-4": (30, "1-30"),
        "INV-5": (31, "31-60"),
        "INV-6": (90, "61-90"),
        "INV-7": (121, "over-120"),
        "INV-8": (120, "91-120"),
        "CM-1": (19, "open_credits"),
    }


def test_01_top_past_due():
    rows = top_past_due(items_read(AGING / "open_items.csv"), OCT_31).to_pylist()
    got = [
        {
            "rank": str(r["rank"]),
            "customer": r["customer"],
            "past_due": str(r["past_due"]),
            "oldest_days_past_due": str(r["oldest_days_past_due"]),
            "net_open": str(r["net_open"]),
        }
        for r in rows
    ]
    assert got == _csv(AGING / "expected_top_past_due.csv")
    assert top_past_due(items_read(AGING / "open_items.csv"), OCT_31, top=1).num_rows == 1


def test_01_through_the_command(tmp_path, capsys):
    out, lines = tmp_path / "aging.csv", tmp_path / "items.json"
    args = ["calc", "aging", "--items", str(AGING / "open_items.csv"), "--as-of", "2026-10-31"]
    assert main([*args, "--by", "company", "--out", str(out), "--explain", str(lines)]) == 0
    (row,) = _csv(out)
    expected = {r["bucket"]: r["amount"] for r in _csv(AGING / "expected_buckets.csv")}
    assert {label: row[label] for label in expected} == expected
    explained = json.loads(lines.read_text())
    assert {r["document"]: r["bucket"] for r in explained}["INV-8"] == "91-120"
    assert sum(D(r["amount"]) for r in explained) == D("28300.00")

    top = tmp_path / "top.csv"
    args = ["calc", "top-past-due", "--items", str(AGING / "open_items.csv")]
    assert main([*args, "--as-of", "2026-10-31", "--out", str(top)]) == 0
    wanted = ["rank", "customer", "past_due", "oldest_days_past_due", "net_open"]
    assert [{k: r[k] for k in wanted} for r in _csv(top)] == _csv(
        AGING / "expected_top_past_due.csv"
    )


def test_aging_by_invoice_date_and_other_buckets():
    items = items_read(AGING / "open_items.csv")
    (row,) = aging(items, OCT_31, buckets=Buckets(basis="invoice"), by="company").to_pylist()
    # INV-1 (15 days old), INV-2 (30) | INV-3 (31), INV-4 (60) | INV-5 (61) | INV-6 (120) |
    # INV-7 (151), INV-8 (150)
    assert [row[k] for k in ("0-30", "31-60", "61-90", "91-120", "over-120")] == [
        D("3000.00"),
        D("7000.00"),
        D("5000.00"),
        D("6000.00"),
        D("7800.00"),
    ]
    (row,) = aging(items, OCT_31, buckets=Buckets.parse("60,120"), by="company").to_pylist()
    assert [row[k] for k in ("current", "1-60", "61-120", "over-120")] == [
        D("3000.00"),
        D("12000.00"),
        D("6800.00"),
        D("7000.00"),
    ]
    with pytest.raises(ValueError, match="go up"):
        Buckets.parse("60,30")


def test_aging_leaves_out_later_and_settled_items_and_keeps_currencies_apart():
    items = items_table(
        [
            _item("A", "I1", "2026-09-01", "2026-10-01", "100.00"),
            _item("A", "I2", "2026-09-01", "2026-10-01", "250.00", currency="EUR"),
            _item("A", "I3", "2026-11-02", "2026-12-02", "999.00"),  # after the report date
            _item("A", "I4", "2026-09-01", "2026-10-01", "0.00"),  # paid
            _item("A", "P1", "2026-10-20", None, "-40.00", kind="payment"),
        ]
    )
    rows = aging(items, OCT_31).to_pylist()
    assert [(r["currency"], r["1-30"], r["open_credits"], r["net"], r["items"]) for r in rows] == [
        ("EUR", D("250.00"), D("0.00"), D("250.00"), 1),
        ("USD", D("100.00"), D("-40.00"), D("60.00"), 2),
    ]


def test_aging_by_parent_collector_and_region():
    items = items_table(
        [
            _item("C1", "I1", "2026-09-01", "2026-10-01", "100.00", parent="G", collector="ann"),
            _item("C2", "I2", "2026-09-01", "2026-10-20", "50.00", parent="G", collector="bob"),
            _item("C3", "I3", "2026-09-01", "2026-11-20", "10.00", parent="C3", collector="ann"),
        ]
    )
    by_parent = {r["parent"]: r["past_due"] for r in aging(items, OCT_31, by="parent").to_pylist()}
    assert by_parent == {"C3": D("0.00"), "G": D("150.00")}
    by_collector = {
        r["collector"]: r["net"] for r in aging(items, OCT_31, by="collector").to_pylist()
    }
    assert by_collector == {"ann": D("110.00"), "bob": D("50.00")}
    (top,) = top_past_due(items, OCT_31, by="parent").to_pylist()
    assert (top["parent"], top["past_due"], top["oldest_days_past_due"]) == ("G", D("150.00"), 30)


def _item(customer, document, issued, due, amount, *, currency="USD", kind="invoice", **extra):
    return {
        "customer": customer,
        "document": document,
        "type": kind,
        "invoice_date": dt.date.fromisoformat(issued),
        "due_date": dt.date.fromisoformat(due) if due else None,
        "open_amount": D(amount),
        "currency": currency,
        **extra,
    }


def test_bad_items_are_reported_with_line_and_column(tmp_path, capsys):
    path = tmp_path / "items.csv"
    path.write_text(
        "customer,document,type,invoice_date,due_date,open_amount,currency\n"
        "C1,INV-1,invoice,2026-10-01,2026-10-31,10.005,USD\n"
        "C1,INV-2,bill,2026-10-01,2026-10-31,10.00,USD\n"
        "C1,CM-1,credit_memo,2026-10-01,,25.00,USD\n"
        "C1,INV-3,invoice,2026-10-01,,25.00,USD\n"
        "C1,INV-4,invoice,2026-10-01,2026-09-30,25.00,usd\n"
    )
    with pytest.raises(InputError) as caught:
        items_read(path)
    assert caught.value.problems == [
        (
            "items.csv",
            2,
            "open_amount",
            "'10.005' is not an amount such as 1234.50 (at most two "
            "decimals, no thousands separators)",
        ),
        ("items.csv", 6, "currency", "'usd' is not a three-letter currency code such as USD"),
    ]
    path.write_text(path.read_text().replace("10.005", "10.05").replace("usd", "USD"))
    with pytest.raises(InputError) as caught:
        items_read(path)
    assert caught.value.problems == [
        ("items.csv", 3, "type", "'bill' is not one of invoice, debit_memo, credit_memo, payment"),
        (
            "items.csv",
            4,
            "open_amount",
            "25.00 is positive; a credit_memo's open amount is what "
            "it takes off, written negative (-25.00)",
        ),
        ("items.csv", 5, "due_date", "empty; an invoice has a due date"),
        ("items.csv", 6, "due_date", "2026-09-30 is before the invoice date"),
    ]
    out = tmp_path / "aging.csv"
    args = ["calc", "aging", "--items", str(path), "--as-of", "2026-10-31", "--out", str(out)]
    assert main([*args, "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert report["problems"][0]["line"] == 3
    assert not out.exists()  # nothing written


def test_02_kpis():
    result = kpis(kpi_inputs_read(KPIS / "inputs.csv"))
    expected = {r["kpi"]: D(r["value"]) for r in _csv(KPIS / "expected.csv")}
    assert result.values == expected
    assert result.notes == []


def test_02_kpis_through_the_command(tmp_path):
    out = tmp_path / "kpis.csv"
    assert main(["calc", "kpis", "--inputs", str(KPIS / "inputs.csv"), "--out", str(out)]) == 0
    assert out.read_text() == (KPIS / "expected.csv").read_text().rstrip("\n") + "\n"


def test_kpis_count_back_beyond_the_period_and_without_sales():
    months = {"2026-07": D("100"), "2026-08": D("100"), "2026-09": D("100")}
    # 450 open: all three months (92 days), then 150 more at 300/92 a day: 46 days
    result = kpis(KpiInputs(months, D("0"), D("450"), D("0")))
    assert result.values["dso_countback"] == D("138.00")
    assert result.values["dso_simple"] == D("138.00")
    empty = kpis(KpiInputs(dict.fromkeys(months, D("0")), D("0"), D("0"), D("0")))
    assert empty.values["dso_simple"] is None
    assert empty.values["cei_percent"] is None
    assert empty.notes == [
        "no credit sales in the period: DSO and ADD are not defined",
        "nothing was collectible in the period: CEI is not defined",
    ]
    with pytest.raises(ValueError, match="skip from 2026-07 to 2026-09"):
        KpiInputs({"2026-07": D("1"), "2026-09": D("1")}, D("0"), D("0"), D("0"))


def test_bad_kpi_inputs(tmp_path):
    path = tmp_path / "kpis.csv"
    path.write_text("item,value\nsales_2026-13,10\nar_begin,1\nar_begin,2\nsales,3\n")
    with pytest.raises(InputError) as caught:
        kpi_inputs_read(path)
    assert caught.value.problems == [
        ("kpis.csv", 2, "item", "'sales_2026-13': write sales_YYYY-MM"),
        ("kpis.csv", 4, "item", "ar_begin is given twice (line 3)"),
        (
            "kpis.csv",
            5,
            "item",
            "'sales' is not sales_YYYY-MM or ar_begin, ar_end, ar_end_current, "
            "ar_end_receivable, unapplied_cash",
        ),
    ]


#: a KPI file with the optional rows, and disputes worked by hand at the end of September
KPI_INPUTS_MORE = (KPIS / "inputs.csv").read_text().rstrip(
    "\n"
) + "\nar_end_receivable,262500.00\nunapplied_cash,12500.00\n"
DISPUTES_FILE = """number,amount,currency,opened_on,closed_on,customer
D-1,1200.00,USD,2026-09-30,,K1
D-2,800.50,USD,2026-08-31,,K1
D-3,2000.00,USD,2026-08-30,,K2
D-4,500.00,USD,2026-06-01,,K2
D-5,999.00,USD,2026-07-01,2026-09-30,K1
D-6,300.00,USD,2026-10-01,,K2
D-7,450.25,USD,2026-07-15,2026-10-05,K1
"""
#: open at the end: D-1 0 days, D-2 30, D-3 31, D-4 121, D-7 77 (D-5 closed on the day, D-6
#: opened after); (0 + 30 + 31 + 121 + 77) / 5 = 51.80
MORE_EXPECTED = {
    "current_percent": D("57.14"),  # 150,000 / 262,500 × 100 = 57.1428...
    "unapplied_cash": D("12500.00"),
    "disputes_open": D("5"),
    "disputed_amount": D("4950.75"),
    "dispute_average_age_days": D("51.80"),
    "dispute_oldest_age_days": D("121"),
    "disputed_0_30": D("2000.50"),  # D-1 and D-2: day 30 is in 0-30
    "disputed_31_60": D("2000.00"),
    "disputed_61_90": D("450.25"),
    "disputed_over_90": D("500.00"),
}


def test_current_unapplied_and_dispute_aging_from_files(tmp_path):
    from revdesk.engine.dispute_aging import dispute_aging, disputes_read

    inputs_path, disputes_path = tmp_path / "kpis.csv", tmp_path / "disputes.csv"
    inputs_path.write_text(KPI_INPUTS_MORE)
    disputes_path.write_text(DISPUTES_FILE)
    inputs = kpi_inputs_read(inputs_path)
    disputes = disputes_read(disputes_path)
    (opened,) = dispute_aging(disputes, inputs.end).values()
    result = kpis(dataclasses.replace(inputs, disputes=opened))
    assert {name: result.values[name] for name in MORE_EXPECTED} == MORE_EXPECTED
    old = {r["kpi"]: D(r["value"]) for r in _csv(KPIS / "expected.csv")}
    assert {name: result.values[name] for name in old} == old  # the case's figures stay
    by_customer = dispute_aging(disputes, inputs.end, by="customer")
    assert {key: (o.count, o.amount, o.oldest_days) for key, o in by_customer.items()} == {
        ("K1", "USD"): (3, D("2450.75"), 77),
        ("K2", "USD"): (2, D("2500.00"), 121),
    }

    out, explained = tmp_path / "out.csv", tmp_path / "explain.csv"
    args = ["calc", "kpis", "--inputs", str(inputs_path), "--disputes", str(disputes_path)]
    assert main([*args, "--out", str(out), "--explain", str(explained)]) == 0
    written = {r["kpi"]: D(r["value"]) for r in _csv(out)}
    assert written == {**old, **MORE_EXPECTED}
    assert [(r["number"], r["age_days"], r["bucket"]) for r in _csv(explained)] == [
        ("D-4", "121", "over-90"),
        ("D-7", "77", "61-90"),
        ("D-3", "31", "31-60"),
        ("D-2", "30", "0-30"),
        ("D-1", "0", "0-30"),
    ]


def test_kpis_without_open_receivables_or_disputes():
    months = {"2026-07": D("100")}
    result = kpis(
        KpiInputs(
            months,
            D("100"),
            D("-20.00"),
            D("0"),
            ar_end_receivable=D("0.00"),
            unapplied_cash=D("20.00"),
            disputes=OpenDisputes(),
        )
    )
    assert result.values["current_percent"] is None
    assert "no invoice open at the end: % current is not defined" in result.notes
    assert result.values["unapplied_cash"] == D("20.00")
    assert (result.values["disputes_open"], result.values["disputed_amount"]) == (
        D("0"),
        D("0.00"),
    )
    assert result.values["dispute_average_age_days"] is None
    assert result.values["dispute_oldest_age_days"] is None
    # without those inputs, their figures are left out, not made up
    assert set(kpis(KpiInputs(months, D("0"), D("0"), D("0"))).values) == set(DAYS_KPIS)


def test_a_bad_kpi_row_after_a_blank_line_names_its_own_line(tmp_path):
    # Arrow skips the blank line 3: the rows are numbered by the lines they are on
    path = tmp_path / "kpis.csv"
    path.write_text("item,value\nar_begin,1\n\nar_begin,2\n")
    with pytest.raises(InputError) as caught:
        kpi_inputs_read(path)
    assert caught.value.problems[0] == (
        "kpis.csv",
        4,
        "item",
        "ar_begin is given twice (line 2)",
    )


def test_bad_disputes(tmp_path):
    from revdesk.engine.dispute_aging import disputes_read

    path = tmp_path / "disputes.csv"
    path.write_text(
        "number,amount,currency,opened_on,closed_on\n"
        "D-1,-5.00,USD,2026-09-01,\n"
        "D-1,5.00,USD,2026-09-01,2026-08-01\n"
    )
    with pytest.raises(InputError) as caught:
        disputes_read(path)
    assert caught.value.problems == [
        ("disputes.csv", 2, "amount", "-5.00: write 0 or more"),
        ("disputes.csv", 3, "number", "D-1 is given twice (line 2)"),
        ("disputes.csv", 3, "closed_on", "2026-08-01 is before opened_on"),
    ]
    # two currencies: the command refuses, as the KPIs are of one currency
    path.write_text(
        "number,amount,currency,opened_on\nD-1,5.00,USD,2026-09-01\nD-2,5.00,EUR,2026-09-01\n"
    )
    args = ["calc", "kpis", "--inputs", str(KPIS / "inputs.csv"), "--disputes", str(path)]
    assert main(args) == 1


def test_03_promises_evaluated_every_day_of_october():
    promises = promises_read(PROMISES / "promises.csv", 2)
    payments = payments_read(PROMISES / "payments.csv")
    seen: dict[str, tuple] = {}
    for day in range(1, 32):
        on = dt.date(2026, 10, day)
        for outcome in evaluate(promises, payments, on):
            state = (outcome.status, outcome.status_date, outcome.received, outcome.shortfall)
            name = outcome.promise.promise
            if name in seen and seen[name][0] != "open":
                assert state == seen[name], f"{name} changed after it was {seen[name][0]}"
            seen[name] = state
            if outcome.status != "open":
                assert outcome.status_date <= on
        if on == dt.date(2026, 10, 12):  # the last day of PTP-2's grace: still open
            assert seen["PTP-2"] == ("open", None, D("1000.00"), D("3000.00"))
    expected = {
        r["promise"]: (
            r["status"],
            dt.date.fromisoformat(r["status_date"]),
            D(r["received"]),
            D(r["shortfall"]),
        )
        for r in _csv(PROMISES / "expected.csv")
    }
    assert seen == expected


def test_03_promises_through_the_command(tmp_path):
    out = tmp_path / "promises.csv"
    args = ["calc", "promises", "--promises", str(PROMISES / "promises.csv")]
    args += ["--payments", str(PROMISES / "payments.csv"), "--as-of", "2026-10-31"]
    assert main([*args, "--grace", "2", "--out", str(out)]) == 0
    wanted = ["promise", "status", "status_date", "received", "shortfall"]
    assert [{k: r[k] for k in wanted} for r in _csv(out)] == _csv(PROMISES / "expected.csv")


def test_a_payment_counts_once_across_promises():
    def promise(name, date, amount):
        day = dt.date.fromisoformat(date)
        return Promise(name, "C", day, D(amount), "USD", dt.date(2026, 10, 1), 0)

    promises = [promise("B", "2026-10-20", "300"), promise("A", "2026-10-10", "500")]
    payments = [
        Payment("C", dt.date(2026, 10, 9), D("600"), "USD"),
        Payment("C", dt.date(2026, 10, 9), D("50"), "EUR"),  # another currency: not counted
        Payment("C", dt.date(2026, 10, 15), D("200"), "USD"),
    ]
    outcomes = {o.promise.promise: o for o in evaluate(promises, payments, OCT_31)}
    # A (the earlier promise) takes 500 of the 600; B the other 100 and then 200
    assert (outcomes["A"].status, outcomes["A"].status_date) == ("kept", dt.date(2026, 10, 9))
    assert (outcomes["B"].status, outcomes["B"].status_date) == ("kept", dt.date(2026, 10, 15))
    payments[2] = Payment("C", dt.date(2026, 10, 21), D("200"), "USD")  # after B's deadline
    outcomes = {o.promise.promise: o for o in evaluate(promises, payments, OCT_31)}
    assert (outcomes["B"].status, outcomes["B"].received, outcomes["B"].shortfall) == (
        "broken",
        D("100"),
        D("200"),
    )


def test_the_kpi_balances_are_the_agings_of_the_ledger_on_both_days():
    """ledger_kpi_inputs works the receivables out in one pass: they must be the aging's net
    on the day before the first month and on the last day, and its Current on the last."""
    import random

    import pyarrow as pa

    from revdesk.engine.aging import DOCUMENTS_SCHEMA, SETTLEMENTS_SCHEMA, Ledger
    from revdesk.engine.kpis import ledger_kpi_inputs, ledger_kpi_trend, month_before

    rng = random.Random(7)
    documents, settlements = [], []
    for number in range(400):
        issued = dt.date(2026, 4, 1) + dt.timedelta(days=rng.randrange(240))
        credit = rng.random() < 0.1
        amount = D(rng.randrange(100, 100000)) / 100
        documents.append(
            {
                "customer": f"C{rng.randrange(12)}",
                "document": f"D{number}",
                "type": rng.choice(["credit_memo", "payment"]) if credit else "invoice",
                "invoice_date": issued,
                "due_date": issued if credit else issued + dt.timedelta(days=rng.choice([0, 30])),
                "amount": -amount if credit else amount,
                "currency": rng.choice(["USD", "EUR"]),
            }
        )
        for _ in range(rng.randrange(3)):
            part = (amount * D(rng.randrange(1, 50)) / 100).quantize(D("0.01"))
            settlements.append(
                {
                    "document": f"D{number}",
                    "date": issued + dt.timedelta(days=rng.randrange(120)),
                    "amount": -part if credit else part,
                }
            )
    ledger = Ledger(
        pa.Table.from_pylist(documents, schema=DOCUMENTS_SCHEMA),
        pa.Table.from_pylist(settlements, schema=SETTLEMENTS_SCHEMA),
    )
    for by, keys in (("company", ["currency"]), ("customer", ["customer", "currency"])):
        inputs = ledger_kpi_inputs(ledger, "2026-07", "2026-09", by=by)
        begin = {
            tuple(r[k] for k in keys): r["net"]
            for r in aging(ledger, dt.date(2026, 6, 30), by=by).to_pylist()
        }
        end = {
            tuple(r[k] for k in keys): (
                r["net"],
                r["current"],
                r["net"] - r["open_credits"],  # the buckets: before credits
            )
            for r in aging(ledger, dt.date(2026, 9, 30), by=by).to_pylist()
        }
        unapplied: dict[tuple, D] = {}
        for item in explain(ledger, dt.date(2026, 9, 30)).to_pylist():
            if item["type"] == "payment" and item["bucket"] == "open_credits":
                key = tuple(item[k] for k in keys)
                unapplied[key] = unapplied.get(key, D("0.00")) - item["amount"]
        assert set(begin) | set(end) <= set(inputs)
        for key, found in inputs.items():
            assert found.ar_begin == begin.get(key, D("0.00"))
            assert (found.ar_end, found.ar_end_current, found.ar_end_receivable) == end.get(
                key, (D("0.00"), D("0.00"), D("0.00"))
            )
            assert found.unapplied_cash == unapplied.get(key, D("0.00"))
            assert found.disputes is None  # no disputes given: their figures are left out
        sold = sum(
            d["amount"]
            for d in documents
            if d["type"] == "invoice"
            and dt.date(2026, 7, 1) <= d["invoice_date"] <= dt.date(2026, 9, 30)
        )
        assert sum(sum(i.sales.values()) for i in inputs.values()) == sold
    # the trend works every month's rolling quarter out in one pass: the same inputs
    months = ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    for by in ("company", "customer"):
        trend = ledger_kpi_trend(ledger, months, by=by)
        for month in months:
            first = month_before(month_before(month))
            assert trend[month] == ledger_kpi_inputs(ledger, first, month, by=by), (by, month)
