"""Customer documentation requirements: what must accompany an invoice for the customer to
pay it (a PO number, proof of delivery, a timesheet, an upload to the customer's portal, a
specific invoice format), set per customer and inherited by every customer under it; and the
documents recorded against an invoice that meet them.

An invoice lacks a requirement until it is met:
- PO number: the invoice carries one, or a PO document is attached;
- proof of delivery, timesheet: the document is attached;
- portal upload: its submission to the portal is recorded, with the day;
- invoice format: it is recorded as sent in the required format.
The worklist flags invoices that lack something and makes getting it the next action; the
account page lists what each invoice needs and takes the document in one step.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from revdesk.cases.attachments import attachment_check
from revdesk.foundation.audit import change_record_create, snapshot
from revdesk.foundation.models import ChangeAction
from revdesk.parties.models import Customer

from .choices import ActivityKind, DocumentKind
from .models import Activity, Invoice, InvoiceDocument

#: what each requirement is called on the pages, in the order they are shown
LABELS = {
    DocumentKind.PO: "PO number",
    DocumentKind.PROOF_OF_DELIVERY: "Proof of delivery",
    DocumentKind.TIMESHEET: "Timesheet",
    DocumentKind.PORTAL: "Portal upload",
    DocumentKind.INVOICE_FORMAT: "Invoice format",
}


def _chain(customer: Customer, known: dict[int, Customer]) -> list[Customer]:
    """The customer and every customer above it (from `known`, else read)."""
    chain, seen = [], set()
    node: Customer | None = customer
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        chain.append(node)
        parent_id = node.parent_id
        if parent_id is None:
            break
        if parent_id not in known:
            known[parent_id] = Customer.objects.get(pk=parent_id)
        node = known[parent_id]
    return chain


def needs_of(customer: Customer, known: dict[int, Customer] | None = None) -> dict[str, str]:
    """The requirements of a customer, its own and inherited: kind -> how it is called
    (a portal upload names the portal, an invoice format the format)."""
    needs: dict[str, str] = {}
    for node in _chain(customer, known if known is not None else {}):
        if node.requires_po:
            needs.setdefault(DocumentKind.PO, LABELS[DocumentKind.PO])
        if node.requires_proof_of_delivery:
            needs.setdefault(DocumentKind.PROOF_OF_DELIVERY, LABELS[DocumentKind.PROOF_OF_DELIVERY])
        if node.requires_timesheet:
            needs.setdefault(DocumentKind.TIMESHEET, LABELS[DocumentKind.TIMESHEET])
        if node.requires_portal_upload:
            label = f"Portal upload ({node.portal_name})" if node.portal_name else "Portal upload"
            needs.setdefault(DocumentKind.PORTAL, label)
        if node.invoice_format:
            needs.setdefault(DocumentKind.INVOICE_FORMAT, f"Invoice format: {node.invoice_format}")
    return dict(sorted(needs.items(), key=lambda item: list(LABELS).index(item[0])))


def missing_requirements(invoices: list[Invoice]) -> dict[int, dict[str, str]]:
    """Invoice id -> what it still lacks (kind -> label), for invoices with something
    missing."""
    if not invoices:
        return {}
    known: dict[int, Customer] = {}
    customers = {c.pk: c for c in Customer.objects.filter(pk__in={i.customer_id for i in invoices})}
    known.update(customers)
    have: dict[int, set[str]] = defaultdict(set)
    for invoice_id, kind in InvoiceDocument.objects.filter(
        invoice_id__in=[i.pk for i in invoices]
    ).values_list("invoice_id", "kind"):
        have[invoice_id].add(kind)
    needs_by_customer = {pk: needs_of(c, known) for pk, c in customers.items()}
    missing = {}
    for invoice in invoices:
        lacking = {
            kind: label
            for kind, label in needs_by_customer[invoice.customer_id].items()
            if kind not in have[invoice.pk] and not (kind == DocumentKind.PO and invoice.po_number)
        }
        if lacking:
            missing[invoice.pk] = lacking
    return missing


@transaction.atomic
def invoice_document_add(
    *,
    actor,
    invoice: Invoice,
    kind: str,
    name: str = "",
    data: bytes | None = None,
    reference: str = "",
    submitted_on: dt.date | None = None,
) -> InvoiceDocument:
    """Record a document for an invoice (a file, a reference, or both); the portal upload
    needs the day it was submitted. Recorded on the account's timeline; the account's
    worklist row follows."""
    if kind not in LABELS:
        raise ValidationError({"kind": f"{kind!r} is not a kind of document"})
    errors = {}
    if kind == DocumentKind.PORTAL and submitted_on is None:
        errors["submitted_on"] = "Say on which day it was submitted to the portal."
    if kind == DocumentKind.PO and not (data or reference.strip()):
        errors["reference"] = "Give the PO number (or attach the PO)."
    if kind in (DocumentKind.PROOF_OF_DELIVERY, DocumentKind.TIMESHEET) and not data:
        errors["file"] = f"Attach the {LABELS[kind].lower()}."
    if submitted_on and submitted_on > timezone.localdate():
        errors["submitted_on"] = "The day it was submitted cannot be in the future."
    if errors:
        raise ValidationError(errors)
    document = InvoiceDocument(
        invoice=invoice,
        kind=kind,
        reference=reference.strip(),
        submitted_on=submitted_on,
        added_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if data:
        shown, content_type = attachment_check(name or "document", data)
        extension = shown.rsplit(".", 1)[-1].lower() if "." in shown else "bin"
        document.name = shown
        document.content_type = content_type
        document.size = len(data)
        document.sha256 = hashlib.sha256(data).hexdigest()
        document.file.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(data), save=False)
    try:
        document.full_clean(exclude=["file"])
        document.save()
    except Exception:
        if document.file:
            document.file.delete(save=False)
        raise
    if kind == DocumentKind.PO and reference.strip() and not invoice.po_number:
        before = snapshot(invoice)
        invoice.po_number = reference.strip()[:60]
        invoice.save(update_fields=["po_number", "updated_at"])
        change_record_create(
            actor=actor,
            action=ChangeAction.UPDATE,
            instance=invoice,
            before=before,
            after=snapshot(invoice),
        )
    change_record_create(
        actor=actor, action=ChangeAction.CREATE, instance=document, after=snapshot(document)
    )
    what = {
        DocumentKind.PORTAL: f"submitted to the portal on {submitted_on.isoformat()}"
        if submitted_on
        else "submitted to the portal",
        DocumentKind.INVOICE_FORMAT: "sent in the required format",
    }.get(kind, f"{LABELS[kind]} recorded")
    Activity.objects.create(
        customer=invoice.customer,
        invoice=invoice,
        kind=ActivityKind.PORTAL if kind == DocumentKind.PORTAL else ActivityKind.NOTE,
        occurred_at=timezone.now(),
        subject=f"{invoice.number}: {what}",
        body=" · ".join(part for part in (reference.strip(), document.name) if part),
        created_by=document.added_by,
    )
    from .worklist import account_changed

    account_changed(invoice.customer)
    return document


__all__ = ["LABELS", "invoice_document_add", "missing_requirements", "needs_of"]
