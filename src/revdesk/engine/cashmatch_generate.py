"""Seeded, realistic cash-matching inputs with a known truth: for the matching benchmark
(bench/cash_match.py, 1,000,000 open invoices and 100,000 receipts) and for tests.

`cash_inputs_generate(invoices=M, receipts=R, seed=S)` gives a `CashSet`: customers, open
items, receipts, remittance lines (the tables `engine.cashmatch.match` takes) and `truth`,
what each receipt really pays.

**Customers** (M / 40 of them, at least 20): a name made of two words and an industry word
with a legal suffix (Inc, LLC, Ltd, GmbH, ...); one in twenty is a look-alike of another
customer (the same words, another suffix or a spelling variant: "Northwind Data Centers
Inc" and "Northwind Data Centres Ltd"). 0, 1 or 2 bank accounts each (20%, 60%, 20%). 85% bill
in USD, 15% in EUR. Three customers in ten are subscription customers: 70% of their invoices
carry one of one or two recurring amounts (the look-alikes of the amount searches).

**Open invoices** (M): spread over customers unevenly (Pareto weights, capped: a few customers
hold several hundred, most a handful), dated over the year to 2026-10-31, due 30/45/60/90
days later.
Amounts log-normal (median about 1,500.00, to the cent); one in ten is partly paid already
(its open amount a share of it). Each customer is billed from one of three number series,
numbered in date order over every invoice issued (the open ones are about two in five of
them, so a mistyped number usually names a closed invoice, sometimes another open one):

- A (70% of customers): seven digits, "4012345";
- B (20%): "INV-" and six digits, "INV-012345";
- C (10%): the year, a dash and five digits, "2026-01234".

**Receipts** (R), dated on the business days of November 2026, each of one kind (shares of R):


- `exact` (32%): one invoice, its number as issued, its open amount. Truth: that invoice, in
  full.
- `combined` (10%): 2 to 4 invoices of one customer, "4012345/4012399", "4012345, 4012399 &
  4012410", for two invoices also the second written short "4012345/99", or a range
  "4012345-47" when the customer holds every number in it (the end written with its last
  two digits, so the odd range crossing a hundred, "4012398-00", reads as no range). Truth:
  those invoices, in full.
- `written` (12%): one invoice, its number written the customer's way (each customer has
  one): prefix, spaces, dashes, leading zeros or only the digits ("INV 4012345",
  "#4012345", "0004012345", "INV012345", "12345", "2026/01234", "202601234"). Truth: that
  invoice, in full.
- `mistyped` (3%): one invoice, a digit of its number wrong or two adjacent digits swapped.
  Truth: the invoice meant, in full (a matcher should not apply the number as written).
- `partial` (6%): one referenced invoice paid short, a third of them by 0.01 to 5.00 (within
  the default write-off), two thirds by 5% to 50%. Truth: the amount paid, on that invoice.
- `no_reference` (12%): no reference; 1 to 3 of the customer's open invoices (drawn oldest
  due first, a geometric draw) whose amounts no other open item of the customer shares; the
  receipt is their sum. Truth: those invoices, in full.
- `lookalike` (5%): no reference; one invoice of an amount the customer has open at least
  twice (none of them in dispute); the customer pays the oldest due three times in four, a
  later one otherwise, and then the older ones of the amount are in dispute: the customer
  holds them back, and the ledger knows it (`disputed`). Truth: the invoice paid, in full.
- `remittance` (12%): a remittance advice (X12 820 or camt structured) naming 1 to 6
  invoices, written as issued (70%) or the customer's way; one in four takes a deduction (2%
  to 10%) off one line with a reason code. Truth: each line's paid amount on its invoice.
- `unknown` (4%): a payer we do not know (an unknown account, a name of no customer, half
  of them resembling one), no open invoice's number. Truth: nothing, unidentified.
- `on_account` (4%): a known customer's prepayment or advance, a round amount, no
  reference. Truth: nothing, kept on account of the customer.

**Disputes**: 2% of the open invoices are in dispute before any receipt (`disputed`, drawn
from a generator of its own), and the look-alikes add theirs. A receipt without a reference
(`no_reference`, `lookalike`) never pays an invoice in dispute; a referenced one may.

No invoice is paid by two receipts. The format of each receipt (its `format` column) decides
what the bank tells about the payer, as the readers in engine.bankfiles read it: camt.053
(35% of the non-remittance receipts), MT940 (20%, SEPA structured :86:) and lockbox CSV (20%)
carry the payer's name and account; BAI2 (25%) carries them only in its text, as US banks
write ACH credits (see below). Remittance receipts are
X12 820 (70%) or camt.053 (30%), both with the payer's name and account. A known customer
pays from one of its own accounts (if it has any) nine times in ten, else from an account we
do not know; the name is the customer's as a bank writes it (upper case, the legal suffix
changed or dropped, at most 35 characters), one in ten misspelt. Texts may carry a purchase-
order number ("PO 4500012345", ten digits) and words such as PAYMENT, INV, RE.

**BAI2** receipts are of two sorts (drawn from a generator of their own, seeded from the
seed, so every other draw, and so every receipt's kind, payer and text, is the same as
without them):

- 70% are ACH credits (CCD/CTX), whose text starts as the bank prints the NACHA batch
  header: `ORIG CO NAME:NORTHWIND DATA C ORIG ID:123456789012 CO ENTRY DESCR:PAYMENT
  SEC:CCD`, then the payer's own text (its reference, if any). The name is the payer's name
  as above (as its bank knows it: upper case, suffix changed or dropped, sometimes misspelt)
  cut to the 16 characters of the NACHA company name field, so it often differs from the
  customer master's spelling; the originator ID is the payer's account as above (one of the
  customer's known accounts nine times in ten: the customer master is taken to hold the
  ACH company IDs its customers pay from). The reader gives them back as `payer_name` and
  `payer_account`.
- 30% are check and lockbox deposits (and ACH offsets without originator details): the text
  alone, no payer, as before.

Where chance makes a kind's promise false (an amount of a `no_reference` receipt that another
set of the customer's open items also adds up to, a mistyped number that is another open
invoice of the same amount), the truth stays what the payer meant: such receipts are scored
as they fall.

Invoice tables are built column-wise (numpy, Arrow); the receipts in one Python pass (about
a second per 100,000).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .cashmatch import (
    CUSTOMERS_SCHEMA,
    ITEMS_SCHEMA,
    RECEIPTS_SCHEMA,
    REMITTANCE_SCHEMA,
)

CENTS = pa.decimal128(38, 2)
AS_OF = dt.date(2026, 10, 31)

#: the receipts' kinds and their shares
MIX: dict[str, float] = {
    "exact": 0.32,
    "combined": 0.10,
    "written": 0.12,
    "mistyped": 0.03,
    "partial": 0.06,
    "no_reference": 0.12,
    "lookalike": 0.05,
    "remittance": 0.12,
    "unknown": 0.04,
    "on_account": 0.04,
}
#: the share of BAI2 receipts that are ACH credits carrying the originator's name and ID
BAI2_ACH_SHARE = 0.7
#: receipts of these kinds should be applied; the others stay unapplied
#: changes whenever the same seed gives other data (the benchmark's cache is kept per version)
GENERATOR_VERSION = 2
#: the share of open items in dispute with the customer before any receipt
DISPUTED_SHARE = 0.02
APPLIED_KINDS = frozenset(MIX) - {"unknown", "on_account"}

TRUTH_SCHEMA = pa.schema(
    [
        ("receipt", pa.string()),
        ("kind", pa.string()),
        # "apply" (one row per invoice paid), "on_account" or "unidentified" (one row)
        ("outcome", pa.string()),
        ("customer", pa.string()),
        ("invoice", pa.string()),
        ("amount", CENTS),
    ]
)

_FIRST = [
    "North",
    "South",
    "East",
    "West",
    "Blue",
    "Red",
    "Green",
    "Silver",
    "Golden",
    "Iron",
    "Stone",
    "River",
    "Lake",
    "Harbor",
    "Summit",
    "Pioneer",
    "Eagle",
    "Falcon",
    "Cedar",
    "Oak",
    "Maple",
    "Pine",
    "Granite",
    "Atlas",
    "Apex",
    "Vertex",
    "Orion",
    "Nova",
    "Polar",
    "Prairie",
    "Coastal",
    "Metro",
    "Union",
    "Liberty",
    "Crown",
    "Royal",
    "Sterling",
    "Beacon",
    "Meridian",
    "Keystone",
    "Northwind",
    "Redwood",
    "Bluewater",
    "Clearwater",
    "Highland",
    "Lowland",
    "Frontier",
    "Heritage",
    "Patriot",
    "Evergreen",
    "Sunrise",
    "Sunset",
    "Horizon",
    "Titan",
    "Vanguard",
    "Pinnacle",
    "Cascade",
    "Delta",
    "Sigma",
]
_SECOND = [
    "Data",
    "Power",
    "Cloud",
    "Energy",
    "Systems",
    "Logistics",
    "Health",
    "Medical",
    "Foods",
    "Steel",
    "Retail",
    "Digital",
    "Network",
    "Capital",
    "Industrial",
    "Marine",
    "Supply",
    "Solar",
    "Water",
    "Air",
    "Freight",
    "Motors",
    "Labs",
    "Media",
    "Print",
    "Textile",
    "Paper",
    "Chemical",
    "Plastics",
    "Tools",
    "Farms",
    "Mining",
    "Security",
    "Software",
    "Telecom",
]
_THIRD = [
    "Centers",
    "Group",
    "Partners",
    "Holdings",
    "Services",
    "Solutions",
    "Works",
    "Industries",
    "Enterprises",
    "Technologies",
    "Associates",
    "Systems",
    "Trading",
    "Networks",
    "Resources",
]
_SUFFIXES = ["Inc", "LLC", "Ltd", "Corp", "GmbH", "Co", "PLC", "SA", "BV", "AG", "LP"]
_SPELLING = {"Centers": "Centres", "Holdings": "Holding", "Services": "Service",
             "Solutions": "Solution", "Works": "Work", "Systems": "System"}  # fmt: skip
_STRANGERS = [
    "J SMITH",
    "MARIA GARCIA",
    "ACME TRAVEL GMBH",
    "OAKWOOD DENTAL PRACTICE",
    "CITY OF SPRINGFIELD",
    "HAPPY PAWS VETERINARY",
    "R JOHNSON AND SONS",
    "GLOBAL EXPRESS REMIT",
    "WESTSIDE CHURCH",
    "PAYPAL EUROPE SARL",
    "STRIPE PAYMENTS",
    "T NGUYEN",
    "DELTA CONSULTING PARTNERS",
    "SUNRISE BAKERY LTD",
    "K MUELLER",
]


@dataclass
class CashSet:
    """A generated set: the tables `match` takes and the truth (`TRUTH_SCHEMA`)."""

    customers: pa.Table
    items: pa.Table
    receipts: pa.Table
    remittance: pa.Table
    truth: pa.Table
    seed: int

    @property
    def as_of(self) -> dt.date:
        """The day the run is looked at: the last receipt's date."""
        return max(self.receipts.column("date").to_pylist()) if self.receipts.num_rows else AS_OF


def _cents_array(values) -> pa.Array:
    whole = pa.array(np.asarray(values, dtype="int64"), pa.int64()).cast(pa.decimal128(38, 0))
    return pa.Array.from_buffers(CENTS, len(whole), whole.buffers())


def _business_days(year: int, month: int) -> list[dt.date]:
    day, days = dt.date(year, month, 1), []
    while day.month == month:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def cash_inputs_generate(
    *, invoices: int, receipts: int, seed: int = 7, customers: int | None = None
) -> CashSet:
    """`invoices` open invoices and `receipts` receipts with their truth (module docstring)."""
    rng = np.random.default_rng(seed)
    n_customers = customers or max(20, invoices // 40)

    # -- customers -------------------------------------------------------------------------
    codes = np.array([f"C{i:06d}" for i in range(n_customers)], dtype=object)
    first = rng.integers(0, len(_FIRST), n_customers)
    second = rng.integers(0, len(_SECOND), n_customers)
    third = rng.integers(0, len(_THIRD), n_customers)
    suffix = rng.integers(0, len(_SUFFIXES), n_customers)
    twin = rng.random(n_customers) < 0.05
    twin_of = rng.integers(0, n_customers, n_customers)
    names = []
    for i in range(n_customers):
        if twin[i] and twin_of[i] != i:
            j = twin_of[i]
            words = [_FIRST[first[j]], _SECOND[second[j]], _THIRD[third[j]]]
            if rng.random() < 0.5:
                words[2] = _SPELLING.get(words[2], words[2])
            sfx = _SUFFIXES[(suffix[j] + 1 + int(rng.integers(0, 5))) % len(_SUFFIXES)]
        else:
            words = [_FIRST[first[i]], _SECOND[second[i]], _THIRD[third[i]]]
            sfx = _SUFFIXES[suffix[i]]
        names.append(" ".join(words) + " " + sfx)
    accounts_count = rng.choice(3, n_customers, p=[0.2, 0.6, 0.2])
    account_of: list[list[str]] = []
    customer_rows = {"customer": [], "name": [], "bank_account": []}
    for i in range(n_customers):
        held = [f"{int(rng.integers(10**11, 10**12))}" for _ in range(accounts_count[i])]
        account_of.append(held)
        for account in held or [None]:
            customer_rows["customer"].append(codes[i])
            customer_rows["name"].append(names[i])
            customer_rows["bank_account"].append(account)
    customers_table = pa.table(customer_rows, schema=CUSTOMERS_SCHEMA)
    currency_of = np.where(rng.random(n_customers) < 0.85, "USD", "EUR")
    series_of = rng.choice(3, n_customers, p=[0.7, 0.2, 0.1])
    subscription = rng.random(n_customers) < 0.3
    recurring = rng.integers(20_000, 1_500_000, (n_customers, 2))
    recurring_count = rng.integers(1, 3, n_customers)

    # -- open invoices ---------------------------------------------------------------------
    weights = np.minimum(rng.pareto(1.2, n_customers) + 0.2, 60.0)
    who = rng.choice(n_customers, invoices, p=weights / weights.sum())
    epoch = dt.date(1970, 1, 1).toordinal()
    issued = (AS_OF.toordinal() - epoch) - rng.integers(0, 365, invoices)
    due = issued + rng.choice([30, 45, 60, 90], invoices)
    amount = np.exp(rng.normal(np.log(150_000), 1.0, invoices)).astype("int64")
    amount = np.clip(amount, 5_000, 25_000_000)
    pick = rng.integers(0, 2, invoices) % recurring_count[who]
    repeat = subscription[who] & (rng.random(invoices) < 0.7)
    amount = np.where(repeat, recurring[who, pick], amount)
    partly = rng.random(invoices) < 0.1
    share = rng.uniform(0.2, 0.9, invoices)
    open_cents = np.where(partly, np.maximum((amount * share).astype("int64"), 1), amount)
    series = series_of[who]
    number = np.zeros(invoices, dtype="int64")
    for s in range(3):
        members = np.flatnonzero(series == s)
        if not len(members):
            continue
        space = max(int(len(members) * 2.5), len(members))
        drawn = np.sort(rng.choice(space, len(members), replace=False)) + 1
        order = members[np.lexsort((members, issued[members]))]
        number[order] = drawn
    invoice_text = np.empty(invoices, dtype=object)
    for s, pattern in ((0, "{:07d}"), (1, "INV-{:06d}"), (2, "2026-{:05d}")):
        members = np.flatnonzero(series == s)
        base = 4_000_000 if s == 0 else 0
        invoice_text[members] = [pattern.format(base + int(n)) for n in number[members]]
    items = pa.table(
        {
            "customer": pa.array(codes[who], pa.string()),
            "invoice": pa.array(invoice_text, pa.string()),
            "invoice_date": pa.array(issued.astype("int32"), pa.int32()).cast(pa.date32()),
            "due_date": pa.array(due.astype("int32"), pa.int32()).cast(pa.date32()),
            "open_amount": _cents_array(open_cents),
            "currency": pa.array(currency_of[who], pa.string()),
        },
        schema=pa.schema([f for f in ITEMS_SCHEMA if f.name != "disputed"]),
    )

    # each customer's open items, oldest due first (as the engine's searches read them)
    order = np.lexsort((invoice_text.astype(str), issued, due, who))
    starts = np.searchsorted(who[order], np.arange(n_customers + 1))
    by_number = {(series[i], int(number[i])): i for i in range(invoices)}

    maker = _Receipts(
        rng=rng,
        seed=seed,
        bai_rng=np.random.default_rng([seed, 2]),
        codes=codes,
        names=names,
        account_of=account_of,
        currency_of=currency_of,
        who=who,
        open_cents=open_cents,
        invoice_text=invoice_text,
        series=series,
        number=number,
        order=order,
        starts=starts,
        by_number=by_number,
    )
    return maker.build(receipts, customers_table, items, seed)


class _Receipts:
    def __init__(self, **kw):
        self.__dict__.update(kw)
        self.used: set[int] = set()
        # open items in dispute: a share of them from the start, and the older invoices of an
        # amount a look-alike receipt skips
        self.disputed: set[int] = {
            int(i)
            for i in np.flatnonzero(
                np.random.default_rng([kw["seed"], 3]).random(len(kw["who"])) < DISPUTED_SHARE
            )
        }
        self.rows: dict[str, list] = {name: [] for name in RECEIPTS_SCHEMA.names}
        self.truth: dict[str, list] = {name: [] for name in TRUTH_SCHEMA.names}
        self.remit: dict[str, list] = {name: [] for name in REMITTANCE_SCHEMA.names}

    # -- picking invoices ------------------------------------------------------------------

    def open_of(self, customer: int) -> np.ndarray:
        return self.order[self.starts[customer] : self.starts[customer + 1]]

    def any_invoice(self) -> int:
        for _ in range(1000):
            i = int(self.rng.integers(0, len(self.who)))
            if i not in self.used:
                return i
        raise RuntimeError("no unused invoice found: ask for fewer receipts")

    def oldest_first(self, customer: int, count: int, unique_amount: bool) -> list[int]:
        """`count` unused open items of the customer, drawn oldest due first; none in dispute
        (a customer does not pay a disputed invoice without saying which it pays)."""
        items = [
            int(i)
            for i in self.open_of(customer)
            if int(i) not in self.used and int(i) not in self.disputed
        ]
        if unique_amount:
            counts: dict[int, int] = {}
            for i in self.open_of(customer):
                counts[int(self.open_cents[i])] = counts.get(int(self.open_cents[i]), 0) + 1
            items = [i for i in items if counts[int(self.open_cents[i])] == 1]
        chosen: list[int] = []
        while items and len(chosen) < count:
            position = min(int(self.rng.geometric(0.25)) - 1, len(items) - 1)
            chosen.append(items.pop(position))
        return chosen

    # -- writing ---------------------------------------------------------------------------

    def written(self, i: int, style: int) -> str:
        """Invoice `i`'s number the way a customer writes it (style 0-4)."""
        n, s = int(self.number[i]), self.series[i]
        if s == 0:
            forms = [f"INV {4_000_000 + n}", f"#{4_000_000 + n}", f"000{4_000_000 + n}",
                     f"inv-{4_000_000 + n}", f"Invoice No. {4_000_000 + n}"]  # fmt: skip
        elif s == 1:
            forms = [f"INV{n:06d}", f"INV {n}", f"inv-{n}", f"{n}", f"INV-0{n:06d}"]
        else:
            forms = [f"2026/{n:05d}", f"2026{n:05d}", f"2026 {n:05d}", f"{n:05d}",
                     f"RE 2026-{n:05d}"]  # fmt: skip
        return forms[style % len(forms)]

    def mistyped(self, i: int) -> str:
        text = str(self.invoice_text[i])
        digits = [p for p, c in enumerate(text) if c.isdigit()]
        digits = digits[1:] if self.series[i] == 0 else digits[-5:]  # not the series' 4 or 2026
        chars = list(text)
        if self.rng.random() < 0.5:
            p = digits[int(self.rng.integers(0, len(digits)))]
            chars[p] = str((int(chars[p]) + int(self.rng.integers(1, 10))) % 10)
        else:
            pairs = [(a, b) for a, b in itertools.pairwise(digits) if chars[a] != chars[b]]
            if not pairs:
                p = digits[-1]
                chars[p] = str((int(chars[p]) + 1) % 10)
            else:
                a, b = pairs[int(self.rng.integers(0, len(pairs)))]
                chars[a], chars[b] = chars[b], chars[a]
        return "".join(chars)

    def combined_text(self, picked: list[int]) -> str:
        numbers = [str(self.invoice_text[i]) for i in picked]
        style = int(self.rng.integers(0, 3 if len(numbers) == 2 else 2))
        if style == 0:
            return "INV " + "/".join(numbers)
        if style == 1:
            return ", ".join(numbers[:-1]) + " & " + numbers[-1]
        first, rest = numbers[0], numbers[1:]
        shorts = []
        for other in rest:  # written short: the digits that differ from the first
            k = 0
            while k < min(len(first), len(other)) and first[k] == other[k]:
                k += 1
            shorts.append(other[min(k, len(other) - 2) :])
        return first + "/" + "/".join(shorts)

    def noise(self, text: str) -> str:
        roll = self.rng.random()
        if roll < 0.15:
            text = f"{text} PO {4_500_000_000 + int(self.rng.integers(0, 10**8))}"
        elif roll < 0.45:
            text = f"PAYMENT {text}"
        elif roll < 0.55:
            text = f"RE: {text}"
        return text.strip()

    def bank_name(self, customer: int) -> str:
        words = self.names[customer].split()
        roll = self.rng.random()
        if roll < 0.4:
            words = words[:-1]
        elif roll < 0.5:
            words[-1] = _SUFFIXES[int(self.rng.integers(0, len(_SUFFIXES)))]
        name = " ".join(words).upper()
        if self.rng.random() < 0.1:  # misspelt: a letter dropped
            p = int(self.rng.integers(1, len(name) - 1))
            name = name[:p] + name[p + 1 :]
        return name[:35]

    # -- one receipt -----------------------------------------------------------------------

    def add(self, kind, customer, amount, text, paid, fmt, *, known=True, stranger=None):
        receipt = f"{self.day_code}{len(self.rows['receipt']):010d}"
        has_payer = fmt != "bai2"
        payer_name = payer_account = None
        if customer is not None and known:
            held = self.account_of[customer]
            if held and self.rng.random() < 0.9:
                payer_account = held[int(self.rng.integers(0, len(held)))]
            else:
                payer_account = f"{int(self.rng.integers(10**11, 10**12))}"
            payer_name = self.bank_name(customer)
        else:
            payer_account = f"{int(self.rng.integers(10**11, 10**12))}"
            payer_name = stranger
        if fmt == "bai2" and self.bai_rng.random() < BAI2_ACH_SHARE and payer_name:
            # an ACH credit: the originator's name (16 characters) and ID in the text
            has_payer = True
            payer_name = payer_name[:16].strip()
            ach = (
                f"ORIG CO NAME:{payer_name} ORIG ID:{payer_account} CO ENTRY DESCR:PAYMENT SEC:CCD"
            )
            text = f"{ach} {text}" if text else ach
        row = self.rows
        row["receipt"].append(receipt)
        row["date"].append(self.date)
        row["amount"].append(amount)
        row["currency"].append(
            str(self.currency_of[customer]) if customer is not None else self.stranger_currency
        )
        row["payer_name"].append(payer_name if has_payer else None)
        row["payer_account"].append(payer_account if has_payer else None)
        row["text"].append(text or None)
        row["bank_reference"].append(receipt)
        row["format"].append(fmt)
        row["source"].append(f"generated:{len(row['receipt'])}")
        code = str(self.codes[customer]) if customer is not None else None
        truth = self.truth
        if paid:
            for i, cents in paid:
                truth["receipt"].append(receipt)
                truth["kind"].append(kind)
                truth["outcome"].append("apply")
                truth["customer"].append(str(self.codes[self.who[i]]))
                truth["invoice"].append(str(self.invoice_text[i]))
                truth["amount"].append(cents)
        else:
            truth["receipt"].append(receipt)
            truth["kind"].append(kind)
            truth["outcome"].append("on_account" if kind == "on_account" else "unidentified")
            truth["customer"].append(code)
            truth["invoice"].append(None)
            truth["amount"].append(amount)
        return receipt

    def build(self, count: int, customers: pa.Table, items: pa.Table, seed: int) -> CashSet:
        rng = self.rng
        kinds = list(MIX)
        drawn = rng.choice(len(kinds), count, p=np.array(list(MIX.values())) / sum(MIX.values()))
        days = _business_days(2026, 11)
        dates = np.sort(rng.integers(0, len(days), count))
        formats = rng.choice(["camt.053", "mt940", "bai2", "csv"], count, p=[0.35, 0.2, 0.25, 0.2])
        self.stranger_currency = "USD"
        for position in range(count):
            kind = kinds[drawn[position]]
            self.date = days[dates[position]]
            self.day_code = self.date.strftime("%y%m%d")
            fmt = str(formats[position])
            getattr(self, f"_{kind}")(kind, fmt)
        receipts = pa.table(
            {
                **{k: self.rows[k] for k in RECEIPTS_SCHEMA.names if k != "amount"},
                "amount": _cents_array(self.rows["amount"]),
            }
        ).select(RECEIPTS_SCHEMA.names)
        truth = pa.table(
            {
                **{k: self.truth[k] for k in TRUTH_SCHEMA.names if k != "amount"},
                "amount": _cents_array(self.truth["amount"]),
            }
        ).select(TRUTH_SCHEMA.names)
        remittance = pa.table(
            {
                "receipt": pa.array(self.remit["receipt"], pa.string()),
                "invoice": pa.array(self.remit["invoice"], pa.string()),
                "paid": _cents_array(self.remit["paid"]),
                "invoiced": _cents_array(self.remit["invoiced"]),
                "adjustment": _cents_array(self.remit["adjustment"]),
                "adjustment_reason": pa.array(self.remit["adjustment_reason"], pa.string()),
            },
            schema=REMITTANCE_SCHEMA,
        )
        disputed = np.zeros(items.num_rows, dtype=bool)
        disputed[list(self.disputed)] = True
        items = items.append_column("disputed", pa.array(disputed, pa.bool_()))
        return CashSet(
            customers=customers,
            items=items,
            receipts=receipts.cast(RECEIPTS_SCHEMA),
            remittance=remittance,
            truth=truth.cast(TRUTH_SCHEMA),
            seed=seed,
        )

    # -- the kinds -------------------------------------------------------------------------

    def _single(self) -> tuple[int, int]:
        i = self.any_invoice()
        self.used.add(i)
        return i, int(self.who[i])

    def _exact(self, kind, fmt):
        i, customer = self._single()
        text = self.noise(str(self.invoice_text[i]))
        cents = int(self.open_cents[i])
        self.add(kind, customer, cents, text, [(i, cents)], fmt)

    def _written(self, kind, fmt):
        i, customer = self._single()
        style = (customer * 7919) % 5  # each customer writes its own way
        text = self.noise(self.written(i, style))
        cents = int(self.open_cents[i])
        self.add(kind, customer, cents, text, [(i, cents)], fmt)

    def _mistyped(self, kind, fmt):
        i, customer = self._single()
        text = self.noise(self.mistyped(i))
        cents = int(self.open_cents[i])
        self.add(kind, customer, cents, text, [(i, cents)], fmt)

    def _partial(self, kind, fmt):
        i, customer = self._single()
        open_cents = int(self.open_cents[i])
        if self.rng.random() < 1 / 3 and open_cents > 1000:
            short = int(self.rng.integers(1, 501))
        else:
            short = max(1, int(open_cents * self.rng.uniform(0.05, 0.5)))
        paid = open_cents - short
        text = self.noise(str(self.invoice_text[i]))
        self.add(kind, customer, paid, text, [(i, paid)], fmt)

    def _combined(self, kind, fmt):
        for _ in range(50):
            i = self.any_invoice()
            customer = int(self.who[i])
            others = [int(j) for j in self.open_of(customer) if int(j) not in self.used and j != i]
            if others:
                break
        else:
            return self._exact("exact", fmt)
        want = int(self.rng.integers(1, 4))
        picked = [i, *[int(j) for j in self.rng.choice(others, min(want, len(others)), False)]]
        picked.sort(key=lambda j: (self.series[j], int(self.number[j])))
        mine = {int(self.number[j]) for j in self.open_of(customer)}
        series = self.series[i]
        candidates = [
            n
            for n in sorted(mine)
            if n + 1 in mine and all(self.by_number.get((series, n + k)) is not None
                                     and int(self.who[self.by_number[(series, n + k)]]) == customer
                                     and self.by_number[(series, n + k)] not in self.used
                                     for k in range(2))
        ]  # fmt: skip
        if candidates and self.rng.random() < 0.5:  # a range of two or three numbers in a row
            n = candidates[int(self.rng.integers(0, len(candidates)))]
            picked = [self.by_number[(series, n)], self.by_number[(series, n + 1)]]
            third = self.by_number.get((series, n + 2))
            if (
                third is not None
                and int(self.who[third]) == customer
                and third not in self.used
                and self.rng.random() < 0.5
            ):
                picked.append(third)
            first, last = str(self.invoice_text[picked[0]]), str(self.invoice_text[picked[-1]])
            if series == 1:  # INV 012345-012347
                text = f"INV {first[4:]}-{last[4:]}"
            else:  # 4012345-47 (the second written short), 2026-01234 - 2026-01236
                text = f"{first}-{last[-2:]}" if series == 0 else f"{first} - {last}"
        else:
            text = self.combined_text(picked)
        for j in picked:
            self.used.add(j)
        paid = [(j, int(self.open_cents[j])) for j in picked]
        self.add(kind, customer, sum(c for _, c in paid), self.noise(text), paid, fmt)

    def _no_reference(self, kind, fmt):
        for _ in range(50):
            customer = int(self.who[self.any_invoice()])
            picked = self.oldest_first(customer, int(self.rng.choice([1, 2, 3], p=[0.7, 0.2, 0.1])),
                                       unique_amount=True)  # fmt: skip
            if picked:
                break
        else:
            return self._exact("exact", fmt)
        self.used.update(picked)
        paid = [(j, int(self.open_cents[j])) for j in picked]
        text = ["", "PAYMENT", "ACH CREDIT", "SUPPLIER PAYMENT", "TRANSFER"][
            int(self.rng.integers(0, 5))
        ]
        self.add(kind, customer, sum(c for _, c in paid), text, paid, fmt)

    def _lookalike(self, kind, fmt):
        for _ in range(200):
            customer = int(self.who[self.any_invoice()])
            items = [
                int(j)
                for j in self.open_of(customer)
                if int(j) not in self.used and int(j) not in self.disputed
            ]
            amounts: dict[int, list[int]] = {}
            for j in items:
                amounts.setdefault(int(self.open_cents[j]), []).append(j)
            repeated = [group for group in amounts.values() if len(group) > 1]
            if repeated:
                break
        else:
            return self._no_reference("no_reference", fmt)
        group = repeated[int(self.rng.integers(0, len(repeated)))]  # oldest due first
        skip = 0 if self.rng.random() < 0.75 else int(self.rng.integers(1, len(group)))
        meant = group[skip]
        self.disputed.update(group[:skip])  # the older ones are held back: in dispute
        self.used.add(meant)
        cents = int(self.open_cents[meant])
        text = ["", "PAYMENT", "MONTHLY FEE", "SUBSCRIPTION"][int(self.rng.integers(0, 4))]
        self.add(kind, customer, cents, text, [(meant, cents)], fmt)

    def _remittance(self, kind, fmt):
        for _ in range(50):
            i = self.any_invoice()
            customer = int(self.who[i])
            others = [int(j) for j in self.open_of(customer) if int(j) not in self.used and j != i]
            if others or self.rng.random() < 0.3:
                break
        want = min(int(self.rng.integers(0, 6)), len(others))
        picked = [i, *[int(j) for j in self.rng.choice(others, want, False)]] if want else [i]
        deduct = self.rng.random() < 0.25
        paid = []
        lines = []
        style = (customer * 7919) % 5
        for position, j in enumerate(picked):
            self.used.add(j)
            open_cents = int(self.open_cents[j])
            off = 0
            if deduct and position == 0:
                off = max(1, int(open_cents * self.rng.uniform(0.02, 0.1)))
            written = (
                str(self.invoice_text[j]) if self.rng.random() < 0.7 else self.written(j, style)
            )
            lines.append((written, open_cents - off, open_cents, -off))
            paid.append((j, open_cents - off))
        fmt = "x12-820" if self.rng.random() < 0.7 else "camt.053"
        receipt = self.add(kind, customer, sum(c for _, c in paid), "", paid, fmt)
        reasons = ["01", "03", "CS", "promotion_rebate", "freight"]
        for written, line_paid, invoiced, adjustment in lines:
            self.remit["receipt"].append(receipt)
            self.remit["invoice"].append(written)
            self.remit["paid"].append(line_paid)
            self.remit["invoiced"].append(invoiced)
            self.remit["adjustment"].append(adjustment)
            self.remit["adjustment_reason"].append(
                reasons[int(self.rng.integers(0, len(reasons)))] if adjustment else None
            )

    def _unknown(self, kind, fmt):
        roll = self.rng.random()
        if roll < 0.5:
            stranger = _STRANGERS[int(self.rng.integers(0, len(_STRANGERS)))]
        else:  # a name resembling a customer's: another company of similar words
            customer = int(self.rng.integers(0, len(self.codes)))
            words = self.names[customer].split()
            stranger = " ".join([words[0], _SECOND[int(self.rng.integers(0, len(_SECOND)))],
                                 "CONSULTING"]).upper()  # fmt: skip
        text = ["", "PAYMENT", f"ORDER {int(self.rng.integers(10**7, 10**8))}", "DONATION",
                "REFUND REQUEST"][int(self.rng.integers(0, 5))]  # fmt: skip
        cents = int(self.rng.integers(1_000, 2_000_000))
        self.stranger_currency = "USD" if self.rng.random() < 0.85 else "EUR"
        self.add(kind, None, cents, text, [], fmt, known=False, stranger=stranger)

    def _on_account(self, kind, fmt):
        customer = int(self.who[self.any_invoice()])
        cents = int(self.rng.integers(5, 200)) * 10_000
        text = ["PREPAYMENT", "ADVANCE PAYMENT", "ON ACCOUNT", "DEPOSIT", ""][
            int(self.rng.integers(0, 5))
        ]
        self.add(kind, customer, cents, text, [], fmt)


__all__ = [
    "APPLIED_KINDS",
    "GENERATOR_VERSION",
    "MIX",
    "TRUTH_SCHEMA",
    "CashSet",
    "cash_inputs_generate",
]
