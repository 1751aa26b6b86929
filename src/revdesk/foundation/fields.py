"""Shared field definitions: money is DECIMAL with an explicit currency beside it."""

from django.core.validators import RegexValidator
from django.db import models

currency_validator = RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 code, e.g. USD.")
country_validator = RegexValidator(r"^[A-Z]{2}$", "Use a two-letter ISO 3166 code, e.g. US.")


def MoneyField(**kwargs) -> models.DecimalField:
    """An amount: DECIMAL(18, 2) unless told otherwise. Its currency lives in a sibling field."""
    kwargs.setdefault("max_digits", 18)
    kwargs.setdefault("decimal_places", 2)
    return models.DecimalField(**kwargs)


def CurrencyField(**kwargs) -> models.CharField:
    kwargs.setdefault("max_length", 3)
    kwargs.setdefault("validators", [currency_validator])
    return models.CharField(**kwargs)


def CountryField(**kwargs) -> models.CharField:
    kwargs.setdefault("max_length", 2)
    kwargs.setdefault("validators", [country_validator])
    return models.CharField(**kwargs)


class EffectiveDated(models.Model):
    """valid_from inclusive, valid_to inclusive; an open end means still in force."""

    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        abstract = True

    def in_force_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)
