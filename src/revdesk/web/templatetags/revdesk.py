from decimal import Decimal
from urllib.parse import urlencode

from django import template
from django.urls import reverse

register = template.Library()


@register.filter
def money(value) -> str:
    """1234.5 -> '1,234.50' (exact for Decimal); empty for None."""
    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return f"{value:,.2f}"


@register.filter
def count(value) -> str:
    return f"{value:,}"


@register.simple_tag
def list_url(name: str, **params) -> str:
    """reverse('web:<name>') with a query string, leaving out empty values."""
    url = reverse(f"web:{name}")
    query = urlencode({key: value for key, value in params.items() if value not in (None, "")})
    return f"{url}?{query}" if query else url
