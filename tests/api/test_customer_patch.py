"""PATCH /api/customers/{id}: audited with before/after; 403/404/422 write nothing."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from revdesk.foundation.models import ChangeRecord
from revdesk.parties.models import Customer
from revdesk.testing import ROLES


def _records(customer):
    return list(
        ChangeRecord.objects.filter(
            content_type=ContentType.objects.get_for_model(Customer), object_id=str(customer.pk)
        )
    )


def _state(customer):
    return Customer.objects.filter(pk=customer.pk).values().get()


def test_ops_patch_is_saved_and_audited_with_before_and_after(world, as_role):
    customer = world.customer_east
    response = as_role["ops"].patch(
        f"/api/customers/{customer.pk}",
        {"credit_limit": "300000.50", "territory": "US-WEST", "portal_name": "Ariba"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["credit_limit"], body["currency"], body["territory"], body["portal_name"]) == (
        "300000.50",
        "USD",
        "US-WEST",
        "Ariba",
    )
    saved = Customer.objects.get(pk=customer.pk)
    assert (saved.credit_limit, saved.territory_id, saved.portal_name) == (
        Decimal("300000.50"),
        world.territory_west.pk,
        "Ariba",
    )
    [record] = _records(customer)
    assert (record.action, record.user_name, record.user, record.source) == (
        "update",
        "ops",
        world.users["ops"],
        "api",
    )
    assert str(record.request_id) == response["X-Request-Id"]
    assert record.changed_fields == [
        ("credit_limit", "250000.00", "300000.50"),
        ("portal_name", "", "Ariba"),
        ("territory", world.territory_east.pk, world.territory_west.pk),
    ]


def test_patch_with_the_same_values_writes_no_record(world, as_role):
    customer = world.customer_east
    response = as_role["ops"].patch(
        f"/api/customers/{customer.pk}", {"credit_limit": "250000", "name": "Acme Data Centers"}
    )
    assert response.status_code == 200
    assert _records(customer) == []


def test_history_lists_the_change(world, as_role):
    customer = world.customer_east
    as_role["admin"].patch(f"/api/customers/{customer.pk}", {"payment_terms_days": 45})
    response = as_role["collector"].get(f"/api/customers/{customer.pk}/history")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [entry] = body["items"]
    assert (entry["user"], entry["action"], entry["source"], entry["changes"]) == (
        "admin",
        "update",
        "api",
        [{"field": "payment_terms_days", "before": 30, "after": 45}],
    )


# Who may change the credit limit of C-1000 (a customer of collector's portfolio and rep's).
CREDIT_LIMIT = {
    "admin": 200,
    "ops": 200,
    "analyst": 403,
    "leader": 403,
    "lead": 403,
    "collector": 403,
    "collector2": 404,
    "manager": 403,
    "rep": 403,
    "rep_west": 404,
    "distributor": 404,
}
# Who may change its documentation requirements (the collections desk keeps them).
DOCUMENTATION = {**CREDIT_LIMIT, "lead": 200, "collector": 200}


@pytest.mark.parametrize(
    ("data", "expected"),
    [({"credit_limit": "1.00"}, CREDIT_LIMIT), ({"requires_portal_upload": True}, DOCUMENTATION)],
    ids=["credit_limit", "documentation"],
)
def test_patch_permission_matrix(world, as_role, data, expected):
    customer = world.customer_east
    answered = {}
    for role in ROLES:
        before = _state(customer)
        records_before = len(_records(customer))
        response = as_role[role].patch(f"/api/customers/{customer.pk}", data)
        answered[role] = response.status_code
        if response.status_code == 200:
            assert len(_records(customer)) == records_before + 1
            # put it back so the next role makes a change too
            Customer.objects.filter(pk=customer.pk).update(
                credit_limit=before["credit_limit"],
                requires_portal_upload=before["requires_portal_upload"],
            )
        else:
            assert _state(customer) == before, role
            assert len(_records(customer)) == records_before, role
    assert answered == expected


def test_a_role_that_may_not_edit_gets_a_plain_403(world, as_role):
    customer = world.customer_east
    before = _state(customer)
    response = as_role["analyst"].patch(f"/api/customers/{customer.pk}", {"name": "X"})
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "Your role (Commissions analyst) may read this customer but not change it."},
    )
    assert _state(customer) == before
    assert _records(customer) == []


def test_a_collector_may_not_touch_the_credit_limit(world, as_role):
    customer = world.customer_east
    before = _state(customer)
    response = as_role["collector"].patch(
        f"/api/customers/{customer.pk}", {"credit_limit": "1.00", "requires_po": False}
    )
    assert (response.status_code, response.json()) == (
        403,
        {
            "detail": "You may change only invoice_format, portal_name, requires_po, "
            "requires_portal_upload, requires_proof_of_delivery, requires_timesheet on this "
            "customer; not credit_limit. Nothing was changed."
        },
    )
    assert _state(customer) == before
    assert _records(customer) == []


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"credit_limit": "-5.00"},
            [
                {
                    "field": "credit_limit",
                    "message": "Ensure this value is greater than or equal to 0.",
                    "value": "-5.00",
                }
            ],
        ),
        (
            {"credit_limit": 12.5},
            [
                {
                    "field": "credit_limit",
                    "message": 'send the amount as a string, e.g. "12.5", so it stays exact',
                    "value": 12.5,
                }
            ],
        ),
        (
            {"credit_limit": "12,5x"},
            [
                {
                    "field": "credit_limit",
                    "message": "'12,5x' is not an amount; expected e.g. \"1234.50\"",
                    "value": "12,5x",
                }
            ],
        ),
        (
            {"country": "usa"},
            [
                {
                    "field": "country",
                    "message": "usa is not an ISO 3166 country code: use two capital letters "
                    "(e.g. US, DE, GB)",
                    "value": "usa",
                },
                {
                    "field": "country",
                    "message": "Ensure this value has at most 2 characters (it has 3).",
                    "value": "usa",
                },
            ],
        ),
        (
            {"segment": "huge"},
            [
                {
                    "field": "segment",
                    "message": "Input should be 'enterprise', 'mid_market', 'small_business', "
                    "'public_sector' or 'carrier'",
                    "value": "huge",
                }
            ],
        ),
        (
            {"code": "C-9"},
            [{"field": "code", "message": "is not a field you can set here", "value": "C-9"}],
        ),
        (
            {"name": None},
            [{"field": "name", "message": "Input should be a valid string"}],
        ),
        (
            {"territory": "US-NORTH", "sales_rep": "E999"},
            [
                {
                    "field": "territory",
                    "message": "No territory with code 'US-NORTH' among the records you may see.",
                    "value": "US-NORTH",
                },
                {
                    "field": "sales_rep",
                    "message": "No payee with code 'E999' among the records you may see.",
                    "value": "E999",
                },
            ],
        ),
        (
            {"parent": "C-1001"},
            [
                {
                    "field": "parent",
                    "message": "A customer cannot be its own ancestor.",
                    "value": "C-1001",
                }
            ],
        ),
    ],
    ids=[
        "negative",
        "float",
        "not-a-number",
        "country",
        "segment",
        "not-editable",
        "null",
        "unknown-codes",
        "cycle",
    ],
)
def test_bad_values_are_422_with_field_and_message_and_write_nothing(world, as_role, data, errors):
    customer = world.customer_east
    before = _state(customer)
    response = as_role["ops"].patch(f"/api/customers/{customer.pk}", data)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["errors"] == errors
    assert body["detail"].startswith(f"The request has {len(errors)} problem")
    assert ", nothing was changed." in body["detail"]
    assert _state(customer) == before
    assert _records(customer) == []


def test_422_detail_reads_as_a_sentence(world, as_role):
    response = as_role["ops"].patch(
        f"/api/customers/{world.customer_east.pk}", {"credit_limit": "-5.00"}
    )
    assert response.json()["detail"] == (
        "The request has 1 problem, nothing was changed. credit_limit: Ensure this value is "
        "greater than or equal to 0. (got '-5.00')"
    )


def test_ops_may_move_a_customer_to_another_collector_and_rep(world, as_role):
    customer = world.customer_west
    response = as_role["ops"].patch(
        f"/api/customers/{customer.pk}",
        {"collector": "collector", "sales_rep": "E101", "parent": None},
    )
    assert response.status_code == 200, response.content
    assert (response.json()["collector"], response.json()["sales_rep"]) == ("collector", "E101")
    visible = as_role["collector"].get("/api/customers").json()
    assert sorted(c["code"] for c in visible["items"]) == ["C-1000", "C-1001", "C-2000"]
