"""Build the demo company: one seeded, consistent year of a manufacturer's back office.

`company_build(seed=..., scale=...)` writes, in one transaction, the catalogue and FX rates, the
sales organisation (territories, payees, reporting lines, territory and plan assignments),
distributors, customers with hierarchies, a year of orders, invoices, credit memos and payments,
and one login per role. Everything random comes from `random.Random` and Faker seeded from the
seed and the stage name, and every date is counted from the day the company is built for
(`as_of`, the demo's "today": data.DemoCalendar), so the same seed and the same as-of date give
the same rows (only the created_at timestamps and database ids differ).

It is system-generated data, not a person's change, so it is written with bulk_create and no
change records. Money is Decimal throughout; invoice balances are amount − applications −
credit memos, and `receivables.services.invoice_balances_refresh` confirms them at the end.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from faker import Faker

from revdesk.catalog.models import (
    BillingCode,
    FxRate,
    PriceList,
    PriceListItem,
    Product,
    ProductLine,
)
from revdesk.engine.money import ZERO, round_money
from revdesk.foundation.audit import change_record_create
from revdesk.foundation.context import acting_as
from revdesk.foundation.models import ChangeAction
from revdesk.orders.choices import OrderChannel, OrderStatus, OrderType
from revdesk.orders.models import Order, OrderLine
from revdesk.parties.choices import PayeeKind, Role, Segment, TerritoryRole
from revdesk.parties.models import (
    BillingContact,
    Customer,
    Distributor,
    Payee,
    PlanAssignment,
    Territory,
    TerritoryAssignment,
)
from revdesk.parties.services import user_create
from revdesk.receivables.choices import InvoiceStatus, PaymentMethod
from revdesk.receivables.models import CreditMemo, Invoice, Payment, PaymentApplication
from revdesk.receivables.services import invoice_balances_refresh

from . import data

BASE_CUSTOMERS = 500
DEFAULT_SEED = 2026
HUNDRED = Decimal(100)

COLLECTOR_USERNAMES = ("collector", "collector2", "lead")
OTHER_ROLE_USERNAMES = ("admin", "ops", "analyst", "leader", "manager", "rep", "distributor")
EXTRA_COLLECTORS = 5


class Reporter(Protocol):
    """Told about each stage and its progress (the CLI shows a progress bar)."""

    def stage(self, name: str, total: int) -> None: ...

    def advance(self, steps: int = 1) -> None: ...


class _Silent:
    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass


@dataclass
class DemoSummary:
    seed: int
    as_of: dt.date
    scale: float
    customers: int
    counts: dict[str, int]
    seconds: float
    users: dict[str, str] = field(default_factory=dict)  # username -> role label


# --- small helpers ---------------------------------------------------------------------------


add_months = data.add_months


def month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    months, day = [], dt.date(first.year, first.month, 1)
    while day <= last:
        months.append(day)
        day = add_months(day, 1)
    return months


def _weekday(day: dt.date, latest: dt.date | None = None) -> dt.date:
    """Move a weekend day to Monday (or back to Friday if Monday is after `latest`)."""
    if day.weekday() < 5:
        return day
    monday = day + dt.timedelta(days=7 - day.weekday())
    if latest is not None and monday > latest:
        return day - dt.timedelta(days=day.weekday() - 4)
    return monday


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _slug(text: str) -> str:
    cleaned = "".join(ch if ch.isalnum() else "-" for ch in _ascii(text).lower())
    return "-".join(part for part in cleaned.split("-") if part)


def _pct(rng: random.Random, low: str, high: str) -> Decimal:
    """A random fraction between low and high, in thousandths (never a float)."""
    return Decimal(rng.randint(int(Decimal(low) * 1000), int(Decimal(high) * 1000))) / 1000


# --- in-memory plans ------------------------------------------------------------------------


@dataclass
class _Rep:
    payee: Payee
    territory: str
    region: str
    moves_to: str | None = None


@dataclass
class _Account:
    """A customer and how it behaves (the behaviour is not stored: it shows in the data)."""

    customer: Customer
    region: str
    locale: str
    tax_rate: Decimal
    profile: str  # prompt, late, chronic, short
    batch_weekday: int | None  # pays on a weekly run day, one payment for several invoices
    method: str
    distributor: Distributor | None
    rep_timeline: list[tuple[dt.date, Payee]]
    parent: _Account | None = None
    central_payer: bool = False  # a key-account parent that pays its children's invoices

    def rep_on(self, day: dt.date) -> Payee:
        current = self.rep_timeline[0][1]
        for start, payee in self.rep_timeline:
            if start <= day:
                current = payee
        return current


@dataclass
class _Bill:
    invoice: Invoice
    account: _Account
    is_service: bool
    credits: Decimal = ZERO
    credit_day: dt.date | None = None
    applied: Decimal = ZERO


# --- the builder ----------------------------------------------------------------------------


class _Company:
    def __init__(self, *, seed: int, as_of: dt.date, customers: int, reporter: Reporter) -> None:
        self.seed = seed
        self.calendar = data.DemoCalendar(as_of)
        self.today = as_of
        self.customer_count = customers
        self.reporter = reporter
        self._fakers: dict[str, Faker] = {}
        self.months = month_starts(self.calendar.window_start, self.today)

    def rng(self, stage: str) -> random.Random:
        return random.Random(f"revdesk-demo:{self.seed}:{stage}")

    def faker(self, locale: str) -> Faker:
        if locale not in self._fakers:
            fake = Faker(locale)
            fake.seed_instance(f"revdesk-demo:{self.seed}:{locale}")
            self._fakers[locale] = fake
        return self._fakers[locale]

    def _person(self, locale: str) -> tuple[str, str]:
        fake = self.faker(locale)
        return fake.first_name(), fake.last_name()

    # -- reference data ------------------------------------------------------------------------

    def reference(self) -> None:
        rng = self.rng("reference")
        self.reporter.stage("Products, price lists and FX rates", len(data.PRODUCTS))
        rates: list[FxRate] = []
        self.fx: dict[tuple[str, dt.date], Decimal] = {}
        for currency, start in data.FX_START.items():
            rate = Decimal(start)
            for month in self.months:
                rates.append(
                    FxRate(currency=currency, quote_currency="USD", valid_on=month, rate=rate)
                )
                self.fx[currency, month] = rate
                step = Decimal(rng.randint(-140, 140)) / Decimal(10000)
                rate = (rate * (1 + step)).quantize(Decimal("0.000001"))
        FxRate.objects.bulk_create(rates)

        lines = ProductLine.objects.bulk_create(
            [ProductLine(code=c, name=n, kind=k) for c, n, k in data.PRODUCT_LINES]
        )
        self.product_lines = {line.code: line for line in lines}
        codes = BillingCode.objects.bulk_create(
            [
                BillingCode(
                    code=c,
                    description=d,
                    is_recurring=r,
                    revenue_account=account,
                    tax_category=tax,
                )
                for c, d, r, account, tax in data.BILLING_CODES
            ]
        )
        self.billing_codes = {code.code: code for code in codes}
        recurring = {c for c, _, r, _, _ in data.BILLING_CODES if r}
        products = Product.objects.bulk_create(
            [
                Product(
                    sku=spec.sku,
                    name=spec.name,
                    product_line=self.product_lines[spec.line],
                    billing_code=self.billing_codes[spec.billing_code],
                    currency="USD",
                    unit_cost=Decimal(spec.unit_cost),
                    list_price=Decimal(spec.list_price),
                    is_recurring=spec.billing_code in recurring,
                )
                for spec in data.PRODUCTS
            ]
        )
        self.products = {product.sku: product for product in products}
        self.specs = {spec.sku: spec for spec in data.PRODUCTS}
        self.reporter.advance(len(products))

        # One list price per currency, converted at December's rate and rounded up to 5 units.
        self.prices: dict[tuple[str, str], Decimal] = {}
        price_lists, items = [], []
        for currency in ("USD", "CAD", "EUR", "GBP"):
            price_list = PriceList(
                code=f"LIST-{currency}-{self.today.year}",
                name=f"{currency} list prices {self.today.year}",
                currency=currency,
                valid_from=self.calendar.window_start,
            )
            price_lists.append(price_list)
            for spec in data.PRODUCTS:
                usd = Decimal(spec.list_price)
                if currency == "USD":
                    price = usd
                else:
                    local = usd / self.fx[currency, self.calendar.window_start]
                    price = ((local / 5).to_integral_value(rounding="ROUND_CEILING") * 5).quantize(
                        Decimal("0.01")
                    )
                self.prices[currency, spec.sku] = price
                items.append((price_list, spec.sku, price))
        PriceList.objects.bulk_create(price_lists)
        PriceListItem.objects.bulk_create(
            [
                PriceListItem(price_list=pl, product=self.products[sku], unit_price=price)
                for pl, sku, price in items
            ]
        )
        self.price_lists = {price_list.currency: price_list for price_list in price_lists}

        self.hardware_by_line: dict[str, dict[str, list[str]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for spec in data.PRODUCTS:
            if spec.tier != "-":
                self.hardware_by_line[spec.line][spec.tier].append(spec.sku)
        self.service_skus = [
            s.sku for s in data.PRODUCTS if s.tier == "-" and s.billing_code != "NRC-INSTALL"
        ]

    # -- sales organisation --------------------------------------------------------------------

    def organisation(self) -> None:
        rng = self.rng("organisation")
        total_reps = sum(n for *_, ts in data.REGIONS for *_, n in ts)
        people = 1 + len(data.REGIONS) + 1 + total_reps + len(data.SERVICE_SPECIALISTS)
        self.reporter.stage(
            "Sales people, distributors, collectors",
            people + len(data.DISTRIBUTORS) + len(COLLECTOR_USERNAMES) + EXTRA_COLLECTORS,
        )
        regions, territories = [], []
        for code, name, _, _ in data.REGIONS:
            regions.append(Territory(code=code, name=name))
        Territory.objects.bulk_create(regions)
        self.territories = {t.code: t for t in regions}
        for (_, _, _, terrs), region in zip(data.REGIONS, regions, strict=True):
            for code, name, _, _ in terrs:
                territories.append(Territory(code=code, name=name, parent=region))
        Territory.objects.bulk_create(territories)
        self.territories.update({t.code: t for t in territories})
        self.region_of = {t.code: t.parent.code for t in territories}
        self.territories_by_country: dict[str, list[str]] = defaultdict(list)
        for _, _, _, terrs in data.REGIONS:
            for code, _, countries, _ in terrs:
                for country in countries:
                    self.territories_by_country[country].append(code)

        number = iter(range(1001, 10000))
        payees: list[Payee] = []

        def payee(locale: str, kind: str, manager: Payee | None) -> Payee:
            first, last = self._person(locale)
            hired = self.calendar.window_start - dt.timedelta(days=rng.randint(400, 5000))
            person = Payee(
                code=f"E{next(number)}",
                name=f"{first} {last}",
                email=f"{_slug(first)}.{_slug(last)}@{data.EMAIL_DOMAIN}",
                kind=kind,
                manager=manager,
                currency="USD",
                hired_on=hired,
            )
            payees.append(person)
            self.reporter.advance()
            return person

        director = payee("en_US", PayeeKind.DIRECTOR, None)
        Payee.objects.bulk_create([director])
        self.managers: dict[str, Payee] = {}
        for code, _, locale, _ in data.REGIONS:
            self.managers[code] = payee(locale, PayeeKind.MANAGER, director)
        services_manager = payee("en_US", PayeeKind.MANAGER, director)
        Payee.objects.bulk_create([*self.managers.values(), services_manager])

        self.reps: list[_Rep] = []
        moves = {(old, position): new for old, new, position in data.TERRITORY_MOVES}
        for region, _, _, terrs in data.REGIONS:
            for code, _, countries, count in terrs:
                rep_locale = data.COUNTRY_LOCALE[countries[0]]
                for position in range(1, count + 1):
                    person = payee(rep_locale, PayeeKind.SALES_REP, self.managers[region])
                    rep = _Rep(person, code, region, moves.get((code, position)))
                    if rep.moves_to:
                        # Their manager is the one of the region they move to.
                        person.manager = self.managers[self.region_of[rep.moves_to]]
                    self.reps.append(rep)
        self.specialists: dict[str, Payee] = {}
        for region, locale in data.SERVICE_SPECIALISTS:
            self.specialists[region] = payee(locale, PayeeKind.SALES_REP, services_manager)
        Payee.objects.bulk_create([r.payee for r in self.reps] + list(self.specialists.values()))
        self.payees = payees

        first_plan_day = self.calendar.plan_years[0][1]
        assignments: list[TerritoryAssignment] = []
        for region, manager in self.managers.items():
            assignments.append(
                TerritoryAssignment(
                    payee=manager, territory=self.territories[region], valid_from=first_plan_day
                )
            )
        for rep in self.reps:
            if rep.moves_to:
                assignments.append(
                    TerritoryAssignment(
                        payee=rep.payee,
                        territory=self.territories[rep.territory],
                        valid_from=first_plan_day,
                        valid_to=self.calendar.move_date - dt.timedelta(days=1),
                    )
                )
                assignments.append(
                    TerritoryAssignment(
                        payee=rep.payee,
                        territory=self.territories[rep.moves_to],
                        valid_from=self.calendar.move_date,
                    )
                )
            else:
                assignments.append(
                    TerritoryAssignment(
                        payee=rep.payee,
                        territory=self.territories[rep.territory],
                        valid_from=first_plan_day,
                    )
                )
        for region, specialist in self.specialists.items():
            assignments.append(
                TerritoryAssignment(
                    payee=specialist,
                    territory=self.territories[region],
                    role=TerritoryRole.OVERLAY,
                    valid_from=first_plan_day,
                )
            )
        TerritoryAssignment.objects.bulk_create(assignments)

        plans: list[PlanAssignment] = []
        specialist_ids = {p.pk for p in self.specialists.values()}
        for person in payees:
            for year, start, end in self.calendar.plan_years:
                if person.kind == PayeeKind.DIRECTOR:
                    plan = f"DIR-{year}"
                elif person.kind == PayeeKind.MANAGER:
                    plan = f"MGR-{year}"
                elif person.pk in specialist_ids:
                    plan = f"REP-{year}-SVC"
                else:
                    plan = f"REP-{year}-HW"
                plans.append(
                    PlanAssignment(payee=person, plan_code=plan, valid_from=start, valid_to=end)
                )
        PlanAssignment.objects.bulk_create(plans)

        self.distributors = Distributor.objects.bulk_create(
            [
                Distributor(
                    code=code,
                    name=name,
                    country=country,
                    currency=data.COUNTRY_CURRENCY[country],
                    email=f"orders@{_slug(name)[:40]}.example",
                )
                for code, name, country, _ in data.DISTRIBUTORS
            ]
        )
        self.distributor_weight = {code: w for code, _, _, w in data.DISTRIBUTORS}
        self.reporter.advance(len(self.distributors))

        # Collectors exist before customers: each customer names its collector.
        self.password_hash = make_password(data.DEMO_PASSWORD)
        self.users: dict[str, object] = {}
        self.user_roles: dict[str, str] = {}
        lead = self._user("lead", [Role.SENIOR_COLLECTOR], "en_US")
        self.collectors = [
            self._user("collector", [Role.COLLECTOR], "en_US", team_lead=lead),
            self._user("collector2", [Role.COLLECTOR], "en_US", team_lead=lead),
            lead,
        ]
        for _ in range(EXTRA_COLLECTORS):
            first, last = self._person("en_US")
            username = _slug(first[0] + last).replace("-", "")
            while username in self.users:
                username += "x"
            self.collectors.append(
                self._user(username, [Role.COLLECTOR], "en_US", team_lead=lead, name=(first, last))
            )

    def _user(self, username, roles, locale, *, name=None, **links):
        first, last = name or self._person(locale)
        # No per-user hashing (PBKDF2 costs ~0.3 s each): the shared hash is set below.
        user = user_create(
            username=username,
            password=None,
            roles=roles,
            first_name=first,
            last_name=last,
            email=f"{username}@{data.EMAIL_DOMAIN}",
            **links,
        )
        user.password = self.password_hash
        user.save(update_fields=["password"])
        self.users[username] = user
        self.user_roles[username] = ", ".join(Role(r).label for r in roles)
        self.reporter.advance()
        return user

    # -- customers -----------------------------------------------------------------------------

    def customers(self) -> None:
        rng = self.rng("customers")
        n = self.customer_count
        self.reporter.stage("Customers and contacts", n)
        families: list[int] = []  # children per family; key accounts first
        remaining = n
        key_accounts = max(1, round(n * 0.05))
        for _ in range(key_accounts):
            if remaining < 3:
                break
            children = min(rng.randint(2, 8), remaining - 1)
            families.append(children)
            remaining -= children + 1
        families.extend([0] * remaining)

        countries = list(data.COUNTRY_WEIGHTS)
        weights = list(data.COUNTRY_WEIGHTS.values())
        segments = list(data.SEGMENT_WEIGHTS)
        segment_weights = list(data.SEGMENT_WEIGHTS.values())
        distributors_by_country: dict[str, list[Distributor]] = defaultdict(list)
        for distributor in self.distributors:
            distributors_by_country[distributor.country].append(distributor)
        distributors_by_currency: dict[str, list[Distributor]] = defaultdict(list)
        for distributor in self.distributors:
            distributors_by_currency[distributor.currency].append(distributor)

        self.accounts: list[_Account] = []
        number = iter(range(10001, 10_000_000))
        reps_by_territory: dict[str, list[_Rep]] = defaultdict(list)
        for rep in self.reps:
            reps_by_territory[rep.territory].append(rep)

        def rep_timeline(territory: str) -> list[tuple[dt.date, Payee]]:
            owners = reps_by_territory[territory]
            first = rng.choice(owners)
            timeline = [(self.calendar.window_start, first.payee)]
            if first.moves_to:  # handed over to a colleague who stays
                stayers = [r for r in owners if not r.moves_to] or owners
                timeline.append((self.calendar.move_date, rng.choice(stayers).payee))
            else:
                newcomers = [r for r in self.reps if r.moves_to == territory]
                if newcomers and rng.random() < 1 / (len(owners) + 1):
                    timeline.append((self.calendar.move_date, newcomers[0].payee))
            return timeline

        taken: dict[int, set[str]] = defaultdict(set)  # branch names used in each family

        def account(
            parent: _Account | None, base: str, country: str, segment: str, key: bool
        ) -> _Account:
            locale = data.COUNTRY_LOCALE[country]
            currency = data.COUNTRY_CURRENCY[country]
            territory = rng.choice(self.territories_by_country[country])
            if parent is None:
                suffix = rng.choice(data.CUSTOMER_SUFFIXES[segment])
                legal = "" if segment == Segment.PUBLIC_SECTOR else _legal_suffix(rng, country)
                name = f"{base} {suffix}{legal}"
            else:
                name = f"{parent.customer.name} – {_branch(rng, country, taken[id(parent)])}"
            terms = rng.choice(
                (45, 60, 60, 30) if segment == "enterprise" else (30, 30, 30, 45, 60)
            )
            low, high = data.SEGMENT_CREDIT_LIMIT[segment]
            needs_po = rng.random() < (0.7 if key else 0.25)
            portal = rng.random() < (0.4 if key else 0.08)
            customer = Customer(
                code=f"C{next(number)}",
                name=name[:200],
                parent=parent.customer if parent else None,
                country=country,
                currency=currency,
                payment_terms_days=terms,
                credit_limit=Decimal(rng.randint(low, high) * 1000),
                segment=segment,
                territory=self.territories[territory],
                is_key_account=key,
                requires_po=needs_po,
                requires_proof_of_delivery=rng.random() < (0.4 if key else 0.1),
                requires_portal_upload=portal,
                portal_name=rng.choice(data.PORTALS) if portal else "",
            )
            profile = rng.choices(
                ("prompt", "late", "chronic", "short"),
                weights=(40, 35, 12, 13) if key else (58, 24, 9, 9),
            )[0]
            distributor = None
            if rng.random() < 0.45 and segment != "carrier":
                pool = distributors_by_country.get(country) or distributors_by_currency[currency]
                distributor = rng.choices(
                    pool, weights=[self.distributor_weight[d.code] for d in pool]
                )[0]
            method_pool = (
                ("ach", "ach", "check", "wire", "card")
                if country == "US"
                else ("wire", "wire", "ach", "ach", "check")
            )
            result = _Account(
                customer=customer,
                region=self.region_of[territory],
                locale=locale,
                tax_rate=Decimal(rng.choice(data.TAX_RATES[country])),
                profile=profile,
                batch_weekday=rng.choice((1, 3, 4))
                if rng.random() < (0.7 if key else 0.2)
                else None,
                method=method_pool[rng.randint(0, 4)],
                distributor=distributor,
                rep_timeline=rep_timeline(territory),
                parent=parent,
                central_payer=key and rng.random() < 0.5,
            )
            if segment == Segment.PUBLIC_SECTOR:
                result.tax_rate = ZERO if country == "US" else result.tax_rate
            customer.sales_rep = result.rep_timeline[-1][1]
            self.accounts.append(result)
            self.reporter.advance()
            return result

        for children in families:
            country = rng.choices(countries, weights=weights)[0]
            if children:
                segment = rng.choices(
                    ("enterprise", "carrier", "public_sector"), weights=(70, 15, 15)
                )[0]
            else:
                segment = rng.choices(segments, weights=segment_weights)[0]
            base = self.faker(data.COUNTRY_LOCALE[country]).last_name()
            parent = account(None, base, country, segment, key=children > 0)
            for _ in range(children):
                child_country = country
                if rng.random() < 0.2:
                    child_country = rng.choices(countries, weights=weights)[0]
                account(parent, base, child_country, segment, key=False)

        # Collectors: whole families, key accounts dealt first so everyone has some.
        loads = {user.pk: 0 for user in self.collectors}
        by_pk = {user.pk: user for user in self.collectors}
        family_heads = [a for a in self.accounts if a.parent is None]
        members: dict[int, list[_Account]] = defaultdict(list)
        for acc in self.accounts:
            members[id(acc.parent or acc)].append(acc)
        keyed = [a for a in family_heads if a.customer.is_key_account]
        plain = [a for a in family_heads if not a.customer.is_key_account]
        for position, head in enumerate(keyed + plain):
            if position < len(self.collectors):
                collector = self.collectors[position]
            else:
                collector = by_pk[min(loads, key=lambda pk: (loads[pk], pk))]
            for acc in members[id(head)]:
                acc.customer.collector = collector
            loads[collector.pk] += len(members[id(head)])

        Customer.objects.bulk_create([a.customer for a in self.accounts if a.parent is None])
        for acc in self.accounts:
            if acc.parent is not None:
                acc.customer.parent = acc.parent.customer
        Customer.objects.bulk_create([a.customer for a in self.accounts if a.parent is not None])

        contacts = []
        for acc in self.accounts:
            fake = self.faker(acc.locale)
            domain = f"{_slug(acc.customer.name.split(' – ')[0])[:40]}.example"
            for position in range(rng.choice((1, 1, 2))):
                first, last = fake.first_name(), fake.last_name()
                contacts.append(
                    BillingContact(
                        customer=acc.customer,
                        name=f"{first} {last}",
                        email=f"{_slug(first)}.{_slug(last)}@{domain}",
                        phone=fake.phone_number()[:40],
                        title=rng.choice(data.CONTACT_TITLES),
                        is_primary=position == 0,
                    )
                )
        BillingContact.objects.bulk_create(contacts, batch_size=2000)

    # -- orders --------------------------------------------------------------------------------

    def orders(self) -> None:
        rng = self.rng("orders")
        self.reporter.stage("Orders, customer by customer", len(self.accounts))
        self.order_rows: list[tuple[Order, list[OrderLine]]] = []
        self.hardware_bills: list[tuple[Order, dt.date, Decimal, _Account]] = []
        self.service_units: list[tuple[Order, _Account, dt.date, dt.date, Decimal, Decimal]] = []
        window_days = (self.today - self.calendar.window_start).days
        for acc in self.accounts:
            self._hardware_orders(rng, acc, window_days)
            self._service_orders(rng, acc)
            self.reporter.advance()

        self.order_rows.sort(key=lambda row: (row[0].booked_on, row[0].number))
        for position, (order, _) in enumerate(self.order_rows, start=1):
            order.number = f"SO-{position:06d}"
        Order.objects.bulk_create([order for order, _ in self.order_rows], batch_size=2000)
        OrderLine.objects.bulk_create(
            [line for _, lines in self.order_rows for line in lines], batch_size=2000
        )

    def _price(self, acc: _Account, sku: str, discount: int) -> Decimal:
        price = self.prices[acc.customer.currency, sku]
        return round_money(price * (HUNDRED - discount) / HUNDRED)

    def _order(self, acc, *, booked_on, order_type, status, sales_rep, distributor=None, rng):
        needs_po = acc.customer.requires_po or rng.random() < 0.4
        if acc.customer.requires_po and rng.random() < 0.03:
            needs_po = False  # a PO the customer requires but nobody captured
        order = Order(
            number=f"~{len(self.order_rows):07d}",  # replaced once all orders are sorted
            customer=acc.customer,
            order_type=order_type,
            channel=OrderChannel.DISTRIBUTOR if distributor else OrderChannel.DIRECT,
            distributor=distributor,
            sales_rep=sales_rep,
            status=status,
            booked_on=booked_on,
            currency=acc.customer.currency,
            po_number=f"PO-{rng.randint(4500000000, 4599999999)}" if needs_po else "",
        )
        lines: list[OrderLine] = []
        self.order_rows.append((order, lines))
        return order, lines

    def _line(self, order, lines, sku, quantity, unit_price, term=None) -> OrderLine:
        line = OrderLine(
            order=order,
            line_number=len(lines) + 1,
            product=self.products[sku],
            quantity=Decimal(quantity),
            unit_price=unit_price,
            amount=round_money(unit_price * quantity),
            term_months=term,
        )
        lines.append(line)
        return line

    def _hardware_orders(self, rng: random.Random, acc: _Account, window_days: int) -> None:
        segment = acc.customer.segment
        base = data.SEGMENT_ORDERS_PER_YEAR[segment]
        tiers = data.SEGMENT_TIERS[segment]
        for _ in range(rng.randint(max(1, base // 2), base * 3 // 2)):
            booked = _weekday(
                self.calendar.window_start + dt.timedelta(days=rng.randint(0, window_days)),
                self.today,
            )
            distributor = acc.distributor if acc.distributor and rng.random() < 0.8 else None
            order_type = rng.choices(
                (OrderType.NEW, OrderType.ADD, OrderType.CHANGE), weights=(55, 38, 7)
            )[0]
            lag = rng.randint(2, 18)
            invoiced_on = _weekday(booked + dt.timedelta(days=lag))
            if rng.random() < 0.025:
                status = OrderStatus.CANCELLED
            elif invoiced_on <= self.today:
                status = OrderStatus.COMPLETED
            elif (self.today - booked).days < 3:
                status = OrderStatus.SUBMITTED
            else:
                status = rng.choice((OrderStatus.APPROVED, OrderStatus.IN_FULFILMENT))
            order, lines = self._order(
                acc,
                booked_on=booked,
                order_type=order_type,
                status=status,
                sales_rep=acc.rep_on(booked),
                distributor=distributor,
                rng=rng,
            )
            low, high = data.SEGMENT_DISCOUNT[segment]
            discount = rng.randint(low, high) + (5 if distributor else 0)
            _, anchors, extras = rng.choices(data.BUNDLES, weights=data.BUNDLE_WEIGHTS)[0]
            by_tier = self.hardware_by_line[anchors[0]]
            tier = rng.choice(tiers)
            pool = by_tier.get(tier) or by_tier["M"]
            chosen = [rng.choice(pool)]
            for sku in rng.sample(extras, rng.randint(0, min(3, len(extras)))):
                if sku not in chosen:
                    chosen.append(sku)
            for sku in chosen:
                self._line(
                    order,
                    lines,
                    sku,
                    _quantity(rng, self.specs[sku]),
                    self._price(acc, sku, discount),
                )
            if status == OrderStatus.COMPLETED:
                net = sum((line.amount for line in lines), ZERO)
                self.hardware_bills.append((order, invoiced_on, net, acc))

    def _service_orders(self, rng: random.Random, acc: _Account) -> None:
        customer = acc.customer
        if customer.country not in data.SERVICE_COUNTRIES:
            return
        chance = {"enterprise": 0.4, "carrier": 0.6, "public_sector": 0.25, "mid_market": 0.1}
        if rng.random() >= chance.get(customer.segment, 0):
            return
        specialist = self.specialists[acc.region]
        span = (self.today - dt.timedelta(days=20) - self.calendar.service_base_start).days
        booked_days = sorted(rng.randint(0, span) for _ in range(rng.randint(1, 3)))
        for position, offset in enumerate(booked_days):
            booked = _weekday(
                self.calendar.service_base_start + dt.timedelta(days=offset), self.today
            )
            sku = rng.choice(self.service_skus)
            discount = rng.randint(0, 20)
            mrc = self._price(acc, sku, discount)
            activated = booked + dt.timedelta(days=rng.randint(30, 75))
            start = add_months(activated, 1)
            order, lines = self._order(
                acc,
                booked_on=booked,
                order_type=OrderType.NEW if position == 0 else OrderType.ADD,
                status=_service_status(rng, activated, self.today),
                sales_rep=specialist,
                rng=rng,
            )
            self._line(order, lines, sku, 1, mrc, data.SERVICE_TERM_MONTHS)
            install = ZERO
            if rng.random() < 0.6:
                install_sku = data.INSTALL_SKU[self.specs[sku].line]
                install = self._line(
                    order, lines, install_sku, 1, self._price(acc, install_sku, discount)
                ).amount
            self._service_lifecycle(rng, acc, order, sku, mrc, start, install, specialist)

    def _service_lifecycle(self, rng, acc, order, sku, mrc, start, install, specialist) -> None:
        """Bill a circuit monthly until it renews, changes or is disconnected."""
        term_end = add_months(start, data.SERVICE_TERM_MONTHS)
        last_month = self.months[-1]
        while True:
            end = term_end
            follow_up = None
            if term_end <= last_month:
                kind = OrderType.RENEWAL if rng.random() < 0.8 else OrderType.DISCONNECT
                follow_up = (kind, term_end - dt.timedelta(days=rng.randint(10, 45)))
            elif start <= last_month and rng.random() < 0.12:
                upgrade = self.specs[sku].upgrade
                day = max(start, self.calendar.window_start) + dt.timedelta(
                    days=rng.randint(0, 300)
                )
                if day < self.today - dt.timedelta(days=45):
                    kind = OrderType.CHANGE if upgrade else OrderType.DISCONNECT
                    follow_up = (kind, _weekday(day, self.today))
                    end = add_months(day + dt.timedelta(days=rng.randint(20, 40)), 1)
            self.service_units.append((order, acc, start, min(end, term_end), mrc, install))
            if follow_up is None:
                return
            kind, booked = follow_up
            booked = _weekday(booked, self.today)
            if kind == OrderType.DISCONNECT:
                disconnect, lines = self._order(
                    acc,
                    booked_on=booked,
                    order_type=kind,
                    status=OrderStatus.COMPLETED,
                    sales_rep=specialist,
                    rng=rng,
                )
                self._line(disconnect, lines, sku, 1, mrc)
                return
            if kind == OrderType.RENEWAL:
                mrc = round_money(mrc * Decimal(rng.randint(90, 100)) / HUNDRED)
                start = term_end
            else:
                sku = self.specs[sku].upgrade
                mrc = round_money(
                    self.prices[acc.customer.currency, sku]
                    * Decimal(rng.randint(80, 100))
                    / HUNDRED
                )
                start = end
            order, lines = self._order(
                acc,
                booked_on=booked,
                order_type=kind,
                status=OrderStatus.COMPLETED if start <= self.today else OrderStatus.APPROVED,
                sales_rep=specialist,
                rng=rng,
            )
            self._line(order, lines, sku, 1, mrc, data.SERVICE_TERM_MONTHS)
            install = ZERO
            term_end = add_months(start, data.SERVICE_TERM_MONTHS)

    # -- invoices and credit memos -------------------------------------------------------------

    def invoices(self) -> None:
        self.reporter.stage(
            "Invoices, order by order", len(self.hardware_bills) + len(self.service_units)
        )
        bills: list[_Bill] = []

        def bill(order: Order, acc: _Account, issued: dt.date, net: Decimal, service: bool):
            tax = round_money(net * acc.tax_rate)
            invoice = Invoice(
                number="",
                customer=acc.customer,
                order=order,
                issued_on=issued,
                due_on=issued + dt.timedelta(days=acc.customer.payment_terms_days),
                currency=acc.customer.currency,
                amount=net + tax,
                tax_amount=tax,
                balance=net + tax,
                po_number=order.po_number,
                status=InvoiceStatus.OPEN,
            )
            bills.append(_Bill(invoice, acc, service))

        for order, issued, net, acc in self.hardware_bills:
            bill(order, acc, issued, net, service=False)
            self.reporter.advance()
        for order, acc, start, end, mrc, install in self.service_units:
            for month in self.months:
                if start <= month < end:
                    bill(order, acc, month, mrc + (install if month == start else ZERO), True)
            self.reporter.advance()
        bills.sort(key=lambda b: (b.invoice.issued_on, b.is_service, b.invoice.order.number))
        for position, item in enumerate(bills, start=1):
            item.invoice.number = f"INV-{position:07d}"
        self.bills = bills

        rng = self.rng("credit-memos")
        memos: list[CreditMemo] = []
        for item in bills:
            invoice = item.invoice
            if rng.random() >= (0.025 if item.is_service else 0.05):
                continue
            issued = _weekday(invoice.issued_on + dt.timedelta(days=rng.randint(5, 40)))
            if issued > self.today:
                continue
            reasons = (
                data.CREDIT_REASONS_SERVICE if item.is_service else data.CREDIT_REASONS_HARDWARE
            )
            reason, low, high = rng.choice(reasons)
            if reason.startswith("Return"):
                reason = f"{reason} (RMA-{rng.randint(100000, 999999)})"
            amount = round_money(invoice.amount * _pct(rng, low, high))
            memos.append(
                CreditMemo(
                    number="",
                    customer=invoice.customer,
                    invoice=invoice,
                    issued_on=issued,
                    currency=invoice.currency,
                    amount=amount,
                    reason=reason,
                )
            )
            item.credits += amount
            item.credit_day = issued
        memos.sort(key=lambda m: (m.issued_on, m.invoice.number))
        for position, memo in enumerate(memos, start=1):
            memo.number = f"CM-{position:06d}"
        self.memos = memos

    # -- payments ------------------------------------------------------------------------------

    def payments(self) -> None:
        rng = self.rng("payments")
        self.reporter.stage("Payments, invoice by invoice", len(self.bills))
        # (payer account, received day, batch?) -> [(bill, amount, note)]
        receipts: dict[tuple[int, dt.date, int], list[tuple[_Bill, Decimal, str]]] = {}
        payer_of: dict[int, _Account] = {}
        sequence = 0
        for item in self.bills:
            self.reporter.advance()
            acc = item.account
            invoice = item.invoice
            open_amount = invoice.amount - item.credits
            if open_amount <= ZERO:
                continue
            disputed = rng.random() < (0.08 if acc.profile == "chronic" else 0.025)
            delay = {
                "prompt": (-6, 6),
                "late": (3, 35),
                "chronic": (25, 110),
                "short": (-2, 25),
            }[acc.profile]
            day = invoice.due_on + dt.timedelta(days=rng.randint(*delay))
            day = max(day, invoice.issued_on + dt.timedelta(days=3))
            if item.credit_day:
                day = max(day, item.credit_day + dt.timedelta(days=rng.randint(1, 7)))
            payer = acc
            if (
                acc.parent is not None
                and acc.parent.central_payer
                and acc.parent.customer.currency == acc.customer.currency
            ):
                payer = acc.parent
            if payer.batch_weekday is not None:
                day += dt.timedelta(days=(payer.batch_weekday - day.weekday()) % 7)
            day = _weekday(day)
            if disputed or day > self.today:
                continue
            paid, note = open_amount, ""
            if (acc.profile == "short" and rng.random() < 0.35) or rng.random() < 0.015:
                deduction = round_money(open_amount * Decimal(rng.randint(1, 8)) / HUNDRED)
                if ZERO < deduction < open_amount:
                    paid = open_amount - deduction
                    note = rng.choice(data.SHORT_PAY_REASONS)
            if payer.batch_weekday is not None:
                key = (id(payer), day, 0)
            else:
                sequence += 1
                key = (id(payer), day, sequence)
            payer_of[id(payer)] = payer
            receipts.setdefault(key, []).append((item, paid, note))

        payments: list[tuple[Payment, list[PaymentApplication]]] = []
        for (payer_id, day, _), items in receipts.items():
            payer = payer_of[payer_id]
            applied = sum((amount for _, amount, _ in items), ZERO)
            extra = ZERO
            if rng.random() < 0.01:
                extra = Decimal(rng.randint(50, 2000))  # paid twice / rounded up: unapplied
            references = [item.invoice.number for item, _, _ in items]
            notes = [f"{item.invoice.number} short: {note}" for item, _, note in items if note]
            style = rng.random()
            if style < 0.1:
                reference = ""  # no remittance advice
            elif style < 0.25 and items[0][0].invoice.po_number:
                reference = f"PO {items[0][0].invoice.po_number}"
            else:
                reference = ", ".join(references)
            if notes:
                reference = "; ".join([reference, *notes]) if reference else "; ".join(notes)
            payment = Payment(
                number="",
                customer=payer.customer,
                received_on=day,
                currency=payer.customer.currency,
                amount=applied + extra,
                method=payer.method,
                reference=reference[:200],
            )
            applications = []
            for item, amount, _ in items:
                applied_on = min(day + dt.timedelta(days=rng.randint(0, 2)), self.today)
                applications.append(
                    PaymentApplication(
                        payment=payment, invoice=item.invoice, amount=amount, applied_on=applied_on
                    )
                )
                item.applied += amount
            payments.append((payment, applications))

        # Receipts not applied yet: cash with a remittance that names an open invoice, and a
        # few wires nobody has identified.
        open_bills = [
            b
            for b in self.bills
            if b.invoice.amount - b.credits - b.applied > ZERO and b.invoice.due_on < self.today
        ]
        for item in rng.sample(open_bills, min(len(open_bills), max(2, len(self.accounts) // 25))):
            balance = item.invoice.amount - item.credits - item.applied
            identified = rng.random() < 0.75
            day = _weekday(self.today - dt.timedelta(days=rng.randint(1, 20)), self.today)
            name = _ascii(item.account.customer.name).upper()[:24]
            payments.append(
                (
                    Payment(
                        number="",
                        customer=item.account.customer if identified else None,
                        received_on=day,
                        currency=item.invoice.currency,
                        amount=balance,
                        method=PaymentMethod.WIRE if not identified else item.account.method,
                        reference=(
                            f"Payment for {item.invoice.number}"
                            if identified
                            else f"WIRE FROM {name} REF {rng.randint(10**8, 10**9 - 1)}"
                        ),
                    ),
                    [],
                )
            )

        payments.sort(key=lambda p: (p[0].received_on, p[0].reference, str(p[0].amount)))
        for position, (payment, _) in enumerate(payments, start=1):
            payment.number = f"RCPT-{position:07d}"
        self.payment_rows = payments

    # -- write ---------------------------------------------------------------------------------

    def write_ledger(self) -> None:
        self.reporter.stage("Writing the ledger, step by step", 4)
        for item in self.bills:
            invoice = item.invoice
            invoice.balance = invoice.amount - item.credits - item.applied
            invoice.status = InvoiceStatus.PAID if invoice.balance == ZERO else InvoiceStatus.OPEN
        Invoice.objects.bulk_create([b.invoice for b in self.bills], batch_size=2000)
        self.reporter.advance()
        CreditMemo.objects.bulk_create(self.memos, batch_size=2000)
        self.reporter.advance()
        Payment.objects.bulk_create([p for p, _ in self.payment_rows], batch_size=2000)
        PaymentApplication.objects.bulk_create(
            [a for _, apps in self.payment_rows for a in apps], batch_size=2000
        )
        self.reporter.advance()
        invoice_balances_refresh(invoice_ids=[b.invoice.pk for b in self.bills])
        self.reporter.advance()

    def role_users(self) -> None:
        """Logins for the roles other than collections (manager, rep and distributor on the
        parties with the most to show)."""
        self.reporter.stage("Logins for the other roles", len(OTHER_ROLE_USERNAMES))
        self._user("admin", [Role.ADMIN], "en_US")
        self._user("ops", [Role.SALES_OPERATIONS], "en_US")
        self._user("analyst", [Role.COMMISSIONS_ANALYST], "en_US")
        # A manager with no payee of their own leads the desks: the top of every case
        # team's escalation chain, and sees everything.
        self._user("leader", [Role.MANAGER], "en_US")
        direct_customers: dict[int, int] = defaultdict(int)
        for acc in self.accounts:
            direct_customers[acc.customer.sales_rep.pk] += 1
        east = self.managers["NA-EAST"]
        candidates = [r for r in self.reps if r.region == "NA-EAST" and not r.moves_to]
        rep = max(candidates, key=lambda r: (direct_customers[r.payee.pk], -r.payee.pk))
        self._user("manager", [Role.MANAGER], "en_US", payee=east, name=_split(east.name))
        self._user("rep", [Role.SALES_REP], "en_US", payee=rep.payee, name=_split(rep.payee.name))
        orders_by_distributor: dict[str, int] = defaultdict(int)
        for order, _ in self.order_rows:
            if order.distributor is not None:
                orders_by_distributor[order.distributor.code] += 1
        best = max(
            (d for d in self.distributors if d.country == "US"),
            key=lambda d: (orders_by_distributor[d.code], d.code),
        )
        self._user("distributor", [Role.DISTRIBUTOR_USER], "en_US", distributor=best)

    def cases(self) -> None:
        """The case desk: teams, routing rules, inboxes and six weeks of cases (demo/cases.py)."""
        from .cases import CaseDesk

        desk = CaseDesk(
            rng=self.rng("cases"), today=self.today, users=self.users, customers=self.customer_count
        )
        self.reporter.stage("Cases and their timelines", len(desk.plan()))
        self.case_count = desk.build(advance=self.reporter.advance)

    def collections(self) -> None:
        """The collections desk: portfolio history, activities, promises, then the daily job
        (demo/collections.py)."""
        from .collections import CollectionsDesk

        self.reporter.stage("Collections: activities, promises, pay-date predictions", 1)
        self.collection_counts = CollectionsDesk(
            rng=self.rng("collections"), today=self.today, users=self.users
        ).build()
        self.reporter.advance()

    def plans(self) -> None:
        """The plan files behind the payees' plan assignments, one version per plan year."""
        from revdesk.compensation.services import plan_version_save

        for year, _, _ in self.calendar.plan_years:
            for template in data.PLAN_FILES.values():
                plan_version_save(template.format(year=year), actor=None)

    def policies(self) -> None:
        """The two crediting policies the commissions desk applies to claims."""
        from revdesk.compensation.services import crediting_policy_save

        start = dt.date(self.today.year - 1, 1, 1)
        for number, title, text, splits in data.CREDITING_POLICIES:
            crediting_policy_save(
                actor=None,
                number=number,
                title=title,
                text=text,
                splits=splits,
                valid_from=start,
            )

    def quality(self) -> None:
        """The quality samples of the last four weeks, reviewed but for some of last week's
        (a few items failed)."""
        from revdesk.quality.models import QualityReview
        from revdesk.quality.services import quality_sample, review_record

        last_week = self.today - dt.timedelta(days=self.today.weekday() + 7)
        weeks = [last_week - dt.timedelta(weeks=n) for n in range(3, -1, -1)]
        for week in weeks:
            quality_sample(week, per_person=5, seed=self.seed)
        reviews = list(
            QualityReview.objects.filter(week__in=weeks, reviewer__isnull=False)
            .select_related("checklist", "reviewer")
            .order_by("pk")
        )
        rng = self.rng("quality")
        self.reporter.stage("Quality reviews of the last four weeks", len(reviews))
        moment = dt.datetime.combine(self.today, dt.time(9, 30), tzinfo=dt.UTC)
        for review in reviews:
            self.reporter.advance()
            if review.week == last_week and rng.random() < 0.4:
                continue  # still to do
            answers = [("pass", "") for _ in review.checklist.question_list]
            findings = ""
            if rng.random() < 0.06:
                answers[-1] = ("fail", "The resolution does not say which document backs it.")
                findings = "Write down the evidence the decision rests on."
            review_record(
                review, actor=review.reviewer, answers=answers, findings=findings, now=moment
            )

    def commissions(self) -> None:
        """What the commissions desk has on file: a few orders split between two reps, a few
        the order desk marked not eligible, and the year's runs: January up to the month
        before last paid, last month reviewed and waiting for a manager's approval. What
        payroll paid for the paid run is loaded and reconciled (demo/payroll.py): two
        differences, each with its commission inquiry, opened this morning."""
        from revdesk.compensation.models import RunStatus
        from revdesk.compensation.runs import run_create, run_move
        from revdesk.compensation.services import credit_split_set

        rng = self.rng("commissions")
        analyst, leader = self.users["analyst"], self.users["leader"]
        reps = list(Payee.objects.filter(kind=PayeeKind.SALES_REP).order_by("code"))
        orders = list(
            Order.objects.filter(sales_rep__isnull=False)
            .order_by("number")
            .select_related("sales_rep")
        )
        for order in orders[7::61]:
            partner = rng.choice([rep for rep in reps if rep.pk != order.sales_rep_id])
            share = Decimal(rng.choice(("0.5", "0.6", "0.7")))
            credit_split_set(order, {order.sales_rep: share, partner: 1 - share}, actor=analyst)
        ineligible = [order.pk for order in orders[23::97]]
        Order.objects.filter(pk__in=ineligible).update(commission_eligible=False)

        last = (self.today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
        first = f"{last[:4]}-01"
        self.reporter.stage("Commission runs", 3)
        paid = None
        if first != last:
            before = (dt.date.fromisoformat(f"{last}-01") - dt.timedelta(days=1)).strftime("%Y-%m")
            paid = run_create(f"{first}..{before}", actor=analyst)
            for status, actor in (
                (RunStatus.REVIEWED, analyst),
                (RunStatus.APPROVED, leader),
                (RunStatus.PAID, analyst),
            ):
                run_move(paid, status, actor=actor)
        self.reporter.advance()
        run_move(run_create(last, actor=analyst), RunStatus.REVIEWED, actor=analyst)
        self.reporter.advance()
        if paid is not None:
            from .cases import NY
            from .payroll import payroll_paid_load

            morning = dt.datetime.combine(self.today, dt.time(9, 30), tzinfo=NY)
            payroll_paid_load(
                paid, rng=self.rng("payroll"), actor=analyst, now=morning.astimezone(dt.UTC)
            )
        self.reporter.advance()

    def build_record(self) -> None:
        """One change record saying what the demo was built for (read by demo_build_read)."""
        change_record_create(
            actor=None,
            action=ChangeAction.CREATE,
            instance=self.price_lists["USD"],
            after={
                data.BUILD_RECORD_KEY: data.COMPANY_NAME,
                "as_of": self.today.isoformat(),
                "seed": self.seed,
                "customers": self.customer_count,
            },
        )


def _split(name: str) -> tuple[str, str]:
    first, _, last = name.partition(" ")
    return first, last


def _branch(rng: random.Random, country: str, taken: set[str]) -> str:
    """A city for a subsidiary's name that no sibling uses yet ("Toronto 2" once all are)."""
    cities = data.CITIES[country]
    free = [city for city in cities if city not in taken]
    if free:
        name = rng.choice(free)
    else:
        city, number = rng.choice(cities), 2
        while f"{city} {number}" in taken:
            number += 1
        name = f"{city} {number}"
    taken.add(name)
    return name


def _legal_suffix(rng: random.Random, country: str) -> str:
    options = {
        "US": ("", " Inc.", " LLC", " Corp."),
        "CA": ("", " Inc.", " Ltd."),
        "GB": (" Ltd", " plc", " Ltd"),
        "IE": (" Ltd", " DAC"),
        "DE": (" GmbH", " AG", " GmbH & Co. KG"),
        "FR": (" SA", " SAS"),
        "NL": (" B.V.", " N.V."),
        "ES": (" S.A.", " S.L."),
        "IT": (" S.p.A.", " S.r.l."),
    }[country]
    return rng.choice(options)


def _quantity(rng: random.Random, spec: data.ProductSpec) -> int:
    price = Decimal(spec.list_price)
    if price < 150:
        return rng.randint(1, 12) * 5
    if price < 1000:
        return rng.randint(1, 24)
    if price < 10000:
        return rng.randint(1, 8)
    if price < 50000:
        return rng.randint(1, 3)
    return 1


def _service_status(rng: random.Random, activated: dt.date, today: dt.date) -> str:
    if activated <= today:
        return OrderStatus.COMPLETED
    return rng.choice((OrderStatus.APPROVED, OrderStatus.IN_FULFILMENT))


def customers_for_scale(scale: float) -> int:
    if scale <= 0:
        raise ValueError(f"--scale must be more than 0, got {scale}")
    return max(10, round(BASE_CUSTOMERS * scale))


def company_build(
    *,
    seed: int = DEFAULT_SEED,
    as_of: dt.date | None = None,
    scale: float = 1.0,
    customers: int | None = None,
    reporter: Reporter | None = None,
) -> DemoSummary:
    """Write the demo company into an empty database, in one transaction.

    `scale` multiplies customers (500 at scale 1) and with them orders, invoices and payments;
    `customers` sets the number directly (tests use a few dozen). `as_of` is the demo's
    "today" (default: today on the local clock, as the web app counts): the year of history
    ends on it and nothing is dated after it.
    """
    started = time.perf_counter()
    count = customers if customers is not None else customers_for_scale(scale)
    if count < 10:
        raise ValueError(f"the demo needs at least 10 customers, got {count}")
    if as_of is None:
        as_of = timezone.localdate()
    company = _Company(seed=seed, as_of=as_of, customers=count, reporter=reporter or _Silent())
    with transaction.atomic(), acting_as(None, "demo"):
        company.reference()
        company.organisation()
        company.customers()
        company.orders()
        company.invoices()
        company.payments()
        company.write_ledger()
        company.role_users()
        company.plans()
        company.policies()
        company.cases()
        company.collections()
        company.quality()
        company.commissions()
        company.build_record()
    from .selectors import table_counts

    return DemoSummary(
        seed=seed,
        as_of=as_of,
        scale=scale,
        customers=count,
        counts=table_counts(),
        seconds=time.perf_counter() - started,
        users=dict(company.user_roles),
    )
