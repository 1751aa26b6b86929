"""People appear by their names, not their login names (login name when no name is set)."""

import io

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from revdesk.ingest.models import ImportRun
from revdesk.parties.services import customer_update
from revdesk.testing import signed_in


def _name(world, username, first, last):
    user = world.users[username]
    user.first_name, user.last_name = first, last
    user.save()
    return user


def test_customer_list_collector_by_name(client, ledger, world):
    _name(world, "collector", "Carla", "Collins")
    response = signed_in(client, "admin").get(reverse("web:customer_list"))
    collectors = {row[0].text: row[9].text for row in response.context["rows"]}
    assert collectors == {
        "C-1000": "Carla Collins",
        "C-1001": "Carla Collins",
        "C-2000": "collector2",
    }
    choices = [label for _, label in response.context["filterset"].form.fields["collector"].choices]
    assert choices == ["Any", "Carla Collins", "collector2", "lead"]
    export = client.get(reverse("web:customer_list") + "?export=xlsx&sort=code")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    column = [str(cell) for cell in rows[0]].index("Collector")
    assert [row[column] for row in rows[1:]] == ["Carla Collins", "Carla Collins", "collector2"]


def test_history_who_is_the_persons_name_or_the_kept_one(client, ledger, world):
    ops = _name(world, "ops", "Olga", "Ops")
    customer_update(customer=world.customer_east, actor=ops, data={"payment_terms_days": 45})
    signed_in(client, "admin")
    history = client.get(world.customer_east.get_absolute_url()).context["history"]
    assert [entry.user_name for entry in history] == ["Olga Ops"]
    changes = client.get(reverse("web:change_list")).context["rows"]
    assert changes[0][1].text == "Olga Ops"
    get_user_model().objects.filter(pk=ops.pk).delete()
    history = client.get(world.customer_east.get_absolute_url()).context["history"]
    assert [entry.user_name for entry in history] == ["ops"]


def test_import_run_from_the_command_line_says_so(client, world):
    run = ImportRun.objects.create(
        kind="invoices", file_name="cli.csv", user_name="system", started_at=timezone.now()
    )
    _name(world, "analyst", "Ana", "Lyst")
    by_analyst = ImportRun.objects.create(
        kind="invoices",
        file_name="web.csv",
        user=world.users["analyst"],
        user_name="analyst",
        started_at=timezone.now(),
    )
    signed_in(client, "ops")
    rows = client.get(reverse("web:import_list") + "?sort=file_name").context["rows"]
    assert [(row[2].text, row[3].text) for row in rows] == [
        ("cli.csv", "command line (system)"),
        ("web.csv", "Ana Lyst"),
    ]
    page = client.get(reverse("web:import_detail", args=[run.pk])).content.decode()
    assert '<dd data-testid="run-by">command line (system)</dd>' in page
    page = client.get(reverse("web:import_detail", args=[by_analyst.pk])).content.decode()
    assert '<dd data-testid="run-by">Ana Lyst</dd>' in page


def test_history_reads_like_the_page(client, ledger, world):
    """Labels as on the form, money with separators and currency, Yes/No, names for keys."""
    from revdesk.parties.services import customer_update as update

    admin = world.users["admin"]
    _name(world, "collector2", "Cole", "Second")
    before_key = "Yes" if world.customer_east.is_key_account else "No"
    after_key = "No" if before_key == "Yes" else "Yes"
    update(
        customer=world.customer_east,
        actor=admin,
        data={
            "credit_limit": "400000.00",
            "payment_terms_days": 1000,
            "is_key_account": not world.customer_east.is_key_account,
            "collector": world.users["collector2"],
        },
    )
    history = signed_in(client, "admin").get(world.customer_east.get_absolute_url())
    changes = {c.label: (c.before, c.after) for c in history.context["history"][0].changes}
    assert changes == {
        "Credit limit": ("250,000.00 USD", "400,000.00 USD"),
        "Payment terms (days)": ("30", "1,000"),
        "Key account": (before_key, after_key),
        "Collector": ("collector", "Cole Second"),
    }


def test_import_fingerprint_wraps_and_has_its_title(client, world):
    sha = "686ec81fb1d1b32d5c2ac402c2d1ad10d9b7aac4878685c71095012345678901"
    run = ImportRun.objects.create(
        kind="invoices",
        file_name="a.csv",
        sha256=sha,
        user_name="system",
        started_at=timezone.now(),
    )
    page = signed_in(client, "ops").get(reverse("web:import_detail", args=[run.pk]))
    assert (
        f'<code class="fingerprint" title="SHA-256 of the file: {sha}" '
        f'data-testid="fingerprint">{sha}</code>'
    ) in page.content.decode()
