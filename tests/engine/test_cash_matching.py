"""Cash matching (engine.cashmatch): the worked case of ../shared/examples/cash-application
through `revdesk calc match` and the engine, to the cent; then each rule on its own."""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from revdesk.cli import main
from revdesk.engine.cashmatch import (
    CUSTOMERS_SCHEMA,
    ITEMS_SCHEMA,
    LINKS_SCHEMA,
    RECEIPTS_SCHEMA,
    REMITTANCE_SCHEMA,
    MatchSettings,
    invoice_key,
    match,
    name_key,
    subset_search,
)
from revdesk.engine.cashmatch_inputs import customers_read, inputs_read, items_read
from revdesk.engine.commission_inputs import InputError

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT.parent / "shared" / "examples" / "cash-application" / "01-matching"
D = Decimal
DAY = dt.date(2026, 10, 27)

assert CASE.is_dir(), f"the shared worked cases are not beside the repository: {CASE}"


def _csv(path: Path) -> list[dict]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _only(rows: list[dict], columns: list[str]) -> list[dict]:
    return [{column: row[column] or "" for column in columns} for row in rows]


def _expected(name: str) -> tuple[list[str], list[dict]]:
    rows = _csv(CASE / name)
    return list(rows[0]), rows


# -- the worked case ---------------------------------------------------------------------------


def test_01_through_the_command(tmp_path, capsys):
    out = tmp_path / "matched"
    args = ["calc", "match", "--items", str(CASE / "open_items.csv"), "--bank"]
    args += [str(CASE / "bank.csv"), "--customers", str(CASE / "customers.csv")]
    assert main([*args, "--out", str(out), "--json"]) == 0
    for produced, expected in (
        ("applications.csv", "expected_applications.csv"),
        ("unapplied.csv", "expected_unapplied.csv"),
        ("cases.csv", "expected_cases.csv"),
    ):
        columns, rows = _expected(expected)
        assert _only(_csv(out / produced), columns) == rows, produced
    assert _csv(out / "suggestions.csv") == []
    summary = json.loads(capsys.readouterr().out)
    assert summary["receipts"] == 8
    assert summary["receipts_applied"] == 6
    assert summary["applied"] == {"USD": "45777.50"}
    assert summary["written_off"] == {"USD": "3.00"}
    assert summary["unapplied"] == {
        "on_account": {"count": 1, "amount": {"USD": "500.00"}},
        "unidentified": {"count": 1, "amount": {"USD": "1234.56"}},
    }
    assert summary["cases"] == {"short_payment": {"count": 1, "amount": {"USD": "100.00"}}}


def test_01_through_the_command_prints_a_summary(tmp_path, capsys):
    args = ["calc", "match", "--items", str(CASE / "open_items.csv"), "--bank"]
    args += [str(CASE / "bank.csv"), "--customers", str(CASE / "customers.csv")]
    assert main([*args, "--out", str(tmp_path)]) == 0
    shown = capsys.readouterr().out
    assert "45,777.50 USD" in shown
    assert "unapplied: unidentified" in shown


def test_a_real_x12_820_file_through_the_command(tmp_path, capsys):
    """The bank-file readers feed calc match: the 003010 trade remittance's two lines are
    applied as given, whoever the payer is."""
    items = tmp_path / "items.csv"
    items.write_text(
        "customer,invoice,invoice_date,due_date,open_amount,currency\n"
        "SU1,0900,1996-01-15,1996-02-15,8136.13,USD\n"
        "SU1,8221,1996-01-20,1996-02-20,10669.95,USD\n"
        "SU1,9999,1996-01-20,1996-02-20,18806.08,USD\n"
    )
    edi = CASE.parents[2] / "fixtures" / "bank" / "edi820" / "trade-remittance-003010.edi"
    out = tmp_path / "matched"
    assert (
        main(["calc", "match", "--items", str(items), "--bank", str(edi), "--out", str(out)]) == 0
    )
    assert _only(_csv(out / "applications.csv"), ["invoice", "applied", "rule"]) == [
        {"invoice": "0900", "applied": "8136.13", "rule": "remittance"},
        {"invoice": "8221", "applied": "10669.95", "rule": "remittance"},
    ]
    assert _csv(out / "unapplied.csv") == []


def test_01_through_the_engine():
    inputs = inputs_read(
        items=CASE / "open_items.csv",
        bank=CASE / "bank.csv",
        customers=CASE / "customers.csv",
    )
    result = match(inputs.items, inputs.receipts, customers=inputs.customers)
    applications = result.applications.to_pylist()
    assert [(r["receipt"], r["invoice"], r["applied"], r["write_off"]) for r in applications] == [
        (r["receipt"], r["invoice"], D(r["applied"]), D(r["write_off"]))
        for r in _csv(CASE / "expected_applications.csv")
    ]
    by_receipt = {r["receipt"]: r for r in applications}
    # the subtle points of the case
    assert by_receipt["P4"]["rule"] == "reference_short"
    assert by_receipt["P8"]["write_off_reason"] == "small_balance"
    assert "written off as a small balance" in by_receipt["P8"]["explanation"]
    assert by_receipt["P5"]["identified_by"] == "reference"  # name and account unknown
    assert by_receipt["P5"]["customer"] == "C3"
    assert applications[0]["explanation"] == (
        "reference 10023 in the text 'INV 10023/10024' matched invoice 10023 of Northwind "
        "Data Centers Inc (C1); paid in full"
    )
    assert {r["receipt"]: r["rule"] for r in applications}["P3"] == "open_items_sum"
    (case,) = result.cases.to_pylist()
    assert (case["invoice"], case["amount"], case["type"], case["reason_code"]) == (
        "30001",
        D("100.00"),
        "short_payment",
        "unknown",
    )
    unapplied = result.unapplied.to_pylist()
    assert [(r["receipt"], r["customer"], r["amount"], r["reason"]) for r in unapplied] == [
        ("P6", "C2", D("500.00"), "on_account"),
        ("P7", None, D("1234.56"), "unidentified"),
    ]
    assert "kept on account" in unapplied[0]["explanation"]
    assert "'JOHN SMITH' matches no customer" in unapplied[1]["explanation"]
    for row in applications + unapplied:
        assert D("0") <= row["confidence"] <= D("1")
    _assert_money_kept(result, inputs.receipts)


# -- helpers for the rules ---------------------------------------------------------------------

CUSTOMERS = [
    ("C1", "Northwind Data Centers Inc", "111000111"),
    ("C2", "Apex Colocation LLC", "222000222"),
    ("C3", "Blue Ridge Hospital", "333000333"),
]


def _items(*rows) -> pa.Table:
    """(customer, invoice, due day of October, open amount[, in dispute])"""
    columns = {f.name: [] for f in ITEMS_SCHEMA}
    for customer, invoice, due, amount, *disputed in rows:
        columns["customer"].append(customer)
        columns["invoice"].append(invoice)
        columns["invoice_date"].append(dt.date(2026, 9, 1))
        columns["due_date"].append(dt.date(2026, 10, due))
        columns["open_amount"].append(D(amount))
        columns["currency"].append("USD")
        columns["disputed"].append(bool(disputed and disputed[0]))
    return pa.table(columns, schema=ITEMS_SCHEMA)


def _receipts(*rows) -> pa.Table:
    """(receipt, amount, payer_name, payer_account, text)"""
    columns = {f.name: [] for f in RECEIPTS_SCHEMA}
    for receipt, amount, name, account, text in rows:
        for key, value in zip(
            ("receipt", "date", "amount", "currency", "payer_name", "payer_account", "text"),
            (receipt, DAY, D(amount), "USD", name, account, text),
            strict=True,
        ):
            columns[key].append(value)
        for key in ("bank_reference", "format", "source"):
            columns[key].append(None)
    return pa.table(columns, schema=RECEIPTS_SCHEMA)


def _customers(rows=CUSTOMERS) -> pa.Table:
    return pa.table(list(zip(*rows, strict=True)), schema=CUSTOMERS_SCHEMA)


NORTHWIND = _items(
    ("C1", "10023", 1, "1250.00"),
    ("C1", "10024", 3, "3400.00"),
    ("C1", "10025", 5, "700.00"),
    ("C3", "30001", 15, "4000.00"),
)


def _applied(result) -> list[tuple]:
    return [
        (r["receipt"], r["invoice"], r["applied"], r["write_off"])
        for r in result.applications.to_pylist()
    ]


def _assert_money_kept(result, receipts: pa.Table) -> None:
    """Every receipt's money is applied or unapplied, to the cent, never both nor neither."""
    for row in receipts.to_pylist():
        applied = sum(
            r["applied"] for r in result.applications.to_pylist() if r["receipt"] == row["receipt"]
        )
        left = sum(
            r["amount"] for r in result.unapplied.to_pylist() if r["receipt"] == row["receipt"]
        )
        assert applied + left == row["amount"], row["receipt"]


# -- references --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount", "invoices"),
    [
        ("INV 10023/10024", "4650.00", ["10023", "10024"]),
        ("inv 10023, 10024 & 10025", "5350.00", ["10023", "10024", "10025"]),
        ("INVOICES 10023-10025", "5350.00", ["10023", "10024", "10025"]),
        ("INV 10023/24", "4650.00", ["10023", "10024"]),
        ("Payment for INV-0010024", "3400.00", ["10024"]),
        ("#10023;#10025", "1950.00", ["10023", "10025"]),
        ("No. 10025 paid 700.00", "700.00", ["10025"]),
        ("REF:INVOICE10023 AND 10025", "1950.00", ["10023", "10025"]),
    ],
)
def test_references_however_written(text, amount, invoices):
    result = match(NORTHWIND, _receipts(("R1", amount, "", "", text)), customers=_customers())
    rows = result.applications.to_pylist()
    assert [r["invoice"] for r in rows] == invoices
    assert {r["rule"] for r in rows} == {"reference"}
    assert {r["confidence"] for r in rows} == {D("1.00")}
    assert result.unapplied.num_rows == 0


def test_invoice_numbers_with_prefixes_and_leading_zeros():
    items = _items(("C1", "INV-000123", 1, "100.00"), ("C1", "2026-00777", 2, "200.00"))
    receipts = _receipts(
        ("R1", "100.00", "", "", "INV 0123"),
        ("R2", "200.00", "", "", "invoice 2026-00777"),
    )
    result = match(items, receipts, settings=MatchSettings(reference_min_digits=3))
    assert [(r["receipt"], r["invoice"]) for r in result.applications.to_pylist()] == [
        ("R1", "INV-000123"),
        ("R2", "2026-00777"),
    ]
    assert invoice_key("inv-000123") == "INV000123"
    assert invoice_key("000123") == "123"


def test_a_wide_range_is_not_read_as_every_number_in_it():
    # 10023-10099 spans more than reference_max_range: only its two ends are references
    result = match(NORTHWIND, _receipts(("R1", "1250.00", "", "", "10023-10099")))
    assert [r["invoice"] for r in result.applications.to_pylist()] == ["10023"]


def test_amounts_in_the_text_are_not_references():
    items = _items(("C1", "1250", 1, "1250.00"), ("C1", "10023", 2, "1250.00"))
    result = match(items, _receipts(("R1", "1250.00", "", "", "INV 10023 AMT 1,250.00")))
    assert [r["invoice"] for r in result.applications.to_pylist()] == ["10023"]


def test_reference_to_another_customers_invoice_wins_less_surely():
    # the payer's account is Northwind's, the text names Blue Ridge's invoice 30001
    exact = match(
        NORTHWIND,
        _receipts(("R1", "4000.00", "NORTHWIND", "111000111", "INV 30001")),
        customers=_customers(),
    )
    (row,) = exact.applications.to_pylist()
    assert (row["customer"], row["invoice"], row["confidence"]) == ("C3", "30001", D("0.90"))
    assert "the reference wins, less surely" in row["explanation"]
    # not the exact amount: too unsure to apply, suggested instead
    short = match(
        NORTHWIND,
        _receipts(("R1", "3000.00", "NORTHWIND", "111000111", "INV 30001")),
        customers=_customers(),
    )
    assert short.applications.num_rows == 0
    (suggestion,) = short.suggestions.to_pylist()
    assert (suggestion["customer"], suggestion["invoice"], suggestion["amount"]) == (
        "C3",
        "30001",
        D("3000.00"),
    )
    assert suggestion["confidence"] == D("0.75")
    (unapplied,) = short.unapplied.to_pylist()
    assert (unapplied["reason"], unapplied["amount"]) == ("suggestion", D("3000.00"))
    assert short.cases.num_rows == 0  # nothing opened before a person confirms


def test_references_to_several_customers_the_payer_account_decides():
    items = _items(("C1", "55501", 1, "100.00"), ("C3", "55502", 1, "100.00"))
    receipts = _receipts(("R1", "100.00", "", "333000333", "55501 55502"))
    result = match(items, receipts, customers=_customers())
    (row,) = result.applications.to_pylist()
    assert (row["customer"], row["invoice"]) == ("C3", "55502")
    assert "set aside" in row["explanation"]
    # with no account to decide, a person does
    unsure = match(items, _receipts(("R1", "100.00", "", "", "55501 55502")))
    assert unsure.applications.num_rows == 0
    assert [r["invoice"] for r in unsure.suggestions.to_pylist()] == ["55501", "55502"]


def test_over_payment_keeps_the_excess_on_account():
    receipts = _receipts(("R1", "1300.00", "", "111000111", "INV 10023"))
    result = match(NORTHWIND, receipts, customers=_customers())
    assert _applied(result) == [("R1", "10023", D("1250.00"), D("0.00"))]
    (row,) = result.unapplied.to_pylist()
    assert (row["customer"], row["amount"], row["reason"]) == ("C1", D("50.00"), "on_account")
    assert "over-payment" in row["explanation"]
    assert result.applications.to_pylist()[0]["rule"] == "reference_over"


def test_short_payment_over_several_referenced_invoices_falls_on_the_last():
    # oldest due first: 10023 in full, 10024 gets the rest; 650.00 short is a case
    # (the payer's account is Northwind's: the reference is confirmed by who paid)
    result = match(
        NORTHWIND,
        _receipts(("R1", "4000.00", "", "111000111", "INV 10023/10024")),
        customers=_customers(),
    )
    assert _applied(result) == [
        ("R1", "10023", D("1250.00"), D("0.00")),
        ("R1", "10024", D("2750.00"), D("0.00")),
    ]
    (case,) = result.cases.to_pylist()
    assert (case["invoice"], case["amount"], case["type"]) == (
        "10024",
        D("650.00"),
        "short_payment",
    )
    # a few cents short: written off on the last one
    small = match(NORTHWIND, _receipts(("R1", "4645.50", "", "", "INV 10023/10024")))
    assert _applied(small) == [
        ("R1", "10023", D("1250.00"), D("0.00")),
        ("R1", "10024", D("3395.50"), D("4.50")),
    ]
    assert small.cases.num_rows == 0
    # exactly some of the referenced invoices: those are paid, the others untouched
    some = match(NORTHWIND, _receipts(("R1", "3400.00", "", "", "INV 10023/10024")))
    assert _applied(some) == [("R1", "10024", D("3400.00"), D("0.00"))]
    assert some.applications.to_pylist()[0]["rule"] == "reference_partial"
    assert some.cases.num_rows == 0


def test_write_off_tolerance_is_a_setting_and_may_be_a_percent_too():
    receipts = _receipts(("R1", "1246.00", "NORTHWIND DATA CENTERS", "", "INV 10023"))
    assert match(NORTHWIND, receipts).cases.num_rows == 0  # 4.00 <= 5.00
    tight = MatchSettings(write_off=D("3.00"))
    assert match(NORTHWIND, receipts, customers=_customers(), settings=tight).cases.num_rows
    # 0.1% of 1,250.00 is 1.25: the lower limit wins
    strict = MatchSettings(write_off_percent=D("0.1"))
    (case,) = match(NORTHWIND, receipts, customers=_customers(), settings=strict).cases.to_pylist()
    assert case["amount"] == D("4.00")


def test_a_reference_the_money_does_not_fit_is_applied_only_when_who_paid_confirms_it():
    # 10024 is open for 3,400.00; 1,784.90 with "10024" and nothing else: a mistyped number
    # names another invoice just so (bench/cash_match.py: most wrong applications were these)
    receipts = _receipts(("R1", "1784.90", "", "", "10024"))
    unsure = match(NORTHWIND, receipts, customers=_customers())
    assert unsure.applications.num_rows == 0
    assert unsure.cases.num_rows == 0
    (suggested,) = unsure.suggestions.to_pylist()
    assert (suggested["invoice"], suggested["confidence"]) == ("10024", D("0.85"))
    (row,) = unsure.unapplied.to_pylist()
    assert row["reason"] == "suggestion"
    assert "the reference may be mistyped" in row["explanation"]
    # over-payments alike
    over = match(NORTHWIND, _receipts(("R1", "3500.00", "", "", "10024")), customers=_customers())
    assert over.applications.num_rows == 0
    # the payer's account, or its name, confirms the customer: a short payment, applied
    for name, account in (
        ("", "111000111"),
        ("NORTHWIND DATA CENTERS", ""),
        ("NORTHWIND DATA CENTRS INC", ""),
    ):
        sure = match(
            NORTHWIND,
            _receipts(("R1", "1784.90", name, account, "10024")),
            customers=_customers(),
        )
        assert _applied(sure) == [("R1", "10024", D("1784.90"), D("0.00"))], (name, account)
        assert sure.cases.to_pylist()[0]["type"] == "short_payment"
    # the money fits (exactly, or within the write-off): the reference alone is enough
    exact = match(NORTHWIND, _receipts(("R1", "3397.00", "", "", "10024")))
    assert _applied(exact) == [("R1", "10024", D("3397.00"), D("3.00"))]


def test_a_reference_to_another_customers_invoice_the_money_does_not_fit_tries_the_payers():
    # Northwind's account pays 700.00 naming 30001 (Blue Ridge's, 4,000.00 open): a typing
    # error for one of Northwind's own? 10025 is open for exactly 700.00: applied there
    receipts = _receipts(("R1", "700.00", "", "111000111", "30001"))
    result = match(NORTHWIND, receipts, customers=_customers())
    (row,) = result.applications.to_pylist()
    assert (row["customer"], row["invoice"], row["applied"]) == ("C1", "10025", D("700.00"))
    assert row["rule"] == "open_item_amount"
    assert row["explanation"].startswith(
        "the text's reference names 30001 of Blue Ridge Hospital (C3), which the money does "
        "not fit: set aside; the payer's bank account 111000111 is that of Northwind"
    )
    # nothing of Northwind's fits 999.00: the reference is suggested, as before
    unsure = match(
        NORTHWIND, _receipts(("R1", "999.00", "", "111000111", "30001")), customers=_customers()
    )
    assert unsure.applications.num_rows == 0
    (suggested,) = unsure.suggestions.to_pylist()
    assert (suggested["invoice"], suggested["confidence"]) == ("30001", D("0.75"))
    assert unsure.unapplied.to_pylist()[0]["reason"] == "suggestion"


def test_a_number_inside_a_whole_invoice_number_names_only_that_invoice():
    # two number series end in the same digits: INV-000697 and 2026-00697; the year of
    # 2026-05614 is also the end of INV-002026
    items = _items(
        ("C1", "INV-000697", 1, "605.11"),
        ("C3", "2026-00697", 2, "311.97"),
        ("C2", "INV-002026", 3, "23.92"),
        ("C3", "2026-05614", 4, "1163.59"),
    )
    receipts = _receipts(
        ("R1", "605.11", "", "", "INV-000697 PO 4504331228"),
        ("R2", "1163.59", "", "", "2026-05614"),
        ("R3", "311.97", "", "", "00697"),
        # zeros after the prefix do not count; a list joined by slashes is several words
        ("R4", "23.92", "", "", "INV 2026"),
        ("R5", "1769.03", "", "", "INV INV-000697/2026-05614"),
    )
    result = match(items, receipts)
    assert _applied(result) == [
        ("R1", "INV-000697", D("605.11"), D("0.00")),
        ("R2", "2026-05614", D("1163.59"), D("0.00")),
        ("R4", "INV-002026", D("23.92"), D("0.00")),
    ]
    # only the digits, which both series end in: a person decides
    assert sorted(r["invoice"] for r in result.suggestions.to_pylist() if r["receipt"] == "R3") == [
        "2026-00697",
        "INV-000697",
    ]
    # R5 names invoices of two customers (C1's and C3's) with no account to choose: suggested,
    # and only the two it names, not INV-002026 (its year) nor 2026-00697 (its last digits)
    assert sorted(r["invoice"] for r in result.suggestions.to_pylist() if r["receipt"] == "R5") == [
        "2026-05614",
        "INV-000697",
    ]


def test_the_customer_of_a_remittance_advice_decides_its_lines_several_customers_could_own():
    items = _items(
        ("C1", "INV-000697", 1, "605.11"),
        ("C1", "INV-000700", 2, "100.00"),
        ("C3", "2026-00700", 3, "50.00"),
    )
    receipts = _receipts(("R1", "705.11", "", "", ""))
    lines = _remittance(
        ("R1", "INV-000697", "605.11", None, None, None),
        ("R1", "700", "100.00", None, None, None),  # INV-000700 or 2026-00700
    )
    result = match(items, receipts, remittance=lines)
    assert _applied(result) == [
        ("R1", "INV-000697", D("605.11"), D("0.00")),
        ("R1", "INV-000700", D("100.00"), D("0.00")),
    ]


def test_two_receipts_for_one_invoice_the_second_finds_it_paid():
    receipts = _receipts(
        ("R1", "1250.00", "", "111000111", "INV 10023"),
        ("R2", "1250.00", "", "111000111", "INV 10023"),
    )
    result = match(NORTHWIND, receipts, customers=_customers())
    assert _applied(result) == [("R1", "10023", D("1250.00"), D("0.00"))]
    (row,) = result.unapplied.to_pylist()
    assert (row["receipt"], row["reason"], row["customer"]) == ("R2", "on_account", "C1")
    _assert_money_kept(result, receipts)


# -- remittance --------------------------------------------------------------------------------


def _remittance(*rows) -> pa.Table:
    """(receipt, invoice, paid, invoiced, adjustment, reason)"""
    columns = list(zip(*rows, strict=True))
    columns[2:5] = [[None if v is None else D(v) for v in c] for c in columns[2:5]]
    return pa.table(columns, schema=REMITTANCE_SCHEMA)


def test_remittance_lines_applied_as_given_with_deductions_as_cases():
    receipts = _receipts(("R1", "4700.00", "NORTHWIND", "111000111", "EDI PAYMENT"))
    lines = _remittance(
        ("R1", "10023", "1250.00", "1250.00", None, None),
        ("R1", "10024", "3300.00", "3400.00", "-100.00", "01"),
        ("R1", "10025", "150.00", "700.00", "-550.00", "ZZ"),
    )
    result = match(NORTHWIND, receipts, customers=_customers(), remittance=lines)
    assert _applied(result) == [
        ("R1", "10023", D("1250.00"), D("0.00")),
        ("R1", "10024", D("3300.00"), D("0.00")),
        ("R1", "10025", D("150.00"), D("0.00")),
    ]
    assert {r["rule"] for r in result.applications.to_pylist()} == {"remittance"}
    cases = [
        (r["invoice"], r["amount"], r["type"], r["reason_code"], r["external_reason"])
        for r in result.cases.to_pylist()
    ]
    assert cases == [
        ("10024", D("100.00"), "deduction", "pricing", "01"),  # X12 ADX 01: pricing error
        ("10025", D("550.00"), "deduction", "other", "ZZ"),  # unknown: other, code kept
    ]
    assert "reason code 'ZZ', our reason other" in result.cases.to_pylist()[1]["explanation"]
    assert result.unapplied.num_rows == 0
    # the customer's codes mapped our way
    ours = MatchSettings(reasons={"ZZ": "promotion_rebate"})
    mapped = match(NORTHWIND, receipts, remittance=lines, settings=ours)
    assert [r["reason_code"] for r in mapped.cases.to_pylist()] == ["other", "promotion_rebate"]


def test_remittance_naming_an_invoice_not_open_keeps_that_money_on_account():
    receipts = _receipts(("R1", "1350.00", "NORTHWIND", "111000111", ""))
    lines = _remittance(
        ("R1", "10023", "1250.00", None, None, None),
        ("R1", "99999", "100.00", None, None, None),
    )
    result = match(NORTHWIND, receipts, customers=_customers(), remittance=lines)
    assert _applied(result) == [("R1", "10023", D("1250.00"), D("0.00"))]
    (row,) = result.unapplied.to_pylist()
    assert (row["amount"], row["reason"]) == (D("100.00"), "on_account")
    assert "99999 of the remittance advice is not open" in row["explanation"]
    # from a payer nobody knows, money that pays nothing open is unidentified
    stranger = _receipts(("R1", "100.00", "", "", ""))
    lines = _remittance(("R1", "99999", "100.00", None, None, None))
    (row,) = match(NORTHWIND, stranger, remittance=lines).unapplied.to_pylist()
    assert (row["customer"], row["reason"]) == (None, "unidentified")


# -- by amount ---------------------------------------------------------------------------------


def test_subset_tie_goes_to_the_oldest_due_dates():
    items = _items(
        ("C2", "A", 20, "300.00"),
        ("C2", "B", 10, "200.00"),
        ("C2", "C", 15, "100.00"),
        ("C2", "D", 5, "400.00"),
    )
    # 500.00 = D+C (due 5th and 15th) = B+A (10th and 20th) = D+C... the oldest is D then C;
    # a guess among several sets is only a suggestion unless the threshold allows it (0.85)
    receipts = _receipts(("R1", "500.00", "", "222000222", ""))
    guessed = match(items, receipts, customers=_customers())
    assert guessed.applications.num_rows == 0
    assert [r["invoice"] for r in guessed.suggestions.to_pylist()] == ["D", "C"]
    assert guessed.unapplied.to_pylist()[0]["reason"] == "suggestion"
    oldest = MatchSettings(threshold=D("0.85"))
    result = match(items, receipts, customers=_customers(), settings=oldest)
    rows = result.applications.to_pylist()
    assert [r["invoice"] for r in rows] == ["D", "C"]
    assert {r["rule"] for r in rows} == {"open_items_oldest"}
    assert {r["confidence"] for r in rows} == {D("0.85")}
    assert "the one with the oldest due dates wins" in rows[0]["explanation"]


def test_a_reference_one_digit_off_the_payers_only_invoice_for_that_amount_is_corrected():
    # two look-alikes of 500.00: by amount alone a guess; the text's mistyped number decides
    items = _items(
        ("C2", "INV-20015", 10, "500.00"),
        ("C2", "INV-20016", 12, "500.00"),
        ("C2", "INV-20017", 14, "750.00"),
    )
    receipts = _receipts(
        ("R1", "500.00", "", "222000222", "INV 20051"),  # 1 and 5 swapped
        ("R2", "500.00", "", "222000222", "PAYMENT 20046"),  # one digit changed
        ("R3", "750.00", "", "222000222", "INV 20013"),  # one digit changed, one invoice of 750
    )
    result = match(items, receipts, customers=_customers())
    rows = {r["receipt"]: r for r in result.applications.to_pylist()}
    assert (rows["R1"]["invoice"], rows["R1"]["rule"], rows["R1"]["confidence"]) == (
        "INV-20015",
        "reference_corrected",
        D("0.92"),
    )
    assert "the text's 20051 is one digit off invoice INV-20015" in rows["R1"]["explanation"]
    assert (rows["R2"]["invoice"], rows["R2"]["rule"]) == ("INV-20016", "reference_corrected")
    # 20013 is one digit off 20017 too (one digit changed): the only invoice for 750.00
    assert (rows["R3"]["invoice"], rows["R3"]["rule"]) == ("INV-20017", "reference_corrected")
    _assert_money_kept(result, receipts)


def test_a_mistyped_reference_near_two_look_alikes_is_not_guessed():
    items = _items(("C2", "20015", 10, "500.00"), ("C2", "20035", 12, "500.00"))
    # 20025 is one digit off both: nothing decides between them
    receipts = _receipts(("R1", "500.00", "", "222000222", "INV 20025"))
    result = match(items, receipts, customers=_customers())
    assert result.applications.num_rows == 0
    (suggested,) = result.suggestions.to_pylist()
    # the two are equal amounts: the oldest is suggested, the number said to name neither
    assert (suggested["invoice"], suggested["rule"]) == ("20015", "open_items_equal")
    assert "the text's 20025 names none of them" in suggested["explanation"]


def test_a_set_of_many_invoices_found_by_amount_alone_is_only_suggested():
    # powers of two: every sum is one set only. Three invoices are applied; four are only
    # suggested, since among a customer's 30 open items sets of four or five meet an amount
    # by chance (bench/cash_match.py: prepayments "paying" five invoices)
    items = _items(*[("C2", f"P{n}", n + 1, f"{2**n}.00") for n in range(5)])
    three = match(items, _receipts(("R1", "7.00", "", "222000222", "")), customers=_customers())
    assert [r["invoice"] for r in three.applications.to_pylist()] == ["P0", "P1", "P2"]
    receipts = _receipts(("R1", "15.00", "", "222000222", ""))
    four = match(items, receipts, customers=_customers())
    assert four.applications.num_rows == 0
    assert [r["invoice"] for r in four.suggestions.to_pylist()] == ["P0", "P1", "P2", "P3"]
    assert (
        "sets this large add up to an amount by chance" in four.unapplied["explanation"][0].as_py()
    )
    allowed = MatchSettings(subset_sure_size=4)
    applied = match(items, receipts, customers=_customers(), settings=allowed)
    assert [r["rule"] for r in applied.applications.to_pylist()] == ["open_items_sum"] * 4


def test_subset_search_bounds_are_respected():
    items = _items(*[("C2", f"I{n}", n + 1, "100.00") for n in range(10)])
    receipts = _receipts(("R1", "600.00", "", "222000222", ""))
    at_most_five = match(items, receipts, customers=_customers())
    assert at_most_five.applications.num_rows == 0
    (row,) = at_most_five.unapplied.to_pylist()
    assert row["reason"] == "on_account"
    assert "no set of at most 5 of its 10 oldest open items" in row["explanation"]
    # (ten invoices of 100.00: several sets of six fit; the oldest applies at threshold 0.85)
    six_settings = MatchSettings(subset_max_size=6, threshold=D("0.85"))
    six = match(items, receipts, customers=_customers(), settings=six_settings)
    assert [r["invoice"] for r in six.applications.to_pylist()] == [f"I{n}" for n in range(6)]
    # sets are searched among the 3 oldest-due items only: 20.00 + 80.00 is not found
    items = _items(
        ("C2", "X1", 1, "10.00"),
        ("C2", "X2", 2, "20.00"),
        ("C2", "X3", 3, "40.00"),
        ("C2", "X4", 4, "80.00"),
    )
    receipts = _receipts(("R1", "100.00", "", "222000222", ""))
    few = MatchSettings(subset_max_items=3)
    assert match(items, receipts, customers=_customers(), settings=few).applications.num_rows == 0
    found = match(items, receipts, customers=_customers()).applications.to_pylist()
    rules = [(r["invoice"], r["rule"]) for r in found]
    assert rules == [("X2", "open_items_sum"), ("X4", "open_items_sum")]
    # one invoice for exactly the amount is found among all of them, however late it falls due
    single = match(
        items, _receipts(("R1", "80.00", "", "222000222", "")), customers=_customers(), settings=few
    )
    assert [(r["invoice"], r["rule"]) for r in single.applications.to_pylist()] == [
        ("X4", "open_item_amount")
    ]


def test_subset_search_itself():
    assert subset_search([100, 200, 300], 300, max_size=5, max_steps=100) == ([0, 1], 2, True)
    assert subset_search([100, 200], 250, max_size=5, max_steps=100) == (None, 0, True)
    assert subset_search([5, 5, 5], 15, max_size=2, max_steps=100) == (None, 0, True)
    found, _count, complete = subset_search([1] * 40, 39, max_size=40, max_steps=10)
    assert (found, complete) == (None, False)


def test_referenced_receipts_take_their_invoices_before_a_search_by_amount():
    # R1 (no reference, dated first) could take 10024 by amount; R2 refers to it
    items = _items(("C1", "10024", 3, "3400.00"), ("C1", "10099", 9, "3400.00"))
    receipts = _receipts(
        ("R1", "3400.00", "", "111000111", ""),
        ("R2", "3400.00", "", "111000111", "INV 10024"),
    )
    result = match(items, receipts, customers=_customers())
    assert sorted((r["receipt"], r["invoice"]) for r in result.applications.to_pylist()) == [
        ("R1", "10099"),
        ("R2", "10024"),
    ]


# -- identification ----------------------------------------------------------------------------


def test_fuzzy_payer_name_identifies_the_customer():
    items = _items(("C2", "20011", 1, "15000.00"))
    result = match(
        items, _receipts(("R1", "15000.00", "APEX COLOCATION", "", "")), customers=_customers()
    )
    (row,) = result.applications.to_pylist()
    assert (row["customer"], row["identified_by"], row["confidence"]) == ("C2", "name", D("0.90"))
    assert name_key("Apex Colocation, LLC") == "apex colocation"
    # a name that only resembles one, and money that two of its invoices add up to: found,
    # but too unsure to apply
    items = _items(
        ("C2", "20011", 1, "15000.00"), ("C2", "20012", 2, "5000.00"), ("C2", "20013", 3, "2500.00")
    )
    near = match(
        items, _receipts(("R1", "7500.00", "APEX COLLOCATION", "", "")), customers=_customers()
    )
    assert near.applications.num_rows == 0
    suggestions = near.suggestions.to_pylist()
    assert {(s["customer"], s["invoice"]) for s in suggestions} == {
        ("C2", "20012"),
        ("C2", "20013"),
    }
    assert all(s["confidence"] < D("0.90") for s in suggestions)
    assert "resembles Apex Colocation LLC" in suggestions[0]["explanation"]
    # ... but money that is to the cent its only invoice of the amount confirms the name
    sure = match(
        items, _receipts(("R1", "15000.00", "APEX COLLOCATION", "", "")), customers=_customers()
    )
    (row,) = sure.applications.to_pylist()
    assert (row["invoice"], row["rule"], row["confidence"]) == (
        "20011",
        "open_item_amount",
        D("0.90"),
    )
    assert (
        "and the amount, that of its only open invoice for 15,000.00, agrees" in row["explanation"]
    )


def test_unknown_payer_is_unidentified():
    result = match(
        NORTHWIND,
        _receipts(("R1", "1250.00", "JOHN SMITH", "555", "THANKS")),
        customers=_customers(),
    )
    assert result.applications.num_rows == 0
    (row,) = result.unapplied.to_pylist()
    assert (row["customer"], row["reason"], row["amount"]) == (None, "unidentified", D("1250.00"))


def test_learnt_links_identify_a_payer_account():
    links = pa.table([["DE44 5001 0517 5407 3249 31"], ["C3"]], schema=LINKS_SCHEMA)
    result = match(
        NORTHWIND,
        _receipts(("R1", "4000.00", "BRH FOUNDATION", "DE44500105175407324931", "")),
        customers=_customers(),
        links=links,
    )
    (row,) = result.applications.to_pylist()
    assert (row["customer"], row["invoice"], row["identified_by"]) == ("C3", "30001", "link")
    assert "linked to Blue Ridge Hospital (C3) by a person before" in row["explanation"]


def test_below_the_threshold_a_match_is_only_suggested():
    receipts = _receipts(("R1", "4650.00", "", "111000111", ""))
    sure = match(NORTHWIND, receipts, customers=_customers())
    assert [r["invoice"] for r in sure.applications.to_pylist()] == ["10023", "10024"]
    unsure = match(
        NORTHWIND, receipts, customers=_customers(), settings=MatchSettings(threshold=D("0.99"))
    )
    assert unsure.applications.num_rows == 0
    assert [(r["invoice"], r["amount"]) for r in unsure.suggestions.to_pylist()] == [
        ("10023", D("1250.00")),
        ("10024", D("3400.00")),
    ]
    (row,) = unsure.unapplied.to_pylist()
    assert (row["reason"], row["customer"], row["amount"]) == ("suggestion", "C1", D("4650.00"))
    assert "below the threshold 0.99" in row["explanation"]


def test_remittance_links_and_reasons_from_files(tmp_path, capsys):
    bank = tmp_path / "bank.csv"
    bank.write_text(
        "receipt,date,amount,currency,payer_name,payer_account,text\n"
        "R1,2026-10-27,4550.00,USD,NWD,ACC-9,EDI\n"
        "R2,2026-10-27,980.50,USD,NWD,ACC-9,\n"
    )
    (tmp_path / "remittance.csv").write_text(
        "receipt,invoice,paid,invoiced,adjustment,adjustment_reason\n"
        "R1,10023,1250.00,1250.00,,\n"
        "R1,10024,3300.00,3400.00,-100.00,AX\n"
    )
    (tmp_path / "reasons.csv").write_text("external_code,reason_code\nAX,freight\n")
    (tmp_path / "links.csv").write_text("payer_account,customer\nACC9,C1\n")
    out = tmp_path / "out"
    args = ["calc", "match", "--items", str(CASE / "open_items.csv"), "--bank", str(bank)]
    for name in ("remittance", "reasons", "links"):
        args += [f"--{name}", str(tmp_path / f"{name}.csv")]
    args += ["--customers", str(CASE / "customers.csv"), "--out", str(out), "--json"]
    assert main(args) == 0
    applied = [(r["receipt"], r["invoice"], r["applied"]) for r in _csv(out / "applications.csv")]
    assert applied == [
        ("R1", "10023", "1250.00"),
        ("R1", "10024", "3300.00"),
        ("R2", "10031", "980.50"),  # by the learnt link (ACC-9 is ACC9) and the amount
    ]
    (case,) = _csv(out / "cases.csv")
    assert (case["type"], case["amount"], case["reason_code"], case["external_reason"]) == (
        "deduction",
        "100.00",
        "freight",
        "AX",
    )
    assert json.loads(capsys.readouterr().out)["cases"]["deduction"]["count"] == 1


# -- bad input ---------------------------------------------------------------------------------


def test_bad_input_names_file_line_and_column_and_writes_nothing(tmp_path, capsys):
    bank = tmp_path / "bank.csv"
    lines = (CASE / "bank.csv").read_text().splitlines()
    lines[2] = lines[2].replace("980.50", "98O.50")  # line 3 of the file
    bank.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    args = ["calc", "match", "--items", str(CASE / "open_items.csv"), "--bank", str(bank)]
    assert main([*args, "--out", str(out), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    (problem,) = report["problems"]
    assert (problem["file"], problem["line"], problem["column"]) == ("bank.csv", 3, "amount")
    assert "'98O.50' is not an amount" in problem["message"]
    assert not out.exists()


def test_every_problem_of_every_file_is_reported(tmp_path):
    items = tmp_path / "items.csv"
    items.write_text(
        "customer,invoice,invoice_date,due_date,open_amount,currency\n"
        "C1,1,2026-09-01,2026-10-01,10.00,USD\n"
        "C1,1,2026-09-01,2026-08-01,10.00,USD\n"
    )
    bank = tmp_path / "bank.csv"
    bank.write_text("receipt,date,amount,currency\nR1,2026-10-27,0.00,USD\n")
    remittance = tmp_path / "remittance.csv"
    remittance.write_text("receipt,invoice,paid\nR9,1,5.00\n")
    with pytest.raises(InputError) as error:
        inputs_read(items=items, bank=bank)
    assert [p[:3] for p in error.value.problems] == [
        ("items.csv", 3, "invoice"),
        ("items.csv", 3, "due_date"),
        ("bank.csv", 2, "amount"),
    ]
    bank.write_text("receipt,date,amount,currency\nR1,2026-10-27,5.00,USD\n")
    with pytest.raises(InputError) as error:
        inputs_read(items=CASE / "open_items.csv", bank=bank, remittance=remittance)
    assert [p[:3] for p in error.value.problems] == [("remittance.csv", 2, "receipt")]


# -- many receipts -----------------------------------------------------------------------------


def test_generated_receipts_agree_with_a_naive_expectation():
    """3,000 invoices of 300 customers, 1,500 receipts: 900 naming their invoice (some short by
    a few cents), 300 paying one invoice by amount without a reference, 300 from strangers."""
    rng = random.Random(20261027)
    items, customers, truth = [], [], {}
    for c in range(300):
        customers.append((f"C{c}", f"Customer {c} Ltd", f"ACCT{c:05d}"))
        for n in range(10):
            number = f"{100000 + c * 10 + n}"
            cents = rng.randrange(10_000, 5_000_000)
            items.append((f"C{c}", number, 1 + n, f"{cents / 100:.2f}"))
    receipts = []
    chosen = rng.sample(items, 1200)
    for index, (customer, number, _due, amount) in enumerate(chosen):
        account = f"ACCT{int(customer[1:]):05d}"
        if index < 900:
            short = D(rng.choice(["0.00", "0.00", "0.00", "1.50"]))
            text = rng.choice(["INV {}", "inv-{}", "PAYMENT {} THANK YOU", "{}", "REF 0{}"])
            paid = D(amount) - short
            receipts.append((f"R{index:05d}", str(paid), "", account, text.format(number)))
            truth[f"R{index:05d}"] = (number, paid, short)
        else:
            receipts.append((f"R{index:05d}", amount, "", account, "ACH CREDIT"))
    for index in range(300):
        receipts.append((f"S{index:05d}", "12.34", f"STRANGER {index}", f"X{index}", "HELLO"))
    receipts_table = _receipts(*receipts)
    result = match(_items(*items), receipts_table, customers=_customers(customers))
    applied = {}
    for row in result.applications.to_pylist():
        applied.setdefault(row["receipt"], []).append(row)
    for receipt, (number, paid, short) in truth.items():
        (row,) = applied[receipt]
        assert (row["invoice"], row["applied"], row["write_off"]) == (number, paid, short)
    by_amount = [r for r in receipts if r[4] == "ACH CREDIT"]
    assert sum(1 for r in by_amount if r[0] in applied) >= 0.95 * len(by_amount)
    for row in result.applications.to_pylist():
        if row["receipt"] not in truth:
            assert row["rule"] in ("open_item_amount", "open_items_sum", "open_items_oldest")
            assert row["identified_by"] == "account"
    strangers = [r for r in result.unapplied.to_pylist() if r["receipt"].startswith("S")]
    assert len(strangers) == 300
    assert {r["reason"] for r in strangers} == {"unidentified"}
    # no invoice is paid beyond what it had open
    opened = {(c, n): D(a) for c, n, _d, a in items}
    paid_on: dict[tuple, Decimal] = {}
    for row in result.applications.to_pylist():
        key = (row["customer"], row["invoice"])
        paid_on[key] = paid_on.get(key, D(0)) + row["applied"] + row["write_off"]
    assert all(total <= opened[key] for key, total in paid_on.items())
    _assert_money_kept(result, receipts_table)


def test_reading_the_case_files_gives_the_engines_tables():
    assert items_read(CASE / "open_items.csv").schema == ITEMS_SCHEMA
    assert customers_read(CASE / "customers.csv").num_rows == 3


def test_equal_amounts_pay_the_oldest_due_never_one_in_dispute():
    items = _items(
        ("C2", "50001", 1, "500.00", True),
        ("C2", "50002", 2, "500.00"),
        ("C2", "50003", 3, "500.00"),
    )
    receipts = _receipts(
        ("R1", "500.00", "", "222000222", "MONTHLY FEE"), ("R2", "500.00", "", "222000222", "")
    )
    result = match(items, receipts, customers=_customers())
    rows = {r["receipt"]: r for r in result.applications.to_pylist()}
    assert {k: (r["invoice"], r["rule"]) for k, r in rows.items()} == {
        "R1": ("50002", "open_items_equal"),
        "R2": ("50003", "open_item_amount"),
    }
    assert (
        "2 open invoices of Apex Colocation LLC (C2) are for exactly 500.00 and nothing names "
        "one: the oldest due, 50002, is paid first (1 more for the amount in dispute: 50001, "
        "never chosen by amount)" in rows["R1"]["explanation"]
    )
    assert rows["R1"]["confidence"] == D("0.90")
    # named, the disputed invoice is paid: the customer says which
    named = match(
        items, _receipts(("R3", "500.00", "", "222000222", "50001")), customers=_customers()
    )
    assert [(r["invoice"], r["rule"]) for r in named.applications.to_pylist()] == [
        ("50001", "reference")
    ]


def test_equal_amounts_are_only_suggested_beside_a_receipt_of_the_amount_nobody_placed():
    items = _items(("C2", "B1", 1, "500.00"), ("C2", "B2", 2, "500.00"))
    receipts = _receipts(
        ("U1", "500.00", "", "999999999", ""), ("R1", "500.00", "", "222000222", "")
    )
    result = match(items, receipts, customers=_customers())
    assert result.applications.num_rows == 0
    (suggested,) = result.suggestions.to_pylist()
    assert (suggested["receipt"], suggested["invoice"]) == ("R1", "B1")
    assert suggested["confidence"] == D("0.85")
    assert (
        "1 other receipt of exactly 500.00, of that day or earlier, could not be placed"
        in suggested["explanation"]
    )


def test_a_payer_name_cut_short_is_the_start_of_the_customers():
    receipts = _receipts(("R1", "700.00", "NORTHWIND DATA C", "", "ACH CREDIT"))
    result = match(NORTHWIND, receipts, customers=_customers())
    (row,) = result.applications.to_pylist()
    assert (row["invoice"], row["identified_by"], row["confidence"]) == ("10025", "name", D("0.90"))
    assert (
        "the payer's name 'NORTHWIND DATA C' is the start of Northwind Data Centers Inc's (C1), "
        "cut short" in row["explanation"]
    )


def test_a_name_several_customers_share_is_told_apart_by_the_money():
    customers = _customers([*CUSTOMERS, ("C4", "Apex Colocation Ltd", "444000444")])
    items = _items(("C2", "20011", 1, "15000.00"), ("C4", "40001", 1, "900.00"))
    told = match(items, _receipts(("R1", "900.00", "APEX COLOCATION", "", "")), customers=customers)
    (row,) = told.applications.to_pylist()
    assert (row["customer"], row["invoice"], row["rule"]) == ("C4", "40001", "open_item_amount")
    assert (
        "the payer's name 'APEX COLOCATION' is that of several customers: Apex Colocation LLC "
        "(C2), Apex Colocation Ltd (C4); only Apex Colocation Ltd (C4) has an open invoice for "
        "exactly 900.00" in row["explanation"]
    )
    untold = match(
        items, _receipts(("R1", "123.00", "APEX COLOCATION", "", "")), customers=customers
    )
    (left,) = untold.unapplied.to_pylist()
    assert left["reason"] == "unidentified"
    assert "and the money tells none of them apart" in left["explanation"]


def test_a_mistyped_number_finds_its_invoice_whoever_pays():
    # no payer known: 10042 names nothing, and is 10024 with two digits swapped, open for
    # exactly 3,400.00
    unknown = match(
        NORTHWIND, _receipts(("R1", "3400.00", "", "", "INV 10042")), customers=_customers()
    )
    (row,) = unknown.applications.to_pylist()
    assert (row["invoice"], row["rule"], row["identified_by"]) == (
        "10024",
        "reference_corrected",
        "reference",
    )
    assert row["confidence"] == D("0.92")
    # 10023 is open (1,250.00), but 700.00 does not fit it; 10025, one digit off, is open for
    # exactly 700.00: the number was mistyped
    landed = match(
        NORTHWIND, _receipts(("R1", "700.00", "", "", "PAYMENT 10023")), customers=_customers()
    )
    (row,) = landed.applications.to_pylist()
    assert (row["invoice"], row["applied"], row["rule"]) == (
        "10025",
        D("700.00"),
        "reference_corrected",
    )
    assert row["explanation"].startswith(
        "the text's reference names 10023 of Northwind Data Centers Inc (C1), which the money "
        "does not fit; the payer is told by the corrected reference; the text's 10023 is one "
        "digit off invoice 10025"
    )


def test_receipts_searched_by_amount_take_equal_amounts_in_date_order():
    # the later receipt's payer is told by its account, the earlier one's by name only: the
    # earlier still takes the older invoice
    items = _items(("C2", "E1", 1, "300.00"), ("C2", "E2", 2, "300.00"))
    receipts = _receipts(
        ("R2", "300.00", "", "222000222", ""), ("R1", "300.00", "APEX COLOCATION LLC", "", "")
    )
    dates = pa.array([DAY + dt.timedelta(days=1), DAY], pa.date32())
    receipts = receipts.set_column(receipts.schema.get_field_index("date"), "date", dates)
    result = match(items, receipts, customers=_customers())
    assert {r["receipt"]: r["invoice"] for r in result.applications.to_pylist()} == {
        "R1": "E1",
        "R2": "E2",
    }


def test_equal_amounts_may_be_left_to_a_person():
    items = _items(("C2", "50002", 2, "500.00"), ("C2", "50003", 3, "500.00"))
    receipts = _receipts(("R1", "500.00", "", "222000222", ""))
    settings = MatchSettings(equal_amounts="suggest")
    result = match(items, receipts, customers=_customers(), settings=settings)
    assert result.applications.num_rows == 0
    (suggested,) = result.suggestions.to_pylist()
    assert (suggested["invoice"], suggested["confidence"]) == ("50002", D("0.85"))
    assert "equal amounts are only suggested" in suggested["explanation"]
    with pytest.raises(ValueError, match="equal_amounts is one of oldest, suggest"):
        MatchSettings(equal_amounts="newest")
