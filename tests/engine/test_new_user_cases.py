"""Edge cases written by a new user from docs/guide/plans.md and examples/commissions alone,
each payout worked out by hand first (the arithmetic is in the comments), then run through
`revdesk calc commissions` exactly as a user runs it: files in, payouts and explanation out."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from revdesk.cli import main

D = Decimal
HEADER = "id,date,type,payee,customer,product_line,sku,units,amount,cost,currency,original_id\n"


def _run(tmp_path: Path, files: dict[str, str], period: str, *options: str):
    """Write `files` (paths relative to tmp_path), run the CLI, return (payouts, lines).

    Options name files by their relative path: ("--fx", "fx.csv")."""
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    args = [str(tmp_path / o) if o.endswith(".csv") else o for o in options]
    out, explain = tmp_path / "out.csv", tmp_path / "explain.csv"
    code = main(
        [
            "calc",
            "commissions",
            "--plans",
            str(tmp_path / "plans"),
            "--transactions",
            str(tmp_path / "tx.csv"),
            "--period",
            period,
            "--out",
            str(out),
            "--explain",
            str(explain),
            *args,
        ]
    )
    assert code == 0
    with out.open() as handle:
        payouts = [(r["payee"], r["period"], D(r["amount"])) for r in csv.DictReader(handle)]
    with explain.open() as handle:
        lines = list(csv.DictReader(handle))
    return payouts, lines


def _line(row: dict) -> tuple:
    """An explanation line as (payee, period, transaction, share, component, tier, rate,
    base, amount, kind), numbers as Decimal, empty cells as None."""

    def num(value):
        return D(value) if value != "" else None

    return (
        row["payee"],
        row["period"],
        row["transaction_id"] or None,
        num(row["credit_share"]),
        row["component"] or None,
        int(row["tier"]) if row["tier"] else None,
        num(row["rate"]),
        num(row["base"]),
        num(row["amount"]),
        row["kind"],
    )


def _lines(lines, payee=None, period=None):
    return [
        _line(r)
        for r in lines
        if (payee is None or r["payee"] == payee) and (period is None or r["period"] == period)
    ]


def _total_by_payee_period(lines):
    totals: dict[tuple[str, str], Decimal] = {}
    for r in lines:
        key = (r["payee"], r["period"])
        totals[key] = totals.get(key, D(0)) + D(r["amount"])
    return totals


def _assert_lines_add_up(payouts, lines):
    totals = _total_by_payee_period(lines)
    for payee, period, amount in payouts:
        assert totals.get((payee, period), D(0)) == amount, (payee, period)


TIERS = """code: {code}
name: Tiers {method}
valid_from: 2026-01-01
currency: USD
period: month
rounding: line
payable_on: invoice
quota: "10000.00"
components:
  - code: commission
    basis: amount
    tiers:
      measure: attainment
      accumulate: period
      method: {method}
      bands:
        - {{upto: "1.00", rate: "0.04"}}
        - {{upto: "1.50", rate: "0.06"}}
        - {{rate: "0.08"}}
"""


def test_tier_boundaries_inside_transactions_incremental_and_retroactive(tmp_path):
    # quota 10,000; bands 4% to 100%, 6% to 150%, 8% above.
    # B (incremental), January: B1 6,000 @4% = 240; B2 7,000 crosses 10,000 after 4,000:
    # 4,000 @4% = 160 and 3,000 @6% = 180; B3 3,000 crosses 15,000 after 2,000: 2,000 @6% =
    # 120 and 1,000 @8% = 80. Total 780.00.
    # February: B4 10,000 lands exactly on 100% (first band, inclusive) = 400; B5 5,000.01:
    # 5,000 @6% = 300 and 0.01 @8% = 0.0008 -> 0.00. Total 700.00.
    # A (retroactive), January: 15,000 = exactly 150% -> band 2 on all: 900.00.
    # February: 15,000.01 -> band 3 on all: 800 + 400.0008 (line rounded 400.00) = 1,200.00.
    files = {
        "plans/inc.yaml": TIERS.format(code="inc", method="incremental"),
        "plans/retro.yaml": TIERS.format(code="retro", method="retroactive"),
        "plans/assignments.csv": "payee,plan,valid_from,valid_to\nB,inc,2026-01-01,\n"
        "A,retro,2026-01-01,\n",
        "tx.csv": HEADER + "B1,2026-01-05,invoice,B,C1,UPS,S1,1,6000.00,0,USD,\n"
        "B2,2026-01-10,invoice,B,C1,UPS,S1,1,7000.00,0,USD,\n"
        "B3,2026-01-20,invoice,B,C1,UPS,S1,1,3000.00,0,USD,\n"
        "B4,2026-02-03,invoice,B,C1,UPS,S1,1,10000.00,0,USD,\n"
        "B5,2026-02-03,invoice,B,C1,UPS,S1,1,5000.01,0,USD,\n"
        "A1,2026-01-05,invoice,A,C1,UPS,S1,1,6000.00,0,USD,\n"
        "A2,2026-01-10,invoice,A,C1,UPS,S1,1,7000.00,0,USD,\n"
        "A3,2026-01-20,invoice,A,C1,UPS,S1,1,2000.00,0,USD,\n"
        "A4,2026-02-03,invoice,A,C1,UPS,S1,1,10000.00,0,USD,\n"
        "A5,2026-02-04,invoice,A,C1,UPS,S1,1,5000.01,0,USD,\n",
    }
    payouts, lines = _run(tmp_path, files, "2026-01..2026-02")
    assert payouts == [
        ("A", "2026-01", D("900.00")),
        ("B", "2026-01", D("780.00")),
        ("A", "2026-02", D("1200.00")),
        ("B", "2026-02", D("700.00")),
    ]
    got = [
        (t, tier, rate, base, amount)
        for _, _, t, _, _, tier, rate, base, amount, _ in _lines(lines, "B")
    ]
    assert got == [
        ("B1", 1, D("0.04"), D(6000), D(240)),
        ("B2", 1, D("0.04"), D(4000), D(160)),
        ("B2", 2, D("0.06"), D(3000), D(180)),
        ("B3", 2, D("0.06"), D(2000), D(120)),
        ("B3", 3, D("0.08"), D(1000), D(80)),
        ("B4", 1, D("0.04"), D(10000), D(400)),
        ("B5", 2, D("0.06"), D(5000), D(300)),
        ("B5", 3, D("0.08"), D("0.01"), D(0)),
    ]
    assert {(r[2], r[5]) for r in _lines(lines, "A", "2026-01")} == {
        ("A1", 2),
        ("A2", 2),
        ("A3", 2),
    }
    assert _lines(lines, "A", "2026-02")[1][7:9] == (D("5000.01"), D("400.00"))
    _assert_lines_add_up(payouts, lines)


def test_clawback_after_the_period_closed_inside_and_outside_the_window(tmp_path):
    # Retroactive tiers (4% / 6% above 100% / 8% above 150%), quota 10,000, window 6 months.
    # January: T1 12,000 -> 120% -> 6% = 720.00 (closed when March is run alone).
    # March: T3 10,100 -> 101% -> 6% = 606.00 (clawbacks do not lower March's attainment);
    # CM1 -2,000 on T1 at T1's 6% = -120.00; CMa -1,000 on T0a of 2025-09-05, exactly six
    # months before 2026-03-05, at its 4% = -40.00; CMb on T0b of 2025-09-04, one day older
    # than the window: a zero line. March = 606 - 120 - 40 = 446.00.
    plan = TIERS.format(code="rep", method="retroactive").replace(
        "valid_from: 2026-01-01", "valid_from: 2025-01-01\nclawback:\n  window_months: 6"
    )
    files = {
        "plans/rep.yaml": plan,
        "plans/assignments.csv": "payee,plan,valid_from,valid_to\nR1,rep,2025-01-01,\n",
        "tx.csv": HEADER + "T1,2026-01-15,invoice,R1,C1,UPS,S1,1,12000.00,0,USD,\n"
        "T0a,2025-09-05,invoice,R1,C1,UPS,S1,1,1000.00,0,USD,\n"
        "T0b,2025-09-04,invoice,R1,C1,UPS,S1,1,1000.00,0,USD,\n"
        "T3,2026-03-02,invoice,R1,C1,UPS,S1,1,10100.00,0,USD,\n"
        "CM1,2026-03-10,credit_memo,R1,C1,UPS,S1,-1,-2000.00,0,USD,T1\n"
        "CMa,2026-03-05,credit_memo,R1,C1,UPS,S1,-1,-1000.00,0,USD,T0a\n"
        "CMb,2026-03-05,credit_memo,R1,C1,UPS,S1,-1,-1000.00,0,USD,T0b\n",
    }
    payouts, lines = _run(tmp_path, files, "2026-03")
    assert payouts == [("R1", "2026-03", D("446.00"))]
    got = [
        (t, tier, rate, base, amount, kind)
        for _, _, t, _, _, tier, rate, base, amount, kind in _lines(lines)
    ]
    assert got == [
        ("CM1", 2, D("0.06"), D(-2000), D(-120), "clawback"),
        ("CMa", 1, D("0.04"), D(-1000), D(-40), "clawback"),
        ("CMb", 1, D(0), D(-1000), D(0), "clawback"),
        ("T3", 2, D("0.06"), D(10100), D(606), "earning"),
    ]
    # the closed months, worked out again, are what they paid
    payouts, _ = _run(tmp_path, {}, "2025-09..2026-03")
    assert payouts == [
        ("R1", "2025-09", D("80.00")),  # 2,000 @4%
        ("R1", "2026-01", D("720.00")),
        ("R1", "2026-03", D("446.00")),
    ]


REP_5 = """code: rep
name: Rep
valid_from: 2026-01-01
currency: USD
components:
  - code: commission
    basis: amount
    rate: "0.05"
"""

POLICY_100 = """- code: Policy 100
  title: Split credit
  text: 25% specifying, 50% ordering, 25% installing.
  splits: {specifying: "0.25", ordering: "0.50", installing: "0.25"}
"""


def test_a_claim_approved_two_periods_later_adjusts_the_next_open_period(tmp_path):
    # INV-1/1 4,000 of A's in January @5% = 200.00 to A. Claim under Policy 100 approved on
    # 2026-03-15: B specifying 25%, A ordering 50%, C installing 25%. Running March alone
    # (January and February closed): A -0.5 x 4,000 x 5% = -100.00, B and C +0.25 x 4,000
    # x 5% = +50.00 each, as adjustment lines; B also earns INV-3/1 300 @5% = 15.00.
    # January stays 200.00 for A; April, run alone, has nothing to adjust.
    # CM-1/1 of April (-400 on INV-1/1) is listed in claims.csv too, so it is split
    # 50/25/25 as well: A -10.00, B -5.00, C -5.00.
    files = {
        "plans/rep.yaml": REP_5,
        "plans/policies.yaml": POLICY_100,
        "plans/assignments.csv": "payee,plan,valid_from,valid_to\nA,rep,2026-01-01,\n"
        "B,rep,2026-01-01,\nC,rep,2026-01-01,\n",
        "tx.csv": HEADER + "INV-1/1,2026-01-20,invoice,A,C1,UPS,S1,1,4000.00,0,USD,\n"
        "INV-2/1,2026-02-10,invoice,A,C1,UPS,S1,1,1000.00,0,USD,\n"
        "INV-3/1,2026-03-05,invoice,B,C1,UPS,S1,1,300.00,0,USD,\n"
        "CM-1/1,2026-04-10,credit_memo,A,C1,UPS,S1,-1,-400.00,0,USD,INV-1/1\n",
        "claims.csv": "claim_id,policy,transaction_id,filed,approved,specifying,ordering,"
        "installing\n"
        "CL1,Policy 100,INV-1/1,2026-02-25,2026-03-15,B,A,C\n"
        "CL1,Policy 100,CM-1/1,2026-02-25,2026-03-15,B,A,C\n",
    }
    payouts, lines = _run(tmp_path, files, "2026-03", "--claims", "claims.csv")
    assert payouts == [
        ("A", "2026-03", D("-100.00")),
        ("B", "2026-03", D("65.00")),
        ("C", "2026-03", D("50.00")),
    ]
    assert _lines(lines) == [
        (
            "A",
            "2026-03",
            "INV-1/1",
            D("-0.5"),
            "commission",
            None,
            D("0.05"),
            D(-2000),
            D(-100),
            "adjustment",
        ),
        (
            "B",
            "2026-03",
            "INV-1/1",
            D("0.25"),
            "commission",
            None,
            D("0.05"),
            D(1000),
            D(50),
            "adjustment",
        ),
        ("B", "2026-03", "INV-3/1", D(1), "commission", None, D("0.05"), D(300), D(15), "earning"),
        (
            "C",
            "2026-03",
            "INV-1/1",
            D("0.25"),
            "commission",
            None,
            D("0.05"),
            D(1000),
            D(50),
            "adjustment",
        ),
    ]
    payouts, _ = _run(tmp_path, {}, "2026-01..2026-04", "--claims", "claims.csv")
    assert payouts == [
        ("A", "2026-01", D("200.00")),
        ("A", "2026-02", D("50.00")),
        ("A", "2026-03", D("-100.00")),
        ("B", "2026-03", D("65.00")),
        ("C", "2026-03", D("50.00")),
        ("A", "2026-04", D("-10.00")),
        ("B", "2026-04", D("-5.00")),
        ("C", "2026-04", D("-5.00")),
    ]
    payouts, lines = _run(tmp_path, {}, "2026-04", "--claims", "claims.csv")
    assert [r["kind"] for r in lines] == ["earning"] * 3
    assert payouts == [
        ("A", "2026-04", D("-10.00")),
        ("B", "2026-04", D("-5.00")),
        ("C", "2026-04", D("-5.00")),
    ]


def test_a_payee_moving_territory_and_plan_mid_month(tmp_path):
    # R1 is on the east plan (5% of EAST sales) to 15 January, then on the west plan
    # (incremental 4% to quota 10,000, 6% above, WEST sales only); R2 takes over EAST.
    # T1 EAST 8,000 on 10 Jan under east: 400.00. T4 WEST on 15 Jan under east: nothing
    # (filter). T5 EAST on 16 Jan under west: nothing. T3 WEST 12,000 on 20 Jan under west,
    # attainment counted on the west plan's basis alone: 10,000 @4% = 400 + 2,000 @6% = 120.
    # R1 = 920.00. R2: T2 EAST 2,000 @5% = 100.00.
    header = HEADER.strip() + ",territory\n"
    files = {
        "plans/east.yaml": """code: east
name: East
valid_from: 2026-01-01
currency: USD
components:
  - {code: east, basis: amount, rate: "0.05", filter: {territories: [EAST]}}
""",
        "plans/west.yaml": """code: west
name: West
valid_from: 2026-01-01
currency: USD
quota: "10000.00"
components:
  - code: west
    basis: amount
    filter: {territories: [WEST]}
    tiers:
      measure: attainment
      method: incremental
      bands: [{upto: "1.00", rate: "0.04"}, {rate: "0.06"}]
""",
        "plans/assignments.csv": "payee,plan,valid_from,valid_to\n"
        "R1,east,2026-01-01,2026-01-15\nR1,west,2026-01-16,\nR2,east,2026-01-16,\n",
        "tx.csv": header + "T1,2026-01-10,invoice,R1,C1,UPS,S1,1,8000.00,0,USD,,EAST\n"
        "T2,2026-01-20,invoice,R2,C1,UPS,S1,1,2000.00,0,USD,,EAST\n"
        "T3,2026-01-20,invoice,R1,C2,UPS,S1,1,12000.00,0,USD,,WEST\n"
        "T4,2026-01-15,invoice,R1,C2,UPS,S1,1,500.00,0,USD,,WEST\n"
        "T5,2026-01-16,invoice,R1,C1,UPS,S1,1,700.00,0,USD,,EAST\n",
    }
    payouts, lines = _run(tmp_path, files, "2026-01")
    assert payouts == [("R1", "2026-01", D("920.00")), ("R2", "2026-01", D("100.00"))]
    got = [
        (t, comp, tier, base, amount)
        for _, _, t, _, comp, tier, _, base, amount, _ in _lines(lines, "R1")
    ]
    assert got == [
        ("T1", "east", None, D(8000), D(400)),
        ("T3", "west", 1, D(10000), D(400)),
        ("T3", "west", 2, D(2000), D(120)),
    ]


USD_LINE = """code: usd-line
name: USD, rounded per line
valid_from: 2026-01-01
currency: USD
rounding: line
components:
  - {code: commission, basis: amount, rate: "0.05"}
"""


def test_a_euro_invoice_on_a_dollar_plan_both_roundings(tmp_path):
    # 1,234.57 EUR x 1.0837 = 1,337.903509 USD; 5% = 66.89517545 -> 66.895175 (6 places).
    # Line rounding (R1): 66.90 + two 0.005 lines each half-up 0.01 = 66.92.
    # Period-total rounding (R2): 66.895175 + 0.005 + 0.005 = 66.905175 -> 66.91 (a rounding
    # line of +0.004825). February: -0.10 @5% = -0.005 -> -0.01 (half away from zero).
    files = {
        "plans/usd-line.yaml": USD_LINE,
        "plans/usd-total.yaml": USD_LINE.replace("code: usd-line", "code: usd-total").replace(
            "rounding: line", "rounding: period_total"
        ),
        "plans/assignments.csv": "payee,plan,valid_from,valid_to\nR1,usd-line,2026-01-01,\n"
        "R2,usd-total,2026-01-01,\n",
        "tx.csv": HEADER + "E1,2026-01-31,invoice,R1,C1,UPS,S1,1,1234.57,0,EUR,\n"
        "E2,2026-01-31,invoice,R1,C1,UPS,S1,1,0.10,0,USD,\n"
        "E3,2026-01-31,invoice,R1,C1,UPS,S1,1,0.10,0,USD,\n"
        "F1,2026-01-31,invoice,R2,C1,UPS,S1,1,1234.57,0,EUR,\n"
        "F2,2026-01-31,invoice,R2,C1,UPS,S1,1,0.10,0,USD,\n"
        "F3,2026-01-31,invoice,R2,C1,UPS,S1,1,0.10,0,USD,\n"
        "F4,2026-02-01,invoice,R2,C1,UPS,S1,1,-0.10,0,USD,\n",
        "fx.csv": "period,from,to,rate\n2026-01,EUR,USD,1.0837\n2026-02,EUR,USD,1.2000\n",
    }
    payouts, lines = _run(tmp_path, files, "2026-01..2026-02", "--fx", "fx.csv")
    assert payouts == [
        ("R1", "2026-01", D("66.92")),
        ("R2", "2026-01", D("66.91")),
        ("R2", "2026-02", D("-0.01")),
    ]
    assert _lines(lines, "R1")[0][7:9] == (D("1337.903509"), D("66.90"))
    assert _lines(lines, "R2", "2026-01")[0][7:9] == (D("1337.903509"), D("66.895175"))
    assert _lines(lines, "R2", "2026-01")[-1][7:] == (D("66.905175"), D("0.004825"), "rounding")
    assert _lines(lines, "R2", "2026-02")[-1][8:] == (D("-0.005"), "rounding")
    _assert_lines_add_up(payouts, lines)


def test_quarterly_ytd_tiers_with_accelerator_and_cap(tmp_path):
    # Quarterly, YTD retroactive tiers 5% to 100% of the YTD quota, 8% above, multiplier
    # 1.25, plan cap 15,000 a quarter; quotas 100,000 a quarter.
    # Q1: 90,000 / 100,000 = 90% -> 5% x 1.25: 90,000 x 0.0625 = 5,625.00.
    # Q2: YTD 210,000 / 200,000 = 105% -> 8%: 120,000 x 0.08 x 1.25 = 12,000 plus the catch-up
    # of Q1 to 8%: 90,000 x 0.03 x 1.25 = 3,375 -> 15,375, capped: 15,000.00 (cap -375).
    # Q3: YTD 220,000 / 300,000 = 73% -> back to 5%: 10,000 x 0.0625 = 625 and the catch-up
    # of Q1 and Q2 down to 5%: 210,000 x -0.03 x 1.25 = -7,875 -> -7,250.00. (As the docs say;
    # note that the 375 the Q2 cap held back is still taken back here.)
    files = {
        "plans/q.yaml": """code: quarterly
name: Quarterly rep
valid_from: 2026-01-01
currency: USD
period: quarter
cap: "15000.00"
components:
  - code: commission
    basis: amount
    multiplier: "1.25"
    tiers:
      measure: attainment
      accumulate: ytd
      method: retroactive
      bands: [{upto: "1.00", rate: "0.05"}, {rate: "0.08"}]
""",
        "plans/assignments.csv": "payee,plan,valid_from,valid_to\nQ1,quarterly,2026-01-01,\n",
        "quotas.csv": "payee,period,amount\nQ1,2026-Q1,100000.00\nQ1,2026-Q2,100000.00\n"
        "Q1,2026-Q3,100000.00\n",
        "tx.csv": HEADER + "A1,2026-01-15,invoice,Q1,C1,UPS,S1,1,40000.00,0,USD,\n"
        "A2,2026-03-31,invoice,Q1,C1,UPS,S1,1,50000.00,0,USD,\n"
        "B1,2026-04-01,invoice,Q1,C1,UPS,S1,1,120000.00,0,USD,\n"
        "C1,2026-07-10,invoice,Q1,C1,UPS,S1,1,10000.00,0,USD,\n",
    }
    payouts, lines = _run(tmp_path, files, "2026-Q1..2026-Q3", "--quotas", "quotas.csv")
    assert payouts == [
        ("Q1", "2026-Q1", D("5625.00")),
        ("Q1", "2026-Q2", D("15000.00")),
        ("Q1", "2026-Q3", D("-7250.00")),
    ]
    q2 = {(r[2], r[9]): r[6:9] for r in _lines(lines, "Q1", "2026-Q2")}
    assert q2[("B1", "earning")] == (D("0.08"), D(120000), D(12000))
    assert q2[(None, "earning")] == (D("0.03"), D(90000), D(3375))
    assert q2[(None, "cap")] == (None, D(15375), D(-375))
    payouts, _ = _run(tmp_path, {}, "2026-Q2", "--quotas", "quotas.csv")
    assert payouts == [("Q1", "2026-Q2", D("15000.00"))]
    _assert_lines_add_up(payouts, lines)


def test_a_recoverable_draw_carried_over_three_months(tmp_path):
    # 10% commission, recoverable draw 2,000 a month.
    # Jan earns 500: draw +1,500, owed 1,500 -> 2,000. Feb earns 1,500: draw +500, owed 2,000.
    # Mar earns 3,000: 1,000 above the draw repays 1,000, owed 1,000 -> 2,000.
    # Apr earns 4,000: repays the last 1,000 -> 3,000. May earns nothing: draw 2,000, owed
    # 2,000. Jun earns 2,500: repays 500 -> 2,000, owed 1,500.
    files = {
        "plans/d.yaml": """code: draw-rep
name: Rep with a draw
valid_from: 2026-01-01
currency: USD
components:
  - {code: commission, basis: amount, rate: "0.10"}
draw: {amount: "2000.00", recoverable: true}
""",
        "plans/assignments.csv": "payee,plan,valid_from,valid_to\nD1,draw-rep,2026-01-01,\n",
        "tx.csv": HEADER + "J1,2026-01-10,invoice,D1,C1,UPS,S1,1,5000.00,0,USD,\n"
        "F1,2026-02-10,invoice,D1,C1,UPS,S1,1,15000.00,0,USD,\n"
        "M1,2026-03-10,invoice,D1,C1,UPS,S1,1,30000.00,0,USD,\n"
        "A1,2026-04-10,invoice,D1,C1,UPS,S1,1,40000.00,0,USD,\n"
        "E1,2026-06-10,invoice,D1,C1,UPS,S1,1,25000.00,0,USD,\n",
    }
    payouts, lines = _run(tmp_path, files, "2026-01..2026-06")
    assert [p[2] for p in payouts] == [D(2000), D(2000), D(2000), D(3000), D(2000), D(2000)]
    assert [(r[1], r[8], r[9]) for r in _lines(lines) if r[9] != "earning"] == [
        ("2026-01", D(1500), "draw"),
        ("2026-02", D(500), "draw"),
        ("2026-03", D(-1000), "recovery"),
        ("2026-04", D(-1000), "recovery"),
        ("2026-05", D(2000), "draw"),
        ("2026-06", D(-500), "recovery"),
    ]
    # April alone: January to March closed, the same 1,000 still owed
    payouts, _ = _run(tmp_path, {}, "2026-04")
    assert payouts == [("D1", "2026-04", D("3000.00"))]


def test_payable_on_payment_partly_paid_pro_rata(tmp_path):
    # 6% payable on payment. INV-7 3,333.33 -> 199.9998 earned in January (payout 0.00).
    # Paid 1,000.00 in Feb: 199.9998 x 0.3000003 = 60.000000 -> 60.00; 1,333.33 in Mar:
    # cumulative 139.9998 -> 140.00, so 80.00; the last 1,000.00 in Apr: 200.00 - 140.00 =
    # 60.00 (fully paid: exactly its whole commission, 199.9998 -> 200.00).
    # INV-8 1,000 paid 333.33 in Feb: 60 x 0.33333 = 19.9998 -> 20.00 (Feb: 80.00).
    # INV-9 0.50 of R2 (0.03 commission) paid 0.25 + 0.25: 0.015 -> 0.02, then 0.01.
    files = {
        "plans/p.yaml": """code: rep-on-payment
name: Paid as the customer pays
valid_from: 2026-01-01
currency: USD
payable_on: payment
components:
  - {code: commission, basis: amount, rate: "0.06"}
""",
        "plans/assignments.csv": "payee,plan,valid_from,valid_to\n"
        "R1,rep-on-payment,2026-01-01,\nR2,rep-on-payment,2026-01-01,\n",
        "tx.csv": HEADER + "INV-7,2026-01-10,invoice,R1,C1,UPS,S1,1,3333.33,0,USD,\n"
        "INV-8,2026-01-12,invoice,R1,C1,UPS,S1,1,1000.00,0,USD,\n"
        "INV-9,2026-01-12,invoice,R2,C1,UPS,S1,1,0.50,0,USD,\n",
        "payments.csv": "invoice_id,date,amount\nINV-7,2026-02-05,1000.00\n"
        "INV-7,2026-03-10,1333.33\nINV-7,2026-04-02,1000.00\nINV-8,2026-02-20,333.33\n"
        "INV-9,2026-02-20,0.25\nINV-9,2026-03-20,0.25\n",
    }
    payouts, lines = _run(tmp_path, files, "2026-01..2026-04", "--payments", "payments.csv")
    assert payouts == [
        ("R1", "2026-01", D("0.00")),
        ("R2", "2026-01", D("0.00")),
        ("R1", "2026-02", D("80.00")),
        ("R2", "2026-02", D("0.02")),
        ("R1", "2026-03", D("80.00")),
        ("R2", "2026-03", D("0.01")),
        ("R1", "2026-04", D("60.00")),
    ]
    assert [(r[1], r[2], r[7], r[8]) for r in _lines(lines, "R1")] == [
        ("2026-02", "INV-7", D(1000), D(60)),
        ("2026-02", "INV-8", D("333.33"), D(20)),
        ("2026-03", "INV-7", D("1333.33"), D(80)),
        ("2026-04", "INV-7", D(1000), D(60)),
    ]


MANAGER = """code: {code}
name: {code}
valid_from: 2026-01-01
currency: USD
components: []
override: {{code: override, basis: amount, rate: "0.01", levels: {levels}}}
"""


def test_manager_override_on_a_split_team_credit_one_and_two_levels(tmp_path):
    # Reps on 8% of margin. T1 10,000 (cost 6,000) split R1 0.6 / R3 0.4; T2 5,000 (cost
    # 1,000) R2; T3 2,000 (cost 500) R3. R1 reports to M, R2 to M, R3 to S, S to M, M to D.
    # R1: 0.6 x 4,000 x 8% = 192.00; R2: 4,000 x 8% = 320.00; R3: 0.4 x 4,000 x 8% = 128 +
    # 1,500 x 8% = 120 -> 248.00.
    # M (1 level: R1, R2, S): 1% of 6,000 + 5,000 = 110.00. S (R3): 1% of 4,000 + 2,000 =
    # 60.00. D (2 levels: M, and M's reports R1, R2, S): 110.00; R3 is three levels down.
    files = {
        "plans/rep.yaml": """code: rep-margin
name: Rep on margin
valid_from: 2026-01-01
currency: USD
components:
  - {code: margin, basis: margin, rate: "0.08"}
""",
        "plans/manager.yaml": MANAGER.format(code="manager", levels=1),
        "plans/director.yaml": MANAGER.format(code="director", levels=2),
        "plans/assignments.csv": "payee,plan,valid_from,valid_to\nD,director,2026-01-01,\n"
        "M,manager,2026-01-01,\nS,manager,2026-01-01,\nR1,rep-margin,2026-01-01,\n"
        "R2,rep-margin,2026-01-01,\nR3,rep-margin,2026-01-01,\n",
        "payees.csv": "id,name,manager\nD,Dana,\nM,Max,D\nS,Sam,M\nR1,One,M\nR2,Two,M\n"
        "R3,Three,S\n",
        "credits.csv": "transaction_id,payee,share\nT1,R1,0.6\nT1,R3,0.4\n",
        "tx.csv": HEADER + "T1,2026-01-10,invoice,R1,C1,UPS,S1,1,10000.00,6000.00,USD,\n"
        "T2,2026-01-11,invoice,R2,C1,UPS,S1,1,5000.00,1000.00,USD,\n"
        "T3,2026-01-12,invoice,R3,C1,UPS,S1,1,2000.00,500.00,USD,\n",
    }
    payouts, lines = _run(
        tmp_path, files, "2026-01", "--payees", "payees.csv", "--credits", "credits.csv"
    )
    assert payouts == [
        ("D", "2026-01", D("110.00")),
        ("M", "2026-01", D("110.00")),
        ("R1", "2026-01", D("192.00")),
        ("R2", "2026-01", D("320.00")),
        ("R3", "2026-01", D("248.00")),
        ("S", "2026-01", D("60.00")),
    ]
    assert _lines(lines, "M") == [
        ("M", "2026-01", "T1", D("0.6"), "override", None, D("0.01"), D(6000), D(60), "override"),
        ("M", "2026-01", "T2", D(1), "override", None, D("0.01"), D(5000), D(50), "override"),
    ]


SPIF_PLAN = """code: {code}
name: Rep with SPIFs and bonuses
valid_from: 2026-01-01
currency: USD
quota: "10000.00"{floor}
components:
  - code: commission
    basis: amount
    rate: "0.05"
    filter: {{transaction_types: [invoice, credit_memo, disconnect]}}
spifs:
  - {{code: gxt-spif, per: unit, amount: "25.00", filter: {{skus: [GXT]}},
     valid_from: 2026-06-01, valid_to: 2026-06-30}}
  - {{code: smb-deal, per: deal, amount: "100.00", filter: {{segments: [SMB]}}}}
bonuses:
  - {{code: club, attainment_at_least: "1.00", amount: "1000.00"}}
  - {{code: super, attainment_at_least: "1.50", amount: "500.00"}}
"""


def test_spifs_bonus_floor_filters_and_mrr_tcv(tmp_path):
    # June, P1: T1 7,000 @5% = 350 + 3 GXT units x 25 = 75; T2 7,000 SMB split 0.5/0.5 with
    # P2: 175 + per-deal 100 x 0.5 = 50; T5 is a booking (filtered out of the commission and
    # of attainment); T6 is not eligible. Attainment (7,000 + 3,500) / 10,000 = 105%: club
    # 1,000, not super. P1 = 350 + 75 + 175 + 50 + 1,000 = 1,650.00.
    # P2 (floor 300): 175 + 50 = 225 -> floor +75 = 300.00.
    # P3 (saas): MRR 50% of 500 + 100 = 300 and 2% of the TCV in EAST only, 18,000 -> 360:
    # 660.00.
    # July, P2: the disconnect of T2 takes back 175 and the per-deal 50: -225, floor -> 300.00
    # (the floor applies to a negative period total too, as the docs say).
    header = HEADER.strip() + ",segment,territory,mrr,tcv,eligible\n"
    files = {
        "plans/spif.yaml": SPIF_PLAN.format(code="spif-plan", floor=""),
        "plans/spif-floor.yaml": SPIF_PLAN.format(code="spif-floor", floor='\nfloor: "300.00"'),
        "plans/saas.yaml": """code: saas
name: SaaS rep
valid_from: 2026-01-01
currency: USD
components:
  - {code: mrr, basis: mrr, rate: "0.50"}
  - {code: tcv, basis: tcv, rate: "0.02", filter: {territories: [EAST]}}
""",
        "plans/assignments.csv": "payee,plan,valid_from,valid_to\nP1,spif-plan,2026-01-01,\n"
        "P2,spif-floor,2026-01-01,\nP3,saas,2026-01-01,\n",
        "credits.csv": "transaction_id,payee,share\nT2,P1,0.5\nT2,P2,0.5\nT4,P1,0.5\nT4,P2,0.5\n",
        "tx.csv": header
        + "T1,2026-06-05,invoice,P1,C1,UPS,GXT,3,7000.00,0,USD,,ENT,EAST,0,0,true\n"
        "T2,2026-06-10,invoice,P1,C2,UPS,X,1,7000.00,0,USD,,SMB,EAST,0,0,true\n"
        "T5,2026-06-15,booking,P1,C3,UPS,X,1,5000.00,0,USD,,ENT,EAST,0,0,true\n"
        "T6,2026-06-20,invoice,P1,C3,UPS,X,1,1000.00,0,USD,,ENT,EAST,0,0,false\n"
        "T7,2026-06-03,booking,P3,C4,SaaS,S,1,0.00,0,USD,,SMB,EAST,500.00,18000.00,true\n"
        "T8,2026-06-04,booking,P3,C4,SaaS,S,1,0.00,0,USD,,SMB,WEST,100.00,3600.00,true\n"
        "T4,2026-07-05,disconnect,P1,C2,UPS,X,-1,-7000.00,0,USD,T2,SMB,EAST,0,0,true\n",
    }
    payouts, lines = _run(tmp_path, files, "2026-06..2026-07", "--credits", "credits.csv")
    assert payouts == [
        ("P1", "2026-06", D("1650.00")),
        ("P2", "2026-06", D("300.00")),
        ("P3", "2026-06", D("660.00")),
        ("P1", "2026-07", D("-225.00")),
        ("P2", "2026-07", D("300.00")),
    ]
    assert [(r[2], r[4], r[6], r[7], r[8]) for r in _lines(lines, "P1", "2026-06")] == [
        ("T1", "commission", D("0.05"), D(7000), D(350)),
        ("T1", "gxt-spif", D(25), D(3), D(75)),
        ("T2", "commission", D("0.05"), D(3500), D(175)),
        ("T2", "smb-deal", D(100), D("0.5"), D(50)),
        (None, "club", None, D(10500), D(1000)),
    ]
    assert _lines(lines, "P2", "2026-07")[-1][7:] == (D(-225), D(525), "cap")
    _assert_lines_add_up(payouts, lines)


def test_a_return_after_the_spif_window_takes_the_spif_back(tmp_path):
    # S2, 2 GXT units sold on 6 June (June SPIF: 2 x 25 = 50 per unit, 100 per deal) and
    # wholly returned on 2 July: -100 commission, -50 and -100 SPIF back = -250.00.
    files = {
        "plans/p.yaml": """code: june-spif
name: June GXT SPIF
valid_from: 2026-01-01
currency: USD
components:
  - {code: commission, basis: amount, rate: "0.05"}
spifs:
  - {code: gxt-spif, per: unit, amount: "25.00", filter: {skus: [GXT]},
     valid_from: 2026-06-01, valid_to: 2026-06-30}
  - {code: gxt-deal, per: deal, amount: "100.00", filter: {skus: [GXT]},
     valid_from: 2026-06-01, valid_to: 2026-06-30}
""",
        "plans/assignments.csv": "payee,plan,valid_from,valid_to\nP1,june-spif,2026-01-01,\n",
        "tx.csv": HEADER + "S2,2026-06-06,invoice,P1,C1,UPS,GXT,2,2000.00,0,USD,\n"
        "R2,2026-07-02,credit_memo,P1,C1,UPS,GXT,-2,-2000.00,0,USD,S2\n",
    }
    payouts, _ = _run(tmp_path, files, "2026-07")
    assert payouts == [("P1", "2026-07", D("-250.00"))]


def test_a_memo_without_rows_of_its_own_follows_its_originals_split_and_claim(tmp_path):
    # T1 10,000 split R1 0.6 / R2 0.4 @5%: January R1 300.00, R2 200.00. CM1 (-2,000 on T1,
    # February) has no credits rows: it follows T1's split, R1 -60.00, R2 -40.00. CM2 (-1,000
    # on T1) has its own row (R1 takes all of it): R1 -50.00. INV-9 4,000 of A's, claimed
    # under Policy 100 (B specifying, A ordering, C installing), approved 25 January:
    # A 100.00, B 50.00, C 50.00. Its memo CM9 (-400, February) is in no claim row: it
    # follows the claim, A -10.00, B -5.00, C -5.00.
    files = {
        "plans/rep.yaml": REP_5,
        "plans/policies.yaml": POLICY_100,
        "plans/assignments.csv": "payee,plan,valid_from,valid_to\n"
        + "".join(f"{p},rep,2026-01-01,\n" for p in ("A", "B", "C", "R1", "R2")),
        "tx.csv": HEADER + "T1,2026-01-10,invoice,R1,C1,UPS,S1,1,10000.00,0,USD,\n"
        "INV-9,2026-01-12,invoice,A,C2,UPS,S1,1,4000.00,0,USD,\n"
        "CM1,2026-02-03,credit_memo,R1,C1,UPS,S1,-1,-2000.00,0,USD,T1\n"
        "CM2,2026-02-04,credit_memo,R1,C1,UPS,S1,-1,-1000.00,0,USD,T1\n"
        "CM9,2026-02-05,credit_memo,A,C2,UPS,S1,-1,-400.00,0,USD,INV-9\n",
        "credits.csv": "transaction_id,payee,share\nT1,R1,0.6\nT1,R2,0.4\nCM2,R1,1\n",
        "claims.csv": "claim_id,policy,transaction_id,filed,approved,specifying,ordering,"
        "installing\nCL1,Policy 100,INV-9,2026-01-15,2026-01-25,B,A,C\n",
    }
    payouts, lines = _run(
        tmp_path, files, "2026-01..2026-02", "--credits", "credits.csv", "--claims", "claims.csv"
    )
    assert payouts == [
        ("A", "2026-01", D("100.00")),
        ("B", "2026-01", D("50.00")),
        ("C", "2026-01", D("50.00")),
        ("R1", "2026-01", D("300.00")),
        ("R2", "2026-01", D("200.00")),
        ("A", "2026-02", D("-10.00")),
        ("B", "2026-02", D("-5.00")),
        ("C", "2026-02", D("-5.00")),
        ("R1", "2026-02", D("-110.00")),
        ("R2", "2026-02", D("-40.00")),
    ]
    assert [(r[2], r[3], r[8]) for r in _lines(lines, "R1", "2026-02")] == [
        ("CM1", D("0.6"), D(-60)),
        ("CM2", D(1), D(-50)),
    ]
    assert [(r[0], r[2], r[3], r[8]) for r in _lines(lines) if r[2] == "CM9"] == [
        ("A", "CM9", D("0.5"), D(-10)),
        ("B", "CM9", D("0.25"), D(-5)),
        ("C", "CM9", D("0.25"), D(-5)),
    ]
    _assert_lines_add_up(payouts, lines)
