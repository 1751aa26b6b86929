"""Cash application's pages: who opens what (200, 404), reading a bank file from the page
(the summary; a refused file's problems with line and column; a file read twice), the
unapplied queue (scope, filters, days since received, Excel) and the workbench's forms."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from receivables.test_cash_application import CASE, example_ledger  # noqa: F401
from revdesk.receivables.cash import cash_apply
from revdesk.receivables.models import (
    BankFile,
    CashSuggestion,
    Invoice,
    Payment,
    PaymentApplication,
)
from revdesk.testing import ROLES, signed_in

D = Decimal
pytestmark = pytest.mark.django_db
DESK = {"admin", "ops", "lead", "leader", "manager", "collector", "collector2"}
FILES = {"admin", "ops"}


@pytest.fixture
def day_read(example_ledger, world, tmp_path):  # noqa: F811
    bank = tmp_path / "bank.csv"
    shutil.copy(CASE / "bank.csv", bank)
    run = cash_apply(path=bank, actor=world.users["ops"])
    Invoice.objects.create(
        number="20015",
        customer=example_ledger["C2"],
        issued_on=dt.date(2026, 10, 15),
        due_on=dt.date(2026, 11, 14),
        currency="USD",
        amount=D("1200.00"),
        balance=D("1200.00"),
    )
    return run


def _status_by_role(client, url):
    got = {}
    for username in ROLES:
        client.logout()
        got[username] = signed_in(client, username).get(url).status_code
    return got


@pytest.mark.parametrize(
    ("page", "allowed"),
    [
        ("web:cash_queue", DESK),
        ("web:cash_file_list", FILES),
        ("web:cash_file_upload", FILES),
    ],
)
def test_pages_by_role(client, world, page, allowed):
    got = _status_by_role(client, reverse(page))
    assert got == {name: 200 if name in allowed else 404 for name in ROLES}


def test_a_receipt_page_by_role(client, day_read, world):
    """P7 is nobody's yet: the cash application team, the leads and the leader see it, no
    collector; P4 is the hospital's (collector's), which their senior collector sees too."""
    p7 = Payment.objects.get(number="P7")
    p4 = Payment.objects.get(number="P4")
    got = _status_by_role(client, reverse("web:cash_receipt", args=[p7.pk]))
    assert {name for name, status in got.items() if status == 200} == {
        "admin",
        "ops",
        "lead",
        "leader",
    }
    assert set(got.values()) == {200, 404}
    got = _status_by_role(client, reverse("web:cash_receipt", args=[p4.pk]))
    assert {name for name, status in got.items() if status == 200} == {
        "admin",
        "ops",
        "lead",
        "leader",
        "collector",
    }
    file_page = reverse("web:cash_file_detail", args=[day_read.bank_file.pk])
    assert {n for n, s in _status_by_role(client, file_page).items() if s == 200} == FILES


def test_the_queue_by_role(client, day_read, world):
    def queue(username):
        client.logout()
        page = signed_in(client, username).get(reverse("web:cash_queue"))
        return [row[0].text for row in page.context["rows"]]

    assert queue("ops") == ["P6", "P7"]
    assert queue("lead") == ["P7"]  # unidentified; Apex (P6) is nobody's portfolio
    assert queue("collector") == []
    assert queue("leader") == ["P6", "P7"]


def test_the_queue_filters_ages_and_exports(client, day_read, world):
    signed_in(client, "ops")
    page = client.get(reverse("web:cash_queue"), {"status": "unidentified"})
    assert [row[0].text for row in page.context["rows"]] == ["P7"]
    assert [row[0].text for row in client.get("/cash/", {"amount_min": "600"}).context["rows"]] == [
        "P7"
    ]
    assert [row[0].text for row in client.get("/cash/", {"q": "apex"}).context["rows"]] == ["P6"]
    # received 2026-10-27: its bucket depends on the day the tests run (before it: 0-7)
    days = (dt.date.today() - dt.date(2026, 10, 27)).days
    bucket = next(
        key
        for key, last in (("0-7", 7), ("8-30", 30), ("31-60", 60), ("over-60", 10**6))
        if days <= last
    )
    buckets = {b.key: (b.count, b.amounts) for b in page.context["buckets"]}
    assert buckets[bucket] == (1, {"USD": D("1234.56")})  # the filter (unidentified) holds
    page = client.get("/cash/", {"age": bucket})
    assert [row[0].text for row in page.context["rows"]] == ["P6", "P7"]
    response = client.get("/cash/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Receipt", "Received", "Days", "Customer")
    header = list(rows[0])
    unapplied = header.index("Unapplied")
    assert [(row[0], row[unapplied]) for row in rows[1:]] == [
        ("P6", 500),
        ("P7", 1234.56),
    ]


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def at_once(settings, tmp_path):
    """Background work runs at once (the upload's outcome is known in the request)."""
    settings.TASKS = IMMEDIATE
    settings.REVDESK_UPLOADS = tmp_path / "uploads"


@pytest.fixture
def queued(settings, tmp_path):
    """Background work waits in the database queue, as in production."""
    settings.TASKS = DATABASE
    settings.REVDESK_UPLOADS = tmp_path / "uploads"


def test_upload_reads_the_file_and_shows_the_summary(client, example_ledger, world, at_once):  # noqa: F811
    signed_in(client, "ops")
    upload = SimpleUploadedFile("bank.csv", (CASE / "bank.csv").read_bytes(), "text/csv")
    response = client.post(reverse("web:cash_file_upload"), {"file": upload}, follow=True)
    bank_file = BankFile.objects.get()
    assert response.redirect_chain[-1][0] == reverse("web:cash_file_detail", args=[bank_file.pk])
    text = " ".join(response.content.decode().split())
    assert "bank.csv was read: 8 receipts." in text
    assert 'data-testid="summary-receipts">8<' in text
    assert 'data-testid="summary-applied">6<' in text
    assert "3.00 <small>USD</small>" in text  # written off
    assert 'Unidentified (no customer)</th><td class="num">1</td>' in text
    assert 'Short payments</th><td class="num">1</td>' in text
    assert bank_file.imported_by == world.users["ops"]
    # the same file again: said, nothing read
    upload = SimpleUploadedFile("again.csv", (CASE / "bank.csv").read_bytes(), "text/csv")
    response = client.post(reverse("web:cash_file_upload"), {"file": upload})
    assert response.status_code == 200
    assert "its receipts are already in (nothing done)" in response.content.decode()
    assert BankFile.objects.count() == 1
    # the list of files
    page = client.get(reverse("web:cash_file_list"))
    assert [cell.text for cell in page.context["rows"][0]][1:] == [
        "bank.csv",
        "csv",
        "ops",
        "8",
        "6",
        "2",
        "1",
        "0",
    ]


def test_a_refused_file_shows_every_problem(client, example_ledger, at_once):  # noqa: F811
    signed_in(client, "ops")
    lines = (CASE / "bank.csv").read_text().splitlines()
    lines[3] = lines[3].replace("24750.00", "24750.0O")
    lines[5] = lines[5].replace("2026-10-27", "27/10/2026")
    upload = SimpleUploadedFile("bank.csv", ("\n".join(lines) + "\n").encode(), "text/csv")
    response = client.post(reverse("web:cash_file_upload"), {"file": upload})
    text = " ".join(response.content.decode().split())
    assert "bank.csv was not read: nothing was saved" in text
    assert '<td>bank.csv</td><td class="num">4</td><td>amount</td>' in text
    assert '<td>bank.csv</td><td class="num">6</td><td>date</td>' in text
    assert "expected a date written YYYY-MM-DD" in text
    assert not BankFile.objects.exists()
    assert not Payment.objects.exists()
    assert not list((Path(settings_uploads()) / "cash").iterdir())  # the upload is not kept


def settings_uploads():
    from django.conf import settings

    return settings.REVDESK_UPLOADS


# the worked case's bank file as a lockbox sends it: its own headers, US dates, thousands
# separators, semicolons, no currency column
LOCKBOX = (
    "Item ID;Deposit Date;Amount;Remitter;Remitter Account;Memo;Invoice Numbers\n"
    "P1;10/27/2026;4,650.00;NORTHWIND DATA CTRS;111000111;INV;10023/10024\n"
    "P2;10/27/2026;980.50;NORTHWIND DATA CTRS;111000111;PAYMENT;10031\n"
    "P3;10/27/2026;24,750.00;APEX COLOCATION;222000222;ACH CREDIT;\n"
    "P4;10/27/2026;3,900.00;BLUE RIDGE HOSPITAL;333000333;;30001\n"
    "P5;10/27/2026;4,000.00;BLUE RIDGE HOSP FOUNDATION;999000999;;INV30002\n"
    "P6;10/27/2026;500.00;APEX COLOCATION LLC;222000222;;\n"
    "P7;10/27/2026;1,234.56;JOHN SMITH;555000555;THANK YOU;\n"
    "P8;10/27/2026;7,497.00;APEX COLOCATION;222000222;RE;20014\n"
)
MAPPING = {
    "layout": "mapped",
    "receipt_column": "Item ID",
    "date_column": "Deposit Date",
    "amount_column": "Amount",
    "currency_column": "",
    "payer_name_column": "Remitter",
    "payer_account_column": "Remitter Account",
    "text_column": "Memo, Invoice Numbers",
    "currency": "usd",
    "date_format": "%m/%d/%Y",
    "decimal_separator": ".",
    "thousands_separator": ",",
    "delimiter": ";",
}


def _lockbox(text=LOCKBOX, name="lockbox.csv"):
    return SimpleUploadedFile(name, text.encode(), "text/csv")


def test_a_lockbox_csv_is_read_with_its_column_mapping(client, example_ledger, world, at_once):  # noqa: F811
    signed_in(client, "ops")
    response = client.post(
        reverse("web:cash_file_upload"), {"file": _lockbox(), **MAPPING}, follow=True
    )
    bank_file = BankFile.objects.get()
    assert response.redirect_chain[-1][0] == reverse("web:cash_file_detail", args=[bank_file.pk])
    text = " ".join(response.content.decode().split())
    assert "lockbox.csv was read: 8 receipts." in text
    assert 'data-testid="summary-receipts">8<' in text
    assert 'data-testid="summary-applied">6<' in text
    # the same receipts, to the cent, as the worked case in our own columns
    assert sorted(
        Payment.objects.values_list("number", "amount", "currency", "payer_account", "reference")
    )[:2] == [
        ("P1", D("4650.00"), "USD", "111000111", "INV 10023/10024"),
        ("P2", D("980.50"), "USD", "111000111", "PAYMENT 10031"),
    ]
    assert sorted(
        PaymentApplication.objects.filter(payment__number="P1").values_list(
            "invoice__number", "amount"
        )
    ) == [("10023", D("1250.00")), ("10024", D("3400.00"))]


def test_a_lockbox_csv_that_does_not_fit_its_mapping_says_where(client, example_ledger, at_once):  # noqa: F811
    signed_in(client, "ops")
    before = Payment.objects.count()
    bad = LOCKBOX.replace("4,650.00", "4,65O.00").replace("10/27/2026;500.00", "27/10/2026;500.00")
    response = client.post(reverse("web:cash_file_upload"), {"file": _lockbox(bad), **MAPPING})
    assert response.status_code == 200
    text = " ".join(response.content.decode().split())
    assert "lockbox.csv was not read: nothing was saved" in text
    assert '<td>lockbox.csv</td><td class="num">2</td><td>amount</td>' in text
    assert '<td>lockbox.csv</td><td class="num">7</td><td>date</td>' in text
    assert "&#x27;27/10/2026&#x27; is not a date; expected a date written MM/DD/YYYY" in text
    # a header the file does not have
    response = client.post(
        reverse("web:cash_file_upload"),
        {"file": _lockbox(), **MAPPING, "date_column": "Value Date"},
    )
    text = " ".join(response.content.decode().replace("&#x27;", "'").split())
    assert '<td class="num">1</td><td>date</td>' in text
    assert (
        "the column 'Value Date' is missing from the header (found: Item ID, Deposit Date" in text
    )
    assert (BankFile.objects.count(), Payment.objects.count()) == (0, before)


def test_the_mapping_is_checked_before_anything_is_read(client, example_ledger, at_once):  # noqa: F811
    signed_in(client, "ops")
    response = client.post(
        reverse("web:cash_file_upload"),
        {"file": _lockbox(), **MAPPING, "amount_column": "", "currency": "US"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["amount_column"] == [
        "Name the file's column that holds the amount (it is required)."
    ]
    assert errors["currency"] == ["currency: 'US' is not a currency code"]
    assert not BankFile.objects.exists()
    assert not list((Path(settings_uploads()) / "cash").glob("*"))


@pytest.mark.django_db(transaction=True)  # the worker closes its connection, as in production
def test_the_upload_waits_for_the_worker_and_its_page_shows_the_outcome(
    client,
    example_ledger,  # noqa: F811
    world,
    queued,
):
    from django.core.management import call_command

    signed_in(client, "ops")
    response = client.post(reverse("web:cash_file_upload"), {"file": _lockbox(), **MAPPING})
    assert response.status_code == 302
    reading = response["Location"]
    assert reading.startswith("/cash/files/reading/")
    page = client.get(reading)
    assert page.context["state"] == "Queued"
    assert 'data-poll="' + reading + 'status/"' in page.content.decode()
    assert not BankFile.objects.exists()  # nothing read yet
    # another person of the team does not see someone else's reading
    client.logout()
    assert signed_in(client, "admin").get(reading).status_code == 404
    client.logout()
    signed_in(client, "ops")

    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    status = client.get(reading + "status/")
    assert status.context["state"] == "Done"
    text = " ".join(status.content.decode().split())
    assert "data-finished" in text
    assert "lockbox.csv was read: 8 receipts." in text
    assert 'data-testid="summary-applied">6<' in text
    bank_file = BankFile.objects.get()
    assert reverse("web:cash_file_detail", args=[bank_file.pk]) in text
    assert bank_file.imported_by == world.users["ops"]
    assert not list((Path(settings_uploads()) / "cash").iterdir())  # the upload is not kept

    # a bad file: refused by the worker, the page lists its problems, nothing saved
    bad = LOCKBOX.replace("4,650.00", "4,65O.00")
    response = client.post(
        reverse("web:cash_file_upload"), {"file": _lockbox(bad, "bad.csv"), **MAPPING}
    )
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    status = client.get(response["Location"] + "status/")
    assert status.context["state"] == "Refused"
    assert status.context["problems"] == [
        ("bad.csv", 2, "amount", "'4,65O.00' is not an amount; expected an amount such as 1234.56")
    ]
    assert BankFile.objects.count() == 1


def test_apply_from_the_workbench(client, day_read, world):
    signed_in(client, "ops")
    p6 = Payment.objects.get(number="P6")
    invoice = Invoice.objects.get(number="20015")
    page = client.get(reverse("web:cash_receipt", args=[p6.pk]))
    assert [i.number for i in page.context["found"]] == ["20015"]  # Apex's open invoices
    assert page.context["found"][0].suggested_amount == D("500.00")
    text = page.content.decode()
    assert "<kbd>/</kbd> search" in text
    # too much: refused, said, nothing applied
    response = client.post(
        reverse("web:cash_receipt_apply", args=[p6.pk]),
        {"invoice": [invoice.pk], f"amount-{invoice.pk}": "500.01"},
        follow=True,
    )
    assert (
        "Nothing applied: 500.01 USD is more than receipt P6 has left to apply (500.00 USD)"
        in response.content.decode()
    )
    response = client.post(
        reverse("web:cash_receipt_apply", args=[p6.pk]),
        {"invoice": [invoice.pk], f"amount-{invoice.pk}": "12,5O"},
        follow=True,
    )
    assert "Nothing applied: 20015: &#x27;12,5O&#x27; is not an amount" in response.content.decode()
    assert not PaymentApplication.objects.filter(payment=p6).exists()
    # an empty amount is the balance, at most what is left: 500.00
    response = client.post(
        reverse("web:cash_receipt_apply", args=[p6.pk]),
        {"invoice": [invoice.pk], f"amount-{invoice.pk}": ""},
        follow=True,
    )
    assert "500.00 USD of P6 applied to 20015 (500.00); P6 is fully applied" in (
        response.content.decode()
    )
    assert PaymentApplication.objects.get(payment=p6).amount == D("500.00")


def test_a_collector_applies_their_receipt_but_does_not_take_it_back(client, day_read, world):
    hospital = Invoice.objects.get(number="30001").customer
    p7 = Payment.objects.get(number="P7")
    signed_in(client, "lead")
    response = client.post(
        reverse("web:cash_receipt_customer", args=[p7.pk]), {"customer": "C3"}, follow=True
    )
    assert "P7 is Blue Ridge Hospital&#x27;s (C3)" in response.content.decode()
    client.logout()
    signed_in(client, "collector")
    invoice = Invoice.objects.create(
        number="30020",
        customer=hospital,
        issued_on=dt.date(2026, 10, 1),
        due_on=dt.date(2026, 10, 31),
        currency="USD",
        amount=D("1234.56"),
        balance=D("1234.56"),
    )
    client.post(
        reverse("web:cash_receipt_apply", args=[p7.pk]),
        {"invoice": [invoice.pk], f"amount-{invoice.pk}": "1234.56"},
    )
    application = PaymentApplication.objects.get(payment=p7)
    page = client.get(reverse("web:cash_receipt", args=[p7.pk]))
    assert page.context["may_reverse"] is False
    url = reverse("web:cash_application_reverse", args=[p7.pk, application.pk])
    assert client.post(url, {"reversed_on": "2026-10-28", "reason": "wrong"}).status_code == 404
    client.logout()
    signed_in(client, "lead")
    response = client.post(
        url, {"reversed_on": dt.date.today().isoformat(), "reason": "wrong invoice"}, follow=True
    )
    assert "1,234.56 USD taken back from 30020" in response.content.decode()
    assert Payment.objects.get(pk=p7.pk).status == "on_account"


def test_suggestions_from_the_workbench(client, day_read, world):
    p6 = Payment.objects.get(number="P6")
    invoice = Invoice.objects.get(number="20015")
    first, second = (
        CashSuggestion.objects.create(
            payment=p6,
            invoice=invoice,
            amount=D(amount),
            rule="name_similar",
            confidence=D("0.860"),
            explanation="APEX COLOCATION LLC is close to Apex Colocation LLC.",
        )
        for amount in ("200.00", "300.00")
    )
    # a collector who does not see Apex may not decide
    signed_in(client, "collector")
    assert client.post(reverse("web:cash_suggestion_accept", args=[first.pk])).status_code == 404
    client.logout()
    signed_in(client, "ops")
    page = client.get(reverse("web:cash_receipt", args=[p6.pk]))
    assert len(page.context["desk"].suggestions) == 2
    assert "86%" in page.content.decode()
    response = client.post(reverse("web:cash_suggestion_accept", args=[first.pk]), follow=True)
    assert "Suggestion accepted: 200.00 USD of P6 applied to 20015; 300.00 USD left" in (
        response.content.decode()
    )
    response = client.post(reverse("web:cash_suggestion_reject", args=[second.pk]), follow=True)
    assert "Suggestion rejected: P6 does not pay 20015" in response.content.decode()
    assert [s.status for s in response.context["desk"].decided] == ["accepted", "rejected"]
    response = client.post(reverse("web:cash_suggestion_reject", args=[second.pk]), follow=True)
    assert "Not rejected: This suggestion was already rejected by ops on" in (
        response.content.decode()
    )
