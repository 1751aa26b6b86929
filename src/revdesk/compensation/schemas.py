"""API shapes for commission runs, payouts, their explanation lines and claims."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import PlainSerializer, WithJsonSchema

from revdesk.foundation.api import Amount

Exact = Annotated[
    Decimal,
    PlainSerializer(lambda value: None if value is None else format(value, "f"), return_type=str),
    WithJsonSchema({"type": "string", "examples": ["1234.500000"]}),
]
"""A figure of an explanation line as calculated (six decimals, before rounding)."""


class RunOut(Schema):
    id: int
    periods: str = Field(description="As asked: 2026-10 or 2026-07..2026-09")
    status: str = Field(description="draft, reviewed, approved or paid")
    totals: dict[str, str] = Field(description='Total per currency, e.g. {"USD": "1234.50"}')
    payee_count: int
    line_count: int
    fingerprint: str = Field(description="sha256 of everything the run was calculated from")
    engine_version: str
    plan_versions: list[str]
    notes: list[str] = Field(description="What was left out of the inputs, and why")
    created_at: dt.datetime
    reviewed_at: dt.datetime | None
    approved_at: dt.datetime | None
    paid_at: dt.datetime | None

    # Someone who does not see every payee (a rep, a team manager) gets the run's figures
    # over their own payees only: totals, counts and notes of the whole company are not theirs.

    @staticmethod
    def resolve_totals(obj, context) -> dict[str, str]:
        part = _part(obj, context)
        return obj.totals if part is None else part["totals"]

    @staticmethod
    def resolve_payee_count(obj, context) -> int:
        part = _part(obj, context)
        return obj.payee_count if part is None else part["payee_count"]

    @staticmethod
    def resolve_line_count(obj, context) -> int:
        part = _part(obj, context)
        return obj.line_count if part is None else part["line_count"]

    @staticmethod
    def resolve_notes(obj, context) -> list[str]:
        return obj.notes if _part(obj, context) is None else []


def _part(run, context) -> dict | None:
    """The run as far as the caller may see it (None: they see all of it)."""
    from revdesk.foundation.scoping import restrict, viewer_for

    from .models import Payout, PayoutLine

    user = context["request"].auth
    if viewer_for(user).sees_everything:
        return None
    cache = context.setdefault("_run_parts", {})
    if run.pk not in cache:
        totals: dict[str, Decimal] = {}
        payees = set()
        for payee, currency, amount in restrict(Payout.objects.filter(run=run), user).values_list(
            "payee_id", "currency", "amount"
        ):
            totals[currency] = totals.get(currency, Decimal(0)) + amount
            payees.add(payee)
        cache[run.pk] = {
            "totals": {c: format(a, "f") for c, a in sorted(totals.items())},
            "payee_count": len(payees),
            "line_count": restrict(PayoutLine.objects.filter(run=run), user).count(),
        }
    return cache[run.pk]


class PayoutOut(Schema):
    payee: str = Field(description="Payee code")
    payee_name: str
    period: str
    amount: Amount
    currency: str

    @staticmethod
    def resolve_payee(obj) -> str:
        return obj.payee.code

    @staticmethod
    def resolve_payee_name(obj) -> str:
        return obj.payee.name


class LineOut(Schema):
    period: str
    transaction_id: str = Field(description="INVOICE/LINE, empty for totals (caps, draws)")
    credit_share: Exact | None
    component: str
    tier: int | None
    rate: Exact | None
    base: Exact | None
    amount: Exact
    currency: str
    kind: str = Field(
        description="earning, clawback, spif, bonus, override, cap, rounding, adjustment, "
        "draw or recovery"
    )


class ExplanationOut(Schema):
    run: int
    payee: str
    payouts: list[PayoutOut]
    lines: list[LineOut]


class ClaimOut(Schema):
    case: str = Field(description="The claim's case number")
    policy: str
    invoices: list[str]
    roles: dict[str, str] = Field(description="Payee code per role of the policy's split")
    claimant: str
    filed_on: dt.date
    decision: str = Field(description="pending, approved or denied")
    decided_on: dt.date | None

    @staticmethod
    def resolve_case(obj) -> str:
        return obj.case.number

    @staticmethod
    def resolve_policy(obj) -> str:
        return obj.policy.number

    @staticmethod
    def resolve_invoices(obj) -> list[str]:
        return [item.invoice.number for item in obj.invoices.all()]

    @staticmethod
    def resolve_roles(obj) -> dict[str, str]:
        return {role.role: role.payee.code for role in obj.roles.all()}

    @staticmethod
    def resolve_claimant(obj) -> str:
        return obj.claimant.code


class ClaimIn(Schema):
    policy: str = Field(description="Policy number, e.g. Policy 100")
    invoices: list[str] = Field(description="Invoice numbers the claim is about")
    roles: dict[str, str] = Field(description="Payee code per role of the policy's split")
    claimant: str | None = Field(
        None, description="Payee code of who claims (a rep claims for themself: leave it out)"
    )
    description: str = Field(description="What happened, and how you know")
