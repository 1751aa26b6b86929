"""The sources of reviewable work: what each person completed in a week.

A source is registered here with `source_register(ReviewSource(...))`: its code (the kind of
work, also the checklist it is reviewed with), a label, the default checklist shipped with
Revdesk, and a function giving the items completed between two moments, optionally for one
person. Shipped:

- ``case``: cases resolved or rejected (then possibly closed) in the week, by their owner,
  in the case's team;
- ``cash_application``: payment applications a person created by hand (web, API or command
  line; not imports, not the demo), read from the change log, in the cash application team;
- ``override``: overrides of calculated figures. The hook is registered so its checklist
  exists, but it gives nothing until the commissions desk (issue 4) records overrides.

A desk that arrives later adds its source in this module (quality sits above the desks, so
the desks cannot call into it): one function and one `source_register` call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse

from revdesk.cases.choices import DONE_STATUSES, TeamCode
from revdesk.cases.models import Case, Team
from revdesk.foundation.models import ChangeAction, ChangeRecord
from revdesk.receivables.models import PaymentApplication


@dataclass(frozen=True)
class WorkItem:
    """One piece of completed work that may be sampled for review."""

    source: str
    person_id: int
    team_id: int
    content_type: ContentType
    object_id: str
    label: str
    url: str
    completed_at: dt.datetime

    @property
    def key(self) -> tuple[int, str]:
        return (self.content_type.pk, self.object_id)


#: items(start, end, person_id or None) -> the work completed in [start, end)
ItemsFunction = Callable[[dt.datetime, dt.datetime, int | None], Iterable[WorkItem]]


@dataclass(frozen=True)
class ReviewSource:
    code: str
    label: str
    items: ItemsFunction
    checklist_name: str
    checklist_questions: tuple[str, ...]


_registry: dict[str, ReviewSource] = {}


def source_register(source: ReviewSource) -> ReviewSource:
    _registry[source.code] = source
    return source


def source_list() -> list[ReviewSource]:
    return list(_registry.values())


def source_get(code: str) -> ReviewSource:
    try:
        return _registry[code]
    except KeyError:
        known = ", ".join(_registry)
        raise KeyError(f"{code!r} is not a source of reviewable work (known: {known})") from None


def source_label(code: str) -> str:
    source = _registry.get(code)
    return source.label if source else code


def completed_work(
    start: dt.datetime, end: dt.datetime, *, person_id: int | None = None
) -> list[WorkItem]:
    """Everything completed in [start, end), every source, oldest first."""
    found: list[WorkItem] = []
    for source in _registry.values():
        found.extend(source.items(start, end, person_id))
    return sorted(found, key=lambda item: (item.completed_at, item.source, item.object_id))


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # the page is not there (yet): the label still names the item
        return ""


# --- cases ------------------------------------------------------------------------------


def _case_items(start, end, person_id):
    cases = Case.objects.filter(
        status__in=DONE_STATUSES,
        resolved_at__gte=start,
        resolved_at__lt=end,
        owner__isnull=False,
    )
    if person_id is not None:
        cases = cases.filter(owner_id=person_id)
    content_type = ContentType.objects.get_for_model(Case)
    for case in cases.only("pk", "number", "title", "owner_id", "team_id", "resolved_at"):
        yield WorkItem(
            source="case",
            person_id=case.owner_id,
            team_id=case.team_id,
            content_type=content_type,
            object_id=str(case.pk),
            label=f"{case.number} {case.title}"[:200],
            url=_url("web:case_detail", case.number),
            completed_at=case.resolved_at,
        )


source_register(
    ReviewSource(
        code="case",
        label="Closed case",
        items=_case_items,
        checklist_name="Closed case",
        checklist_questions=(
            "The outcome and the reason code fit what the case was about.",
            "The resolution says what was done and why, in words the requester understands.",
            "Every amount credited, rebilled or written off matches the documents on the case.",
            "The case is linked to every invoice, order or payment it was about.",
            "The requester was told the outcome (an external reply is on the timeline).",
            "Follow-up work (credit memo, rebill, adjustment) was asked of the right team.",
        ),
    )
)


# --- manual cash applications -----------------------------------------------------------

#: Change-log sources that are not a person applying cash by hand: file imports
#: ("import:<file>") and the demo company. Everything else with a user is a person at work
#: (web, api, the command line).
NOT_MANUAL_PREFIXES = ("import", "demo")


def _cash_application_items(start, end, person_id):
    content_type = ContentType.objects.get_for_model(PaymentApplication)
    records = ChangeRecord.objects.filter(
        content_type=content_type,
        action=ChangeAction.CREATE,
        user__isnull=False,
        time__gte=start,
        time__lt=end,
    ).order_by("time", "id")
    for prefix in NOT_MANUAL_PREFIXES:
        records = records.exclude(source__startswith=prefix)
    if person_id is not None:
        records = records.filter(user_id=person_id)
    first: dict[str, ChangeRecord] = {}
    for record in records.only("object_id", "user_id", "time"):
        first.setdefault(record.object_id, record)
    if not first:
        return
    team_id = Team.objects.filter(code=TeamCode.CASH_APPLICATION).values_list("pk", flat=True)[0]
    # Only applications still there: one deleted since has nothing left to check.
    ids = [int(pk) for pk in first if pk.isdigit()]
    applications = PaymentApplication.objects.filter(pk__in=ids).select_related(
        "payment", "invoice"
    )
    for application in applications:
        record = first[str(application.pk)]
        yield WorkItem(
            source="cash_application",
            person_id=record.user_id,
            team_id=team_id,
            content_type=content_type,
            object_id=str(application.pk),
            label=(
                f"Payment {application.payment.number} applied to invoice "
                f"{application.invoice.number}: {application.amount} "
                f"{application.payment.currency}"
            )[:200],
            url=_url("web:payment_detail", application.payment_id),
            completed_at=record.time,
        )


source_register(
    ReviewSource(
        code="cash_application",
        label="Manual cash application",
        items=_cash_application_items,
        checklist_name="Manual cash application",
        checklist_questions=(
            "The payment went to the invoices the remittance (or the customer) names.",
            "Each amount applied matches the remittance to the cent.",
            "The invoices belong to the payer or to its key-account hierarchy.",
            "A short payment or deduction was left unapplied or raised as a case, not forced.",
            "The application date is the day the cash was applied.",
        ),
    )
)


# --- overrides of calculated figures (issue 4) ------------------------------------------


def _override_items(start, end, person_id):
    """Nothing yet: the commissions desk (issue 4) records overrides of calculated figures
    and fills this in. Until then there are no overrides to review."""
    return ()


source_register(
    ReviewSource(
        code="override",
        label="Override of a calculated figure",
        items=_override_items,
        checklist_name="Override of a calculated figure",
        checklist_questions=(
            "The reason for the override is written down.",
            "A document or an approval supports the new figure.",
            "The approval came from someone allowed to give it.",
            "The new figure was entered to the cent, in the right period.",
        ),
    )
)
