"""A plan file's mistakes are reported at their line, in words an analyst reads."""

import datetime as dt
from decimal import Decimal

import pytest

from revdesk.engine.commission_inputs import InputError
from revdesk.engine.plan_files import plan_parse
from revdesk.engine.plans import plan_json_schema

GOOD = """\
code: field-rep
name: Field rep
valid_from: 2026-01-01
currency: USD
clawback: {window_months: 6}
components:
  - code: commission
    rates_by_product_line: {UPS: 0.05, Thermal: "0.03"}
"""

BAD = """\
code: field-rep
name: Field rep
valid_from: 2026-13-01
currency: USD
colour: blue
components:
  - code: commission
    rate: five percent
  - code: tiers
    tiers:
      bands:
        - {upto: 1.5, rate: 0.04}
        - {upto: 1.0, rate: 0.06}
        - {rate: 0.08}
"""


def test_a_good_plan_reads_exactly():
    plan = plan_parse(GOOD, "field-rep.yaml")
    assert plan.valid_from == dt.date(2026, 1, 1)
    assert plan.components[0].rates_by_product_line == {
        "UPS": Decimal("0.05"),
        "Thermal": Decimal("0.03"),
    }
    assert plan.clawback.window_months == 6


def test_every_mistake_is_reported_at_its_line():
    with pytest.raises(InputError) as error:
        plan_parse(BAD, "field-rep.yaml")
    assert sorted(error.value.problems, key=lambda p: p[1]) == [
        (
            "field-rep.yaml",
            3,
            "valid_from",
            "valid_from must be a date written YYYY-MM-DD, not '2026-13-01'",
        ),
        (
            "field-rep.yaml",
            5,
            "colour",
            "'colour' is not a field of a plan (check the spelling): expected one of code, name, "
            "version, valid_from, valid_to, currency, period, rounding, payable_on, quota, "
            "components, spifs, bonuses, override, cap, floor, draw, clawback, description",
        ),
        (
            "field-rep.yaml",
            8,
            "components.0.rate",
            "rate must be a number such as 0.05 or 1500.00, not 'five percent'",
        ),
        (
            "field-rep.yaml",
            10,
            "components.1.tiers",
            "bands must go up: each 'upto' above the one before",
        ),
    ]


def test_broken_yaml_names_the_line():
    with pytest.raises(InputError) as error:
        plan_parse("code: [unclosed\n", "x.yaml")
    ((name, line, column, message),) = error.value.problems
    assert (name, line, column) == ("x.yaml", 2, "")
    assert message.startswith("not valid YAML: expected ',' or ']'")


def test_the_json_schema_describes_the_plan_file():
    schema = plan_json_schema()
    assert schema["title"] == "Revdesk commission plan"
    assert {"code", "name", "valid_from", "currency"} <= set(schema["required"])
    assert "components" in schema["properties"]


def test_codes_may_be_written_as_an_erp_names_plans():
    plan = plan_parse(GOOD.replace("code: field-rep", "code: REP-2026-HW.v2"))
    assert plan.code == "REP-2026-HW.v2"
    with pytest.raises(InputError) as error:
        plan_parse(GOOD.replace("code: field-rep", "code: field rep"), "p.yaml")
    assert error.value.problems == [
        (
            "p.yaml",
            1,
            "code",
            "code must be letters, digits, '-', '_' and '.' only (no spaces), not 'field rep'",
        )
    ]
