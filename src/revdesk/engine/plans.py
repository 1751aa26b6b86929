"""Commission plans as data: the YAML format an analyst reads and writes, as Pydantic models.

One plan file describes one version of one plan. The JSON Schema editors validate plan files
with is generated from these models (`plan_json_schema()`, written to
docs/plans/plan.schema.json by `revdesk commissions schema`). Amounts and rates are written
as strings or numbers in YAML and kept as Decimal here; floats never enter a calculation.

    code: field-rep
    name: Field rep
    version: 1
    valid_from: 2026-01-01
    currency: USD
    period: month
    rounding: line            # each commission line half-up to the cent; or: period_total
    payable_on: invoice       # booking | invoice | payment (pro rata as the invoice is paid)
    clawback: {window_months: 6}
    components:
      - code: commission
        basis: amount
        rates_by_product_line: {UPS: 0.05, Thermal: 0.03}

The stages (DESIGN.md, engine shape): transaction → credit → measurement (basis, filters,
attainment) → earning (rates, tiers, SPIFs, bonuses, caps) → payable (booking, invoice,
payment) → balance (draws, clawbacks, adjustments carried forward).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: A rate or amount: written as a number or a string in YAML, kept exact.
Number = Annotated[Decimal, Field(allow_inf_nan=False)]


#: Plan and component codes: letters, digits, '-', '_' and '.', as ERPs and HR systems name
#: plans (field-rep, REP-2026-HW).
CODE = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=True)


class Period(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class Basis(StrEnum):
    """What a component measures on each credited transaction line."""

    AMOUNT = "amount"  # invoiced amount (credit memos negative)
    MARGIN = "margin"  # amount − cost
    UNITS = "units"
    MRR = "mrr"  # monthly recurring revenue of a service line
    TCV = "tcv"  # total contract value (MRC × term + one-off charges)


class Rounding(StrEnum):
    LINE = "line"  # each commission line half-up to the cent
    PERIOD_TOTAL = "period_total"  # once, on the payee's period total


class PayableOn(StrEnum):
    BOOKING = "booking"
    INVOICE = "invoice"
    PAYMENT = "payment"


class TierMeasure(StrEnum):
    ATTAINMENT = "attainment"  # basis ÷ quota (1.00 = 100%)
    BASIS = "basis"  # the accumulated basis itself, in the plan currency


class Accumulate(StrEnum):
    PERIOD = "period"
    YEAR_TO_DATE = "ytd"


class TierMethod(StrEnum):
    RETROACTIVE = "retroactive"  # the whole accumulated basis at the tier reached
    INCREMENTAL = "incremental"  # each slice at its own tier, split at the exact boundary


class Filter(_Model):
    """Which credited lines a component counts. An empty list means any."""

    product_lines: list[str] = []
    skus: list[str] = []
    segments: list[str] = []
    transaction_types: list[str] = []
    territories: list[str] = []


class Band(_Model):
    """One tier: up to and including `upto` (attainment as a fraction, or basis), at `rate`.
    The last band has no `upto`."""

    upto: Number | None = None
    rate: Number


class Tiers(_Model):
    measure: TierMeasure = TierMeasure.ATTAINMENT
    accumulate: Accumulate = Accumulate.PERIOD
    method: TierMethod = TierMethod.RETROACTIVE
    bands: list[Band] = Field(min_length=1)

    @model_validator(mode="after")
    def _bands_ascend(self) -> Tiers:
        bounds = [band.upto for band in self.bands]
        if bounds[-1] is not None:
            raise ValueError("the last band must have no 'upto': it takes everything above")
        if any(bound is None for bound in bounds[:-1]):
            raise ValueError("every band but the last needs 'upto'")
        inner = [bound for bound in bounds[:-1] if bound is not None]
        if inner != sorted(inner) or len(set(inner)) != len(inner):
            raise ValueError("bands must go up: each 'upto' above the one before")
        return self


class Component(_Model):
    """One way of earning: a basis, a filter and exactly one of rate, rates by product line,
    or tiers; optionally capped or floored per payee and period."""

    code: str = Field(pattern=CODE)
    name: str = ""
    basis: Basis = Basis.AMOUNT
    filter: Filter = Filter()
    rate: Number | None = None
    rates_by_product_line: dict[str, Number] | None = None
    tiers: Tiers | None = None
    multiplier: Number = Decimal(1)  # accelerator (> 1) or decelerator (< 1)
    cap: Number | None = None
    floor: Number | None = None

    @model_validator(mode="after")
    def _one_way_to_rate(self) -> Component:
        given = [
            name
            for name in ("rate", "rates_by_product_line", "tiers")
            if getattr(self, name) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                f"component {self.code!r} needs exactly one of rate, rates_by_product_line or "
                f"tiers (it has {', '.join(given) or 'none'})"
            )
        return self


class Spif(_Model):
    """A fixed amount per unit or per deal on the lines the filter selects."""

    code: str
    per: Literal["unit", "deal"]
    amount: Number
    filter: Filter = Filter()
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class Bonus(_Model):
    """A fixed amount once attainment of the period's quota reaches `attainment_at_least`."""

    code: str
    attainment_at_least: Number
    amount: Number


class Override(_Model):
    """A manager's override: `rate` of the basis credited to everyone reporting to them."""

    code: str = "override"
    basis: Basis = Basis.AMOUNT
    rate: Number
    levels: int = Field(default=1, ge=1)  # 1: direct reports only


class Draw(_Model):
    """A guaranteed amount per period. Recoverable: a shortfall is owed and repaid from later
    earnings above the draw before anything more is paid."""

    amount: Number
    recoverable: bool = True


class Clawback(_Model):
    """A credit memo, return or disconnect reversing a transaction dated at most
    `window_months` earlier takes back the commission at the original's rate, in the period of
    the reversal; an older one is not clawed back."""

    window_months: int = Field(ge=0)


class Plan(_Model):
    code: str = Field(pattern=CODE)
    name: str
    version: int = Field(default=1, ge=1)
    valid_from: dt.date
    valid_to: dt.date | None = None
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    period: Period = Period.MONTH
    rounding: Rounding = Rounding.LINE
    payable_on: PayableOn = PayableOn.INVOICE
    quota: Number | None = None  # per period, unless a quotas file gives one per payee
    # empty only for a plan paid by an override, SPIFs, bonuses or a draw alone (a manager)
    components: list[Component] = []
    spifs: list[Spif] = []
    bonuses: list[Bonus] = []
    override: Override | None = None
    cap: Number | None = None  # on the payee's period total
    floor: Number | None = None
    draw: Draw | None = None
    clawback: Clawback | None = None
    description: str = ""

    @model_validator(mode="after")
    def _dates_and_codes(self) -> Plan:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        if not self.components and not (self.override or self.spifs or self.bonuses or self.draw):
            raise ValueError(
                "a plan needs at least one component (or an override, SPIFs, bonuses or a draw)"
            )
        codes = [c.code for c in self.components]
        if len(set(codes)) != len(codes):
            raise ValueError("two components have the same code")
        return self


def plan_json_schema() -> dict:
    """The JSON Schema of a plan file (for editors and the web plan editor)."""
    schema = Plan.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Revdesk commission plan"
    return schema
