"""Seeded, realistic commission inputs of any size: for the agreement tests (engine against
the row-by-row reference) and for bench/ (1M and 10M lines).

`commission_inputs_generate(lines=N, payees=P, seed=S)` gives N transaction lines over one
year for P payees (about one in ten a manager) on a mix of plans:

- field-flat      5% of amount, each line rounded, clawback window 6 months;
- field-table     rates by product line (Rack earns nothing), a component cap, clawback
                  window 3 months, a second version from July with other rates (a tenth of
                  the field-flat reps move to it on 1 July);
- tier-retro      tiers on the month's quota attainment, retroactive; a bonus at 100%; a
                  SPIF per Thermal deal and per UPS unit;
- tier-increment  tiers on year-to-date attainment, incremental;
- margin-draw     8% of margin × 1.25, rounded on the period total, capped per month, with a
                  recoverable draw;
- paid-on-cash    6% of amount, payable pro rata as the invoice is paid;
- manager         1% override on the amount credited to direct reports.

About 8% of the lines are credit memos reversing an earlier invoice (whole, half or a
quarter, up to nine months later: inside and outside the clawback windows), 12% are in EUR
(monthly FX to USD), 6% of the invoices are split between two reps by `credits` rows, a few
carry a claim under Policy 100 (approved in the same or a later month, some never; a claimed
invoice's memos are named in its claim too, as the database run writes them), 1% are
not eligible. Amounts are whole multiples of 4 cents and payments are halves, quarters or
the whole, so pro-rata shares are exact. Every table is built column-wise (numpy, Arrow),
not row by row: 10M lines take seconds.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .commission_inputs import DECIMAL, CommissionInputs, Policy, memos_follow_originals
from .plans import Plan

#: bumped when the same arguments generate other inputs (benchmarks keep their data per version)
GENERATOR_VERSION = 2

PRODUCT_LINES = ["UPS", "Thermal", "PDU", "Rack"]
SKUS = {
    "UPS": ["GXT5-3000", "GXT5-10K", "EXM-100K"],
    "Thermal": ["LIEBERT-CRV", "LIEBERT-DSE"],
    "PDU": ["MPH2-24", "CABLE-1M"],
    "Rack": ["VR-42U", "VR-48U"],
}
REP_PLANS = [
    "field-flat",
    "field-table",
    "tier-retro",
    "tier-increment",
    "margin-draw",
    "paid-on-cash",
]
POLICY = Policy(
    "Policy 100",
    "Split credit between specifying, ordering and installing territories",
    {"specifying": Decimal("0.25"), "ordering": Decimal("0.50"), "installing": Decimal("0.25")},
)


def plans_generate(year: int = 2026) -> dict[str, list[Plan]]:
    start, july = dt.date(year, 1, 1), dt.date(year, 7, 1)
    common = {"valid_from": start, "currency": "USD", "period": "month"}
    table = {
        "code": "field-table",
        "name": "Field rep, rates by product line",
        "clawback": {"window_months": 3},
        "currency": "USD",
    }
    tiers = [{"upto": "1.00", "rate": "0.04"}, {"upto": "1.50", "rate": "0.06"}, {"rate": "0.08"}]
    raw = [
        {
            **common,
            "code": "field-flat",
            "name": "Field rep, flat",
            "rounding": "line",
            "clawback": {"window_months": 6},
            "components": [{"code": "commission", "basis": "amount", "rate": "0.05"}],
        },
        {
            **table,
            "version": 1,
            "valid_from": start,
            "valid_to": july - dt.timedelta(days=1),
            "components": [
                {
                    "code": "commission",
                    "rates_by_product_line": {"UPS": "0.05", "Thermal": "0.03", "PDU": "0.04"},
                    "cap": "1500.00",
                }
            ],
        },
        {
            **table,
            "version": 2,
            "valid_from": july,
            "components": [
                {
                    "code": "commission",
                    "rates_by_product_line": {"UPS": "0.06", "Thermal": "0.035", "PDU": "0.04"},
                    "cap": "1500.00",
                }
            ],
        },
        {
            **common,
            "code": "tier-retro",
            "name": "Tiers on the month's attainment, retroactive",
            "components": [
                {
                    "code": "commission",
                    "tiers": {
                        "measure": "attainment",
                        "accumulate": "period",
                        "method": "retroactive",
                        "bands": tiers,
                    },
                }
            ],
            "bonuses": [{"code": "quota-club", "attainment_at_least": "1.00", "amount": "250.00"}],
            "spifs": [
                {
                    "code": "thermal-deal",
                    "per": "deal",
                    "amount": "50.00",
                    "filter": {"product_lines": ["Thermal"]},
                },
                {
                    "code": "ups-unit",
                    "per": "unit",
                    "amount": "2.50",
                    "filter": {"product_lines": ["UPS"]},
                },
            ],
        },
        {
            **common,
            "code": "tier-increment",
            "name": "Tiers on year-to-date attainment, incremental",
            "components": [
                {
                    "code": "commission",
                    "tiers": {
                        "measure": "attainment",
                        "accumulate": "ytd",
                        "method": "incremental",
                        "bands": [
                            {"upto": "0.80", "rate": "0.03"},
                            {"upto": "1.20", "rate": "0.05"},
                            {"rate": "0.07"},
                        ],
                    },
                }
            ],
        },
        {
            **common,
            "code": "margin-draw",
            "name": "Margin, capped, with a recoverable draw",
            "rounding": "period_total",
            "cap": "2000.00",
            "draw": {"amount": "800.00", "recoverable": True},
            "components": [
                {"code": "margin", "basis": "margin", "rate": "0.08", "multiplier": "1.25"}
            ],
        },
        {
            **common,
            "code": "paid-on-cash",
            "name": "Paid as the customer pays",
            "payable_on": "payment",
            "components": [{"code": "commission", "basis": "amount", "rate": "0.06"}],
        },
        {
            **common,
            "code": "manager",
            "name": "Sales manager",
            "components": [],
            "override": {"code": "override", "basis": "amount", "rate": "0.01", "levels": 1},
        },
    ]
    plans: dict[str, list[Plan]] = {}
    for data in raw:
        plan = Plan.model_validate(data)
        plans.setdefault(plan.code, []).append(plan)
    return plans


def _decimal(cents: np.ndarray) -> pa.Array:
    """Cents (int64) as DECIMAL(38, 6), built straight from the 128-bit unscaled values."""
    unscaled = np.asarray(cents, dtype=np.int64) * 10_000
    words = np.empty((len(unscaled), 2), dtype="<i8")
    words[:, 0] = unscaled
    words[:, 1] = np.where(unscaled < 0, -1, 0)
    return pa.Array.from_buffers(DECIMAL, len(unscaled), [None, pa.py_buffer(words.tobytes())])


def _ids(prefix: str, count: int, width: int) -> pa.Array:
    numbers = pa.array(np.arange(1, count + 1, dtype=np.int64)).cast(pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(numbers, width, "0"), "")


def _dates(year: int, days: np.ndarray) -> pa.Array:
    base = np.datetime64(f"{year}-01-01", "D")
    return pa.array(base + days.astype("timedelta64[D]"))


def commission_inputs_generate(
    *, lines: int, payees: int, seed: int, year: int = 2026
) -> CommissionInputs:
    rng = np.random.default_rng(seed)
    year_days = (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days

    # payees: managers first, then reps, each rep reporting to a manager
    managers = max(1, payees // 10)
    reps = max(1, payees - managers)
    manager_ids = pa.array([f"M{i:03d}" for i in range(1, managers + 1)])
    rep_ids = pa.array([f"R{i:04d}" for i in range(1, reps + 1)])
    rep_manager = manager_ids.take(pa.array(rng.integers(0, managers, reps)))
    rep_plan = np.arange(reps) % len(REP_PLANS)
    payees_table = pa.table(
        {
            "id": pa.concat_arrays([manager_ids, rep_ids]),
            "name": pa.concat_arrays([_ids("Manager ", managers, 3), _ids("Rep ", reps, 4)]),
            "manager": pa.concat_arrays([pa.nulls(managers, pa.string()), rep_manager]),
        }
    )
    # assignments: a tenth of the field-flat reps move to field-table on 1 July
    start, july = dt.date(year, 1, 1), dt.date(year, 7, 1)
    rows = [
        {"payee": m, "plan": "manager", "valid_from": start, "valid_to": None}
        for m in manager_ids.to_pylist()
    ]
    for index, rep in enumerate(rep_ids.to_pylist()):
        plan = REP_PLANS[rep_plan[index]]
        if plan == "field-flat" and index % 10 == 0:
            rows.append(
                {
                    "payee": rep,
                    "plan": plan,
                    "valid_from": start,
                    "valid_to": july - dt.timedelta(days=1),
                }
            )
            rows.append({"payee": rep, "plan": "field-table", "valid_from": july, "valid_to": None})
        else:
            rows.append({"payee": rep, "plan": plan, "valid_from": start, "valid_to": None})
    assignments = pa.Table.from_pylist(
        rows,
        schema=pa.schema(
            [
                ("payee", pa.string()),
                ("plan", pa.string()),
                ("valid_from", pa.date32()),
                ("valid_to", pa.date32()),
            ]
        ),
    )

    # invoices
    memos = round(lines * 0.08)
    invoices = lines - memos
    inv_day = rng.integers(0, year_days, invoices)
    inv_rep = rng.integers(0, reps, invoices)
    inv_line = rng.integers(0, len(PRODUCT_LINES), invoices)
    inv_sku_pick = rng.integers(0, 6, invoices)
    inv_units = rng.integers(1, 21, invoices)
    inv_cents = 4 * rng.integers(2_500, 250_000, invoices)  # 100.00 to 9,999.96
    inv_cost = (inv_cents * rng.integers(50, 86, invoices)) // 100
    inv_eur = rng.random(invoices) < 0.12
    sku_table = [s for line in PRODUCT_LINES for s in SKUS[line]]
    sku_offset = np.cumsum([0] + [len(SKUS[line]) for line in PRODUCT_LINES])[:-1]
    sku_count = np.array([len(SKUS[line]) for line in PRODUCT_LINES])
    inv_sku = sku_offset[inv_line] + inv_sku_pick % sku_count[inv_line]

    # credit memos: reverse a whole, half or quarter of an earlier invoice, up to 9 months on
    original = rng.integers(0, invoices, memos)
    fraction = rng.choice(np.array([4, 2, 1]), memos)  # quarters reversed
    memo_day = np.minimum(inv_day[original] + rng.integers(1, 275, memos), year_days - 1)
    memo_cents = -(inv_cents[original] // 4) * fraction
    memo_cost = -(inv_cost[original] * fraction) // 4
    memo_units = np.where(fraction == 4, -inv_units[original], 0)

    customers = rng.integers(1, max(2, lines // 20), invoices)
    inv_ids = _ids("I", invoices, 8)
    memo_ids = _ids("C", memos, 8)
    lines_all = invoices + memos
    which = np.concatenate([np.arange(invoices), original])  # the invoice each line is about
    product = pa.array(PRODUCT_LINES).take(pa.array(inv_line[which]))
    transactions = pa.table(
        {
            "id": pa.concat_arrays([inv_ids, memo_ids]),
            "date": _dates(year, np.concatenate([inv_day, memo_day])),
            "type": pa.array(["invoice", "credit_memo"]).take(
                pa.array(np.repeat([0, 1], [invoices, memos]))
            ),
            "payee": rep_ids.take(pa.array(inv_rep[which])),
            "customer": _ids("CU", int(customers.max()), 5).take(pa.array(customers[which] - 1)),
            "product_line": product,
            "sku": pa.array(sku_table).take(pa.array(inv_sku[which])),
            "units": _decimal(np.concatenate([inv_units, memo_units]) * 100),
            "amount": _decimal(np.concatenate([inv_cents, memo_cents])),
            "cost": _decimal(np.concatenate([inv_cost, memo_cost])),
            "currency": pa.array(["USD", "EUR"]).take(pa.array(inv_eur[which].astype(np.int8))),
            "original_id": pa.concat_arrays(
                [pa.nulls(invoices, pa.string()), inv_ids.take(pa.array(original))]
            ),
            "segment": pa.nulls(lines_all, pa.string()),
            "territory": pa.nulls(lines_all, pa.string()),
            "mrr": pa.nulls(lines_all, DECIMAL),
            "tcv": pa.nulls(lines_all, DECIMAL),
            "eligible": pa.array(rng.random(lines_all) >= 0.01),
        }
    )

    # splits: 6% of the invoices 60/40 with another rep; their memos split the same way
    split = rng.random(invoices) < 0.06
    partner = (inv_rep + rng.integers(1, max(2, reps), invoices)) % reps
    split_lines = np.flatnonzero(split[which])
    credits = pa.table(
        {
            "transaction_id": pa.concat_arrays(
                [transactions["id"].combine_chunks().take(pa.array(split_lines))] * 2
            ),
            "payee": pa.concat_arrays(
                [
                    rep_ids.take(pa.array(inv_rep[which][split_lines])),
                    rep_ids.take(pa.array(partner[which][split_lines])),
                ]
            ),
            "share": pa.concat_arrays(
                [
                    _decimal(np.full(len(split_lines), 60)),
                    _decimal(np.full(len(split_lines), 40)),
                ]
            ),
        }
    )

    # claims under Policy 100 on 0.5% of the invoices; a fifth never approved
    claimed = np.flatnonzero(rng.random(invoices) < 0.005)
    filed = inv_day[claimed] + rng.integers(0, 40, len(claimed))
    approved = filed + rng.integers(0, 75, len(claimed))
    approved_dates = _dates(year, approved)
    approved_mask = pa.array(rng.random(len(claimed)) < 0.2)
    claims = pa.table(
        {
            "claim_id": _ids("CL-", len(claimed), 5),
            "policy": pa.array(np.full(len(claimed), POLICY.code)),
            "transaction_id": inv_ids.take(pa.array(claimed)),
            "filed": _dates(year, filed),
            "approved": pc.if_else(
                approved_mask, pa.nulls(len(claimed), pa.date32()), approved_dates
            ),
            "specifying": rep_ids.take(pa.array(rng.integers(0, reps, len(claimed)))),
            "ordering": rep_ids.take(pa.array(inv_rep[claimed])),
            "installing": rep_ids.take(pa.array(rng.integers(0, reps, len(claimed)))),
        }
    )

    # quotas: every rep, every month
    months = [f"{year:04d}-{m:02d}" for m in range(1, 13)]
    quota_cents = 100_000 * rng.integers(20, 90, reps * 12)
    quotas = pa.table(
        {
            "payee": rep_ids.take(pa.array(np.repeat(np.arange(reps), 12))),
            "period": pa.array(months * reps),
            "amount": _decimal(quota_cents),
        }
    )

    # payments on the invoices of reps paid on cash: whole, two halves, or a quarter so far
    cash_rep = rep_plan == REP_PLANS.index("paid-on-cash")
    paid = np.flatnonzero(cash_rep[inv_rep])
    pattern = rng.integers(0, 3, len(paid))
    whole = paid[pattern == 0]
    halves = paid[pattern == 1]
    quarter = paid[pattern == 2]
    pay_invoice = np.concatenate([whole, halves, halves, quarter])
    pay_cents = np.concatenate(
        [inv_cents[whole], inv_cents[halves] // 2, inv_cents[halves] // 2, inv_cents[quarter] // 4]
    )
    first_gap = rng.integers(5, 60, len(halves))
    pay_day = np.concatenate(
        [
            inv_day[whole] + rng.integers(5, 75, len(whole)),
            inv_day[halves] + first_gap,
            inv_day[halves] + first_gap + rng.integers(1, 60, len(halves)),
            inv_day[quarter] + rng.integers(5, 75, len(quarter)),
        ]
    )
    payments = pa.table(
        {
            "invoice_id": inv_ids.take(pa.array(pay_invoice)),
            "date": _dates(year, pay_day),
            "amount": _decimal(pay_cents),
        }
    )

    fx = pa.table(
        {
            "period": pa.array(months),
            "from": pa.array(["EUR"] * 12),
            "to": pa.array(["USD"] * 12),
            # 1.0500 to 1.1499: four decimals, so converted cents stay exact at 6 places
            "rate": pa.array(
                [Decimal(int(r)).scaleb(-4) for r in 10_500 + rng.integers(0, 1_000, 12)],
                DECIMAL,
            ),
        }
    )
    # the claims name the claimed invoices' memos too, as the database run writes them
    return memos_follow_originals(
        CommissionInputs(
            plans=plans_generate(year),
            assignments=assignments,
            transactions=transactions,
            quotas=quotas,
            payments=payments,
            fx=fx,
            payees=payees_table,
            credits=credits,
            claims=claims,
            policies={POLICY.code: POLICY},
        )
    )
