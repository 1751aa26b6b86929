"""A remittance advice e-mailed to the cases inbox: read (text and attachments), kept, and
applied to its receipt, whether the receipt came first or the advice did."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

import pytest
from openpyxl import Workbook

from revdesk.cases import mail
from revdesk.cases.models import Case
from revdesk.parties.models import BillingContact, Customer, CustomerBankAccount
from revdesk.receivables.cash import cash_apply
from revdesk.receivables.models import Invoice, Payment, PaymentApplication, RemittanceAdvice
from revdesk.testing import teams_build

D = Decimal
pytestmark = pytest.mark.django_db
BANK = Path(__file__).parents[2] / ".." / "shared" / "examples" / "cash-application"
NOW = dt.datetime(2026, 10, 27, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def apex(world):
    """Apex Colocation (C2, pays from 222000222) with two open invoices (320.00 and 200.00),
    and its AP's address known."""
    teams_build(world)
    customer = Customer.objects.create(
        code="C2", name="Apex Colocation LLC", country="US", currency="USD"
    )
    CustomerBankAccount.objects.create(customer=customer, account="222000222")
    BillingContact.objects.create(customer=customer, name="Apex AP", email="ap@apex.example")
    for number, amount in (("INV-0020015", "320.00"), ("INV-0020016", "200.00")):
        Invoice.objects.create(
            number=number,
            customer=customer,
            issued_on=dt.date(2026, 9, 1),
            due_on=dt.date(2026, 10, 1),
            currency="USD",
            amount=D(amount),
            balance=D(amount),
        )
    return customer


def _advice_mail() -> bytes:
    message = EmailMessage()
    message["From"] = "Apex AP <ap@apex.example>"
    message["To"] = "cash@revdesk.example"
    message["Subject"] = "Remittance advice - payment 27 Oct"
    message["Message-ID"] = "<remit-1@apex.example>"
    message.set_content("Hello,\n\nOur ACH of 500.00 today pays the invoices attached.\n")
    book = Workbook()
    book.active.append(["Invoice", "Amount paid"])
    book.active.append(["20015", 300])
    book.active.append(["INV 20016", "200.00"])
    data = io.BytesIO()
    book.save(data)
    message.add_attachment(
        data.getvalue(),
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename="remittance.xlsx",
    )
    return message.as_bytes()


def _ours(case):
    return list(
        case.events.filter(kind="comment", actor_name="Revdesk cash application").order_by(
            "time", "pk"
        )
    )


def _bank_file(tmp_path) -> Path:
    path = tmp_path / "bank.csv"
    path.write_text(
        "receipt,date,amount,currency,payer_name,payer_account,text\n"
        "P6,2026-10-27,500.00,USD,APEX COLOCATION LLC,222000222,\n"
    )
    return path


def test_an_advice_after_its_receipt_applies_it(apex, world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    cash_apply(path=_bank_file(tmp_path), actor=world.users["ops"])
    receipt = Payment.objects.get(number="P6")
    assert receipt.status == "on_account"

    result = mail.message_receive(_advice_mail(), now=NOW)
    case = Case.objects.get(number=result.case_number)
    assert (case.case_type.code, case.customer) == ("remittance_advice", apex)
    advice = RemittanceAdvice.objects.get(case=case)
    assert [(line.invoice_number, line.paid, line.source) for line in advice.lines.all()] == [
        ("INV-0020015", D("300.00"), "remittance.xlsx row 2"),
        ("INV-0020016", D("200.00"), "remittance.xlsx row 3"),
    ]
    assert (advice.status, advice.payment) == ("applied", receipt)
    applied = {
        a.invoice.number: (a.amount, a.rule)
        for a in PaymentApplication.objects.filter(payment=receipt).select_related("invoice")
    }
    assert applied == {
        "INV-0020015": (D("300.00"), "remittance_advice"),
        "INV-0020016": (D("200.00"), "remittance_advice"),
    }
    receipt.refresh_from_db()
    assert receipt.status == "applied"
    # the advice paid 300.00 of the 320.00: the rest is still open
    assert list(
        Invoice.objects.filter(customer=apex, balance__gt=0).values_list("number", "balance")
    ) == [("INV-0020015", D("20.00"))]
    bodies = [e.body for e in _ours(case)]
    assert bodies[0].startswith(
        "Remittance advice read: 2 invoice(s) of Apex Colocation LLC, 500.00 in all."
    )
    assert bodies[1].startswith("Receipt P6 (500.00 USD, received 2026-10-27) applied as this")


def test_a_receipt_after_its_advice_is_applied_by_it(apex, world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    mail.message_receive(_advice_mail(), now=NOW)
    advice = RemittanceAdvice.objects.get()
    assert advice.status == "open"
    run = cash_apply(path=_bank_file(tmp_path), actor=world.users["ops"])
    assert run.summary["advices_applied"] == 1
    advice.refresh_from_db()
    assert advice.status == "applied"
    assert sorted(
        PaymentApplication.objects.filter(payment__number="P6").values_list("amount", flat=True)
    ) == [D("200.00"), D("300.00")]


def test_an_advice_naming_no_invoice_of_ours_is_left_to_a_person(apex, world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    raw = (
        b"From: ap@apex.example\r\nSubject: Payment advice\r\n"
        b"Message-ID: <remit-2@apex.example>\r\n\r\nInvoice 99999 1,000.00\r\n"
    )
    result = mail.message_receive(raw, now=NOW)
    case = Case.objects.get(number=result.case_number)
    assert case.case_type.code == "remittance_advice"
    note = _ours(case)[0].body
    assert note.startswith("No invoice of ours was found in this remittance advice")
    assert "the e-mail line 1: 99999 (no such invoice), 1,000.00" in note
    assert RemittanceAdvice.objects.get().status == "open"


def _plain_mail(message_id: str, body: str) -> bytes:
    return (
        f"From: ap@apex.example\r\nSubject: Payment advice\r\nMessage-ID: <{message_id}>\r\n"
        f"\r\n{body}\r\n"
    ).encode()


def _november(apex):
    """Two invoices of 500.00 (the matching cannot tell which a receipt of 500.00 pays)."""
    for number in ("INV-0020017", "INV-0020018"):
        Invoice.objects.create(
            number=number,
            customer=apex,
            issued_on=dt.date(2026, 10, 1),
            due_on=dt.date(2026, 11, 1),
            currency="USD",
            amount=D("500.00"),
            balance=D("500.00"),
        )


def test_an_advice_whose_invoices_a_bank_file_paid_is_closed_and_the_next_one_applies(
    apex, world, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    # October: Apex says its 500.00 pays 20015 (300.00) and 20016 (200.00) ...
    mail.message_receive(_advice_mail(), now=NOW)
    october = RemittanceAdvice.objects.get()
    # ... but then pays both in full, 520.00, naming them: applied by reference
    path = tmp_path / "october.csv"
    path.write_text(
        "receipt,date,amount,currency,payer_name,payer_account,text\n"
        "P5,2026-10-28,520.00,USD,APEX COLOCATION LLC,222000222,INV-0020015 INV-0020016\n"
    )
    run = cash_apply(path=path, actor=world.users["ops"])
    assert run.summary["advices_applied"] == 0
    assert set(Invoice.objects.filter(customer=apex).values_list("status", flat=True)) == {"paid"}
    october.refresh_from_db()
    assert (october.status, october.payment) == ("closed", None)
    assert _ours(october.case)[-1].body == (
        "Closed without applying a receipt: every invoice this advice names is paid already "
        "(INV-0020015, INV-0020016). A later receipt of 500.00 is not applied by it."
    )
    # November: the same 500.00 again, for 20017; its advice first, then the receipt
    _november(apex)
    mail.message_receive(_plain_mail("remit-11@apex.example", "Invoice 20017 500.00"), now=NOW)
    november = RemittanceAdvice.objects.get(status="open")
    path = tmp_path / "november.csv"
    path.write_text(
        "receipt,date,amount,currency,payer_name,payer_account,text\n"
        "P7,2026-11-27,500.00,USD,APEX COLOCATION LLC,222000222,\n"
    )
    run = cash_apply(path=path, actor=world.users["ops"])
    assert run.summary["advices_applied"] == 1
    november.refresh_from_db()
    assert (november.status, november.payment.number) == ("applied", "P7")
    assert list(
        PaymentApplication.objects.filter(payment__number="P7").values_list(
            "invoice__number", "amount"
        )
    ) == [("INV-0020017", D("500.00"))]
    assert Payment.objects.get(number="P7").status == "applied"


def test_a_new_advice_closes_the_old_one_the_erp_paid(apex, world, tmp_path, settings):
    from revdesk.ingest.importer import file_import

    settings.MEDIA_ROOT = tmp_path / "media"
    mail.message_receive(_advice_mail(), now=NOW)
    october = RemittanceAdvice.objects.get()
    # the ERP says a cheque paid both invoices
    payments = tmp_path / "payments.csv"
    payments.write_text(
        "number,customer_code,received_on,currency,amount,invoice_number,applied_amount\n"
        "CHQ-1,C2,2026-10-29,USD,520.00,INV-0020015,320.00\n"
        "CHQ-1,C2,2026-10-29,USD,520.00,INV-0020016,200.00\n"
    )
    assert file_import(kind="payments", path=payments, actor=world.users["ops"]).ok
    assert RemittanceAdvice.objects.get().status == "open"  # nothing read the advices yet
    _november(apex)
    mail.message_receive(_plain_mail("remit-11@apex.example", "Invoice 20017 500.00"), now=NOW)
    october.refresh_from_db()
    assert october.status == "closed"
    assert _ours(october.case)[-1].body.startswith(
        "Closed without applying a receipt: every invoice this advice names is paid already"
    )
    # the November receipt finds one advice for its 500.00: the new one
    path = tmp_path / "november.csv"
    path.write_text(
        "receipt,date,amount,currency,payer_name,payer_account,text\n"
        "P7,2026-11-27,500.00,USD,APEX COLOCATION LLC,222000222,\n"
    )
    assert cash_apply(path=path, actor=world.users["ops"]).summary["advices_applied"] == 1
    assert Invoice.objects.get(number="INV-0020017").status == "paid"


def test_an_advice_with_an_invoice_still_open_or_unknown_stays_open(
    apex, world, tmp_path, settings
):
    from revdesk.receivables.remittance_mail import advices_close_settled

    settings.MEDIA_ROOT = tmp_path / "media"
    mail.message_receive(_advice_mail(), now=NOW)
    mail.message_receive(
        _plain_mail("remit-3@apex.example", "Invoice 20015 320.00\r\nInvoice 99999 5.00"), now=NOW
    )
    Invoice.objects.filter(number="INV-0020015").update(balance=D("0.00"), status="paid")
    # 20016 still open for the first; 99999 is not ours for the second: a person looks
    assert advices_close_settled(customer_ids=[apex.pk], now=NOW) == 0
    assert set(RemittanceAdvice.objects.values_list("status", flat=True)) == {"open"}
