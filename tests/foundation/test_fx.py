"""FX: the rate in force on a day is the latest published on or before it."""

import datetime as dt
from decimal import Decimal

import pytest

from revdesk.catalog.models import FxRate
from revdesk.catalog.selectors import MissingFxRate, fx_rate_on, money_to_reporting
from revdesk.engine.money import Money


@pytest.fixture
def rates(db):
    for day, rate in ((dt.date(2026, 1, 1), "0.73000000"), (dt.date(2026, 2, 1), "0.74500000")):
        FxRate.objects.create(
            currency="CAD", quote_currency="USD", valid_on=day, rate=Decimal(rate)
        )
    FxRate.objects.create(
        currency="EUR", quote_currency="USD", valid_on=dt.date(2026, 3, 1), rate=Decimal("1.1")
    )


@pytest.mark.parametrize(
    ("day", "rate"),
    [
        (dt.date(2026, 1, 1), "0.73000000"),  # published that day
        (dt.date(2026, 1, 31), "0.73000000"),
        (dt.date(2026, 2, 1), "0.74500000"),
        (dt.date(2026, 12, 31), "0.74500000"),  # the latest stays in force
    ],
)
def test_latest_rate_on_or_before_the_day(rates, day, rate):
    assert fx_rate_on(currency="CAD", quote_currency="USD", on=day) == Decimal(rate)


def test_same_currency_is_one_without_a_lookup(db):
    assert fx_rate_on(currency="USD", quote_currency="USD", on=dt.date(2000, 1, 1)) == 1


def test_no_rate_before_the_first_one_is_an_error(rates):
    with pytest.raises(MissingFxRate) as raised:
        fx_rate_on(currency="CAD", quote_currency="USD", on=dt.date(2025, 12, 31))
    assert str(raised.value) == "no CAD→USD rate on or before 2025-12-31"


def test_the_reverse_rate_is_not_guessed(rates):
    assert _error(
        lambda: fx_rate_on(currency="USD", quote_currency="CAD", on=dt.date(2026, 6, 1))
    ) == (MissingFxRate, "no USD→CAD rate on or before 2026-06-01")


def test_money_to_reporting_converts_unrounded(rates, settings):
    settings.REPORTING_CURRENCY = "USD"
    converted = money_to_reporting(money=Money("1000.01", "CAD"), on=dt.date(2026, 2, 15))
    assert converted == Money(Decimal("745.0074500000000"), "USD")
    assert converted.rounded() == Money(Decimal("745.01"), "USD")
    assert _error(lambda: money_to_reporting(money=Money("1", "EUR"), on=dt.date(2026, 2, 28))) == (
        MissingFxRate,
        "no EUR→USD rate on or before 2026-02-28",
    )


def _error(action):
    """The type and text of the error an action raises."""
    try:
        action()
    except Exception as error:
        return type(error), str(error)
    raise AssertionError("no error raised")
