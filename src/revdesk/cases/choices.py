from django.db import models


class TeamCode(models.TextChoices):
    """The teams that own cases. Each has a queue, members and usually an inbox."""

    ORDER_MANAGEMENT = "order_management", "Order management"
    SALES = "sales", "Sales"
    TAX = "tax", "Tax"
    COMMISSIONS = "commissions", "Commissions"
    COLLECTIONS = "collections", "Collections"
    CASH_APPLICATION = "cash_application", "Cash application"
    BILLING = "billing", "Billing"
    PRODUCT_CATALOGUE = "product_catalogue", "Product catalogue"


class MemberLevel(models.IntegerChoices):
    """The escalation chain inside a team: a case climbs from its owner to a senior, then
    to the team's leader."""

    MEMBER = 0, "Member"
    SENIOR = 1, "Senior"
    LEADER = 2, "Leader"


class Status(models.TextChoices):
    NEW = "new", "New"
    TRIAGE = "triage", "Triage"
    IN_PROGRESS = "in_progress", "In progress"
    WAITING_CUSTOMER = "waiting_customer", "Waiting on customer"
    WAITING_INTERNAL = "waiting_internal", "Waiting on internal team"
    ESCALATED = "escalated", "Escalated"
    RESOLVED = "resolved", "Resolved"
    REJECTED = "rejected", "Rejected"
    CLOSED = "closed", "Closed"


#: Statuses in which the case is still being worked (the SLA clocks run, except paused).
OPEN_STATUSES = frozenset(
    {
        Status.NEW,
        Status.TRIAGE,
        Status.IN_PROGRESS,
        Status.WAITING_CUSTOMER,
        Status.WAITING_INTERNAL,
        Status.ESCALATED,
    }
)
#: The clocks stop while the case waits on the customer.
PAUSED_STATUSES = frozenset({Status.WAITING_CUSTOMER})
DONE_STATUSES = frozenset({Status.RESOLVED, Status.REJECTED, Status.CLOSED})


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


class Outcome(models.TextChoices):
    """How a case ended. Later desks turn these into real adjustments."""

    CREDIT_MEMO = "credit_memo", "Credit memo issued"
    REBILL = "rebill", "Rebill"
    CUSTOMER_TO_PAY = "customer_to_pay", "Customer to pay"
    WRITE_OFF = "write_off", "Write-off"
    CLAIM_APPROVED = "claim_approved", "Claim approved with adjustment"
    CLAIM_DENIED = "claim_denied", "Claim denied"
    CORRECTED = "corrected", "Corrected at source"
    ANSWERED = "answered", "Question answered"
    APPROVED = "approved", "Approved"
    NO_ACTION = "no_action", "No action needed"


class Source(models.TextChoices):
    WEB = "web", "Web"
    EMAIL = "email", "E-mail"
    API = "api", "API"
    SYSTEM = "system", "System"


class EventKind(models.TextChoices):
    """One line of a case's timeline."""

    CREATED = "created", "Opened"
    STATUS = "status", "Status changed"
    ASSIGNED = "assigned", "Assigned"
    ROUTED = "routed", "Routed"
    CHANGED = "changed", "Details changed"
    COMMENT = "comment", "Comment"
    EMAIL_IN = "email_in", "E-mail received"
    EMAIL_OUT = "email_out", "E-mail sent"
    ATTACHMENT = "attachment", "Attachment added"
    SUBJECT = "subject", "Linked to"
    ESCALATED = "escalated", "Escalated"
    BREACHED = "breached", "SLA missed"
    RESOLUTION = "resolution", "Resolution"
    REVIEW = "review", "Quality review"


class Visibility(models.TextChoices):
    INTERNAL = "internal", "Internal"
    EXTERNAL = "external", "External"


class Clock(models.TextChoices):
    FIRST_RESPONSE = "first_response", "First response"
    RESOLUTION = "resolution", "Resolution"


class Assignment(models.TextChoices):
    """How a routing rule picks the owner inside its team."""

    NOBODY = "nobody", "Leave in the team queue"
    PERSON = "person", "A named person"
    ROUND_ROBIN = "round_robin", "Round-robin"
    LEAST_LOADED = "least_loaded", "Least loaded (fewest open cases)"
    CUSTOMER_REP = "customer_rep", "The customer's sales rep (else least loaded)"


class Direction(models.TextChoices):
    INBOUND = "in", "Received"
    OUTBOUND = "out", "Sent"


class SendStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
