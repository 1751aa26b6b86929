"""Two calculations of the same new period at once make one run (PostgreSQL: the second
waits for the first and replaces its draft)."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from revdesk.compensation.models import CommissionRun
from revdesk.compensation.runs import run_create
from revdesk.compensation.services import plan_version_save
from revdesk.parties.models import PlanAssignment

from .test_runs import PLAN, invoice, order


@pytest.mark.django_db(transaction=True)
def test_two_calculations_of_a_new_period_make_one_run(world):
    if connection.vendor != "postgresql":
        pytest.skip("runs only on PostgreSQL: SQLite writes one transaction at a time")
    plan_version_save(PLAN, actor=None)
    PlanAssignment.objects.create(
        payee=world.rep_east, plan_code="field-rep", valid_from=dt.date(2025, 1, 1)
    )
    made = order(
        "SO-1", world.customer_east, dt.date(2026, 3, 1), [(world.product_ups, "1", "100")]
    )
    invoice("INV-1", made, dt.date(2026, 3, 10), "100.00")
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def calculate() -> None:
        try:
            start.wait()
            run_create("2026-03", actor=None)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=calculate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert list(CommissionRun.objects.values_list("periods", flat=True)) == ["2026-03"]
