"""Every bad-file case a reviewer will try: exact report rows, and nothing written."""

import pytest
from openpyxl import Workbook

from revdesk.ingest.importer import file_import
from revdesk.ingest.kinds import KINDS
from revdesk.ingest.models import ImportRun
from revdesk.ingest.report import Problem

from .conftest import database_state

HEADER = "number,customer_code,issued_on,due_on,currency,amount\n"
INVOICE_COLUMNS = ", ".join(KINDS["invoices"].column_names)


def _fails_and_writes_nothing(path, kind="invoices", **options):
    before = database_state()
    result = file_import(kind=kind, path=path, **options)
    assert result.status == "failed"
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    assert database_state() == before
    run = ImportRun.objects.get(pk=result.run_id)
    assert run.status == "failed"
    assert run.error_count == len(result.errors)
    assert run.errors == [p.as_dict() for p in result.errors]
    return result


def test_every_bad_line_is_reported_and_nothing_is_saved(world, write):
    path = write(
        "invoices.csv",
        HEADER
        + "INV-1,C-1000,2026-01-05,2026-02-04,USD,100.00\n"
        + "INV-2,C-1000,31/01/2026,2026-02-04,USD,100.00\n"
        + "INV-3,C-404,2026-01-05,2026-02-04,USD,100.00\n"
        + "INV-1,C-1000,2026-01-05,2026-02-04,USD,100.00\n"
        + "INV-5,C-1000,2026-01-05,2026-01-04,usd,-5\n"
        + "INV-6,C-1000,2026-01-05,2026-02-04,EURO,12.345\n",
    )
    result = _fails_and_writes_nothing(path)
    assert result.problems == [
        Problem(3, "issued_on", "31/01/2026", "a date as YYYY-MM-DD (e.g. 2026-01-31)"),
        Problem(
            4,
            "customer_code",
            "C-404",
            "a customer code that exists in Revdesk: there is no customer 'C-404'",
        ),
        Problem(5, "number", "INV-1", "each number once in a file: already on line 2"),
        Problem(6, "amount", "-5", "a number, zero or more"),
        Problem(
            7,
            "currency",
            "EURO",
            "EURO is not an ISO 4217 currency code: use three capital letters (e.g. USD, EUR, GBP)",
        ),
        Problem(7, "amount", "12.345", "a number with at most 2 decimal places"),
    ]
    assert result.rows == 6


def test_due_before_issue_is_a_row_error(world, write):
    path = write("invoices.csv", HEADER + "INV-5,C-1000,2026-01-05,2026-01-04,USD,5\n")
    result = _fails_and_writes_nothing(path)
    assert result.problems == [
        Problem(2, "due_on", "2026-01-04", "a due date on or after the issue date (2026-01-05)")
    ]


def test_negative_quantity_on_an_order_line(world, write):
    path = write(
        "orders.csv",
        "number,customer_code,booked_on,currency,line_number,product_sku,quantity,unit_price\n"
        "SO-1,C-1000,2026-01-05,USD,1,UPS-3000,2,1500.00\n"
        "SO-1,C-1000,2026-01-05,USD,2,UPS-3000,-1,1500.00\n",
    )
    result = _fails_and_writes_nothing(path, kind="orders")
    assert result.problems == [Problem(3, "quantity", "-1", "a number, zero or more")]


def test_missing_required_column_is_one_file_error(world, write):
    path = write(
        "invoices.csv",
        "number,customer_code,issued_on,currency,amount\nINV-1,C-1000,2026-01-05,USD,1\n",
    )
    result = _fails_and_writes_nothing(path)
    assert result.problems == [
        Problem(
            None,
            "due_on",
            "",
            "invoices.csv has no column due_on, which invoices need. Columns found: number, "
            "customer_code, issued_on, currency, amount. Required columns: number, "
            "customer_code, issued_on, due_on, currency, amount.",
        )
    ]


def test_non_utf8_file_names_the_encoding_and_the_fix(world, write):
    text = HEADER + "INV-1,C-1000,2026-01-05,2026-02-04,USD,100.00\n"
    text += "INV-2,C-1000,2026-01-05,2026-02-04,USD,100.00\n"
    path = write("invoices.csv", text.replace("INV-2", "INV-2é"), encoding="cp1252")
    result = _fails_and_writes_nothing(path)
    assert result.problems == [
        Problem(
            None,
            "",
            "",
            "invoices.csv is not UTF-8: byte 0xE9 on line 3 is not valid UTF-8. It looks like "
            "cp1252 (Windows-1252, what Excel calls 'ANSI' or 'Western European (Windows)'). "
            "Import it again with the encoding cp1252 (the Encoding field on the upload page, or "
            "--encoding cp1252 on the command line), or in Excel use File > Save As > 'CSV UTF-8 "
            "(Comma delimited)'.",
        )
    ]
    accepted = file_import(kind="invoices", path=path, encoding="cp1252")
    assert (accepted.status, accepted.created) == ("succeeded", 2)


def test_empty_file(world, write):
    result = _fails_and_writes_nothing(write("invoices.csv", ""))
    assert result.problems == [
        Problem(None, "", "", "invoices.csv is empty: it has no header row and no data.")
    ]


def test_header_only_file_is_a_warning_and_does_nothing(world, write):
    result = file_import(kind="invoices", path=write("invoices.csv", HEADER))
    assert result.status == "succeeded"
    assert result.problems == [
        Problem(
            None, "", "", "invoices.csv has a header but no data rows: nothing to do.", "warning"
        )
    ]


def test_xlsx_with_the_wrong_sheet(world, tmp_path):
    path = tmp_path / "book.xlsx"
    workbook = Workbook()
    workbook.active.title = "Summary"
    workbook.create_sheet("Data").append(["number"])
    workbook.save(path)
    result = _fails_and_writes_nothing(path)
    assert result.problems == [
        Problem(
            None,
            "",
            "",
            "book.xlsx has several sheets ('Summary', 'Data') and none is named 'invoices'. "
            "Rename the data sheet to 'invoices' or pass --sheet NAME.",
        )
    ]
    named = _fails_and_writes_nothing(path, sheet="Invoices 2026")
    assert named.problems == [
        Problem(
            None,
            "",
            "",
            "book.xlsx has no sheet 'Invoices 2026'. Its sheets are: 'Summary', 'Data'. "
            "Pass --sheet with one of them.",
        )
    ]


def test_extra_unknown_columns_warn_but_load(world, write):
    path = write(
        "invoices.csv",
        "number,customer_code,region,issued_on,due_on,currency,amount\n"
        "INV-1,C-1000,East,2026-01-05,2026-02-04,USD,100.00\n",
    )
    result = file_import(kind="invoices", path=path)
    assert (result.status, result.created) == ("succeeded", 1)
    assert result.problems == [
        Problem(
            1,
            "region",
            "",
            f"not one of the invoices columns: ignored. Known columns: {INVOICE_COLUMNS}",
            "warning",
        )
    ]


def test_unknown_payee_and_user_references_on_customers(world, write):
    path = write(
        "customers.csv",
        "code,name,country,currency,sales_rep_code,collector_username,territory_code\n"
        "C-5,Five,US,USD,E999,nobody,US-NORTH\n",
    )
    result = _fails_and_writes_nothing(path, kind="customers")
    assert result.problems == [
        Problem(
            2,
            "territory_code",
            "US-NORTH",
            "a territory code that exists in Revdesk: there is no territory 'US-NORTH'",
        ),
        Problem(
            2,
            "sales_rep_code",
            "E999",
            "a payee code that exists in Revdesk: there is no payee 'E999'",
        ),
        Problem(
            2,
            "collector_username",
            "nobody",
            "a user name that exists in Revdesk: there is no user 'nobody'",
        ),
    ]


def test_parent_cycle_and_missing_parent(world, write):
    path = write(
        "customers.csv",
        "code,name,parent_code,country,currency\n"
        "C-A,A,C-B,US,USD\n"
        "C-B,B,C-A,US,USD\n"
        "C-C,C,C-ZZZ,US,USD\n",
    )
    result = _fails_and_writes_nothing(path, kind="customers")
    assert result.problems == [
        Problem(
            2, "parent_code", "C-B", "a parent chain that ends: this one loops (C-A → C-B → C-A)"
        ),
        Problem(
            4,
            "parent_code",
            "C-ZZZ",
            "a customer code that exists in Revdesk or in this file: there is no customer 'C-ZZZ'",
        ),
    ]


def test_order_header_must_repeat_identically(world, write):
    path = write(
        "orders.csv",
        "number,customer_code,booked_on,currency,line_number,product_sku,quantity,unit_price,amount\n"
        "SO-1,C-1000,2026-01-05,USD,1,UPS-3000,2,1500.00,3000.00\n"
        "SO-1,C-2000,2026-01-05,USD,2,UPS-3000,1,1500.00,1400.00\n",
    )
    result = _fails_and_writes_nothing(path, kind="orders")
    assert result.problems == [
        Problem(3, "amount", "1400.00", "1500.00 (quantity × unit price), or leave it blank"),
    ]
    path = write(
        "orders.csv",
        "number,customer_code,booked_on,currency,line_number,product_sku,quantity,unit_price\n"
        "SO-1,C-1000,2026-01-05,USD,1,UPS-3000,2,1500.00\n"
        "SO-1,C-2000,2026-01-05,USD,2,UPS-3000,1,1500.00\n",
    )
    result = _fails_and_writes_nothing(path, kind="orders")
    assert result.problems == [
        Problem(
            3,
            "customer_code",
            "C-2000",
            "the same customer_code as line 2 of number SO-1 "
            "('C-1000'): the header columns repeat on every line",
        ),
    ]


def test_payment_applied_more_than_received(world, write):
    write_invoice = write(
        "invoices.csv",
        HEADER + "INV-1,C-1000,2026-01-05,2026-02-04,USD,100.00\n"
        "INV-2,C-1000,2026-01-05,2026-02-04,USD,100.00\n",
    )
    assert file_import(kind="invoices", path=write_invoice).ok
    path = write(
        "payments.csv",
        "number,customer_code,received_on,currency,amount,invoice_number,applied_amount\n"
        "P-1,C-1000,2026-01-20,USD,150.00,INV-1,100.00\n"
        "P-1,C-1000,2026-01-20,USD,150.00,INV-2,60.00\n"
        "P-2,C-1000,2026-01-20,USD,10.00,INV-2,\n",
    )
    result = _fails_and_writes_nothing(path, kind="payments")
    assert result.problems == [
        Problem(
            2,
            "applied_amount",
            "160.00",
            "the applied_amount lines of number P-1 to add up to no more than its amount (150.00)",
        ),
        Problem(
            4, "applied_amount", "", "the amount applied to the invoice named in invoice_number"
        ),
    ]


def test_new_product_line_needs_a_name(world, write):
    path = write(
        "products.csv",
        "sku,name,product_line_code,product_line_name,unit_cost,list_price\n"
        "PDU-1,PDU,PDU,,10,20\n"
        "PDU-2,PDU 2,RACK,Racks,10,20\n"
        "PDU-3,PDU 3,RACK,Rack cabinets,10,20\n",
    )
    result = _fails_and_writes_nothing(path, kind="products")
    assert result.problems == [
        Problem(
            2,
            "product_line_code",
            "PDU",
            "a product line code that exists, or a product_line_name to create 'PDU' with",
        ),
        Problem(
            4,
            "product_line_name",
            "Rack cabinets",
            "the same name for new product line 'RACK' as on line 3 ('Racks')",
        ),
    ]


@pytest.mark.parametrize("bad", ["maybe", "2"])
def test_bool_values(world, write, bad):
    path = write("distributors.csv", f"code,name,country,is_active\nD9,Nine,US,{bad}\n")
    result = _fails_and_writes_nothing(path, kind="distributors")
    assert result.problems == [Problem(2, "is_active", bad, "true or false (also yes/no, 1/0)")]
