"""Same seed, same data: a fingerprint over natural keys and amounts of every table."""

from django.db import transaction

from revdesk.demo.generator import company_build
from revdesk.demo.selectors import FINGERPRINT_FIELDS, demo_fingerprint


def _fingerprint(seed: int, customers: int = 30) -> dict[str, str]:
    with transaction.atomic():
        company_build(seed=seed, customers=customers)
        fingerprint = demo_fingerprint()
        transaction.set_rollback(True)
    return fingerprint


def test_same_seed_gives_identical_data(db):
    first = _fingerprint(7)
    second = _fingerprint(7)
    assert set(first) == {model.__name__ for model in FINGERPRINT_FIELDS} | {"all"}
    assert first == second


def test_another_seed_gives_other_data(db):
    first = _fingerprint(7)
    other = _fingerprint(8)
    assert other["Customer"] != first["Customer"]
    assert other["Invoice"] != first["Invoice"]
    assert other["Product"] == first["Product"]  # the catalogue does not depend on the seed
