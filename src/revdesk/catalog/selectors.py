import datetime as dt
from decimal import Decimal

from django.conf import settings

from revdesk.engine.money import Money

from .models import FxRate


class MissingFxRate(LookupError):
    pass


def fx_rate_on(*, currency: str, quote_currency: str, on: dt.date) -> Decimal:
    """The rate in force on a day: the latest published on or before it."""
    if currency == quote_currency:
        return Decimal(1)
    rate = (
        FxRate.objects.filter(currency=currency, quote_currency=quote_currency, valid_on__lte=on)
        .order_by("-valid_on")
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        raise MissingFxRate(f"no {currency}→{quote_currency} rate on or before {on}")
    return rate


def money_to_reporting(*, money: Money, on: dt.date) -> Money:
    """Convert to the reporting currency at the day's rate (unrounded: round where stated)."""
    target = settings.REPORTING_CURRENCY
    rate = fx_rate_on(currency=money.currency, quote_currency=target, on=on)
    return money.convert(rate, target)
