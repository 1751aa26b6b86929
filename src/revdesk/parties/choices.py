from django.db import models


class Role(models.TextChoices):
    """The groups a person can belong to. Group names are the labels."""

    SALES_OPERATIONS = "sales_operations", "Sales operations"
    COMMISSIONS_ANALYST = "commissions_analyst", "Commissions analyst"
    COLLECTOR = "collector", "Collector"
    SENIOR_COLLECTOR = "senior_collector", "Senior collector"
    MANAGER = "manager", "Manager"
    SALES_REP = "sales_rep", "Sales rep"
    DISTRIBUTOR_USER = "distributor_user", "Distributor user"
    ADMIN = "admin", "Administrator"


class Segment(models.TextChoices):
    ENTERPRISE = "enterprise", "Enterprise"
    MID_MARKET = "mid_market", "Mid-market"
    SMALL_BUSINESS = "small_business", "Small business"
    PUBLIC_SECTOR = "public_sector", "Public sector"
    CARRIER = "carrier", "Carrier / service provider"


class PayeeKind(models.TextChoices):
    SALES_REP = "sales_rep", "Sales rep"
    MANAGER = "manager", "Sales manager"
    DIRECTOR = "director", "Sales director"


class TerritoryRole(models.TextChoices):
    OWNER = "owner", "Owner"
    OVERLAY = "overlay", "Overlay / specialist"
