"""Remittance advice as people send it: the invoices a payment pays and how much of each, found
in an e-mail's text, a PDF's text or a spreadsheet's rows (receivables turns an e-mail that
arrives in the cases inbox into a remittance advice with these lines).

The rules (documented in docs/guide/cash-application.md, "Remittance e-mails"):

- A line of text, a PDF line or a spreadsheet row names a document when it holds a document
  number: letters (optional) and at least `min_digits` digits, e.g. INV-0001234, 10023,
  "Invoice #10023". Dates, phone numbers and amounts are not numbers of documents.
- Its amount is the last amount on the same line (1,234.56 / 1234.56 / 1.234,56 / $1,234.56;
  two decimals). A line naming a document with no amount is kept with no amount.
- A line with a word of totals (total, sum, amount paid, payment amount) and an amount gives
  the advice's total, not a document.
- A spreadsheet with a header row naming a document column (invoice, document, reference,
  inv no...) and an amount column (paid, amount, payment, net...) is read by those columns;
  otherwise each row is read as a line of text.

Framework-free (no Django), like the rest of the engine.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

MIN_DIGITS = 4

_AMOUNT = re.compile(
    r"(?<![\w.,])(?P<number>\d{1,3}(?:[,.' ]\d{3})+[.,]\d{2}|\d+[.,]\d{2})(?![\d])"
)
_DATE = re.compile(r"\b\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b")
_TOTAL_WORDS = re.compile(
    r"\b(total|sum|amount paid|payment amount|amount of payment|remittance total)\b", re.I
)
_DOCUMENT_WORDS = re.compile(r"\b(invoice|inv|document|doc|bill|ref(erence)?)\b", re.I)
_HEADER_DOCUMENT = re.compile(r"^(invoice|inv|document|doc|reference|ref|bill)\b.*", re.I)
_HEADER_AMOUNT = re.compile(r"^(paid|amount|payment|net|remitted|amt)\b.*", re.I)


@dataclass(frozen=True)
class AdviceLine:
    invoice: str
    amount: Decimal | None
    source: str  # where it was found: "text line 4", "remit.pdf page 1 line 7", "x.xlsx row 3"


@dataclass
class Advice:
    lines: list[AdviceLine] = field(default_factory=list)
    total: Decimal | None = None
    total_source: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def lines_total(self) -> Decimal:
        return sum((line.amount for line in self.lines if line.amount is not None), Decimal(0))

    def extend(self, other: Advice) -> None:
        self.lines.extend(other.lines)
        if self.total is None and other.total is not None:
            self.total, self.total_source = other.total, other.total_source
        self.notes.extend(other.notes)


def amount_parse(text: str) -> Decimal | None:
    """'1,234.56', '1.234,56', '1 234.56', '1234.56' -> Decimal('1234.56'); None otherwise."""
    text = text.strip().replace("'", "").replace(" ", "")
    if re.fullmatch(r"\d{1,3}(,\d{3})+\.\d{2}|\d+\.\d{2}", text):
        text = text.replace(",", "")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+,\d{2}|\d+,\d{2}", text):
        text = text.replace(".", "").replace(",", ".")
    else:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the patterns above only let numbers through
        return None


def _documents(text: str, min_digits: int) -> list[str]:
    """Document numbers on a line: amounts and dates taken out first."""
    rest = _DATE.sub(" ", _AMOUNT.sub(" ", text))
    found = []
    pattern = re.compile(
        rf"(?<![\w-])(?:[A-Za-z]{{1,6}}[-# ]?)?\d{{{min_digits},}}(?:[-/]\d+)?(?![\w])"
    )
    for match in pattern.finditer(rest):
        token = match.group(0).strip()
        if re.fullmatch(r"[A-Za-z]+ \d+", token) and not _DOCUMENT_WORDS.fullmatch(
            token.split()[0]
        ):
            token = token.split()[1]  # "PO 12345" stays, "page 12345" is the number only
        found.append(token.replace(" ", ""))
    return found


def text_lines(text: str, *, source: str, min_digits: int = MIN_DIGITS) -> Advice:
    """The documents and amounts in free text (an e-mail body, a PDF's text)."""
    advice = Advice()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        amounts = [amount_parse(m.group("number")) for m in _AMOUNT.finditer(line)]
        amounts = [a for a in amounts if a is not None]
        where = f"{source} line {number}"
        if _TOTAL_WORDS.search(line) and amounts:
            advice.total, advice.total_source = amounts[-1], where
            continue
        documents = _documents(line, min_digits)
        if not documents:
            continue
        if len(documents) > 1 and len(amounts) == len(documents):
            pairs = zip(documents, amounts, strict=True)
        elif len(documents) > 1:
            pairs = ((d, None) for d in documents)
            if amounts:
                advice.notes.append(f"{where}: {len(documents)} documents and one amount")
        else:
            pairs = [(documents[0], amounts[-1] if amounts else None)]
        advice.lines.extend(AdviceLine(d, a, where) for d, a in pairs)
    return advice


def rows_lines(rows: list[list[object]], *, source: str, min_digits: int = MIN_DIGITS) -> Advice:
    """The documents and amounts of a spreadsheet's rows: by its header's document and amount
    columns when it has them, else each row as a line of text."""
    header_at, document_column, amount_column = None, None, None
    for index, row in enumerate(rows[:10]):
        cells = [str(c).strip() if c is not None else "" for c in row]
        documents = [i for i, c in enumerate(cells) if _HEADER_DOCUMENT.match(c)]
        amounts = [i for i, c in enumerate(cells) if _HEADER_AMOUNT.match(c)]
        if documents and amounts:
            header_at, document_column = index, documents[0]
            # the paid column rather than the invoiced one, when both are there
            paid = [i for i in amounts if re.match(r"^(paid|net|remitted|payment)", cells[i], re.I)]
            amount_column = (paid or amounts)[-1] if paid else amounts[-1]
            break
    if header_at is None:
        text = "\n".join(" ".join(str(c) for c in row if c is not None) for row in rows)
        advice = text_lines(text, source=source, min_digits=min_digits)
        return Advice(
            lines=[
                AdviceLine(line.invoice, line.amount, line.source.replace(" line ", " row "))
                for line in advice.lines
            ],
            total=advice.total,
            total_source=advice.total_source.replace(" line ", " row "),
            notes=advice.notes,
        )
    advice = Advice()
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        cells = list(row) + [None] * (max(document_column, amount_column) + 1 - len(row))
        document, amount = cells[document_column], cells[amount_column]
        where = f"{source} row {number}"
        joined = " ".join(str(c) for c in row if c is not None)
        if document in (None, ""):
            if _TOTAL_WORDS.search(joined) and amount not in (None, ""):
                advice.total, advice.total_source = _cell_amount(amount), where
            continue
        advice.lines.append(AdviceLine(str(document).strip(), _cell_amount(amount), where))
    return advice


def _cell_amount(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value)).quantize(Decimal("0.01"))
    return amount_parse(str(value).replace("$", "").replace("€", "").replace("£", ""))


def attachment_lines(name: str, data: bytes, *, min_digits: int = MIN_DIGITS) -> Advice | None:
    """The lines of an attachment: PDF (its text), Excel (every sheet) or CSV; None for any
    other kind. A file that cannot be read gives an advice with a note saying so."""
    lower = name.lower()
    try:
        if lower.endswith(".pdf"):
            from pypdf import PdfReader

            advice = Advice()
            for page_number, page in enumerate(PdfReader(io.BytesIO(data)).pages, start=1):
                advice.extend(
                    text_lines(
                        page.extract_text() or "",
                        source=f"{name} page {page_number}",
                        min_digits=min_digits,
                    )
                )
            return advice
        if lower.endswith((".xlsx", ".xlsm")):
            from openpyxl import load_workbook

            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            advice = Advice()
            for sheet in book.worksheets:
                rows = [list(row) for row in sheet.iter_rows(values_only=True)]
                label = name if len(book.worksheets) == 1 else f"{name} sheet {sheet.title}"
                advice.extend(rows_lines(rows, source=label, min_digits=min_digits))
            return advice
        if lower.endswith((".csv", ".txt")):
            text = data.decode("utf-8-sig", errors="replace")
            if lower.endswith(".csv"):
                rows = [list(row) for row in csv.reader(io.StringIO(text))]
                return rows_lines(rows, source=name, min_digits=min_digits)
            return text_lines(text, source=name, min_digits=min_digits)
    except Exception as error:  # a damaged attachment must not stop the mail being read
        return Advice(notes=[f"{name} could not be read ({type(error).__name__}: {error})"])
    return None
