"""Currency and country codes are checked against the real ISO lists, everywhere."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from revdesk.foundation.fields import validate_country_code, validate_currency_code
from revdesk.foundation.models import ChangeRecord
from revdesk.ingest.importer import file_import
from revdesk.ingest.report import Problem
from revdesk.parties.models import Customer
from revdesk.testing import signed_in


@pytest.mark.parametrize("code", ["USD", "EUR", "GBP", "JPY", "CHF", "CAD"])
def test_real_currencies_pass(code):
    validate_currency_code(code)


@pytest.mark.parametrize("code", ["US", "DE", "GB", "CA", "JP", "BR"])
def test_real_countries_pass(code):
    validate_country_code(code)


@pytest.mark.parametrize(
    ("validator", "code", "message"),
    [
        (
            validate_currency_code,
            "XYZ",
            "XYZ is not an ISO 4217 currency code (e.g. USD, EUR, GBP)",
        ),
        (
            validate_currency_code,
            "usd",
            "usd is not an ISO 4217 currency code: use three capital letters (e.g. USD, EUR, GBP)",
        ),
        (validate_country_code, "ZZ", "ZZ is not an ISO 3166 country code (e.g. US, DE, GB)"),
        (
            validate_country_code,
            "USA",
            "USA is not an ISO 3166 country code: use two capital letters (e.g. US, DE, GB)",
        ),
    ],
)
def test_made_up_codes_are_refused(validator, code, message):
    with pytest.raises(ValidationError) as raised:
        validator(code)
    assert raised.value.messages == [message]


def test_model_clean_refuses_made_up_codes(world):
    customer = world.customer_east
    customer.currency, customer.country = "XYZ", "ZZ"
    with pytest.raises(ValidationError) as raised:
        customer.full_clean()
    assert raised.value.message_dict == {
        "currency": ["XYZ is not an ISO 4217 currency code (e.g. USD, EUR, GBP)"],
        "country": ["ZZ is not an ISO 3166 country code (e.g. US, DE, GB)"],
    }


def test_import_refuses_made_up_codes(world, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text("code,name,country,currency\nC-9,Nine,ZZ,XYZ\nC-8,Eight,de,eur\n")
    result = file_import(kind="customers", path=path)
    assert result.status == "failed"
    assert result.problems == [
        Problem(2, "country", "ZZ", "ZZ is not an ISO 3166 country code (e.g. US, DE, GB)"),
        Problem(2, "currency", "XYZ", "XYZ is not an ISO 4217 currency code (e.g. USD, EUR, GBP)"),
    ]
    assert not Customer.objects.filter(code__in=["C-8", "C-9"]).exists()


def test_web_form_refuses_made_up_currency(client, world):
    signed_in(client, "ops")
    url = reverse("web:customer_edit", args=[world.customer_east.pk])
    form = client.get(url).context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value not in (None, False)
    }
    for name in ("parent", "territory", "sales_rep", "collector"):
        obj = getattr(world.customer_east, name)
        data[name] = obj.pk if obj is not None else ""
    response = client.post(url, {**data, "currency": "XYZ"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "currency": ["XYZ is not an ISO 4217 currency code (e.g. USD, EUR, GBP)"]
    }
    assert ChangeRecord.objects.count() == 0
    world.customer_east.refresh_from_db()
    assert world.customer_east.currency == "USD"
