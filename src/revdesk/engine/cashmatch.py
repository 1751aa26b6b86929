"""Cash application: bank receipts matched to open invoices, one rule set for file mode
(`revdesk calc match`) and the database-backed run (docs/guide/cash-application.md, "How
receipts are matched").

The pipeline has four stages, each explained on every row it produces:

1. **identify** who paid: an invoice reference in the receipt's text (or a remittance advice
   naming the invoices), else the payer's bank account (a link a person confirmed before, then
   the customers' own accounts), else the payer's name (exactly, once legal suffixes are put
   aside, or fuzzily), else nobody (unidentified);
2. **candidates**: the open invoices the receipt may pay: the ones its remittance lines or
   references name, else the customer's open items;
3. **apply**: remittance lines as given (a deduction opens a `deduction` case); referenced
   invoices in full, oldest due first, a shortfall written off when small and otherwise left
   open with a `short_payment` case, an excess kept on account; without a usable reference,
   the customer's one open invoice of exactly the receipt's amount, or of several the oldest
   due; else the set of the customer's open items that adds up exactly to the receipt (a
   bounded search; when several sets fit, the oldest due dates win); never an invoice in
   dispute;
4. **decide**: each receipt's outcome carries a confidence in [0, 1], the lower of how sure
   the identification and the application are; below the threshold nothing is applied: the
   outcome becomes a suggestion for a person.

Stages 1 and 2 are set operations in DuckDB (the references are pulled out of every text
with one regular expression, normalised and joined to the invoice numbers of all open items;
accounts are joined the same way). Stages 3 and 4 are a bounded Python step per receipt on
its few candidates (integer cents, exact), in a fixed order: receipts with remittance lines
or references first (by date, then receipt), then the subset searches, so a referenced
invoice is never taken by a guess. Money stays exact throughout: amounts go in and out as
DECIMAL(38, 2) and are worked in whole cents in between.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

import pyarrow as pa
import pyarrow.compute as pc

from .backend import connect

CENTS_TYPE = pa.decimal128(38, 2)
CONFIDENCE_TYPE = pa.decimal128(3, 2)
HUNDRED = Decimal(100)

# -- inputs ------------------------------------------------------------------------------------

ITEMS_SCHEMA = pa.schema(
    [
        ("customer", pa.string()),
        ("invoice", pa.string()),
        ("invoice_date", pa.date32()),
        ("due_date", pa.date32()),
        ("open_amount", CENTS_TYPE),
        ("currency", pa.string()),
        # in dispute with the customer: paid when a reference or remittance names it, never
        # chosen by amount alone (optional; none in dispute when the column is left out)
        ("disputed", pa.bool_()),
    ]
)
#: optional open-item columns
ITEM_OPTIONAL = ("disputed",)
RECEIPTS_SCHEMA = pa.schema(
    [
        ("receipt", pa.string()),
        ("date", pa.date32()),
        ("amount", CENTS_TYPE),
        ("currency", pa.string()),
        ("payer_name", pa.string()),
        ("payer_account", pa.string()),
        ("text", pa.string()),
        ("bank_reference", pa.string()),
        ("format", pa.string()),
        ("source", pa.string()),
    ]
)
#: optional receipt columns, filled with nulls when a table comes without them
RECEIPT_OPTIONAL = ("payer_name", "payer_account", "text", "bank_reference", "format", "source")
CUSTOMERS_SCHEMA = pa.schema(
    [("customer", pa.string()), ("name", pa.string()), ("bank_account", pa.string())]
)
REMITTANCE_SCHEMA = pa.schema(
    [
        ("receipt", pa.string()),
        ("invoice", pa.string()),
        ("paid", CENTS_TYPE),
        ("invoiced", CENTS_TYPE),
        ("adjustment", CENTS_TYPE),
        ("adjustment_reason", pa.string()),
    ]
)
LINKS_SCHEMA = pa.schema([("payer_account", pa.string()), ("customer", pa.string())])

# -- outputs -----------------------------------------------------------------------------------

APPLICATIONS_SCHEMA = pa.schema(
    [
        ("receipt", pa.string()),
        ("customer", pa.string()),
        ("invoice", pa.string()),
        ("applied", CENTS_TYPE),
        ("write_off", CENTS_TYPE),
        ("write_off_reason", pa.string()),
        ("rule", pa.string()),
        ("confidence", CONFIDENCE_TYPE),
        ("explanation", pa.string()),
        ("currency", pa.string()),
        ("identified_by", pa.string()),
    ]
)
UNAPPLIED_SCHEMA = pa.schema(
    [
        ("receipt", pa.string()),
        ("customer", pa.string()),
        ("amount", CENTS_TYPE),
        ("reason", pa.string()),
        ("explanation", pa.string()),
        ("currency", pa.string()),
        ("confidence", CONFIDENCE_TYPE),
    ]
)
CASES_SCHEMA = pa.schema(
    [
        ("receipt", pa.string()),
        ("customer", pa.string()),
        ("invoice", pa.string()),
        ("amount", CENTS_TYPE),
        ("type", pa.string()),
        ("reason_code", pa.string()),
        ("explanation", pa.string()),
        ("currency", pa.string()),
        ("external_reason", pa.string()),
    ]
)
SUGGESTIONS_SCHEMA = pa.schema(
    [
        ("receipt", pa.string()),
        ("customer", pa.string()),
        ("invoice", pa.string()),
        ("amount", CENTS_TYPE),
        ("confidence", CONFIDENCE_TYPE),
        ("explanation", pa.string()),
        ("currency", pa.string()),
        ("rule", pa.string()),
    ]
)

#: why money stays unapplied
UNIDENTIFIED = "unidentified"  # nobody could be told from the receipt
ON_ACCOUNT = "on_account"  # a known customer's money that pays no open invoice (or an excess)
SUGGESTION = "suggestion"  # a match was found, not sure enough to apply: see suggestions

#: the rules an application follows, and how sure each is of itself
RULE_CONFIDENCE: dict[str, Decimal] = {
    "remittance": Decimal("1.00"),  # the customer's remittance advice, line by line
    "reference": Decimal("1.00"),  # referenced invoices, paid exactly
    "reference_write_off": Decimal("0.97"),  # ... short by a small balance, written off
    "reference_short": Decimal("0.95"),  # ... short by more: a short-payment case
    "reference_partial": Decimal("0.95"),  # ... some of them paid exactly, the rest not
    "reference_over": Decimal("0.95"),  # ... paid with an excess kept on account
    "open_items_sum": Decimal("0.96"),  # no reference: the one set of open items that fits
    # no reference: the customer's only open invoice (not in dispute) for exactly the amount
    "open_item_amount": Decimal("0.96"),
    # ... several open invoices for exactly the amount, none named: the oldest due is paid
    # first, as customers pay a recurring charge (a skipped older one is in dispute)
    "open_items_equal": Decimal("0.90"),
    # ... several sets fit: the oldest due dates; a guess (several invoices of the same amount,
    # or sums that meet by chance) that a person confirms, unless the threshold is lowered
    "open_items_oldest": Decimal("0.85"),
    # the text's number is one digit off (one changed, or two side by side swapped) the one
    # open invoice of the payer for exactly the receipt's amount: a mistyped reference
    "reference_corrected": Decimal("0.92"),
}
#: how sure the identification of the customer is
IDENTIFY_CONFIDENCE: dict[str, Decimal] = {
    "remittance": Decimal("1.00"),
    "reference": Decimal("1.00"),
    "link": Decimal("0.95"),  # a payer account a person linked to the customer before
    "account": Decimal("0.95"),  # the customer's own bank account
    "name": Decimal("0.90"),  # the payer's name is the customer's (legal suffixes aside)
}
#: a reference to an invoice of another customer than the payer account's: the reference
#: wins, but no surer than this (exact amount) or this (any other outcome)
CONFLICT_EXACT = Decimal("0.90")
CONFLICT_OTHER = Decimal("0.75")
#: a reference whose invoices the money does not fit (short beyond the write-off, or over),
#: from a payer whose account and name do not confirm the invoices' customer: a mistyped
#: number names another invoice just so; no surer than this (a suggestion by default)
UNCONFIRMED_RULES = frozenset({"reference_short", "reference_over"})
UNCONFIRMED = Decimal("0.85")
#: a set found by amount alone with more than `subset_sure_size` invoices: no surer than this
MANY_ITEMS = Decimal("0.85")
#: several open invoices for exactly the receipt's amount, and something says the oldest may not
#: be the one paid (another receipt of the amount unplaced, a number in the text naming none)
EQUAL_DOUBTED = Decimal("0.85")
#: remittance lines that do not fit the receipt (they pay more than it brought)
REMITTANCE_MISFIT = Decimal("0.60")
#: references that point at several customers' invoices, none the payer account's: always a
#: suggestion, whatever the threshold
AMBIGUOUS = "reference_ambiguous"
REFERENCE_AMBIGUOUS = Decimal("0.50")

#: The customer's adjustment reason codes (X12 820 ADX02, code list 426, or their own) mapped
#: to our deduction reason codes (cases registry, type `deduction`). A starting point: each
#: trading partner's guide says what its codes mean; pass your own map (`--reasons FILE`).
#: A code not in the map becomes `other`, the customer's code kept beside it.
DEDUCTION_REASONS: dict[str, str] = {
    "01": "pricing",  # pricing error
    "03": "damaged",  # damaged merchandise
    "promotion_rebate": "promotion_rebate",
    "damaged": "damaged",
    "shortage": "shortage",
    "pricing": "pricing",
    "returns": "returns",
    "freight": "freight",
    "unauthorised": "unauthorised",
}
OTHER_REASON = "other"
SHORT_PAYMENT_REASON = "unknown"  # the short_payment reason "not explained"
SMALL_BALANCE = "small_balance"

#: what to do with several open invoices of the receipt's amount (MatchSettings.equal_amounts)
EQUAL_AMOUNTS = ("oldest", "suggest")

#: legal forms and fillers left out of names before they are compared
_NAME_NOISE = frozenset(
    {
        "inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company",
        "gmbh", "ag", "sa", "sas", "plc", "lp", "llp", "the", "bv", "nv", "srl", "spa", "pty",
        "pte", "oy", "ab", "as", "kg",
    }
)  # fmt: skip


@dataclass(frozen=True)
class MatchSettings:
    """What the matching may do on its own. Amounts are in the receipt's currency."""

    #: a shortfall against referenced invoices of at most this much is written off as a small
    #: balance; more stays open on the invoice and opens a short-payment case
    write_off: Decimal = Decimal("5.00")
    #: optionally also at most this percent of the invoice's open amount (the lower limit wins)
    write_off_percent: Decimal | None = None
    #: below this confidence nothing is applied: the match becomes a suggestion for a person
    threshold: Decimal = Decimal("0.90")
    #: the subset search looks at the customer's this many oldest-due open items ...
    subset_max_items: int = 30
    #: ... for sets of at most this many invoices ...
    subset_max_size: int = 5
    #: ... and gives up after this many steps (then nothing is applied by amount)
    subset_max_steps: int = 50_000
    #: a set of more invoices than this found by amount alone is only suggested: among 30
    #: open items there are 27,405 sets of four and 142,506 of five, and their sums meet a
    #: receipt's amount by chance (a prepayment, another invoice's payment) far too often
    subset_sure_size: int = 3
    #: a number in the text is a reference when written with at least this many digits
    reference_min_digits: int = 4
    #: a range such as 10023-10025 is read as every number in it when it spans at most this
    reference_max_range: int = 20
    #: a payer name resembling a customer's name this much (0-100) identifies it, unsurely
    name_min_score: int = 85
    #: several open invoices of the customer for exactly the receipt's amount, none named:
    #: "oldest" pays the oldest due (not in dispute), "suggest" leaves it to a person. Oldest
    #: first is right as long as the ledger knows the disputes a customer holds invoices
    #: back for: without them, a customer skipping an older invoice is misapplied
    equal_amounts: str = "oldest"
    #: the customer's deduction reason codes mapped to ours
    reasons: Mapping[str, str] = field(default_factory=lambda: dict(DEDUCTION_REASONS))

    def __post_init__(self) -> None:
        if self.write_off < 0:
            raise ValueError("the write-off tolerance is an amount, 0 or more")
        if self.write_off_percent is not None and not 0 <= self.write_off_percent <= 100:
            raise ValueError("the write-off percent is between 0 and 100")
        if not 0 <= self.threshold <= 1:
            raise ValueError("the confidence threshold is between 0 and 1")
        for name in ("subset_max_items", "subset_max_size", "subset_max_steps", "subset_sure_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} is 1 or more")
        if self.reference_min_digits < 1 or self.reference_max_range < 0:
            raise ValueError("reference_min_digits is 1 or more, reference_max_range 0 or more")
        if not 0 <= self.name_min_score <= 100:
            raise ValueError("name_min_score is between 0 and 100")
        if self.equal_amounts not in EQUAL_AMOUNTS:
            raise ValueError(f"equal_amounts is one of {', '.join(EQUAL_AMOUNTS)}")


@dataclass
class MatchResult:
    """What a matching run decided (`APPLICATIONS_SCHEMA`, `UNAPPLIED_SCHEMA`, `CASES_SCHEMA`,
    `SUGGESTIONS_SCHEMA`), in receipt order (date, then receipt)."""

    applications: pa.Table
    unapplied: pa.Table
    cases: pa.Table
    suggestions: pa.Table
    receipts: int
    settings: MatchSettings

    def summary(self) -> dict:
        """Counts and amounts per currency, as plain values (amounts as text, 1100.00)."""

        def total(table: pa.Table, column: str, where=None) -> dict[str, str]:
            sums: dict[str, Decimal] = {}
            for row in table.to_pylist():
                if where is None or where(row):
                    sums[row["currency"]] = (
                        sums.get(row["currency"], Decimal("0.00")) + (row[column])
                    )
            return {currency: format(amount, "f") for currency, amount in sorted(sums.items())}

        applied_receipts = set(self.applications.column("receipt").to_pylist())
        reasons: dict[str, dict] = {}
        for reason in sorted(set(self.unapplied.column("reason").to_pylist())):
            rows = self.unapplied.filter(pc.equal(self.unapplied["reason"], reason))
            reasons[reason] = {"count": rows.num_rows, "amount": total(rows, "amount")}
        case_types: dict[str, dict] = {}
        for kind in sorted(set(self.cases.column("type").to_pylist())):
            rows = self.cases.filter(pc.equal(self.cases["type"], kind))
            case_types[kind] = {"count": rows.num_rows, "amount": total(rows, "amount")}
        return {
            "receipts": self.receipts,
            "receipts_applied": len(applied_receipts),
            "applications": self.applications.num_rows,
            "applied": total(self.applications, "applied"),
            "written_off": total(self.applications, "write_off"),
            "unapplied": reasons,
            "cases": case_types,
            "suggestions": self.suggestions.num_rows,
        }


# -- normalising -------------------------------------------------------------------------------

_NOT_ALNUM = re.compile(r"[^A-Z0-9]")
_DIGITS = re.compile(r"[0-9]+")


def invoice_key(text: str) -> str:
    """An invoice number as references are compared: upper case, only letters and digits,
    leading zeros dropped ("inv-00123" -> "INV00123", "000123" -> "123")."""
    return _NOT_ALNUM.sub("", text.upper()).lstrip("0")


def name_key(text: str | None) -> str:
    """A name as names are compared: lower case words, legal forms and punctuation left out
    ("Apex Colocation, LLC" -> "apex colocation")."""
    words = re.sub(r"[^a-z0-9]+", " ", (text or "").lower()).split()
    return " ".join(word for word in words if word not in _NAME_NOISE)


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _shown(cents: int) -> str:
    return f"{_money(cents):,.2f}"


def _cents(amount: Decimal) -> int:
    value = amount * 100
    if value != value.to_integral_value():
        raise ValueError(f"{amount} has more than two decimals")
    return int(value)


# -- stage 1 and 2: set operations in DuckDB ---------------------------------------------------

_NORMALISE_ACCOUNT = "regexp_replace(upper(coalesce({0}, '')), '[^A-Z0-9]', '', 'g')"


def _sql_prepare(settings: MatchSettings) -> list[str]:
    """The open items with their reference keys, the references found in every receipt's text
    and the invoices they name, and each receipt's account holder (`cm_*` tables)."""
    least = settings.reference_min_digits
    most = settings.reference_max_range
    account = _NORMALISE_ACCOUNT
    return [
        # open items, numbered in the order every search reads them (oldest due first)
        """
        CREATE OR REPLACE TEMP TABLE cm_items AS
        SELECT row_number() OVER (
                   ORDER BY customer, currency, due_date, invoice_date, invoice) AS item,
               customer, invoice, invoice_date, due_date, currency,
               CAST(open_amount * 100 AS BIGINT) AS open_cents,
               coalesce(disputed, false) AS disputed,
               ltrim(regexp_replace(upper(invoice), '[^A-Z0-9]', '', 'g'), '0') AS full_key,
               regexp_extract(upper(invoice), '([0-9]+)[^0-9]*$', 1) AS last_digits,
               -- the whole number as a word of a text is compared: zeros after the
               -- prefix's letters do not count (INV-007054 is written INV 7054)
               regexp_replace(
                   ltrim(regexp_replace(upper(invoice), '[^A-Z0-9]', '', 'g'), '0'),
                   '([A-Z])0+([0-9])', '\\1\\2', 'g') AS word_key
        FROM cm_in_items
        WHERE open_amount > 0
        """,
        # what a reference may be written as: the whole number, or its last run of digits
        f"""
        CREATE OR REPLACE TEMP TABLE cm_keys AS
        SELECT item, currency, full_key AS key FROM cm_items WHERE full_key <> ''
        UNION
        SELECT item, currency, ltrim(last_digits, '0') AS key FROM cm_items
        WHERE length(last_digits) >= {least} AND ltrim(last_digits, '0') <> ''
        """,
        # the text of each receipt, amounts such as 1,250.00 taken out (they are no references)
        r"""
        CREATE OR REPLACE TEMP TABLE cm_text AS
        SELECT receipt, currency,
               regexp_replace(
                   upper(coalesce(text, '') || ' ' || coalesce(bank_reference, '')),
                   '[0-9][0-9,]*\.[0-9][0-9]\b', ' ', 'g') AS t
        FROM cm_in_receipts
        """,
        # every number written with enough digits; and pairs 10023-10025 (a range when
        # sensible), 10023/24 (the second written short), 2026-00123 (one number with a dash)
        f"""
        CREATE OR REPLACE TEMP TABLE cm_tokens AS
        WITH singles AS (
            SELECT receipt, currency, unnest(regexp_extract_all(t, '[0-9]+')) AS written
            FROM cm_text
        ),
        pairs AS (
            SELECT receipt, currency, written,
                   regexp_extract(written, '^([0-9]+)', 1) AS a,
                   regexp_extract(written, '([0-9]+)$', 1) AS b,
                   contains(written, '-') AS dashed
            FROM (SELECT receipt, currency,
                         unnest(regexp_extract_all(t, '[0-9]+ *[-/] *[0-9]+')) AS written
                  FROM cm_text)
        ),
        widened AS (
            SELECT *, CASE WHEN length(b) < length(a)
                           THEN left(a, length(a) - length(b)) || b ELSE b END AS c
            FROM pairs WHERE length(a) >= {least}
        ),
        ranged AS (
            SELECT receipt, currency, written,
                   CASE WHEN dashed AND length(c) = length(a) AND length(a) <= 18
                             AND CAST(c AS BIGINT) > CAST(a AS BIGINT)
                             AND CAST(c AS BIGINT) - CAST(a AS BIGINT) <= {most}
                        THEN range(CAST(a AS BIGINT), CAST(c AS BIGINT) + 1)
                        ELSE CAST([] AS BIGINT[]) END AS numbers,
                   CASE WHEN length(b) < length(a) THEN ltrim(c, '0') END AS short_form,
                   CASE WHEN dashed THEN ltrim(a || b, '0') END AS joined
            FROM widened
        )
        SELECT DISTINCT receipt, currency, key, written FROM (
            SELECT receipt, currency, ltrim(written, '0') AS key, written FROM singles
            WHERE length(written) >= {least}
            UNION ALL
            SELECT receipt, currency, CAST(unnest(numbers) AS VARCHAR), written FROM ranged
            UNION ALL
            SELECT receipt, currency, short_form, written FROM ranged
            WHERE short_form IS NOT NULL
            UNION ALL
            SELECT receipt, currency, joined, written FROM ranged WHERE joined IS NOT NULL
        ) WHERE key <> ''
        """,
        # the words of the text that are an open invoice's whole number, prefix and all
        # ("INV-000697", "INV 000697", "2026-05614"): a number found in such a word names
        # that invoice, not another series' invoice that merely ends in the same digits
        r"""
        CREATE OR REPLACE TEMP TABLE cm_exact AS
        WITH words AS (
            SELECT receipt, currency,
                   unnest(regexp_extract_all(t, '[A-Z0-9]+(?:[-/.][A-Z0-9]+)*')) AS word
            FROM cm_text
            UNION ALL
            SELECT receipt, currency,
                   unnest(regexp_extract_all(t, '[A-Z0-9]+(?:[-.][A-Z0-9]+)*')) AS word
            FROM cm_text
            UNION ALL
            SELECT receipt, currency,
                   unnest(regexp_extract_all(
                       t, '[A-Z]+[ #:.]+[0-9][A-Z0-9]*(?:[-/.][A-Z0-9]+)*')) AS word
            FROM cm_text
        )
        SELECT DISTINCT w.receipt, i.item, w.word
        FROM words w
        JOIN cm_items i
          ON i.word_key = regexp_replace(
                 ltrim(regexp_replace(w.word, '[^A-Z0-9]', '', 'g'), '0'),
                 '([A-Z])0+([0-9])', '\1\2', 'g')
         AND i.currency = w.currency
        """,
        # the open invoices the references name, in the receipt's currency
        """
        CREATE OR REPLACE TEMP TABLE cm_refs AS
        SELECT t.receipt, i.item, i.customer, i.invoice, i.open_cents, i.due_date,
               i.invoice_date, min(t.written) AS written,
               list(DISTINCT t.written ORDER BY t.written) AS forms
        FROM cm_tokens t
        JOIN cm_keys k ON k.key = t.key AND k.currency = t.currency
        JOIN cm_items i ON i.item = k.item
        GROUP BY ALL
        """,
        # the open items for exactly the amount of some receipt, whoever's: a receipt without a
        # usable reference is matched against all of its customer's (not only the oldest due),
        # and a mistyped number against every invoice of exactly its amount
        """
        CREATE OR REPLACE TEMP TABLE cm_equal AS
        SELECT i.item, i.customer, i.invoice, i.open_cents, i.due_date, i.currency, i.disputed
        FROM cm_items i
        SEMI JOIN (SELECT DISTINCT currency, CAST(amount * 100 AS BIGINT) AS cents
                   FROM cm_in_receipts) r
          ON r.currency = i.currency AND r.cents = i.open_cents
        """,
        # who holds each payer account: a link a person confirmed, the customers' accounts
        f"""
        CREATE OR REPLACE TEMP TABLE cm_holders AS
        WITH links AS (
            SELECT acct, min(customer) AS customer, count(DISTINCT customer) AS holders
            FROM (SELECT {account.format("payer_account")} AS acct, customer FROM cm_in_links)
            WHERE acct <> '' GROUP BY acct
        ),
        accounts AS (
            SELECT acct, min(customer) AS customer, count(DISTINCT customer) AS holders
            FROM (SELECT {account.format("bank_account")} AS acct, customer
                  FROM cm_in_customers)
            WHERE acct <> '' GROUP BY acct
        )
        SELECT r.receipt,
               l.customer AS link_customer, coalesce(l.holders, 0) AS link_holders,
               a.customer AS account_customer, coalesce(a.holders, 0) AS account_holders
        FROM cm_in_receipts r
        LEFT JOIN links l ON l.acct = {account.format("r.payer_account")}
        LEFT JOIN accounts a ON a.acct = {account.format("r.payer_account")}
        """,
    ]


# the remittance lines, numbered once, with the two keys an invoice number is looked up by
_SQL_REMITTANCE_LINES = """
    CREATE OR REPLACE TEMP TABLE cm_remit AS
    SELECT line, receipt, invoice, paid, invoiced, adjustment, adjustment_reason,
           ltrim(regexp_replace(upper(invoice), '[^A-Z0-9]', '', 'g'), '0') AS full_key,
           ltrim(regexp_extract(upper(invoice), '([0-9]+)[^0-9]*$', 1), '0') AS digits_key
    FROM (SELECT row_number() OVER () AS line, * FROM cm_in_remittance)
"""
# each line's open invoices by either key: two equality joins (a join on `key IN (a, b)`
# is a nested loop over every key of every open item: minutes at a few thousand lines)
_SQL_REMITTANCE = """
    WITH found AS (
        SELECT m.line, k.item, k.key FROM cm_remit m
        JOIN cm_in_receipts r ON r.receipt = m.receipt
        JOIN cm_keys k ON k.currency = r.currency AND k.key = m.full_key
        UNION
        SELECT m.line, k.item, k.key FROM cm_remit m
        JOIN cm_in_receipts r ON r.receipt = m.receipt
        JOIN cm_keys k ON k.currency = r.currency AND k.key = m.digits_key
    )
    SELECT m.line, m.receipt, m.invoice AS written, CAST(m.paid * 100 AS BIGINT) AS paid,
           CAST(m.invoiced * 100 AS BIGINT) AS invoiced,
           CAST(coalesce(m.adjustment, 0) * 100 AS BIGINT) AS adjustment,
           m.adjustment_reason, i.item, i.customer, i.invoice, i.open_cents, i.due_date,
           CASE WHEN f.key = m.full_key THEN 1 ELSE 2 END AS closeness
    FROM cm_remit m
    JOIN cm_in_receipts r ON r.receipt = m.receipt
    LEFT JOIN found f ON f.line = m.line
    LEFT JOIN cm_items i ON i.item = f.item
    ORDER BY m.line, closeness, i.item
"""


# -- stage 3 and 4: the decision per receipt ---------------------------------------------------


@dataclass(slots=True)
class _Receipt:
    receipt: str
    date: dt.date
    cents: int
    currency: str
    payer_name: str | None
    payer_account: str | None
    text: str | None
    holder: str | None = None  # the account's customer (link or customers' account)
    holder_how: str | None = None  # "link" | "account"
    holder_note: str = ""


@dataclass(slots=True)
class _Item:
    item: int
    customer: str
    invoice: str
    open_cents: int
    due_date: dt.date
    written: str = ""
    forms: tuple[str, ...] = ()  # every way the text wrote it (a number, a pair, a range)
    disputed: bool = False


@dataclass
class _Outcome:
    """One receipt's outcome before the decision: what would be applied, written off, opened
    and left unapplied, and how sure it is."""

    receipt: _Receipt
    customer: str | None
    identified_by: str
    rule: str
    confidence: Decimal
    # (customer, item, invoice, applied, write_off, explanation)
    lines: list[tuple[str, int, str, int, int, str]] = field(default_factory=list)
    # (customer, invoice, amount, type, reason_code, external_reason, explanation)
    cases: list[tuple[str, str, int, str, str, str | None, str]] = field(default_factory=list)
    # (customer, amount, reason, explanation)
    rest: list[tuple[str | None, int, str, str]] = field(default_factory=list)
    summary: str = ""


class _Matcher:
    def __init__(self, settings: MatchSettings, names: dict[str, str]):
        self.settings = settings
        self.names = names
        self.balance: dict[int, int] = {}  # item -> what is still open after this run
        self.outcomes: dict[str, list[_Outcome]] = {}
        self.suggested: list[tuple] = []
        # receipts whose reference names another customer's invoice that the money does not
        # fit: the payer's own open items are searched by amount before it is suggested
        self.deferred: dict[str, _Outcome] = {}
        # (currency, cents) -> the open items for exactly that much, oldest due first
        self.equal: dict[tuple[str, int], list[_Item]] = {}
        # (currency, cents) -> the dates of the receipts of that much this run left unplaced
        self.unplaced: dict[tuple[str, int], list[dt.date]] = {}

    # naming ----------------------------------------------------------------------------------

    def who(self, customer: str | None) -> str:
        if customer is None:
            return "nobody"
        name = self.names.get(customer)
        return f"{name} ({customer})" if name and name != customer else customer

    def confirmed(self, receipt: _Receipt, customer: str) -> bool:
        """Whether the payer's account or name says the payer is `customer`."""
        if receipt.holder == customer:
            return True
        name = self.names.get(customer)
        if not receipt.payer_name or not name:
            return False
        theirs, payer = name_key(name), name_key(receipt.payer_name)
        if not theirs or not payer:
            return False
        if theirs == payer:
            return True
        from rapidfuzz import fuzz

        return fuzz.token_sort_ratio(theirs, payer) >= self.settings.name_min_score

    def open_of(self, item: _Item) -> int:
        return self.balance.get(item.item, item.open_cents)

    def tolerance(self, open_cents: int) -> int:
        limit = _cents(self.settings.write_off)
        if self.settings.write_off_percent is not None:
            share = open_cents * self.settings.write_off_percent / HUNDRED
            limit = min(limit, int(share))  # whole cents, rounded down
        return limit

    # the decision ----------------------------------------------------------------------------

    def decide(self, outcome: _Outcome) -> None:
        """Apply the outcome when sure enough, else make it a suggestion for a person."""
        settings = self.settings
        receipt = outcome.receipt
        unsure = outcome.confidence < settings.threshold or outcome.rule == AMBIGUOUS
        if outcome.lines and unsure:
            note = (
                f"confidence {outcome.confidence} is below the threshold {settings.threshold}: "
                "suggested for a person to confirm, nothing applied"
            )
            for customer, _item, invoice, applied, _write_off, explanation in outcome.lines:
                self.suggested.append(
                    (
                        receipt.receipt,
                        customer,
                        invoice,
                        _money(applied),
                        outcome.confidence,
                        f"{explanation}; {note}",
                        receipt.currency,
                        outcome.rule,
                    )
                )
            self.left_unplaced(receipt)
            unapplied = _Outcome(
                receipt,
                outcome.customer,
                outcome.identified_by,
                outcome.rule,
                outcome.confidence,
                rest=[
                    (
                        outcome.customer,
                        receipt.cents,
                        SUGGESTION,
                        f"{outcome.summary or 'a match was found'}; {note}",
                    )
                ],
            )
            self.outcomes.setdefault(receipt.receipt, []).append(unapplied)
            return
        for _customer, item, _invoice, applied, write_off, _ in outcome.lines:
            self.balance[item] = self.balance[item] - applied - write_off
        self.outcomes.setdefault(receipt.receipt, []).append(outcome)

    # remittance --------------------------------------------------------------------------------

    def remittance(self, receipt: _Receipt, lines: list[list[dict]]) -> None:
        """Lines applied as given; a deduction opens a case; what pays nothing open stays on
        account. Lines that pay more than the receipt brought are a suggestion."""
        settings = self.settings
        outcome = _Outcome(receipt, None, "remittance", "remittance", RULE_CONFIDENCE["remittance"])
        left = receipt.cents
        paid_total = sum(max(line[0]["paid"], 0) for line in lines)
        if paid_total > receipt.cents:
            outcome.confidence = REMITTANCE_MISFIT
            outcome.summary = (
                f"the remittance lines pay {_shown(paid_total)}, more than the receipt's "
                f"{_shown(receipt.cents)}"
            )
        customers: set[str] = set()
        taken: dict[int, int] = {}

        def closest(candidates: list[dict]) -> list[dict]:
            found = [c for c in candidates if c["item"] is not None]
            return [c for c in found if c["closeness"] == found[0]["closeness"]] if found else []

        # one advice is one payer's: the customer its unambiguous lines name decides the
        # lines whose number several customers' invoices end in (when the account does not)
        named = {
            next(iter(owners))
            for owners in ({c["customer"] for c in closest(group)} for group in lines)
            if len(owners) == 1
        }
        advice_customer = receipt.holder or (next(iter(named)) if len(named) == 1 else None)
        for candidates in lines:
            first = candidates[0]
            written, paid = first["written"], max(first["paid"], 0)
            best = closest(candidates)
            if len({c["customer"] for c in best}) > 1 and advice_customer is not None:
                best = [c for c in best if c["customer"] == advice_customer] or best
            if len({c["customer"] for c in best}) > 1 or not best:
                why = (
                    f"invoice {written} of the remittance advice is not open"
                    if not best
                    else f"invoice {written} of the remittance advice is open for several "
                    f"customers ({', '.join(sorted({c['customer'] for c in best}))})"
                )
                amount = min(paid, left)
                if amount > 0:
                    outcome.rest.append(
                        (receipt.holder, amount, ON_ACCOUNT, f"{why}: kept on account")
                    )
                    left -= amount
                continue
            chosen = best[0]
            item = chosen["item"]
            self.balance.setdefault(item, chosen["open_cents"])
            available = self.balance[item] - taken.get(item, 0)
            applied = min(paid, available, left)
            customer = chosen["customer"]
            customers.add(customer)
            text = f"the remittance advice pays {_shown(paid)} on invoice {chosen['invoice']} of "
            text += self.who(customer)
            if applied > 0:
                taken[item] = taken.get(item, 0) + applied
                left -= applied
                remains = available - applied
                state = "paid in full" if remains == 0 else f"{_shown(remains)} stays open"
                outcome.lines.append(
                    (customer, item, chosen["invoice"], applied, 0, f"{text}; {state}")
                )
            if paid > applied and left > 0 and paid_total <= receipt.cents:
                excess = min(paid - applied, left)
                outcome.rest.append(
                    (
                        customer,
                        excess,
                        ON_ACCOUNT,
                        f"{text}, of which {_shown(excess)} is more than it has open: "
                        "kept on account",
                    )
                )
                left -= excess
            deduction = abs(first["adjustment"])
            if deduction:
                code = (first["adjustment_reason"] or "").strip()
                ours = settings.reasons.get(code, OTHER_REASON) if code else OTHER_REASON
                said = f"reason code {code!r}" if code else "no reason code"
                outcome.cases.append(
                    (
                        customer,
                        chosen["invoice"],
                        deduction,
                        "deduction",
                        ours,
                        code or None,
                        f"the remittance advice deducts {_shown(deduction)} from invoice "
                        f"{chosen['invoice']} of {self.who(customer)} with {said}, "
                        f"our reason {ours}",
                    )
                )
        if left > 0:
            holder = next(iter(customers)) if len(customers) == 1 else receipt.holder
            outcome.rest.append(
                (
                    holder,
                    left,
                    ON_ACCOUNT,
                    f"{_shown(left)} of the receipt is more than its remittance lines pay: "
                    "kept on account",
                )
            )
        outcome.customer = next(iter(customers)) if len(customers) == 1 else receipt.holder
        if not outcome.summary:
            outcome.summary = f"remittance advice with {len(lines)} lines"
        self.decide(outcome)

    # references ------------------------------------------------------------------------------

    def references(
        self,
        receipt: _Receipt,
        refs: list[_Item],
        exact: tuple[set[int], list[str]] | None = None,
    ) -> str | None:
        """Apply the invoices the text refers to. Returns the customer to search by amount
        when no reference is usable (all paid already), else None. `exact`: the invoices
        whose whole number (prefix and all) is a word of the text, and those words: a number
        read inside such a word names that invoice only."""
        if exact:
            items, words = exact

            def inside(form: str) -> bool:  # every number of it is in a whole-number word
                return all(any(run in word for word in words) for run in _DIGITS.findall(form))

            refs = [
                ref
                for ref in refs
                if ref.item in items or not all(inside(f) for f in ref.forms or (ref.written,))
            ] or refs
        customers = sorted({ref.customer for ref in refs})
        note = ""
        if len(customers) > 1:
            if receipt.holder in customers:
                others = sorted({r.invoice for r in refs if r.customer != receipt.holder})
                note = (
                    f"; references to other customers' invoices ({', '.join(others)}) set "
                    f"aside: the payer's account is that of {self.who(receipt.holder)}"
                )
                refs = [ref for ref in refs if ref.customer == receipt.holder]
                customers = [receipt.holder]
            else:
                self._ambiguous(receipt, refs)
                return None
        customer = customers[0]
        conflict = receipt.holder is not None and receipt.holder != customer
        usable = [ref for ref in refs if self.open_of(ref) > 0]
        for ref in refs:
            self.balance.setdefault(ref.item, ref.open_cents)
        if not usable:
            return customer
        usable.sort(key=lambda ref: ref.item)  # oldest due first
        said = f" in the text {receipt.text!r}" if receipt.text else ""
        found = {
            ref.item: f"reference {ref.written}{said} matched invoice {ref.invoice} of "
            f"{self.who(customer)}"
            for ref in usable
        }
        if conflict:
            note += (
                f"; the payer's account is {self.who(receipt.holder)}'s, but the reference "
                f"names {self.who(customer)}'s invoice: the reference wins, less surely"
            )
        outcome = _Outcome(receipt, customer, "reference", "reference", Decimal("1.00"))
        amount = receipt.cents
        total = sum(self.open_of(ref) for ref in usable)
        if amount >= total:
            for ref in usable:
                open_cents = self.open_of(ref)
                outcome.lines.append(
                    (
                        customer,
                        ref.item,
                        ref.invoice,
                        open_cents,
                        0,
                        f"{found[ref.item]}; paid in full{note}",
                    )
                )
            if amount > total:
                excess = amount - total
                outcome.rule = "reference_over"
                outcome.rest.append(
                    (
                        customer,
                        excess,
                        ON_ACCOUNT,
                        f"over-payment: the receipt of {_shown(amount)} pays the referenced "
                        f"invoices ({_shown(total)}) in full; the {_shown(excess)} left is kept "
                        f"on account of {self.who(customer)}",
                    )
                )
        else:
            chosen = None
            if len(usable) > 1:
                chosen, _count, _complete = subset_search(
                    [self.open_of(ref) for ref in usable],
                    amount,
                    max_size=len(usable),
                    max_steps=self.settings.subset_max_steps,
                )
            if chosen is not None:
                outcome.rule = "reference_partial"
                picked = {usable[index].item for index in chosen}
                unpaid = ", ".join(ref.invoice for ref in usable if ref.item not in picked)
                for index in chosen:
                    ref = usable[index]
                    outcome.lines.append(
                        (
                            customer,
                            ref.item,
                            ref.invoice,
                            self.open_of(ref),
                            0,
                            f"{found[ref.item]}; paid in full (the receipt pays exactly these "
                            f"of the invoices it refers to; {unpaid} not paid by it){note}",
                        )
                    )
            else:
                self._short(outcome, usable, found, note)
        outcome.confidence = RULE_CONFIDENCE[outcome.rule]
        if conflict:
            cap = CONFLICT_EXACT if outcome.rule == "reference" else CONFLICT_OTHER
            outcome.confidence = min(outcome.confidence, cap)
        elif outcome.rule in UNCONFIRMED_RULES and not self.confirmed(receipt, customer):
            outcome.confidence = min(outcome.confidence, UNCONFIRMED)
            note += (
                f"; the money does not agree with the invoices named and nothing else says "
                f"the payer is {self.who(customer)} (no account of theirs, not their name): "
                "the reference may be mistyped"
            )
        outcome.summary = f"the text refers to {', '.join(ref.invoice for ref in usable)}{note}"
        if outcome.rule in UNCONFIRMED_RULES and not conflict:
            # the money does not fit the invoices named: a number one digit off an invoice
            # for exactly the amount is a mistyped reference to that one
            lead = (
                f"the text's reference names {', '.join(ref.invoice for ref in usable)} of "
                f"{self.who(customer)}, which the money does not fit"
            )
            if self.corrected_anyone(receipt, lead):
                return None
        if conflict and outcome.confidence < self.settings.threshold:
            self.deferred[receipt.receipt] = outcome
            return receipt.holder
        self.decide(outcome)
        return None

    def _short(self, outcome: _Outcome, usable: list[_Item], found: dict, note: str) -> None:
        """Fill the referenced invoices oldest due first; the shortfall falls on the last one
        the money reaches: written off when small, else left open with a short-payment case."""
        left = outcome.receipt.cents
        customer = outcome.customer
        for position, ref in enumerate(usable):
            open_cents = self.open_of(ref)
            if left >= open_cents:
                outcome.lines.append(
                    (
                        customer,
                        ref.item,
                        ref.invoice,
                        open_cents,
                        0,
                        f"{found[ref.item]}; paid in full{note}",
                    )
                )
                left -= open_cents
                continue
            short = open_cents - left
            later = usable[position + 1 :]
            rest = (
                f"; {', '.join(r.invoice for r in later)} referenced too, not paid by this receipt"
                if later
                else ""
            )
            paid = f"paid {_shown(left)} of {_shown(open_cents)}"
            limit = self.tolerance(open_cents)
            if short <= limit:
                outcome.rule = "reference_write_off"
                outcome.lines.append(
                    (
                        customer,
                        ref.item,
                        ref.invoice,
                        left,
                        short,
                        f"{found[ref.item]}; {paid}; the {_shown(short)} short is written off "
                        f"as a small balance (at most {_shown(limit)}){rest}{note}",
                    )
                )
            else:
                outcome.rule = "reference_short"
                explanation = (
                    f"{found[ref.item]}; {paid}; the {_shown(short)} short is more than the "
                    f"{_shown(limit)} written off: it stays open with a short-payment case"
                    f"{rest}{note}"
                )
                outcome.lines.append((customer, ref.item, ref.invoice, left, 0, explanation))
                outcome.cases.append(
                    (
                        customer,
                        ref.invoice,
                        short,
                        "short_payment",
                        SHORT_PAYMENT_REASON,
                        None,
                        f"receipt {outcome.receipt.receipt} paid {_shown(left)} of "
                        f"{_shown(open_cents)} open on invoice {ref.invoice} of "
                        f"{self.who(customer)}: {_shown(short)} short, not explained",
                    )
                )
            return

    def _ambiguous(self, receipt: _Receipt, refs: list[_Item]) -> None:
        listed = ", ".join(f"{ref.invoice} of {self.who(ref.customer)}" for ref in refs)
        outcome = _Outcome(
            receipt,
            None,
            "reference",
            AMBIGUOUS,
            REFERENCE_AMBIGUOUS,
            summary=f"the text's references name invoices of several customers ({listed}) "
            "and the payer's account names none of them",
        )
        for ref in refs:
            self.balance.setdefault(ref.item, ref.open_cents)
            outcome.lines.append(
                (
                    ref.customer,
                    ref.item,
                    ref.invoice,
                    min(self.open_of(ref), receipt.cents),
                    0,
                    f"reference {ref.written} matched invoice {ref.invoice} of "
                    f"{self.who(ref.customer)}, one of several customers' invoices named",
                )
            )
        self.decide(outcome)

    # by amount -------------------------------------------------------------------------------

    def by_amount(
        self,
        receipt: _Receipt,
        customer: str,
        how: str,
        confidence: Decimal,
        identified: str,
        items: list[_Item],
    ) -> None:
        """No usable reference: the set of the customer's open items that adds up exactly to
        the receipt; when several do, the one with the oldest due dates. A receipt whose
        reference named another customer's invoice that its money does not fit (deferred) is
        applied this way only when surely; otherwise the reference is suggested."""
        settings = self.settings
        deferred = self.deferred.pop(receipt.receipt, None)
        lead = "no invoice reference"
        if deferred is not None:
            named = ", ".join(sorted({line[2] for line in deferred.lines}))
            lead = (
                f"the text's reference names {named} of {self.who(deferred.customer)}, which "
                "the money does not fit: set aside"
            )
        equal = self.equal_of(receipt, customer)
        corrected = self._mistyped(receipt, equal)
        if corrected is not None:
            self.corrected(receipt, customer, how, confidence, f"{lead}; {identified}", *corrected)
            return
        payable = [item for item in equal if not item.disputed]
        if payable:
            self._equal_amount(
                receipt, customer, how, confidence, identified, lead, equal, deferred
            )
            return
        candidates = [item for item in items if self.open_of(item) > 0][: settings.subset_max_items]
        amounts = [self.open_of(item) for item in candidates]
        chosen, count, complete = subset_search(
            amounts,
            receipt.cents,
            max_size=settings.subset_max_size,
            max_steps=settings.subset_max_steps,
        )
        if chosen is None and deferred is not None:
            self.decide(deferred)
            return
        if chosen is None:
            fits = (
                f"no set of at most {settings.subset_max_size} of its {len(candidates)} "
                f"oldest open items ({_shown(sum(amounts))} open) adds up to "
                f"{_shown(receipt.cents)}"
                if candidates
                else f"it has nothing open in {receipt.currency} now"
            )
            bound = (
                "" if complete else f"; the search stopped after {settings.subset_max_steps} steps"
            )
            outcome = _Outcome(
                receipt,
                customer,
                how,
                "none",
                confidence,
                rest=[
                    (
                        customer,
                        receipt.cents,
                        ON_ACCOUNT,
                        f"{lead}; {identified}; {fits}{bound}: kept on account",
                    )
                ],
            )
            if confidence < settings.threshold:
                self._unsure_customer(outcome, identified)
                return
            self.decide(outcome)
            return
        rule = "open_items_sum" if count == 1 and complete else "open_items_oldest"
        why = (
            "the only set of its open items that adds up to the receipt"
            if rule == "open_items_sum"
            else "several sets of its open items add up to the receipt; the one with the "
            "oldest due dates wins"
        )
        picked = [candidates[index] for index in chosen]
        listed = ", ".join(item.invoice for item in picked)
        sure = min(confidence, RULE_CONFIDENCE[rule])
        if len(picked) > settings.subset_sure_size:
            sure = min(sure, MANY_ITEMS)
            why += (
                f"; {len(picked)} invoices, more than {settings.subset_sure_size}: sets this "
                "large add up to an amount by chance too often to be applied unconfirmed"
            )
        if deferred is not None and sure < settings.threshold:
            self.decide(deferred)
            return
        outcome = _Outcome(
            receipt,
            customer,
            how,
            rule,
            sure,
            summary=f"{lead}; {identified}; {listed} ({why})",
        )
        for item in picked:
            self.pay_in_full(
                outcome,
                item,
                f"{lead}; {identified}; invoice {item.invoice} "
                f"(due {item.due_date}) is in {why} ({listed} = "
                f"{_shown(receipt.cents)}); paid in full",
            )
        self.decide(outcome)

    def pay_in_full(self, outcome: _Outcome, item: _Item, explanation: str) -> None:
        """Add to `outcome` the payment of what is left open on `item`."""
        self.balance.setdefault(item.item, item.open_cents)
        outcome.lines.append(
            (outcome.customer, item.item, item.invoice, self.open_of(item), 0, explanation)
        )

    def equal_of(self, receipt: _Receipt, customer: str | None = None) -> list[_Item]:
        """The open items for exactly the receipt's amount (what this run left of them), of
        `customer` or of anyone, oldest due first."""
        return [
            item
            for item in self.equal.get((receipt.currency, receipt.cents), ())
            if (customer is None or item.customer == customer)
            and self.open_of(item) == receipt.cents
        ]

    def corrected(
        self,
        receipt: _Receipt,
        customer: str,
        how: str,
        confidence: Decimal,
        identified: str,
        item: _Item,
        written: str,
    ) -> None:
        """Apply `item`, whose number the text wrote one digit off (`written`)."""
        sure = min(confidence, RULE_CONFIDENCE["reference_corrected"])
        others = len(self.equal_of(receipt, customer)) - 1
        only = (
            f"the only open invoice of {self.who(customer)} for exactly {_shown(receipt.cents)}"
            if not others
            else f"one of {others + 1} open invoices of {self.who(customer)} for exactly "
            f"{_shown(receipt.cents)}, the only one so near the number"
        )
        why = (
            f"the text's {written} is one digit off invoice {item.invoice}, {only}: read as a "
            "mistyped reference"
        )
        outcome = _Outcome(
            receipt, customer, how, "reference_corrected", sure, summary=f"{identified}; {why}"
        )
        self.pay_in_full(
            outcome,
            item,
            f"{identified}; {why} (due {item.due_date}); paid in full",
        )
        self.decide(outcome)

    def corrected_anyone(self, receipt: _Receipt, lead: str) -> bool:
        """A number in the text one digit off exactly one open invoice, anyone's, for exactly
        the receipt's amount, from a payer whose account does not say otherwise: applied
        (the payer told by the invoice). False when there is no such invoice."""
        found = self._mistyped(receipt, self.equal_of(receipt))
        if found is None:
            return False
        item = found[0]
        if receipt.holder is not None and receipt.holder != item.customer:
            return False
        if receipt.holder is not None:
            how = receipt.holder_how or "account"
            identified = (
                f"{lead}; the payer's bank account {receipt.payer_account} is that of "
                f"{self.who(item.customer)}"
            )
        else:
            how = "reference"
            identified = f"{lead}; the payer is told by the corrected reference"
        self.corrected(receipt, item.customer, how, IDENTIFY_CONFIDENCE[how], identified, *found)
        return True

    def _equal_amount(
        self,
        receipt: _Receipt,
        customer: str,
        how: str,
        confidence: Decimal,
        identified: str,
        lead: str,
        equal: list[_Item],
        deferred: _Outcome | None,
    ) -> None:
        """Open invoices of the customer for exactly the receipt's amount: the only one, or
        of several the oldest due; never one in dispute."""
        payable = [item for item in equal if not item.disputed]
        item = payable[0]
        rule = "open_item_amount" if len(payable) == 1 else "open_items_equal"
        amount = _shown(receipt.cents)
        if rule == "open_item_amount" and how == "name" and confidence < IDENTIFY_CONFIDENCE[how]:
            # a name that only resembles the customer's, and the money is to the cent that of
            # the customer's one open invoice of the amount: each confirms the other
            confidence = IDENTIFY_CONFIDENCE[how]
            identified += f", and the amount, that of its only open invoice for {amount}, agrees"
        sure = min(confidence, RULE_CONFIDENCE[rule])
        if rule == "open_item_amount":
            why = (
                f"invoice {item.invoice} is the only open invoice of {self.who(customer)} for "
                f"exactly {amount}"
            )
        else:
            why = (
                f"{len(payable)} open invoices of {self.who(customer)} are for exactly "
                f"{amount} and nothing names one: the oldest due, {item.invoice}, is paid first"
            )
            doubts = self._equal_doubts(receipt)
            if doubts:
                sure = min(sure, EQUAL_DOUBTED)
                why += "; " + "; ".join(doubts)
        if deferred is not None and sure < self.settings.threshold:
            self.decide(deferred)  # the reference the money did not fit, suggested
            return
        held = [i.invoice for i in equal if i.disputed]
        if held:
            named = f": {', '.join(held)}" if len(held) < 4 else ""
            why += f" ({len(held)} more for the amount in dispute{named}, never chosen by amount)"
        outcome = _Outcome(
            receipt, customer, how, rule, sure, summary=f"{lead}; {identified}; {why}"
        )
        self.pay_in_full(
            outcome,
            item,
            f"{lead}; {identified}; {why} (due {item.due_date}); paid in full",
        )
        self.decide(outcome)

    def _equal_doubts(self, receipt: _Receipt) -> list[str]:
        """Why the oldest of several open invoices of the receipt's amount may not be the one
        it pays (each makes it a suggestion)."""
        amount = _shown(receipt.cents)
        doubts = []
        if self.settings.equal_amounts == "suggest":
            doubts.append("equal amounts are only suggested (equal_amounts: suggest)")
        days = self.unplaced.get((receipt.currency, receipt.cents), ())
        unplaced = sum(1 for day in days if day <= receipt.date)
        if unplaced:
            # an earlier receipt (or one of the same day) of the amount that nobody placed
            # may have paid the oldest: which invoice each pays is for a person to say
            doubts.append(
                f"{unplaced} other receipt{'s' if unplaced > 1 else ''} of exactly {amount}, "
                "of that day or earlier, could not be placed, and may have paid it"
            )
        unnamed = sorted(self.numbers(receipt).values())
        if unnamed:
            # a number like a reference that names no open invoice: the payer meant a
            # particular one, mistyped or long paid
            doubts.append(
                f"the text's {', '.join(unnamed)} names none of them: the payer may mean another"
            )
        return doubts

    def numbers(self, receipt: _Receipt) -> dict[str, str]:
        """The numbers written in the text long enough to be a reference (leading zeros aside,
        to as written); not the payer's account, which ACH texts repeat."""
        account = re.sub(r"\D", "", receipt.payer_account or "").lstrip("0")
        return {
            token.lstrip("0"): token
            for token in re.findall(
                rf"\d{{{self.settings.reference_min_digits},}}", receipt.text or ""
            )
            if token.lstrip("0") and token.lstrip("0") != account
        }

    def _mistyped(self, receipt: _Receipt, items: list[_Item]) -> tuple[_Item, str] | None:
        """The one open item for exactly the receipt's amount whose number is one digit off a
        number written in the text (one digit changed, or two side by side swapped; leading
        zeros aside), and that number; None when there is no such item or more than one."""
        written = self.numbers(receipt)
        if not written:
            return None
        found = []
        for item in items:
            if self.open_of(item) != receipt.cents:
                continue
            digits = re.sub(r"\D", "", item.invoice).lstrip("0")
            near = [token for key, token in written.items() if _one_digit_off(key, digits)]
            if near:
                found.append((item, near[0]))
        return found[0] if len(found) == 1 else None

    def _unsure_customer(self, outcome: _Outcome, identified: str) -> None:
        """A customer guessed from the payer's name, and nothing of theirs fits: the money
        stays unidentified, the customer suggested."""
        receipt = outcome.receipt
        note = f"confidence {outcome.confidence} is below the threshold {self.settings.threshold}"
        self.left_unplaced(receipt)
        self.suggested.append(
            (
                receipt.receipt,
                outcome.customer,
                None,
                _money(receipt.cents),
                outcome.confidence,
                f"{identified}; nothing of theirs adds up to the receipt; {note}: "
                "suggested as the payer",
                receipt.currency,
                "payer_name",
            )
        )
        outcome.customer = None
        outcome.rest = [
            (
                None,
                receipt.cents,
                UNIDENTIFIED,
                f"no invoice reference and no known bank account; {identified}, not surely "
                f"({note}): see the suggestion",
            )
        ]
        self.outcomes.setdefault(receipt.receipt, []).append(outcome)

    def left_unplaced(self, receipt: _Receipt) -> None:
        self.unplaced.setdefault((receipt.currency, receipt.cents), []).append(receipt.date)

    def unidentified(self, receipt: _Receipt, why: str) -> None:
        self.left_unplaced(receipt)
        outcome = _Outcome(
            receipt,
            None,
            "none",
            "none",
            Decimal("0.00"),
            rest=[(None, receipt.cents, UNIDENTIFIED, why)],
        )
        self.outcomes.setdefault(receipt.receipt, []).append(outcome)


def _one_digit_off(written: str, number: str) -> bool:
    """Whether `written` is `number` with one digit changed or two neighbours swapped."""
    if len(written) != len(number) or written == number:
        return False
    differ = [i for i, (a, b) in enumerate(zip(written, number, strict=True)) if a != b]
    if len(differ) == 1:
        return True
    first, second = differ if len(differ) == 2 else (0, 0)
    return (
        len(differ) == 2
        and second == first + 1
        and written[first] == number[second]
        and written[second] == number[first]
    )


def subset_search(
    amounts: list[int], target: int, *, max_size: int, max_steps: int
) -> tuple[list[int] | None, int, bool]:
    """The set of `amounts` (positive, oldest due first) that adds up exactly to `target`
    with at most `max_size` members; of several, the one whose due dates are oldest: its
    positions, compared in order, come first. Returns (positions or None, how many sets were
    seen (1 or 2: the search stops at the second), whether the search was complete)."""
    count = len(amounts)
    size = min(max_size, count)
    # bounds of what the items from a position on can still add up to: at least the
    # smallest of them, at most the `k` largest of them (k = the members still allowed)
    smallest = [0] * (count + 1)
    largest = [[0] * (size + 1) for _ in range(count + 1)]
    seen: list[int] = []  # the amounts from a position on, largest first
    for index in range(count - 1, -1, -1):
        bisect.insort(seen, -amounts[index])
        smallest[index] = -seen[-1]
        total = 0
        for k in range(1, size + 1):
            total += -seen[k - 1] if k <= len(seen) else 0
            largest[index][k] = total
    # positions by amount, and pairs of positions (in order) by their sum
    where: dict[int, list[int]] = {}
    for index, amount in enumerate(amounts):
        where.setdefault(amount, []).append(index)
    pairs: dict[int, list[tuple[int, int]]] = {}
    if size >= 2:
        for first, second in itertools.combinations(range(count), 2):
            total = amounts[first] + amounts[second]
            if total <= target:
                pairs.setdefault(total, []).append((first, second))
    found: list[list[int]] = []
    chosen: list[int] = []
    steps = 0

    class Bound(Exception):
        pass

    def walk(start: int, remaining: int) -> bool:
        """Sets of the positions from `start` on that add up to `remaining`, in order: those
        with the first position first. True when the second set is found."""
        nonlocal steps
        members = size - len(chosen)
        if members <= 2:  # the last one or two members are looked up, not walked to
            ends = [(p,) for p in where.get(remaining, ()) if p >= start][:2]
            if members == 2:
                ends += [pair for pair in pairs.get(remaining, ()) if pair[0] >= start][:2]
                ends.sort()
            for end in ends:
                found.append([*chosen, *end])
                if len(found) >= 2:
                    return True
            return False
        for position in range(start, count):
            # what the positions from here on can add up to only narrows further on
            if remaining < smallest[position] or largest[position][members] < remaining:
                return False
            steps += 1
            if steps > max_steps:
                raise Bound
            amount = amounts[position]
            if amount > remaining:
                continue
            if amount == remaining:
                found.append([*chosen, position])
                if len(found) >= 2:
                    return True
                continue
            chosen.append(position)
            if walk(position + 1, remaining - amount):
                return True
            chosen.pop()
        return False

    complete = True
    if target > 0:
        try:
            walk(0, target)
        except Bound:
            complete = False
    return (found[0] if found else None), len(found), complete


# -- names -------------------------------------------------------------------------------------


@dataclass
class _Named:
    """Who a payer name names: one customer (`customer`, how surely), or several that it fits
    equally well (`candidates`), for the money to tell apart."""

    explanation: str
    customer: str | None = None
    confidence: Decimal = Decimal("0.00")
    candidates: tuple[str, ...] = ()


#: a payer name cut short (an ACH company name has 16 characters) is read as the start of a
#: customer's name when it has at least this many
NAME_PREFIX_MIN = 12


def _name_written(name: str) -> str:
    """A name with its legal form, lower case, punctuation as single spaces."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", name.lower()).split())


def _names_identify(
    payer_names: list[str], customers: pa.Table | None, min_score: int
) -> dict[str, _Named]:
    """For each payer name, the customer it names. Exact once legal forms are put aside
    (confidence 0.90); else, for a name of at least `NAME_PREFIX_MIN` characters, the start
    of one customer's name (a name cut short, as ACH company names are, 0.90); else the
    closest name by token order-free similarity (rapidfuzz), if it scores at least `min_score`
    and no other customer comes within 3 points (confidence 0.90 × score / 100, rounded
    down). A name that fits several customers as well gives them as candidates."""
    if customers is None or not payer_names:
        return {}
    from rapidfuzz import fuzz, process

    by_key: dict[str, set[str]] = {}
    shown: dict[str, str] = {}
    for customer, name in zip(
        customers.column("customer").to_pylist(), customers.column("name").to_pylist(), strict=True
    ):
        key = name_key(name)
        if key:
            by_key.setdefault(key, set()).add(customer)
            shown.setdefault(customer, name or customer)
    keys = list(by_key)
    words: dict[str, list[int]] = {}
    for position, key in enumerate(keys):
        for word in set(key.split()):
            words.setdefault(word, []).append(position)
    # every customer's whole name (legal form and all) as a bank writes it, sorted for
    # looking up the names that start with a payer name
    written = sorted(
        {
            (" ".join(re.sub(r"[^a-z0-9]+", " ", name.lower()).split()), c)
            for c, name in shown.items()
        }
    )
    starts = [name for name, _ in written]

    def listed(found: set[str] | list[str]) -> str:
        return ", ".join(f"{shown[c]} ({c})" for c in sorted(found))

    out: dict[str, _Named] = {}
    for payer in payer_names:
        key = name_key(payer)
        if not key:
            continue
        exact = by_key.get(key)
        if exact is not None:
            if len(exact) == 1:
                (customer,) = exact
                out[payer] = _Named(
                    f"the payer's name {payer!r} is that of {shown[customer]} ({customer})",
                    customer,
                    IDENTIFY_CONFIDENCE["name"],
                )
            else:
                out[payer] = _Named(
                    f"the payer's name {payer!r} is that of several customers: {listed(exact)}",
                    candidates=tuple(sorted(exact)),
                )
            continue
        whole = _name_written(payer)
        if len(whole) >= NAME_PREFIX_MIN:
            at = bisect.bisect_left(starts, whole)
            begun = set()
            while at < len(written) and written[at][0].startswith(whole):
                begun.add(written[at][1])
                at += 1
            if len(begun) == 1:
                (customer,) = begun
                out[payer] = _Named(
                    f"the payer's name {payer!r} is the start of {shown[customer]}'s "
                    f"({customer}), cut short",
                    customer,
                    IDENTIFY_CONFIDENCE["name"],
                )
                continue
            if begun:
                out[payer] = _Named(
                    f"the payer's name {payer!r} is the start of several customers' names: "
                    f"{listed(begun)}",
                    candidates=tuple(sorted(begun)),
                )
                continue
        near = sorted({p for word in key.split() for p in words.get(word, ())})
        if not near:
            continue
        choices = {p: keys[p] for p in near}
        best = process.extract(
            key, choices, scorer=fuzz.token_sort_ratio, limit=5, score_cutoff=min_score
        )
        if not best:
            continue
        _name, score, position = best[0]
        close = {c for _n, other, p in best if other >= score - 3 for c in by_key[keys[p]]}
        if len(close) > 1:
            out[payer] = _Named(
                f"the payer's name {payer!r} resembles several customers' as closely: "
                f"{listed(close)}",
                candidates=tuple(sorted(close)),
            )
            continue
        (customer,) = close
        confidence = (IDENTIFY_CONFIDENCE["name"] * Decimal(int(score * 100)) / 10000).quantize(
            Decimal("0.01"), rounding=ROUND_DOWN
        )
        out[payer] = _Named(
            f"the payer's name {payer!r} resembles {shown[customer]} ({customer}), "
            f"{int(score)} of 100",
            customer,
            confidence,
        )
    return out


# -- the run -----------------------------------------------------------------------------------


def _conformed(table: pa.Table, schema: pa.Schema, optional: tuple[str, ...] = ()) -> pa.Table:
    columns = {}
    for item in schema:
        if item.name in table.column_names:
            columns[item.name] = table.column(item.name).cast(item.type)
        elif item.name in optional:
            columns[item.name] = pa.nulls(table.num_rows, item.type)
        else:
            raise ValueError(f"the table has no column {item.name!r}")
    return pa.table(columns, schema=schema)


def match(
    items: pa.Table,
    receipts: pa.Table,
    *,
    customers: pa.Table | None = None,
    remittance: pa.Table | None = None,
    links: pa.Table | None = None,
    settings: MatchSettings | None = None,
    connection=None,
    progress=None,
) -> MatchResult:
    """Match `receipts` (`RECEIPTS_SCHEMA`) to the open `items` (`ITEMS_SCHEMA`), with the
    customers' names and bank accounts (`CUSTOMERS_SCHEMA`), remittance lines
    (`REMITTANCE_SCHEMA`) and the payer accounts people linked to customers before
    (`LINKS_SCHEMA`). `connection`: a DuckDB connection (or Ibis DuckDB backend) to work on,
    by default a new one of the engine's (`backend.connect`); `progress(stage)` is told
    each stage as it starts."""
    settings = settings or MatchSettings()
    step = progress or (lambda stage: None)
    items = _conformed(items, ITEMS_SCHEMA, ITEM_OPTIONAL)
    receipts = _conformed(receipts, RECEIPTS_SCHEMA, RECEIPT_OPTIONAL)
    customers = None if customers is None else _conformed(customers, CUSTOMERS_SCHEMA)
    remittance = (
        None
        if remittance is None
        else _conformed(
            remittance, REMITTANCE_SCHEMA, ("invoiced", "adjustment", "adjustment_reason")
        )
    )
    links = None if links is None else _conformed(links, LINKS_SCHEMA)
    for amount in receipts.column("amount").to_pylist():
        if amount is None or amount <= 0:
            raise ValueError(f"a receipt is money in, more than 0: {amount}")

    owned = connection is None
    if owned:  # the engine's DuckDB: its memory limit, spilling to disk beyond it
        backend = connect()
        con = backend.con  # type: ignore[attr-defined]
    else:  # a DuckDB connection, or an Ibis DuckDB backend
        con = getattr(connection, "con", connection)
    inputs = {
        "cm_in_items": items,
        "cm_in_receipts": receipts,
        "cm_in_customers": customers if customers is not None else CUSTOMERS_SCHEMA.empty_table(),
        "cm_in_remittance": remittance
        if remittance is not None
        else REMITTANCE_SCHEMA.empty_table(),
        "cm_in_links": links if links is not None else LINKS_SCHEMA.empty_table(),
    }
    try:
        for name, table in inputs.items():
            con.register(name, table)
        step("finding references")
        for sql in _sql_prepare(settings):
            con.execute(sql)
        step("identifying payers")
        return _decide_all(con, receipts, customers, remittance, settings, step)
    finally:
        for name in inputs:
            con.unregister(name)
        for table in (
            "cm_items",
            "cm_keys",
            "cm_text",
            "cm_tokens",
            "cm_refs",
            "cm_holders",
            "cm_remit",
            "cm_exact",
            "cm_equal",
        ):
            con.execute(f"DROP TABLE IF EXISTS {table}")
        if owned:
            backend.disconnect()


def _decide_all(con, receipts_table, customers, remittance, settings, step) -> MatchResult:
    names: dict[str, str] = {}
    if customers is not None:
        for customer, name in zip(
            customers.column("customer").to_pylist(),
            customers.column("name").to_pylist(),
            strict=True,
        ):
            if name:
                names.setdefault(customer, name)
    holders = {
        row[0]: row[1:]
        for row in con.execute(
            "SELECT receipt, link_customer, link_holders, account_customer, account_holders "
            "FROM cm_holders"
        ).fetchall()
    }
    receipts: list[_Receipt] = []
    for row in receipts_table.select(
        ["receipt", "date", "amount", "currency", "payer_name", "payer_account", "text"]
    ).to_pylist():
        receipt = _Receipt(
            row["receipt"],
            row["date"],
            _cents(row["amount"]),
            row["currency"],
            row["payer_name"],
            row["payer_account"],
            row["text"],
        )
        link, link_holders, account, account_holders = holders.get(
            receipt.receipt, (None, 0, None, 0)
        )
        if link_holders == 1:
            receipt.holder, receipt.holder_how = link, "link"
        elif account_holders == 1:
            receipt.holder, receipt.holder_how = account, "account"
        if link_holders > 1 or (link_holders == 0 and account_holders > 1):
            receipt.holder_note = (
                f"the payer's bank account {receipt.payer_account} belongs to several customers"
            )
        receipts.append(receipt)
    receipts.sort(key=lambda r: (r.date, r.receipt))

    refs: dict[str, list[_Item]] = {}
    for receipt_id, item, customer, invoice, open_cents, due, written, forms in con.execute(
        "SELECT receipt, item, customer, invoice, open_cents, due_date, written, forms "
        "FROM cm_refs ORDER BY receipt, item"
    ).fetchall():
        refs.setdefault(receipt_id, []).append(
            _Item(item, customer, invoice, open_cents, due, written, tuple(forms))
        )
    exact: dict[str, tuple[set[int], list[str]]] = {}
    for receipt_id, item, word in con.execute(
        "SELECT receipt, item, word FROM cm_exact ORDER BY receipt, item, word"
    ).fetchall():
        items, words = exact.setdefault(receipt_id, (set(), []))
        items.add(item)
        words.append(word)
    advice: dict[str, dict[int, list[dict]]] = {}
    if remittance is not None and remittance.num_rows:
        con.execute(_SQL_REMITTANCE_LINES)
        cursor = con.execute(_SQL_REMITTANCE)
        columns = [d[0] for d in cursor.description]
        for values in cursor.fetchall():
            row = dict(zip(columns, values, strict=True))
            advice.setdefault(row["receipt"], {}).setdefault(row["line"], []).append(row)

    matcher = _Matcher(settings, names)
    for item, customer, invoice, open_cents, due, currency, disputed in con.execute(
        "SELECT item, customer, invoice, open_cents, due_date, currency, disputed "
        "FROM cm_equal ORDER BY item"
    ).fetchall():
        matcher.equal.setdefault((currency, open_cents), []).append(
            _Item(item, customer, invoice, open_cents, due, disputed=disputed)
        )
    step("applying references")
    pending: list[tuple[_Receipt, str, str, Decimal, str]] = []
    unknown: list[_Receipt] = []
    for receipt in receipts:
        if receipt.receipt in advice:
            lines = advice[receipt.receipt]
            matcher.remittance(receipt, [lines[line] for line in sorted(lines)])
            continue
        found = refs.get(receipt.receipt)
        if found:
            customer = matcher.references(receipt, found, exact.get(receipt.receipt))
            if receipt.receipt in matcher.deferred:
                pass  # searched by amount among the payer account's open items, below
            elif customer is not None:
                pending.append(
                    (
                        receipt,
                        customer,
                        "reference",
                        IDENTIFY_CONFIDENCE["reference"],
                        f"the references in the text name {matcher.who(customer)}'s invoices, "
                        "all paid already",
                    )
                )
            if receipt.receipt not in matcher.deferred:
                continue
        if receipt.holder is not None:
            how = receipt.holder_how
            holder = matcher.who(receipt.holder)
            said = (
                f"is that of {holder}"
                if how == "account"
                else f"was linked to {holder} by a person before"
            )
            pending.append(
                (
                    receipt,
                    receipt.holder,
                    how,
                    IDENTIFY_CONFIDENCE[how],
                    f"the payer's bank account {receipt.payer_account} {said}",
                )
            )
            continue
        unknown.append(receipt)

    step("identifying by name")
    by_name = _names_identify(
        sorted({r.payer_name for r in unknown if r.payer_name}), customers, settings.name_min_score
    )
    for receipt in unknown:
        named = by_name.get(receipt.payer_name) if receipt.payer_name else None
        if (named is None or named.customer is None) and matcher.corrected_anyone(
            receipt, "no invoice reference as written"
        ):
            continue
        if named is not None and named.candidates:
            # the name fits several customers: the one with an open invoice for exactly the
            # amount (not in dispute), if only one has
            fits = [
                c
                for c in named.candidates
                if any(not item.disputed for item in matcher.equal_of(receipt, c))
            ]
            if len(fits) == 1:
                named = _Named(
                    f"{named.explanation}; only {matcher.who(fits[0])} has an open invoice for "
                    f"exactly {_shown(receipt.cents)}",
                    fits[0],
                    IDENTIFY_CONFIDENCE["name"],
                )
        if named is None or named.customer is None:
            said = [
                f"no invoice reference in the text {receipt.text!r}" if receipt.text else "no text"
            ]
            said.append(
                receipt.holder_note
                or (
                    f"the payer's bank account {receipt.payer_account} is not known"
                    if receipt.payer_account
                    else "no payer bank account"
                )
            )
            said.append(
                named.explanation + ", and the money tells none of them apart"
                if named is not None
                else f"the payer's name {receipt.payer_name!r} matches no customer"
                if receipt.payer_name
                else "no payer name"
            )
            matcher.unidentified(receipt, "; ".join(said))
            continue
        pending.append((receipt, named.customer, "name", named.confidence, named.explanation))

    step("searching by amount")
    # by date, whoever told the payer: of a customer's equal amounts the earlier receipt
    # takes the older invoice
    pending.sort(key=lambda entry: (entry[0].date, entry[0].receipt))
    open_items = _open_items_of(con, pending, matcher, settings)
    for receipt, customer, how, confidence, explanation in pending:
        matcher.by_amount(
            receipt,
            customer,
            how,
            confidence,
            explanation,
            open_items.get((customer, receipt.currency), []),
        )
    step("writing")
    return _result(matcher, receipts, settings)


def _open_items_of(con, pending, matcher: _Matcher, settings: MatchSettings) -> dict:
    """The oldest-due open items of the customers searched by amount: enough of them that
    the first `subset_max_items` still open after this run's applications are among them."""
    if not pending:
        return {}
    # each receipt searched before another of the same customer may take up to
    # subset_max_size of its items; items this run already touched may hold nothing
    extra: dict[tuple[str, str], int] = {}
    for receipt, customer, *_ in pending:
        key = (customer, receipt.currency)
        extra[key] = extra.get(key, settings.subset_max_items) + settings.subset_max_size
    wanted = pa.table(
        {
            "customer": pa.array([key[0] for key in extra], pa.string()),
            "currency": pa.array([key[1] for key in extra], pa.string()),
            "extra": pa.array(list(extra.values()), pa.int64()),
        }
    )
    spent = pa.table({"item": pa.array(list(matcher.balance), pa.int64())})
    con.register("cm_wanted", wanted)
    con.register("cm_spent", spent)
    try:
        rows = con.execute(
            """
            WITH spent AS (
                SELECT i.customer, i.currency, count(*) AS n
                FROM cm_spent s JOIN cm_items i ON i.item = s.item GROUP BY ALL
            )
            SELECT i.item, i.customer, i.invoice, i.open_cents, i.due_date, i.currency
            FROM cm_items i
            JOIN cm_wanted w ON w.customer = i.customer AND w.currency = i.currency
            LEFT JOIN spent s ON s.customer = i.customer AND s.currency = i.currency
            QUALIFY row_number() OVER (PARTITION BY i.customer, i.currency ORDER BY i.item)
                    <= w.extra + coalesce(s.n, 0)
            ORDER BY i.item
            """
        ).fetchall()
    finally:
        con.unregister("cm_spent")
        con.unregister("cm_wanted")
    found: dict[tuple[str, str], list[_Item]] = {}
    for item, customer, invoice, open_cents, due, currency in rows:
        found.setdefault((customer, currency), []).append(
            _Item(item, customer, invoice, open_cents, due)
        )
    return found


def _result(matcher: _Matcher, receipts: list[_Receipt], settings: MatchSettings) -> MatchResult:
    applications, unapplied, cases = [], [], []
    for receipt in receipts:
        for outcome in matcher.outcomes.get(receipt.receipt, []):
            for customer, _item, invoice, applied, write_off, explanation in outcome.lines:
                applications.append(
                    (
                        receipt.receipt,
                        customer,
                        invoice,
                        _money(applied),
                        _money(write_off),
                        SMALL_BALANCE if write_off else None,
                        outcome.rule,
                        outcome.confidence,
                        explanation,
                        receipt.currency,
                        outcome.identified_by,
                    )
                )
            for customer, invoice, amount, kind, reason, external, explanation in outcome.cases:
                cases.append(
                    (
                        receipt.receipt,
                        customer,
                        invoice,
                        _money(amount),
                        kind,
                        reason,
                        explanation,
                        receipt.currency,
                        external,
                    )
                )
            for customer, amount, reason, explanation in outcome.rest:
                if customer is None and reason == ON_ACCOUNT:
                    reason = UNIDENTIFIED  # no account to keep it on
                unapplied.append(
                    (
                        receipt.receipt,
                        customer,
                        _money(amount),
                        reason,
                        explanation,
                        receipt.currency,
                        outcome.confidence,
                    )
                )
    return MatchResult(
        applications=_table(applications, APPLICATIONS_SCHEMA),
        unapplied=_table(unapplied, UNAPPLIED_SCHEMA),
        cases=_table(cases, CASES_SCHEMA),
        suggestions=_table(matcher.suggested, SUGGESTIONS_SCHEMA),
        receipts=len(receipts),
        settings=settings,
    )


def _table(rows: list[tuple], schema: pa.Schema) -> pa.Table:
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in schema]
    return pa.table(
        {f.name: pa.array(list(values), f.type) for f, values in zip(schema, columns, strict=True)},
        schema=schema,
    )


__all__ = [
    "APPLICATIONS_SCHEMA",
    "CASES_SCHEMA",
    "CUSTOMERS_SCHEMA",
    "DEDUCTION_REASONS",
    "IDENTIFY_CONFIDENCE",
    "ITEMS_SCHEMA",
    "LINKS_SCHEMA",
    "RECEIPTS_SCHEMA",
    "REMITTANCE_SCHEMA",
    "RULE_CONFIDENCE",
    "SUGGESTIONS_SCHEMA",
    "UNAPPLIED_SCHEMA",
    "MatchResult",
    "MatchSettings",
    "invoice_key",
    "match",
    "name_key",
    "subset_search",
]
