"""Same seed and same as-of date, same data: a fingerprint over every table's natural keys."""

import datetime as dt

from django.db import transaction

from revdesk.demo.generator import company_build
from revdesk.demo.selectors import FINGERPRINT_FIELDS, demo_fingerprint
from revdesk.orders.models import Order
from revdesk.receivables.models import Invoice

AS_OF = dt.date(2026, 11, 29)


def _build(seed: int, as_of: dt.date = AS_OF, customers: int = 30):
    with transaction.atomic():
        company_build(seed=seed, as_of=as_of, customers=customers)
        fingerprint = demo_fingerprint()
        last_order = Order.objects.order_by("-booked_on").values_list("booked_on", flat=True)[0]
        first_invoice = Invoice.objects.order_by("issued_on").values_list("issued_on", flat=True)[0]
        transaction.set_rollback(True)
    return fingerprint, last_order, first_invoice


def test_same_seed_and_date_give_identical_data(db):
    first, *_ = _build(7)
    second, *_ = _build(7)
    assert set(first) == {model.__name__ for model in FINGERPRINT_FIELDS} | {"all"}
    assert first == second


def test_another_seed_gives_other_data(db):
    first, *_ = _build(7)
    other, *_ = _build(8)
    assert other["Customer"] != first["Customer"]
    assert other["Invoice"] != first["Invoice"]
    assert other["Product"] == first["Product"]  # the catalogue does not depend on the seed


def test_another_as_of_date_shifts_the_year(db):
    first, first_last_order, first_invoice = _build(7)
    later, later_last_order, later_invoice = _build(7, as_of=dt.date(2027, 1, 4))
    assert later["all"] != first["all"]
    assert later["Invoice"] != first["Invoice"]
    assert later["Product"] == first["Product"]
    assert first_last_order <= AS_OF
    assert later_last_order <= dt.date(2027, 1, 4)
    assert later_last_order > AS_OF
    assert first_invoice == dt.date(2025, 12, 1)  # services bill on the first of the month
    assert later_invoice == dt.date(2026, 2, 1)
