"""Readers for bank and remittance files: one entry point, `read_bank_file`, turns a BAI2,
MT940/MT942, camt.053/054, X12 820 or lockbox CSV file into two Arrow tables with fixed
columns (RECEIPT_SCHEMA, REMITTANCE_SCHEMA), the statements as stated and a summary.

All or nothing: a file with any problem raises BankFileError listing every problem found
(file, line or segment or element, column or field, what was expected); nothing partial is
returned. Framework-free (no Django), like the rest of the engine.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import bai, camt, lockbox, swift, x12
from .common import (
    FORMATS,
    RECEIPT_SCHEMA,
    REMITTANCE_SCHEMA,
    BankFile,
    BankFileError,
    Collector,
    Statement,
    Stop,
    Summary,
)
from .lockbox import CsvProfile, profile_load

__all__ = [
    "FORMATS",
    "RECEIPT_SCHEMA",
    "REMITTANCE_SCHEMA",
    "BankFile",
    "BankFileError",
    "CsvProfile",
    "Statement",
    "Summary",
    "format_sniff",
    "profile_load",
    "read_bank_file",
]

ALIASES = {
    "bai2": "bai2",
    "bai": "bai2",
    "mt940": "mt940",
    "mt942": "mt940",
    "camt": "camt",
    "camt.053": "camt",
    "camt.054": "camt",
    "x12": "x12-820",
    "x12-820": "x12-820",
    "820": "x12-820",
    "csv": "csv",
}
SWIFT_TAG = re.compile(r"^:(20|25|28C?|60[FM]?|61|62[FM]?|86|34F|13D|90[CD]):", re.MULTILINE)


def format_sniff(data: bytes) -> str:
    """The format a file's content looks like: bai2, mt940, camt, x12-820 or csv."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf").lstrip(b"\x00\x01\x02 \t\r\n")
    if head.startswith(b"01,"):
        return "bai2"
    if head.startswith(b"ISA"):
        return "x12-820"
    if head.startswith(b"<"):
        return "camt"
    if SWIFT_TAG.search(head.decode("latin-1")):
        return "mt940"
    return "csv"


def _text(data: bytes, out: Collector) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        out.warn(None, "", f"not UTF-8 (byte {error.start}); read as ISO-8859-1")
        return data.decode("latin-1")


def read_bank_file(
    path: str | Path,
    *,
    format: str | None = None,
    profile: CsvProfile | dict | str | Path | None = None,
) -> BankFile:
    """Read a bank or remittance file in full. `format` is sniffed from the content when
    None (bai2, mt940/mt942, camt.053/054, x12-820, csv); `profile` maps a CSV's columns
    (see lockbox.CsvProfile). Raises BankFileError, with every problem, if anything is
    wrong; debits are skipped and counted in the summary."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise BankFileError([(str(path), None, "", "the file does not exist")])
    data = path.read_bytes()
    asked = format
    if format is not None and format.lower() not in ALIASES:
        raise BankFileError(
            [(name, None, "", f"unknown format {format!r} (known: {', '.join(FORMATS)})")]
        )
    kind = ALIASES[format.lower()] if format else format_sniff(data)
    if profile is not None and kind != "csv":
        raise BankFileError(
            [(name, None, "", f"a mapping profile is for CSV files; this is {kind}")]
        )
    out = Collector(name, {"camt": "camt.053", "mt940": "mt940"}.get(kind, kind))
    try:
        if kind == "bai2":
            bai.read(_text(data, out), out)
        elif kind == "mt940":
            swift.read(_text(data, out), out)
        elif kind == "camt":
            camt.read(data, out)
        elif kind == "x12-820":
            x12.read(_text(data, out), out)
        else:
            lockbox.read(data, out, profile_load(profile))
    except Stop:
        pass
    out.raise_problems()
    if asked and asked.lower() in FORMATS and asked.lower() != out.format and kind != "mt940":
        raise BankFileError([(name, None, "", f"the file is {out.format}, not {asked}")])
    return out.build(str(path))
