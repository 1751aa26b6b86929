"""First triage rules, one decision at a time."""

from __future__ import annotations

import pytest

from revdesk.cases import mail, triage
from revdesk.cases.mail_parse import html_to_text, mail_parse
from revdesk.cases.models import RoutingRule, Team
from revdesk.parties.models import BillingContact, Customer


@pytest.mark.parametrize(
    ("subject", "text", "expected"),
    [
        ("Short-paid INV-1", "bank charges deducted", ("short_payment", "bank_charges")),
        (
            "Remittance",
            "We short paid because of the early payment discount",
            ("short_payment", "early_payment_discount"),
        ),
        ("Chargeback", "two units arrived damaged", ("deduction", "damaged")),
        ("Order rejected", "", ("order_defect", "rejected_by_billing")),
        (
            "My commission",
            "the territory was mine on the order date",
            ("commission_claim", "territory_owner"),
        ),
        ("Q4 rebates", "ship & debit on three orders", ("rebate_claim", "ship_and_debit")),
        ("We DISPUTE this", "the sales tax is wrong", ("ar_dispute", "tax")),
        ("Hello", "just a question about our statement", ("inquiry", "unclassified")),
        ("Disputes", "", ("inquiry", "unclassified")),  # whole words only
    ],
)
def test_keywords_choose_type_and_reason(db, subject, text, expected):
    found = triage.mail_triage(subject=subject, text=text, sender_address="")
    assert (found.case_type, found.reason or None) == (
        expected[0],
        expected[1] if expected[0] != "inquiry" else "unclassified",
    )
    assert found.decided is (expected[0] != "inquiry")


def test_urgent_words_raise_the_priority(db):
    found = triage.mail_triage(subject="URGENT: short paid", text="", sender_address="")
    assert found.priority == "high"
    assert "Priority high from the word 'urgent'." in found.notes


def test_a_subject_keyword_wins_over_the_text(db):
    found = triage.mail_triage(
        subject="Rebate claim", text="we short paid last month", sender_address=""
    )
    assert found.case_type == "rebate_claim"


def test_sender_by_domain_only_when_one_customer_and_never_free_mail(world):
    BillingContact.objects.create(customer=world.customer_east, name="A", email="a@acme.example")
    assert triage.sender_match("new.person@ACME.example").customer == world.customer_east
    BillingContact.objects.create(customer=world.customer_west, name="B", email="b@acme.example")
    ambiguous = triage.sender_match("new.person@acme.example")
    assert ambiguous.customer is None
    assert ambiguous.notes == [
        "The sender's domain acme.example is that of several customers (Acme Data Centers "
        "(C-1000), Pacific Colo (C-2000)); none chosen."
    ]
    BillingContact.objects.create(customer=world.customer_west, name="G", email="g@gmail.com")
    assert triage.sender_match("stranger@gmail.com").customer is None


def test_distributor_users_are_recognised(world):
    user = world.users["distributor"]
    user.email = "buyer@volt.example"
    user.save()
    assert triage.sender_match("Buyer@Volt.example").distributor == world.distributor


def test_invoice_and_order_numbers_as_people_write_them(ledger):
    from revdesk.receivables.models import Invoice

    Invoice.objects.filter(number="INV-2").update(number="INV-0000002")
    found, notes = triage.references_find("About inv 2 and SO-1", "also INV-99 and so-1 again")
    assert [str(o) for o in found] == ["INV-0000002", "SO-1"]
    assert notes == [
        "Linked invoice INV-0000002 (named in the subject).",
        "Linked order SO-1 (named in the subject).",
        "Not found, so not linked: INV-99.",
    ]


def test_po_numbers_are_not_taken_for_orders(ledger):
    found, _ = triage.references_find("PO-1 for CASE-O-1", "")
    assert found == []


def test_a_routing_rule_claims_unclassified_mail_before_the_inbox_team(world, teams):
    RoutingRule.objects.create(
        name="Pacific Colo to billing",
        customer=world.customer_west,
        team=Team.objects.get(code="billing"),
        assignment="nobody",
    )
    BillingContact.objects.create(customer=world.customer_west, name="B", email="b@pacific.example")
    raw = (
        b"From: b@pacific.example\r\nSubject: hello\r\nMessage-ID: <r@pacific.example>\r\n"
        b"Date: Mon, 01 Dec 2025 10:00:00 +0000\r\n\r\nA question.\r\n"
    )
    result = mail.message_receive(raw, team=teams["collections"])
    case = Customer.objects.get(code="C-2000").cases.get()
    assert (result.case_number, case.team.code, case.case_type.code) == (
        case.number,
        "billing",
        "inquiry",
    )


def test_html_text_drops_scripts_styles_and_keeps_structure():
    html = (
        "<html><head><style>b{}</style><script>var x = '<p>no</p>';</script></head><body>"
        "<h1>Title</h1><p>One&nbsp;&amp; two</p><table><tr><td>A</td><td>1</td></tr></table>"
        "<img alt='logo'><br>end</body></html>"
    )
    assert html_to_text(html) == "Title\n\nOne & two\n\nA\t1\n\n[logo]\nend"


def test_a_message_that_is_not_mail_at_all_is_still_read():
    parsed = mail_parse(b"\x00\xff garbage without headers")
    assert parsed.message_id.endswith("@revdesk.invalid>")
    assert "The message has no From address." in parsed.problems
