"""Plain-words notes on explanation lines: one per kind, exact strings; and the `note` column
of `revdesk calc commissions --explain`."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

import pyarrow as pa

from revdesk.cli import main
from revdesk.engine.commissions import LINE_SCHEMA
from revdesk.engine.line_notes import line_note, line_notes
from revdesk.engine.plan_files import plan_parse

HEADER = "id,date,type,payee,customer,product_line,sku,units,amount,cost,currency,original_id\n"

D = Decimal

PLAN = plan_parse(
    """code: p
name: P
valid_from: 2026-01-01
currency: USD
quota: "10000"
clawback: {window_months: 6}
components:
  - code: flat
    rate: "0.05"
  - code: boosted
    rate: "0.06"
    multiplier: "1.25"
  - code: tiered
    tiers:
      bands:
        - {upto: "1.00", rate: "0.04"}
        - {upto: "1.50", rate: "0.06"}
        - {rate: "0.08"}
spifs:
  - {code: gxt, per: unit, amount: "25"}
  - {code: deal, per: deal, amount: "100"}
bonuses:
  - {code: club, attainment_at_least: "1.00", amount: "1000"}
override: {rate: "0.02"}
draw: {amount: "2000"}
""",
    "p.yaml",
)


NUMBERS = ("credit_share", "rate", "base", "amount")


def line(kind, component="", **values):
    row = dict.fromkeys(LINE_SCHEMA.names)
    row.update(payee="R1", period="2026-05", currency="USD", kind=kind, component=component)
    row.update({key: D(value) if key in NUMBERS else value for key, value in values.items()})
    return row


def test_an_earning_shows_base_times_rate_and_the_multiplier():
    flat = line(
        "earning",
        "flat",
        transaction_id="T1",
        credit_share="1",
        rate="0.05",
        base="7000",
        amount="350",
    )
    assert line_note(flat, PLAN) == "7,000.00 × 5% = 350.00"
    boosted = line(
        "earning",
        "boosted",
        transaction_id="T2",
        credit_share="1",
        rate="0.06",
        base="3000",
        amount="225",
    )
    assert line_note(boosted, PLAN) == "3,000.00 × 6% × 1.25 (multiplier) = 225.00"


def test_an_earning_on_part_of_the_credit_says_so_and_a_rounded_amount_says_so():
    shared = line(
        "earning",
        "flat",
        transaction_id="T1",
        credit_share="0.6",
        rate="0.05",
        base="333.33",
        amount="16.67",
    )
    assert line_note(shared, PLAN) == (
        "333.33 × 5% = 16.67 (rounded to the cent); 60% of the credit"
    )


def test_a_tier_line_names_its_band():
    tier = line(
        "earning",
        "tiered",
        transaction_id="T1",
        credit_share="1",
        tier=2,
        rate="0.06",
        base="12000",
        amount="720",
    )
    assert line_note(tier, PLAN) == (
        "12,000.00 × 6% = 720.00; tier 2: from 100% to 150% of quota "
        "(the whole period at the tier reached)"
    )
    first = line(
        "earning",
        "tiered",
        transaction_id="T1",
        credit_share="1",
        tier=1,
        rate="0.04",
        base="100",
        amount="4",
    )
    assert line_note(first, PLAN).endswith(
        "tier 1: up to 100% of quota (the whole period at the tier reached)"
    )
    top = line(
        "earning",
        "tiered",
        transaction_id="T1",
        credit_share="1",
        tier=3,
        rate="0.08",
        base="100",
        amount="8",
    )
    assert "tier 3: above 150% of quota" in line_note(top, PLAN)


def test_a_clawback_takes_back_at_the_originals_rate_or_nothing_outside_the_window():
    claw = line(
        "clawback",
        "flat",
        transaction_id="CM1",
        credit_share="1",
        rate="0.05",
        base="-1000",
        amount="-50",
    )
    assert line_note(claw, PLAN, original="T1") == (
        "takes back what T1 earned, at its rate: -1,000.00 × 5% = -50.00"
    )
    zero = line(
        "clawback",
        "flat",
        transaction_id="CM2",
        credit_share="1",
        rate="0",
        base="-1000",
        amount="0",
    )
    assert line_note(zero, PLAN, original="T0", outside_window=True) == (
        "original outside the 6-month clawback window: nothing taken back"
    )
    assert line_note(zero, PLAN) == (
        "nothing taken back: the original sale is outside the 6-month clawback window "
        "or earned nothing under this component"
    )


def test_spifs_per_unit_and_per_deal():
    unit = line(
        "spif", "gxt", transaction_id="T1", credit_share="1", rate="25", base="2", amount="50"
    )
    assert line_note(unit, PLAN) == "2 units × 25.00 = 50.00"
    deal = line(
        "spif", "deal", transaction_id="T1", credit_share="0.5", rate="100", base="0.5", amount="50"
    )
    assert line_note(deal, PLAN) == "per deal: 100.00 × 50% credit = 50.00"
    back = line(
        "spif",
        "deal",
        transaction_id="CM1",
        credit_share="0.5",
        rate="100",
        base="-0.5",
        amount="-50",
    )
    assert line_note(back, PLAN) == (
        "per deal, taken back (the whole deal reversed): 100.00 × 50% credit = -50.00"
    )
    outside = line(
        "spif", "deal", transaction_id="CM2", credit_share="1", rate="100", base="0", amount="0"
    )
    assert line_note(outside, PLAN) == (
        "per deal: original outside the 6-month clawback window: nothing taken back"
    )


def test_a_bonus_shows_the_attainment_it_reached():
    bonus = line("bonus", "club", credit_share="1", base="10500", amount="1000")
    assert line_note(bonus, PLAN) == "attainment 105% of quota 10,000.00 reached 100%: 1,000.00"
    assert line_note(bonus, PLAN, quota=D("5000")) == (
        "attainment 210% of quota 5,000.00 reached 100%: 1,000.00"
    )


def test_a_cap_and_a_floor_say_which_they_are():
    cap = line("cap", "flat", base="5600", amount="-600")
    assert line_note(cap, PLAN) == "flat capped at 5,000.00: earned 5,600.00, 600.00 taken off"
    floor = line("cap", "", base="120", amount="180")
    assert line_note(floor, PLAN) == (
        "floor 300.00 on the period total: earned 120.00, topped up by 180.00"
    )


def test_rounding_override_and_adjustment():
    rounding = line("rounding", "rounding", base="1.515", amount="0.005")
    assert line_note(rounding, PLAN) == "period total rounded to the cent: 1.515 to 1.52"
    override = line(
        "override",
        "override",
        transaction_id="T9",
        credit_share="1",
        rate="0.02",
        base="10000",
        amount="200",
    )
    assert line_note(override, PLAN) == (
        "override on a report's credited sale: 10,000.00 × 2% = 200.00"
    )
    adjustment = line(
        "adjustment",
        "flat",
        transaction_id="T1",
        credit_share="-0.5",
        rate="0.05",
        base="-20000",
        amount="-1000",
    )
    assert line_note(adjustment, PLAN) == (
        "restates an earlier period (a claim or late change) for flat: change in credit share "
        "-50%, change in base -20,000.00, change in amount -1,000.00"
    )


def test_a_draw_says_what_is_owed_and_a_recovery_what_it_repays():
    draw = line("draw", "draw", base="1200", amount="800")
    assert line_note(draw, PLAN) == (
        "draw tops the period up to 2,000.00 from 1,200.00 earned "
        "(recoverable: 800.00 owed back from later earnings)"
    )
    kept = PLAN.model_copy(update={"draw": PLAN.draw.model_copy(update={"recoverable": False})})
    assert line_note(draw, kept) == (
        "draw tops the period up to 2,000.00 from 1,200.00 earned "
        "(not recoverable: nothing owed back)"
    )
    all_owed = line("recovery", "recovery", base="3000", amount="-500")
    assert line_note(all_owed, PLAN) == (
        "repays draw owed from earlier periods: 500.00, all that was owed"
    )
    some = line("recovery", "recovery", base="2400", amount="-400")
    assert line_note(some, PLAN) == (
        "repays draw owed from earlier periods: 400.00, all earned above the 2,000.00 draw"
    )


def test_without_a_plan_a_note_still_says_what_the_line_shows():
    flat = line(
        "earning",
        "x",
        transaction_id="T1",
        credit_share="1",
        rate="0.05",
        base="7000",
        amount="350",
    )
    assert line_note(flat, None) == "7,000.00 × 5% = 350.00"
    assert line_note(line("cap", "", base="120", amount="180"), None) == (
        "floor 300.00 on the period total: earned 120.00, topped up by 180.00"
    )


def test_line_notes_finds_the_plan_version_in_force_for_the_period():
    later = PLAN.model_copy(
        update={
            "version": 2,
            "valid_from": dt.date(2026, 7, 1),
            "components": [PLAN.components[0].model_copy(update={"multiplier": D(2)})],
        }
    )
    first = PLAN.model_copy(update={"valid_to": dt.date(2026, 6, 30)})
    rows = [
        line(
            "earning",
            "flat",
            transaction_id="T1",
            credit_share="1",
            rate="0.05",
            base="100",
            amount="5",
        ),
        {
            **line(
                "earning",
                "flat",
                transaction_id="T2",
                credit_share="1",
                rate="0.05",
                base="100",
                amount="10",
            ),
            "period": "2026-08",
        },
    ]
    assignments = pa.table(
        {
            "payee": ["R1"],
            "plan": ["p"],
            "valid_from": pa.array([dt.date(2026, 1, 1)], pa.date32()),
            "valid_to": pa.array([None], pa.date32()),
        }
    )
    notes = line_notes(
        pa.Table.from_pylist(rows, schema=LINE_SCHEMA), {"p": [first, later]}, assignments
    )
    assert notes.to_pylist() == [
        "100.00 × 5% = 5.00",
        "100.00 × 5% × 2 (multiplier) = 10.00",
    ]


FILE_PLAN = """code: p
name: P
valid_from: 2026-01-01
currency: USD
quota: "1000"
floor: "300"
clawback: {window_months: 6}
components:
  - code: c
    rate: "0.06"
    multiplier: "1.25"
bonuses:
  - {code: club, attainment_at_least: "1.00", amount: "100"}
"""


def test_the_explain_file_ends_with_a_note_column(tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "plan.yaml").write_text(FILE_PLAN.replace("2026-01-01", "2025-01-01"))
    (plans / "assignments.csv").write_text("payee,plan,valid_from,valid_to\nR1,p,2025-01-01,\n")
    transactions = tmp_path / "transactions.csv"
    transactions.write_text(
        HEADER + "T1,2025-01-10,invoice,R1,C,UPS,X,1,1000.00,0,USD,\n"
        "T2,2026-03-10,invoice,R1,C,UPS,X,1,3000.00,0,USD,\n"
        "CM1,2026-03-20,credit_memo,R1,C,UPS,X,1,-1000.00,0,USD,T1\n"
        "T3,2026-04-10,invoice,R1,C,UPS,X,1,400.00,0,USD,\n"
    )
    out, explain = tmp_path / "payouts.csv", tmp_path / "lines.csv"
    args = ["calc", "commissions", "--plans", str(plans), "--transactions"]
    period = ["--period", "2026-03..2026-04", "--out", str(out), "--explain", str(explain)]
    assert main([*args, str(transactions), *period, "--json"]) == 0
    with explain.open(newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = [dict(zip(header, row, strict=True)) for row in reader]
    assert header == [*LINE_SCHEMA.names, "note"]
    notes = {(row["period"], row["kind"], row["transaction_id"]): row["note"] for row in rows}
    assert notes == {
        ("2026-03", "earning", "T2"): "3,000.00 × 6% × 1.25 (multiplier) = 225.00",
        ("2026-03", "clawback", "CM1"): (
            "original outside the 6-month clawback window: nothing taken back"
        ),
        ("2026-03", "bonus", ""): "attainment 200% of quota 1,000.00 reached 100%: 100.00",
        ("2026-04", "earning", "T3"): "400.00 × 6% × 1.25 (multiplier) = 30.00",
        ("2026-04", "cap", ""): (
            "floor 300.00 on the period total: earned 30.00, topped up by 270.00"
        ),
    }
