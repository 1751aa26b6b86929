"""Shared field definitions: money is DECIMAL with an explicit currency beside it."""

import pycountry
from django.core.exceptions import ValidationError
from django.db import models


def validate_currency_code(value: str) -> None:
    """An ISO 4217 currency code in use (pycountry's list): USD, EUR, GBP..., not XYZ."""
    if not isinstance(value, str) or len(value) != 3 or not value.isupper():
        raise ValidationError(
            f"{value} is not an ISO 4217 currency code: use three capital letters "
            "(e.g. USD, EUR, GBP)",
            code="invalid_currency",
        )
    if pycountry.currencies.get(alpha_3=value) is None:
        raise ValidationError(
            f"{value} is not an ISO 4217 currency code (e.g. USD, EUR, GBP)",
            code="invalid_currency",
        )


def validate_country_code(value: str) -> None:
    """An ISO 3166-1 alpha-2 country code (pycountry's list): US, DE, GB..., not ZZ."""
    if not isinstance(value, str) or len(value) != 2 or not value.isupper():
        raise ValidationError(
            f"{value} is not an ISO 3166 country code: use two capital letters (e.g. US, DE, GB)",
            code="invalid_country",
        )
    if pycountry.countries.get(alpha_2=value) is None:
        raise ValidationError(
            f"{value} is not an ISO 3166 country code (e.g. US, DE, GB)",
            code="invalid_country",
        )


def MoneyField(**kwargs) -> models.DecimalField:
    """An amount: DECIMAL(18, 2) unless told otherwise. Its currency lives in a sibling field."""
    kwargs.setdefault("max_digits", 18)
    kwargs.setdefault("decimal_places", 2)
    return models.DecimalField(**kwargs)


def CurrencyField(**kwargs) -> models.CharField:
    kwargs.setdefault("max_length", 3)
    kwargs.setdefault("validators", [validate_currency_code])
    return models.CharField(**kwargs)


def CountryField(**kwargs) -> models.CharField:
    kwargs.setdefault("max_length", 2)
    kwargs.setdefault("validators", [validate_country_code])
    return models.CharField(**kwargs)


class EffectiveDated(models.Model):
    """valid_from inclusive, valid_to inclusive; an open end means still in force."""

    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        abstract = True

    def in_force_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)
