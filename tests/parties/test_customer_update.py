"""customer_update checks the actor's rights itself, on the locked row, whoever calls it."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from revdesk.foundation.models import ChangeRecord
from revdesk.parties.services import customer_update


def test_collector_may_change_documentation_requirements(world):
    customer = world.customer_east
    assert customer_update(
        customer=customer, actor=world.users["collector"], data={"requires_portal_upload": True}
    )
    assert customer.requires_portal_upload is True  # the caller's instance is refreshed
    record = ChangeRecord.objects.get()
    assert record.user_name == "collector"
    assert record.changed_fields == [("requires_portal_upload", False, True)]


@pytest.mark.parametrize(
    ("username", "data", "message"),
    [
        (
            "collector",
            {"credit_limit": Decimal("1.00")},
            "collector may change only invoice_format, portal_name, requires_po, "
            "requires_portal_upload, requires_proof_of_delivery, requires_timesheet on Acme "
            "Data Centers (C-1000), not credit_limit.",
        ),
        ("rep", {"requires_po": False}, "rep may not change Acme Data Centers (C-1000)."),
        ("collector2", {"requires_po": False}, "collector2 may not change Acme Data Centers"),
    ],
)
def test_refused_changes_write_nothing(world, username, data, message):
    with pytest.raises(PermissionDenied, match=message.replace("(", r"\(").replace(")", r"\)")):
        customer_update(customer=world.customer_east, actor=world.users[username], data=data)
    world.customer_east.refresh_from_db()
    assert world.customer_east.credit_limit == Decimal("250000.00")
    assert world.customer_east.requires_po is True
    assert not ChangeRecord.objects.exists()


def test_senior_collector_cannot_move_a_customer_out_of_their_team(world):
    with pytest.raises(PermissionDenied, match="out of what lead can see"):
        customer_update(
            customer=world.customer_east,
            actor=world.users["lead"],
            data={"collector": world.users["collector2"]},
        )
    world.customer_east.refresh_from_db()
    assert world.customer_east.collector == world.users["collector"]
    assert not ChangeRecord.objects.exists()


def test_senior_collector_reassigns_within_the_team(world):
    assert customer_update(
        customer=world.customer_east,
        actor=world.users["lead"],
        data={"collector": world.users["lead"], "payment_terms_days": 45},
    )
    record = ChangeRecord.objects.get()
    assert record.changed_fields == [
        ("collector", world.users["collector"].pk, world.users["lead"].pk),
        ("payment_terms_days", 30, 45),
    ]
