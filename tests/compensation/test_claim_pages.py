"""The claims pages: filing a claim with evidence, the claims queue by role, the claim panel
on the case page, and deciding it there."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from revdesk.cases.choices import Status, Visibility
from revdesk.cases.models import Attachment
from revdesk.compensation.claims import claim_file
from revdesk.compensation.models import ClaimDecision, CreditClaim
from revdesk.compensation.services import crediting_policy_save

from .test_runs import invoice, order

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NEW = reverse("web:claim_new")
LIST = reverse("web:claim_list")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def policy(world):
    return crediting_policy_save(
        actor=None,
        number="Policy 100",
        title="Specifying, ordering and installing territories",
        text="Credit is split 25/50/25 between the specifying, ordering and installing reps.",
        splits={"specifying": "0.25", "ordering": "0.50", "installing": "0.25"},
        valid_from=dt.date(2025, 1, 1),
    )


@pytest.fixture
def inv(world):
    made = order(
        "SO-C", world.customer_east, dt.date(2026, 3, 1), [(world.product_ups, "1", "800")]
    )
    return invoice("INV-C", made, dt.date(2026, 3, 10), "800.00")


def signed(client, world, name):
    client.force_login(world.users[name])
    return client


def test_a_rep_files_a_claim_with_evidence_and_follows_it(client, world, policy, inv):
    client = signed(client, world, "rep_west")
    page = client.get(NEW, {"policy": policy.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Specifying (25% of the credit)" in html
    assert "Ordering (50% of the credit)" in html
    assert "Credit is split 25/50/25" in html  # the policy's text, to read before claiming
    assert 'name="claimant"' not in html  # a rep claims for themself
    response = client.post(
        NEW,
        {
            "policy": policy.pk,
            "role_specifying": world.rep_west.pk,
            "role_ordering": world.rep_east.pk,
            "role_installing": world.rep_west.pk,
            "invoices": "INV-C",
            "description": "I specified the UPS and my team installed it.",
            "evidence": SimpleUploadedFile("work-order.pdf", PDF, "application/pdf"),
        },
    )
    claim = CreditClaim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == claim.case.get_absolute_url()
    assert claim.claimant == world.rep_west
    assert {r.role: r.payee.code for r in claim.roles.all()} == {
        "specifying": "E102",
        "ordering": "E101",
        "installing": "E102",
    }
    assert [i.invoice.number for i in claim.invoices.all()] == ["INV-C"]
    (attachment,) = Attachment.objects.filter(case=claim.case)
    assert (attachment.name, attachment.event.visibility) == ("work-order.pdf", Visibility.EXTERNAL)
    listing = client.get(LIST)
    assert listing.context["title"] == "My claims"
    assert [c.pk for c in listing.context["claims"]] == [claim.pk]
    case_page = client.get(claim.case.get_absolute_url()).content.decode()
    assert 'data-testid="claim-panel"' in case_page
    assert "Claim under Policy 100" in case_page


def test_the_form_says_what_is_wrong(client, world, policy, inv):
    client = signed(client, world, "rep_west")
    response = client.post(
        NEW,
        {
            "policy": policy.pk,
            "role_specifying": world.rep_west.pk,
            "role_ordering": world.rep_east.pk,
            "invoices": "INV-C, INV-NOPE",
            "description": "",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["invoices"] == ["No invoice is numbered INV-NOPE."]
    assert form.errors["role_installing"] == ["This field is required."]
    assert form.errors["description"] == ["This field is required."]
    assert not CreditClaim.objects.exists()


def test_who_sees_which_claim(client, world, policy, inv):
    theirs = claim_file(
        actor=world.users["rep_west"],
        policy=policy,
        invoices=[inv],
        roles={
            "specifying": world.rep_west,
            "ordering": world.rep_west,
            "installing": world.rep_west,
        },
        claimant=world.rep_west,
        description="All mine.",
    )
    other = invoice(  # an invoice is claimed once at a time: the second claim is on another
        "INV-D",
        order("SO-D", world.customer_east, dt.date(2026, 3, 2), [(world.product_ups, "1", "500")]),
        dt.date(2026, 3, 12),
        "500.00",
    )
    naming_east = claim_file(
        actor=world.users["analyst"],
        policy=policy,
        invoices=[other],
        roles={
            "specifying": world.rep_west,
            "ordering": world.rep_east,
            "installing": world.rep_west,
        },
        claimant=world.rep_west,
        description="Split.",
    )
    seen = {
        name: [c.pk for c in signed(client, world, name).get(LIST).context["claims"]]
        for name in ("rep", "rep_west", "analyst", "leader")
    }
    assert seen == {
        "rep": [naming_east.pk],  # E101 is named as the ordering rep
        "rep_west": sorted([theirs.pk, naming_east.pk], reverse=True),
        "analyst": sorted([theirs.pk, naming_east.pk], reverse=True),
        "leader": sorted([theirs.pk, naming_east.pk], reverse=True),
    }
    for name in ("collector", "distributor", "ops"):
        assert signed(client, world, name).get(LIST).status_code == 404
    assert signed(client, world, "leader").get(NEW).status_code == 404  # managers decide, not file


def test_an_analyst_approves_on_the_case_page(client, world, policy, inv):
    claim = claim_file(
        actor=world.users["rep_west"],
        policy=policy,
        invoices=[inv],
        roles={
            "specifying": world.rep_west,
            "ordering": world.rep_east,
            "installing": world.rep_west,
        },
        claimant=world.rep_west,
        description="Split.",
    )
    client = signed(client, world, "analyst")
    response = client.post(
        claim.case.get_absolute_url(),
        {
            "action": "status",
            "status-to_status": Status.RESOLVED,
            "status-outcome": "claim_approved",
            "status-note": "Work order confirms E102 installed.",
        },
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.decision == ClaimDecision.APPROVED
    assert claim.decided_by == world.users["analyst"]
    page = client.get(claim.case.get_absolute_url()).content.decode()
    assert "Approved on " in page
