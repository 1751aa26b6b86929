from django.db import models


class InvoiceStatus(models.TextChoices):
    OPEN = "open", "Open"
    PAID = "paid", "Paid"
    CANCELLED = "cancelled", "Cancelled"


class PaymentMethod(models.TextChoices):
    WIRE = "wire", "Wire"
    ACH = "ach", "ACH / direct credit"
    CHECK = "check", "Cheque"
    CARD = "card", "Card"
