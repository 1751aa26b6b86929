"""The cash application workbench's services: what a person does with what the matching left
(receivables.cash: suggestion_accept, suggestion_reject, receipt_apply_manually,
receipt_customer_set), on the worked case of shared/examples/cash-application/01-matching.
Each rule and refusal to the cent, the change log written, nothing written when refused."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from revdesk.cases.models import Case, Notification
from revdesk.foundation.models import ChangeRecord
from revdesk.parties.models import Customer, CustomerBankAccount
from revdesk.receivables.cash import (
    cash_apply,
    receipt_apply_manually,
    receipt_customer_set,
    suggestion_accept,
    suggestion_reject,
)
from revdesk.receivables.models import CashSuggestion, Invoice, Payment, PaymentApplication
from revdesk.receivables.selectors import (
    cash_invoice_search,
    cash_queue_aging,
    cash_unapplied_list,
)
from revdesk.receivables.services import application_reverse

from .test_cash_application import CASE, example_ledger  # noqa: F401 (a fixture)

D = Decimal
pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 10, 28)


def _invoice(customer, number, amount, due="2026-11-15"):
    return Invoice.objects.create(
        number=number,
        customer=customer,
        issued_on=dt.date(2026, 10, 15),
        due_on=dt.date.fromisoformat(due),
        currency="USD",
        amount=D(amount),
        balance=D(amount),
    )


@pytest.fixture
def day_read(example_ledger, world, tmp_path):  # noqa: F811
    """The worked case's bank file read: P6 (500.00 from Apex, C2) on account, P7 (1,234.56
    from JOHN SMITH, account 555000555) unidentified; then two new invoices of Apex."""
    bank = tmp_path / "bank.csv"
    shutil.copy(CASE / "bank.csv", bank)
    cash_apply(path=bank, actor=world.users["ops"])
    apex = example_ledger["C2"]
    return {
        "customers": example_ledger,
        "p6": Payment.objects.get(number="P6"),
        "p7": Payment.objects.get(number="P7"),
        "i1": _invoice(apex, "20015", "300.00", due="2026-11-01"),
        "i2": _invoice(apex, "20016", "1200.00"),
    }


def _records(instance, action=None):
    found = ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(instance), object_id=str(instance.pk)
    )
    return found.filter(action=action) if action else found


def test_the_queue_holds_what_is_left(day_read, world):
    queue = cash_unapplied_list(user=world.users["ops"])
    assert sorted(queue.values_list("number", "status")) == [
        ("P6", "on_account"),
        ("P7", "unidentified"),
    ]
    buckets = cash_queue_aging(queue, dt.date(2026, 11, 10))  # 14 days later
    assert [(b.key, b.count, b.amounts) for b in buckets] == [
        ("0-7", 0, {}),
        ("8-30", 2, {"USD": D("1734.56")}),
        ("31-60", 0, {}),
        ("over-60", 0, {}),
    ]


def test_apply_by_hand_to_two_invoices(day_read, world):
    ops = world.users["ops"]
    p6, i1, i2 = day_read["p6"], day_read["i1"], day_read["i2"]
    done = receipt_apply_manually(
        payment=p6, allocations=[(i1, D("300.00")), (i2, D("200.00"))], actor=ops, on=DAY
    )
    assert done.unapplied == D("0.00")
    assert {
        a.invoice.number: (a.amount, a.applied_on, a.rule)
        for a in PaymentApplication.objects.filter(payment=p6).select_related("invoice")
    } == {"20015": (D("300.00"), DAY, ""), "20016": (D("200.00"), DAY, "")}
    i1.refresh_from_db()
    i2.refresh_from_db()
    assert (i1.balance, i1.status, i2.balance) == (D("0.00"), "paid", D("1000.00"))
    p6.refresh_from_db()
    assert p6.status == "applied"
    assert PaymentApplication.objects.get(invoice=i1).explanation.startswith("Applied by ops on ")
    # each application is in the change log, as ops
    for application in PaymentApplication.objects.filter(payment=p6):
        (record,) = _records(application)
        assert (record.action, record.user_name) == ("create", "ops")
    # Apex's account was in the customer master already: nothing learnt
    assert done.learnt is None
    assert CustomerBankAccount.objects.filter(source="learnt").count() == 0
    assert not cash_unapplied_list(user=ops).filter(number="P6").exists()


def test_a_second_application_to_the_same_invoice_adds_up(day_read, world):
    ops = world.users["ops"]
    p6, i2 = day_read["p6"], day_read["i2"]
    receipt_apply_manually(payment=p6, allocations=[(i2, D("100.00"))], actor=ops, on=DAY)
    p6.refresh_from_db()
    assert p6.status == "partly_applied"
    receipt_apply_manually(payment=p6, allocations=[(i2, D("150.50"))], actor=ops, on=DAY)
    assert PaymentApplication.objects.get(payment=p6, invoice=i2).amount == D("250.50")
    i2.refresh_from_db()
    assert i2.balance == D("949.50")


@pytest.mark.parametrize(
    ("amounts", "message"),
    [
        ((("i1", "300.01"),), "20015: 300.01 is more than is open on it (300.00 USD)"),
        (
            (("i1", "300.00"), ("i2", "200.01")),
            "500.01 USD is more than receipt P6 has left to apply (500.00 USD)",
        ),
        ((("i2", "0.00"),), "20016: the amount to apply is above 0.00"),
        ((("i2", "-5.00"),), "20016: the amount to apply is above 0.00"),
        ((("i2", "10.005"),), "20016: 10.005 is not an amount in cents"),
        ((), "Tick at least one invoice"),
    ],
)
def test_apply_by_hand_refusals(day_read, world, amounts, message):
    p6 = day_read["p6"]
    allocations = [(day_read[name], D(amount)) for name, amount in amounts]
    with pytest.raises(ValidationError) as error:
        receipt_apply_manually(payment=p6, allocations=allocations, actor=world.users["ops"])
    assert message in " ".join(error.value.messages)
    assert not PaymentApplication.objects.filter(payment=p6).exists()
    assert not _records(p6, "update").exists()
    p6.refresh_from_db()
    assert p6.status == "on_account"


def test_apply_refuses_another_currency_a_paid_invoice_and_a_receipt_that_came_back(
    day_read, world
):
    ops, p6 = world.users["ops"], day_read["p6"]
    euro = Invoice.objects.create(
        number="E-1",
        customer=day_read["customers"]["C2"],
        issued_on=dt.date(2026, 10, 1),
        due_on=dt.date(2026, 10, 31),
        currency="EUR",
        amount=D("100.00"),
        balance=D("100.00"),
    )
    paid = Invoice.objects.get(number="20011")
    with pytest.raises(ValidationError) as error:
        receipt_apply_manually(
            payment=p6, allocations=[(euro, D("10.00")), (paid, D("10.00"))], actor=ops
        )
    assert error.value.messages == [
        "E-1 is in EUR; receipt P6 is in USD",
        "20011 has nothing open (paid)",
    ]
    Payment.objects.filter(pk=p6.pk).update(reversed_on=DAY, reversal_reason="recalled")
    with pytest.raises(ValidationError, match="P6 came back on 2026-10-28"):
        receipt_apply_manually(payment=p6, allocations=[(day_read["i2"], D("1.00"))], actor=ops)


def test_an_unidentified_receipt_takes_the_customer_and_teaches_its_account(
    day_read, world, tmp_path
):
    ops, p7, i2 = world.users["ops"], day_read["p7"], day_read["i2"]
    done = receipt_apply_manually(payment=p7, allocations=[(i2, D("1200.00"))], actor=ops)
    p7.refresh_from_db()
    assert (p7.customer.code, p7.status) == ("C2", "partly_applied")
    assert done.unapplied == D("34.56")
    learnt = CustomerBankAccount.objects.get(account="555000555")
    assert (learnt.customer.code, learnt.source, learnt.confirmed_by) == ("C2", "learnt", ops)
    assert _records(learnt, "create").get().user_name == "ops"
    customer_change = _records(p7, "update").get()
    assert customer_change.changed_fields[0][0] == "customer"
    # the next file identifies JOHN SMITH's account as Apex's
    _invoice(day_read["customers"]["C2"], "20017", "800.00")
    bank = tmp_path / "next.csv"
    bank.write_text(
        "receipt,date,amount,currency,payer_name,payer_account,text\n"
        "P9,2026-11-03,800.00,USD,JOHN SMITH,555 000 555,THANK YOU\n"
    )
    cash_apply(path=bank, actor=ops)
    p9 = Payment.objects.get(number="P9")
    assert (p9.customer.code, p9.status) == ("C2", "applied")
    assert PaymentApplication.objects.get(payment=p9).invoice.number == "20017"


def test_a_known_account_is_not_learnt_again(day_read, world):
    """An account some customer holds (here Apex's) is never tied to another one."""
    ops = world.users["ops"]
    p7 = day_read["p7"]
    Payment.objects.filter(pk=p7.pk).update(payer_account="111000111")  # Northwind's
    p7.refresh_from_db()
    receipt_apply_manually(payment=p7, allocations=[(day_read["i2"], D("1.00"))], actor=ops)
    assert not CustomerBankAccount.objects.filter(source="learnt").exists()


def test_invoices_of_several_customers_need_the_customer_first(day_read, world):
    ops, p7 = world.users["ops"], day_read["p7"]
    other = _invoice(day_read["customers"]["C1"], "10040", "50.00")
    with pytest.raises(ValidationError, match="several customers: set the receipt's customer"):
        receipt_apply_manually(
            payment=p7, allocations=[(other, D("50.00")), (day_read["i2"], D("5.00"))], actor=ops
        )
    assert Payment.objects.get(pk=p7.pk).customer is None


def test_a_shortfall_can_become_a_short_payment_case_and_the_collector_hears(day_read, world):
    """C3 (Blue Ridge Hospital) is `collector`'s: P7 turns out to be theirs and pays 1,234.56
    of a 1,300.00 invoice; the 65.44 left is a short-payment case."""
    ops, p7 = world.users["ops"], day_read["p7"]
    hospital = _invoice(day_read["customers"]["C3"], "30010", "1300.00")
    done = receipt_apply_manually(
        payment=p7,
        allocations=[(hospital, D("1234.56"))],
        actor=ops,
        short_payment_reason="freight",
        note="remittance says freight deducted",
    )
    (case,) = done.cases
    assert (case.case_type.code, case.amount, case.reason.code, case.customer.code) == (
        "short_payment",
        D("65.44"),
        "freight",
        "C3",
    )
    assert "paid 1,234.56 of 30010, 65.44 USD short" in case.description
    note = Notification.objects.get(user=world.users["collector"], case=case)
    assert note.text.endswith("receipt P7 left 65.44 USD of 30010 unpaid")


def test_a_short_payment_needs_a_known_reason_and_something_left(day_read, world):
    ops, p6, i1 = world.users["ops"], day_read["p6"], day_read["i1"]
    cases_before = Case.objects.count()
    with pytest.raises(ValidationError, match="'whim' is not a short-payment reason; expected"):
        receipt_apply_manually(
            payment=p6, allocations=[(i1, D("100.00"))], actor=ops, short_payment_reason="whim"
        )
    with pytest.raises(ValidationError, match="Nothing is left open on the invoices"):
        receipt_apply_manually(
            payment=p6, allocations=[(i1, D("300.00"))], actor=ops, short_payment_reason="freight"
        )
    assert Case.objects.count() == cases_before
    assert not PaymentApplication.objects.filter(payment=p6).exists()


def _suggested(day_read, *, amount="300.00"):
    return CashSuggestion.objects.create(
        payment=day_read["p6"],
        invoice=day_read["i1"],
        amount=D(amount),
        rule="open_items_sum",
        confidence=D("0.860"),
        explanation="300.00 of 500.00 fits invoice 20015 of Apex Colocation LLC (C2).",
    )


def test_accept_a_suggestion(day_read, world):
    ops = world.users["ops"]
    suggestion = _suggested(day_read)
    Payment.objects.filter(pk=day_read["p6"].pk).update(status="suggested")
    suggestion_accept(suggestion=suggestion, actor=ops, on=DAY)
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by) == ("accepted", ops)
    assert suggestion.decided_at is not None
    application = PaymentApplication.objects.get(payment=day_read["p6"])
    assert (application.invoice, application.amount, application.rule, application.confidence) == (
        day_read["i1"],
        D("300.00"),
        "open_items_sum",
        D("0.860"),
    )
    assert application.explanation.endswith("Suggested, accepted by ops.")
    assert Payment.objects.get(pk=day_read["p6"].pk).status == "partly_applied"
    assert _records(suggestion, "update").get().user_name == "ops"
    with pytest.raises(ValidationError, match="already accepted by ops on "):
        suggestion_accept(suggestion=suggestion, actor=ops)
    assert PaymentApplication.objects.filter(payment=day_read["p6"]).count() == 1


def test_a_suggestion_no_longer_open_on_the_invoice_is_refused(day_read, world):
    ops = world.users["ops"]
    suggestion = _suggested(day_read)
    receipt_apply_manually(
        payment=day_read["p7"], allocations=[(day_read["i1"], D("250.00"))], actor=ops
    )
    with pytest.raises(ValidationError, match=r"20015: 300.00 is more than is open on it \(50.00"):
        suggestion_accept(suggestion=suggestion, actor=ops)
    suggestion.refresh_from_db()
    assert suggestion.status == "open"  # nothing written


def test_reject_a_suggestion(day_read, world):
    lead = world.users["lead"]  # a senior collector; Apex (C2) has no collector: not theirs
    suggestion = _suggested(day_read)
    with pytest.raises(PermissionDenied):
        suggestion_reject(suggestion=suggestion, actor=lead)
    ops = world.users["ops"]
    Payment.objects.filter(pk=day_read["p6"].pk).update(status="suggested")
    suggestion_reject(suggestion=suggestion, actor=ops)
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by) == ("rejected", ops)
    assert Payment.objects.get(pk=day_read["p6"].pk).status == "on_account"
    assert (
        not PaymentApplication.objects.exists()
        or not PaymentApplication.objects.filter(payment=day_read["p6"]).exists()
    )


def test_name_the_customer_of_an_unidentified_receipt(day_read, world):
    ops, p7 = world.users["ops"], day_read["p7"]
    northwind = day_read["customers"]["C1"]
    assert receipt_customer_set(payment=p7, customer=northwind, actor=ops) is True
    p7.refresh_from_db()
    assert (p7.customer, p7.status) == (northwind, "on_account")
    assert _records(p7, "update").count() == 1
    assert receipt_customer_set(payment=p7, customer=northwind, actor=ops) is False
    assert _records(p7, "update").count() == 1  # nothing changed, nothing written
    # once it pays something, its customer stays
    receipt_apply_manually(
        payment=p7, allocations=[(_invoice(northwind, "10050", "10.00"), D("10.00"))], actor=ops
    )
    with pytest.raises(ValidationError, match="already pays invoices"):
        receipt_customer_set(payment=p7, customer=day_read["customers"]["C2"], actor=ops)


def test_who_may_work_which_receipt(day_read, world):
    """Collector owns C3 only; lead (their senior) sees their team's and every unidentified
    receipt; collector2 nothing of the example; an analyst is not on the desk."""
    p6, p7, i2 = day_read["p6"], day_read["p7"], day_read["i2"]
    hospital = day_read["customers"]["C3"]
    for name in ("collector", "collector2", "analyst", "rep"):
        with pytest.raises(PermissionDenied):
            receipt_apply_manually(
                payment=p6, allocations=[(i2, D("1.00"))], actor=world.users[name]
            )
        with pytest.raises(PermissionDenied):
            receipt_customer_set(payment=p7, customer=hospital, actor=world.users[name])
    # the senior collector identifies P7 as the hospital's (their collector's customer)
    lead = world.users["lead"]
    receipt_customer_set(payment=p7, customer=hospital, actor=lead)
    # now the hospital's collector sees it and may apply it, but only to invoices they see
    collector = world.users["collector"]
    assert list(cash_unapplied_list(user=collector).values_list("number", flat=True)) == ["P7"]
    with pytest.raises(ValidationError, match="20016: not an invoice you may see"):
        receipt_apply_manually(payment=p7, allocations=[(i2, D("1.00"))], actor=collector)
    own = _invoice(hospital, "30011", "34.56")
    receipt_apply_manually(payment=p7, allocations=[(own, D("34.56"))], actor=collector)
    assert PaymentApplication.objects.get(payment=p7).amount == D("34.56")
    # the lead may not name a customer they do not see
    p6_customer = day_read["customers"]["C1"]
    with pytest.raises(PermissionDenied):
        receipt_customer_set(payment=day_read["p6"], customer=p6_customer, actor=lead)


def test_taking_an_application_back_puts_the_receipt_back_in_the_queue(day_read, world):
    ops, p6, i1 = world.users["ops"], day_read["p6"], day_read["i1"]
    receipt_apply_manually(payment=p6, allocations=[(i1, D("300.00"))], actor=ops, on=DAY)
    application = PaymentApplication.objects.get(payment=p6)
    application_reverse(
        application=application, on=DAY, reason="wrong invoice", actor=ops, today=DAY
    )
    p6.refresh_from_db()
    assert p6.status == "on_account"
    assert cash_unapplied_list(user=ops).filter(number="P6").exists()


def test_the_invoice_search(day_read, world):
    ops, p6, p7 = world.users["ops"], day_read["p6"], day_read["p7"]
    # no query: the receipt customer's open invoices, oldest due first; none when unidentified
    assert [i.number for i in cash_invoice_search(user=ops, payment=p6, query="")] == [
        "20015",
        "20016",
    ]
    assert cash_invoice_search(user=ops, payment=p7, query="") == []
    assert [i.number for i in cash_invoice_search(user=ops, payment=p7, query="2001")] == [
        "20015",
        "20016",
    ]
    assert [i.number for i in cash_invoice_search(user=ops, payment=p7, query="1,200.00")] == [
        "20016"
    ]
    assert [i.number for i in cash_invoice_search(user=ops, payment=p7, query="blue ridge")] == [
        "30001"
    ]
    # a collector finds only their portfolio's invoices
    collector = world.users["collector"]
    assert [i.number for i in cash_invoice_search(user=collector, payment=p7, query="200")] == []
    assert Customer.objects.get(code="C3").collector == collector
