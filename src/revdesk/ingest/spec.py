"""The declarative shape of an import/export kind: its columns, their types and natural key.

Each kind's columns are written once (revdesk.ingest.kinds); import validation, export,
header checks and the guide's column tables are all derived from them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models

from revdesk.foundation.fields import validate_country_code, validate_currency_code

if TYPE_CHECKING:
    from .profiles import Profile


class ColumnType(StrEnum):
    TEXT = "text"
    DATE = "date"
    DECIMAL = "decimal"
    INT = "int"
    BOOL = "bool"
    CURRENCY = "currency"
    COUNTRY = "country"
    CHOICE = "choice"
    REFERENCE = "reference"


TRUE_WORDS = {"true", "yes", "y", "1", "x", "t"}
FALSE_WORDS = {"false", "no", "n", "0", "f"}
_INT = re.compile(r"^[+-]?\d+$")


class BadValue(ValueError):
    """A cell that does not fit its column; `expected` says, in plain words, what would."""

    def __init__(self, expected: str):
        super().__init__(expected)
        self.expected = expected


@dataclass(frozen=True)
class Column:
    """One column of a kind's file.

    name: the header in our files. field: the attribute the app's bulk service takes
    (defaults to name). model_field: the Django field whose validators (length, e-mail,
    minimum...) also apply. ref: for a REFERENCE, the kind (or reference list) whose natural
    key the value names. header: for kinds with one row per line (orders, payments), whether
    the column belongs to the repeated header.
    """

    name: str
    type: ColumnType
    description: str
    required: bool = False
    default: object = None
    field: str | None = None
    choices: type[models.TextChoices] | None = None
    ref: str | None = None
    minimum: Decimal | None = None
    places: int | None = None
    model_field: models.Field | None = None
    header: bool = True
    create_with: str | None = None
    excel_format: str | None = None

    @property
    def number_format(self) -> str | None:
        """How an .xlsx export shows the column's typed cells (None: as text)."""
        if self.excel_format is not None:
            return self.excel_format
        if self.type is ColumnType.DATE:
            return "yyyy-mm-dd"
        if self.type is ColumnType.INT:
            return "0"
        if self.type is ColumnType.DECIMAL:
            if not self.places:
                return "General"
            return "#,##0." + "0" * self.places
        return None

    @property
    def target(self) -> str:
        return self.field or self.name

    @property
    def type_label(self) -> str:
        if self.type is ColumnType.CHOICE and self.choices is not None:
            return "one of " + ", ".join(c.value for c in self.choices)
        if self.type is ColumnType.REFERENCE:
            return f"reference to {REFERENCE_LABELS.get(self.ref or '', self.ref)}"
        if self.type is ColumnType.DECIMAL:
            parts = ["decimal"]
            if self.places is not None:
                parts.append(f"up to {self.places} decimal places")
            if self.minimum is not None:
                parts.append(f"at least {self.minimum}")
            return ", ".join(parts)
        return TYPE_LABELS[self.type]

    def parse(self, text: str, profile: Profile | None = None, validate: bool = True) -> object:
        """The typed value of one cell (already stripped). Blank gives the default.

        validate=False skips the model field's validators (for a file already checked)."""
        if text == "":
            if self.required:
                raise BadValue(f"a value ({self.type_label}); this column is required")
            return self.default
        value = _PARSERS[self.type](self, text, profile)
        if validate and self.model_field is not None and self.type is not ColumnType.REFERENCE:
            try:
                self.model_field.run_validators(value)
            except ValidationError as error:
                raise BadValue(" ".join(error.messages)) from error
        return value


TYPE_LABELS = {
    ColumnType.TEXT: "text",
    ColumnType.DATE: "date YYYY-MM-DD",
    ColumnType.DECIMAL: "decimal",
    ColumnType.INT: "whole number",
    ColumnType.BOOL: "true/false",
    ColumnType.CURRENCY: "ISO 4217 currency code (USD)",
    ColumnType.COUNTRY: "ISO 3166 country code (US)",
    ColumnType.CHOICE: "choice",
    ColumnType.REFERENCE: "reference",
}

REFERENCE_LABELS = {
    "customers": "a customer code",
    "distributors": "a distributor code",
    "payees": "a payee code",
    "territories": "a territory code",
    "products": "a product SKU",
    "orders": "an order number",
    "invoices": "an invoice number",
    "users": "a user name",
    "product-lines": "a product line code",
    "billing-codes": "a billing code",
}


def _text(column: Column, text: str, profile: Profile | None) -> str:
    return text


_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _date(column: Column, text: str, profile: Profile | None) -> dt.date:
    if shape := _ISO_DATE.match(text):
        year, month, day = (int(part) for part in shape.groups())
        try:
            return dt.date(year, month, day)
        except ValueError as error:
            raise BadValue(f"{text} is not a real date ({_why_not_a_date(year, month)})") from error
    formats = list(profile.date_formats) if profile is not None else []
    if not formats or "%Y-%m-%d" not in formats:
        formats.append("%Y-%m-%d")
    candidate = text[:10] if re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d", text) else text
    for fmt in formats:
        try:
            return dt.datetime.strptime(candidate, fmt).date()
        except ValueError:
            continue
    shown = " or ".join(_format_example(fmt) for fmt in formats)
    raise BadValue(f"a date as {shown}")


def _why_not_a_date(year: int, month: int) -> str:
    if year < 1:
        return "years start at 0001"
    if not 1 <= month <= 12:
        return f"month {month:02d}: a year has 12 months"
    days = calendar.monthrange(year, month)[1]
    return f"{calendar.month_name[month]} has {days} days in {year}"


def _format_example(fmt: str) -> str:
    sample = dt.date(2026, 1, 31).strftime(fmt)
    pattern = fmt.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD").replace("%y", "YY")
    return f"{pattern} (e.g. {sample})"


def _decimal_text(text: str, profile: Profile | None) -> str:
    decimal_separator = profile.decimal_separator if profile is not None else "."
    thousands = profile.thousands_separator if profile is not None else None
    cleaned = text.replace(" ", "").replace("\u00a0", "")
    if thousands:
        cleaned = cleaned.replace(thousands, "")
    elif decimal_separator == "." and re.match(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$", cleaned):
        cleaned = cleaned.replace(",", "")
    if decimal_separator != ".":
        if "." in cleaned:
            raise BadValue(f"a number with '{decimal_separator}' as the decimal separator")
        cleaned = cleaned.replace(decimal_separator, ".")
    if cleaned.startswith("(") and cleaned.endswith(")"):
        cleaned = "-" + cleaned[1:-1]
    if cleaned.endswith("-") and not cleaned.startswith("-"):
        cleaned = "-" + cleaned[:-1]  # SAP writes negative amounts as 100.00-
    return cleaned


def _decimal(column: Column, text: str, profile: Profile | None) -> Decimal:
    cleaned = _decimal_text(text, profile)
    try:
        value = Decimal(cleaned)
    except InvalidOperation as error:
        if re.match(r"^[+-]?\d*,\d+$", cleaned):
            raise BadValue(
                f"a number ({column.type_label}): use a point as the decimal separator, or a "
                "profile with decimal_separator: ','"
            ) from error
        raise BadValue(f"a number ({column.type_label})") from error
    if not value.is_finite():
        raise BadValue(f"a number ({column.type_label})")
    if column.minimum is not None and value < column.minimum:
        raise BadValue(
            f"a number of at least {column.minimum}" if column.minimum else "a number, zero or more"
        )
    if column.places is not None and -value.as_tuple().exponent > column.places:
        if value != value.quantize(Decimal(1).scaleb(-column.places)):
            raise BadValue(f"a number with at most {column.places} decimal places")
        value = value.quantize(Decimal(1).scaleb(-column.places))
    return value


def _int(column: Column, text: str, profile: Profile | None) -> int:
    cleaned = text[:-2] if text.endswith(".0") else text
    if not _INT.match(cleaned):
        raise BadValue("a whole number")
    value = int(cleaned)
    if column.minimum is not None and value < column.minimum:
        raise BadValue(f"a whole number of at least {column.minimum}")
    return value


def _bool(column: Column, text: str, profile: Profile | None) -> bool:
    word = text.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise BadValue("true or false (also yes/no, 1/0)")


def _currency(column: Column, text: str, profile: Profile | None) -> str:
    code = text.upper()
    try:
        validate_currency_code(code)
    except ValidationError as error:
        raise BadValue(" ".join(error.messages)) from error
    return code


def _country(column: Column, text: str, profile: Profile | None) -> str:
    code = text.upper()
    try:
        validate_country_code(code)
    except ValidationError as error:
        raise BadValue(" ".join(error.messages)) from error
    return code


def _choice(column: Column, text: str, profile: Profile | None) -> str:
    assert column.choices is not None
    word = text.strip().lower()
    for choice in column.choices:
        if word in (choice.value.lower(), str(choice.label).lower()):
            return choice.value
    raise BadValue("one of " + ", ".join(c.value for c in column.choices))


def _reference(column: Column, text: str, profile: Profile | None) -> str:
    return text


_PARSERS: dict[ColumnType, Callable[[Column, str, Profile | None], object]] = {
    ColumnType.TEXT: _text,
    ColumnType.DATE: _date,
    ColumnType.DECIMAL: _decimal,
    ColumnType.INT: _int,
    ColumnType.BOOL: _bool,
    ColumnType.CURRENCY: _currency,
    ColumnType.COUNTRY: _country,
    ColumnType.CHOICE: _choice,
    ColumnType.REFERENCE: _reference,
}


def format_value(column: Column, value: object) -> str:
    """A typed value as our files write it (what `parse` reads back unchanged)."""
    if value is None:
        return ""
    if column.type is ColumnType.BOOL:
        return "true" if value else "false"
    if column.type is ColumnType.DATE:
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    if column.type is ColumnType.DECIMAL:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
        if column.places is not None:
            amount = amount.quantize(Decimal(1).scaleb(-column.places))
        return f"{amount:f}"
    return str(value)


RowCheck = Callable[[Mapping[str, object]], Iterator[tuple[str, str]]]
"""A check across columns of one parsed row: yields (column, what was expected)."""


@dataclass(frozen=True)
class KindSpec:
    """An import/export kind: columns, natural key and how it is loaded and exported.

    key: the columns that identify a row (one row per key in a file). group: for kinds with
    one row per line and the header repeated (orders, payments), the header's key column.
    self_ref: the column naming another row of the same kind (a parent), which may appear
    later in the same file. load: writes one batch of parsed rows through the apps' services
    and returns each row's outcome. export: yields rows (column name -> typed value).
    """

    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    load: Callable
    export: Callable
    group: str | None = None
    self_ref: str | None = None
    row_checks: tuple[RowCheck, ...] = ()
    group_sum: tuple[str, str] | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [column.name for column in self.columns if column.required]

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def header_columns(self) -> list[Column]:
        return [c for c in self.columns if c.header and c.name != self.group]


def columns_for(model: type[models.Model], specs: Sequence[Column]) -> tuple[Column, ...]:
    """Attach each column's model field (by its target name) so its validators apply."""
    names = {f.attname: f for f in model._meta.concrete_fields}
    names.update({f.name: f for f in model._meta.concrete_fields})
    attached = []
    for column in specs:
        model_field = column.model_field
        if model_field is None and column.type is not ColumnType.REFERENCE:
            model_field = names.get(column.target)
        changes: dict[str, object] = {"model_field": model_field}
        if isinstance(model_field, models.DecimalField) and column.places is None:
            changes["places"] = model_field.decimal_places
        attached.append(Column(**{**column.__dict__, **changes}))
    return tuple(attached)
