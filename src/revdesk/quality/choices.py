from decimal import Decimal

from django.db import models

#: The accuracy the house aims at, in per cent: a person or team below it is flagged.
ACCURACY_TARGET = Decimal("98.0")


class Result(models.TextChoices):
    PENDING = "pending", "Pending"
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"


class Answer(models.TextChoices):
    """The answer to one checklist question."""

    PASS = "pass", "Pass"
    FAIL = "fail", "Fail"
    NOT_APPLICABLE = "na", "n.a."
