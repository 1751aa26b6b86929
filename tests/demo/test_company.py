"""The demo company, built once for this module (60 customers, as of 29 November 2026), and what
each role sees."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import models, transaction

from revdesk.catalog.models import BillingCode, FxRate, Product, ProductLine
from revdesk.demo import data
from revdesk.demo.generator import company_build, customers_for_scale
from revdesk.demo.selectors import demo_build_read, demo_logins, demo_other_logins
from revdesk.foundation.scoping import restrict
from revdesk.orders.models import Order, OrderLine
from revdesk.parties.models import (
    Customer,
    Distributor,
    Payee,
    PlanAssignment,
    Territory,
    TerritoryAssignment,
)
from revdesk.receivables.models import CreditMemo, Invoice, Payment, PaymentApplication

CUSTOMERS = 60
AS_OF = dt.date(2026, 11, 29)
ZERO = Decimal("0.00")
User = get_user_model()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Build once, roll back after the module (each test still runs in its own savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        summary = company_build(seed=11, as_of=AS_OF, customers=CUSTOMERS)
        yield summary
        transaction.set_rollback(True)


@pytest.fixture
def users(demo, db):
    return {user.username: user for user in User.objects.all()}


def test_counts_are_in_the_expected_ranges(demo, db):
    counts = demo.counts
    assert counts["Customer"] == CUSTOMERS
    assert counts["ProductLine"] == 6
    assert counts["Product"] == len(data.PRODUCTS) == 72
    assert counts["Distributor"] == 20
    assert counts["Payee"] == 44
    assert counts["Territory"] == 19
    assert counts["FxRate"] == 36
    assert counts["PriceListItem"] == 4 * 72
    assert 3 * CUSTOMERS <= counts["Order"] <= 12 * CUSTOMERS
    assert 1.5 * counts["Order"] <= counts["OrderLine"] <= 4 * counts["Order"]
    assert 0.8 * counts["Order"] <= counts["Invoice"] <= 3 * counts["Order"]
    assert 0.6 * counts["Invoice"] <= counts["PaymentApplication"] <= counts["Invoice"]
    assert 0 < counts["CreditMemo"] <= 0.1 * counts["Invoice"]
    assert demo.customers == CUSTOMERS


def test_scale_multiplies_customers():
    assert customers_for_scale(1) == 500
    assert customers_for_scale(10) == 5000
    assert customers_for_scale(0.1) == 50
    with pytest.raises(ValueError, match="--scale must be more than 0, got 0"):
        customers_for_scale(0)


def test_every_balance_is_amount_minus_applications_credits_and_write_offs(demo, db):
    applied = defaultdict(lambda: ZERO)
    for invoice_id, amount in PaymentApplication.objects.values_list("invoice_id", "amount"):
        applied[invoice_id] += amount
    credited = defaultdict(lambda: ZERO)
    for invoice_id, amount in CreditMemo.objects.values_list("invoice_id", "amount"):
        credited[invoice_id] += amount
    from revdesk.receivables.models import WriteOff

    written_off = defaultdict(lambda: ZERO)
    for invoice_id, amount in WriteOff.objects.values_list("invoice_id", "amount"):
        written_off[invoice_id] += amount
    invoices = list(Invoice.objects.values_list("pk", "amount", "balance", "status", "tax_amount"))
    assert invoices
    for pk, amount, balance, status, tax in invoices:
        assert balance == amount - applied[pk] - credited[pk] - written_off[pk], pk
        assert balance >= ZERO
        assert status == ("paid" if balance == ZERO else "open")
        assert ZERO <= tax < amount


def test_payments_never_apply_more_than_they_received(demo, db):
    applied = defaultdict(lambda: ZERO)
    for payment_id, amount in PaymentApplication.objects.values_list("payment_id", "amount"):
        applied[payment_id] += amount
    unapplied = 0
    for pk, amount in Payment.objects.values_list("pk", "amount"):
        assert applied[pk] <= amount
        unapplied += applied[pk] < amount
    assert unapplied >= 2  # receipts waiting for cash application


def test_order_lines_add_up_and_hardware_invoices_match_their_order(demo, db):
    for quantity, unit_price, amount in OrderLine.objects.values_list(
        "quantity", "unit_price", "amount"
    ):
        assert amount == (quantity * unit_price).quantize(Decimal("0.01"))
    net = defaultdict(lambda: ZERO)
    for order_id, amount in OrderLine.objects.filter(product__is_recurring=False).values_list(
        "order_id", "amount"
    ):
        net[order_id] += amount
    hardware = Invoice.objects.filter(order__lines__product__product_line__kind="hardware")
    for order_id, amount, tax in hardware.distinct().values_list(
        "order_id", "amount", "tax_amount"
    ):
        assert amount - tax == net[order_id]


def test_nothing_happens_after_the_as_of_date(demo, db):
    today = AS_OF
    assert not Order.objects.filter(booked_on__gt=today).exists()
    assert not Invoice.objects.filter(issued_on__gt=today).exists()
    assert not CreditMemo.objects.filter(issued_on__gt=today).exists()
    assert not Payment.objects.filter(received_on__gt=today).exists()
    assert not PaymentApplication.objects.filter(applied_on__gt=today).exists()
    assert Invoice.objects.filter(issued_on__lt=dt.date(2025, 12, 1)).count() == 0
    assert Order.objects.filter(booked_on=dt.date(2026, 11, 27)).exists()  # the last Friday


def test_collections_has_real_work(demo, db):
    overdue = Invoice.objects.filter(status="open", due_on__lt=AS_OF)
    assert overdue.count() >= 5
    short_paid = Invoice.objects.filter(status="open", applications__isnull=False).distinct()
    assert short_paid.exists()
    assert Payment.objects.filter(reference__contains=" short: ").exists()
    multi = [
        p for p in Payment.objects.prefetch_related("applications") if p.applications.count() > 1
    ]
    assert multi
    for payment in Payment.objects.exclude(customer=None).select_related("customer"):
        assert payment.currency == payment.customer.currency


def test_customers_have_hierarchies_currencies_and_requirements(demo, db):
    parents = Customer.objects.filter(is_key_account=True)
    assert parents.count() == 3
    for parent in parents:
        assert 2 <= parent.children.count() <= 8
        assert parent.parent is None
        names = list(parent.children.values_list("name", flat=True))
        assert len(set(names)) == len(names), names
        assert all(name.startswith(f"{parent.name} – ") for name in names)
    currencies = set(Customer.objects.values_list("currency", flat=True))
    assert len(currencies) >= 3
    assert currencies <= {"USD", "CAD", "EUR", "GBP"}
    for code, currency, customer_currency in Invoice.objects.values_list(
        "number", "currency", "customer__currency"
    ):
        assert currency == customer_currency, code
    assert set(Customer.objects.values_list("payment_terms_days", flat=True)) <= {30, 45, 60}
    assert Customer.objects.filter(requires_po=True).exists()
    portals = Customer.objects.filter(requires_portal_upload=True)
    assert all(c.portal_name in data.PORTALS for c in portals)
    assert not Customer.objects.filter(collector=None).exists()
    assert not Customer.objects.filter(sales_rep=None).exists()
    assert all(customer.contacts.filter(is_primary=True).count() == 1 for customer in parents)


def test_catalogue_services_and_fx(demo, db):
    assert set(ProductLine.objects.values_list("code", flat=True)) == {
        "UPS",
        "RACK",
        "PDU",
        "THERMAL",
        "FIBRE",
        "ETHERNET",
    }
    assert set(BillingCode.objects.filter(is_recurring=True).values_list("code", flat=True)) == {
        "MRC-FIBRE",
        "MRC-ETH",
    }
    assert Product.objects.filter(is_recurring=True).count() == 12
    assert not Product.objects.filter(billing_code=None).exists()
    recurring = OrderLine.objects.filter(product__is_recurring=True).exclude(
        order__order_type="disconnect"
    )
    assert recurring.exists()
    assert set(recurring.values_list("term_months", flat=True)) == {36}
    assert Invoice.objects.filter(order__lines__product__is_recurring=True).exists()
    for currency in ("CAD", "EUR", "GBP"):
        rates = list(FxRate.objects.filter(currency=currency, quote_currency="USD"))
        assert len(rates) == 12
        assert {rate.valid_on.day for rate in rates} == {1}
    plausible = {"CAD": ("0.6", "0.85"), "EUR": ("0.95", "1.25"), "GBP": ("1.1", "1.45")}
    for rate in FxRate.objects.all():
        low, high = plausible[rate.currency]
        assert Decimal(low) < rate.rate < Decimal(high)


def test_sales_organisation_is_effective_dated(demo, db):
    regions = Territory.objects.filter(parent=None)
    assert set(regions.values_list("code", flat=True)) == {
        "NA-EAST",
        "NA-CENTRAL",
        "NA-WEST",
        "CANADA",
        "EMEA",
    }
    assert Territory.objects.exclude(parent=None).count() == 14
    director = Payee.objects.get(kind="director")
    assert Payee.objects.filter(kind="manager", manager=director).count() == 6
    assert Payee.objects.filter(kind="sales_rep", manager__isnull=True).count() == 0
    moved = TerritoryAssignment.objects.filter(valid_to=dt.date(2026, 6, 30))
    assert moved.count() == 3
    for old in moved:
        new = TerritoryAssignment.objects.get(payee=old.payee, valid_from=dt.date(2026, 7, 1))
        assert new.territory != old.territory
    plans = set(PlanAssignment.objects.values_list("plan_code", flat=True))
    assert {"REP-2026-HW", "REP-2026-SVC", "MGR-2026", "REP-2025-HW", "DIR-2026"} <= plans
    assert Order.objects.filter(channel="distributor", distributor__isnull=False).exists()
    assert set(Order.objects.values_list("order_type", flat=True)) >= {
        "new",
        "add",
        "change",
    }


def test_every_demo_login_exists_and_signs_in(demo, users, client):
    expected = {
        "admin",
        "ops",
        "analyst",
        "leader",
        "lead",
        "collector",
        "collector2",
        "manager",
        "rep",
        "distributor",
    }
    assert expected <= set(users)
    assert [row.username for row in demo_logins(as_of=AS_OF)] == [
        "admin",
        "ops",
        "analyst",
        "leader",
        "lead",
        "collector",
        "collector2",
        "manager",
        "rep",
        "distributor",
    ]
    assert client.login(username="collector", password=data.DEMO_PASSWORD)
    assert not client.login(username="collector", password="wrong")


def test_everyone_sees_everything_they_should(demo, users):
    for name in ("admin", "ops", "analyst"):
        assert restrict(Invoice.objects.all(), users[name]).count() == Invoice.objects.count()


def test_collector_sees_only_their_portfolio(demo, users):
    collector = users["collector"]
    visible = restrict(Customer.objects.all(), collector)
    assert visible.count() >= 5
    assert visible.filter(is_key_account=True).exists()
    assert set(visible.values_list("collector__username", flat=True)) == {"collector"}
    invoices = restrict(Invoice.objects.all(), collector)
    assert invoices.exists()
    assert set(invoices.values_list("customer__collector__username", flat=True)) == {"collector"}
    assert restrict(Customer.objects.all(), users["collector2"]).exists()
    assert not (
        set(visible.values_list("pk", flat=True))
        & set(restrict(Customer.objects.all(), users["collector2"]).values_list("pk", flat=True))
    )


def test_senior_collector_sees_the_team(demo, users):
    assert restrict(Customer.objects.all(), users["lead"]).count() == CUSTOMERS


def test_rep_and_manager_see_their_customers_and_orders(demo, users):
    rep = Payee.objects.get(user=users["rep"])
    customers = restrict(Customer.objects.all(), users["rep"])
    assert customers.exists()
    assert set(customers.values_list("sales_rep", flat=True)) == {rep.pk}
    orders = restrict(Order.objects.all(), users["rep"])
    assert orders.exists()
    manager = Payee.objects.get(user=users["manager"])
    assert rep.manager == manager
    team = restrict(Customer.objects.all(), users["manager"])
    assert team.count() > customers.count()


def test_distributor_user_sees_its_orders_only(demo, users):
    distributor = Distributor.objects.get(users__user=users["distributor"])
    orders = restrict(Order.objects.all(), users["distributor"])
    assert orders.exists()
    assert set(orders.values_list("distributor", flat=True)) == {distributor.pk}
    assert orders.count() == Order.objects.filter(distributor=distributor).count()


def test_the_build_records_its_date_and_seed(demo, db):
    build = demo_build_read()
    assert (build.as_of, build.seed, build.customers) == (AS_OF, 11, CUSTOMERS)
    assert demo.as_of == AS_OF


def test_subsidiary_names_stay_unique_when_cities_run_out():
    import random

    from revdesk.demo.generator import _branch

    taken: set[str] = set()
    rng = random.Random(1)
    names = [_branch(rng, "CA", taken) for _ in range(9)]
    assert sorted(names[:7]) == sorted(data.CITIES["CA"])
    assert len(set(names)) == 9
    assert all(name.endswith(" 2") for name in names[7:])


def test_printed_figures_are_the_web_home_figures_on_the_as_of_date(demo, users):
    from revdesk.web.selectors import collections_summary, orders_summary

    year = dt.date(AS_OF.year, 1, 1)
    seen = {row.username: row.sees for row in demo_logins(as_of=AS_OF)}
    for name in ("lead", "collector", "collector2"):
        home = collections_summary(user=users[name], today=AS_OF)
        keys = restrict(Customer.objects.filter(is_key_account=True), users[name]).count()
        owner = "their team's portfolio" if name == "lead" else "their portfolio"
        assert seen[name] == (
            f"{owner}: {home.customers:,} customers ({keys} key accounts), "
            f"{home.overdue_invoices:,} overdue invoices"
        )
    for name, who in (("rep", "their own"), ("manager", "their team")):
        payee = Payee.objects.get(user=users[name])
        customers = restrict(Customer.objects.filter(is_active=True), users[name]).count()
        orders = orders_summary(user=users[name], start=year, end=AS_OF).orders
        assert (
            seen[name]
            == f"{who} ({payee.name}): {customers:,} customers, {orders:,} orders this year"
        )
    distributor = Distributor.objects.get(users__user=users["distributor"])
    orders = orders_summary(user=users["distributor"], start=year, end=AS_OF).orders
    assert seen["distributor"] == (
        f"{distributor.name}: {orders:,} orders this year "
        f"({Order.objects.filter(distributor=distributor).count():,} in all), "
        f"{Invoice.objects.filter(order__distributor=distributor).count():,} invoices"
    )
    assert seen["admin"] == (
        f"everything: {CUSTOMERS} customers, {Order.objects.count():,} orders, "
        f"{Invoice.objects.count():,} invoices"
    )


def test_the_other_collectors_are_named(demo, users):
    others = demo_other_logins()
    assert len(others) == 5
    assert not set(others) & {"lead", "collector", "collector2"}
    assert len(users) == 10 + 5


def test_the_case_desk_has_work_in_every_state(demo, users):
    from revdesk.cases.choices import OPEN_STATUSES, Status
    from revdesk.cases.models import Case, CaseEscalation, CaseEvent, RoutingRule, TeamMembership

    cases = Case.objects.all()
    types = set(cases.values_list("case_type__code", flat=True))
    assert types == {
        "ar_dispute",
        "short_payment",
        "deduction",
        "commission_claim",
        "commission_inquiry",
        "rebate_claim",
        "order_defect",
        "approval_escalation",
        "inquiry",
    }
    statuses = set(cases.values_list("status", flat=True))
    assert len(statuses & OPEN_STATUSES) >= 2
    assert {Status.RESOLVED, Status.CLOSED} & statuses
    assert CaseEscalation.objects.exists()
    assert RoutingRule.objects.count() == 14
    assert TeamMembership.objects.filter(user=users["leader"], level=2).count() == 5
    # Nothing after the demo's noon (New York), and every case has a timeline.
    noon = dt.datetime(2026, 11, 29, 17, 0, tzinfo=dt.UTC)
    assert not CaseEvent.objects.filter(time__gt=noon).exists()
    assert not cases.filter(opened_at__gt=noon).exists()
    assert all(case.events.filter(kind="created").count() == 1 for case in cases)
    # Every case with an amount has its currency; disputes are on the collector's customers.
    assert not cases.filter(amount__isnull=False, currency="").exists()
    assert not cases.filter(case_type__code="ar_dispute", customer__isnull=True).exists()
    # The rep's own claims and the distributor's own rebate claims are there to see.
    assert cases.filter(case_type__code="commission_claim", created_by=users["rep"]).exists()
    assert cases.filter(case_type__code="rebate_claim", created_by=users["distributor"]).exists()


def test_the_quality_review_has_weeks_of_results(demo, users):
    from revdesk.quality.models import QualityReview

    reviews = QualityReview.objects.all()
    assert reviews.exists()
    assert reviews.exclude(result="pending").exists()
    assert not reviews.filter(reviewer=models.F("person")).exists()
    assert set(reviews.values_list("source", flat=True)) == {"case"}


def test_the_morning_lockbox_file_was_read_by_cash_application(demo, db):
    from revdesk.receivables.models import BankFile, CashSuggestion, WriteOff

    bank_file = BankFile.objects.get()
    assert bank_file.name == f"lockbox-{AS_OF.isoformat()}.csv"
    statuses = sorted(bank_file.payments.values_list("status", flat=True))
    assert set(statuses) == {"applied", "on_account", "suggested", "unidentified"}
    assert statuses.count("unidentified") == 2
    assert bank_file.summary["cases"] == {
        "short_payment": {"count": 1, "amount": {"USD": "250.00"}}
    }
    assert WriteOff.objects.filter(amount=Decimal("3.50"), reason__contains="Small balance")
    assert CashSuggestion.objects.filter(payment__bank_file=bank_file, status="open").exists()
    # every receipt is whole: applied plus unapplied is what came in
    for payment in bank_file.payments.prefetch_related("applications"):
        applied = sum((a.amount for a in payment.applications.all()), ZERO)
        assert (applied == payment.amount) == (payment.status == "applied")


def test_no_two_demo_cases_are_about_the_same_invoice(demo, db):
    from django.db.models import Count

    from revdesk.cases.models import CaseSubject

    twice = (
        CaseSubject.objects.filter(content_type__model="invoice")
        .values("object_id")
        .annotate(n=Count("case"))
        .filter(n__gt=1)
    )
    assert list(twice) == []


def test_the_commissions_desk_has_its_two_crediting_policies(demo, db):
    from revdesk.compensation.models import CreditingPolicy

    policies = {p.number: p.splits for p in CreditingPolicy.objects.all()}
    assert policies == {
        "Policy 100": {"specifying": "0.25", "ordering": "0.50", "installing": "0.25"},
        "Policy 119": {"selling": "0.60", "far_end": "0.40"},
    }


def test_every_plan_assignment_names_a_plan_on_record(demo, db):
    from revdesk.compensation.models import PlanVersion

    assigned = set(PlanAssignment.objects.values_list("plan_code", flat=True))
    on_record = set(PlanVersion.objects.values_list("code", flat=True))
    assert assigned <= on_record
    assert PlanVersion.objects.get(code="REP-2026-HW").valid_from == dt.date(2026, 1, 1)


def test_payroll_paid_the_paid_run_with_two_differences_each_with_its_case(demo, users):
    """What payroll paid for January to September went through the paid import: equal to the
    run for every payee and period but two (a manual adjustment paid on top, a component paid
    short), and each of the two has its commission inquiry, opened at 9:30 New York time."""
    from revdesk.compensation.models import CommissionRun, PaidImport, PaidLine, PayoutLine
    from revdesk.compensation.reconciliation import reconciliation_build
    from revdesk.demo.payroll import MANUAL_ADJUSTMENTS
    from revdesk.engine.money import round_money

    run = CommissionRun.objects.get(status="paid")
    assert run.periods == "2026-01..2026-09"
    paid_import = PaidImport.objects.get()
    assert paid_import.file_name == "payroll-paid-2026-01-to-2026-09.csv"
    assert paid_import.imported_by == users["analyst"]
    assert paid_import.row_count == PaidLine.objects.count()
    assert set(PaidLine.objects.values_list("paid_on", flat=True)) == {
        dt.date(2026, month + 1, 15) for month in range(1, 10)
    }
    differences = [row for row in reconciliation_build(run).comparisons if row.variance]
    assert len(differences) == 2
    manual, short = sorted(differences, key=lambda row: row.component != "")
    # a manual adjustment: the payout paid, and one of the usual amounts on its own line
    assert manual.component == ""
    assert format(manual.paid - manual.calculated, "f") in MANUAL_ADJUSTMENTS
    assert [line.reference.endswith("-MANUAL") for line in manual.paid_lines] == [False, True]
    # a component short by exactly its last line
    assert short.component
    assert short.paid_lines[0].component == short.component
    assert short.calculated - short.paid == round_money(short.lines[-1].amount) > 0
    others = PayoutLine.objects.filter(run=run, payee=short.payee, period=short.period).exclude(
        pk__in=[line.pk for line in short.lines]
    )
    assert others.exists()  # the payee was paid by component, the other components in full
    nine_thirty = dt.datetime(2026, 11, 29, 14, 30, tzinfo=dt.UTC)
    for row in differences:
        case = row.variance_record.case
        assert case.case_type.code == "commission_inquiry"
        assert case.payee == row.payee
        assert case.amount == row.variance
        assert case.opened_at == nine_thirty
    # the paid total is the run's total, plus the manual adjustment, less the short component
    total = sum(PaidLine.objects.values_list("amount", flat=True), ZERO)
    assert total == Decimal(run.totals["USD"]) - manual.variance - short.variance
