"""Export one kind in exactly the shape its import reads (same columns, same formats)."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO

from revdesk.foundation.spreadsheet import excel_text_cell

from .kinds import KINDS
from .spec import ColumnType, KindSpec, format_value

FORMATS = ("csv", "xlsx", "json")


def export_rows(*, kind: str, user=None) -> Iterator[dict[str, str]]:
    """Rows as text, column name -> value as our files write it."""
    spec = KINDS[kind]
    for row in spec.export(user):
        yield {column.name: format_value(column, row.get(column.name)) for column in spec.columns}


def export_file(*, kind: str, fmt: str, out: str | Path | None, user=None) -> int:
    """Write the export to `out` (stdout when None, except xlsx). Returns the row count."""
    spec = KINDS[kind]
    if fmt == "xlsx":
        if out is None:
            raise ValueError("an .xlsx export needs --out FILE")
        return _write_xlsx(spec, Path(out), user)
    if out is None:
        return _write_text(spec, fmt, sys.stdout, user)
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    with Path(out).open("w", encoding=encoding, newline="") as handle:
        return _write_text(spec, fmt, handle, user)


def _write_text(spec: KindSpec, fmt: str, handle: IO[str], user) -> int:
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(handle, fieldnames=spec.column_names, lineterminator="\n")
        writer.writeheader()
        for row in export_rows(kind=spec.name, user=user):
            writer.writerow(row)
            count += 1
        return count
    handle.write("[")
    for row in export_rows(kind=spec.name, user=user):
        handle.write(("\n  " if count == 0 else ",\n  ") + json.dumps(row, ensure_ascii=False))
        count += 1
    handle.write("\n]\n" if count else "]\n")
    return count


def _write_xlsx(spec: KindSpec, path: Path, user) -> int:
    """A streamed workbook with one sheet named after the kind: dates as dates, whole numbers
    as numbers, amounts as numbers with two decimals, text as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(spec.name)
    sheet.append(spec.column_names)
    count = 0
    for row in spec.export(user):
        cells = []
        for column in spec.columns:
            value = row.get(column.name)
            if value is None:
                cells.append(None)
                continue
            if column.number_format is None:
                # text stays text: an imported name like =HYPERLINK(...) is no formula here
                cells.append(excel_text_cell(sheet, format_value(column, value), WriteOnlyCell))
                continue
            if column.type is ColumnType.INT:
                value = int(value)
            elif column.type is ColumnType.DECIMAL and not isinstance(value, Decimal):
                value = Decimal(str(value))
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = column.number_format
            cells.append(cell)
        sheet.append(cells)
        count += 1
    workbook.save(path)
    return count
