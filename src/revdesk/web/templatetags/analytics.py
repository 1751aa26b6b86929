"""Figures on the commission analytics page."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()


@register.filter
def percent2(value) -> str:
    """A fraction as a percentage to two decimals, half-up: Decimal('0.0635') -> '6.35%'."""
    if value is None or value == "":
        return ""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    shown = (number * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{shown:,.2f}%"


@register.filter
def field_of(form, name: str):
    """The bound field `name` of a form (for fields named as the address writes them: from)."""
    return form[name]


@register.filter
def series_total(breakdown, name: str):
    """A breakdown's total of one series over its months."""
    return breakdown.series_total(name)
