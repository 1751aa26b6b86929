"""Text that a spreadsheet would take for a formula, written so it stays text.

Names, PO numbers and remittance notes come from imported files: a customer called
=HYPERLINK("http://...") must reach Excel as those characters, never as a formula
(CSV/formula injection). openpyxl turns any string starting with "=" into a formula, and
Excel runs a CSV cell starting with = + - @ tab or carriage return.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d[\d,]*)?(\.\d+)?")


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
