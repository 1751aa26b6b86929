from decimal import Decimal
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html

from revdesk.web.roles import may_open_url, object_url

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


@register.simple_tag(takes_context=True)
def link(context, target, text=None) -> str:
    """A link to target (an object or a path) when the person may open that page, else text.

    {% link invoice %} shows str(invoice); {% link order order.number %} the number.
    """
    url = target if isinstance(target, str) else object_url(target)
    shown = target if text is None else text
    if target is None:
        return "—" if text is None else format_html("{}", text)
    user = context.get("user") or getattr(context.get("request"), "user", None)
    if url and may_open_url(user, url):
        return format_html('<a href="{}">{}</a>', url, shown)
    return format_html("{}", shown)


@register.filter
def quantity(value) -> str:
    """Decimal('2.00') -> '2', Decimal('1.50') -> '1.5', thousands separated; empty for None."""
    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return f"{value.normalize():,f}" if value == value.to_integral() else f"{value.normalize():,}"
