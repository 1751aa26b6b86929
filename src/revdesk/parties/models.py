"""Who we sell to and through, and who sells: customers, distributors, payees, territories."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from revdesk.foundation.fields import CountryField, CurrencyField, EffectiveDated, MoneyField
from revdesk.foundation.models import BaseModel

from .choices import PayeeKind, Segment, TerritoryRole


class Territory(BaseModel):
    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "territories"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("web:territory_detail", args=[self.pk])


class Payee(BaseModel):
    """A person paid under a plan: a sales rep, manager or director, with a reporting line."""

    code = models.CharField(max_length=40, unique=True, help_text="Employee number")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    kind = models.CharField(max_length=20, choices=PayeeKind.choices, default=PayeeKind.SALES_REP)
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    currency = CurrencyField(default="USD")
    hired_on = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="payee",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("web:payee_detail", args=[self.pk])


class TerritoryAssignment(BaseModel, EffectiveDated):
    payee = models.ForeignKey(Payee, on_delete=models.CASCADE, related_name="territory_assignments")
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(
        max_length=20, choices=TerritoryRole.choices, default=TerritoryRole.OWNER
    )

    class Meta:
        ordering = ["territory__code", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["payee", "territory", "valid_from"], name="territory_assignment_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="territory_assignment_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payee} → {self.territory.code} from {self.valid_from}"


class PlanAssignment(BaseModel, EffectiveDated):
    """Which compensation plan a payee is on, and when. Plans themselves arrive with issue 4."""

    payee = models.ForeignKey(Payee, on_delete=models.CASCADE, related_name="plan_assignments")
    plan_code = models.CharField(max_length=60)

    class Meta:
        ordering = ["payee__name", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["payee", "valid_from"], name="plan_assignment_unique_start"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="plan_assignment_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payee} on {self.plan_code} from {self.valid_from}"


class Distributor(BaseModel):
    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    country = CountryField()
    currency = CurrencyField(default="USD")
    email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("web:distributor_detail", args=[self.pk])


class Customer(BaseModel):
    code = models.CharField(max_length=40, unique=True, help_text="Code in the ERP")
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="Key-account parent; statements and portfolios can take the whole hierarchy.",
    )
    country = CountryField()
    currency = CurrencyField()
    payment_terms_days = models.PositiveSmallIntegerField(default=30)
    credit_limit = MoneyField(default=0, validators=[MinValueValidator(0)])
    segment = models.CharField(max_length=20, choices=Segment.choices, default=Segment.MID_MARKET)
    territory = models.ForeignKey(
        Territory, null=True, blank=True, on_delete=models.PROTECT, related_name="customers"
    )
    sales_rep = models.ForeignKey(
        Payee, null=True, blank=True, on_delete=models.PROTECT, related_name="customers"
    )
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="portfolio",
    )
    is_key_account = models.BooleanField(default=False)
    requires_po = models.BooleanField("PO number required", default=False)
    requires_proof_of_delivery = models.BooleanField(default=False)
    requires_portal_upload = models.BooleanField(default=False)
    portal_name = models.CharField(max_length=100, blank=True)
    requires_timesheet = models.BooleanField("Timesheet required", default=False)
    invoice_format = models.CharField(
        max_length=100,
        blank=True,
        help_text="A format the customer's AP needs (EDI 810, PDF with the PO on page 1...)",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("web:customer_detail", args=[self.pk])

    @property
    def documentation_requirements(self) -> list[str]:
        needs = []
        if self.requires_po:
            needs.append("PO number")
        if self.requires_proof_of_delivery:
            needs.append("Proof of delivery")
        if self.requires_portal_upload:
            needs.append(
                f"Portal upload ({self.portal_name})" if self.portal_name else "Portal upload"
            )
        if self.requires_timesheet:
            needs.append("Timesheet")
        if self.invoice_format:
            needs.append(f"Invoice format: {self.invoice_format}")
        return needs


class CustomerBankAccount(BaseModel):
    """An account a customer pays from, as the bank writes it on a receipt: from the customer
    master, or learnt when a person applied a receipt from it to the customer's invoices
    (cash application identifies the payer by it)."""

    class Source(models.TextChoices):
        MASTER = "master", "Customer master"
        LEARNT = "learnt", "Learnt from a receipt"

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="bank_accounts")
    account = models.CharField(
        max_length=60, help_text="Account number or IBAN, spaces left out, upper case"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MASTER)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["account"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "account"], name="customer_bank_account_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account} ({self.customer.code})"


class BillingContact(BaseModel):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    title = models.CharField(max_length=100, blank=True)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "name"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class UserProfile(BaseModel):
    """What a login is attached to: a distributor company, and (for collectors) a team lead."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    distributor = models.ForeignKey(
        Distributor, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    team_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="team_members",
    )

    def __str__(self) -> str:
        return f"Profile of {self.user}"
