"""Money values: Decimal amounts with an explicit currency, rounded only at named points."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal("0")
CENT = Decimal("0.01")


def D(value: object) -> Decimal:
    """Build a Decimal from a string, int or Decimal. Floats are refused: they are not exact."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("a boolean is not an amount")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        raise TypeError(f"refusing float {value!r}: pass a string so the amount stays exact")
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if not text:
            raise ValueError("empty amount")
        try:
            return Decimal(text)
        except InvalidOperation as error:
            raise ValueError(f"not a number: {value!r}") from error
    raise TypeError(f"cannot make an amount from {type(value).__name__}")


def round_money(amount: Decimal, places: int = 2, rounding: str = ROUND_HALF_UP) -> Decimal:
    """Round once, half-up to the cent unless a plan or agreement says otherwise."""
    return amount.quantize(Decimal(1).scaleb(-places), rounding=rounding)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            object.__setattr__(self, "amount", D(self.amount))
        if len(self.currency) != 3 or not self.currency.isalpha():
            raise ValueError(f"currency must be a three-letter ISO code, got {self.currency!r}")
        object.__setattr__(self, "currency", self.currency.upper())

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError("can only combine Money with Money")
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, float):
            raise TypeError("multiply money by a Decimal, not a float")
        return Money(self.amount * factor, self.currency)

    def rounded(self, places: int = 2) -> Money:
        return Money(round_money(self.amount, places), self.currency)

    def convert(self, rate: Decimal, currency: str) -> Money:
        """Convert with a rate meaning one unit of self.currency = rate units of currency."""
        return Money(self.amount * rate, currency)

    def __str__(self) -> str:
        return f"{self.amount:,.2f} {self.currency}"


def sum_money(values: list[Money] | tuple[Money, ...], currency: str) -> Money:
    total = Money(ZERO, currency)
    for value in values:
        total = total + value
    return total
