"""The worklist and account pages: ranked rows, one-click logging and promises from the
worklist, tasks done, promises cancelled, and who may do it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from revdesk.receivables.choices import ActivityKind, PromiseStatus
from revdesk.receivables.models import Activity, PromiseToPay, WorklistEntry
from revdesk.receivables.worklist import worklist_refresh
from revdesk.testing import signed_in

D = Decimal


@pytest.fixture
def worked_out(ledger):
    """The ledger, with the worklist worked out as the daily job would."""
    worklist_refresh()
    return ledger


def test_the_worklist_page_ranks_the_collectors_accounts(client, worked_out):
    response = signed_in(client, "collector").get(reverse("web:collections_worklist"))
    assert response.status_code == 200
    rows = list(response.context["rows"])
    # the world's collector holds C-1000 (a key account: 2,200.00 overdue, 13.4 points, and
    # 20 for last year's INV-6) and C-1001 (5,800.25 overdue: 17.6 points, and 20)
    assert [(row.customer.code, row.score) for row in rows] == [
        ("C-1000", Decimal("38.4")),
        ("C-1001", Decimal("37.6")),
    ]
    assert ["key account", "5"] in rows[0].parts
    html = response.content.decode()
    assert "Acme Data Centers" in html
    assert 'data-testid="daily-job"' in html  # says the daily job has not run yet
    assert "has not run yet" in html


def test_a_senior_collector_picks_a_portfolio_and_a_rep_has_no_worklist(client, worked_out):
    url = reverse("web:collections_worklist")
    response = signed_in(client, "lead").get(url + "?collector=collector")
    assert [row.customer.code for row in response.context["rows"]] == ["C-1000", "C-1001"]
    client.logout()
    assert signed_in(client, "rep").get(url).status_code == 404


def test_logging_a_call_from_the_worklist(client, ledger, world):
    signed_in(client, "collector")
    back = reverse("web:collections_worklist")
    response = client.post(
        reverse("web:collections_activity_add", args=[world.customer_east.pk]),
        {
            "kind": "call",
            "outcome": "voicemail",
            "subject": "Called AP about INV-1",
            "next_action": "Call again",
            "next_action_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
            "next": back,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == back
    activity = Activity.objects.get()
    assert (activity.kind, activity.outcome, activity.created_by.username) == (
        ActivityKind.CALL,
        "voicemail",
        "collector",
    )
    assert activity.assigned_to == world.users["collector"]  # the next action is a task
    page = client.get(reverse("web:collections_account", args=[world.customer_east.pk]))
    assert "Called AP about INV-1" in page.content.decode()


def test_a_promise_from_the_worklist_then_cancelled(client, ledger, world):
    signed_in(client, "collector")
    url = reverse("web:collections_promise_add", args=[world.customer_east.pk])
    promised = timezone.localdate() + dt.timedelta(days=5)
    client.post(url, {"amount": "1000.00", "promised_on": promised.isoformat(), "grace_days": "2"})
    promise = PromiseToPay.objects.get()
    assert (promise.amount, promise.currency, promise.promised_on) == (
        D("1000.00"),
        "USD",
        promised,
    )
    refused = client.post(
        reverse("web:collections_promise_cancel", args=[promise.pk]), {"reason": ""}, follow=True
    )
    assert "Say why the promise is cancelled." in refused.content.decode()
    client.post(
        reverse("web:collections_promise_cancel", args=[promise.pk]), {"reason": "Paid by card"}
    )
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.CANCELLED


def test_a_bad_promise_says_why(client, ledger, world):
    signed_in(client, "collector")
    url = reverse("web:collections_promise_add", args=[world.customer_east.pk])
    response = client.post(url, {"amount": "-5", "promised_on": "", "grace_days": "2"}, follow=True)
    text = response.content.decode()
    assert "No promise recorded" in text
    assert PromiseToPay.objects.count() == 0


def test_nobody_logs_on_an_account_they_do_not_see(client, ledger, world):
    signed_in(client, "collector2")
    url = reverse("web:collections_activity_add", args=[world.customer_east.pk])
    response = client.post(url, {"kind": "note", "subject": "x"})
    assert response.status_code == 404
    assert Activity.objects.count() == 0
    page = client.get(reverse("web:collections_account", args=[world.customer_east.pk]))
    assert page.status_code == 404


def test_a_task_is_done_from_the_account_page(client, ledger, world):
    task = Activity.objects.create(
        customer=world.customer_east,
        kind=ActivityKind.TASK,
        subject="Promise broken",
        next_action="Call about the broken promise",
        next_action_on=timezone.localdate(),
        occurred_at=timezone.now(),
        assigned_to=world.users["collector"],
    )
    signed_in(client, "collector")
    page = client.get(reverse("web:collections_account", args=[world.customer_east.pk]))
    assert "Call about the broken promise" in page.content.decode()
    client.post(reverse("web:collections_task_done", args=[task.pk]))
    task.refresh_from_db()
    assert task.done_at is not None


def test_the_worklist_is_worked_out_again_on_request(client, ledger, world):
    signed_in(client, "collector")
    empty = client.get(reverse("web:collections_worklist"))
    assert list(empty.context["rows"]) == []
    assert "has not run yet" in empty.content.decode()
    response = client.post(reverse("web:collections_worklist_refresh"), {"collector": "collector"})
    assert response.status_code == 302
    assert sorted(WorklistEntry.objects.values_list("customer__code", flat=True)) == [
        "C-1000",
        "C-1001",
    ]  # the collector's portfolio only
    # a collector cannot work out another's portfolio
    client.post(reverse("web:collections_worklist_refresh"), {"collector": "collector2"})
    assert WorklistEntry.objects.filter(customer__code="C-2000").count() == 0


def test_the_statement_from_the_account_page(client, ledger, world, settings):
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    signed_in(client, "collector")
    pk = world.customer_east.pk
    pdf = client.get(reverse("web:collections_statement_pdf", args=[pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    excel = client.get(reverse("web:collections_statement_excel", args=[pk]))
    assert excel["Content-Disposition"].startswith('attachment; filename="statement-C-1000-')
    sent = client.post(
        reverse("web:collections_statement_send", args=[pk]), {"to": "ap@acme.example"}, follow=True
    )
    assert "sent to ap@acme.example" in sent.content.decode()
    (message,) = mail.outbox
    assert message.to == ["ap@acme.example"]
    assert Activity.objects.get(kind=ActivityKind.STATEMENT).customer == world.customer_east
    client.logout()
    signed_in(client, "collector2")
    assert client.get(reverse("web:collections_statement_pdf", args=[pk])).status_code == 404


def test_a_dispute_from_the_account_page(client, ledger, world):
    from revdesk.cases.models import Case

    invoice = ledger.invoices["INV-1"]
    signed_in(client, "collector")
    response = client.post(
        reverse("web:collections_dispute_add", args=[world.customer_east.pk]),
        {
            "invoice": invoice.pk,
            "reason": "ar_dispute|pricing",
            "amount": "400.00",
            "description": "Contract price is 600.00",
        },
        follow=True,
    )
    case = Case.objects.get(case_type__code="ar_dispute")
    assert (case.amount, case.reason.code, case.customer) == (
        Decimal("400.00"),
        "pricing",
        world.customer_east,
    )
    assert f"AR dispute {case.number} opened on INV-1" in response.content.decode()
    page = client.get(reverse("web:collections_account", args=[world.customer_east.pk]))
    items = {item["document"]: item for item in page.context["page"].items}
    assert items["INV-1"]["disputed"] == Decimal("400.00")
    too_much = client.post(
        reverse("web:collections_dispute_add", args=[world.customer_east.pk]),
        {"invoice": invoice.pk, "reason": "ar_dispute|tax", "amount": "700.00"},
        follow=True,
    )
    assert "No dispute opened: 700.00 is more than is open on INV-1" in too_much.content.decode()


def test_a_short_payment_from_the_payment_page(client, ledger, world):
    from revdesk.cases.models import Case

    # PAY-1 paid 3,000.00 of INV-6 (4,200.00): 1,200.00 left
    payment = ledger.payments["PAY-1"]
    signed_in(client, "collector")
    page = client.get(reverse("web:payment_detail", args=[payment.pk]))
    assert "Open a short payment for the 1,200.00 left" in page.content.decode()
    response = client.post(
        reverse("web:collections_short_payment", args=[payment.pk]),
        {
            "invoice": ledger.invoices["INV-6"].pk,
            "reason": "freight",
            "amount": "1200.00",
            "description": "Freight deducted",
        },
        follow=True,
    )
    case = Case.objects.get(case_type__code="short_payment")
    assert (case.amount, case.reason.code) == (Decimal("1200.00"), "freight")
    subjects = sorted(subject.label for subject in case.subjects.all())
    assert subjects == ["INV-6", "PAY-1"]
    assert f"Short payment {case.number} opened on INV-6" in response.content.decode()
    client.logout()
    signed_in(client, "rep")  # not of the collections desk: no form, no case
    assert (
        client.post(
            reverse("web:collections_short_payment", args=[payment.pk]),
            {"invoice": ledger.invoices["INV-6"].pk, "reason": "freight", "amount": "1"},
        ).status_code
        == 404
    )


# the invoices under a row: fetched when the row is opened --------------------------------


def _items_url(code: str) -> str:
    entry = WorklistEntry.objects.get(customer__code=code)
    return reverse("web:collections_worklist_items", args=[entry.customer_id])


def test_the_invoices_under_a_row_come_when_it_is_opened(client, worked_out):
    page = signed_in(client, "collector").get(reverse("web:collections_worklist"))
    html = page.content.decode()
    assert f'data-items="{_items_url("C-1000")}"' in html
    assert 'class="work-items"' not in html  # not in the page itself
    assert ">INV-1<" not in html
    response = client.get(_items_url("C-1000"))
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.startswith('<tr class="work-items" data-testid="work-items">')
    # C-1000's invoices on the worklist (INV-2 comes due after the horizon), the oldest
    # first, each linked to its page
    assert re.findall(r'<a href="/invoices/\d+/">([^<]+)</a>', fragment) == ["INV-6", "INV-1"]
    assert "<html" not in fragment  # a fragment, not a page


def test_only_the_first_invoices_under_a_row_and_a_link_for_the_rest(client, worked_out):
    entry = WorklistEntry.objects.get(customer__code="C-1000")
    entry.items = entry.items * 6  # twelve: eight shown
    entry.save(update_fields=["items"])
    response = signed_in(client, "collector").get(_items_url("C-1000"))
    fragment = response.content.decode()
    assert len(re.findall(r'<a href="/invoices/\d+/">', fragment)) == 8
    account = reverse("web:collections_account", args=[entry.customer_id])
    assert f'<a href="{account}">4 more on the account page</a>' in fragment


@pytest.mark.parametrize(
    ("username", "code", "status"),
    [
        ("collector", "C-1000", 200),  # their portfolio
        ("collector", "C-2000", 404),  # collector2's
        ("collector2", "C-2000", 200),
        ("collector2", "C-1000", 404),
        ("lead", "C-1000", 200),  # their team's
        ("leader", "C-2000", 200),  # the desk's leader sees every row
        ("ops", "C-1000", 200),
        ("rep", "C-1000", 404),  # no worklist for a rep
        ("distributor", "C-1000", 404),
        ("analyst", "C-1000", 404),
    ],
)
def test_who_may_open_the_invoices_under_a_row(client, worked_out, username, code, status):
    assert signed_in(client, username).get(_items_url(code)).status_code == status


def test_no_invoices_for_an_account_whose_row_left_the_worklist(client, worked_out):
    url = _items_url("C-1001")
    WorklistEntry.objects.filter(customer__code="C-1001").delete()  # paid up, say
    assert signed_in(client, "admin").get(url).status_code == 404


def test_the_invoices_need_a_signed_in_person(client, worked_out):
    response = client.get(_items_url("C-1000"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# what a page costs: pinned, so that it cannot grow unnoticed ---------------------------------


def test_the_worklist_page_reads_five_queries_once_its_rows_are_cached(
    client, worked_out, django_assert_num_queries
):
    url = reverse("web:collections_worklist")
    signed_in(client, "collector")
    # the session, the user, their roles, the rows counted (the cache key), the page's rows,
    # the daily job's last run, and the header's facts (case team, unread notifications)
    with django_assert_num_queries(7):
        first = client.get(url)
    assert len(first.context["rows"]) == 2
    # then the rows' HTML and the daily job's last run come from the cache
    with django_assert_num_queries(5):
        again = client.get(url)
    assert again.context["rows_html"] == first.context["rows_html"]


def test_the_invoices_under_a_row_read_four_queries(client, worked_out, django_assert_num_queries):
    url = _items_url("C-1000")
    signed_in(client, "collector")
    # the session, the user, their roles and the row (no navigation in a fragment)
    with django_assert_num_queries(4):
        assert client.get(url).status_code == 200
