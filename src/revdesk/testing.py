"""Small, explicit builders for tests: a sales organisation with one of every party (`World`),
a small ledger of orders, invoices and payments on top of it (`Ledger`), and the logins.

It sits above every app (outside the import-linter layers) because it assembles all of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from revdesk.catalog.models import BillingCode, FxRate, Product, ProductLine
from revdesk.orders.choices import OrderChannel, OrderStatus
from revdesk.orders.models import Order, OrderLine
from revdesk.parties.choices import PayeeKind, Role, Segment
from revdesk.parties.models import Customer, Distributor, Payee, Territory
from revdesk.parties.services import user_create
from revdesk.receivables.choices import InvoiceStatus
from revdesk.receivables.models import CreditMemo, Invoice, Payment, PaymentApplication

PASSWORD = "correct-horse-battery-staple"

ROLES = (
    "admin",
    "ops",
    "analyst",
    "lead",
    "leader",
    "collector",
    "collector2",
    "manager",
    "rep",
    "rep_west",
    "distributor",
)
"""Every login of the world by username, in the order of `World.users`."""


def signed_in(client, username: str):
    """The Django test client, signed in as this login (no password check, no request)."""
    client.force_login(get_user_model().objects.get(username=username))
    return client


@dataclass
class World:
    """Two reps under one manager, two collectors under a senior collector, one distributor."""

    territory_east: Territory
    territory_west: Territory
    manager: Payee
    rep_east: Payee
    rep_west: Payee
    distributor: Distributor
    other_distributor: Distributor
    customer_east: Customer
    customer_east_child: Customer
    customer_west: Customer
    product_ups: Product
    product_fibre: Product
    users: dict[str, object]


def world_build() -> World:
    east = Territory.objects.create(code="US-EAST", name="US East")
    west = Territory.objects.create(code="US-WEST", name="US West")
    manager = Payee.objects.create(code="E100", name="Morgan Manager", kind=PayeeKind.MANAGER)
    rep_east = Payee.objects.create(code="E101", name="Erin East", manager=manager)
    rep_west = Payee.objects.create(code="E102", name="Wes West", manager=manager)
    distributor = Distributor.objects.create(code="D01", name="Volt Supply", country="US")
    other = Distributor.objects.create(code="D02", name="Rack & Stack", country="US")

    users = {
        "admin": user_create(username="admin", password=PASSWORD, roles=[Role.ADMIN]),
        "ops": user_create(username="ops", password=PASSWORD, roles=[Role.SALES_OPERATIONS]),
        "analyst": user_create(
            username="analyst", password=PASSWORD, roles=[Role.COMMISSIONS_ANALYST]
        ),
        "lead": user_create(username="lead", password=PASSWORD, roles=[Role.SENIOR_COLLECTOR]),
        "leader": user_create(username="leader", password=PASSWORD, roles=[Role.MANAGER]),
    }
    users["collector"] = user_create(
        username="collector", password=PASSWORD, roles=[Role.COLLECTOR], team_lead=users["lead"]
    )
    users["collector2"] = user_create(
        username="collector2", password=PASSWORD, roles=[Role.COLLECTOR]
    )
    users["manager"] = user_create(
        username="manager", password=PASSWORD, roles=[Role.MANAGER], payee=manager
    )
    users["rep"] = user_create(
        username="rep", password=PASSWORD, roles=[Role.SALES_REP], payee=rep_east
    )
    users["rep_west"] = user_create(
        username="rep_west", password=PASSWORD, roles=[Role.SALES_REP], payee=rep_west
    )
    users["distributor"] = user_create(
        username="distributor",
        password=PASSWORD,
        roles=[Role.DISTRIBUTOR_USER],
        distributor=distributor,
    )

    customer_east = Customer.objects.create(
        code="C-1000",
        name="Acme Data Centers",
        country="US",
        currency="USD",
        payment_terms_days=30,
        credit_limit=Decimal("250000.00"),
        segment=Segment.ENTERPRISE,
        territory=east,
        sales_rep=rep_east,
        collector=users["collector"],
        is_key_account=True,
        requires_po=True,
    )
    child = Customer.objects.create(
        code="C-1001",
        name="Acme Data Centers Boston",
        parent=customer_east,
        country="US",
        currency="USD",
        territory=east,
        sales_rep=rep_east,
        collector=users["collector"],
    )
    customer_west = Customer.objects.create(
        code="C-2000",
        name="Pacific Colo",
        country="CA",
        currency="CAD",
        payment_terms_days=45,
        territory=west,
        sales_rep=rep_west,
        collector=users["collector2"],
    )
    power = ProductLine.objects.create(code="UPS", name="UPS")
    fibre = ProductLine.objects.create(code="FIBRE", name="Fibre services", kind="service")
    code = BillingCode.objects.create(code="BC-MRC-FIB", description="Fibre MRC", is_recurring=True)
    ups = Product.objects.create(
        sku="UPS-3000",
        name="UPS 3 kVA",
        product_line=power,
        unit_cost=Decimal("900.00"),
        list_price=Decimal("1500.00"),
    )
    fibre_product = Product.objects.create(
        sku="FIB-1G",
        name="Dedicated fibre 1 Gbps",
        product_line=fibre,
        billing_code=code,
        unit_cost=Decimal("300.00"),
        list_price=Decimal("1200.00"),
        is_recurring=True,
    )
    return World(
        territory_east=east,
        territory_west=west,
        manager=manager,
        rep_east=rep_east,
        rep_west=rep_west,
        distributor=distributor,
        other_distributor=other,
        customer_east=customer_east,
        customer_east_child=child,
        customer_west=customer_west,
        product_ups=ups,
        product_fibre=fibre_product,
        users=users,
    )


@dataclass
class Ledger:
    """Orders, invoices and payments by number; `today` is the day the ledger was built."""

    today: dt.date
    orders: dict[str, Order]
    invoices: dict[str, Invoice]
    payments: dict[str, Payment]


def _order(number, customer, *, booked, lines, status=OrderStatus.SUBMITTED, distributor=None):
    """An order in the customer's currency, sold by the customer's rep; lines are
    (product, quantity, unit price, term in months or None)."""
    order = Order.objects.create(
        number=number,
        customer=customer,
        sales_rep=customer.sales_rep,
        distributor=distributor,
        channel=OrderChannel.DISTRIBUTOR if distributor else OrderChannel.DIRECT,
        booked_on=booked,
        currency=customer.currency,
        status=status,
    )
    for line_number, (product, quantity, unit_price, term) in enumerate(lines, start=1):
        OrderLine.objects.create(
            order=order,
            line_number=line_number,
            product=product,
            quantity=Decimal(quantity),
            unit_price=Decimal(unit_price),
            amount=Decimal(quantity) * Decimal(unit_price),
            term_months=term,
        )
    return order


def _invoice(
    number, customer, *, issued, due, amount, balance, order=None, status=InvoiceStatus.OPEN, po=""
):
    return Invoice.objects.create(
        number=number,
        customer=customer,
        order=order,
        issued_on=issued,
        due_on=due,
        currency=customer.currency,
        amount=Decimal(amount),
        balance=Decimal(balance),
        status=status,
        po_number=po,
    )


def _payment(number, customer, *, received, amount, currency="USD", reference=""):
    return Payment.objects.create(
        number=number,
        customer=customer,
        received_on=received,
        currency=currency,
        amount=Decimal(amount),
        reference=reference,
    )


def ledger_build(world: World) -> Ledger:
    """Two sets of documents on the world's customers, and a CAD->USD rate of 0.73.

    This year's, dated around today (home figures, overdue days, lists):
      INV-1 (C-1000) 1000.00 due 40 days ago, PO-77; INV-2 (C-1000) 2500.50 due in 10 days;
      INV-3 (C-1000) 500.00 paid by RCPT-1 (650.00); INV-4 (C-1001) 300.25 due 5 days ago;
      INV-5 (C-2000) 2000.00 CAD due 10 days ago. Orders SO-1..SO-4 booked today, SO-3
      cancelled, SO-4 sold through D01.
    Last year's, on fixed dates in 2025 (so never in this month's or year's figures, and
    every open invoice of it overdue):
      orders O-1..O-4 (O-3 through D01, O-4 through D02); INV-6 (C-1000) 4200.00, PAY-1
      3500.00 applied 3000.00 to it -> balance 1200.00; INV-7 (C-2000) 1350.50 CAD;
      INV-8 (C-1001, sold through D01) 5600.00, credit memo CM-1 100.00 -> balance 5500.00.
      PAY-3 has no customer yet (unidentified cash): only people who see everything see it.
    """
    w = world
    today = timezone.localdate()
    day = dt.timedelta(days=1)
    east, child, west = w.customer_east, w.customer_east_child, w.customer_west
    ups, fibre = w.product_ups, w.product_fibre
    FxRate.objects.create(
        currency="CAD", quote_currency="USD", valid_on=dt.date(2020, 1, 1), rate=Decimal("0.73")
    )
    # this year's -------------------------------------------------------------------------
    invoices = {
        "INV-1": _invoice(
            "INV-1",
            east,
            issued=today - 70 * day,
            due=today - 40 * day,
            amount="1000.00",
            balance="1000.00",
            po="PO-77",
        ),
        "INV-2": _invoice(
            "INV-2",
            east,
            issued=today - 20 * day,
            due=today + 10 * day,
            amount="2500.50",
            balance="2500.50",
        ),
        "INV-3": _invoice(
            "INV-3",
            east,
            issued=today - 90 * day,
            due=today - 60 * day,
            amount="500.00",
            balance="0.00",
            status=InvoiceStatus.PAID,
        ),
        "INV-4": _invoice(
            "INV-4",
            child,
            issued=today - 35 * day,
            due=today - 5 * day,
            amount="300.25",
            balance="300.25",
        ),
        "INV-5": _invoice(
            "INV-5",
            west,
            issued=today - 55 * day,
            due=today - 10 * day,
            amount="2000.00",
            balance="2000.00",
        ),
    }
    payments = {
        "RCPT-1": _payment(
            "RCPT-1", east, received=today - 50 * day, amount="650.00", reference="INV-3 and more"
        )
    }
    PaymentApplication.objects.create(
        payment=payments["RCPT-1"],
        invoice=invoices["INV-3"],
        amount=Decimal("500.00"),
        applied_on=today - 50 * day,
    )
    orders = {
        "SO-1": _order("SO-1", east, booked=today, lines=[(ups, "2", "1500.00", None)]),
        "SO-2": _order("SO-2", west, booked=today, lines=[(fibre, "1", "1200.00", None)]),
        "SO-3": _order(
            "SO-3",
            east,
            booked=today,
            lines=[(ups, "1", "1500.00", None)],
            status=OrderStatus.CANCELLED,
        ),
        "SO-4": _order(
            "SO-4",
            child,
            booked=today,
            lines=[(fibre, "3", "1100.10", None)],
            distributor=w.distributor,
        ),
    }
    # last year's -------------------------------------------------------------------------
    orders |= {
        "O-1": _order(
            "O-1",
            east,
            booked=dt.date(2025, 9, 15),
            lines=[(ups, "2", "1500.00", None), (fibre, "1", "1200.00", 36)],
        ),
        "O-2": _order(
            "O-2", west, booked=dt.date(2025, 9, 15), lines=[(fibre, "1", "1350.50", 24)]
        ),
        "O-3": _order(
            "O-3",
            child,
            booked=dt.date(2025, 10, 20),
            lines=[(ups, "4", "1400.00", None)],
            distributor=w.distributor,
        ),
        "O-4": _order(
            "O-4",
            west,
            booked=dt.date(2025, 9, 15),
            lines=[(ups, "1", "1600.00", None)],
            distributor=w.other_distributor,
        ),
    }
    issued = dt.date(2025, 10, 1)
    invoices |= {
        "INV-6": _invoice(
            "INV-6",
            east,
            order=orders["O-1"],
            issued=issued,
            due=dt.date(2025, 10, 31),
            amount="4200.00",
            balance="1200.00",
        ),
        "INV-7": _invoice(
            "INV-7",
            west,
            order=orders["O-2"],
            issued=issued,
            due=dt.date(2025, 11, 15),
            amount="1350.50",
            balance="1350.50",
        ),
        "INV-8": _invoice(
            "INV-8",
            child,
            order=orders["O-3"],
            issued=issued,
            due=dt.date(2025, 12, 31),
            amount="5600.00",
            balance="5500.00",
        ),
    }
    CreditMemo.objects.create(
        number="CM-1",
        customer=child,
        invoice=invoices["INV-8"],
        issued_on=dt.date(2025, 10, 25),
        currency="USD",
        amount=Decimal("100.00"),
        reason="Damaged unit",
    )
    payments |= {
        "PAY-1": _payment(
            "PAY-1",
            east,
            received=dt.date(2025, 10, 28),
            amount="3500.00",
            reference="ACME INV-6",
        ),
        "PAY-2": _payment(
            "PAY-2", west, received=dt.date(2025, 11, 2), amount="1000.00", currency="CAD"
        ),
        "PAY-3": _payment(
            "PAY-3",
            None,
            received=dt.date(2025, 11, 3),
            amount="77.70",
            reference="UNKNOWN REMITTER",
        ),
    }
    PaymentApplication.objects.create(
        payment=payments["PAY-1"],
        invoice=invoices["INV-6"],
        amount=Decimal("3000.00"),
        applied_on=dt.date(2025, 10, 29),
    )
    return Ledger(today=today, orders=orders, invoices=invoices, payments=payments)


def teams_build(world: World) -> dict[str, object]:
    """Case teams on the world: the collectors in collections (lead as senior, leader as
    leader), the analyst in commissions, ops in order management. Returns teams by code."""
    from revdesk.cases.choices import MemberLevel
    from revdesk.cases.models import Team, TeamMembership

    users = world.users
    teams = {team.code: team for team in Team.objects.all()}
    for team_code, username, level in (
        ("collections", "collector", MemberLevel.MEMBER),
        ("collections", "collector2", MemberLevel.MEMBER),
        ("collections", "lead", MemberLevel.SENIOR),
        ("collections", "leader", MemberLevel.LEADER),
        ("cash_application", "collector2", MemberLevel.MEMBER),
        ("cash_application", "lead", MemberLevel.SENIOR),
        ("commissions", "analyst", MemberLevel.MEMBER),
        ("commissions", "leader", MemberLevel.LEADER),
        ("order_management", "ops", MemberLevel.MEMBER),
        ("order_management", "leader", MemberLevel.LEADER),
    ):
        TeamMembership.objects.create(team=teams[team_code], user=users[username], level=level)
    return teams
