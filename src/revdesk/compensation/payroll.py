"""The payroll export: what an approved (or paid) run pays, one row per payee, period, currency.

Only approved and paid runs go to payroll; a draft or reviewed run is refused in plain words.
The rows are checked against the run's own totals per currency before anything is written, so
a file payroll receives always adds up to the run.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from revdesk.engine.money import ZERO

from .models import CommissionRun, Payout, RunStatus

PAYROLL_FORMATS = (".csv", ".xlsx")
COLUMNS = ("payee", "name", "period", "currency", "amount", "run")


class PayrollRefused(ValueError):
    """The run cannot go to payroll; the message says why in plain words."""


@dataclass(frozen=True)
class PayrollRow:
    payee: str
    name: str
    period: str
    currency: str
    amount: Decimal
    run: int

    def as_dict(self) -> dict[str, object]:
        return {
            "payee": self.payee,
            "name": self.name,
            "period": self.period,
            "currency": self.currency,
            "amount": format(self.amount, "f"),
            "run": self.run,
        }


def payroll_rows(run: CommissionRun) -> list[PayrollRow]:
    """Every payout of an approved or paid run, checked against the run's totals."""
    if run.status not in (RunStatus.APPROVED, RunStatus.PAID):
        step = {
            RunStatus.DRAFT: f"review it, then approve it (revdesk commissions review {run.pk}, "
            f"then approve {run.pk})",
            RunStatus.REVIEWED: f"approve it first (revdesk commissions approve {run.pk})",
        }[RunStatus(run.status)]
        raise PayrollRefused(
            f"Run {run.pk} ({run.periods}) is {run.get_status_display().lower()}: only approved "
            f"or paid runs go to payroll; {step}."
        )
    rows = [
        PayrollRow(
            payee=payout.payee.code,
            name=payout.payee.name,
            period=payout.period,
            currency=payout.currency,
            amount=payout.amount,
            run=run.pk,
        )
        for payout in Payout.objects.filter(run=run)
        .select_related("payee")
        .order_by("period", "payee__code", "currency")
    ]
    totals = payroll_totals(rows)
    expected = {currency: Decimal(value) for currency, value in run.totals.items()}
    if totals != expected:
        found = ", ".join(f"{t:f} {c}" for c, t in sorted(totals.items())) or "nothing"
        wanted = ", ".join(f"{t:f} {c}" for c, t in sorted(expected.items())) or "nothing"
        raise PayrollRefused(
            f"Run {run.pk}'s payouts add up to {found}, but the run's totals say {wanted}: "
            "nothing was written. Ask an administrator to look at the run."
        )
    return rows


def payroll_totals(rows: list[PayrollRow]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for row in rows:
        totals[row.currency] = totals.get(row.currency, ZERO) + row.amount
    return dict(sorted(totals.items()))


def payroll_csv(rows: list[PayrollRow]) -> str:
    from revdesk.foundation.spreadsheet import csv_text

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        values = row.as_dict()
        writer.writerow([csv_text(str(values[column])) for column in COLUMNS])
    return buffer.getvalue()


def payroll_xlsx(rows: list[PayrollRow]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Font

    from revdesk.foundation.spreadsheet import excel_text_cell

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "payroll"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        amount = Cell(sheet, value=row.amount)
        amount.number_format = "#,##0.00"
        sheet.append(
            [
                excel_text_cell(sheet, row.payee, Cell),
                excel_text_cell(sheet, row.name, Cell),
                excel_text_cell(sheet, row.period, Cell),
                row.currency,
                amount,
                row.run,
            ]
        )
    for letter, size in zip("ABCDEF", (12, 28, 10, 10, 14, 8), strict=True):
        sheet.column_dimensions[letter].width = size
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def payroll_write(run: CommissionRun, path: Path) -> list[PayrollRow]:
    """Write the export to path (.csv or .xlsx by its suffix); refused before anything is
    written when the run is not approved or paid, or does not add up."""
    suffix = path.suffix.lower()
    if suffix not in PAYROLL_FORMATS:
        raise PayrollRefused(f"{path.name}: the payroll export is written as .csv or .xlsx")
    rows = payroll_rows(run)
    if suffix == ".csv":
        path.write_text(payroll_csv(rows), encoding="utf-8")
    else:
        path.write_bytes(payroll_xlsx(rows))
    return rows
