"""restrict(): every role x every registered model, deny by default, superuser, union of roles."""

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser

from revdesk.catalog.models import (
    BillingCode,
    FxRate,
    PriceList,
    PriceListItem,
    Product,
    ProductLine,
)
from revdesk.foundation import scoping
from revdesk.foundation.scoping import may_see, restrict
from revdesk.orders.models import Order, OrderLine
from revdesk.parties.choices import Role
from revdesk.parties.models import (
    BillingContact,
    Customer,
    Distributor,
    Payee,
    PlanAssignment,
    Territory,
    TerritoryAssignment,
    UserProfile,
)
from revdesk.parties.services import user_create
from revdesk.receivables.models import CreditMemo, Invoice, Payment, PaymentApplication
from revdesk.testing import ROLES

SEE_ALL = ("admin", "ops", "analyst", "leader")


def _for(mapping):
    """Expand {role or group of roles: rows} to one entry per role; unnamed roles see nothing."""
    expanded = {role: [] for role in ROLES}
    for roles, rows in mapping.items():
        for role in roles if isinstance(roles, tuple) else (roles,):
            expanded[role] = sorted(rows)
    return expanded


EAST = ("lead", "collector", "rep")
WEST = ("collector2", "rep_west")

EXPECTED = {
    Customer: _for(
        {
            (*SEE_ALL, "manager"): ["C-1000", "C-1001", "C-2000"],
            EAST: ["C-1000", "C-1001"],
            WEST: ["C-2000"],
        }
    ),
    Payee: _for(
        {
            (*SEE_ALL, "manager"): ["E100", "E101", "E102"],
            "rep": ["E101"],
            "rep_west": ["E102"],
        }
    ),
    Distributor: _for({SEE_ALL: ["D01", "D02"], "distributor": ["D01"]}),
    Order: _for(
        {
            (*SEE_ALL, "manager"): ["O-1", "O-2", "O-3", "O-4", "SO-1", "SO-2", "SO-3", "SO-4"],
            EAST: ["O-1", "O-3", "SO-1", "SO-3", "SO-4"],
            WEST: ["O-2", "O-4", "SO-2"],
            "distributor": ["O-3", "SO-4"],
        }
    ),
    OrderLine: _for(
        {
            (*SEE_ALL, "manager"): [
                *("O-1/1", "O-1/2", "O-2/1", "O-3/1", "O-4/1"),
                *("SO-1/1", "SO-2/1", "SO-3/1", "SO-4/1"),
            ],
            EAST: ["O-1/1", "O-1/2", "O-3/1", "SO-1/1", "SO-3/1", "SO-4/1"],
            WEST: ["O-2/1", "O-4/1", "SO-2/1"],
            "distributor": ["O-3/1", "SO-4/1"],
        }
    ),
    Invoice: _for(
        {
            (*SEE_ALL, "manager"): [f"INV-{n}" for n in range(1, 9)],
            EAST: ["INV-1", "INV-2", "INV-3", "INV-4", "INV-6", "INV-8"],
            WEST: ["INV-5", "INV-7"],
            "distributor": ["INV-8"],
        }
    ),
    CreditMemo: _for({(*SEE_ALL, "manager", *EAST, "distributor"): ["CM-1"]}),
    Payment: _for(
        {
            SEE_ALL: ["PAY-1", "PAY-2", "PAY-3", "RCPT-1"],
            "manager": ["PAY-1", "PAY-2", "RCPT-1"],
            EAST: ["PAY-1", "RCPT-1"],
            WEST: ["PAY-2"],
        }
    ),
    PaymentApplication: _for(
        {(*SEE_ALL, "manager", *EAST): ["PAY-1 → INV-6: 3000.00", "RCPT-1 → INV-3: 500.00"]}
    ),
}

PUBLIC = (Territory, ProductLine, Product, BillingCode, PriceList, PriceListItem, FxRate)


def _key(row):
    """Parties by code; everything else by its text (an order number, "O-1/2", ...)."""
    return getattr(row, "code", None) or str(row)


def _seen(model, user):
    return sorted(_key(row) for row in restrict(model.objects.all(), user))


@pytest.mark.parametrize("model", list(EXPECTED), ids=lambda m: m.__name__)
def test_every_role_sees_exactly_its_rows(model, ledger, world):
    seen = {role: _seen(model, world.users[role]) for role in ROLES}
    assert seen == EXPECTED[model]


def test_public_reference_data_is_visible_to_every_signed_in_role(ledger, world):
    prices = PriceList.objects.create(
        code="PL-US", name="US list", currency="USD", valid_from=dt.date(2026, 1, 1)
    )
    PriceListItem.objects.create(
        price_list=prices, product=world.product_ups, unit_price=Decimal("1450.00")
    )
    FxRate.objects.create(
        currency="CAD", quote_currency="USD", valid_on=dt.date(2026, 1, 1), rate=Decimal("0.73")
    )
    for model in PUBLIC:
        everything = sorted(_key(row) for row in model.objects.all())
        for role in ROLES:
            assert _seen(model, world.users[role]) == everything, (model.__name__, role)
    assert _seen(Territory, world.users["distributor"]) == ["US-EAST", "US-WEST"]


def test_nobody_signed_out_sees_anything(ledger):
    for model in (*EXPECTED, *PUBLIC):
        assert _seen(model, AnonymousUser()) == [], model.__name__
        assert _seen(model, None) == [], model.__name__


UNREGISTERED = (UserProfile, BillingContact, TerritoryAssignment, PlanAssignment)


def test_models_without_a_rule_are_denied_by_default(ledger, world):
    for model in UNREGISTERED:
        assert model not in scoping._rules
        assert model not in scoping._public
    for role in ROLES:
        seen = {m.__name__: _seen(m, world.users[role]) for m in UNREGISTERED}
        if role in SEE_ALL:
            assert len(seen["UserProfile"]) == 11, role
        else:
            assert seen == {m.__name__: [] for m in UNREGISTERED}, role


def test_every_revdesk_model_without_a_rule_is_empty_for_a_collector(world):
    collector = world.users["collector"]
    for model in apps.get_models():
        if not model.__module__.startswith("revdesk.") or model._meta.abstract:
            continue
        restricted = restrict(model.objects.all(), collector)
        if model in scoping._rules or model in scoping._public:
            assert not restricted.query.is_empty(), model.__name__
        else:
            assert restricted.query.is_empty(), model.__name__


def test_a_superuser_without_roles_sees_everything(ledger, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    for model in (*EXPECTED, *UNREGISTERED):
        assert _seen(model, root) == sorted(_key(row) for row in model.objects.all())


def test_several_roles_see_the_union(ledger, world):
    both = user_create(
        username="both",
        password="x",
        roles=[Role.COLLECTOR, Role.DISTRIBUTOR_USER],
        distributor=world.distributor,
    )
    Customer.objects.filter(code="C-2000").update(collector=both)
    assert _seen(Customer, both) == ["C-2000"]
    # O-2, O-4, SO-2 by portfolio; O-3, SO-4 by D01
    assert _seen(Order, both) == ["O-2", "O-3", "O-4", "SO-2", "SO-4"]
    assert _seen(Distributor, both) == ["D01"]
    assert _seen(Invoice, both) == ["INV-5", "INV-7", "INV-8"]


def test_may_see_answers_for_one_object(ledger, world):
    assert may_see(world.users["collector"], world.customer_east) is True
    assert may_see(world.users["collector2"], world.customer_east) is False
    assert may_see(world.users["distributor"], ledger.orders["O-3"]) is True
    assert may_see(world.users["distributor"], ledger.orders["O-4"]) is False
