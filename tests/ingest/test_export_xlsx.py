"""An .xlsx export holds typed cells: whole numbers, amounts and dates, not text."""

import datetime as dt
from decimal import Decimal

from openpyxl import load_workbook

from revdesk.ingest.exporter import export_file


def _rows(path, kind):
    sheet = load_workbook(path)[kind]
    header = [cell.value for cell in sheet[1]]
    return [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]


def test_customers_numbers_are_numbers(world, tmp_path):
    path = tmp_path / "customers.xlsx"
    assert export_file(kind="customers", fmt="xlsx", out=path) == 3
    row = next(r for r in _rows(path, "customers") if r["code"].value == "C-2000")
    assert (row["payment_terms_days"].value, row["payment_terms_days"].number_format) == (45, "0")
    assert isinstance(row["credit_limit"].value, int | float)
    assert row["credit_limit"].number_format == "#,##0.00"
    assert (row["currency"].value, row["currency"].data_type) == ("CAD", "s")


def test_order_lines_typed(ledger, tmp_path):
    path = tmp_path / "orders.xlsx"
    export_file(kind="orders", fmt="xlsx", out=path)
    rows = {(r["number"].value, r["line_number"].value): r for r in _rows(path, "orders")}
    line = rows[("O-1", 2)]
    assert (line["line_number"].value, line["line_number"].number_format) == (2, "0")
    assert (line["term_months"].value, line["term_months"].number_format) == (36, "0")
    assert (line["quantity"].value, line["quantity"].number_format) == (1, "General")
    assert (line["unit_price"].value, line["unit_price"].number_format) == (1200, "#,##0.00")
    assert line["booked_on"].value == dt.datetime(2025, 9, 15)
    assert line["booked_on"].number_format == "yyyy-mm-dd"
    assert rows[("SO-1", 1)]["term_months"].value is None
    assert Decimal(str(rows[("SO-4", 1)]["amount"].value)) == Decimal("3300.3")
