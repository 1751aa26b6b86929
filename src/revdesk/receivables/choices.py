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


class ActivityKind(models.TextChoices):
    CALL = "call", "Call"
    EMAIL = "email", "E-mail"
    NOTE = "note", "Note"
    STATEMENT = "statement", "Statement sent"
    PORTAL = "portal", "Portal upload"
    TASK = "task", "Follow-up task"


class CallOutcome(models.TextChoices):
    REACHED = "reached", "Reached"
    VOICEMAIL = "voicemail", "Left a voicemail"
    NO_ANSWER = "no_answer", "No answer"
    WRONG_CONTACT = "wrong_contact", "Wrong contact"


class PromiseStatus(models.TextChoices):
    OPEN = "open", "Open"
    KEPT = "kept", "Kept"
    BROKEN = "broken", "Broken"
    CANCELLED = "cancelled", "Cancelled"


class DunningAction(models.TextChoices):
    REMINDER = "reminder", "Reminder e-mail"
    STATEMENT = "statement", "Statement of account"
    CALL = "call", "Call task"
    FINAL_LETTER = "final_letter", "Final letter"
    CREDIT_HOLD = "credit_hold", "Credit hold proposal"


class DocumentKind(models.TextChoices):
    PO = "po", "PO"
    PROOF_OF_DELIVERY = "proof_of_delivery", "Proof of delivery"
    TIMESHEET = "timesheet", "Timesheet"
    PORTAL = "portal", "Portal submission"
    INVOICE_FORMAT = "invoice_format", "Sent in the required format"


class ReceiptStatus(models.TextChoices):
    """Where a receipt stands in cash application (receivables.cash)."""

    APPLIED = "applied", "Applied"
    PARTLY_APPLIED = "partly_applied", "Partly applied"
    SUGGESTED = "suggested", "Suggestion to confirm"
    ON_ACCOUNT = "on_account", "On account"
    UNIDENTIFIED = "unidentified", "Unidentified"


class SuggestionStatus(models.TextChoices):
    OPEN = "open", "To confirm"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
