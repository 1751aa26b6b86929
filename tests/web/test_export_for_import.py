"""Export for re-import: a list page's download in the import's own shape, which uploads back
through Imports -> Import a file unchanged; only for the roles that may import."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from revdesk.foundation.models import ChangeRecord
from revdesk.ingest.kinds import KINDS
from revdesk.ingest.models import ImportRun
from revdesk.parties.models import Customer
from revdesk.testing import signed_in

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
LIST_KINDS = {
    "customers": "web:customer_list",
    "distributors": "web:distributor_list",
    "payees": "web:payee_list",
    "products": "web:product_list",
    "orders": "web:order_list",
    "invoices": "web:invoice_list",
    "payments": "web:payment_list",
}
LINK = 'data-testid="export-reimport"'


@pytest.fixture(autouse=True)
def tasks_and_uploads(settings, tmp_path):
    settings.TASKS = IMMEDIATE
    settings.REVDESK_UPLOADS = tmp_path / "uploads"


def test_analyst_downloads_customers_and_uploads_the_same_bytes_back_unchanged(client, world):
    signed_in(client, "analyst")
    customers = sorted(Customer.objects.values_list("code", flat=True))
    assert len(customers) > 0

    response = client.get(reverse("web:import_export", args=["customers"]))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="customers-for-import.xlsx"'
    content = response.content
    sheet = load_workbook(io.BytesIO(content), read_only=True)["customers"]
    rows = list(sheet.values)
    assert list(rows[0]) == KINDS["customers"].column_names
    assert sorted(row[0] for row in rows[1:]) == customers

    changes_before = ChangeRecord.objects.count()
    upload = SimpleUploadedFile("customers-for-import.xlsx", content)
    with TestCase.captureOnCommitCallbacks(execute=True):
        posted = client.post(reverse("web:import_upload"), {"kind": "customers", "file": upload})
    run = ImportRun.objects.get()
    assert posted.status_code == 302
    assert run.errors == []
    assert (run.status, run.rows, run.created, run.updated, run.unchanged) == (
        "succeeded",
        len(customers),
        0,
        0,
        len(customers),
    )
    assert ChangeRecord.objects.count() == changes_before


def test_collector_may_not_export_for_reimport(client, world):
    signed_in(client, "collector")
    for kind in ("customers", "invoices"):
        assert client.get(reverse("web:import_export", args=[kind])).status_code == 404


def test_unknown_or_listless_kind_is_404(client, world):
    signed_in(client, "analyst")
    for kind in ("nonsense", "territories", "credit-memos"):
        assert client.get(f"/imports/export/{kind}.xlsx").status_code == 404


def test_link_is_on_the_lists_for_analyst_and_not_for_collector(client, world):
    signed_in(client, "analyst")
    for kind, page in LIST_KINDS.items():
        html = client.get(reverse(page)).content.decode()
        url = reverse("web:import_export", args=[kind])
        assert f'href="{url}" {LINK}' in html, kind
        assert "Export for re-import (.xlsx)" in html
        assert "The filters on this page do not apply." in html
    signed_in(client, "collector")
    html = client.get(reverse("web:customer_list")).content.decode()
    assert client.get(reverse("web:customer_list")).status_code == 200
    assert LINK not in html
    assert "Export for re-import" not in html
