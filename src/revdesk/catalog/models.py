"""What we sell and at what price: product lines, products, billing codes, price lists, FX."""

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from revdesk.foundation.fields import CurrencyField, EffectiveDated, MoneyField
from revdesk.foundation.models import BaseModel

from .choices import ProductKind


class ProductLine(BaseModel):
    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=20, choices=ProductKind.choices, default=ProductKind.HARDWARE
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class BillingCode(BaseModel):
    """The code billing uses for a charge; an order line with an unknown code is escalated."""

    code = models.CharField(max_length=40, unique=True)
    description = models.CharField(max_length=200)
    is_recurring = models.BooleanField(default=False)
    revenue_account = models.CharField(max_length=40, blank=True)
    tax_category = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class Product(BaseModel):
    sku = models.CharField("SKU", max_length=60, unique=True)
    name = models.CharField(max_length=200)
    product_line = models.ForeignKey(ProductLine, on_delete=models.PROTECT, related_name="products")
    billing_code = models.ForeignKey(
        BillingCode, null=True, blank=True, on_delete=models.PROTECT, related_name="products"
    )
    currency = CurrencyField(default="USD")
    unit_cost = MoneyField(validators=[MinValueValidator(0)])
    list_price = MoneyField(validators=[MinValueValidator(0)])
    is_recurring = models.BooleanField(
        default=False, help_text="Billed monthly (monthly recurring charge)"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sku"]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("web:product_detail", args=[self.pk])


class PriceList(BaseModel, EffectiveDated):
    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    currency = CurrencyField()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} ({self.currency})"


class PriceListItem(BaseModel):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="prices")
    unit_price = MoneyField(validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["price_list", "product__sku"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "product"], name="price_list_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.product.sku} @ {self.unit_price} {self.price_list.currency}"


class FxRate(BaseModel):
    """One unit of `currency` is worth `rate` units of `quote_currency` from `valid_on` on."""

    currency = CurrencyField()
    quote_currency = CurrencyField()
    valid_on = models.DateField()
    rate = models.DecimalField(max_digits=18, decimal_places=8, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["currency", "quote_currency", "-valid_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "quote_currency", "valid_on"], name="fx_rate_unique"
            )
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} {self.quote_currency} on {self.valid_on}"
