"""Orders as booked. The order desk (intake, validation, approvals) builds on these later."""

from django.core.validators import MinValueValidator
from django.db import models

from revdesk.catalog.models import Product
from revdesk.foundation.fields import CurrencyField, MoneyField
from revdesk.foundation.models import BaseModel
from revdesk.parties.models import Customer, Distributor, Payee

from .choices import OrderChannel, OrderStatus, OrderType


class Order(BaseModel):
    number = models.CharField(max_length=40, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    order_type = models.CharField(max_length=20, choices=OrderType.choices, default=OrderType.NEW)
    channel = models.CharField(
        max_length=20, choices=OrderChannel.choices, default=OrderChannel.DIRECT
    )
    distributor = models.ForeignKey(
        Distributor, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    sales_rep = models.ForeignKey(
        Payee, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    status = models.CharField(
        max_length=20, choices=OrderStatus.choices, default=OrderStatus.SUBMITTED
    )
    booked_on = models.DateField()
    currency = CurrencyField()
    po_number = models.CharField("PO number", max_length=60, blank=True)
    commission_eligible = models.BooleanField(
        default=True,
        help_text="Whether the order's invoices earn commission (the order desk ratifies it)",
    )

    class Meta:
        ordering = ["-booked_on", "-number"]
        indexes = [models.Index(fields=["booked_on"])]

    def __str__(self) -> str:
        return self.number


class OrderLine(BaseModel):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField()
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_lines")
    quantity = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    unit_price = MoneyField(validators=[MinValueValidator(0)])
    amount = MoneyField(help_text="quantity × unit price, in the order currency")
    term_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Contract term for recurring services"
    )

    class Meta:
        ordering = ["order", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_number"], name="order_line_unique")
        ]

    def __str__(self) -> str:
        return f"{self.order.number}/{self.line_number}"
