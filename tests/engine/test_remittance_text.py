"""Remittance advice as customers write it: invoices and amounts found in text, PDF, Excel and
CSV (engine.remittance_text)."""

from __future__ import annotations

import io
from decimal import Decimal

from fpdf import FPDF
from openpyxl import Workbook

from revdesk.engine.remittance_text import (
    AdviceLine,
    amount_parse,
    attachment_lines,
    rows_lines,
    text_lines,
)

D = Decimal
BODY = """Hello,

Please find our payment of USD 5,630.50 sent 2026-10-27 for:
Invoice 10023    $1,250.00
INV-0010024      3.400,00
Invoice #10031 dated 10/20/2026   980.50
PO 45678 no amount
Total paid: 5,630.50
Call me at 555-1234 with questions.
"""


def test_amounts_in_the_ways_people_write_them():
    assert [amount_parse(t) for t in ("1,234.56", "1.234,56", "1 234.56", "1234.56", "980,50")] == [
        D("1234.56")
    ] * 4 + [D("980.50")]
    assert amount_parse("12") is None
    assert amount_parse("1,2345.00") is None


def test_invoices_amounts_and_the_total_in_an_e_mail():
    advice = text_lines(BODY, source="the e-mail")
    assert advice.lines == [
        AdviceLine("10023", D("1250.00"), "the e-mail line 4"),
        AdviceLine("INV-0010024", D("3400.00"), "the e-mail line 5"),
        AdviceLine("10031", D("980.50"), "the e-mail line 6"),
        AdviceLine("45678", None, "the e-mail line 7"),
    ]
    # the payment's own amount, the dates and the phone number are not documents
    assert (advice.total, advice.total_source) == (D("5630.50"), "the e-mail line 8")
    assert advice.lines_total == D("5630.50")


def test_several_invoices_on_a_line_take_their_own_amounts():
    advice = text_lines("INV 10023 / 10024   1,250.00 / 3,400.00", source="t")
    assert [(line.invoice, line.amount) for line in advice.lines] == [
        ("INV10023", D("1250.00")),
        ("10024", D("3400.00")),
    ]
    one_amount = text_lines("Invoices 10023, 10024: 4,650.00", source="t")
    assert [(line.invoice, line.amount) for line in one_amount.lines] == [
        ("10023", None),
        ("10024", None),
    ]
    assert one_amount.notes == ["t line 1: 2 documents and one amount"]


def test_a_spreadsheet_by_its_columns_the_paid_one_first():
    rows = [
        ["Remittance from Apex Colocation"],
        ["Invoice No", "Invoice date", "Invoice amount", "Paid"],
        ["10023", "2026-09-01", 1250, 1250],
        ["10024", "2026-09-03", "3,400.00", "3,390.00"],
        [None, None, "Total", 4640],
    ]
    advice = rows_lines(rows, source="remit.xlsx")
    assert advice.lines == [
        AdviceLine("10023", D("1250.00"), "remit.xlsx row 3"),
        AdviceLine("10024", D("3390.00"), "remit.xlsx row 4"),
    ]
    assert (advice.total, advice.total_source) == (D("4640.00"), "remit.xlsx row 5")


def test_pdf_excel_and_csv_attachments():
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for text in ("REMITTANCE ADVICE", "Invoice 10023   1,250.00", "Invoice 10024   3,400.00"):
        pdf.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
    found = attachment_lines("advice.pdf", bytes(pdf.output()))
    assert [(line.invoice, line.amount, line.source) for line in found.lines] == [
        ("10023", D("1250.00"), "advice.pdf page 1 line 2"),
        ("10024", D("3400.00"), "advice.pdf page 1 line 3"),
    ]

    book = Workbook()
    book.active.append(["Document", "Amount paid"])
    book.active.append(["INV-0010031", 980.5])
    buffer = io.BytesIO()
    book.save(buffer)
    found = attachment_lines("remit.xlsx", buffer.getvalue())
    assert found.lines == [AdviceLine("INV-0010031", D("980.50"), "remit.xlsx row 2")]

    found = attachment_lines("remit.csv", b"invoice,paid\n10023,1250.00\n")
    assert found.lines == [AdviceLine("10023", D("1250.00"), "remit.csv row 2")]

    assert attachment_lines("logo.png", b"\x89PNG") is None
    broken = attachment_lines("advice.pdf", b"%PDF-1.4 not really")
    assert broken.lines == []
    assert broken.notes[0].startswith("advice.pdf could not be read (")
