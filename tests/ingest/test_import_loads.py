"""Loads: creates, idempotent re-runs, audited updates, profiles, xlsx, round trips."""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from revdesk.catalog.models import ProductLine
from revdesk.cli import main
from revdesk.foundation.models import ChangeRecord
from revdesk.ingest.exporter import export_file
from revdesk.ingest.importer import file_import
from revdesk.ingest.kinds import KINDS
from revdesk.ingest.models import ImportRun
from revdesk.ingest.profiles import profile_load
from revdesk.orders.models import Order, OrderLine
from revdesk.parties.models import Customer
from revdesk.receivables.choices import InvoiceStatus
from revdesk.receivables.models import Invoice, Payment, PaymentApplication

from .conftest import database_state, records_for

DATA = Path(__file__).parent / "data"
INVOICES = (
    "number,customer_code,issued_on,due_on,currency,amount,tax_amount,po_number\n"
    "INV-1,C-1000,2026-01-05,2026-02-04,USD,1000.00,80.00,PO-1\n"
    "INV-2,C-1000,2026-01-06,2026-02-05,USD,250.50,0,\n"
    "INV-3,C-2000,2026-01-07,2026-02-21,CAD,99.99,,\n"
)


def test_create_then_rerun_changes_nothing(world, write):
    path = write("invoices.csv", INVOICES)
    first = file_import(kind="invoices", path=path, actor=world.users["ops"])
    assert (first.status, first.rows, first.created, first.updated, first.unchanged) == (
        "succeeded",
        3,
        3,
        0,
        0,
    )
    assert {i.number: (i.amount, i.balance, i.status) for i in Invoice.objects.all()} == {
        "INV-1": (Decimal("1000.00"), Decimal("1000.00"), InvoiceStatus.OPEN),
        "INV-2": (Decimal("250.50"), Decimal("250.50"), InvoiceStatus.OPEN),
        "INV-3": (Decimal("99.99"), Decimal("99.99"), InvoiceStatus.OPEN),
    }
    created = records_for(Invoice)
    assert created.count() == 3
    record = created.get(object_repr="INV-1")
    assert (record.action, record.user_name, record.source, record.before) == (
        "create",
        "ops",
        "import:invoices.csv",
        None,
    )
    assert record.after["amount"] == "1000.00"
    assert record.after["po_number"] == "PO-1"

    records = ChangeRecord.objects.count()
    before = database_state()
    second = file_import(kind="invoices", path=path, actor=world.users["ops"])
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert ChangeRecord.objects.count() == records
    assert database_state() == before
    runs = list(ImportRun.objects.order_by("pk").values_list("status", "created", "unchanged"))
    assert runs == [("succeeded", 3, 0), ("succeeded", 0, 3)]
    run = ImportRun.objects.order_by("pk").last()
    assert (run.kind, run.file_name, run.user_name, run.rows) == (
        "invoices",
        "invoices.csv",
        "ops",
        3,
    )
    assert len(run.sha256) == 64
    assert run.finished_at >= run.started_at


def test_changed_row_updates_and_is_audited(world, write):
    file_import(kind="invoices", path=write("invoices.csv", INVOICES))
    changed = INVOICES.replace(
        "INV-2,C-1000,2026-01-06,2026-02-05,USD,250.50",
        "INV-2,C-1000,2026-01-06,2026-02-28,USD,260.50",
    )
    result = file_import(
        kind="invoices", path=write("invoices.csv", changed), actor=world.users["ops"]
    )
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    invoice = Invoice.objects.get(number="INV-2")
    assert (invoice.amount, invoice.balance, invoice.due_on) == (
        Decimal("260.50"),
        Decimal("260.50"),
        dt.date(2026, 2, 28),
    )
    record = records_for(Invoice).get(action="update")
    assert record.object_repr == "INV-2"
    assert record.changed_fields == [
        ("amount", "250.50", "260.50"),
        ("due_on", "2026-02-05", "2026-02-28"),
    ]


def test_dry_run_counts_but_saves_nothing(world, write):
    before = database_state()
    result = file_import(kind="invoices", path=write("invoices.csv", INVOICES), dry_run=True)
    assert (result.status, result.created) == ("dry_run", 3)
    assert database_state() == before


def test_customers_parent_later_in_the_file(world, write):
    path = write(
        "customers.csv",
        "code,name,parent_code,country,currency,territory_code,sales_rep_code,collector_username\n"
        "C-12,Grandchild,C-11,US,USD,US-EAST,E101,collector\n"
        "C-11,Child,C-10,US,USD,,,\n"
        "C-10,Top,,US,USD,,,\n",
    )
    result = file_import(kind="customers", path=path)
    assert (result.created, result.updated) == (3, 0)
    grandchild = Customer.objects.get(code="C-12")
    assert grandchild.parent.code == "C-11"
    assert grandchild.parent.parent.code == "C-10"
    assert grandchild.collector == world.users["collector"]
    assert grandchild.sales_rep == world.rep_east


def test_products_create_a_new_product_line(world, write):
    path = write(
        "products.csv",
        "sku,name,product_line_code,product_line_name,billing_code,unit_cost,list_price\n"
        "PDU-1,Rack PDU,PDU,Power distribution,,120.00,199.00\n"
        "FIB-10G,Fibre 10 Gbps,FIBRE,ignored for an existing line,BC-MRC-FIB,800,2500\n",
    )
    result = file_import(kind="products", path=path)
    assert (result.created, result.updated) == (2, 0)
    assert dict(ProductLine.objects.values_list("code", "name")) == {
        "FIBRE": "Fibre services",
        "PDU": "Power distribution",
        "UPS": "UPS",
    }
    assert records_for(ProductLine).get().object_repr == "Power distribution"


def test_orders_one_row_per_line(world, write):
    path = write(
        "orders.csv",
        "number,customer_code,channel,distributor_code,booked_on,currency,line_number,"
        "product_sku,quantity,unit_price,term_months\n"
        "SO-1,C-1000,distributor,D01,2026-01-05,USD,1,UPS-3000,2,1500.00,\n"
        "SO-1,C-1000,distributor,D01,2026-01-05,USD,2,FIB-1G,1,1200.00,36\n"
        "SO-2,C-2000,,,2026-01-06,CAD,1,UPS-3000,1.5,999.99,\n",
    )
    assert file_import(kind="orders", path=path).created == 3
    assert list(
        OrderLine.objects.order_by("order__number", "line_number").values_list(
            "order__number", "line_number", "amount"
        )
    ) == [
        ("SO-1", 1, Decimal("3000.00")),
        ("SO-1", 2, Decimal("1200.00")),
        ("SO-2", 1, Decimal("1499.99")),
    ]
    assert Order.objects.get(number="SO-1").distributor == world.distributor
    changed = path.read_text().replace("2026-01-06,CAD", "2026-01-09,CAD")
    result = file_import(kind="orders", path=write("orders.csv", changed))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)


def test_payments_apply_and_refresh_the_invoice_balance(world, write):
    file_import(kind="invoices", path=write("invoices.csv", INVOICES))
    path = write(
        "payments.csv",
        "number,customer_code,received_on,currency,amount,method,invoice_number,applied_amount\n"
        "P-1,C-1000,2026-01-20,USD,1250.50,ach,INV-1,1000.00\n"
        "P-1,C-1000,2026-01-20,USD,1250.50,ach,INV-2,200.00\n"
        "P-2,,2026-01-21,USD,75.00,check,,\n",
    )
    result = file_import(kind="payments", path=path)
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert {i.number: (i.balance, i.status) for i in Invoice.objects.all()} == {
        "INV-1": (Decimal("0.00"), InvoiceStatus.PAID),
        "INV-2": (Decimal("50.50"), InvoiceStatus.OPEN),
        "INV-3": (Decimal("99.99"), InvoiceStatus.OPEN),
    }
    assert PaymentApplication.objects.count() == 2
    assert Payment.objects.get(number="P-2").customer is None
    again = file_import(kind="payments", path=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    credit = write(
        "credit-memos.csv",
        "number,customer_code,invoice_number,issued_on,currency,amount,reason\n"
        "CM-1,C-1000,INV-2,2026-01-25,USD,50.50,Short shipment\n",
    )
    assert file_import(kind="credit-memos", path=credit).created == 1
    assert Invoice.objects.get(number="INV-2").status == InvoiceStatus.PAID


def test_sap_customer_profile(world):
    profile = profile_load("sap-customer-master")
    result = file_import(kind="customers", path=DATA / "sap_customers.csv", profile=profile)
    assert result.ok, result.problems
    assert [p.column for p in result.warnings] == ["ERDAT"]
    assert list(
        Customer.objects.filter(country__in=["DE", "AT"])
        .order_by("code")
        .values_list(
            "code",
            "name",
            "parent__code",
            "country",
            "currency",
            "payment_terms_days",
            "credit_limit",
            "segment",
            "is_active",
        )
    ) == [
        (
            "0000100001",
            "Müller Rechenzentren GmbH",
            None,
            "DE",
            "EUR",
            30,
            Decimal("1250000.00"),
            "enterprise",
            True,
        ),
        (
            "0000100002",
            "Müller RZ Frankfurt",
            "0000100001",
            "DE",
            "EUR",
            45,
            Decimal("0.00"),
            "mid_market",
            True,
        ),
        (
            "0000100003",
            "Alte Kunde AG",
            None,
            "AT",
            "EUR",
            14,
            Decimal("0.00"),
            "small_business",
            False,
        ),
    ]


def test_oracle_invoice_profile(world):
    profile = profile_load("oracle-receivables-invoices")
    result = file_import(kind="invoices", path=DATA / "oracle_invoices.csv", profile=profile)
    assert result.ok, result.problems
    assert sorted(p.column for p in result.warnings) == ["ORG_ID", "TRX_TYPE"]
    assert list(
        Invoice.objects.order_by("number").values_list(
            "number",
            "customer__code",
            "issued_on",
            "due_on",
            "currency",
            "amount",
            "tax_amount",
            "po_number",
        )
    ) == [
        (
            "100234",
            "C-1000",
            dt.date(2026, 1, 15),
            dt.date(2026, 2, 14),
            "USD",
            Decimal("12500.00"),
            Decimal("1000.00"),
            "PO-7781",
        ),
        (
            "100235",
            "C-1000",
            dt.date(2026, 1, 16),
            dt.date(2026, 3, 15),
            "USD",
            Decimal("830.25"),
            Decimal("0.00"),
            "",
        ),
        (
            "100236",
            "C-2000",
            dt.date(2026, 1, 20),
            dt.date(2026, 3, 6),
            "CAD",
            Decimal("4410.00"),
            Decimal("410.00"),
            "4500012345",
        ),
    ]


def test_profile_date_format_error_names_the_profile_format(world, write):
    profile = profile_load("oracle-receivables-invoices")
    path = write(
        "ar.csv",
        "TRX_NUMBER,ACCOUNT_NUMBER,TRX_DATE,DUE_DATE,INVOICE_CURRENCY_CODE,AMOUNT_DUE_ORIGINAL\n"
        "1,C-1000,2026-01-15,01/02/2026,USD,1\n",
    )
    result = file_import(kind="invoices", path=path, profile=profile)
    assert [(p.line, p.column, p.value, p.expected) for p in result.errors] == [
        (
            2,
            "due_on",
            "01/02/2026",
            "a date as DD-%b-YYYY (e.g. 31-Jan-2026) or YYYY-MM-DD (e.g. 2026-01-31)",
        ),
    ]


def _seed_ledger(write):
    file_import(
        kind="orders",
        path=write(
            "o.csv",
            "number,customer_code,sales_rep_code,booked_on,currency,po_number,line_number,"
            "product_sku,quantity,unit_price,term_months\n"
            "SO-1,C-1000,E101,2026-01-05,USD,PO-9,1,UPS-3000,2,1500.00,\n"
            "SO-1,C-1000,E101,2026-01-05,USD,PO-9,2,FIB-1G,1,1200.00,36\n",
        ),
    )
    file_import(
        kind="invoices",
        path=write(
            "i.csv",
            INVOICES.replace("PO-1\n", "PO-1\n")
            .replace("number,customer_code,", "number,customer_code,order_number,")
            .replace("INV-1,C-1000,", "INV-1,C-1000,SO-1,")
            .replace("INV-2,C-1000,", "INV-2,C-1000,,")
            .replace("INV-3,C-2000,", "INV-3,C-2000,,"),
        ),
    )
    file_import(
        kind="invoice-instalments",
        path=write(
            "i.csv",
            "invoice_number,sequence,due_on,amount\nINV-2,1,2026-02-05,125.25\n"
            "INV-2,2,2026-03-05,125.25\n",
        ),
    )
    file_import(
        kind="credit-memos",
        path=write(
            "c.csv",
            "number,customer_code,invoice_number,issued_on,currency,amount\n"
            "CM-1,C-1000,INV-1,2026-01-25,USD,10.00\nCM-2,C-2000,,2026-01-26,CAD,5\n",
        ),
    )
    file_import(
        kind="payments",
        path=write(
            "p.csv",
            "number,customer_code,received_on,currency,amount,invoice_number,"
            "applied_amount\nP-1,C-1000,2026-01-20,USD,600.00,INV-1,500.00\n"
            "P-1,C-1000,2026-01-20,USD,600.00,INV-2,100.00\nP-2,,2026-01-21,USD,7,,\n",
        ),
    )
    file_import(
        kind="customer-bank-accounts",
        path=write(
            "b.csv",
            "customer_code,account\nC-1000,de44 5001-0517 5407 3249 31\nC-1000,111000111\n"
            "C-2000,111000111\n",
        ),
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_changes_nothing_for_every_kind(world, write, tmp_path, fmt):
    _seed_ledger(write)
    assert Invoice.objects.count() == 3
    assert OrderLine.objects.count() == 2
    for kind, spec in KINDS.items():
        out = tmp_path / f"{kind}.{fmt}"
        count = export_file(kind=kind, fmt=fmt, out=out)
        assert count > 0, kind
        if fmt == "xlsx":
            sheet = load_workbook(out, read_only=True)[kind]
            assert [c.value for c in next(sheet.iter_rows())] == spec.column_names
        else:
            assert out.read_text(encoding="utf-8-sig").splitlines()[0] == ",".join(
                spec.column_names
            )
        records = ChangeRecord.objects.count()
        result = file_import(kind=kind, path=out)
        assert (result.status, result.created, result.updated, result.unchanged) == (
            "succeeded",
            0,
            0,
            count,
        ), (kind, result.problems)
        assert result.problems == []
        assert ChangeRecord.objects.count() == records


def test_bank_accounts_are_kept_as_banks_compare_them(world, write):
    from revdesk.parties.models import CustomerBankAccount

    _seed_ledger(write)
    assert list(
        CustomerBankAccount.objects.order_by("customer__code", "account").values_list(
            "customer__code", "account", "source"
        )
    ) == [
        ("C-1000", "111000111", "master"),
        ("C-1000", "DE44500105175407324931", "master"),
        ("C-2000", "111000111", "master"),
    ]
    # the same account written another way is the same row
    result = file_import(
        kind="customer-bank-accounts",
        path=write("b2.csv", "customer_code,account\nC-1000,DE44500105175407324931\n"),
    )
    assert (result.status, result.created, result.unchanged) == ("succeeded", 0, 1)


def test_exported_csv_shape(world, write, tmp_path):
    _seed_ledger(write)
    out = tmp_path / "payments.csv"
    export_file(kind="payments", fmt="csv", out=out)
    assert out.read_text(encoding="utf-8-sig") == (
        "number,customer_code,received_on,currency,amount,method,reference,reversed_on,"
        "reversal_reason,invoice_number,applied_amount\n"
        "P-1,C-1000,2026-01-20,USD,600.00,wire,,,,INV-1,500.00\n"
        "P-1,C-1000,2026-01-20,USD,600.00,wire,,,,INV-2,100.00\n"
        "P-2,,2026-01-21,USD,7.00,wire,,,,,\n"
    )


def test_xlsx_import_with_typed_cells(world, tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "invoices.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Open items"
    sheet.append(["number", "customer_code", "issued_on", "due_on", "currency", "amount"])
    sheet.append([1001, "C-1000", dt.datetime(2026, 1, 5), dt.date(2026, 2, 4), "USD", 1234.5])
    sheet.append(["1002", "C-1000", "2026-01-06", "2026-02-05", "USD", 10])
    workbook.save(path)
    result = file_import(kind="invoices", path=path)
    assert (result.status, result.created, result.sheet) == ("succeeded", 2, "Open items")
    assert list(
        Invoice.objects.order_by("number").values_list("number", "issued_on", "amount")
    ) == [
        ("1001", dt.date(2026, 1, 5), Decimal("1234.50")),
        ("1002", dt.date(2026, 1, 6), Decimal("10.00")),
    ]


def test_cli_import_success_json_and_failure_report(world, write, tmp_path, capsys):
    path = write("invoices.csv", INVOICES)
    assert main(["import", "invoices", str(path), "--user", "ops"]) == 0
    assert "Imported invoices.csv: 3 rows — 3 created, 0 updated, 0 unchanged." in (
        capsys.readouterr().out.replace("\n", " ")
    )
    assert main(["import", "invoices", str(path), "--json"]) == 0
    outcome = json.loads(capsys.readouterr().out)
    assert (outcome["status"], outcome["created"], outcome["unchanged"]) == ("succeeded", 0, 3)

    bad = write("bad.csv", INVOICES + "INV-4,C-404,2026-13-01,2026-02-04,USD,1,,\n")
    report = tmp_path / "report.csv"
    before = database_state()
    assert main(["import", "invoices", str(bad), "--report", str(report)]) == 1
    shown = capsys.readouterr().out
    assert "bad.csv: 2 error(s), nothing was saved" in shown
    assert "C-404" in shown
    assert "2026-13-01" in shown
    assert report.read_text(encoding="utf-8-sig") == (
        "line,column,value,expected,severity\n"
        "5,customer_code,C-404,a customer code that exists in Revdesk: there is no customer "
        "'C-404',error\n"
        "5,issued_on,2026-13-01,2026-13-01 is not a real date (month 13: a year has 12 "
        "months),error\n"
    )
    assert database_state() == before
    json_report = tmp_path / "report.json"
    assert main(["import", "invoices", str(bad), "--json", "--report", str(json_report)]) == 1
    assert json.loads(capsys.readouterr().out)["status"] == "failed"
    assert [p["column"] for p in json.loads(json_report.read_text())] == [
        "customer_code",
        "issued_on",
    ]


def test_cli_export_and_profile_option(world, write, tmp_path, capsys):
    assert main(["export", "territories"]) == 0
    assert capsys.readouterr().out == "code,name,parent_code\nUS-EAST,US East,\nUS-WEST,US West,\n"
    out = tmp_path / "territories.json"
    assert main(["export", "territories", "--out", str(out)]) == 0
    assert json.loads(out.read_text()) == [
        {"code": "US-EAST", "name": "US East", "parent_code": ""},
        {"code": "US-WEST", "name": "US West", "parent_code": ""},
    ]
    code = main(
        ["import", "customers", str(DATA / "sap_customers.csv"), "--profile", "sap-customer-master"]
    )
    assert code == 0, capsys.readouterr().out
    assert (
        main(
            [
                "import",
                "invoices",
                str(DATA / "sap_customers.csv"),
                "--profile",
                "sap-customer-master",
            ]
        )
        == 2
    )
    assert "is for customers, not invoices" in capsys.readouterr().err


def test_export_restricted_to_what_the_user_may_see(world, write, tmp_path):
    _seed_ledger(write)
    out = tmp_path / "invoices.csv"
    assert export_file(kind="invoices", fmt="csv", out=out, user=world.users["collector2"]) == 1
    assert "INV-3" in out.read_text(encoding="utf-8-sig")


def test_guide_column_tables_are_generated_from_the_spec():
    from revdesk.ingest.docs import BEGIN, END, columns_markdown

    guide = (Path(__file__).parents[2] / "docs/guide/importing.md").read_text(encoding="utf-8")
    section = guide[guide.index(BEGIN) : guide.index(END) + len(END)] + "\n"
    assert section == columns_markdown()
