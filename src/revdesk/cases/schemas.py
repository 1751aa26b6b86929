"""API shapes for cases: the same filters as the queue page, a case with its subjects and
timeline, and what opening, moving, assigning and commenting take."""

import datetime as dt
from typing import Literal

from django.db.models import Q
from ninja import Field, FilterSchema, Schema

from revdesk.foundation.api import Amount, AmountIn

from . import filtersets
from .choices import Outcome, Priority, Status, Visibility
from .selectors import breached_q


class CaseSubjectOut(Schema):
    kind: str = Field(description="What the case is about: invoice, order, customer, payee…")
    id: str
    label: str

    @staticmethod
    def resolve_kind(obj) -> str:
        return obj.content_type.model

    @staticmethod
    def resolve_id(obj) -> str:
        return obj.object_id


class CaseEventOut(Schema):
    time: dt.datetime
    kind: str = Field(description="created, status, assigned, comment, email_in, …")
    kind_label: str
    actor: str = Field(description="Who did it, as people call them")
    visibility: Visibility
    body: str
    from_status: str
    to_status: str
    attachments: list[str] = Field(description="File names added with this line")

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_actor(obj) -> str:
        return obj.actor_name

    @staticmethod
    def resolve_attachments(obj) -> list[str]:
        return [attachment.name for attachment in obj.attachments.all()]


class CaseOut(Schema):
    number: str
    case_type: str = Field(description="Case type code")
    case_type_name: str
    title: str
    status: Status
    priority: Priority
    reason: str | None = Field(None, description="Reason code")
    team: str = Field(description="Team code")
    owner: str | None = Field(None, description="Owner's login; empty: in the team queue")
    customer: str | None = Field(None, description="Customer code")
    amount: Amount | None = Field(None, description="Amount in dispute or claimed")
    currency: str
    opened_at: dt.datetime
    first_response_due_at: dt.datetime | None
    first_response_at: dt.datetime | None
    resolution_due_at: dt.datetime | None
    outcome: str
    resolved_at: dt.datetime | None

    @staticmethod
    def resolve_case_type(obj) -> str:
        return obj.case_type.code

    @staticmethod
    def resolve_case_type_name(obj) -> str:
        return obj.case_type.name

    @staticmethod
    def resolve_reason(obj) -> str | None:
        return obj.reason.code if obj.reason_id else None

    @staticmethod
    def resolve_team(obj) -> str:
        return obj.team.code

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return obj.owner.get_username() if obj.owner_id else None

    @staticmethod
    def resolve_customer(obj) -> str | None:
        return obj.customer.code if obj.customer_id else None


class CaseDetailOut(CaseOut):
    description: str
    resolution: str
    subjects: list[CaseSubjectOut]
    timeline: list[CaseEventOut] = Field(
        description="Every line you may see (reps and distributor users: the external ones)"
    )

    @staticmethod
    def resolve_subjects(obj) -> list:
        return list(obj.subjects.select_related("content_type"))


StatusFilter = Literal[("open", *Status.values)]
ClockFilter = Literal[tuple(code for code, _ in filtersets.CLOCK_CHOICES)]


class CaseFilter(FilterSchema):
    """The queue's filters. `owner` (me, unassigned or a login) is applied by the handler."""

    q: str | None = Field(None, description="Part of the case number or title")
    team: str | None = Field(None, description="Team code")
    case_type: str | None = Field(None, description="Case type code")
    status: StatusFilter | None = Field(  # type: ignore[valid-type]
        None, description="A status, or open (every status not done)"
    )
    priority: Priority | None = None
    owner: str | None = Field(None, description="me, unassigned, or a login")
    reason: str | None = Field(None, description="Reason code")
    customer: str | None = Field(None, description="Customer code")
    breached: bool | None = Field(None, description="An SLA clock has run out")
    clock: ClockFilter | None = Field(  # type: ignore[valid-type]
        None, description=", ".join(code for code, _ in filtersets.CLOCK_CHOICES)
    )

    def filter_q(self, value: str | None) -> Q:
        if not value:
            return Q()
        return Q(number__icontains=value.strip()) | Q(title__icontains=value.strip())

    def filter_team(self, value: str | None) -> Q:
        return Q(team__code=value) if value else Q()

    def filter_case_type(self, value: str | None) -> Q:
        return Q(case_type__code=value) if value else Q()

    def filter_status(self, value: str | None) -> Q:
        return filtersets.status_q(value) if value else Q()

    def filter_owner(self, value: str | None) -> Q:
        return Q()  # needs the person asking: applied by the handler

    def filter_reason(self, value: str | None) -> Q:
        return Q(reason__code=value) if value else Q()

    def filter_customer(self, value: str | None) -> Q:
        return Q(customer__code=value) if value else Q()

    def filter_breached(self, value: bool | None) -> Q:
        if value is None:
            return Q()
        return breached_q() if value else ~breached_q()

    def filter_clock(self, value: str | None) -> Q:
        return filtersets.clock_q(value) if value else Q()


class SubjectIn(Schema):
    kind: Literal["invoice", "order", "customer"]
    number: str = Field(description="Invoice or order number, or customer code")


class CaseOpenIn(Schema):
    case_type: str = Field(description="Case type code, e.g. ar_dispute")
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    priority: Priority = Priority.NORMAL
    reason: str | None = Field(None, description="Reason code of the case type")
    amount: AmountIn | None = None
    currency: str = Field("", description="Left empty: the customer's currency")
    customer: str | None = Field(None, description="Customer code")
    subjects: list[SubjectIn] = Field(
        default_factory=list, description="Invoices, orders or customers the case is about"
    )


class CaseTransitionIn(Schema):
    status: Status
    outcome: Outcome | Literal[""] = Field("", description="Needed to resolve")
    note: str = Field("", description="Resolution (resolving) or reason (reject, reopen)")


class CaseAssignIn(Schema):
    owner: str | None = Field(None, description="Login of a team member; empty: the queue")
    team: str | None = Field(None, description="Team code to move the case to")
    note: str = ""


class CommentIn(Schema):
    body: str = Field(min_length=1)
    visibility: Visibility = Visibility.INTERNAL
