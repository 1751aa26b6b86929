"""Template filters of the collections pages."""

from decimal import Decimal

from django import template

register = template.Library()

_BUCKET_NAMES = {
    "current": "Current",
    "open_credits": "Open credits",
    "net": "Net open",
    "past_due": "Past due",
}


@register.filter
def bucket_label(column: str) -> str:
    """current -> Current, 1-30 -> 1–30, over-120 -> Over 120, open_credits -> Open credits."""
    if column in _BUCKET_NAMES:
        return _BUCKET_NAMES[column]
    if column.startswith("over-"):
        return f"Over {column.removeprefix('over-')}"
    return column.replace("-", "\u2013")


@register.filter
def item(row: dict, key: str):
    """row[key] for a dict row (a column named 1-30 cannot be read with a dot)."""
    return row.get(key)


@register.filter
def sum_of(rows: list[dict], key: str) -> Decimal:
    """The Decimal sum of one column of rows (the total under an explanation table)."""
    return sum((row[key] for row in rows), Decimal("0.00"))


@register.filter
def field_label(form, name: str) -> str:
    return str(form.fields[name].label) if name in form.fields else name


@register.filter
def words(code: str) -> str:
    """credit_memo -> credit memo."""
    return (code or "").replace("_", " ")


@register.filter
def split_commas(text: str) -> list[str]:
    return text.split(",")


@register.filter
def change_of(movement, now):
    """How much more is past due now than in the snapshot (None when it was not there)."""
    return None if movement is None else movement.change(now)
