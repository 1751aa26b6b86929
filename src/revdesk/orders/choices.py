from django.db import models


class OrderType(models.TextChoices):
    NEW = "new", "New"
    ADD = "add", "Add"
    CHANGE = "change", "Change"
    MOVE = "move", "Move"
    RENEWAL = "renewal", "Renewal"
    TRANSFER = "transfer", "Transfer"
    DISCONNECT = "disconnect", "Disconnect"


class OrderStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    IN_FULFILMENT = "in_fulfilment", "In fulfilment"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class OrderChannel(models.TextChoices):
    DIRECT = "direct", "Direct (own rep)"
    DISTRIBUTOR = "distributor", "Through a distributor"
