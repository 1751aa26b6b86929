"""Calculation runs from the database: inputs, exact payouts, FX, locks, steps, reruns."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from revdesk.catalog.models import FxRate
from revdesk.compensation.models import CommissionRun, Payout, PayoutLine, RunStatus
from revdesk.compensation.runs import RunRefused, run_create, run_move
from revdesk.compensation.selectors import commission_inputs
from revdesk.compensation.services import plan_version_save
from revdesk.foundation.models import ChangeRecord
from revdesk.orders.models import Order, OrderLine
from revdesk.parties.models import PlanAssignment
from revdesk.receivables.models import CreditMemo, Invoice, Payment, PaymentApplication

pytestmark = pytest.mark.django_db

PLAN = """\
code: field-rep
name: Field rep
version: 1
valid_from: 2025-01-01
currency: USD
period: month
rounding: line
payable_on: invoice
clawback: {window_months: 6}
components:
  - code: commission
    basis: amount
    rates_by_product_line: {UPS: "0.05", FIBRE: "0.10"}
"""


@pytest.fixture
def plan(world):
    plan_version_save(PLAN, actor=None)
    for payee in (world.rep_east, world.rep_west):
        PlanAssignment.objects.create(
            payee=payee, plan_code="field-rep", valid_from=dt.date(2025, 1, 1)
        )


def order(number, customer, day, lines):
    made = Order.objects.create(
        number=number,
        customer=customer,
        sales_rep=customer.sales_rep,
        booked_on=day,
        currency=customer.currency,
    )
    for line_number, (product, quantity, price) in enumerate(lines, start=1):
        OrderLine.objects.create(
            order=made,
            line_number=line_number,
            product=product,
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
            amount=Decimal(quantity) * Decimal(price),
        )
    return made


def invoice(number, made, day, amount, tax="0.00"):
    return Invoice.objects.create(
        number=number,
        customer=made.customer,
        order=made,
        issued_on=day,
        due_on=day + dt.timedelta(days=30),
        currency=made.currency,
        amount=Decimal(amount),
        tax_amount=Decimal(tax),
        balance=Decimal(amount),
    )


@pytest.fixture
def march(world, plan):
    """2026-03: INV-T 1,080.00 with 80.00 tax on one UPS line (1,000.00 net -> 50.00);
    INV-S 100.00 over a 1,000.00 UPS line and a 2,000.00 fibre line (33.33 / 66.67);
    INV-W 500.00 CAD of fibre for the west rep (CAD->USD 0.74 in force on 31 March).
    2026-04: CM-T reverses INV-T in full (-50.00, clawed back at the original's rate)."""
    east, west = world.customer_east, world.customer_west
    ups, fibre = world.product_ups, world.product_fibre
    inv_t = invoice(
        "INV-T",
        order("SO-T", east, dt.date(2026, 3, 1), [(ups, "1", "1000.00")]),
        dt.date(2026, 3, 5),
        "1080.00",
        "80.00",
    )
    invoice(
        "INV-S",
        order("SO-S", east, dt.date(2026, 3, 1), [(ups, "1", "1000.00"), (fibre, "1", "2000.00")]),
        dt.date(2026, 3, 20),
        "100.00",
    )
    invoice(
        "INV-W",
        order("SO-W", west, dt.date(2026, 3, 1), [(fibre, "1", "500.00")]),
        dt.date(2026, 3, 10),
        "500.00",
    )
    FxRate.objects.create(
        currency="CAD", quote_currency="USD", valid_on=dt.date(2026, 3, 15), rate=Decimal("0.74")
    )
    FxRate.objects.create(
        currency="CAD", quote_currency="USD", valid_on=dt.date(2026, 4, 1), rate=Decimal("0.80")
    )
    CreditMemo.objects.create(
        number="CM-T",
        customer=east,
        invoice=inv_t,
        issued_on=dt.date(2026, 4, 10),
        currency="USD",
        amount=Decimal("1080.00"),
    )


def payouts(run):
    return [
        (p.payee.code, p.period, p.amount, p.currency)
        for p in Payout.objects.filter(run=run)
        .select_related("payee")
        .order_by("period", "payee__code")
    ]


def test_invoices_are_split_over_order_lines_net_of_tax(march):
    inputs = commission_inputs(["2026-03", "2026-04"]).inputs
    rows = {row["id"]: row for row in inputs.transactions.to_pylist()}
    assert sorted(rows) == ["CM-T/1", "INV-S/1", "INV-S/2", "INV-T/1", "INV-W/1"]
    assert rows["INV-T/1"]["amount"] == Decimal("1000.00")
    assert rows["INV-T/1"]["payee"] == "E101"
    assert rows["INV-T/1"]["product_line"] == "UPS"
    assert rows["INV-T/1"]["cost"] == Decimal("900.00")
    assert (rows["INV-S/1"]["amount"], rows["INV-S/2"]["amount"]) == (
        Decimal("33.33"),
        Decimal("66.67"),
    )
    assert rows["INV-S/1"]["cost"] == Decimal("30.000000")  # 900 x 1 x 100/3000
    assert rows["CM-T/1"]["type"] == "credit_memo"
    assert rows["CM-T/1"]["amount"] == Decimal("-1000.00")
    assert rows["CM-T/1"]["original_id"] == "INV-T/1"
    assert rows["INV-W/1"]["currency"] == "CAD"
    fx = {(r["period"], r["from"], r["to"]): r["rate"] for r in inputs.fx.to_pylist()}
    assert fx[("2026-03", "CAD", "USD")] == Decimal("0.74")
    assert fx[("2026-04", "CAD", "USD")] == Decimal("0.80")


def test_a_run_pays_to_the_cent_and_explains_every_line(march):
    run = run_create("2026-03..2026-04", actor=None)
    assert run.status == RunStatus.DRAFT
    assert payouts(run) == [
        # 50.00 + 1.67 (33.33 x 5%) + 6.67 (66.67 x 10%)
        ("E101", "2026-03", Decimal("58.34"), "USD"),
        # 500.00 CAD x 0.74 = 370.00 USD x 10%
        ("E102", "2026-03", Decimal("37.00"), "USD"),
        ("E101", "2026-04", Decimal("-50.00"), "USD"),
    ]
    lines = {
        line.transaction_id: (line.rate, line.base, line.amount, line.kind)
        for line in PayoutLine.objects.filter(run=run)
    }
    assert lines["INV-T/1"] == (Decimal("0.05"), Decimal("1000"), Decimal("50"), "earning")
    assert lines["CM-T/1"] == (Decimal("0.05"), Decimal("-1000"), Decimal("-50"), "clawback")
    assert lines["INV-W/1"][1:3] == (Decimal("370"), Decimal("37"))
    assert run.totals == {"USD": "45.34"}
    assert run.fingerprint
    assert run.engine_version
    assert run.plan_versions


def test_ledger_documents_of_last_year(ledger, plan):
    """The ledger's 2025 documents: INV-6 (UPS 3,000 + fibre 1,200), INV-8 (UPS 5,600) less
    CM-1 (100.00), INV-7 (fibre 1,350.50 CAD at 0.73)."""
    run = run_create("2025-10", actor=None)
    assert payouts(run) == [
        ("E101", "2025-10", Decimal("545.00"), "USD"),  # 150 + 120 + 280 - 5
        ("E102", "2025-10", Decimal("98.59"), "USD"),  # 985.865 x 10% = 98.5865
    ]
    assert "5 invoice(s) without order lines were left out (no product)" not in run.notes


def test_a_rerun_on_the_same_inputs_is_identical_and_replaces_the_draft(march):
    first = run_create("2026-03..2026-04", actor=None)
    before, fingerprint = payouts(first), first.fingerprint
    lines_before = list(
        PayoutLine.objects.filter(run=first)
        .order_by("id")
        .values_list("transaction_id", "component", "rate", "base", "amount", "kind")
    )
    second = run_create("2026-03..2026-04", actor=None)
    assert second.pk == first.pk
    assert second.fingerprint == fingerprint
    assert payouts(second) == before
    assert (
        list(
            PayoutLine.objects.filter(run=second)
            .order_by("id")
            .values_list("transaction_id", "component", "rate", "base", "amount", "kind")
        )
        == lines_before
    )
    assert CommissionRun.objects.count() == 1


def test_steps_and_the_approved_period_lock(march):
    run = run_create("2026-03", actor=None)
    with pytest.raises(RunRefused, match=f"Run {run.pk} is draft: it can move to reviewed"):
        run_move(run, "approved", actor=None)
    run_move(run, "reviewed", actor=None)
    with pytest.raises(RunRefused, match=f"2026-03 is reviewed in run {run.pk}"):
        run_create("2026-03", actor=None)
    run_move(run, "approved", actor=None)
    with pytest.raises(RunRefused) as refused:
        run_create("2026-02..2026-04", actor=None)
    assert str(refused.value) == (
        f"2026-03 is approved in run {run.pk}: corrections are adjustments in a later period"
    )
    later = run_create("2026-04", actor=None)
    assert payouts(later) == [("E101", "2026-04", Decimal("-50.00"), "USD")]
    run = run_move(run, "paid", actor=None)
    assert run.paid_at is not None
    assert run.approved_at is not None
    assert run.reviewed_at
    with pytest.raises(RunRefused, match="paid is the last step"):
        run_move(run, "draft", actor=None)
    statuses = [
        (record.after or {}).get("status")
        for record in ChangeRecord.objects.filter(
            content_type=ContentType.objects.get_for_model(CommissionRun), object_id=str(run.pk)
        ).order_by("id")
    ]
    assert statuses == ["draft", "reviewed", "approved", "paid"]


def test_an_assignment_to_a_plan_without_a_version_is_refused(world):
    PlanAssignment.objects.create(
        payee=world.rep_east, plan_code="NOPE", valid_from=dt.date(2026, 1, 1)
    )
    with pytest.raises(RunRefused, match="E101 is assigned plan NOPE, which has no plan version"):
        run_create("2026-03", actor=None)


PAID_PLAN = """\
code: paid-rep
name: Paid on payment
version: 1
valid_from: 2026-01-01
currency: USD
period: month
rounding: line
payable_on: payment
components:
  - code: commission
    basis: amount
    rate: "0.05"
"""


def test_payable_on_payment_releases_pro_rata_to_what_is_paid(world):
    """INV-P 1,080.00 with 80.00 tax (1,000.00 net at 5% = 50.00), paid 540.00 in May and
    540.00 in June: 25.00 released in each month."""
    plan_version_save(PAID_PLAN, actor=None)
    PlanAssignment.objects.create(
        payee=world.rep_east, plan_code="paid-rep", valid_from=dt.date(2026, 1, 1)
    )
    made = order(
        "SO-P", world.customer_east, dt.date(2026, 5, 1), [(world.product_ups, "1", "1000.00")]
    )
    paid = invoice("INV-P", made, dt.date(2026, 5, 5), "1080.00", "80.00")
    for number, day in (("RCPT-P1", dt.date(2026, 5, 20)), ("RCPT-P2", dt.date(2026, 6, 10))):
        receipt = Payment.objects.create(
            number=number,
            customer=world.customer_east,
            received_on=day,
            currency="USD",
            amount=Decimal("540.00"),
        )
        PaymentApplication.objects.create(
            payment=receipt, invoice=paid, amount=Decimal("540.00"), applied_on=day
        )
    run = run_create("2026-05..2026-06", actor=None)
    assert payouts(run) == [
        ("E101", "2026-05", Decimal("25.00"), "USD"),
        ("E101", "2026-06", Decimal("25.00"), "USD"),
    ]
