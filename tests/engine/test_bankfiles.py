"""The bank-file readers against real files others published (shared/fixtures/bank), each
compared with its upstream parse where there is one, and against broken files written here:
every problem is named with its line (segment, element) and column, and nothing is read."""

from __future__ import annotations

import ast
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
import yaml

from revdesk.engine.bankfiles import (
    RECEIPT_SCHEMA,
    REMITTANCE_SCHEMA,
    BankFileError,
    format_sniff,
    read_bank_file,
)
from revdesk.engine.commission_inputs import InputError

SHARED = Path(__file__).parents[2] / ".." / "shared"
BANK = SHARED / "fixtures" / "bank"
EXAMPLE_CSV = SHARED / "examples" / "cash-application" / "01-matching" / "bank.csv"
D = Decimal


def receipts(bank_file) -> list[dict]:
    return bank_file.receipts.to_pylist()


def problems(error: pytest.ExceptionInfo) -> list[tuple]:
    return [tuple(p) for p in error.value.problems]


# -- the tables --------------------------------------------------------------------------


def test_every_reader_gives_the_fixed_columns_and_types():
    for path in (
        BANK / "bai2" / "svb_us_example.bai2",
        BANK / "mt940" / "jejik-knab.sta",
        BANK / "camt" / "test-camt054",
        BANK / "edi820" / "trade-remittance-003010.edi",
        EXAMPLE_CSV,
    ):
        bank_file = read_bank_file(path)
        assert bank_file.receipts.schema == RECEIPT_SCHEMA
        assert bank_file.remittance.schema == REMITTANCE_SCHEMA
        assert bank_file.receipts.schema.field("amount").type == pa.decimal128(38, 2)
        assert bank_file.receipts.schema.field("date").type == pa.date32()
        ids = bank_file.receipts.column("receipt").to_pylist()
        assert len(ids) == len(set(ids))


def test_the_format_is_sniffed_from_the_content():
    assert format_sniff((BANK / "bai2" / "citi_example.bai2").read_bytes()) == "bai2"
    assert format_sniff((BANK / "mt940" / "jejik-abnamro.sta").read_bytes()) == "mt940"
    assert format_sniff((BANK / "mt940" / "mBank-mt942.sta").read_bytes()) == "mt940"
    assert format_sniff((BANK / "camt" / "test-camt053").read_bytes()) == "camt"
    assert format_sniff((BANK / "edi820" / "trade-remittance-003010.edi").read_bytes()) == (
        "x12-820"
    )
    assert format_sniff(EXAMPLE_CSV.read_bytes()) == "csv"
    assert read_bank_file(BANK / "mt940" / "mBank-mt942.sta").format == "mt942"
    assert read_bank_file(BANK / "camt" / "test-camt054").format == "camt.054"


def test_the_error_is_an_input_error_and_names_the_file(tmp_path):
    path = tmp_path / "blank_total.bai2"
    path.write_text(BLANK_TOTAL_WITH_A_CREDIT)
    with pytest.raises(InputError) as error:
        read_bank_file(path)
    assert isinstance(error.value, BankFileError)
    assert str(error.value).startswith("blank_total.bai2, line 5, ")


# -- BAI2 ----------------------------------------------------------------------------------


def test_bai2_citi_one_credit_with_its_continuation_records():
    bank_file = read_bank_file(BANK / "bai2" / "citi_example.bai2")
    assert receipts(bank_file) == [
        {
            "receipt": "1234567890",
            "date": dt.date(2015, 7, 15),
            "amount": D("0.01"),
            "currency": "GBP",
            # BO: (by order of) is the payer's account, BO1: its name; OB: is the ordering
            # bank (sort code 111111, Barclays), not the payer
            "payer_name": "DOE JO",
            "payer_account": "11111111",
            "text": "RP12312312312312 FR:FP SIP INCOMING ENDT:20150715 TRID:RP12312312312312 "
            "PY:RP1231231231231200 A1234BC 22/03/66 BI:22222222 OB:111111 BUCKINGHAM PALACE "
            "OB3:BARCLAYS BANK PLC BO:11111111 BO1:DOE JO",
            "bank_reference": "1234567890",
            "format": "bai2",
            "source": "citi_example.bai2:4",
        }
    ]
    assert bank_file.summary.totals == {"GBP": D("0.01")}
    assert bank_file.summary.debits_skipped == 0
    assert bank_file.remittance.num_rows == 0


def test_bai2_natwest_one_credit_four_debits_skipped():
    bank_file = read_bank_file(BANK / "bai2" / "nwb_example.bai2")
    assert bank_file.summary.credits == 1
    assert bank_file.summary.debits_skipped == 4
    assert bank_file.summary.totals == {"GBP": D("0.89")}
    (receipt,) = receipts(bank_file)
    # No bank reference: the id is the account, the as-of date and the entry's position.
    assert receipt["receipt"] == "88888888 600004/20091216/5"
    assert receipt["source"] == "nwb_example.bai2:13"
    assert receipt["text"].endswith("INTERNATIONAL-5373 CLIE NT SECCY AC TFR")


def test_bai2_svb_two_ach_credits_without_invoice_reference():
    bank_file = read_bank_file(BANK / "bai2" / "svb_us_example.bai2")
    assert [(r["receipt"], r["date"], r["amount"], r["text"]) for r in receipts(bank_file)] == [
        ("172629", dt.date(2022, 2, 1), D("4901.96"), "SOME PAYMENT ACH OFFSET"),
        ("150675", dt.date(2022, 2, 2), D("9058.00"), "SOME PAYMENT ACH OFFSET"),
    ]
    assert bank_file.summary.totals == {"USD": D("13959.96")}
    assert bank_file.summary.statements == 2
    # "SOME PAYMENT ACH OFFSET" names no originator: no payer
    assert {(r["payer_name"], r["payer_account"]) for r in receipts(bank_file)} == {(None, None)}


def _bai2_one_credit(text: str) -> str:
    """A one-credit BAI2 file whose detail text is `text`, split at spaces into 88
    continuations of about 60 characters (no "/" at their ends: the text goes on)."""
    pieces = [""]
    for word in text.split(" "):
        if len(pieces[-1]) > 50:
            pieces.append("")
        pieces[-1] = f"{pieces[-1]} {word}" if pieces[-1] else word
    lines = [
        "01,BANK,REVDESK,261102,0600,1,,,2/",
        "02,REVDESK,BANK,1,261102,,USD,2/",
        "03,123456789,USD,/",
        f"16,165,1250000,Z,REF7,,{pieces[0]}",
        *[f"88,{piece}" for piece in pieces[1:]],
        f"49,1250000,{2 + len(pieces)}/",
        f"98,1250000,1,{4 + len(pieces)}/",
        f"99,1250000,1,{6 + len(pieces)}/",
    ]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "payer"),
    [
        # ACH, as Chase prints the NACHA batch header; IND NAME is the receiver (us)
        (
            "ORIG CO NAME:PALLISTER MFG INC ORIG ID:9215550143 DESC DATE:261102 CO ENTRY "
            "DESCR:PAYABLES SEC:CCD TRACE#:021000028841207 EED:261102 IND ID:V-2231 "
            "IND NAME:REVDESK INC TRN:1234567890 4012345",
            ("PALLISTER MFG INC", "9215550143"),
        ),
        # padded and in mixed case, as on Chase statements
        (
            "Orig CO Name:Table Top Linen        Orig ID:1900922218 CO Entry Descr:Payment",
            ("Table Top Linen", "1900922218"),
        ),
        # a name only
        ("ORIG CO NAME:ACME CORP CO ENTRY DESCR:INV 4012345", ("ACME CORP", None)),
        # Fedwire as Chase writes it: the name runs to REF: (city and state included)
        (
            "FEDWIRE CREDIT VIA: FIRST BANK/107005047 B/O: ROLLA BOYS, L.L.C. CENTENNIAL CO "
            "REF: CHASE NYC/CTR/BNF=REVDESK INC NEW YORK NY OBI=INVOICE 4012345",
            ("ROLLA BOYS, L.L.C. CENTENNIAL CO", None),
        ),
        # Citi: BO:/BO1:, the ordering bank OB: left alone
        (
            "OB:111111 SOME BRANCH OB3:BARCLAYS BANK PLC BO:22334455 BO1:ACME LTD",
            ("ACME LTD", "22334455"),
        ),
        # IND NAME / IND ID alone are the receiver's: no payer
        ("IND ID:C-123 IND NAME:REVDESK INC PAYMENT", (None, None)),
        # no tags
        ("ACH CREDIT PAYMENT 4012345", (None, None)),
    ],
)
def test_bai2_payer_from_the_detail_text(tmp_path, text, payer):
    path = tmp_path / "payer.bai2"
    path.write_text(_bai2_one_credit(text))
    (receipt,) = receipts(read_bank_file(path))
    assert (receipt["payer_name"], receipt["payer_account"]) == payer
    assert " ".join(receipt["text"].split()) == " ".join(text.split())  # kept whole


BLANK_TOTAL_WITH_A_CREDIT = (
    "01,1111,testcompany,210101,0101,010101010101,,,2/\n"
    "02,testcompany,1111,1,210101,2359,,2/\n"
    "03,12345,/\n"
    "16,195,2500,,REF1,,ACH CREDIT/\n"
    "49,,3/\n"
    "98,2500,1,5/\n"
    "99,2500,1,7/\n"
)


def test_bai2_blank_account_control_total_of_an_account_with_no_amounts_reads_as_0():
    # Upstream's example: two accounts with nothing on them, their 49 totals left empty, the
    # group's and the file's 0. The 49 record's total may be empty only when it would be 0.
    bank_file = read_bank_file(BANK / "bai2" / "account_trailer_amount_blank_example.bai2")
    assert bank_file.receipts.num_rows == 0
    assert bank_file.summary.statements == 2
    assert bank_file.summary.debits_skipped == 0


def test_bai2_blank_account_control_total_hiding_amounts_is_a_fault(tmp_path):
    path = tmp_path / "blank_total.bai2"
    path.write_text(BLANK_TOTAL_WITH_A_CREDIT)
    with pytest.raises(BankFileError) as error:
        read_bank_file(path)
    assert problems(error) == [
        (
            "blank_total.bai2",
            5,
            "account control total",
            "empty; expected 2500 (it may be left empty only when the account has no amounts)",
        )
    ]


def test_bai2_truncated_without_99_trailer(tmp_path):
    lines = (BANK / "bai2" / "svb_us_example.bai2").read_text().splitlines()
    path = tmp_path / "truncated.bai2"
    path.write_text("\n".join(lines[:-1]) + "\n")
    with pytest.raises(BankFileError) as error:
        read_bank_file(path)
    assert problems(error) == [
        (
            "truncated.bai2",
            19,
            "record code",
            "the file ends here without its 99 file trailer (truncated?)",
        )
    ]


def test_bai2_account_control_total_off_by_a_cent(tmp_path):
    text = (BANK / "bai2" / "citi_example.bai2").read_text()
    path = tmp_path / "off.bai2"
    path.write_text(text.replace("49,20001,10/", "49,20002,10/"))
    with pytest.raises(BankFileError) as error:
        read_bank_file(path)
    assert problems(error) == [
        (
            "off.bai2",
            12,
            "account control total",
            "the trailer says 20002 but the records it closes add up to 20001",
        )
    ]


def test_bai2_bad_amount_and_record_count(tmp_path):
    text = (BANK / "bai2" / "svb_us_example.bai2").read_text()
    path = tmp_path / "bad.bai2"
    path.write_text(
        text.replace("16,142,490196,", "16,142,49O196,").replace(
            "98,143145938,1,9", "98,143145938,1,8"
        )
    )
    with pytest.raises(BankFileError) as error:
        read_bank_file(path)
    found = [(p[1], p[2]) for p in problems(error)]
    assert (7, "amount") in found
    assert (19, "number of records") in found
    assert "'49O196' is not a whole number" in str(error.value)


# -- MT940 / MT942 against upstream's expected parse ------------------------------------------


class UpstreamLoader(yaml.SafeLoader):
    """Reads the upstream mt940 .yml dumps without running their Python tags: objects become
    dicts, Decimals Decimals, dates dates; compiled patterns are dropped."""


def _object(loader, suffix, node):
    data: dict = {}
    yield data
    data.update(loader.construct_mapping(node, deep=True))


def _apply(loader, suffix, node):
    if isinstance(node, yaml.MappingNode):  # e.g. a DateTime given by keywords
        return loader.construct_mapping(node, deep=True)
    arguments = loader.construct_sequence(node, deep=True)
    if suffix == "decimal.Decimal":
        return Decimal(arguments[0])
    if suffix == "mt940.models.Date":
        raw = arguments[0]
        return dt.date(int.from_bytes(raw[:2], "big"), raw[2], raw[3])
    return None


UpstreamLoader.add_multi_constructor("tag:yaml.org,2002:python/object:", _object)
UpstreamLoader.add_multi_constructor("tag:yaml.org,2002:python/object/apply:", _apply)
UpstreamLoader.add_multi_constructor(
    "tag:yaml.org,2002:python/name:", lambda loader, suffix, node: suffix
)

MT940_FILES = sorted(
    path.stem for path in (BANK / "mt940").glob("*.sta") if "broken" not in path.stem
)
BALANCE_KEYS = {
    "60F": "final_opening_balance",
    "60M": "intermediate_opening_balance",
    "60": "opening_balance",
    "62F": "final_closing_balance",
    "62M": "intermediate_closing_balance",
    "62": "closing_balance",
}


@pytest.mark.parametrize("stem", MT940_FILES)
def test_mt940_matches_upstream_parse(stem):
    expected = yaml.load(
        (BANK / "mt940" / f"{stem}.yml").read_text(encoding="utf-8"), Loader=UpstreamLoader
    )
    bank_file = read_bank_file(BANK / "mt940" / f"{stem}.sta")
    upstream = [t["data"] for t in expected["transactions"] if "amount" in t["data"]]
    credits = [t for t in upstream if t["status"] in ("C", "RD")]
    debits = [t for t in upstream if t["status"] in ("D", "RC")]
    assert len(credits) + len(debits) == len(upstream)
    assert [(r["date"], r["amount"]) for r in receipts(bank_file)] == [
        (t["date"], abs(t["amount"]["amount"])) for t in credits
    ]
    assert bank_file.summary.credits == len(credits)
    assert bank_file.summary.debits_skipped == len(debits)
    # Upstream keeps, for each kind of balance, the last one it read: so do we.
    ours = {}
    for statement in bank_file.statements:
        for tag, amount in (
            (statement.opening_tag, statement.opening),
            (statement.closing_tag, statement.closing),
        ):
            if tag:
                ours[BALANCE_KEYS[tag]] = amount
    theirs = {
        key: value["amount"]["amount"]  # upstream signs a D balance
        for key, value in expected["data"].items()
        if key in BALANCE_KEYS.values()
    }
    assert ours == theirs


def test_mt940_amount_formats_each_read_exactly():
    bank_file = read_bank_file(BANK / "mt940" / "betterplace-amount_formats.sta")
    assert [s.opening for s in bank_file.statements] == [
        D("380115.12"),
        D("380115.1"),
        D("380115"),
        D("0.12"),
        D("0.12"),
        D("1.12"),
    ]
    assert bank_file.receipts.num_rows == 0


def test_mt940_abn_amro_next_opening_balance_is_not_the_last_closing_one():
    # A fact of the real file (SOURCES.md, known quirks): not an error, not even a warning.
    bank_file = read_bank_file(BANK / "mt940" / "jejik-abnamro.sta")
    first, second = bank_file.statements
    assert (first.closing, second.opening) == (D("876.84"), D("2876.84"))
    # Within a statement the entries do not tie out either (the sample was cut down): warned.
    assert [(w[1], w[2]) for w in bank_file.warnings] == [(27, ":62F:"), (40, ":62M:")]
    assert bank_file.summary.debits_skipped == 10
    assert bank_file.receipts.num_rows == 0


def test_mt940_structured_details_give_payer_and_text():
    bank_file = read_bank_file(BANK / "mt940" / "betterplace-with_binary_character.sta")
    first = receipts(bank_file)[0]
    assert first["receipt"] == "32-P1-TCS49518"
    assert first["payer_name"] == "PAYPAL"
    assert first["payer_account"] == "0175526300"
    assert first["text"] == "QQW53T2245ZGY46J ABBUCHUNGVOM PAYPAL-KONTO100318P3TX1433EV"
    assert bank_file.summary.totals == {"EUR": D("14215.30")}
    # No bank reference: account / statement number / entry position.
    assert receipts(bank_file)[1]["receipt"] == "51230800/0000007055/00027/00001/2"


def test_mt940_sepa_totals():
    bank_file = read_bank_file(BANK / "mt940" / "betterplace-sepa_mt9401.sta")
    assert bank_file.summary.credits == 41
    assert bank_file.summary.debits_skipped == 56
    assert bank_file.summary.totals == {"EUR": D("5188474.94")}
    assert bank_file.summary.statements == 26
    assert bank_file.warnings == []  # every statement ties out


def test_mt942_sums_checked():
    bank_file = read_bank_file(BANK / "mt940" / "mBank-mt942.sta")
    assert [(r["receipt"], r["amount"]) for r in receipts(bank_file)] == [
        ("MB170119012058", D("0.01")),
        ("MB170119012085", D("0.01")),
        ("MB170119012121", D("0.01")),
    ]
    assert bank_file.summary.totals == {"PLN": D("0.03")}


def test_mt940_broken_snippet_is_refused_at_its_line():
    # Upstream parses it by taking the :86: remittance text that follows the misplaced :25:
    # as the account number (and its closing balance does not follow from its one entry);
    # a second :25: inside a statement is refused here, at its line.
    with pytest.raises(BankFileError) as error:
        read_bank_file(BANK / "mt940" / "betterplace-sepa_snippet_broken.sta")
    assert problems(error) == [
        (
            "betterplace-sepa_snippet_broken.sta",
            6,
            ":25:",
            "appears a second time in the statement that began on line 1 (first on line 2); "
            "expected one per statement",
        )
    ]


MT940_GOOD = """\
:20:STATEMENT1
:25:NL91ABNA0417164300
:28C:1/1
:60F:C240102EUR100,00
:61:2401020102C{amount}NTRFNONREF//BANKREF1
:86:INV 1001
:62F:C240102EUR127,00
-
"""


def test_mt940_bad_amount(tmp_path):
    path = tmp_path / "bad.sta"
    path.write_text(MT940_GOOD.format(amount="2X7,00"))
    with pytest.raises(BankFileError) as error:
        read_bank_file(path)
    ((file, line, column, message),) = problems(error)
    assert (file, line, column) == ("bad.sta", 5, ":61:")
    assert message.startswith("'2401020102C2X7,00NTRFNONREF//BANKREF1'; expected a value date")
    good = tmp_path / "good.sta"
    good.write_text(MT940_GOOD.format(amount="27,00"))
    assert receipts(read_bank_file(good))[0]["text"] == "INV 1001"


def test_mt942_sum_mismatch(tmp_path):
    path = tmp_path / "bad942.sta"
    text = (BANK / "mt940" / "mBank-mt942.sta").read_text(encoding="utf-8")
    path.write_text(text.replace(":90C:3PLN0,03", ":90C:3PLN0,04"), encoding="utf-8")
    with pytest.raises(BankFileError) as error:
        read_bank_file(path)
    assert [(p[1], p[2]) for p in problems(error)] == [(26, ":90C:")]


# -- camt against upstream's expected parse ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("test-camt053", "golden-camt053.pydata"),
        ("test-camt053-txdtls", "golden-camt053-txdtls.pydata"),
        ("test-camt054", "golden-camt054.pydata"),
        ("test-camt053-no-ntry", "golden-camt053-no-ntry.pydata"),
    ],
)
def test_camt_matches_upstream_parse(name, expected):
    currency, account, statements = ast.literal_eval(
        (BANK / "camt" / expected).read_text(encoding="utf-8")
    )
    bank_file = read_bank_file(BANK / "camt" / name)
    upstream = [t for s in statements for t in s["transactions"]]
    credits = [t for t in upstream if t["amount"] > 0]
    assert [
        (r["amount"], r["currency"], r["payer_name"], r["payer_account"])
        for r in receipts(bank_file)
    ] == [(D(str(t["amount"])), currency, t["partner_name"], t["account_number"]) for t in credits]
    for ours, theirs in zip(bank_file.statements, statements, strict=False):
        assert ours.id == theirs["name"]
        assert ours.account == account
        # Upstream writes 0.0 for a balance the file does not give (camt.054 has none).
        assert (ours.opening or 0) == D(str(theirs["balance_start"]))
        assert (ours.closing or 0) == D(str(theirs["balance_end_real"]))
    if not statements:  # upstream drops a statement without entries; we keep it, empty
        assert [(s.id, s.opening, s.closing) for s in bank_file.statements] == [
            ("1234Test/1", D("1520.76"), D("1520.76"))
        ]


def test_camt053_details():
    bank_file = read_bank_file(BANK / "camt" / "test-camt053")
    assert receipts(bank_file) == [
        {
            "receipt": "1234Test/1/3",
            "date": dt.date(2014, 1, 5),
            "amount": D("1405.31"),
            "currency": "EUR",
            "payer_name": "3rd party Media",
            "payer_account": "NL69ABNA0522123643",
            "text": "#RD PARTY MEDIA CUSNO 90782 4210773",
            "bank_reference": None,
            "format": "camt.053",
            "source": "test-camt053:251",
        }
    ]
    assert bank_file.summary.debits_skipped == 2  # two debit entries, one a batch of two
    # The sample's balances do not tie out: a warning, not an error.
    assert [w[1:3] for w in bank_file.warnings] == [(7, "BkToCstmrStmt/Stmt[1]/Bal")]


def test_camt053_batch_gives_one_receipt_per_transaction():
    bank_file = read_bank_file(BANK / "camt" / "test-camt053-txdtls")
    assert [
        (r["receipt"], r["date"], r["amount"], r["text"], r["bank_reference"])
        for r in receipts(bank_file)
    ] == [
        # Both transactions carry the same AcctSvcrRef: the ids fall back to positions.
        (
            "20170323123456789012345/1.1",
            dt.date(2017, 3, 23),  # the value date (upstream shows the booking date, 22nd)
            D("2187.00"),
            "302388292000011111111111111 ?REJECT?0",
            "123456CHCAFEBABE",
        ),
        (
            "20170323123456789012345/1.2",
            dt.date(2017, 3, 23),
            D("1296.00"),
            "302388292000022222222222222 ?REJECT?0",
            "123456CHCAFEBABE",
        ),
    ]


CAMT_STRUCTURED = """\
<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-10-28T06:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>S-2026-10-27</Id>
      <Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>
      <TxsSummry>
        <TtlNtries><NbOfNtries>2</NbOfNtries><Sum>{sum}</Sum></TtlNtries>
        <TtlCdtNtries><NbOfNtries>1</NbOfNtries><Sum>1150.00</Sum></TtlCdtNtries>
      </TxsSummry>
      <Ntry>
        <NtryRef>E1</NtryRef>
        <Amt Ccy="EUR">{amount}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-10-27</Dt></BookgDt>
        <ValDt><Dt>2026-10-27</Dt></ValDt>
        <AcctSvcrRef>BANK-0001</AcctSvcrRef>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>E2E-77</EndToEndId></Refs>
          <Amt Ccy="EUR">1150.00</Amt>
          <RltdPties>
            <Dbtr><Pty><Nm>Northwind GmbH</Nm></Pty></Dbtr>
            <DbtrAcct><Id><IBAN>DE02120300000000202051</IBAN></Id></DbtrAcct>
          </RltdPties>
          <RmtInf>
            <Ustrd>Payment October</Ustrd>
            <Strd>
              <RfrdDocInf><Tp><CdOrPrtry><Cd>CINV</Cd></CdOrPrtry></Tp><Nb>10023</Nb></RfrdDocInf>
              <RfrdDocAmt>
                <DuePyblAmt Ccy="EUR">1000.00</DuePyblAmt>
                <AdjstmntAmtAndRsn>
                  <Amt Ccy="EUR">50.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Rsn>DAMG</Rsn>
                </AdjstmntAmtAndRsn>
                <RmtdAmt Ccy="EUR">950.00</RmtdAmt>
              </RfrdDocAmt>
            </Strd>
            <Strd>
              <RfrdDocInf><Nb>10024</Nb></RfrdDocInf>
              <RfrdDocAmt><RmtdAmt Ccy="EUR">200.00</RmtdAmt></RfrdDocAmt>
            </Strd>
          </RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">80.00</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-10-27</Dt></BookgDt>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


def test_camt_structured_remittance(tmp_path):
    path = tmp_path / "structured.xml"
    path.write_text(CAMT_STRUCTURED.format(amount="1150.00", sum="1230.00"))
    bank_file = read_bank_file(path)
    (receipt,) = receipts(bank_file)
    assert receipt["receipt"] == "BANK-0001"
    assert receipt["payer_name"] == "Northwind GmbH"
    assert receipt["text"] == "Payment October 10023 10024"
    assert bank_file.remittance.to_pylist() == [
        {
            "receipt": "BANK-0001",
            "invoice": "10023",
            "paid": D("950.00"),
            "invoiced": D("1000.00"),
            "adjustment": D("-50.00"),
            "adjustment_reason": "DAMG",
            "source": "structured.xml:30",
        },
        {
            "receipt": "BANK-0001",
            "invoice": "10024",
            "paid": D("200.00"),
            "invoiced": None,
            "adjustment": D("0.00"),
            "adjustment_reason": None,
            "source": "structured.xml:40",
        },
    ]
    assert bank_file.summary.debits_skipped == 1


def test_camt_non_numeric_amount(tmp_path):
    path = tmp_path / "bad.xml"
    path.write_text(CAMT_STRUCTURED.format(amount="1.150,00", sum="1230.00"))
    with pytest.raises(BankFileError) as error:
        read_bank_file(path)
    assert problems(error) == [
        (
            "bad.xml",
            14,
            "BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt",
            "'1.150,00' is not an amount (expected e.g. 1234.56)",
        )
    ]


def test_camt_summary_sum_mismatch(tmp_path):
    path = tmp_path / "sum.xml"
    path.write_text(CAMT_STRUCTURED.format(amount="1150.00", sum="1230.01"))
    with pytest.raises(BankFileError) as error:
        read_bank_file(path)
    assert [p[1:3] for p in problems(error)] == [
        (9, "BkToCstmrStmt/Stmt[1]/TxsSummry/TtlNtries/Sum")
    ]


def test_camt_with_a_dtd_is_refused(tmp_path):
    path = tmp_path / "bomb.xml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><Document>&a;</Document>'
    )
    with pytest.raises(BankFileError) as error:
        read_bank_file(path)
    assert "refused: the XML declares a DTD" in str(error.value)


# -- X12 820 -----------------------------------------------------------------------------------


def test_x12_820_003010_trade_remittance():
    bank_file = read_bank_file(BANK / "edi820" / "trade-remittance-003010.edi")
    assert receipts(bank_file) == [
        {
            "receipt": "000000001-0001",  # no TRN trace number: ISA13 and ST02
            "date": dt.date(1996, 2, 23),
            "amount": D("18806.08"),
            "currency": "USD",
            "payer_name": None,
            "payer_account": None,
            "text": "ANY FREE-FORM COMMENT REMITTANCE ADVICE INV NUM ANY FREE-FORM COMMENTS "
            "REMITTANCE ADVICE INV NUM",
            "bank_reference": None,
            "format": "x12-820",
            "source": "trade-remittance-003010.edi:segment 3 (ST), line 3",
        }
    ]
    assert bank_file.remittance.to_pylist() == [
        {
            "receipt": "000000001-0001",
            "invoice": "0900",
            "paid": D("8136.13"),
            "invoiced": D("8136.13"),
            "adjustment": D("0.00"),
            "adjustment_reason": None,
            "source": "trade-remittance-003010.edi:segment 10 (RMT), line 10",
        },
        {
            "receipt": "000000001-0001",
            "invoice": "8221",
            "paid": D("10669.95"),
            "invoiced": None,
            "adjustment": D("0.00"),
            "adjustment_reason": None,
            "source": "trade-remittance-003010.edi:segment 30 (RMT), line 30",
        },
    ]
    assert bank_file.warnings == []  # GE and IEA counts checked too


def test_x12_wrong_segment_count(tmp_path):
    text = (BANK / "edi820" / "trade-remittance-003010.edi").read_text()
    path = tmp_path / "count.edi"
    path.write_text(text.replace("SE*48*0001", "SE*47*0001"))
    with pytest.raises(BankFileError) as error:
        read_bank_file(path)
    assert problems(error) == [
        (
            "count.edi",
            "segment 50 (SE), line 50",
            "SE01",
            "states 47 segments in the transaction set (ST to SE); there are 48",
        )
    ]


X12_4010 = (
    "ISA*00*          *00*          *ZZ*PAYER          *ZZ*REVDESK        *261027*1200*U*00401"
    "*000000777*0*P*>~"
    "GS*RA*PAYER*REVDESK*20261027*1200*77*X*004010~"
    "ST*820*0001~"
    "BPR*C*{total}*C*ACH*CTX*01*011000015*DA*123456789*1234567890**01*021000021*DA*987654321"
    "*20261027~"
    "TRN*1*EFT0000123*1234567890~"
    "CUR*PR*USD~"
    "N1*PR*NORTHWIND DATA CTRS~"
    "N1*PE*REVDESK INC~"
    "ENT*1~"
    "RMR*IV*10023**4650.00*4700.00~"
    "ADX*-50.00*CS*IV*10023~"
    "RMR*IV*10024**980.50*980.50~"
    "ADX*-25.00*03~"
    "SE*12*0001~"
    "GE*1*77~"
    "IEA*1*000000777~"
)


def test_x12_820_004010_with_adjustments(tmp_path):
    path = tmp_path / "ra.edi"
    path.write_text(X12_4010.format(total="5630.50"))
    bank_file = read_bank_file(path)
    (receipt,) = receipts(bank_file)
    assert (receipt["receipt"], receipt["date"], receipt["amount"]) == (
        "EFT0000123",
        dt.date(2026, 10, 27),
        D("5630.50"),
    )
    assert (receipt["payer_name"], receipt["payer_account"]) == (
        "NORTHWIND DATA CTRS",
        "123456789",
    )
    assert [
        (r["invoice"], r["paid"], r["invoiced"], r["adjustment"], r["adjustment_reason"])
        for r in bank_file.remittance.to_pylist()
    ] == [
        ("10023", D("4650.00"), D("4700.00"), D("-50.00"), "CS"),
        ("10024", D("980.50"), D("980.50"), D("-25.00"), "03"),
    ]
    assert bank_file.warnings == []


def test_x12_820_total_mismatch(tmp_path):
    path = tmp_path / "ra.edi"
    path.write_text(X12_4010.format(total="5630.51"))
    with pytest.raises(BankFileError) as error:
        read_bank_file(path)
    assert problems(error) == [
        (
            "ra.edi",
            "segment 4 (BPR)",  # one line: the segment number alone
            "BPR02",
            "the payment is 5630.51 but its remittance adds up to 5630.50",
        )
    ]


# -- CSV ---------------------------------------------------------------------------------


def test_example_bank_csv_reads_with_the_default_profile():
    bank_file = read_bank_file(EXAMPLE_CSV)
    assert bank_file.receipts.column("receipt").to_pylist() == [f"P{n}" for n in range(1, 9)]
    # 4650.00 + 980.50 + 24750.00 + 3900.00 + 4000.00 + 500.00 + 1234.56 + 7497.00
    assert bank_file.summary.totals == {"USD": D("47512.06")}
    assert bank_file.summary.credits == 8
    assert receipts(bank_file)[5]["text"] is None
    assert receipts(bank_file)[0]["source"] == "bank.csv:2"


def test_csv_bad_date_on_line_4(tmp_path):
    lines = EXAMPLE_CSV.read_text().splitlines()
    lines[3] = lines[3].replace("2026-10-27", "27/10/2026")
    path = tmp_path / "bank.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(BankFileError) as error:
        read_bank_file(path)
    assert problems(error) == [
        ("bank.csv", 4, "date", "'27/10/2026' is not a date; expected a date written YYYY-MM-DD")
    ]
    assert str(error.value) == (
        "bank.csv, line 4, date: '27/10/2026' is not a date; expected a date written YYYY-MM-DD"
    )


LOCKBOX = """\
Item;Deposit Date;Amount;Remitter;Memo;Invoices
L-1;27.10.2026;1.234,56;Northwind;paid in full;10023 10024
L-2;27.10.2026;-12,00;Bank fee;;
L-3;28.10.2026;980,50;Apex;;10031
"""


def test_csv_with_a_mapping_profile(tmp_path):
    path = tmp_path / "lockbox.csv"
    path.write_text(LOCKBOX)
    profile = tmp_path / "lockbox.yaml"
    profile.write_text(
        "columns:\n"
        "  receipt: Item\n"
        "  date: Deposit Date\n"
        "  amount: Amount\n"
        "  payer_name: Remitter\n"
        "  text: [Memo, Invoices]\n"
        "currency: EUR\n"
        'date_format: "%d.%m.%Y"\n'
        'decimal_separator: ","\n'
        'thousands_separator: "."\n'
        'delimiter: ";"\n'
    )
    bank_file = read_bank_file(path, profile=profile)
    assert [
        (r["receipt"], r["date"], r["amount"], r["currency"], r["text"])
        for r in receipts(bank_file)
    ] == [
        ("L-1", dt.date(2026, 10, 27), D("1234.56"), "EUR", "paid in full 10023 10024"),
        ("L-3", dt.date(2026, 10, 28), D("980.50"), "EUR", "10031"),
    ]
    assert bank_file.summary.debits_skipped == 1


def test_csv_profile_column_missing_and_every_bad_line(tmp_path):
    path = tmp_path / "lockbox.csv"
    path.write_text(LOCKBOX)
    with pytest.raises(BankFileError) as error:
        read_bank_file(path, profile={"columns": {"date": "Posted"}, "delimiter": ";"})
    assert [p[1:3] for p in problems(error)][:2] == [(1, "date"), (1, "amount")]
    good_profile = {
        "columns": {"receipt": "Item", "date": "Deposit Date", "amount": "Amount"},
        "currency": "EUR",
        "delimiter": ";",
    }
    with pytest.raises(BankFileError) as error:  # dates not YYYY-MM-DD, amounts with commas
        read_bank_file(path, profile=good_profile)
    assert [p[1:3] for p in problems(error)] == [
        (2, "date"),
        (2, "amount"),
        (3, "date"),
        (3, "amount"),
        (4, "date"),
        (4, "amount"),
    ]


def test_csv_duplicate_receipt(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text(
        "receipt,date,amount,currency\nR1,2026-10-27,10.00,USD\nR1,2026-10-27,11.00,USD\n"
    )
    with pytest.raises(BankFileError) as error:
        read_bank_file(path)
    assert problems(error) == [("dup.csv", 3, "receipt", "'R1' is used twice (first at dup.csv:2)")]
