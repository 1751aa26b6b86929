"""Imports from the browser: upload, background run (the immediate backend here), status
page, report, role matrix, size limit; and the database worker running a queued upload."""

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from revdesk.foundation.models import ChangeRecord
from revdesk.ingest.models import ImportRun
from revdesk.ingest.services import import_run_queue, upload_file_name
from revdesk.orders.models import Order
from revdesk.parties.models import Customer, Distributor, Payee, Territory
from revdesk.receivables.models import Invoice, Payment
from revdesk.testing import ROLES, signed_in

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

HEADER = "number,customer_code,issued_on,due_on,currency,amount\n"
GOOD = (
    HEADER
    + "INV-100,C-1000,2026-01-05,2026-02-04,USD,1200.50\n"
    + "INV-101,C-2000,2026-01-06,2026-02-05,USD,99.99\n"
)
BAD = (
    HEADER
    + "INV-100,C-1000,2026-01-05,2026-02-04,USD,1200.50\n"
    + "INV-101,C-404,2026-01-06,2026-02-05,USD,99.99\n"
    + "INV-102,C-1000,31/01/2026,2026-02-05,USD,10.00\n"
)
EXPECTED_ERRORS = [
    {
        "line": 3,
        "column": "customer_code",
        "value": "C-404",
        "expected": "a customer code that exists in Revdesk: there is no customer 'C-404'",
        "severity": "error",
    },
    {
        "line": 4,
        "column": "issued_on",
        "value": "31/01/2026",
        "expected": "a date as YYYY-MM-DD (e.g. 2026-01-31)",
        "severity": "error",
    },
]
DOMAIN = (Territory, Payee, Distributor, Customer, Order, Invoice, Payment, ChangeRecord)


@pytest.fixture(autouse=True)
def tasks_and_uploads(settings, tmp_path):
    settings.TASKS = IMMEDIATE
    settings.REVDESK_UPLOADS = tmp_path / "uploads"
    return settings.REVDESK_UPLOADS


def _state():
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in DOMAIN}


def _upload(client, text, name="invoices.csv", kind="invoices", **extra):
    """Post an upload; the run is queued once the request's transaction commits (the test's
    transaction never does, so its on-commit work runs here)."""
    data = {"kind": kind, "file": SimpleUploadedFile(name, text.encode()), **extra}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("web:import_upload"), data)


def _text(response):
    return " ".join(response.content.decode().split())


def test_good_file_is_imported_in_the_background_and_the_page_shows_the_counts(
    client, world, tasks_and_uploads
):
    signed_in(client, "analyst")
    response = _upload(client, GOOD, name="March invoices.csv")
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:import_detail", args=[run.pk])
    assert (run.status, run.rows, run.created, run.updated, run.unchanged) == (
        "succeeded",
        2,
        2,
        0,
        0,
    )
    assert (run.user, run.user_name, run.file_name, run.kind) == (
        world.users["analyst"],
        "analyst",
        "March invoices.csv",
        "invoices",
    )
    assert run.errors == []
    assert run.upload == ""
    assert list(tasks_and_uploads.iterdir()) == []  # the stored file is gone after the run
    assert {(i.number, i.customer.code, i.amount, i.balance) for i in Invoice.objects.all()} == {
        ("INV-100", "C-1000", Decimal("1200.50"), Decimal("1200.50")),
        ("INV-101", "C-2000", Decimal("99.99"), Decimal("99.99")),
    }
    records = ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(Invoice))
    assert sorted((r.object_repr, r.user_name, r.source) for r in records) == [
        ("INV-100", "analyst", "import:March invoices.csv"),
        ("INV-101", "analyst", "import:March invoices.csv"),
    ]

    page = _text(client.get(response["Location"]))
    assert 'data-testid="import-state">Succeeded</span>' in page
    assert '<th scope="row">Created</th><td class="num">2</td>' in page
    assert '<th scope="row">Updated</th><td class="num">0</td>' in page
    assert '<th scope="row">Unchanged</th><td class="num">0</td>' in page
    assert f'<a href="{reverse("web:invoice_list")}" data-testid="kind-list">' in page
    assert "data-poll" not in page  # finished: nothing to poll

    # the same file again: all or nothing and idempotent, as on the command line
    _upload(client, GOOD, name="March invoices.csv")
    again = ImportRun.objects.order_by("-pk").first()
    assert (again.status, again.created, again.updated, again.unchanged) == (
        "succeeded",
        0,
        0,
        2,
    )
    assert Invoice.objects.count() == 2


def test_bad_file_fails_with_the_exact_report_and_changes_nothing(client, world):
    signed_in(client, "ops")
    before = _state()
    response = _upload(client, BAD)
    run = ImportRun.objects.get()
    assert _state() == before
    assert (run.status, run.rows, run.created, run.error_count) == ("failed", 3, 0, 2)
    assert run.errors == EXPECTED_ERRORS

    page = _text(client.get(response["Location"]))
    assert "2 problems in invoices.csv" in page
    assert "Nothing was changed. Fix these lines and upload the file again." in page
    assert (
        '<td class="num">3</td><td>customer_code</td><td>C-404</td><td>a customer code that '
        "exists in Revdesk: there is no customer &#x27;C-404&#x27;</td>" in page
    )
    assert (
        '<td class="num">4</td><td>issued_on</td><td>31/01/2026</td><td>a date as YYYY-MM-DD '
        "(e.g. 2026-01-31)</td>" in page
    )

    report = client.get(reverse("web:import_report", args=[run.pk]))
    assert report["Content-Type"] == "text/csv; charset=utf-8"
    assert report["Content-Disposition"] == (f'attachment; filename="invoices-report-{run.pk}.csv"')
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert rows == [
        ["line", "column", "value", "expected", "severity"],
        [
            "3",
            "customer_code",
            "C-404",
            "a customer code that exists in Revdesk: there is no customer 'C-404'",
            "error",
        ],
        ["4", "issued_on", "31/01/2026", "a date as YYYY-MM-DD (e.g. 2026-01-31)", "error"],
    ]


def test_dry_run_counts_and_saves_nothing(client, world):
    signed_in(client, "admin")
    before = _state()
    _upload(client, GOOD, dry_run="on")
    run = ImportRun.objects.get()
    assert (run.status, run.dry_run, run.created, run.updated) == ("dry_run", True, 2, 0)
    assert _state() == before
    page = _text(client.get(reverse("web:import_detail", args=[run.pk])))
    assert "Checked: nothing was saved" in page
    assert 'data-testid="kind-list"' not in page


def test_upload_page_lists_every_kind_with_its_columns_link(client, world):
    signed_in(client, "ops")
    page = _text(client.get(reverse("web:import_upload") + "?kind=payments"))
    assert '<input type="radio" name="kind" value="payments" id="id_kind_9" required checked>' in (
        page
    )
    assert (
        '<strong>Invoices</strong></label> <span class="kind-summary">Invoices issued.</span> '
        '<a href="/imports/columns/#invoices" class="small">columns</a>' in page
    )
    assert "A .csv or .xlsx file, up to 50.0 MB." in page  # split() ate the no-break space
    columns = _text(client.get(reverse("web:import_columns")))
    assert '<section class="panel" id="invoices" data-testid="columns-invoices">' in columns
    assert "<tr><td><code>customer_code</code></td><td>reference to a customer code</td>" in columns


@pytest.mark.parametrize("page", ["web:import_upload", "web:import_columns", "web:import_list"])
def test_upload_pages_by_role(client, world, page):
    got = {}
    for username in ROLES:
        client.logout()
        got[username] = signed_in(client, username).get(reverse(page)).status_code
    allowed = {"admin", "ops", "analyst"}
    assert got == {name: 200 if name in allowed else 404 for name in ROLES}


def test_refused_roles_cannot_post_an_upload(client, world, tasks_and_uploads):
    for username in ("collector", "rep", "distributor", "manager"):
        client.logout()
        assert _upload(signed_in(client, username), GOOD).status_code == 404
    assert ImportRun.objects.count() == 0
    assert Invoice.objects.count() == 0
    assert not tasks_and_uploads.exists()


def test_status_fragment_and_report_are_refused_too(client, world):
    signed_in(client, "ops")
    _upload(client, BAD)
    run = ImportRun.objects.get()
    for name in ("web:import_status", "web:import_report", "web:import_detail"):
        url = reverse(name, args=[run.pk])
        client.logout()
        assert signed_in(client, "collector").get(url).status_code == 404
        client.logout()
        assert signed_in(client, "analyst").get(url).status_code == 200


def test_oversize_file_is_refused_with_a_clear_message(client, world, settings):
    settings.REVDESK_IMPORT_MAX_BYTES = 100
    signed_in(client, "ops")
    response = _upload(client, GOOD, name="big.csv")
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "file": [
            "big.csv is 150\xa0bytes; the largest file this page takes is 100\xa0bytes. Split "
            "it into smaller files, or ask an administrator to load it with `revdesk import` "
            "on the server."
        ]
    }
    assert ImportRun.objects.count() == 0
    assert Invoice.objects.count() == 0


def test_wrong_type_wrong_profile_and_unknown_encoding_are_refused(client, world):
    signed_in(client, "ops")
    response = _upload(
        client,
        GOOD,
        name="invoices.xls",
        profile="sap-customer-master",
        encoding="klingon",
    )
    assert response.context["form"].errors == {
        "file": [
            "invoices.xls is not a .csv or .xlsx file: Revdesk reads only those two. It is an "
            "old Excel 97-2003 workbook: open it in Excel and save it as 'Excel Workbook "
            "(.xlsx)'."
        ],
        "profile": ["Profile sap-customer-master is for customers, not invoices."],
        "encoding": [
            "'klingon' is not an encoding Revdesk knows. Try utf-8, cp1252 or latin-1, or "
            "leave it empty."
        ],
    }
    assert ImportRun.objects.count() == 0


def test_stored_name_never_holds_the_users_path():
    assert upload_file_name("C:\\Users\\ana\\Desktop\\inv.csv") == "inv.csv"
    assert upload_file_name("../../etc/passwd.csv") == "passwd.csv"
    assert upload_file_name(".hidden.csv") == "hidden.csv"
    assert upload_file_name("") == "upload.csv"


# The worker closes its database connection between tasks, as a real one does: that ends a
# test transaction, so this test commits for real (and pytest-django empties the tables).
@pytest.mark.django_db(transaction=True)
def test_database_backend_queues_and_the_worker_runs_it(world, settings, tasks_and_uploads):
    settings.TASKS = DATABASE
    from django_tasks_db.models import DBTaskResult

    run = import_run_queue(
        kind="invoices",
        upload=SimpleUploadedFile("invoices.csv", GOOD.encode()),
        actor=world.users["ops"],
    )
    run.refresh_from_db()
    assert run.status == "queued"
    folder, name = run.upload.split("/")
    assert (len(folder), name) == (32, "invoices.csv")
    assert (tasks_and_uploads / folder / name).read_text() == GOOD
    assert DBTaskResult.objects.get().status == "READY"
    assert Invoice.objects.count() == 0

    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    run.refresh_from_db()
    assert (run.status, run.created, run.user_name) == ("succeeded", 2, "ops")
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert sorted(Invoice.objects.values_list("number", flat=True)) == ["INV-100", "INV-101"]
    assert list(tasks_and_uploads.iterdir()) == []


def test_progress_is_written_at_most_every_n_rows(world, tmp_path):
    from revdesk.ingest.importer import file_import
    from revdesk.ingest.progress import ImportRunProgress

    lines = "".join(f"INV-{n},C-1000,2026-01-05,2026-02-04,USD,1.00\n" for n in range(1, 2501))
    path = tmp_path / "many.csv"
    path.write_text(HEADER + lines)
    run = ImportRun.objects.create(
        kind="invoices", file_name="many.csv", user_name="ops", started_at="2026-01-01T00:00Z"
    )
    writes = []

    class Recording(ImportRunProgress):
        def _write(self, count):
            writes.append((self.name, count, self.rows_total))
            super()._write(count)

    result = file_import(kind="invoices", path=path, progress=Recording(run, every=1000), run=run)
    assert result.created == 2500
    assert writes == [
        ("checking", 0, 0),
        ("checking", 1000, 0),
        ("checking", 2000, 0),
        ("checking", 2500, 0),
        ("loading", 0, 2500),
        ("loading", 1000, 2500),
        ("loading", 2000, 2500),
        ("loading", 2500, 2500),
    ]
