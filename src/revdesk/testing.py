"""Small, explicit builders for tests: a sales organisation with one of every party."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from revdesk.catalog.models import BillingCode, Product, ProductLine
from revdesk.parties.choices import PayeeKind, Role, Segment
from revdesk.parties.models import Customer, Distributor, Payee, Territory
from revdesk.parties.services import user_create

PASSWORD = "correct-horse-battery-staple"


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


TODAY = dt.date(2026, 11, 30)
