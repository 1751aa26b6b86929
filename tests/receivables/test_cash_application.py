"""Cash application on the ledger (`revdesk cash apply`): the worked case of
../shared/examples/cash-application/01-matching reproduced through the database, to the cent,
and a file is read once, whole or not at all."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from revdesk.cases.models import Case, Notification
from revdesk.cli import main
from revdesk.engine.bankfiles import BankFileError
from revdesk.parties.models import Customer, CustomerBankAccount
from revdesk.receivables.cash import AlreadyRead, cash_apply
from revdesk.receivables.models import (
    BankFile,
    Invoice,
    Payment,
    PaymentApplication,
    RemittanceLine,
    WriteOff,
)

D = Decimal
pytestmark = pytest.mark.django_db
EXAMPLE = Path(__file__).parents[2] / ".." / "shared" / "examples" / "cash-application"
CASE = EXAMPLE / "01-matching"
BANK = Path(__file__).parents[2] / ".." / "shared" / "fixtures" / "bank"


def _rows(name: str) -> list[dict]:
    with (CASE / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def example_ledger(world):
    """The worked case's customers (their bank accounts in the master) and open invoices; C3's
    collector is `collector`."""
    customers = {}
    for row in _rows("customers.csv"):
        customers[row["customer"]] = Customer.objects.create(
            code=row["customer"],
            name=row["name"],
            country="US",
            currency="USD",
            collector=world.users["collector"] if row["customer"] == "C3" else None,
        )
        CustomerBankAccount.objects.create(
            customer=customers[row["customer"]], account=row["bank_account"]
        )
    for row in _rows("open_items.csv"):
        Invoice.objects.create(
            number=row["invoice"],
            customer=customers[row["customer"]],
            issued_on=dt.date.fromisoformat(row["invoice_date"]),
            due_on=dt.date.fromisoformat(row["due_date"]),
            currency=row["currency"],
            amount=D(row["open_amount"]),
            balance=D(row["open_amount"]),
        )
    return customers


def test_the_worked_case_through_the_ledger(example_ledger, world, tmp_path):
    bank = tmp_path / "bank.csv"
    shutil.copy(CASE / "bank.csv", bank)
    run = cash_apply(path=bank, actor=world.users["ops"])

    applied = [
        (a.payment.number, a.invoice.number, a.amount)
        for a in PaymentApplication.objects.select_related("payment", "invoice").order_by(
            "payment__number", "invoice__number"
        )
    ]
    assert applied == [
        (r["receipt"], r["invoice"], D(r["applied"])) for r in _rows("expected_applications.csv")
    ]
    written_off = {w.invoice.number: w.amount for w in WriteOff.objects.select_related("invoice")}
    assert written_off == {
        r["invoice"]: D(r["write_off"])
        for r in _rows("expected_applications.csv")
        if D(r["write_off"])
    }
    # the balances follow: every invoice paid but 30001 (100.00 short, in a case)
    assert {i.number: i.balance for i in Invoice.objects.filter(balance__gt=0)} == {
        "30001": D("100.00")
    }
    cases = [
        (c.customer.code, c.amount, c.case_type.code)
        for c in Case.objects.select_related("customer", "case_type")
    ]
    assert cases == [
        (r["customer"], D(r["amount"]), r["type"]) for r in _rows("expected_cases.csv")
    ]
    case = Case.objects.get()
    assert case.reason.code == "unknown"
    # the customer's collector hears of the short payment
    assert Notification.objects.filter(user=world.users["collector"], case=case).exists()

    unapplied = {
        p.number: (p.customer.code if p.customer else "", p.amount, p.status)
        for p in Payment.objects.exclude(status__in=["applied"]).select_related("customer")
    }
    assert unapplied == {
        r["receipt"]: (r["customer"], D(r["amount"]), r["reason"])
        for r in _rows("expected_unapplied.csv")
    }
    assert Payment.objects.get(number="P6").status_reason
    # every automatic application says how and why
    p1 = PaymentApplication.objects.get(payment__number="P1", invoice__number="10023")
    assert (p1.rule, p1.confidence) == ("reference", D("1.000"))
    assert "10023" in p1.explanation
    # where each receipt came from
    p7 = Payment.objects.get(number="P7")
    assert (p7.payer_name, p7.payer_account, p7.reference, p7.bank_file) == (
        "JOHN SMITH",
        "555000555",
        "THANK YOU",
        run.bank_file,
    )
    assert run.summary["receipts"] == 8


def test_a_file_is_read_once(example_ledger, world, tmp_path):
    bank = tmp_path / "bank.csv"
    shutil.copy(CASE / "bank.csv", bank)
    cash_apply(path=bank, actor=world.users["ops"])
    again = tmp_path / "bank-again.csv"
    shutil.copy(CASE / "bank.csv", again)
    with pytest.raises(AlreadyRead, match=r"was read on .* as bank\.csv"):
        cash_apply(path=again, actor=world.users["ops"])
    assert Payment.objects.count() == 8
    assert BankFile.objects.count() == 1
    # saved again by a spreadsheet (other bytes, the same receipts): not read twice either
    resaved = tmp_path / "bank-resaved.csv"
    resaved.write_text((CASE / "bank.csv").read_text().replace("\n", "\r\n"))
    with pytest.raises(AlreadyRead, match=r"8 of its receipts came in an earlier bank file"):
        cash_apply(path=resaved, actor=world.users["ops"])
    assert Payment.objects.count() == 8


def test_a_broken_file_leaves_nothing(example_ledger, world, tmp_path):
    bank = tmp_path / "bank.csv"
    lines = (CASE / "bank.csv").read_text().splitlines()
    lines[3] = lines[3].replace("24750.00", "24750.0O")
    bank.write_text("\n".join(lines) + "\n")
    with pytest.raises(BankFileError) as error:
        cash_apply(path=bank, actor=world.users["ops"])
    (problem,) = error.value.problems
    assert problem[:3] == ("bank.csv", 4, "amount")
    assert not BankFile.objects.exists()
    assert not Payment.objects.exists()


def test_an_x12_remittance_is_applied_as_given(world, tmp_path):
    """The 003010 trade remittance: 18,806.08 for invoices 0900 and 8221."""
    payer = Customer.objects.create(code="SU1", name="Supplier", country="US", currency="USD")
    for number, amount in (("0900", "8136.13"), ("8221", "10669.95")):
        Invoice.objects.create(
            number=number,
            customer=payer,
            issued_on=dt.date(1996, 1, 15),
            due_on=dt.date(1996, 2, 15),
            currency="USD",
            amount=D(amount),
            balance=D(amount),
        )
    edi = tmp_path / "remittance.edi"
    shutil.copy(BANK / "edi820" / "trade-remittance-003010.edi", edi)
    cash_apply(path=edi, actor=world.users["ops"])
    assert list(
        RemittanceLine.objects.order_by("invoice_number").values_list("invoice_number", "paid")
    ) == [("0900", D("8136.13")), ("8221", D("10669.95"))]
    assert {
        a.invoice.number: (a.amount, a.rule)
        for a in PaymentApplication.objects.select_related("invoice")
    } == {"0900": (D("8136.13"), "remittance"), "8221": (D("10669.95"), "remittance")}
    (payment,) = Payment.objects.all()
    assert (payment.amount, payment.customer, payment.status, payment.method) == (
        D("18806.08"),
        payer,
        "applied",
        "ach",
    )


def test_the_command_reads_applies_and_refuses(example_ledger, world, tmp_path, capsys):
    bank = tmp_path / "bank.csv"
    shutil.copy(CASE / "bank.csv", bank)
    assert main(["cash", "apply", str(bank)]) == 0
    out = capsys.readouterr().out
    assert "bank.csv (csv): 8 receipts, 6 applied to 9 invoices" in out
    assert "written off (small balances) 3.00 USD" in out
    assert "unapplied, unidentified: 1 (1234.56 USD)" in out
    assert "short payment cases opened: 1" in out
    assert main(["cash", "apply", str(bank)]) == 1
    assert "its receipts are already in (nothing done)" in " ".join(capsys.readouterr().err.split())


def test_a_receipt_taken_back_takes_its_small_balance_write_off_with_it(
    example_ledger, world, tmp_path
):
    from revdesk.receivables import services

    bank = tmp_path / "bank.csv"
    shutil.copy(CASE / "bank.csv", bank)
    cash_apply(path=bank, actor=world.users["ops"])
    p8 = Payment.objects.get(number="P8")
    assert WriteOff.objects.get(invoice__number="20014").payment == p8
    services.payment_reverse(
        payment=p8,
        on=dt.date(2026, 10, 30),
        reason="Recalled by the payer's bank",
        actor=world.users["ops"],
        today=dt.date(2026, 11, 30),
    )
    # nothing of 20014 was paid after all: neither the 7,497.00 nor the 3.00 written off
    assert Invoice.objects.get(number="20014").balance == D("7500.00")
    assert not WriteOff.objects.exists()


def test_a_short_payment_on_an_invoice_already_disputed_opens_no_second_case(
    example_ledger, world, tmp_path
):
    from revdesk.receivables.disputes import dispute_open
    from revdesk.testing import teams_build

    teams_build(world)
    disputed = dispute_open(
        actor=world.users["collector"],
        invoice=Invoice.objects.get(number="30001"),
        reason="pricing",
        amount=D("100.00"),
    )
    bank = tmp_path / "bank.csv"
    shutil.copy(CASE / "bank.csv", bank)
    cash_apply(path=bank, actor=world.users["ops"])
    # P4's 3,900.00 is applied; the 100.00 left is the dispute's already
    assert PaymentApplication.objects.get(payment__number="P4").amount == D("3900.00")
    assert list(Case.objects.all()) == [disputed]
    assert (
        "No short payment case opened on 30001: " in Payment.objects.get(number="P4").status_reason
    )


def test_an_invoice_in_dispute_is_never_chosen_by_amount_alone(example_ledger, world, tmp_path):
    from revdesk.receivables.disputes import dispute_open
    from revdesk.testing import teams_build

    teams_build(world)
    for number, due in (("20091", 1), ("20092", 20)):
        Invoice.objects.create(
            number=number,
            customer=example_ledger["C2"],
            issued_on=dt.date(2026, 9, 1),
            due_on=dt.date(2026, 10, due),
            currency="USD",
            amount=D("640.00"),
            balance=D("640.00"),
        )
    dispute_open(
        actor=world.users["collector"],
        invoice=Invoice.objects.get(number="20091"),
        reason="pricing",
        amount=D("640.00"),
    )
    bank = tmp_path / "bank.csv"
    bank.write_text(
        "receipt,date,amount,currency,payer_name,payer_account,text\n"
        "Q1,2026-10-28,640.00,USD,APEX COLOCATION,222000222,MONTHLY FEE\n"
    )
    cash_apply(path=bank, actor=world.users["ops"])
    (application,) = PaymentApplication.objects.select_related("invoice")
    # the older 20091 is disputed: the customer holds it back; 20092 is the one of the amount
    assert (application.invoice.number, application.amount, application.rule) == (
        "20092",
        D("640.00"),
        "open_item_amount",
    )
    assert (
        "invoice 20092 is the only open invoice of Apex Colocation LLC (C2) for exactly 640.00 "
        "(1 more for the amount in dispute: 20091, never chosen by amount)"
        in application.explanation
    )
    assert Invoice.objects.get(number="20091").balance == D("640.00")
