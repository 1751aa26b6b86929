"""Text from imported files that a spreadsheet would run as a formula stays text: in both .xlsx
exports (type "s", the value intact, so our own export re-imports unchanged) and in the
problems report CSV (a leading apostrophe)."""

import csv
import io

from openpyxl import load_workbook

from revdesk.foundation.spreadsheet import csv_text
from revdesk.ingest.exporter import export_file
from revdesk.ingest.importer import file_import
from revdesk.ingest.report import Problem, problems_csv
from revdesk.parties.models import Customer

from .conftest import database_state

HYPERLINK = '=HYPERLINK("http://x","y")'


def _name_customer(name):
    Customer.objects.filter(code="C-1000").update(name=name)


def test_ingest_xlsx_export_writes_a_formula_like_name_as_text(world, tmp_path):
    _name_customer(HYPERLINK)
    path = tmp_path / "customers.xlsx"
    export_file(kind="customers", fmt="xlsx", out=path)
    sheet = load_workbook(path)["customers"]
    header = [cell.value for cell in sheet[1]]
    rows = {row[0].value: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)}
    name = rows["C-1000"]["name"]
    assert (name.value, name.data_type) == (HYPERLINK, "s")
    formulas = [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_export_then_import_keeps_the_formula_like_name_unchanged(world, tmp_path):
    _name_customer(HYPERLINK)
    path = tmp_path / "customers.xlsx"
    export_file(kind="customers", fmt="xlsx", out=path)
    before = database_state()
    result = file_import(kind="customers", path=path)
    assert (result.status, result.created, result.updated, result.unchanged) == (
        "succeeded",
        0,
        0,
        3,
    )
    assert database_state() == before
    assert Customer.objects.get(code="C-1000").name == HYPERLINK


def test_report_csv_puts_an_apostrophe_before_what_excel_would_run():
    problems = [
        Problem(2, "name", HYPERLINK, "a name"),
        Problem(3, "amount", "-12.50", "an amount above zero"),
        Problem(4, "note", "+cmd|' /C calc'!A0", "a note"),
        Problem(5, "note", "@SUM(A1)", "a note"),
        Problem(6, "note", "-2+3", "a note"),
        Problem(7, "note", "\tTAB", "a note"),
        Problem(None, "=1+1", "", "a file"),
    ]
    rows = list(csv.reader(io.StringIO(problems_csv(problems))))
    assert rows == [
        ["line", "column", "value", "expected", "severity"],
        ["2", "name", "'" + HYPERLINK, "a name", "error"],
        ["3", "amount", "-12.50", "an amount above zero", "error"],
        ["4", "note", "'+cmd|' /C calc'!A0", "a note", "error"],
        ["5", "note", "'@SUM(A1)", "a note", "error"],
        ["6", "note", "'-2+3", "a note", "error"],
        ["7", "note", "'\tTAB", "a note", "error"],
        ["", "'=1+1", "", "a file", "error"],
    ]
    assert (csv_text("C-1000"), csv_text("\rx"), csv_text("+1,200.00")) == (
        "C-1000",
        "'\rx",
        "+1,200.00",
    )


def test_an_import_report_of_a_formula_like_value_is_text(world, write, tmp_path):
    path = write(
        "invoices.csv",
        "number,customer_code,issued_on,due_on,currency,amount\n"
        f'INV-1,"{HYPERLINK.replace(chr(34), chr(34) * 2)}",2026-01-05,2026-02-04,USD,1.00\n',
    )
    result = file_import(kind="invoices", path=path)
    rows = list(csv.reader(io.StringIO(problems_csv(result.problems))))
    assert rows[1][:3] == ["2", "customer_code", "'" + HYPERLINK]
