"""The demo company's case desk: teams, routing rules, inboxes and a few weeks of cases.

Every case is made through the cases services at its own moment in the past (so timelines,
clocks and the change log are what real work would have left), then the clock tick runs at
the demo's "today" noon, New York time, recording breaches and escalations as they fell.
Deterministic for the seed and as-of date.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import F

from revdesk.cases import services as case_services
from revdesk.cases.choices import Assignment, MemberLevel, Status
from revdesk.cases.escalation import tick
from revdesk.cases.models import (
    CaseType,
    Inbox,
    ReasonCode,
    RoutingRule,
    Team,
    TeamMembership,
)
from revdesk.compensation.claims import claim_file
from revdesk.compensation.models import CreditingPolicy
from revdesk.engine.money import round_money
from revdesk.orders.models import Order
from revdesk.parties.choices import PayeeKind
from revdesk.parties.models import BillingContact, Distributor, Payee
from revdesk.receivables.models import Invoice, Payment

from . import data

NY = ZoneInfo("America/New_York")
H = dt.timedelta(hours=1)


@dataclass
class Step:
    """After `hours` working-ish hours: a comment, a status move or a resolution."""

    hours: float
    action: str  # note, reply, status, resolve, assign
    value: str = ""
    text: str = ""


# Story lines: where each case is "today". Texts are what people on these desks write.
STORIES: dict[str, list[list[Step]]] = {
    "ar_dispute": [
        [],
        [Step(2, "note", text="Pulled the order and the price list in force; checking.")],
        [
            Step(3, "reply", text="We have your dispute and are checking the price billed."),
            Step(4, "status", Status.IN_PROGRESS),
        ],
        [
            Step(1, "status", Status.IN_PROGRESS),
            Step(5, "reply", text="Please send the signed proof of delivery for this shipment."),
            Step(6, "status", Status.WAITING_CUSTOMER),
        ],
        [
            Step(2, "status", Status.IN_PROGRESS),
            Step(3, "note", text="@ops can you confirm the discount agreed on this order?"),
            Step(4, "status", Status.WAITING_INTERNAL),
        ],
        [
            Step(1, "status", Status.IN_PROGRESS),
            Step(6, "reply", text="You are right: the old list price was billed."),
            Step(8, "resolve", "credit_memo", "Credit memo requested for the price difference."),
            Step(30, "status", Status.CLOSED),
        ],
        [
            Step(2, "status", Status.IN_PROGRESS),
            Step(9, "reply", text="The price billed matches the signed quote; copy attached."),
            Step(10, "resolve", "customer_to_pay", "Quote Q-2291 signed at this price."),
        ],
    ],
    "short_payment": [
        [],
        [Step(2, "status", Status.IN_PROGRESS)],
        [
            Step(1, "status", Status.IN_PROGRESS),
            Step(3, "reply", text="Your payment was short of the invoice total; why?"),
            Step(3.5, "status", Status.WAITING_CUSTOMER),
        ],
        [
            Step(1, "status", Status.IN_PROGRESS),
            Step(7, "resolve", "customer_to_pay", "Bank charges are the payer's: balance stays."),
        ],
    ],
    "deduction": [
        [Step(4, "note", text="Customer code 'PROMO-Q3' — no promotion on file for them.")],
        [
            Step(2, "status", Status.IN_PROGRESS),
            Step(20, "resolve", "credit_memo", "Damage confirmed by the carrier report."),
        ],
    ],
    "commission_claim": [
        [],
        [
            Step(3, "status", Status.IN_PROGRESS),
            Step(4, "reply", text="Which territory installed? Please attach the work order."),
            Step(4.5, "status", Status.WAITING_CUSTOMER),
        ],
        [
            Step(2, "status", Status.IN_PROGRESS),
            Step(
                12,
                "resolve",
                "claim_approved",
                "Policy 100 applies: 25/50/25 split; adjustment in the next open period.",
            ),
        ],
        [
            Step(2, "status", Status.IN_PROGRESS),
            Step(8, "resolve", "claim_denied", "Order booked before the territory moved."),
        ],
    ],
    "commission_inquiry": [
        [Step(2, "reply", text="The accelerator starts at 100% of quota; you are at 96%.")],
        [
            Step(1, "status", Status.IN_PROGRESS),
            Step(2, "resolve", "answered", "Explained the tier and rate on the statement."),
        ],
    ],
    "rebate_claim": [
        [],
        [
            Step(5, "status", Status.IN_PROGRESS),
            Step(6, "note", text="Two of the three invoices are on the Q3 statement already."),
        ],
    ],
    "order_defect": [
        [],
        [
            Step(1, "status", Status.IN_PROGRESS),
            Step(2, "note", text="Billing code missing: @analyst is it on the catalogue list?"),
            Step(3, "status", Status.WAITING_INTERNAL),
        ],
        [
            Step(1, "status", Status.IN_PROGRESS),
            Step(4, "resolve", "corrected", "Billing code added and the order resubmitted."),
            Step(28, "status", Status.CLOSED),
        ],
    ],
    "approval_escalation": [
        [Step(3, "note", text="Chased the regional VP for the pricing approval.")],
        [
            Step(1, "status", Status.IN_PROGRESS),
            Step(10, "resolve", "approved", "Capital approval signed."),
        ],
    ],
    "inquiry": [
        [],
        [Step(2, "reply", text="A copy of the invoice is attached; it was sent on the 3rd.")],
    ],
}

A = Assignment
#: sequence, name, case type, reason code ("": any), amount from, team, assignment, owner,
#: priority
ROUTING = (
    (10, "Tax disputes to the tax team", "ar_dispute", "tax", "", "tax", A.NOBODY, "", ""),
    *(
        (
            11 + n,
            f"{label} disputes to order management",
            "ar_dispute",
            reason,
            "",
            "order_management",
            A.LEAST_LOADED,
            "",
            "",
        )
        for n, (reason, label) in enumerate(
            (
                ("pricing", "Pricing"),
                ("quantity", "Quantity"),
                ("damaged", "Damaged-goods"),
                ("not_received", "Not-received"),
                ("duplicate_billing", "Duplicate-billing"),
            )
        )
    ),
    (
        16,
        "Promotion and rebate disputes to the customer's sales rep",
        "ar_dispute",
        "promotion_rebate",
        "",
        "sales",
        A.CUSTOMER_REP,
        "",
        "",
    ),
    (
        20,
        "Disputes of 25,000 and more to the senior collector",
        "ar_dispute",
        "",
        "25000.00",
        "collections",
        A.PERSON,
        "lead",
        "high",
    ),
    (
        30,
        "Disputes: least-loaded collector",
        "ar_dispute",
        "",
        "",
        "collections",
        A.LEAST_LOADED,
        "",
        "",
    ),
    (
        31,
        "Deductions: least-loaded collector",
        "deduction",
        "",
        "",
        "collections",
        A.LEAST_LOADED,
        "",
        "",
    ),
    (
        40,
        "Short payments: cash application in turn",
        "short_payment",
        "",
        "",
        "cash_application",
        A.ROUND_ROBIN,
        "",
        "",
    ),
    (
        50,
        "Commission claims: the commissions team in turn",
        "commission_claim",
        "",
        "",
        "commissions",
        A.ROUND_ROBIN,
        "",
        "",
    ),
    (
        51,
        "Commission inquiries: the commissions team in turn",
        "commission_inquiry",
        "",
        "",
        "commissions",
        A.ROUND_ROBIN,
        "",
        "",
    ),
    (
        60,
        "Order defects: least-loaded in order management",
        "order_defect",
        "",
        "",
        "order_management",
        A.LEAST_LOADED,
        "",
        "",
    ),
)

#: How many cases of each type at scale 1 (500 customers).
COUNTS = {
    "ar_dispute": 28,
    "short_payment": 10,
    "deduction": 5,
    "commission_claim": 9,
    "commission_inquiry": 4,
    "rebate_claim": 5,
    "order_defect": 7,
    "approval_escalation": 4,
    "inquiry": 4,
}

TITLES = {
    "ar_dispute": "{customer} disputes {invoice}: {reason}",
    "short_payment": "{payment} paid {amount} short on {invoice}",
    "deduction": "{customer} deducted {amount} from {invoice}",
    "commission_claim": "Claim under Policy 100 on {order}",
    "commission_inquiry": "Question on my commission statement",
    "rebate_claim": "Rebate missing for {order}",
    "order_defect": "{order} rejected by billing",
    "approval_escalation": "Pricing approval stuck on {order}",
    "inquiry": "Copy of invoice {invoice} please",
}


class CaseDesk:
    """Builds the case desk on a demo company that is otherwise complete."""

    def __init__(self, *, rng: random.Random, today: dt.date, users: dict, customers: int):
        self.rng = rng
        self.today = today
        self.users = users
        self.scale = max(0.2, customers / 500)
        self.noon = dt.datetime.combine(today, dt.time(12), tzinfo=NY)
        self.invoices_used: set[int] = set()  # one case per invoice, as on a real desk

    def plan(self) -> list[tuple[str, int]]:
        """The cases to make: (type, index within the type), scaled with the company."""
        return [
            (code, index)
            for code, count in COUNTS.items()
            for index in range(max(1, round(count * self.scale)))
        ]

    def build(self, advance=lambda: None) -> int:
        self.teams()
        self.routing()
        self.inboxes()
        made = 0
        for code, index in self.plan():
            made += self.case(code, index)
            advance()
        tick(self.noon.astimezone(dt.UTC), email=False)  # a demo build sends no mail
        return made

    # -- set-up ---------------------------------------------------------------------------

    def teams(self) -> None:
        teams = {team.code: team for team in Team.objects.all()}
        for team in teams.values():
            team.email = f"{team.code.replace('_', '-')}@{data.EMAIL_DOMAIN}"
            team.save(update_fields=["email"])
        collectors = [u for name, u in self.users.items() if name.startswith("collector")]
        extra = [
            u
            for name, u in sorted(self.users.items())
            if u.groups.filter(name="Collector").exists() and not name.startswith("collector")
        ]
        members = [("collections", user, MemberLevel.MEMBER) for user in collectors + extra[:3]] + [
            ("collections", self.users["lead"], MemberLevel.SENIOR),
            ("collections", self.users["leader"], MemberLevel.LEADER),
            ("cash_application", self.users["collector2"], MemberLevel.MEMBER),
            *[("cash_application", user, MemberLevel.MEMBER) for user in extra[3:]],
            ("cash_application", self.users["lead"], MemberLevel.SENIOR),
            ("cash_application", self.users["leader"], MemberLevel.LEADER),
            ("commissions", self.users["analyst"], MemberLevel.MEMBER),
            ("commissions", self.users["leader"], MemberLevel.LEADER),
            ("order_management", self.users["ops"], MemberLevel.MEMBER),
            ("order_management", self.users["leader"], MemberLevel.LEADER),
            ("billing", self.users["ops"], MemberLevel.MEMBER),
            ("product_catalogue", self.users["ops"], MemberLevel.MEMBER),
            ("tax", self.users["leader"], MemberLevel.LEADER),
            ("sales", self.users["manager"], MemberLevel.LEADER),
        ]
        TeamMembership.objects.bulk_create(
            [
                TeamMembership(team=teams[code], user=user, level=level)
                for code, user, level in members
            ]
        )
        self.team = teams

    def routing(self) -> None:
        """The routing rules of ROUTING, in sequence."""
        types = {t.code: t for t in CaseType.objects.all()}
        reasons = {(r.case_type_id, r.code): r for r in ReasonCode.objects.all()}
        RoutingRule.objects.bulk_create(
            RoutingRule(
                sequence=sequence,
                name=name,
                case_type=types[kind],
                reason=reasons[types[kind].pk, reason] if reason else None,
                min_amount=Decimal(floor) if floor else None,
                team=self.team[team],
                assignment=how,
                owner=self.users[owner] if owner else None,
                set_priority=priority,
            )
            for sequence, name, kind, reason, floor, team, how, owner, priority in ROUTING
        )

    def inboxes(self) -> None:
        for code in ("collections", "commissions", "order_management"):
            team = self.team[code]
            Inbox.objects.create(
                name=code.replace("_", "-"),
                team=team,
                address=team.email,
                kind=Inbox.Kind.FOLDER,
                path=f"inbox/{code}",
            )

    # -- cases ----------------------------------------------------------------------------

    def _opened_at(self) -> dt.datetime:
        """A working moment in the last six weeks, before today noon."""
        while True:
            day = self.today - dt.timedelta(days=self.rng.randint(0, 42))
            if day.weekday() < 5:
                moment = dt.datetime.combine(
                    day, dt.time(self.rng.randint(8, 16), self.rng.choice((5, 20, 35, 50))), NY
                )
                if moment < self.noon - 2 * H:
                    return moment

    def _invoice(self, *, partly_paid: bool = False) -> Invoice | None:
        invoices = Invoice.objects.filter(
            balance__gt=0, due_on__lt=self.today, customer__collector__isnull=False
        )
        if partly_paid:
            invoices = invoices.filter(balance__lt=F("amount"), applications__isnull=False)
        ids = list(
            invoices.exclude(pk__in=self.invoices_used)
            .order_by("number")
            .values_list("pk", flat=True)[:400]
        )
        if not ids:
            return None
        chosen = self.rng.choice(ids)
        self.invoices_used.add(chosen)
        return Invoice.objects.select_related("customer").get(pk=chosen)

    def _order(self, *, distributor: Distributor | None = None, rep: Payee | None = None):
        orders = Order.objects.filter(booked_on__gte=self.today - dt.timedelta(days=120))
        if distributor is not None:
            orders = orders.filter(distributor=distributor)
        if rep is not None:
            orders = orders.filter(sales_rep=rep)
        ids = list(orders.order_by("number").values_list("pk", flat=True)[:300])
        return (
            Order.objects.select_related("customer").get(pk=self.rng.choice(ids)) if ids else None
        )

    def _story(self, code: str, opened: dt.datetime) -> list[Step]:
        """What happened to the case since it was opened, as a real desk would have it: old
        cases are mostly resolved, recent ones in work, only the newest still untouched."""
        stories = STORIES[code]
        done = [story for story in stories if _is_done(story)]
        working = [story for story in stories if story and not _is_done(story)]
        untouched = [story for story in stories if not story]
        age = (self.today - opened.date()).days
        if age > 14:
            pool = done if self.rng.random() < 0.85 else working
        elif age <= 2:
            pool = untouched + working
        else:
            pool = working if self.rng.random() < 0.7 else done
        return self.rng.choice(pool or stories)

    def case(self, code: str, index: int) -> bool:
        users, rng = self.users, self.rng
        opener = users["collector"]
        subjects: list = []
        fields: dict = {}
        words: dict[str, str] = {}
        claim_of: dict | None = None
        reasons = list(
            ReasonCode.objects.filter(case_type__code=code)
            .order_by("code")
            .values_list("code", flat=True)
        )
        fields["reason"] = rng.choice(reasons)
        if code in ("ar_dispute", "deduction", "short_payment", "inquiry"):
            invoice = self._invoice(partly_paid=code == "short_payment")
            if invoice is None:
                return False
            subjects.append(invoice)
            share = Decimal(rng.choice(("0.05", "0.1", "0.15", "0.25", "1")))
            amount = invoice.balance if code == "short_payment" else invoice.amount * share
            fields["amount"] = round_money(amount)
            fields["currency"] = invoice.currency
            opener = invoice.customer.collector
            words.update(
                customer=invoice.customer.name,
                invoice=invoice.number,
                amount=f"{fields['amount']:,.2f} {invoice.currency}",
            )
            if code == "short_payment":
                payment = (
                    Payment.objects.filter(applications__invoice=invoice).order_by("number").first()
                )
                if payment is not None:
                    subjects.append(payment)
                    words["payment"] = payment.number
                else:
                    words["payment"] = "A receipt"
            if code == "inquiry":
                contact = BillingContact.objects.filter(customer=invoice.customer).first()
                fields.update(
                    source="email",
                    requester_email=contact.email if contact else "",
                    requester_name=contact.name if contact else "",
                    amount=None,
                    currency="",
                )
                opener = None
        elif code in ("commission_claim", "commission_inquiry"):
            rep_payee = Payee.objects.filter(user=users["rep"]).first()
            mine = index % 2 == 0 and rep_payee is not None
            payee = rep_payee if mine else rng.choice(list(Payee.objects.order_by("code")[:40]))
            order = self._order(rep=payee) or self._order()
            opener = users["rep"] if mine else users["analyst"]
            subjects.append(payee)
            if code == "commission_claim" and order is not None:
                subjects.append(order)
                words["order"] = order.number
                invoice = (
                    order.invoices.exclude(pk__in=self.invoices_used).order_by("number").first()
                )
                if invoice is not None:
                    self.invoices_used.add(invoice.pk)
                    reps = Payee.objects.filter(kind=PayeeKind.SALES_REP).exclude(pk=payee.pk)
                    claim_of = {
                        "invoices": [invoice],
                        "claimant": payee,
                        "roles": {
                            "specifying": payee,
                            "ordering": order.sales_rep or payee,
                            "installing": rng.choice(list(reps.order_by("code"))),
                        },
                    }
        elif code == "rebate_claim":
            profile_distributor = users["distributor"].profile.distributor
            mine = index % 2 == 0
            distributor = (
                profile_distributor
                if mine
                else rng.choice(
                    list(Distributor.objects.exclude(pk=profile_distributor.pk).order_by("code"))
                )
            )
            order = self._order(distributor=distributor) or self._order()
            if order is None:
                return False
            opener = users["distributor"] if mine else users["analyst"]
            subjects += [distributor, order]
            words["order"] = order.number
        else:
            order = self._order()
            if order is None:
                return False
            subjects.append(order)
            words["order"] = order.number
            opener = users["ops"]
        reason_label = ReasonCode.objects.get(case_type__code=code, code=fields["reason"]).label
        words["reason"] = reason_label.lower()
        title = TITLES[code].format(**{k: words.get(k, "") for k in _fields(TITLES[code])})
        opened = self._opened_at()
        priority = rng.choices(("low", "normal", "high", "urgent"), weights=(2, 10, 4, 1))[0]
        if claim_of is not None:
            # a claim under Policy 100 is filed through the claim service: its case, the
            # invoices and who played each role, so approving it re-credits the invoice
            case = claim_file(
                actor=opener,
                policy=CreditingPolicy.objects.get(number="Policy 100"),
                description=_description(code, words),
                now=opened.astimezone(dt.UTC),
                **claim_of,
            ).case
        else:
            case = case_services.case_open(
                actor=opener,
                case_type=code,
                title=title,
                description=_description(code, words),
                subjects=subjects,
                priority=priority,
                now=opened.astimezone(dt.UTC),
                **fields,
            )
        story = self._story(code, opened)
        worker = case.owner or _first_member(case.team) or opener
        for step in story:
            moment = opened + dt.timedelta(hours=step.hours)
            if moment >= self.noon:
                break
            now = moment.astimezone(dt.UTC)
            if step.action in ("note", "reply"):
                case_services.comment_add(
                    case,
                    actor=worker,
                    body=step.text,
                    visibility="external" if step.action == "reply" else "internal",
                    now=now,
                )
            elif step.action == "status":
                case_services.case_transition(case, step.value, actor=worker, now=now)
            elif step.action == "resolve":
                case_services.case_transition(
                    case, Status.RESOLVED, actor=worker, outcome=step.value, note=step.text, now=now
                )
        return True


def _is_done(story: list[Step]) -> bool:
    return any(step.action == "resolve" for step in story)


def _first_member(team: Team):
    membership = (
        TeamMembership.objects.filter(team=team, level=MemberLevel.MEMBER)
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    return membership.user if membership else None


def _fields(template: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def _description(code: str, words: dict[str, str]) -> str:
    texts = {
        "ar_dispute": "Customer called: they will not pay {invoice} until the {reason} issue "
        "is sorted. The rest of the account is not in dispute.",
        "short_payment": "{payment} left {amount} open on {invoice}; no remittance advice.",
        "deduction": "Remittance shows a deduction of {amount} against {invoice}.",
        "commission_claim": "I specified this deal and another territory installed it: Policy "
        "100 says the credit is split 25/50/25.",
        "commission_inquiry": "My October statement is lower than I expected. Why?",
        "rebate_claim": "Our sale on {order} is not on the quarterly rebate statement.",
        "order_defect": "Billing rejected {order}: a billing code is missing from the catalogue.",
        "approval_escalation": "The discount on {order} is waiting for approval for a week.",
        "inquiry": "Hello, could you send us a copy of invoice {invoice}? Thank you.",
    }
    return texts[code].format(**{k: words.get(k, "") for k in _fields(texts[code])})
