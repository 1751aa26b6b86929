"""Statements of account: what a customer (with every customer under it) has open on a day,
its aging and open credits, and how to pay; as a PDF and an Excel workbook, e-mailed to the
customer's billing contact with a template (singly or in a batch) and recorded on the
account's timeline.

The figures are the engine's (engine.aging on the ledger, receivables.reports), the mail
goes through Django's mail backend (REVDESK_SMTP_HOST: SMTP; unset, development: files in
REVDESK_HOME/outbox), the template is a cases.MailTemplate (code "statement"), editable in
the admin.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from revdesk.engine.aging import Buckets, aging, explain
from revdesk.foundation.pdf import FONT, PdfPage, pdf_text
from revdesk.foundation.spreadsheet import MONEY_FORMAT, Sheet
from revdesk.parties.models import BillingContact, Customer

from .choices import ActivityKind
from .models import Activity, Invoice
from .reports import EVERYTHING, ledger
from .rules import invoice_of, money_text

STATEMENT_TEMPLATE = "statement"
DEFAULT_TEMPLATES = [
    (
        STATEMENT_TEMPLATE,
        "Statement of account",
        "Statement of account {{ statement.customer.code }} on {{ statement.on|date:'Y-m-d' }}",
        "Dear {{ contact.name|default:'customer' }},\n\n"
        "Please find attached the statement of account of {{ statement.customer.name }} on "
        "{{ statement.on|date:'Y-m-d' }}.\n"
        "{% for total in statement.totals %}\n"
        "Open: {{ total.net }} {{ total.currency }}, of which past due: {{ total.past_due }} "
        "{{ total.currency }}.{% endfor %}\n\n"
        "{{ statement.remittance }}\n\n"
        "If anything on it is not right, reply to this e-mail and we will look at it at once.\n\n"
        "Kind regards,\n{{ sender }}\n{{ statement.company }}",
    ),
]


@dataclass
class Statement:
    customer: Customer
    on: dt.date
    company: str
    remittance: str
    customers: list[Customer]
    lines: list[dict]
    aging: list[dict]  # per currency: the buckets, open credits, net, past due
    buckets: list[str] = field(default_factory=lambda: Buckets().labels)

    @property
    def totals(self) -> list[dict]:
        """Per currency, what is open and past due, written as in the documents (1,234.50)."""
        return [
            {
                "currency": row["currency"],
                "net": money_text(row["net"]),
                "past_due": money_text(row["past_due"]),
            }
            for row in self.aging
        ]

    @property
    def file_stem(self) -> str:
        return f"statement-{self.customer.code}-{self.on.isoformat()}"


def remittance_text() -> str:
    return settings.REVDESK_REMITTANCE


def statement_build(*, customer: Customer, on: dt.date | None = None, user=EVERYTHING) -> Statement:
    """The statement of `customer` and every customer under it, on `on` (today)."""
    today = on or timezone.localdate()
    tree = [customer]
    frontier = [customer.pk]
    while frontier:
        children = list(Customer.objects.filter(parent_id__in=frontier).order_by("code"))
        tree.extend(children)
        frontier = [c.pk for c in children]
    book, _ = ledger(user=user, customers=Customer.objects.filter(pk__in=[c.pk for c in tree]))
    if not book.documents.num_rows:
        lines, rows = [], []
    else:
        lines = explain(book, today).to_pylist()
        rows = aging(book, today, by="company").to_pylist()
    po = dict(
        Invoice.objects.filter(
            number__in=[invoice_of(line["document"]) for line in lines]
        ).values_list("number", "po_number")
    )
    for line in lines:
        line["po_number"] = po.get(invoice_of(line["document"]), "")
    lines.sort(
        key=lambda line: (
            line["currency"],
            line["due_date"] or line["invoice_date"],
            line["document"],
        )
    )
    return Statement(
        customer=customer,
        on=today,
        company=settings.REVDESK_COMPANY_NAME,
        remittance=remittance_text(),
        customers=tree,
        lines=lines,
        aging=rows,
    )


def _label(bucket: str) -> str:
    names = {"current": "Current", "open_credits": "Open credits", "net": "Total open"}
    if bucket in names:
        return names[bucket]
    return bucket.replace("over-", "Over ")


def statement_pdf(statement: Statement) -> bytes:
    from fpdf.fonts import FontFace

    page = PdfPage(
        title=f"Statement of account {statement.customer.code}", author=statement.company
    )
    pdf, say = page.pdf, page.say

    say(statement.company, size=10, style="B")
    say("Statement of account", size=16, style="B", height=8)
    customer = statement.customer
    say(f"{customer.name} ({customer.code})", size=10, style="B")
    say(f"On {statement.on.isoformat()} · payment terms {customer.payment_terms_days} days")
    if len(statement.customers) > 1:
        say("Includes: " + ", ".join(f"{c.name} ({c.code})" for c in statement.customers[1:]))
    for total in statement.aging:
        pdf.ln(2)
        say(f"Aging ({total['currency']})", size=10, style="B")
        labels = [*statement.buckets, "open_credits", "net"]
        pdf.set_font(FONT, size=8)
        with pdf.table(
            text_align="RIGHT",
            line_height=5,
            headings_style=FontFace(emphasis="BOLD", fill_color=(235, 238, 242)),
        ) as table:
            table.row([_label(label) for label in labels])
            table.row([money_text(total[label]) for label in labels])
    pdf.ln(3)
    say("Open items", size=10, style="B")
    pdf.set_font(FONT, size=8)
    with pdf.table(
        col_widths=(26, 18, 20, 20, 20, 26, 16, 28, 12),
        text_align=("LEFT", "LEFT", "LEFT", "LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT", "LEFT"),
        line_height=4.5,
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 238, 242)),
    ) as table:
        table.row(["Document", "Type", "Customer", "Date", "Due", "PO", "Days late", "Open", ""])
        for line in statement.lines:
            late = line["days_past_due"] if line["amount"] > 0 and line["days_past_due"] > 0 else ""
            table.row(
                [
                    pdf_text(line["document"]),
                    line["type"].replace("_", " "),
                    pdf_text(line["customer"]),
                    line["invoice_date"].isoformat(),
                    line["due_date"].isoformat() if line["due_date"] else "",
                    pdf_text(line["po_number"] or ""),
                    str(late),
                    money_text(line["amount"]),
                    line["currency"],
                ]
            )
    if not statement.lines:
        say("Nothing open. Thank you.")
    pdf.ln(3)
    say("How to pay", size=10, style="B")
    say(statement.remittance, size=8.5, height=4.5)
    pdf.ln(1)
    say(
        "Open credits (credit memos and payments not yet applied) are shown as negative amounts "
        "and taken off the total. Days late count from the due date.",
        size=7,
        height=4,
    )
    return bytes(pdf.output())


def statement_xlsx(statement: Statement) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    items = Sheet(workbook, "Open items")
    items.header(
        ["Document", "Type", "Customer", "Date", "Due", "PO", "Days late", "Open", "Currency"]
    )
    for line in statement.lines:
        late = line["days_past_due"] if line["amount"] > 0 and line["days_past_due"] > 0 else None
        items.row(
            [
                line["document"],
                line["type"].replace("_", " "),
                line["customer"],
                line["invoice_date"],
                line["due_date"],
                line["po_number"] or "",
                late,
                line["amount"],
                line["currency"],
            ],
            [None, None, None, "yyyy-mm-dd", "yyyy-mm-dd", None, None, MONEY_FORMAT, None],
        )
    items.finish()
    buckets = Sheet(workbook, "Aging")
    labels = [*statement.buckets, "open_credits", "net"]
    buckets.header(["Currency", *[_label(label) for label in labels]])
    for total in statement.aging:
        buckets.row(
            [total["currency"], *[total[label] for label in labels]],
            [None, *[MONEY_FORMAT] * len(labels)],
        )
    buckets.row([None])
    buckets.row([f"{statement.customer.name} ({statement.customer.code}) on {statement.on}"])
    buckets.row([statement.remittance])
    buckets.finish()
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _template():
    from revdesk.cases.models import MailTemplate

    found = MailTemplate.objects.filter(code=STATEMENT_TEMPLATE).first()
    if found is None:
        code, name, subject, body = DEFAULT_TEMPLATES[0]
        found = MailTemplate.objects.create(
            code=code, name=name, subject=subject, body=body, use=MailTemplate.Use.STATEMENT
        )
    return found


def _render(template, statement: Statement, contact, actor) -> tuple[str, str]:
    from revdesk.cases.mail import template_render

    return template_render(
        template,
        {
            "statement": statement,
            "customer": statement.customer,
            "contact": contact,
            "sender": (actor.get_full_name() or actor.get_username()) if actor else "Collections",
        },
    )


def recipient(customer: Customer) -> BillingContact | None:
    """Whom a statement goes to: the primary billing contact with an e-mail, else the first."""
    contacts = [c for c in customer.contacts.all() if c.email]
    return next((c for c in contacts if c.is_primary), contacts[0] if contacts else None)


@transaction.atomic
def statement_send(
    *, actor, customer: Customer, on: dt.date | None = None, to: str | None = None
) -> Activity:
    """E-mail the statement (PDF and Excel attached) to the customer's billing contact (or
    `to`) and record it on the account's timeline. A failure to send raises ValidationError
    with the mail server's answer; nothing is recorded then."""
    statement = statement_build(customer=customer, on=on)
    contact = recipient(customer)
    address = to or (contact.email if contact else "")
    if not address:
        raise ValidationError(
            f"{customer.code} has no billing contact with an e-mail address: add one first."
        )
    subject, body = _render(_template(), statement, contact, actor)
    message = EmailMessage(subject=subject, body=body, to=[address])
    message.attach(f"{statement.file_stem}.pdf", statement_pdf(statement), "application/pdf")
    message.attach(
        f"{statement.file_stem}.xlsx",
        statement_xlsx(statement),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    try:
        message.send()
    except OSError as error:
        raise ValidationError(f"The statement was not sent: {error}") from error
    totals = "; ".join(
        f"{money_text(t['net'])} {t['currency']} open, "
        f"{money_text(t['past_due'])} {t['currency']} past due"
        for t in statement.aging
    )
    activity = Activity.objects.create(
        customer=customer,
        kind=ActivityKind.STATEMENT,
        occurred_at=timezone.now(),
        contact=contact if contact and contact.email == address else None,
        subject=f"Statement of {statement.on.isoformat()} sent to {address}",
        body=totals or "Nothing open",
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    from .worklist import account_changed

    account_changed(customer)
    return activity


@dataclass(frozen=True)
class Sent:
    customer: Customer
    activity: Activity | None
    problem: str = ""


def statements_send(*, actor, customers: list[Customer], on: dt.date | None = None) -> list[Sent]:
    """Send each customer its statement; one that cannot be sent (no e-mail address, the
    server refused) is reported and the others still go."""
    results = []
    for customer in customers:
        try:
            results.append(Sent(customer, statement_send(actor=actor, customer=customer, on=on)))
        except ValidationError as error:
            results.append(Sent(customer, None, " ".join(error.messages)))
    return results
