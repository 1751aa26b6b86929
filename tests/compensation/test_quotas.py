"""Payees' own quotas: loaded from a file (all or nothing, every bad line named, the same
file twice changes nothing) and used by the run in place of the plan's quota."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from revdesk.cli import main
from revdesk.compensation.models import Quota
from revdesk.compensation.runs import run_create
from revdesk.compensation.services import plan_version_save
from revdesk.parties.models import PlanAssignment

from .test_runs import invoice, order, payouts

pytestmark = pytest.mark.django_db

PLAN = """\
code: quota-rep
name: Quota rep
version: 1
valid_from: 2026-01-01
currency: USD
period: month
rounding: line
payable_on: invoice
quota: 10000.00
components:
  - code: commission
    basis: amount
    rate: "0.05"
bonuses:
  - {code: quota-made, attainment_at_least: 1.00, amount: 500.00}
"""


def test_a_bad_quota_file_loads_nothing_and_names_every_line(world, tmp_path, capsys):
    path = tmp_path / "quotas.csv"
    path.write_text(
        "payee,period,amount\n"
        "E101,2026-03,3000\n"
        "E999,2026-03,3000\n"
        "E102,2026-13,100\n"
        "E102,2026-04,-5\n"
        "E101,2026-03,3500\n"
    )
    assert main(["commissions", "quotas", "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Nothing was loaded: quotas.csv has mistakes" in err
    assert "quotas.csv, line 4, column period: '2026-13' is not a period" in err
    assert not Quota.objects.exists()
    path.write_text(
        "payee,period,amount\n"
        "E999,2026-03,3000\n"
        "E102,2026-04,-5\n"
        "E101,2026-03,3000\n"
        "E101,2026-03,3500\n"
    )
    assert main(["commissions", "quotas", "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "quotas.csv, line 2, column payee: no payee has code 'E999'" in err
    assert "quotas.csv, line 3, column amount: a quota is zero or more" in err
    assert "quotas.csv, line 5, column period: E101 2026-03 is already on line 4" in err
    assert not Quota.objects.exists()


def test_a_payees_quota_takes_the_place_of_the_plans(world, tmp_path, capsys):
    """E101 invoices 4,000.00 in March: 200.00 at 5%. Against the plan's 10,000.00 quota no
    bonus; against their own 3,000.00 quota for March the 500.00 bonus is earned."""
    plan_version_save(PLAN, actor=None)
    PlanAssignment.objects.create(
        payee=world.rep_east, plan_code="quota-rep", valid_from=dt.date(2026, 1, 1)
    )
    made = order(
        "SO-Q", world.customer_east, dt.date(2026, 3, 1), [(world.product_ups, "1", "4000")]
    )
    invoice("INV-Q", made, dt.date(2026, 3, 10), "4000.00")
    assert payouts(run_create("2026-03", actor=None)) == [
        ("E101", "2026-03", Decimal("200.00"), "USD")
    ]
    path = tmp_path / "quotas.csv"
    path.write_text("payee,period,amount\nE101,2026-03,3000.00\nE101,2026-04,3000.00\n")
    assert main(["commissions", "quotas", "import", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "ok": True,
        "created": 2,
        "changed": 0,
        "unchanged": 0,
    }
    assert main(["commissions", "quotas", "import", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["unchanged"] == 2
    assert payouts(run_create("2026-03", actor=None)) == [
        ("E101", "2026-03", Decimal("700.00"), "USD")
    ]
    from revdesk.compensation.selectors import payee_commissions

    chart = payee_commissions(world.rep_east, year=2026, include_drafts=True).chart
    march = next(month for month in chart if month.month == "2026-03")
    assert (march.credited, march.quota) == (Decimal("4000"), Decimal("3000.00"))
