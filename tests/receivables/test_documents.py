"""Documentation requirements: inherited down the hierarchy, flagged per invoice until met,
met by attaching the document or recording the portal submission; the worklist makes getting
it the next action."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from revdesk.receivables.choices import ActivityKind, DocumentKind
from revdesk.receivables.documents import invoice_document_add, missing_requirements, needs_of
from revdesk.receivables.models import Activity, DunningStrategy, Invoice
from revdesk.receivables.worklist import worklist

D = Decimal
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ON = dt.date(2026, 11, 20)

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(world):
    DunningStrategy.objects.all().delete()  # the requirements alone
    parent = world.customer_east  # requires a PO number (the world's key account)
    parent.requires_proof_of_delivery = True
    parent.requires_portal_upload = True
    parent.portal_name = "Ariba"
    parent.save()
    return Invoice.objects.create(
        number="INV-R1",
        customer=world.customer_east_child,  # inherits every requirement
        issued_on=dt.date(2026, 10, 1),
        due_on=dt.date(2026, 10, 31),
        currency="USD",
        amount=D("500.00"),
        balance=D("500.00"),
    )


def test_requirements_are_inherited_and_flagged(invoice, world):
    assert list(needs_of(world.customer_east_child).values()) == [
        "PO number",
        "Proof of delivery",
        "Portal upload (Ariba)",
    ]
    assert missing_requirements([invoice]) == {
        invoice.pk: {
            "po": "PO number",
            "proof_of_delivery": "Proof of delivery",
            "portal": "Portal upload (Ariba)",
        }
    }
    (row,) = [
        r for r in worklist(user=world.users["collector"], on=ON) if r.customer.code == "C-1001"
    ]
    item = next(i for i in row.items if i.number == "INV-R1")
    assert item.missing == ["PO number", "Proof of delivery", "Portal upload (Ariba)"]


def test_recording_the_documents_clears_them(invoice, world):
    collector = world.users["collector"]
    invoice_document_add(
        actor=collector, invoice=invoice, kind=DocumentKind.PO, reference="PO-4471"
    )
    invoice.refresh_from_db()
    assert invoice.po_number == "PO-4471"  # the PO number goes on the invoice
    document = invoice_document_add(
        actor=collector,
        invoice=invoice,
        kind=DocumentKind.PROOF_OF_DELIVERY,
        name="pod.pdf",
        data=PDF,
    )
    assert (document.name, document.size, document.content_type) == (
        "pod.pdf",
        len(PDF),
        "application/pdf",
    )
    assert document.file.read() == PDF
    assert missing_requirements([invoice]) == {invoice.pk: {"portal": "Portal upload (Ariba)"}}
    invoice_document_add(
        actor=collector,
        invoice=invoice,
        kind=DocumentKind.PORTAL,
        submitted_on=dt.date(2026, 11, 3),
        reference="ARIBA-99812",
    )
    assert missing_requirements([invoice]) == {}
    portal = Activity.objects.get(kind=ActivityKind.PORTAL)
    assert portal.subject == "INV-R1: submitted to the portal on 2026-11-03"
    assert portal.body == "ARIBA-99812"


def test_what_a_document_must_carry(invoice, world):
    with pytest.raises(ValidationError) as caught:
        invoice_document_add(actor=None, invoice=invoice, kind=DocumentKind.PORTAL)
    assert caught.value.message_dict == {
        "submitted_on": ["Say on which day it was submitted to the portal."]
    }
    with pytest.raises(ValidationError, match="Attach the proof of delivery"):
        invoice_document_add(actor=None, invoice=invoice, kind=DocumentKind.PROOF_OF_DELIVERY)
    with pytest.raises(ValidationError, match=r"is named \.pdf but its content is"):
        invoice_document_add(
            actor=None,
            invoice=invoice,
            kind=DocumentKind.PROOF_OF_DELIVERY,
            name="pod.pdf",
            data=b"MZ\x90\x00 not a pdf at all" * 10,
        )


def test_the_worklist_asks_for_what_is_missing(invoice, world):
    invoice.po_number = "PO-1"
    invoice.save()
    (row,) = [
        r for r in worklist(user=world.users["collector"], on=ON) if r.customer.code == "C-1001"
    ]
    assert row.next_action == "Send the proof of delivery for INV-R1"
    assert row.why == "C-1001 pays an invoice only with its proof of delivery"
