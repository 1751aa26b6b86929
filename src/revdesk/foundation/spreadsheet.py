"""Spreadsheet cells as text: reading a cell the way a person sees it, and writing text that a
spreadsheet would take for a formula so it stays text.

Reading (`cell_text`): imports compare what they read with what people typed, so a cell
openpyxl hands back as a date, a float or a boolean is turned back into the text it showed.

Names, PO numbers and remittance notes come from imported files: a customer called
=HYPERLINK("http://...") must reach Excel as those characters, never as a formula
(CSV/formula injection). openpyxl turns any string starting with "=" into a formula, and
Excel runs a CSV cell starting with = + - @ tab or carriage return.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d[\d,]*)?(\.\d+)?")


def cell_text(value: object) -> str:
    """A cell's value as the text it shows: empty for an empty cell, a date as 2026-11-15 (with
    its time only when it has one), a whole number without ".0", any other float in full
    decimal notation (never 1e-05), booleans as true/false. Not stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{Decimal(repr(value)):f}"
    return str(value)


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def excel_text_cell(sheet, text: str, cell_class):
    """A cell holding `text` as a string (type "s"), whatever it starts with: the value reads
    back unchanged, as an import of our own export needs."""
    cell = cell_class(sheet, value=text)
    cell.data_type = "s"
    return cell


def csv_text(text: str) -> str:
    """`text` for a CSV file people open in Excel: a leading apostrophe before anything Excel
    would run (= + - @ tab, carriage return); a plain number such as -12.50 stays as it is."""
    if looks_like_formula(text) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.00%"


class Sheet:
    """Rows for one worksheet of an openpyxl workbook: text stays text (never a formula),
    money a 2-decimal number (`MONEY_FORMAT`); `finish` sizes the columns and freezes the
    header row."""

    def __init__(self, workbook, title: str):
        from openpyxl.cell.cell import Cell
        from openpyxl.styles import Font

        self.sheet = workbook.create_sheet(title=title)
        self.cell_class = Cell
        self.bold = Font(bold=True)
        self.widths: dict[int, int] = {}

    def _cell(self, value, number_format: str | None = None):
        if isinstance(value, str):
            cell = excel_text_cell(self.sheet, value, self.cell_class)
        else:
            cell = self.cell_class(self.sheet, value=value)
            if number_format and value is not None:
                cell.number_format = number_format
        return cell

    def header(self, labels: list[str]) -> None:
        cells = []
        for label in labels:
            cell = self._cell(label)
            cell.font = self.bold
            cells.append(cell)
        self._append(cells)

    def row(self, values: list, formats: list[str | None] | None = None) -> None:
        formats = formats or [None] * len(values)
        self._append([self._cell(value, fmt) for value, fmt in zip(values, formats, strict=True)])

    def _append(self, cells) -> None:
        for index, cell in enumerate(cells):
            text = cell.value if isinstance(cell.value, str) else f"{cell.value or ''}"
            self.widths[index] = max(self.widths.get(index, 8), min(len(text) + 2, 40))
        self.sheet.append(cells)

    def finish(self) -> None:
        from openpyxl.utils import get_column_letter

        for index, width in self.widths.items():
            self.sheet.column_dimensions[get_column_letter(index + 1)].width = max(width, 12)
        self.sheet.freeze_panes = "A2"
