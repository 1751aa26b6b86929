"""Claims, explicit splits, eligibility, quarterly plans in monthly runs, and closed periods.

Every figure is worked by hand in the test's docstring: the plan pays 5% on UPS and 10% on
fibre, monthly, on the invoice's net amount (tests/compensation/test_runs.py).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from revdesk.cases.choices import Outcome, Status
from revdesk.cases.services import case_transition
from revdesk.cases.workflow import TransitionRefused
from revdesk.compensation.claims import claim_decide, claim_file
from revdesk.compensation.models import (
    ClaimDecision,
    CreditSplit,
    Payout,
    PayoutLine,
    RunStatus,
)
from revdesk.compensation.runs import RunRefused, run_create, run_move
from revdesk.compensation.services import crediting_policy_save, plan_version_save
from revdesk.parties.models import PlanAssignment

from .test_runs import invoice, order, payouts

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T12:00:00").replace(tzinfo=UTC)


def approved(periods: str, users) -> object:
    run = run_create(periods, actor=users["analyst"])
    run_move(run, RunStatus.REVIEWED, actor=users["analyst"])
    return run_move(run, RunStatus.APPROVED, actor=users["leader"])


@pytest.fixture
def desk(world):
    plan_version_save(
        """\
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
""",
        actor=None,
    )
    for payee in (world.rep_east, world.rep_west):
        PlanAssignment.objects.create(
            payee=payee, plan_code="field-rep", valid_from=dt.date(2025, 1, 1)
        )
    policy = crediting_policy_save(
        actor=None,
        number="Policy 100",
        title="Specifying, ordering and installing territories",
        text="25/50/25",
        splits={"specifying": "0.25", "ordering": "0.50", "installing": "0.25"},
        valid_from=dt.date(2025, 1, 1),
    )
    ups = world.product_ups
    east_order = order("SO-1", world.customer_east, dt.date(2026, 3, 1), [(ups, "1", "4000.00")])
    first = invoice("INV-1", east_order, dt.date(2026, 3, 10), "4000.00")
    return world, policy, first


def test_an_approved_claim_recredits_and_pays_the_difference_in_the_next_open_period(desk):
    """INV-1: 4,000.00 UPS sold by E101 in March: 200.00 to E101. E102 claims under Policy
    100 that they specified and installed it (25% + 25%): approved on 15 April, after March
    was approved. March stays as paid (E101 200.00); April pays the difference: E101
    -100.00 (credit 1 -> 0.50), E102 +100.00 (0.50 x 4,000.00 x 5%)."""
    world, policy, first = desk
    users = world.users
    march = approved("2026-03", users)
    claim = _claim(world, policy, first, actor="rep_west", now=at("2026-04-02"))
    assert claim.case.case_type.code == "commission_claim"
    assert claim.case.title == "Claim under Policy 100 on INV-1"
    assert claim.case.amount == Decimal("4000.00")
    assert claim.filed_on == dt.date(2026, 4, 2)
    # pending: nothing changes
    april = run_create("2026-04", actor=users["analyst"])
    assert payouts(april) == []
    claim = claim_decide(
        claim,
        approve=True,
        resolution="Design documents show E102 specified; installation by E102's team.",
        actor=users["analyst"],
        now=at("2026-04-15"),
    )
    assert claim.decision == ClaimDecision.APPROVED
    assert claim.decided_on == dt.date(2026, 4, 15)
    assert claim.case.status == Status.RESOLVED
    april = run_create("2026-04", actor=users["analyst"])
    assert payouts(april) == [
        ("E101", "2026-04", Decimal("-100.00"), "USD"),
        ("E102", "2026-04", Decimal("100.00"), "USD"),
    ]
    lines = {
        (line.payee.code, line.transaction_id): (line.credit_share, line.base, line.amount)
        for line in PayoutLine.objects.filter(run=april, kind="adjustment").select_related("payee")
    }
    assert lines == {
        ("E101", "INV-1/1"): (Decimal("-0.5"), Decimal("-2000"), Decimal("-100")),
        ("E102", "INV-1/1"): (Decimal("0.5"), Decimal("2000"), Decimal("100")),
    }
    # the approved March run is what it was
    assert payouts(march) == [("E101", "2026-03", Decimal("200.00"), "USD")]


def test_a_claim_approved_before_the_period_closes_credits_it_directly(desk):
    """Approved on 20 March, before March is calculated: March pays the split at once:
    E101 100.00 (ordering 50%), E102 100.00 (specifying + installing 50%)."""
    world, policy, first = desk
    users = world.users
    claim = _claim(world, policy, first, now=at("2026-03-12"))
    claim_decide(
        claim, approve=True, resolution="Agreed.", actor=users["analyst"], now=at("2026-03-20")
    )
    run = run_create("2026-03", actor=users["analyst"])
    assert payouts(run) == [
        ("E101", "2026-03", Decimal("100.00"), "USD"),
        ("E102", "2026-03", Decimal("100.00"), "USD"),
    ]


def test_a_denied_or_reopened_claim_credits_nothing(desk):
    world, policy, first = desk
    users = world.users
    claim = _claim(world, policy, first, now=at("2026-03-12"))
    claim = claim_decide(
        claim,
        approve=False,
        resolution="No evidence.",
        actor=users["analyst"],
        now=at("2026-03-13"),
    )
    assert (claim.decision, claim.decided_on) == (ClaimDecision.DENIED, dt.date(2026, 3, 13))
    case_transition(
        claim.case, Status.IN_PROGRESS, actor=users["analyst"], note="New evidence arrived."
    )
    claim.refresh_from_db()
    assert (claim.decision, claim.decided_on) == (ClaimDecision.PENDING, None)
    run = run_create("2026-03", actor=users["analyst"])
    assert payouts(run) == [("E101", "2026-03", Decimal("200.00"), "USD")]


def test_a_claim_names_every_role_and_only_a_decider_decides_it(desk):
    world, policy, first = desk
    users = world.users
    with pytest.raises(ValidationError, match="name the payee who was installing"):
        claim_file(
            actor=users["rep_west"],
            policy=policy,
            invoices=[first],
            roles={"specifying": world.rep_west, "ordering": world.rep_east},
            claimant=world.rep_west,
            description="x",
        )
    claim = _claim(world, policy, first, actor="rep_west")
    with pytest.raises(TransitionRefused, match="Only a commissions analyst"):
        case_transition(
            claim.case,
            Status.RESOLVED,
            actor=users["collector"],
            note="ok",
            outcome=Outcome.CLAIM_APPROVED,
        )
    claim.refresh_from_db()
    assert claim.decision == ClaimDecision.PENDING


def test_a_late_invoice_in_a_closed_period_is_an_adjustment_in_the_next(desk):
    """March approved paying 200.00. INV-LATE (fibre 300.00, dated 28 March) arrives in
    April: March is not recalculated; April pays its 30.00 as an adjustment line."""
    world, _policy, _first = desk
    users = world.users
    march = approved("2026-03", users)
    late = order(
        "SO-L", world.customer_east, dt.date(2026, 3, 1), [(world.product_fibre, "1", "300.00")]
    )
    invoice("INV-LATE", late, dt.date(2026, 3, 28), "300.00")
    april = run_create("2026-04", actor=users["analyst"])
    assert payouts(april) == [("E101", "2026-04", Decimal("30.00"), "USD")]
    (line,) = PayoutLine.objects.filter(run=april)
    assert (line.transaction_id, line.kind, line.base, line.amount, line.currency) == (
        "INV-LATE/1",
        "adjustment",
        Decimal("300"),
        Decimal("30"),
        "USD",
    )
    assert payouts(march) == [("E101", "2026-03", Decimal("200.00"), "USD")]
    # calculated afresh over both months, March would have paid 230.00 and April nothing:
    # the approved run is what was paid, so April carries the difference
    assert Payout.objects.filter(run=april).count() == 1


def test_nothing_changed_means_no_adjustment(desk):
    world, _policy, _first = desk
    users = world.users
    approved("2026-03", users)
    april = run_create("2026-04", actor=users["analyst"])
    assert payouts(april) == []
    assert not PayoutLine.objects.filter(run=april).exists()


def test_an_ineligible_order_and_its_credit_memo_earn_nothing(desk):
    world, _policy, _first = desk
    no = order(
        "SO-N", world.customer_east, dt.date(2026, 3, 1), [(world.product_fibre, "1", "900.00")]
    )
    no.commission_eligible = False
    no.save()
    invoice("INV-N", no, dt.date(2026, 3, 15), "900.00")
    run = run_create("2026-03", actor=None)
    assert payouts(run) == [("E101", "2026-03", Decimal("200.00"), "USD")]
    assert (
        not PayoutLine.objects.filter(run=run, transaction_id="INV-N/1").exclude(amount=0).exists()
    )


def test_an_explicit_split_credits_each_payee_its_share(desk):
    """SO-1 split 60/40 between E101 and E102: 4,000.00 x 5% = 200.00 -> 120.00 / 80.00."""
    world, _policy, first = desk
    CreditSplit.objects.create(order=first.order, payee=world.rep_east, share=Decimal("0.6"))
    CreditSplit.objects.create(order=first.order, payee=world.rep_west, share=Decimal("0.4"))
    run = run_create("2026-03", actor=None)
    assert payouts(run) == [
        ("E101", "2026-03", Decimal("120.00"), "USD"),
        ("E102", "2026-03", Decimal("80.00"), "USD"),
    ]


def test_a_monthly_run_pays_a_quarterly_plan_when_its_quarter_ends(world):
    """A quarterly plan (2% of everything) for E101: January 1,000.00 and March 2,000.00 of
    UPS -> Q1 pays 60.00, in the run of March; the run of February pays nothing."""
    plan_version_save(
        """\
code: quarterly
name: Quarterly
version: 1
valid_from: 2026-01-01
currency: USD
period: quarter
payable_on: invoice
components:
  - code: commission
    basis: amount
    rate: "0.02"
""",
        actor=None,
    )
    PlanAssignment.objects.create(
        payee=world.rep_east, plan_code="quarterly", valid_from=dt.date(2026, 1, 1)
    )
    ups = world.product_ups
    one = order("SO-Q1", world.customer_east, dt.date(2026, 1, 1), [(ups, "1", "1000.00")])
    invoice("INV-Q1", one, dt.date(2026, 1, 20), "1000.00")
    two = order("SO-Q2", world.customer_east, dt.date(2026, 3, 1), [(ups, "1", "2000.00")])
    invoice("INV-Q2", two, dt.date(2026, 3, 20), "2000.00")
    february = run_create("2026-02", actor=None)
    assert payouts(february) == []
    march = run_create("2026-03", actor=None)
    assert payouts(march) == [("E101", "2026-Q1", Decimal("60.00"), "USD")]


def test_an_order_without_a_rep_is_credited_to_the_territory_owner_on_the_date(desk):
    """SO-T has no sales rep; the customer is in US-WEST, owned by E101 until 14 March and by
    E102 from 15 March: INV-T1 (10 March, 1,000.00 UPS) credits E101 50.00, INV-T2 (20
    March, 2,000.00 UPS) credits E102 100.00."""
    from revdesk.parties.models import TerritoryAssignment

    world, _policy, _first = desk
    west = world.customer_west.territory
    TerritoryAssignment.objects.filter(territory=west).delete()
    TerritoryAssignment.objects.create(
        payee=world.rep_east,
        territory=west,
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2026, 3, 14),
    )
    TerritoryAssignment.objects.create(
        payee=world.rep_west, territory=west, valid_from=dt.date(2026, 3, 15)
    )
    customer = world.customer_west
    customer.currency = "USD"
    customer.save()
    ups = world.product_ups
    for number, day, amount in (("T1", 10, "1000.00"), ("T2", 20, "2000.00")):
        made = order(f"SO-{number}", customer, dt.date(2026, 3, 1), [(ups, "1", amount)])
        made.sales_rep = None
        made.save()
        invoice(f"INV-{number}", made, dt.date(2026, 3, day), amount)
    run = run_create("2026-03", actor=None)
    assert payouts(run) == [
        ("E101", "2026-03", Decimal("250.00"), "USD"),  # 200.00 on INV-1 + 50.00
        ("E102", "2026-03", Decimal("100.00"), "USD"),
    ]
    assert run.notes == [
        "2 invoice(s) whose order has no sales rep were credited to the owner of the "
        "customer's territory on the invoice date"
    ]


def _claim(world, policy, invoice_, *, actor="analyst", now=None):
    return claim_file(
        actor=world.users[actor],
        policy=policy,
        invoices=[invoice_],
        roles={
            "specifying": world.rep_west,
            "ordering": world.rep_east,
            "installing": world.rep_west,
        },
        claimant=world.rep_west,
        description="Filed for E102.",
        now=now,
    )


def test_an_invoice_is_claimed_once_and_the_latest_approved_claim_credits_it(desk):
    """A second claim on INV-1 is refused while the first is pending or approved. Should two
    approved claims reach the engine all the same (made outside the service), the latest
    alone credits the invoice: never more than the whole 200.00."""
    from revdesk.compensation.models import CreditClaimInvoice, CreditClaimRole

    world, policy, first = desk
    users = world.users
    claim = _claim(world, policy, first, now=at("2026-03-02"))
    with pytest.raises(ValidationError, match=rf"INV-1 already has claim {claim.case.number}"):
        _claim(world, policy, first, now=at("2026-03-03"))
    claim_decide(
        claim, approve=True, resolution="Yes.", actor=users["analyst"], now=at("2026-03-05")
    )
    # a second approved claim written around the service: E101 alone, approved later
    other = type(claim).objects.create(
        case=_claim_case(world),
        policy=policy,
        claimant=world.rep_east,
        filed_on=dt.date(2026, 3, 6),
        decision=ClaimDecision.APPROVED,
        decided_on=dt.date(2026, 3, 7),
    )
    CreditClaimInvoice.objects.create(claim=other, invoice=first)
    for role in ("specifying", "ordering", "installing"):
        CreditClaimRole.objects.create(claim=other, role=role, payee=world.rep_east)
    run = run_create("2026-03", actor=users["analyst"])
    assert payouts(run) == [("E101", "2026-03", Decimal("200.00"), "USD")]


def _claim_case(world):
    from revdesk.cases.services import case_open

    return case_open(actor=world.users["analyst"], case_type="commission_claim", title="Other")


def test_an_approved_adjustment_is_not_paid_again(desk):
    """March approved (E101 200.00); the claim approved on 15 April moves 100.00 to E102 in
    April, approved too. May has nothing to adjust: no lines, no payouts."""
    world, policy, first = desk
    users = world.users
    approved("2026-03", users)
    claim = _claim(world, policy, first, now=at("2026-04-02"))
    claim_decide(
        claim, approve=True, resolution="Yes.", actor=users["analyst"], now=at("2026-04-15")
    )
    april = approved("2026-04", users)
    assert payouts(april) == [
        ("E101", "2026-04", Decimal("-100.00"), "USD"),
        ("E102", "2026-04", Decimal("100.00"), "USD"),
    ]
    may = run_create("2026-05", actor=users["analyst"])
    assert payouts(may) == []
    assert not PayoutLine.objects.filter(run=may).exists()


def test_only_a_decider_not_named_on_the_claim_changes_its_decision(desk):
    world, policy, first = desk
    users = world.users
    claim = _claim(world, policy, first)
    with pytest.raises(TransitionRefused, match="Only a commissions analyst"):
        case_transition(claim.case, Status.REJECTED, actor=users["collector"], note="No.")
    claim = claim_decide(claim, approve=True, resolution="Yes.", actor=users["analyst"])
    with pytest.raises(TransitionRefused, match="Only a commissions analyst"):
        case_transition(claim.case, Status.IN_PROGRESS, actor=users["collector"], note="Again")
    claim.refresh_from_db()
    assert claim.decision == ClaimDecision.APPROVED
    # the manager of the payees is a decider, but not when named on the claim
    from revdesk.compensation.models import CreditClaimRole

    CreditClaimRole.objects.filter(claim=claim, role="installing").update(payee=world.manager)
    with pytest.raises(TransitionRefused, match="You are named on this claim"):
        case_transition(claim.case, Status.IN_PROGRESS, actor=users["manager"], note="Again")


def test_a_credit_split_adds_up_to_one_and_is_audited(desk):
    from revdesk.compensation.services import credit_split_set
    from revdesk.foundation.models import ChangeRecord

    world, _policy, first = desk
    users = world.users
    with pytest.raises(ValidationError, match=r"add up to 1\.2, not 1"):
        credit_split_set(
            first.order, {world.rep_east: "0.6", world.rep_west: "0.6"}, actor=users["analyst"]
        )
    assert not CreditSplit.objects.exists()
    credit_split_set(
        first.order, {world.rep_east: "0.75", world.rep_west: "0.25"}, actor=users["analyst"]
    )
    assert ChangeRecord.objects.filter(content_type__model="creditsplit").count() == 2
    run = run_create("2026-03", actor=None)
    assert payouts(run) == [
        ("E101", "2026-03", Decimal("150.00"), "USD"),
        ("E102", "2026-03", Decimal("50.00"), "USD"),
    ]
    # a split written around the service that does not add up stops the run, naming the order
    CreditSplit.objects.filter(payee=world.rep_west).update(share=Decimal("0.5"))
    with pytest.raises(RunRefused, match="the credit split of order SO-1 does not add up to 1"):
        run_create("2026-03", actor=None)
    credit_split_set(first.order, {}, actor=users["analyst"])
    assert not CreditSplit.objects.exists()
