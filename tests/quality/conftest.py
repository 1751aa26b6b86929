import datetime as dt
from decimal import Decimal

import pytest

from revdesk.cases import services as case_services
from revdesk.cases.choices import Status
from revdesk.foundation.context import acting_as
from revdesk.foundation.models import ChangeRecord
from revdesk.receivables.models import PaymentApplication
from revdesk.receivables.services import payment_application_save
from revdesk.testing import teams_build

# tests/ is not a package: pytest puts it on sys.path, so tests/web/conftest.py is "web.conftest".
from web.conftest import browser, page, sign_in  # noqa: F401

# Week 2025-W49: Monday 1 December 2025 (the time zone is UTC in the tests).
WEEK = dt.date(2025, 12, 1)
MONDAY_10 = dt.datetime(2025, 12, 1, 10, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


@pytest.fixture
def teams(world):
    return teams_build(world)


@pytest.fixture
def case_done(world, teams):
    """case_done(owner, at, title=..., team=...): a case opened and resolved by its owner."""

    def make(owner: str, at: dt.datetime, title: str = "Price query", team: str = "collections"):
        user = world.users[owner]
        case = case_services.case_open(
            actor=user,
            case_type="ar_dispute",
            title=title,
            team=teams[team],
            owner=user,
            now=at - 2 * H,
        )
        return case_services.case_transition(
            case,
            Status.RESOLVED,
            actor=user,
            outcome="rebill",
            note="Rebilled at the contract price.",
            now=at,
        )

    return make


@pytest.fixture
def cash_applied(world, ledger):
    """cash_applied(username, payment, invoice, amount, at, source="web"): a payment
    application a person made, as the change log records it, at a chosen moment."""

    def make(username, payment, invoice, amount, at, source="web"):
        user = world.users[username]
        application = PaymentApplication(
            payment=ledger.payments[payment],
            invoice=ledger.invoices[invoice],
            amount=Decimal(amount),
            applied_on=at.date(),
        )
        with acting_as(user, source):
            payment_application_save(application=application, actor=user)
        ChangeRecord.objects.filter(object_id=str(application.pk), action="create").filter(
            content_type__model="paymentapplication"
        ).update(time=at)
        return application

    return make
