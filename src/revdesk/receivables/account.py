"""A collector's account page: one customer (or its whole hierarchy) as of today: the aging
and open items with predicted pay dates, promises, open tasks, disputes, documentation
requirements, contacts, and the timeline of everything that happened on the account."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from revdesk.cases.choices import OPEN_STATUSES
from revdesk.engine.aging import aging, explain
from revdesk.foundation.scoping import restrict
from revdesk.parties.models import Customer

from .disputes import disputed_amounts, disputed_part
from .documents import missing_requirements, needs_of
from .dunning import dunning_state
from .models import Activity, CreditMemo, Invoice, Payment, PromiseToPay
from .reports import ledger
from .rules import invoice_of


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: str  # call, email, note, statement, portal, task, promise, payment, credit, case
    title: str
    detail: str = ""
    who: str = ""
    url: str | None = None
    done: bool | None = None


@dataclass
class AccountPage:
    customer: Customer
    on: dt.date
    hierarchy: list[Customer]  # the customer and every customer under it that may be seen
    aging: list[dict]
    items: list[dict]
    promises: list[PromiseToPay]
    tasks: list[Activity]
    disputes: list
    requirements: list[str]
    timeline: list[TimelineEntry] = field(default_factory=list)
    dunning: object | None = None  # DunningState
    dunning_next: object | None = None  # the DunningLevel done next


def _tree(customer: Customer, user) -> list[Customer]:
    found = [customer]
    frontier = [customer.pk]
    while frontier:
        children = list(
            restrict(Customer.objects.filter(parent_id__in=frontier), user).order_by("code")
        )
        found.extend(children)
        frontier = [c.pk for c in children]
    return found


def account_page(*, customer: Customer, user, on: dt.date | None = None) -> AccountPage:
    today = on or timezone.localdate()
    tree = _tree(customer, user)
    ids = [c.pk for c in tree]
    book, _ = ledger(user=user, customers=Customer.objects.filter(pk__in=ids))
    rows = aging(book, today, by="customer").to_pylist() if book.documents.num_rows else []
    items = explain(book, today).to_pylist() if book.documents.num_rows else []
    found = list(
        Invoice.objects.filter(
            customer_id__in=ids, number__in=[invoice_of(i["document"]) for i in items]
        )
    )
    invoices = {i.number: (i.pk, i.predicted_pay_on, i.predicted_by) for i in found}
    lacking = missing_requirements(found)
    needs = list(needs_of(customer).values())
    disputed = disputed_amounts([pk for pk, *_ in invoices.values()])
    items.sort(key=lambda i: (-i["days_past_due"], i["document"]))
    for item in items:
        pk, pay_on, by = invoices.get(invoice_of(item["document"]), (None, None, ""))
        item.update(
            invoice_id=pk,
            predicted_pay_on=pay_on,
            predicted_by=by,
            disputed=(disputed_part(disputed, pk, item["amount"]) or None) if pk else None,
        )
        item["missing"] = list(lacking.get(pk, {}).items()) if pk else []
    promises = list(
        PromiseToPay.objects.filter(customer_id__in=ids)
        .select_related("customer", "contact")
        .order_by("-promised_on", "-pk")[:50]
    )
    tasks = list(
        Activity.objects.filter(
            customer_id__in=ids, done_at__isnull=True, next_action_on__isnull=False
        )
        .select_related("assigned_to", "customer")
        .order_by("next_action_on", "pk")
    )
    from revdesk.cases.models import Case

    cases = list(
        restrict(Case.objects.filter(customer_id__in=ids), user)
        .select_related("case_type", "team", "reason")
        .order_by("-opened_at")[:50]
    )
    page = AccountPage(
        customer=customer,
        on=today,
        hierarchy=tree,
        aging=rows,
        items=items,
        promises=promises,
        tasks=tasks,
        disputes=[
            c for c in cases if c.case_type.desk == "collections" and c.status in OPEN_STATUSES
        ],
        requirements=needs,
    )
    page.timeline = _timeline(ids, user, cases)
    page.dunning, page.dunning_next = dunning_state(customer)
    return page


def _who(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _timeline(ids: list[int], user, cases: list) -> list[TimelineEntry]:
    from django.urls import reverse

    entries: list[TimelineEntry] = []
    for activity in (
        Activity.objects.filter(customer_id__in=ids)
        .select_related("created_by", "contact", "invoice", "assigned_to")
        .order_by("-occurred_at", "-pk")[:200]
    ):
        detail = " · ".join(
            part
            for part in (
                activity.get_outcome_display() if activity.outcome else "",
                f"with {activity.contact.name}" if activity.contact else "",
                f"about {activity.invoice.number}" if activity.invoice else "",
                activity.body,
                (
                    f"next: {activity.next_action} by {activity.next_action_on.isoformat()}"
                    if activity.next_action_on
                    else ""
                ),
            )
            if part
        )
        entries.append(
            TimelineEntry(
                at=activity.occurred_at,
                kind=activity.kind,
                title=activity.subject,
                detail=detail,
                who=_who(activity.created_by) or ("Revdesk" if activity.promise_id else ""),
                done=None if activity.next_action_on is None else activity.done_at is not None,
            )
        )
    payments = restrict(Payment.objects.filter(customer_id__in=ids), user).order_by("-received_on")[
        :100
    ]
    for payment in payments:
        entries.append(
            TimelineEntry(
                at=_start_of(payment.received_on),
                kind="payment",
                title=f"Payment {payment.number}: {payment.amount:,.2f} {payment.currency}",
                detail=payment.reference,
                url=reverse("web:payment_detail", args=[payment.pk]),
            )
        )
        if payment.reversed_on is not None:
            entries.append(
                TimelineEntry(
                    at=_start_of(payment.reversed_on),
                    kind="payment",
                    title=f"Payment {payment.number} reversed: {payment.amount:,.2f} "
                    f"{payment.currency}",
                    detail=payment.reversal_reason,
                    url=reverse("web:payment_detail", args=[payment.pk]),
                )
            )
    memos = restrict(CreditMemo.objects.filter(customer_id__in=ids), user).order_by("-issued_on")[
        :100
    ]
    for memo in memos:
        entries.append(
            TimelineEntry(
                at=_start_of(memo.issued_on),
                kind="credit",
                title=f"Credit memo {memo.number}: {memo.amount:,.2f} {memo.currency}",
                detail=memo.reason,
            )
        )
    for case in cases:
        entries.append(
            TimelineEntry(
                at=case.opened_at,
                kind="case",
                title=f"{case.case_type.name} {case.number}: {case.title}",
                detail=f"{case.get_status_display()} · {case.team}",
                url=reverse("web:case_detail", args=[case.number]),
            )
        )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(0, 0)))
