from revdesk.foundation.scoping import scope_public

from .models import BillingCode, FxRate, PriceList, PriceListItem, Product, ProductLine

scope_public(ProductLine, Product, BillingCode, PriceList, PriceListItem, FxRate)
