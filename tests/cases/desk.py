"""A small desk of cases on the test world, for the page, API and browser tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from revdesk.cases import services


@dataclass
class Desk:
    dispute: object  # AR dispute on INV-1 (Acme, collector's), collections, on time
    west: object  # AR dispute on INV-5 (Pacific Colo, collector2's), collections
    old: object  # deduction on Acme opened 30 days ago: both clocks breached
    claim: object  # the rep's commission claim, commissions team
    defect: object  # order defect on SO-2, order management
    now: dt.datetime


def desk_build(world, ledger) -> Desk:
    users = world.users
    now = timezone.now()
    dispute = services.case_open(
        actor=users["collector"],
        case_type="ar_dispute",
        title="Price on INV-1 is wrong",
        subjects=[ledger.invoices["INV-1"]],
        reason="pricing",
        amount=Decimal("200.00"),
        now=now,
    )
    west = services.case_open(
        actor=users["collector2"],
        case_type="ar_dispute",
        title="Pacific says goods not received",
        subjects=[ledger.invoices["INV-5"]],
        reason="not_received",
        now=now,
    )
    old = services.case_open(
        actor=users["collector"],
        case_type="deduction",
        title="Old deduction on Acme",
        customer=world.customer_east,
        subjects=[world.customer_east],
        now=now - dt.timedelta(days=30),
    )
    claim = services.case_open(
        actor=users["rep"],
        case_type="commission_claim",
        title="Split credit on SO-1",
        payee=world.rep_east,
        now=now,
    )
    defect = services.case_open(
        actor=users["ops"],
        case_type="order_defect",
        title="Billing rejected SO-2",
        subjects=[ledger.orders["SO-2"]],
        now=now,
    )
    return Desk(dispute, west, old, claim, defect, now)
