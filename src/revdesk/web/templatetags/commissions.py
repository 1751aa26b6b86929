"""Figures on the commissions pages: exact amounts, rates and shares as people read them."""

from decimal import Decimal

from django import template

from revdesk.engine.money import CENT

register = template.Library()


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


@register.filter
def exact(value) -> str:
    """An amount to the cent, or with every further decimal it has (never rounded away):
    Decimal('50.000000') -> '50.00', Decimal('1.666667') -> '1.666667'."""
    number = _decimal(value)
    if number is None:
        return ""
    if number == number.quantize(CENT):
        return f"{number:,.2f}"
    return f"{number.normalize():,f}"


@register.filter
def percent(value) -> str:
    """A rate or share as a percentage: Decimal('0.050000') -> '5%', '0.333333' -> '33.3333%'."""
    number = _decimal(value)
    if number is None:
        return ""
    shown = (number * 100).normalize()
    return f"{shown:f}%"
