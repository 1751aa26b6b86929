"""Case pages with the Django client: rows per role, 404 outside scope, actions and their
errors shown on the page, bulk assign, saved views, attachments, SLA dashboard."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from revdesk.cases import services
from revdesk.cases.choices import Status, Visibility
from revdesk.cases.models import Case, CaseEvent, Notification, SavedView, WorkInstruction
from revdesk.testing import ROLES, signed_in

from .desk import desk_build

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03" + b"\x00" * 64
QUEUE = reverse("web:case_queue")


@pytest.fixture
def desk(world, teams, ledger):
    return desk_build(world, ledger)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def numbers(response) -> list[str]:
    return [row[0].text for row in response.context["rows"]]


def page_of(client, username, url, **params):
    client.logout()
    return signed_in(client, username).get(url, params)


def test_queue_rows_per_role(client, desk):
    d = desk
    everything = sorted(c.number for c in (d.dispute, d.west, d.old, d.claim, d.defect))
    collections = sorted(c.number for c in (d.dispute, d.west, d.old))
    expected = {
        "admin": everything,
        "ops": everything,
        "analyst": everything,
        "leader": everything,  # a desk leader without a payee sees everything
        "lead": collections,  # team queues: collections and cash application
        "collector": collections,
        "collector2": collections,
        # outside the teams: the cases about what they may see
        "manager": everything,  # both reps report to them
        "rep": sorted([d.dispute.number, d.old.number, d.claim.number]),
        "rep_west": sorted([d.west.number, d.defect.number]),
        "distributor": [],
    }
    got = {name: sorted(numbers(page_of(client, name, QUEUE, status=""))) for name in ROLES}
    assert got == expected


def test_the_queue_opens_on_open_cases_soonest_due_first(client, desk, world):
    services.case_transition(
        desk.dispute, Status.REJECTED, actor=world.users["lead"], note="Duplicate of another"
    )
    signed_in(client, "lead")
    response = client.get(QUEUE)
    assert response["Location"] == QUEUE + "?status=open"
    shown = numbers(client.get(response["Location"]))
    assert desk.dispute.number not in shown  # rejected: done
    dues = [
        case.first_response_due_at if case.first_response_at is None else case.resolution_due_at
        for case in (Case.objects.get(number=number) for number in shown)
    ]
    assert dues == sorted(dues)


def test_queue_columns_and_clock_badges(client, desk):
    response = page_of(client, "collector", QUEUE, sort="number")
    rows = {row[0].text: row for row in response.context["rows"]}
    dispute = [cell.text for cell in rows[desk.dispute.number]]
    assert dispute[:5] + dispute[7:10] == [
        desk.dispute.number,
        "Price on INV-1 is wrong",
        "Acme Data Centers",
        "200.00",
        "New",
        "Normal",
        "Unassigned",
        "AR dispute",
    ]
    assert rows[desk.dispute.number][3].suffix == "USD"
    assert rows[desk.dispute.number][5].badge in {"on_time", "due_soon"}
    assert rows[desk.old.number][5].badge == "breached"
    assert rows[desk.old.number][5].text == "Breached"
    page = response.content.decode()
    assert 'class="clock clock-breached"' in page
    assert f'value="{desk.old.number}" form="bulk-assign"' in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "open"}, ["dispute", "west", "old"]),
        ({"owner": "unassigned"}, ["dispute", "west", "old"]),
        ({"breached": "true"}, ["old"]),
        ({"breached": "false"}, ["dispute", "west"]),
        ({"clock": "first_response_breached"}, ["old"]),
        ({"case_type": "deduction"}, ["old"]),
        ({"reason": "not_received"}, ["west"]),
        ({"customer": "C-2000"}, ["west"]),
        ({"q": "inv-1"}, ["dispute"]),
        ({"priority": "urgent"}, []),
    ],
)
def test_queue_filters(client, desk, params, expected):
    got = numbers(page_of(client, "collector", QUEUE, **params))
    assert sorted(got) == sorted(getattr(desk, name).number for name in expected)


def test_queue_owner_filter_and_status_not_open(client, desk, world):
    services.case_assign(desk.west, actor=world.users["lead"], owner=world.users["collector2"])
    services.case_transition(
        desk.dispute, Status.REJECTED, actor=world.users["collector"], note="Not a dispute"
    )
    assert numbers(page_of(client, "collector2", QUEUE, owner="me")) == [desk.west.number]
    assert numbers(page_of(client, "lead", QUEUE, owner="collector2")) == [desk.west.number]
    assert numbers(page_of(client, "lead", QUEUE, status="rejected")) == [desk.dispute.number]
    assert desk.dispute.number not in numbers(page_of(client, "lead", QUEUE, status="open"))


def test_queue_refuses_a_bad_filter_value_in_words(client, desk):
    response = page_of(client, "collector", QUEUE, status="sleeping")
    assert numbers(response) == []
    assert "Nothing is listed until these filters are fixed" in response.content.decode()


def test_queue_exports_to_excel(client, desk):
    from io import BytesIO

    from openpyxl import load_workbook

    response = page_of(client, "collector", QUEUE, sort="number")
    response = page_of(client, "collector", QUEUE, sort="number", export="xlsx")
    assert response["Content-Disposition"].startswith('attachment; filename="cases-')
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0] == (
        "Number",
        "Title",
        "Customer",
        "Customer code",
        "Amount",
        "Amount currency",
        "Status",
        "Clock",
        "Next due",
        "Priority",
        "Owner",
        "Type",
        "Type code",
        "Opened",
    )
    assert [row[0] for row in rows[1:]] == sorted(
        [desk.dispute.number, desk.west.number, desk.old.number]
    )
    dispute = rows[1]
    assert dispute[4] == 200
    assert dispute[5] == "USD"
    clock = rows[0].index("Clock")
    assert {row[clock] for row in rows[1:]} >= {"Breached"}


def test_my_cases_lists_what_i_own_open_first(client, desk, world):
    collector = world.users["collector"]
    for case in (desk.dispute, desk.old):
        services.case_assign(case, actor=world.users["lead"], owner=collector)
    services.case_transition(desk.old, Status.REJECTED, actor=collector, note="Duplicate")
    response = page_of(client, "collector", reverse("web:case_mine"))
    assert numbers(response) == [desk.dispute.number, desk.old.number]
    assert page_of(client, "rep", reverse("web:case_mine")).status_code == 404


# --- the case page ------------------------------------------------------------------------


def test_case_page_answers_404_outside_scope(client, desk):
    url = desk.dispute.get_absolute_url()
    got = {name: page_of(client, name, url).status_code for name in ROLES}
    assert got == {
        "admin": 200,
        "ops": 200,
        "analyst": 200,
        "lead": 200,
        "leader": 200,
        "collector": 200,
        "collector2": 200,
        "manager": 200,
        "rep": 200,
        "rep_west": 404,
        "distributor": 404,
    }
    assert page_of(client, "collector", "/cases/CASE-999999/").status_code == 404


def test_case_page_shows_header_subjects_clocks_and_instruction(client, desk, ledger):
    response = page_of(client, "collector", desk.dispute.get_absolute_url())
    page = response.content.decode()
    assert "Price on INV-1 is wrong" in page
    invoice_url = ledger.invoices["INV-1"].get_absolute_url()
    assert f'<a href="{invoice_url}">INV-1</a>' in page
    assert '200.00 <span class="ccy">USD</span>' in page
    assert 'data-testid="clock-first-response"' in page
    assert "of working time left" in page
    assert 'data-testid="work-instruction"' in page
    assert "<script" not in page.split('data-testid="work-instruction"')[1].split("</aside>")[0]


def test_rep_sees_only_external_events_and_no_internal_actions(client, desk, world):
    collector = world.users["collector"]
    services.comment_add(desk.dispute, actor=collector, body="Internal: check the price list")
    services.comment_add(
        desk.dispute, actor=collector, body="We are looking at it", visibility=Visibility.EXTERNAL
    )
    services.case_assign(desk.dispute, actor=world.users["lead"], owner=collector)
    rep = page_of(client, "rep", desk.dispute.get_absolute_url())
    kinds = [(e.kind, e.body) for e in rep.context["events"]]
    assert kinds == [("comment", "We are looking at it")]
    page = rep.content.decode()
    assert "check the price list" not in page
    assert 'data-testid="status-form"' not in page
    assert 'data-testid="assign-form"' not in page
    assert 'name="comment-visibility"' not in page
    # a rep may only add to the external conversation; internal actions answer 404
    response = client.post(
        desk.dispute.get_absolute_url(),
        {"action": "status", "status-to_status": "triage"},
    )
    assert response.status_code == 404
    response = client.post(
        desk.dispute.get_absolute_url(),
        {
            "action": "comment",
            "comment-body": "Customer called me",
            "comment-visibility": "internal",
        },
    )
    assert response.status_code == 302
    event = CaseEvent.objects.filter(case=desk.dispute, kind="comment").last()
    assert (event.body, event.visibility) == ("Customer called me", Visibility.EXTERNAL)
    staff = page_of(client, "collector", desk.dispute.get_absolute_url()).content.decode()
    assert "check the price list" in staff
    assert "Customer called me" in staff


def post(client, case, action, **fields):
    data = {"action": action, **{f"{action}-{key}": value for key, value in fields.items()}}
    return client.post(case.get_absolute_url(), data)


def test_status_moves_and_errors_inline(client, desk, world):
    signed_in(client, "collector")
    case = desk.dispute
    response = post(client, case, "status", to_status="resolved", outcome="", note="")
    assert response.status_code == 200
    assert "Choose the outcome the case is resolved with." in response.content.decode()
    response = post(client, case, "status", to_status="resolved", outcome="credit_memo", note="")
    assert "Write the resolution: what was decided and why." in response.content.decode()
    response = post(client, case, "status", to_status="closed")
    assert "Select a valid choice. closed is not one of the available choices." in (
        response.content.decode()
    )
    case.refresh_from_db()
    assert case.status == Status.NEW
    response = post(client, case, "status", to_status="waiting_customer", note="")
    assert response.status_code == 302
    response = post(
        client, case, "status", to_status="resolved", outcome="credit_memo", note="Price fixed"
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.outcome, case.resolution) == (
        "resolved",
        "credit_memo",
        "Price fixed",
    )
    response = post(client, case, "status", to_status="in_progress", note="")
    assert "Say why the case is reopened." in response.content.decode()


def test_assign_and_move_team_with_errors_inline(client, desk, world):
    signed_in(client, "lead")
    case = desk.dispute
    collector2 = world.users["collector2"]
    response = post(client, case, "assign", owner=collector2.pk, team=case.team_id, note="")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.owner == collector2
    assert Notification.objects.filter(user=collector2, case=case).exists()
    analyst = world.users["analyst"]
    response = post(client, case, "assign", owner=analyst.pk, team=case.team_id)
    assert "Select a valid choice." in response.content.decode()
    commissions = desk.claim.team
    response = post(client, case, "assign", owner=collector2.pk, team=commissions.pk)
    assert response.status_code == 200
    assert "is not a member of the Commissions team" in response.content.decode()
    response = post(client, case, "assign", owner="", team=commissions.pk)
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.team, case.owner) == (commissions, None)


def test_comment_with_a_mention_notifies_and_the_header_counts_it(client, desk, world):
    signed_in(client, "collector")
    response = post(
        client, desk.dispute, "comment", body="@collector2 can you check?", visibility="internal"
    )
    assert response.status_code == 302
    notification = Notification.objects.get(user=world.users["collector2"])
    assert notification.text == f"collector mentioned you on {desk.dispute.number}"
    client.logout()
    signed_in(client, "collector2")
    home = client.get("/").content.decode()
    assert 'aria-label="1 unread">1</span>' in home
    listing = client.get(reverse("web:case_notifications"))
    assert [n.text for n in listing.context["notifications"]] == [notification.text]
    opened = client.get(reverse("web:case_notification_open", args=[notification.pk]))
    assert opened["Location"] == desk.dispute.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "unread" not in client.get("/").content.decode().split("nav-notifications")[1][:80]


def test_comment_errors_inline(client, desk):
    signed_in(client, "collector")
    response = post(client, desk.dispute, "comment", body="   ", visibility="internal")
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_attachments_upload_refuse_and_download(client, desk, world):
    signed_in(client, "collector")
    url = desk.dispute.get_absolute_url()
    response = client.post(
        url,
        {
            "action": "attach",
            "attach-visibility": "internal",
            "attach-files": [
                SimpleUploadedFile("POD 42.pdf", PDF, "application/pdf"),
                SimpleUploadedFile("invoice.pdf", EXE, "application/pdf"),
            ],
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "invoice.pdf is named .pdf but its content is" in page
    assert "Kept POD 42.pdf." in page
    attachment = desk.dispute.attachments.get()
    assert attachment.name == "POD_42.pdf"
    download = client.get(reverse("web:case_attachment", args=[desk.dispute.number, attachment.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="POD_42.pdf"'
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF
    # internal: the rep sees neither the line nor the file
    client.logout()
    signed_in(client, "rep")
    link = reverse("web:case_attachment", args=[desk.dispute.number, attachment.pk])
    assert client.get(link).status_code == 404
    client.logout()
    signed_in(client, "rep_west")
    assert client.get(link).status_code == 404


def test_edit_details_and_link_subjects(client, desk, ledger, world):
    signed_in(client, "collector")
    case = desk.dispute
    reason = case.case_type.reasons.get(code="tax")
    response = post(client, case, "edit", priority="high", reason=reason.pk, amount="150.50")
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.priority, case.reason, case.amount, case.currency) == (
        "high",
        reason,
        Decimal("150.50"),
        "USD",
    )
    response = post(client, case, "link", kind="invoice", number="INV-5")
    assert "INV-5 is not an invoice you may see: check the number." in response.content.decode()
    response = post(client, case, "link", kind="invoice", number="INV-4")
    assert response.status_code == 302
    assert sorted(case.subjects.values_list("label", flat=True)) == ["INV-1", "INV-4"]
    response = post(client, case, "link", kind="customer", number="C-2000")
    assert "C-2000 is not a customer code you may see." in response.content.decode()


# --- bulk assign and saved views ----------------------------------------------------------


def test_bulk_assign_from_the_queue(client, desk, world):
    signed_in(client, "lead")
    chosen = [desk.dispute.number, desk.west.number]
    response = client.post(
        reverse("web:case_bulk_assign"),
        {"case": chosen, "target": "user:collector2", "next": QUEUE + "?status=open"},
    )
    assert response["Location"] == QUEUE + "?status=open"
    owners = dict(Case.objects.filter(number__in=chosen).values_list("number", "owner__username"))
    assert owners == {desk.dispute.number: "collector2", desk.west.number: "collector2"}
    response = client.get(QUEUE, follow=True)
    assert "Assigned 2 cases to collector2." in response.content.decode()
    # to a team queue: unassigned there
    client.post(reverse("web:case_bulk_assign"), {"case": chosen, "target": "team:collections"})
    assert set(Case.objects.filter(number__in=chosen).values_list("owner", flat=True)) == {None}


def test_bulk_assign_refuses_and_changes_nothing(client, desk, world):
    signed_in(client, "lead")
    url = reverse("web:case_bulk_assign")
    response = client.post(
        url, {"case": [desk.dispute.number], "target": "user:analyst"}, follow=True
    )
    assert "is not in the team of" in response.content.decode()
    response = client.post(
        url,
        {"case": [desk.dispute.number, desk.claim.number], "target": "user:collector"},
        follow=True,
    )
    assert f"Not cases you may see: {desk.claim.number}. Nothing assigned." in (
        response.content.decode()
    )
    response = client.post(url, {"case": [], "target": "user:collector"}, follow=True)
    assert "Tick the cases to assign first." in response.content.decode()
    assert set(Case.objects.values_list("owner", flat=True)) == {None}
    client.logout()
    signed_in(client, "rep")
    assert (
        client.post(url, {"case": [desk.dispute.number], "target": "team:collections"}).status_code
        == 404
    )


def test_saved_views_save_list_delete(client, desk, world):
    signed_in(client, "collector")
    save = reverse("web:case_view_save")
    response = client.post(save, {"name": "Breached", "query": "breached=true&page=3"})
    assert response["Location"] == QUEUE + "?breached=true"
    view = SavedView.objects.get(user=world.users["collector"])
    assert (view.name, view.query) == ("Breached", "breached=true")
    page = client.get(QUEUE, follow=True).content.decode()
    assert f'href="{QUEUE}?breached=true">Breached</a>' in page
    response = client.post(save, {"name": "", "query": "breached=true"}, follow=True)
    assert "Give the view a name" in response.content.decode()
    client.post(save, {"name": "Breached", "query": "status=open"})
    assert SavedView.objects.get(user=world.users["collector"]).query == "status=open"
    client.logout()
    signed_in(client, "collector2")
    assert client.post(reverse("web:case_view_delete", args=[view.pk])).status_code == 404
    client.logout()
    signed_in(client, "collector")
    client.post(reverse("web:case_view_delete", args=[view.pk]))
    assert not SavedView.objects.exists()


# --- new case -----------------------------------------------------------------------------


def test_new_case_from_an_invoice_link(client, desk, ledger, world):
    signed_in(client, "collector")
    response = client.get(reverse("web:case_new"), {"type": "ar_dispute", "invoice": "INV-1"})
    form = response.context["form"]
    assert form.initial["customer"] == world.customer_east
    assert form.initial["invoices"] == "INV-1"
    reason = desk.dispute.case_type.reasons.get(code="damaged")
    response = client.post(
        reverse("web:case_new"),
        {
            "case_type": desk.dispute.case_type.pk,
            "title": "Damaged on arrival",
            "priority": "high",
            "reason": reason.pk,
            "customer": world.customer_east.pk,
            "amount": "300.00",
            "invoices": "INV-1, INV-2",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    case = Case.objects.get(title="Damaged on arrival")
    assert response["Location"] == case.get_absolute_url()
    assert (case.customer, case.currency, case.amount, case.team.code) == (
        world.customer_east,
        "USD",
        Decimal("300.00"),
        "collections",
    )
    assert list(case.subjects.values_list("label", flat=True)) == [
        str(world.customer_east),
        "INV-1",
        "INV-2",
    ]
    response = client.post(
        reverse("web:case_new"),
        {
            "case_type": desk.dispute.case_type.pk,
            "title": "Boston too",
            "priority": "normal",
            "customer": world.customer_east.pk,
            "invoices": "INV-4",
        },
    )
    assert response.context["form"].errors == {
        "invoices": ["INV-4 belongs to Acme Data Centers Boston, not to Acme Data Centers."]
    }


def test_new_case_errors_inline(client, desk, world):
    signed_in(client, "collector2")
    claim_type = desk.claim.case_type
    wrong_reason = desk.dispute.case_type.reasons.get(code="damaged")
    response = client.post(
        reverse("web:case_new"),
        {
            "case_type": claim_type.pk,
            "title": "x",
            "priority": "normal",
            "reason": wrong_reason.pk,
            "customer": world.customer_east.pk,
            "amount": "10",
            "invoices": "INV-5 INV-1 NOPE",
            "orders": "SO-2",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["reason"] == ["“Damaged goods” is a reason for AR dispute, not Commission claim."]
    assert errors["customer"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert errors["invoices"] == [
        "INV-1 is not an invoice you may see: check the number.",
        "NOPE is not an invoice you may see: check the number.",
    ]
    assert "orders" not in errors  # SO-2 is Pacific Colo's and visible... through the team
    assert Case.objects.count() == 5


# --- SLA dashboard, work instructions, home -----------------------------------------------


def test_sla_dashboard_figures_link_to_the_queue(client, desk, world):
    services.case_transition(desk.west, Status.WAITING_CUSTOMER, actor=world.users["collector2"])
    response = page_of(client, "collector", reverse("web:case_sla"))
    figures = {f.team.code: f for f in response.context["figures"]}
    assert list(figures) == ["cash_application", "collections"] or list(figures) == ["collections"]
    collections = figures["collections"]
    assert (
        collections.open,
        collections.first_response_breached,
        collections.resolution_breached,
        collections.paused,
    ) == (3, 1, 1, 1)
    assert [c.number for c in response.context["breached"]] == [desk.old.number]
    page = response.content.decode()
    assert f'href="{QUEUE}?team=collections&amp;clock=first_response_breached"' in page
    linked = numbers(page_of(client, "collector", QUEUE, team="collections", clock="paused"))
    assert linked == [desk.west.number]
    everyone = page_of(client, "admin", reverse("web:case_sla"))
    assert len(everyone.context["figures"]) == 8
    assert page_of(client, "rep", reverse("web:case_sla")).status_code == 404


def test_work_instruction_new_version_by_a_team_lead_only(client, desk, world):
    url = reverse("web:case_instruction", args=["ar_dispute"])
    response = page_of(client, "collector", url)
    assert response.status_code == 200
    assert response.context["form"] is None
    assert client.post(url, {"body": "# Hacked"}).status_code == 404
    response = page_of(client, "lead", url)
    assert response.context["form"] is not None
    response = client.post(
        url, {"body": "# Disputes\n\n<script>x()</script>Call **first**.", "note": "shorter"}
    )
    assert response.status_code == 302
    latest = WorkInstruction.objects.filter(case_type__code="ar_dispute").order_by("-version")[0]
    assert (latest.version, latest.note, latest.author_name) == (2, "shorter", "lead")
    page = client.get(desk.dispute.get_absolute_url()).content.decode()
    side = page.split('data-testid="work-instruction"')[1]
    assert "<strong>first</strong>" in side
    assert "<script>" not in side
    versions = client.get(url).context["versions"]
    assert [v.version for v in versions] == [2, 1]


def test_home_shows_case_figures_to_team_members(client, desk, world):
    services.case_assign(desk.dispute, actor=world.users["lead"], owner=world.users["collector"])
    home = page_of(client, "collector", reverse("web:home"))
    figures = home.context["cases"]
    assert (figures.my_open, figures.team_open, figures.team_breached) == (1, 3, 1)
    page = home.content.decode()
    assert f'href="{QUEUE}?breached=true" data-testid="figure-team-breached"' in page
    assert page_of(client, "rep", reverse("web:home")).context["cases"] is None


def test_a_reply_by_e_mail_from_the_case_page(client, desk, world, mailoutbox):
    from revdesk.cases.models import EmailMessage

    case = desk.dispute
    Case.objects.filter(pk=case.pk).update(requester_email="ap@acme.example")
    signed_in(client, "collector")
    response = post(client, case, "reply", body="We credit 200.00 USD this week.")
    assert response.status_code == 302
    (sent,) = mailoutbox
    assert sent.to == ["ap@acme.example"]
    assert sent.subject == f"Price on INV-1 is wrong [{case.number}]"
    assert "We credit 200.00 USD this week." in sent.body
    message = EmailMessage.objects.get(case=case, direction="out")
    assert (message.status, message.to) == ("sent", "ap@acme.example")
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Reply sent to ap@acme.example." in page
    # nowhere to send it: said on the form, nothing sent
    Case.objects.filter(pk=case.pk).update(requester_email="")
    response = post(client, case, "reply", body="Hello")
    assert response.status_code == 200
    assert len(mailoutbox) == 1
