"""Cases: one model for every dispute, claim, escalation and defect, and what surrounds it.

A case has a type (from the registry in registry.py, kept as rows so reason codes, SLA
targets and work instructions are data), subjects it is about (any objects, several at once),
an owning team and owner, a status moved only by services.case_transition through the state
machine in workflow.py, SLA clocks (sla.py) and a timeline of events. E-mail in and out is
kept as messages on the case (mail.py).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse

from revdesk.foundation.fields import CurrencyField, MoneyField
from revdesk.foundation.models import BaseModel

from .choices import (
    DONE_STATUSES,
    Assignment,
    Clock,
    Direction,
    EventKind,
    MemberLevel,
    Outcome,
    Priority,
    SendStatus,
    Source,
    Status,
    TeamCode,
    Visibility,
)

USER = settings.AUTH_USER_MODEL


class BusinessCalendar(BaseModel):
    """Working hours the SLA clocks count in: work days, a daily window and holidays."""

    name = models.CharField(max_length=100, unique=True)
    timezone = models.CharField(max_length=60, default="America/New_York")
    work_days = models.CharField(
        max_length=20, default="0,1,2,3,4", help_text="Weekdays worked, 0 = Monday … 6 = Sunday"
    )
    day_starts = models.TimeField(default="09:00")
    day_ends = models.TimeField(default="17:00")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def weekdays(self) -> frozenset[int]:
        return frozenset(int(d) for d in self.work_days.split(",") if d.strip())


class Holiday(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique_date")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Team(BaseModel):
    code = models.CharField(max_length=30, choices=TeamCode.choices, unique=True)
    name = models.CharField(max_length=100)
    email = models.EmailField(blank=True, help_text="The team inbox: replies are sent from it")
    calendar = models.ForeignKey(
        BusinessCalendar, null=True, blank=True, on_delete=models.PROTECT, related_name="teams"
    )
    members = models.ManyToManyField(USER, through="TeamMembership", related_name="case_teams")
    last_assigned = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Round-robin position: the member who got the last case",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("web:case_queue") + f"?team={self.code}"


class TeamMembership(BaseModel):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="case_memberships")
    level = models.PositiveSmallIntegerField(
        choices=MemberLevel.choices, default=MemberLevel.MEMBER
    )
    takes_cases = models.BooleanField(
        default=True, help_text="Routing may assign new cases to this person (off while away)"
    )

    class Meta:
        ordering = ["team", "-level", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="team_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.get_level_display()})"


class CaseType(BaseModel):
    """A kind of case. Rows are made from the code registry (registry.py) after migrate;
    names, default team and activity may then be edited, never the code."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    desk = models.CharField(max_length=20, help_text="orders, commissions or collections")
    default_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    outcomes = models.JSONField(default=list, help_text="Outcome codes a case may close with")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["desk", "name"]

    def __str__(self) -> str:
        return self.name

    def outcome_choices(self) -> list[tuple[str, str]]:
        labels = dict(Outcome.choices)
        return [(code, labels[code]) for code in self.outcomes if code in labels]


class ReasonCode(BaseModel):
    """Why a case was raised, from a list kept per case type. External codes (e.g. X12
    adjustment reasons a customer sends) map onto ours."""

    case_type = models.ForeignKey(CaseType, on_delete=models.CASCADE, related_name="reasons")
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=100)
    external_codes = models.CharField(
        max_length=200, blank=True, help_text="Comma-separated codes customers use for this"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["case_type", "label"]
        constraints = [
            models.UniqueConstraint(fields=["case_type", "code"], name="reason_code_unique")
        ]

    def __str__(self) -> str:
        return self.label


class SlaTarget(BaseModel):
    """Business minutes to the first response and to resolution, per case type and priority."""

    case_type = models.ForeignKey(CaseType, on_delete=models.CASCADE, related_name="sla_targets")
    priority = models.CharField(max_length=10, choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()

    class Meta:
        ordering = ["case_type", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["case_type", "priority"], name="sla_target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case_type} / {self.get_priority_display()}"


class EscalationRule(BaseModel):
    """When a clock has run out by `overdue_minutes` business minutes, move the case up to
    `level` (senior, then leader). Each rule fires at most once per case."""

    name = models.CharField(max_length=100)
    case_type = models.ForeignKey(
        CaseType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    priority = models.CharField(max_length=10, choices=Priority.choices, blank=True)
    clock = models.CharField(max_length=20, choices=Clock.choices)
    overdue_minutes = models.PositiveIntegerField(default=0)
    level = models.PositiveSmallIntegerField(
        choices=[(MemberLevel.SENIOR, "Senior"), (MemberLevel.LEADER, "Leader")]
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["clock", "level", "overdue_minutes"]

    def __str__(self) -> str:
        return self.name


class RoutingRule(BaseModel):
    """Data, not code: the first active rule (lowest sequence) whose conditions all hold
    decides the team and how the owner is picked. Empty conditions match anything."""

    sequence = models.PositiveIntegerField(default=100)
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    case_type = models.ForeignKey(
        CaseType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.ForeignKey(
        ReasonCode, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    customer = models.ForeignKey(
        "parties.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    territory = models.ForeignKey(
        "parties.Territory",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Matches the customer's territory and every territory under it",
    )
    min_amount = MoneyField(null=True, blank=True)
    max_amount = MoneyField(null=True, blank=True, help_text="Below this amount (exclusive)")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    assignment = models.CharField(
        max_length=20, choices=Assignment.choices, default=Assignment.LEAST_LOADED
    )
    owner = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_priority = models.CharField(max_length=10, choices=Priority.choices, blank=True)

    class Meta:
        ordering = ["sequence", "id"]

    def __str__(self) -> str:
        return f"{self.sequence}. {self.name}"


class Case(BaseModel):
    number = models.CharField(max_length=20, unique=True, editable=False)
    case_type = models.ForeignKey(CaseType, on_delete=models.PROTECT, related_name="cases")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    reason = models.ForeignKey(
        ReasonCode, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases")
    owner = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_cases"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    # Who the case is about, for routing and for who may see it (set from the subjects).
    customer = models.ForeignKey(
        "parties.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    payee = models.ForeignKey(
        "parties.Payee", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    distributor = models.ForeignKey(
        "parties.Distributor",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    amount = MoneyField(null=True, blank=True, help_text="Amount in dispute or claimed")
    currency = CurrencyField(blank=True)
    requester_email = models.EmailField(blank=True, help_text="Where external replies go")
    requester_name = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(db_index=True)
    # SLA clocks (sla.py): due times move later by the business time spent paused.
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_minutes = models.PositiveIntegerField(
        default=0, help_text="Working minutes spent waiting on the customer or resolved"
    )
    first_response_breached_at = models.DateTimeField(null=True, blank=True)
    resolution_breached_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(
        choices=MemberLevel.choices, default=MemberLevel.MEMBER
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    resolution = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["team", "status"]),
            models.Index(fields=["owner", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | ~models.Q(currency=""),
                name="case_amount_has_currency",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("web:case_detail", args=[self.number])

    @property
    def is_open(self) -> bool:
        return self.status not in DONE_STATUSES


class CaseSubject(models.Model):
    """One object a case is about: an invoice, order, payment, customer, payee..."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="subjects")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    label = models.CharField(max_length=200, help_text="How the object read when it was linked")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "content_type", "object_id"], name="case_subject_unique"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.label

    @property
    def target(self):
        model = self.content_type.model_class()
        return model._default_manager.filter(pk=self.object_id).first() if model else None


class CaseEvent(models.Model):
    """One line of the timeline: every state change, comment, e-mail and escalation."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    time = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=200)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    body = models.TextField(blank=True)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["time", "id"]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_kind_display()} at {self.time:%Y-%m-%d %H:%M}"


class Mention(models.Model):
    event = models.ForeignKey(CaseEvent, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="case_mentions")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="mention_unique")]

    def __str__(self) -> str:
        return f"@{self.user} on {self.event}"


class Notification(models.Model):
    """Something a person should look at: a mention, an assignment, an escalation. Most are
    about a case; one about something else (a quality review of a cash application) has no
    case and carries the address of its page instead."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="case_notifications")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    url = models.CharField(
        max_length=300, blank=True, help_text="The page to open when it is not about a case"
    )
    event = models.ForeignKey(
        CaseEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    time = models.DateTimeField(db_index=True)
    text = models.CharField(max_length=300)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-time", "-id"]

    def __str__(self) -> str:
        return self.text

    @property
    def link(self) -> str:
        """Where the notification leads: its case's page, else its own address."""
        return self.case.get_absolute_url() if self.case_id else self.url


def attachment_path(instance: Attachment, filename: str) -> str:
    # Never the sender's name: a random stored name, inside the case's own folder.
    return f"cases/{instance.case_id}/{instance.stored_name}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        CaseEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=300)
    stored_name = models.CharField(max_length=64, editable=False)
    name = models.CharField(max_length=200, help_text="The file name as sent, made safe")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    time = models.DateTimeField()

    class Meta:
        ordering = ["time", "id"]

    def __str__(self) -> str:
        return self.name


class Inbox(BaseModel):
    """A team mailbox read into cases: IMAP, or a Maildir / folder of .eml files."""

    class Kind(models.TextChoices):
        IMAP = "imap", "IMAP"
        FOLDER = "folder", "Maildir or folder of .eml files"

    name = models.SlugField(max_length=40, unique=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="inboxes")
    address = models.EmailField()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.FOLDER)
    path = models.CharField(max_length=500, blank=True, help_text="Folder (kind folder)")
    host = models.CharField(max_length=200, blank=True)
    port = models.PositiveIntegerField(default=993)
    use_ssl = models.BooleanField(default=True)
    username = models.CharField(max_length=200, blank=True)
    password_env = models.CharField(
        max_length=100, blank=True, help_text="Name of the environment variable with the password"
    )
    mailbox = models.CharField(max_length=200, default="INBOX")
    is_active = models.BooleanField(default=True)
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "inboxes"

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"


class EmailMessage(models.Model):
    """One e-mail on a case, received or sent. The raw message is kept as received."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    event = models.OneToOneField(
        CaseEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="message"
    )
    inbox = models.ForeignKey(
        Inbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    status = models.CharField(max_length=10, choices=SendStatus.choices)
    message_id = models.CharField(max_length=300, db_index=True)
    in_reply_to = models.CharField(max_length=300, blank=True)
    references = models.TextField(blank=True)
    subject = models.CharField(max_length=500, blank=True)
    from_address = models.CharField(max_length=300, blank=True)
    from_name = models.CharField(max_length=200, blank=True)
    to = models.TextField(blank=True)
    cc = models.TextField(blank=True)
    date = models.DateTimeField(null=True, blank=True)
    body_text = models.TextField(blank=True)
    raw = models.BinaryField(editable=False)
    source = models.CharField(max_length=500, blank=True, help_text="File, or IMAP UID read")
    problems = models.TextField(blank=True, help_text="What was wrong with the message as sent")
    error = models.TextField(blank=True, help_text="Why sending failed")
    time = models.DateTimeField()

    class Meta:
        ordering = ["time", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["message_id"],
                condition=models.Q(direction="in"),
                name="email_message_inbound_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.subject}"


class MailTemplate(BaseModel):
    """A mail template: subject and body in the Django template language. Case replies
    ({{ case.number }} style placeholders) are offered on a case; the collections desk's
    statements and dunning letters are used by their jobs."""

    class Use(models.TextChoices):
        CASE_REPLY = "case_reply", "Case reply"
        STATEMENT = "statement", "Statement of account"
        DUNNING = "dunning", "Dunning letter"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    use = models.CharField(max_length=12, choices=Use.choices, default=Use.CASE_REPLY)
    subject = models.CharField(max_length=200)
    body = models.TextField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkInstruction(models.Model):
    """The playbook of a case type, in Markdown. Each save is a new version; the newest is
    shown on the case."""

    case_type = models.ForeignKey(
        CaseType, on_delete=models.CASCADE, related_name="work_instructions"
    )
    version = models.PositiveIntegerField()
    body = models.TextField()
    note = models.CharField(max_length=200, blank=True, help_text="What changed")
    author = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=150)
    time = models.DateTimeField()

    class Meta:
        ordering = ["case_type", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_type", "version"], name="work_instruction_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_type} v{self.version}"


class SavedView(BaseModel):
    """A named set of queue filters a person keeps (the query string of the queue)."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="case_views")
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=1000)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_view_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class CaseEscalation(models.Model):
    """An escalation rule that fired on a case: at most once (the unique constraint)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    rule = models.ForeignKey(EscalationRule, on_delete=models.CASCADE, related_name="+")
    time = models.DateTimeField()
    level = models.PositiveSmallIntegerField(choices=MemberLevel.choices)
    to_user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["time"]
        constraints = [
            models.UniqueConstraint(fields=["case", "rule"], name="case_escalation_once")
        ]

    def __str__(self) -> str:
        return f"{self.case.number} to {self.get_level_display()}: {self.reason}"
