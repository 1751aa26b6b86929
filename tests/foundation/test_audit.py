"""The change log: written by services inside their transaction, with exact before/after."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from revdesk.foundation.audit import (
    audited_delete,
    audited_save,
    change_history,
    change_record_build,
    change_records_bulk_create,
    snapshot,
)
from revdesk.foundation.context import acting_as
from revdesk.foundation.models import ChangeAction, ChangeRecord
from revdesk.parties.models import Customer, Territory


def _records():
    return list(ChangeRecord.objects.order_by("id"))


def test_create_update_and_no_op_write_one_one_and_zero_records(world):
    ops = world.users["ops"]
    north = Territory(code="US-NORTH")
    assert audited_save(north, actor=ops, fields={"name": "US North"}) is True
    assert audited_save(north, actor=ops, fields={"name": "US North-East"}) is True
    assert audited_save(north, actor=ops, fields={"name": "US North-East"}) is False

    created, updated = _records()
    assert (created.action, created.before, created.after) == (
        ChangeAction.CREATE,
        None,
        {"code": "US-NORTH", "name": "US North", "parent": None},
    )
    assert (updated.action, updated.before, updated.after) == (
        ChangeAction.UPDATE,
        {"code": "US-NORTH", "name": "US North", "parent": None},
        {"code": "US-NORTH", "name": "US North-East", "parent": None},
    )
    assert updated.changed_fields == [("name", "US North", "US North-East")]
    assert (updated.user, updated.user_name, updated.object_id, updated.object_repr) == (
        ops,
        "ops",
        str(north.pk),
        "US-NORTH US North-East",
    )
    assert updated.content_type == ContentType.objects.get_for_model(Territory)


def test_money_is_snapshotted_as_text_to_the_cent_and_equal_amounts_are_no_change(world):
    customer = world.customer_east
    assert snapshot(customer)["credit_limit"] == "250000.00"
    assert audited_save(customer, actor=None, fields={"credit_limit": "250000"}) is False
    assert audited_save(customer, actor=None, fields={"credit_limit": "250000.10"}) is True
    [record] = _records()
    assert record.changed_fields == [("credit_limit", "250000.00", "250000.10")]
    assert (record.user, record.user_name, record.source) == (None, "system", "system")


def test_an_invalid_value_raises_and_writes_nothing(world):
    customer = world.customer_east
    with pytest.raises(ValidationError) as raised:
        audited_save(customer, actor=world.users["ops"], fields={"country": "usa"})
    assert raised.value.message_dict == {
        "country": [
            "usa is not an ISO 3166 country code: use two capital letters (e.g. US, DE, GB)",
            "Ensure this value has at most 2 characters (it has 3).",
        ]
    }
    assert Customer.objects.get(pk=customer.pk).country == "US"
    assert _records() == []


def test_delete_records_the_last_state(world):
    north = Territory.objects.create(code="US-NORTH", name="US North")
    pk = north.pk
    audited_delete(north, actor=world.users["admin"])
    [record] = _records()
    assert (record.action, record.object_id, record.before, record.after) == (
        ChangeAction.DELETE,
        str(pk),
        {"code": "US-NORTH", "name": "US North", "parent": None},
        None,
    )
    assert not Territory.objects.filter(pk=pk).exists()


def test_the_actor_name_is_kept_after_the_user_is_deleted(world):
    collector = world.users["collector"]
    audited_save(world.customer_east, actor=collector, fields={"requires_po": False})
    collector.delete()
    [record] = _records()
    assert (record.user, record.user_name) == (None, "collector")
    assert str(record) == "Updated Acme Data Centers (C-1000) by collector"


def test_one_request_id_groups_the_changes_of_one_action(world):
    ops = world.users["ops"]
    with acting_as(ops, "web") as first:
        audited_save(world.customer_east, actor=ops, fields={"payment_terms_days": 45})
        audited_save(world.customer_west, actor=ops, fields={"payment_terms_days": 60})
    with acting_as(ops, "import:customers.csv") as second:
        audited_save(world.customer_east, actor=ops, fields={"payment_terms_days": 30})
    records = _records()
    assert [(r.request_id, r.source) for r in records] == [
        (first.request_id, "web"),
        (first.request_id, "web"),
        (second.request_id, "import:customers.csv"),
    ]
    assert first.request_id != second.request_id


def test_one_http_request_is_one_request_id(world, client):
    client.force_login(world.users["ops"])
    response = client.patch(
        f"/api/customers/{world.customer_east.pk}",
        {"payment_terms_days": 15, "requires_po": False},
        content_type="application/json",
    )
    assert response.status_code == 200
    [record] = _records()
    assert str(record.request_id) == response["X-Request-Id"]
    assert record.changed_fields == [("payment_terms_days", 30, 15), ("requires_po", True, False)]


def test_bulk_records_are_written_in_one_go_with_one_request_id(world):
    customers = [world.customer_east, world.customer_west]
    with acting_as(world.users["ops"], "import:terms.csv"):
        records = [
            change_record_build(
                actor=world.users["ops"],
                action=ChangeAction.UPDATE,
                instance=customer,
                before={"payment_terms_days": customer.payment_terms_days},
                after={"payment_terms_days": 60},
            )
            for customer in customers
        ]
        change_records_bulk_create(records)
    stored = _records()
    assert [(r.object_id, r.before, r.after) for r in stored] == [
        (str(world.customer_east.pk), {"payment_terms_days": 30}, {"payment_terms_days": 60}),
        (str(world.customer_west.pk), {"payment_terms_days": 45}, {"payment_terms_days": 60}),
    ]
    assert len({r.request_id for r in stored}) == 1


def test_change_history_is_one_objects_changes_newest_first(world):
    ops = world.users["ops"]
    audited_save(world.customer_east, actor=ops, fields={"payment_terms_days": 45})
    audited_save(world.customer_west, actor=ops, fields={"payment_terms_days": 60})
    audited_save(world.customer_east, actor=ops, fields={"payment_terms_days": 50})
    history = change_history(world.customer_east)
    assert [r.changed_fields for r in history] == [
        [("payment_terms_days", 45, 50)],
        [("payment_terms_days", 30, 45)],
    ]
