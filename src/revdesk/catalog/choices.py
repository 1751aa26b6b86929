from django.db import models


class ProductKind(models.TextChoices):
    HARDWARE = "hardware", "Hardware"
    SERVICE = "service", "Recurring service"
    PROFESSIONAL = "professional", "Professional services"
