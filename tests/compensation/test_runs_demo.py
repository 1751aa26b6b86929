"""`revdesk commissions run` on a small demo company: it completes and every payout is the
sum of its explanation lines."""

import datetime as dt
import json
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest

from revdesk.cli import main
from revdesk.compensation.models import CommissionRun, Payout, PayoutLine
from revdesk.demo.generator import company_build

pytestmark = pytest.mark.django_db


def test_a_run_on_the_demo_completes_and_adds_up(capsys):
    company_build(seed=11, as_of=dt.date(2026, 11, 29), customers=30)
    paid, reviewed = CommissionRun.objects.order_by("pk")
    assert (paid.periods, paid.status) == ("2026-01..2026-09", "paid")
    assert (reviewed.periods, reviewed.status) == ("2026-10", "reviewed")
    # the demo's October run is under review: it must go back to draft to be run again
    assert main(["commissions", "run", "--period", "2026-10", "--json"]) == 1
    refused = capsys.readouterr()
    assert f"2026-10 is reviewed in run {reviewed.pk}" in refused.out + refused.err
    assert main(["commissions", "reopen", str(reviewed.pk)]) == 0
    capsys.readouterr()
    assert main(["commissions", "run", "--period", "2026-10", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    run = CommissionRun.objects.get(pk=summary["run"])
    assert run.pk == reviewed.pk  # the draft is replaced, keeping its number
    assert summary["ok"]
    assert summary["status"] == "draft"
    assert summary["fingerprint"] == reviewed.fingerprint  # nothing changed since
    assert run.payee_count > 0
    assert run.line_count > 0
    lines = defaultdict(Decimal)
    for payee, period, amount in PayoutLine.objects.filter(run=run).values_list(
        "payee_id", "period", "amount"
    ):
        lines[(payee, period)] += amount
    payouts = list(Payout.objects.filter(run=run).values_list("payee_id", "period", "amount"))
    assert payouts
    for payee, period, amount in payouts:
        assert lines[(payee, period)].quantize(Decimal("0.01"), ROUND_HALF_UP) == amount
    total = sum((amount for *_, amount in payouts), Decimal(0))
    assert run.totals == {"USD": format(total, "f")}
    payee = PayoutLine.objects.filter(run=run).values_list("payee__code", flat=True).first()
    assert main(["commissions", "explain", str(run.pk), payee]) == 0
    assert f"Total {payee}" in capsys.readouterr().out
    assert main(["commissions", "runs"]) == 0
    assert main(["commissions", "review", str(run.pk)]) == 0
    assert f"Run {run.pk} (2026-10) is now reviewed." in capsys.readouterr().out
