"""Commission statements: one payee's payout in one run, every line behind it, as PDF or Excel.

`statement_build(run, payee)` gathers what a statement says (company, payee, plans, periods,
the payout per period, then every explanation line grouped by component with subtotals, what
the adjustments, draws and recoveries mean, and how to ask a question); `statement_pdf` and
`statement_xlsx` write it. Nothing here writes to the database.

Who may download which statement (`statement_allowed`): the analysts and administrators any
payee in any run; everybody else only payees they see (a rep: themselves; a manager: their
reporting tree) and only from approved or paid runs.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from revdesk.engine.line_notes import money_text
from revdesk.engine.money import ZERO
from revdesk.foundation.pdf import FONT, PdfPage, pdf_text
from revdesk.foundation.scoping import restrict, viewer_for

from .models import CommissionRun, Payout, PayoutLine, PlanVersion, RunStatus
from .selectors import payout_lines_noted

FORMATS = ("pdf", "xlsx")
RELEASED = (RunStatus.APPROVED, RunStatus.PAID)
MONEY_FORMAT = "#,##0.00"
SHARE_FORMAT = "0.######"

#: line kind -> what it means, in plain words (shown when the statement has such lines)
KIND_NOTES = {
    "clawback": "Clawback: commission taken back because a sale was credited or cancelled "
    "inside the plan's clawback window, at the rate it was first paid.",
    "adjustment": "Adjustment: an earlier period, already closed, worked out again (for "
    "example after an approved claim or a late credit memo); the difference is paid or "
    "recovered in this period, never by changing the closed one.",
    "draw": "Draw: an advance paid because earnings were below the plan's draw. A "
    "recoverable draw is owed back from later earnings; a non-recoverable one is not.",
    "recovery": "Recovery: part of an earlier recoverable draw taken back from this "
    "period's earnings above the draw.",
    "cap": "Cap: the plan limits what a component or period pays; this line takes off what "
    "was above the limit (or tops up to a floor).",
    "rounding": "Rounding: the period total is rounded to the cent once, as the plan says.",
    "override": "Override: a share of the sales of the people who report to you.",
    "spif": "SPIF: a fixed amount for a qualifying sale.",
    "bonus": "Bonus: paid for reaching a target in the period.",
}
QUESTION_NOTE = (
    "A question about this statement? Open a case in Revdesk: New case, type 'Commission "
    "inquiry', reason 'Question about a statement', and name the run number, the period and "
    "the transaction. The commissions team answers it there, and you can follow it under "
    "My cases."
)


class StatementRefused(ValueError):
    """No statement for this payee in this run; the message says why in plain words."""


@dataclass
class Group:
    """The lines of one component (or of one kind without a component) and their subtotal."""

    component: str
    lines: list[PayoutLine]
    subtotal: Decimal


@dataclass
class Statement:
    company: str
    run: CommissionRun
    payee: object
    plans: list[str]
    periods: list[str]
    payouts: list[Payout]
    totals: dict[str, Decimal]
    groups: list[Group]
    notes: list[str]
    question: str = QUESTION_NOTE
    currency_by_period: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"Commission statement: {self.payee.name} ({self.payee.code}), run {self.run.pk}"

    def currency_of(self, line: PayoutLine) -> str:
        return line.currency or self.currency_by_period.get(line.period, "")


def company_name() -> str:
    """The company the statements are from (setting REVDESK_COMPANY_NAME, else Revdesk)."""
    return settings.REVDESK_COMPANY_NAME or "Revdesk"


def statement_allowed(user, run: CommissionRun, payee) -> bool:
    """May this person download this payee's statement from this run?"""
    viewer = viewer_for(user)
    if viewer.user is None or not getattr(user, "is_authenticated", False):
        return False
    if not restrict(type(payee)._default_manager.filter(pk=payee.pk), user).exists():
        return False
    return viewer.sees_everything or run.status in RELEASED


def statement_payees(run: CommissionRun, user=None):
    """The payees with a payout in the run (those this person may download, when given)."""
    from revdesk.parties.models import Payee

    payees = Payee.objects.filter(payouts__run=run).distinct().order_by("code")
    if user is None:
        return payees
    if not viewer_for(user).sees_everything and run.status not in RELEASED:
        return payees.none()
    return restrict(payees, user)


def _plans(run: CommissionRun, payee) -> list[str]:
    from revdesk.parties.models import PlanAssignment

    codes = list(
        PlanAssignment.objects.filter(payee=payee, valid_from__lte=run.ends_on)
        .exclude(valid_to__lt=run.starts_on)
        .order_by("valid_from")
        .values_list("plan_code", flat=True)
    )
    names = dict(
        PlanVersion.objects.filter(code__in=codes)
        .order_by("code", "version")
        .values_list("code", "name")
    )
    return [f"{names[code]} ({code})" if code in names else code for code in dict.fromkeys(codes)]


def _group_key(line: PayoutLine) -> str:
    return line.component or line.kind


def statement_build(run: CommissionRun, payee) -> Statement:
    """What one payee's statement for one run says."""
    payouts = list(Payout.objects.filter(run=run, payee=payee).order_by("period", "currency"))
    lines = list(PayoutLine.objects.filter(run=run, payee=payee).order_by("period", "id"))
    if not payouts and not lines:
        raise StatementRefused(
            f"{payee.code} ({payee.name}) has nothing in run {run.pk} ({run.periods})."
        )
    payout_lines_noted(payee.pk, lines)
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for payout in payouts:
        totals[payout.currency] += payout.amount
    grouped: dict[str, list[PayoutLine]] = {}
    for line in lines:
        grouped.setdefault(_group_key(line), []).append(line)
    groups = [
        Group(component, members, sum((line.amount for line in members), ZERO))
        for component, members in grouped.items()
    ]
    kinds = {line.kind for line in lines}
    notes = [text for kind, text in KIND_NOTES.items() if kind in kinds]
    return Statement(
        company=company_name(),
        run=run,
        payee=payee,
        plans=_plans(run, payee),
        periods=sorted({payout.period for payout in payouts} | {line.period for line in lines}),
        payouts=payouts,
        totals=dict(sorted(totals.items())),
        groups=groups,
        notes=notes,
        currency_by_period={payout.period: payout.currency for payout in payouts},
    )


def statement_file_name(run: CommissionRun, payee, fmt: str) -> str:
    return f"statement-run{run.pk}-{payee.code}.{fmt}"


# -- text as shown ---------------------------------------------------------------------------


def number_text(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def _tier_text(line: PayoutLine) -> str:
    return "" if line.tier is None else str(line.tier)


def _transaction_text(line: PayoutLine) -> str:
    return line.transaction_id or line.kind


def _totals_text(statement: Statement) -> str:
    return ", ".join(
        f"{money_text(amount)} {currency}" for currency, amount in statement.totals.items()
    )


def _status_text(run: CommissionRun) -> str:
    return run.get_status_display().lower()


def _heading_rows(statement: Statement) -> list[tuple[str, str]]:
    run = statement.run
    return [
        ("Company", statement.company),
        ("Payee", f"{statement.payee.name} ({statement.payee.code})"),
        ("Plan(s)", ", ".join(statement.plans) or "none assigned"),
        ("Period(s)", ", ".join(statement.periods)),
        ("Run", f"{run.pk} ({run.periods}, {_status_text(run)})"),
        ("Payout total", _totals_text(statement) or "nothing"),
    ]


LINE_HEADERS = ("Period", "Transaction", "Credit share", "Tier", "Rate", "Base", "Amount", "Kind")


# -- PDF -------------------------------------------------------------------------------------


def statement_pdf(statement: Statement) -> bytes:
    from fpdf.fonts import FontFace

    page = PdfPage(title=statement.title, author=statement.company)
    pdf, width, say = page.pdf, page.width, page.say

    say(statement.company, size=10, style="B")
    say("Commission statement", size=16, style="B", height=8)
    pdf.ln(1)
    pdf.set_font(FONT, size=9)
    with pdf.table(
        col_widths=(30, width - 30),
        first_row_as_headings=False,
        line_height=5,
        borders_layout="NONE",
    ) as table:
        for label, value in _heading_rows(statement):
            row = table.row()
            row.cell(pdf_text(label), style=FontFace(emphasis="BOLD"))
            row.cell(pdf_text(value))
    if len(statement.payouts) > 1:
        pdf.ln(2)
        say("Payout by period", size=10, style="B")
        pdf.set_font(FONT, size=9)
        with pdf.table(
            col_widths=(30, 40, 20),
            width=90,
            align="LEFT",
            text_align=("LEFT", "RIGHT", "LEFT"),
            line_height=5,
        ) as table:
            table.row(["Period", "Amount", "Currency"])
            for payout in statement.payouts:
                table.row([payout.period, money_text(payout.amount), payout.currency])
    for group in statement.groups:
        pdf.ln(3)
        say(f"Component: {group.component}", size=10, style="B")
        pdf.set_font(FONT, size=8)
        with pdf.table(
            col_widths=(16, 38, 18, 10, 18, 28, 28, 20),
            text_align=("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "LEFT"),
            line_height=4.5,
            headings_style=FontFace(emphasis="BOLD", fill_color=(235, 238, 242)),
        ) as table:
            table.row(list(LINE_HEADERS))
            for line in group.lines:
                table.row(
                    [
                        line.period,
                        pdf_text(_transaction_text(line)),
                        number_text(line.credit_share),
                        _tier_text(line),
                        number_text(line.rate),
                        money_text(line.base),
                        money_text(line.amount),
                        line.kind,
                    ]
                )
                if line.note:
                    note = table.row(style=FontFace(color=(80, 80, 80)))
                    note.cell("")
                    note.cell(pdf_text(line.note), colspan=7, align="LEFT")
            row = table.row(style=FontFace(emphasis="BOLD"))
            row.cell(pdf_text(f"Subtotal {group.component}"), colspan=6)
            row.cell(money_text(group.subtotal))
            row.cell("")
    pdf.ln(3)
    say(f"Total: {_totals_text(statement) or 'nothing'}", size=10, style="B")
    if statement.notes:
        pdf.ln(2)
        say("What the lines mean", size=10, style="B")
        for note in statement.notes:
            say(note, size=8.5, height=4.5)
    pdf.ln(2)
    say("Questions", size=10, style="B")
    say(statement.question, size=8.5, height=4.5)
    pdf.ln(1)
    say(
        f"Run {statement.run.pk}: input fingerprint {statement.run.fingerprint[:16]}, engine "
        f"{statement.run.engine_version}. Printed {dt.date.today().isoformat()}.",
        size=7,
        height=4,
    )
    return bytes(pdf.output())


# -- Excel -----------------------------------------------------------------------------------


def statement_xlsx(statement: Statement) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Alignment, Font

    from revdesk.foundation.spreadsheet import excel_text_cell

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Statement"
    bold = Font(bold=True)

    def text(value: str):
        return excel_text_cell(sheet, value, Cell)

    def money(value: Decimal | None):
        cell = Cell(sheet, value=value)
        cell.number_format = MONEY_FORMAT
        return cell

    def number(value: Decimal | None, fmt: str = SHARE_FORMAT):
        cell = Cell(sheet, value=value)
        cell.number_format = fmt
        return cell

    def heading(value: str):
        cell = text(value)
        cell.font = bold
        return cell

    sheet.append([heading("Commission statement")])
    for label, value in _heading_rows(statement)[:5]:
        sheet.append([heading(label), text(value)])
    for currency, amount in statement.totals.items():
        sheet.append([heading("Payout total"), money(amount), text(currency)])
    sheet.append([])
    sheet.append([heading("Period"), heading("Amount"), heading("Currency")])
    for payout in statement.payouts:
        sheet.append([text(payout.period), money(payout.amount), text(payout.currency)])
    sheet.append([])
    headers = ("Component", *LINE_HEADERS[:7], "Currency", "Kind", "Note")
    for group in statement.groups:
        sheet.append([heading(name) for name in headers])
        for line in group.lines:
            sheet.append(
                [
                    text(group.component),
                    text(line.period),
                    text(_transaction_text(line)),
                    number(line.credit_share),
                    line.tier,
                    number(line.rate),
                    money(line.base),
                    money(line.amount),
                    text(statement.currency_of(line)),
                    text(line.kind),
                    text(line.note),
                ]
            )
        sheet.append([heading(f"Subtotal {group.component}"), *[None] * 6, money(group.subtotal)])
        sheet.cell(row=sheet.max_row, column=8).font = bold
        sheet.append([])
    for note in (*statement.notes, statement.question):
        sheet.append([text(note)])
        sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(wrap_text=False)
    for letter, size in zip("ABCDEFGHIJK", (22, 10, 24, 12, 6, 10, 14, 14, 9, 11, 70), strict=True):
        sheet.column_dimensions[letter].width = size
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def statement_render(statement: Statement, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise StatementRefused(f"{fmt!r} is not a statement format: pdf or xlsx")
    return statement_pdf(statement) if fmt == "pdf" else statement_xlsx(statement)
