"""Reads have one definition each, and show only what the person may see.

History names keys through the viewer's scope (one read per related model, however many
entries); "unapplied" counts every application of a payment, whoever may see the invoice it
paid; the collectors offered are one list; the reporting line is restricted.
"""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from revdesk.orders.selectors import order_list, order_total, order_totals
from revdesk.parties.models import Customer, Payee
from revdesk.parties.services import customer_update
from revdesk.testing import signed_in

NOT_VISIBLE = "(not visible to you)"


def _history_changes(client, username, customer):
    response = signed_in(client, username).get(customer.get_absolute_url())
    client.logout()
    return [
        [(change.label, change.before, change.after) for change in entry.changes]
        for entry in response.context["history"]
    ]


def _move_away_and_back(world, times=1):
    """ops puts C-1000 under the west customer and rep, then back; times rounds."""
    customer = world.customer_east
    for _ in range(times):
        customer_update(
            customer=customer,
            actor=world.users["ops"],
            data={"parent": world.customer_west, "sales_rep": world.rep_west},
        )
        customer.refresh_from_db()
        customer_update(
            customer=customer,
            actor=world.users["ops"],
            data={"parent": None, "sales_rep": world.rep_east},
        )
        customer.refresh_from_db()


def test_history_hides_names_outside_the_viewers_scope(client, world):
    _move_away_and_back(world)
    west = str(world.customer_west)
    assert _history_changes(client, "collector", world.customer_east) == [
        [("Parent", NOT_VISIBLE, "—"), ("Sales rep", NOT_VISIBLE, NOT_VISIBLE)],
        [("Parent", "—", NOT_VISIBLE), ("Sales rep", NOT_VISIBLE, NOT_VISIBLE)],
    ]
    assert _history_changes(client, "rep", world.customer_east) == [
        [("Parent", NOT_VISIBLE, "—"), ("Sales rep", NOT_VISIBLE, str(world.rep_east))],
        [("Parent", "—", NOT_VISIBLE), ("Sales rep", str(world.rep_east), NOT_VISIBLE)],
    ]
    assert _history_changes(client, "admin", world.customer_east) == [
        [("Parent", west, "—"), ("Sales rep", str(world.rep_west), str(world.rep_east))],
        [("Parent", "—", west), ("Sales rep", str(world.rep_east), str(world.rep_west))],
    ]


def test_history_of_a_deleted_key_says_deleted(client, world):
    _move_away_and_back(world)
    gone = Payee.objects.create(code="E999", name="Gone Soon")
    customer_update(
        customer=world.customer_east, actor=world.users["ops"], data={"sales_rep": gone}
    )
    world.customer_east.refresh_from_db()
    Customer.objects.filter(pk=world.customer_east.pk).update(sales_rep=world.rep_east)
    gone_pk = gone.pk
    gone.delete()
    latest = _history_changes(client, "admin", world.customer_east)[0]
    assert latest == [("Sales rep", str(world.rep_east), f"#{gone_pk} (deleted)")]


def test_history_reads_do_not_grow_with_the_entries(client, world, django_assert_max_num_queries):
    _move_away_and_back(world, times=1)
    signed_in(client, "collector")
    url = world.customer_east.get_absolute_url()
    client.get(url)  # warm the session and the content types
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(url).context["history"]) == 2
    _move_away_and_back(world, times=5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url).context["history"]) == 12


# collectors offered: one list for the form, the filter and the API ---------------------------


def test_an_inactive_collector_is_not_offered(client, world):
    collector2 = world.users["collector2"]
    collector2.is_active = False
    collector2.save()
    response = signed_in(client, "ops").get("/customers/")
    field = response.context["filterset"].form.fields["collector"]
    assert [user.username for user in field.queryset] == ["collector", "lead"]


# reporting line ---------------------------------------------------------------------------


def test_reporting_line_names_only_managers_the_viewer_may_see(client, world):
    top = Payee.objects.create(code="E001", name="Tess Top", kind="manager")
    Payee.objects.filter(pk=world.manager.pk).update(manager=top)
    url = reverse("web:payee_detail", args=[world.rep_east.pk])

    def line(username):
        response = signed_in(client, username).get(url)
        client.logout()
        return response.context["reporting_line"]

    # a rep sees who they report to, not the managers above
    assert line("rep") == [NOT_VISIBLE, str(world.manager)]
    assert line("manager") == [NOT_VISIBLE, str(world.manager)]
    assert line("admin") == [str(top), str(world.manager)]


# order totals -----------------------------------------------------------------------------


def test_order_total_is_one_rule_for_the_web_and_the_api(ledger, world):
    orders = list(order_list(user=world.users["admin"]))
    totals = order_totals(order_ids=[order.pk for order in orders])
    assert totals == {order.pk: order_total(order) for order in orders}
    assert all(total == total.quantize(Decimal("0.01")) for total in totals.values())
