"""Money: D() refuses floats, round_money is half-up at .005, Money refuses mixed currencies."""

from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from revdesk.engine.money import D, Money, round_money, sum_money


def test_d_builds_exact_amounts():
    assert D("1,234.50") == Decimal("1234.50")
    assert D(" 7 ") == Decimal("7")
    assert D(3) == Decimal("3")
    same = Decimal("0.10")
    assert D(same) is same


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (0.1, TypeError, "refusing float 0.1: pass a string so the amount stays exact"),
        (True, TypeError, "a boolean is not an amount"),
        ("", ValueError, "empty amount"),
        ("12,5x", ValueError, "not a number: '12,5x'"),
        (None, TypeError, "cannot make an amount from NoneType"),
    ],
)
def test_d_refuses_what_is_not_an_exact_amount(value, error, message):
    with pytest.raises(error) as raised:
        D(value)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("amount", "rounded"),
    [
        ("0.005", "0.01"),
        ("0.015", "0.02"),
        ("0.025", "0.03"),  # half-even would give 0.02
        ("2.675", "2.68"),  # the float 2.675 would give 2.67
        ("-0.005", "-0.01"),
        ("0.0049999", "0.00"),
        ("1234.5", "1234.50"),
    ],
)
def test_round_money_is_half_up_to_the_cent(amount, rounded):
    assert str(round_money(Decimal(amount))) == rounded


def test_round_money_takes_places_and_rule():
    assert round_money(Decimal("0.125"), places=2, rounding=ROUND_HALF_EVEN) == Decimal("0.12")
    assert round_money(Decimal("1.23456"), places=4) == Decimal("1.2346")


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=3))
def test_round_money_never_moves_more_than_half_a_cent(amount):
    rounded = round_money(amount)
    assert abs(rounded - amount) <= Decimal("0.005")
    assert rounded == rounded.quantize(Decimal("0.01"))


def test_money_adds_in_one_currency_and_refuses_mixed_currencies():
    total = Money("10.10", "usd") + Money(Decimal("0.20"), "USD")
    assert total == Money(Decimal("10.30"), "USD")
    assert str(total) == "10.30 USD"
    assert _error(lambda: total + Money("1", "EUR")) == (ValueError, "cannot combine USD with EUR")
    assert _error(lambda: total - Money("1", "CAD")) == (ValueError, "cannot combine USD with CAD")
    assert _error(lambda: sum_money([Money("1", "USD")], "EUR")) == (
        ValueError,
        "cannot combine EUR with USD",
    )


def test_money_refuses_floats_and_bad_currencies():
    assert _error(lambda: Money(1.5, "USD")) == (
        TypeError,
        "refusing float 1.5: pass a string so the amount stays exact",
    )
    assert _error(lambda: Money("1", "USD") * 1.5) == (
        TypeError,
        "multiply money by a Decimal, not a float",
    )
    assert _error(lambda: Money("1", "US")) == (
        ValueError,
        "currency must be a three-letter ISO code, got 'US'",
    )
    assert _error(lambda: Money("1", "USD") + Decimal(1)) == (
        TypeError,
        "can only combine Money with Money",
    )


def test_money_rounds_and_converts_only_when_asked():
    price = Money("100.00", "EUR") * Decimal("0.3333")
    assert price.amount == Decimal("33.330000")
    assert price.rounded() == Money(Decimal("33.33"), "EUR")
    converted = Money("100.00", "CAD").convert(Decimal("0.7345"), "USD")
    assert converted == Money(Decimal("73.450000"), "USD")
    assert -converted == Money(Decimal("-73.450000"), "USD")
    assert sum_money([Money("0.10", "USD")] * 3, "USD") == Money(Decimal("0.30"), "USD")


def _error(action):
    """The type and text of the error an action raises."""
    try:
        action()
    except Exception as error:
        return type(error), str(error)
    raise AssertionError("no error raised")
