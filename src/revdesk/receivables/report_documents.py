"""The collections reports as documents people send on: the aging, the Top Past Due list and
the KPIs as Excel workbooks (money as numbers), and the Top Past Due list as a one-page PDF for
the monthly review. Built from receivables.reports; nothing is worked out again here."""

from __future__ import annotations

import datetime as dt
import io

from revdesk.foundation.pdf import FONT, pdf_document, pdf_text
from revdesk.foundation.spreadsheet import MONEY_FORMAT, Sheet

from .reports import GROUP_LABELS, AgingReport, KpiRow, TopPastDue
from .rules import money_text


def _workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _label(column: str) -> str:
    return {
        "current": "Current",
        "open_credits": "Open credits",
        "net": "Net open",
        "past_due": "Past due",
    }.get(column, column.replace("over-", "Over ").replace("-", "–"))


def aging_xlsx(report: AgingReport) -> bytes:
    """One sheet: a row per customer (or --by) and currency, then the company's totals."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    sheet = Sheet(workbook, "Aging")
    named = report.by in ("customer", "parent")
    head = [GROUP_LABELS[report.by]] if report.by != "company" else []
    if named:
        head.append("Name")
    sheet.header([*head, "Currency", *map(_label, report.columns), "Items"])
    money = [MONEY_FORMAT] * len(report.columns)
    for row in report.rows:
        keys = [row[report.by]] if report.by != "company" else []
        if named:
            keys.append(row.get("name", ""))
        sheet.row(
            [*keys, row["currency"], *(row[c] for c in report.columns), row["items"]],
            [*[None] * len(keys), None, *money, None],
        )
    if report.by != "company":
        sheet.row([None])
        for total in report.totals:
            keys = ["Total"] + ([""] if named else [])
            sheet.row(
                [*keys, total["currency"], *(total[c] for c in report.columns), total["items"]],
                [*[None] * len(keys), None, *money, None],
            )
    sheet.row([None])
    basis = "days past due" if report.buckets.basis == "due" else "days since the invoice date"
    sheet.row([f"Aging on {report.as_of}, by {basis}; open credits are netted, never bucketed."])
    sheet.finish()
    return _workbook_bytes(workbook)


TOP_HEADERS = [
    "Rank",
    "Customer",
    "Name",
    "Key account",
    "Collector",
    "Currency",
    "Past due",
    "Oldest days past due",
    "Items past due",
    "Net open",
    "Open disputes",
    "Disputed",
]


def _top_values(row) -> list:
    return [
        row.rank,
        row.code,
        row.name,
        "yes" if row.is_key_account else "",
        row.collector,
        row.currency,
        row.past_due,
        row.oldest_days_past_due,
        row.items_past_due,
        row.net_open,
        row.open_disputes,
        row.disputed,
    ]


def top_past_due_xlsx(report: TopPastDue) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    sheet = Sheet(workbook, "Top past due")
    sheet.header(TOP_HEADERS)
    formats = [None] * 6 + [MONEY_FORMAT, None, None, MONEY_FORMAT, None, MONEY_FORMAT]
    for row in report.rows:
        sheet.row(_top_values(row), formats)
    sheet.row([None])
    sheet.row(
        [
            f"Top {report.top} past due on {report.as_of}: past due is everything after "
            "Current; net open is the whole balance after open credits."
        ]
    )
    sheet.finish()
    return _workbook_bytes(workbook)


def top_past_due_pdf(report: TopPastDue, *, company: str) -> bytes:
    """A landscape A4 page (or more) for the monthly review."""
    from fpdf.fonts import FontFace

    pdf = pdf_document(orientation="landscape")
    pdf.set_title(pdf_text(f"Top past due on {report.as_of}"))
    pdf.set_author(pdf_text(company))
    pdf.set_creator("Revdesk")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_margins(10, 10, 10)
    pdf.add_page()
    pdf.set_font(FONT, style="B", size=10)
    pdf.cell(0, 5, pdf_text(company), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, style="B", size=15)
    title = f"Top {report.top} past due on {report.as_of}"
    pdf.cell(0, 8, pdf_text(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=8)
    with pdf.table(
        col_widths=(10, 22, 58, 12, 24, 14, 28, 16, 12, 28, 14, 28),
        text_align=(
            "RIGHT",
            "LEFT",
            "LEFT",
            "LEFT",
            "LEFT",
            "LEFT",
            "RIGHT",
            "RIGHT",
            "RIGHT",
            "RIGHT",
            "RIGHT",
            "RIGHT",
        ),
        line_height=4.5,
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 238, 242)),
    ) as table:
        table.row(
            [
                "#",
                "Customer",
                "Name",
                "Key",
                "Collector",
                "Currency",
                "Past due",
                "Oldest days",
                "Items",
                "Net open",
                "Disputes",
                "Disputed",
            ]
        )
        for row in report.rows:
            values = _top_values(row)
            for at in (6, 9, 11):
                values[at] = money_text(values[at])
            table.row([pdf_text(str(value)) for value in values])
    pdf.ln(3)
    pdf.set_font(FONT, size=7.5)
    pdf.multi_cell(
        0,
        4,
        pdf_text(
            "Past due: every open invoice after Current (days past due = report date - due "
            "date, above 0). Net open: the whole open balance after open credits. Disputed: "
            f"open collections cases. Printed {dt.date.today().isoformat()}."
        ),
    )
    return bytes(pdf.output())


#: the KPI workbook's columns after the group and currency: (label, KpiRow attribute or
#: figure name, number format)
KPI_COLUMNS = (
    ("Credit sales", "sales", MONEY_FORMAT),
    ("Receivables at start", "ar_begin", MONEY_FORMAT),
    ("Receivables at end", "ar_end", MONEY_FORMAT),
    ("Not yet due at end", "ar_end_current", MONEY_FORMAT),
    ("Open invoices at end", "ar_end_receivable", MONEY_FORMAT),
    ("DSO count-back", "dso_countback", MONEY_FORMAT),
    ("DSO simple", "dso_simple", MONEY_FORMAT),
    ("Best possible DSO (count-back)", "best_possible_dso_countback", MONEY_FORMAT),
    ("Best possible DSO (simple)", "best_possible_dso_simple", MONEY_FORMAT),
    ("ADD count-back", "add_countback", MONEY_FORMAT),
    ("ADD simple", "add_simple", MONEY_FORMAT),
    ("CEI %", "cei_percent", MONEY_FORMAT),
    ("% current", "current_percent", MONEY_FORMAT),
    ("Unapplied cash", "unapplied_cash", MONEY_FORMAT),
    ("Open disputes", "disputes_open", None),
    ("Disputed", "disputed_amount", MONEY_FORMAT),
    ("Average dispute age (days)", "dispute_average_age_days", MONEY_FORMAT),
    ("Oldest dispute (days)", "dispute_oldest_age_days", None),
    ("Disputed 0–30 days", "disputed_0_30", MONEY_FORMAT),
    ("Disputed 31–60 days", "disputed_31_60", MONEY_FORMAT),
    ("Disputed 61–90 days", "disputed_61_90", MONEY_FORMAT),
    ("Disputed over 90 days", "disputed_over_90", MONEY_FORMAT),
)


def kpis_xlsx(rows: list[KpiRow], *, by: str, first: str, last: str) -> bytes:
    """One sheet: a row per `by` and currency with every KPI and what it is made of (days
    and percentages to two decimals, as on the page; counts whole)."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    sheet = Sheet(workbook, "KPIs")
    head = [GROUP_LABELS[by]] if by != "company" else []
    sheet.header([*head, "Currency", *(label for label, _, _ in KPI_COLUMNS)])
    formats = [None] * (len(head) + 1) + [form for _, _, form in KPI_COLUMNS]
    for row in rows:
        values = [
            getattr(row, name) if hasattr(row, name) else row.figures.values.get(name)
            for _, name, _ in KPI_COLUMNS
        ]
        keys = [row.key or "(none)"] if by != "company" else []
        sheet.row([*keys, row.currency, *values], formats)
    sheet.row([None])
    sheet.row(
        [
            f"KPIs of {first} to {last}; % current, unapplied cash and disputes at the end of "
            f"{last}. Definitions: docs/guide/collections.md (Reports, KPIs)."
        ]
    )
    sheet.finish()
    return _workbook_bytes(workbook)
