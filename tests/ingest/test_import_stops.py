"""An import that stops for a reason not in the file: nothing saved, the run failed with a plain
message, the error raised again (the command line prints one line and exits 1). And uploads:
the run is handed to the worker only once committed, and no file is kept without a run."""

import argparse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.test import TestCase

from revdesk.ingest import importer
from revdesk.ingest.commands import _import as command_import
from revdesk.ingest.importer import file_import
from revdesk.ingest.models import ImportRun
from revdesk.ingest.services import import_run_execute, import_run_queue
from revdesk.receivables import services as receivables_services
from revdesk.receivables.models import Invoice

from .conftest import database_state

INVOICES = "number,customer_code,issued_on,due_on,currency,amount,tax_amount\n"
ONE_INVOICE = INVOICES + "INV-A,C-1000,2026-01-05,2026-02-04,USD,100.00,0\n"


def _refresh_raises(error):
    def refresh(**kwargs):
        raise error

    return refresh


def _run_outcome():
    run = ImportRun.objects.get()
    return (
        run.status,
        run.finished_at is not None,
        run.created,
        run.updated,
        run.unchanged,
        run.error_count,
        run.errors,
    )


def test_a_crash_during_the_load_fails_the_run_saves_nothing_and_raises(world, write, monkeypatch):
    # the reviewer's probe: a service raising mid-load left the run "running" forever
    before = database_state()
    monkeypatch.setattr(
        receivables_services, "invoice_balances_refresh", _refresh_raises(RuntimeError("db down"))
    )
    with pytest.raises(RuntimeError, match="db down"):
        file_import(kind="invoices", path=write("i.csv", ONE_INVOICE))
    assert _run_outcome() == (
        "failed",
        True,
        0,
        0,
        0,
        1,
        [
            {
                "line": None,
                "column": "",
                "value": "",
                "expected": "Revdesk stopped while importing i.csv (RuntimeError: db down). "
                "Nothing from this file was saved. This is a fault in Revdesk, not in your "
                "file: tell your administrator.",
                "severity": "error",
            }
        ],
    )
    assert database_state() == before


def test_a_database_error_during_the_load_says_the_database_refused(world, write, monkeypatch):
    before = database_state()
    monkeypatch.setattr(
        receivables_services,
        "invoice_balances_refresh",
        _refresh_raises(IntegrityError("UNIQUE constraint failed: receivables_invoice.number")),
    )
    with pytest.raises(IntegrityError):
        file_import(kind="invoices", path=write("i.csv", ONE_INVOICE))
    assert _run_outcome()[:6] == ("failed", True, 0, 0, 0, 1)
    assert ImportRun.objects.get().errors[0]["expected"] == (
        "The database refused to save i.csv (IntegrityError: UNIQUE constraint failed: "
        "receivables_invoice.number). Nothing from this file was saved. Try again; if it "
        "happens again, tell your administrator."
    )
    assert database_state() == before


def test_the_runs_final_state_commits_with_the_rows_or_not_at_all(world, write, monkeypatch):
    # recording the outcome is part of the load's transaction: if it fails, the rows go too
    before = database_state()
    real_finish = importer.import_run_finish

    def finish(*, run, result):
        real_finish(run=run, result=result)
        assert Invoice.objects.filter(number="INV-A").exists()  # inside the load
        raise IntegrityError("could not save the run")

    monkeypatch.setattr(importer, "import_run_finish", finish)
    with pytest.raises(IntegrityError):
        file_import(kind="invoices", path=write("i.csv", ONE_INVOICE))
    assert _run_outcome()[:6] == ("failed", True, 0, 0, 0, 1)
    assert database_state() == before


def test_a_file_problem_or_bad_rows_still_finish_as_a_failed_run_without_raising(world, write):
    result = file_import(kind="invoices", path=write("i.csv", ""))
    assert (result.status, [p.expected for p in result.errors]) == (
        "failed",
        ["i.csv is empty: it has no header row and no data."],
    )
    assert ImportRun.objects.get().status == "failed"


def _args(path, **overrides):
    values = {
        "kind": "invoices",
        "file": str(path),
        "profile": None,
        "dry_run": False,
        "json": False,
        "encoding": None,
        "sheet": None,
        "report": None,
        "user": None,
    }
    values.update(overrides)
    return argparse.Namespace(**values)


def test_the_command_prints_one_line_and_exits_1_on_a_database_error(
    world, write, monkeypatch, capsys
):
    monkeypatch.setattr(
        receivables_services,
        "invoice_balances_refresh",
        _refresh_raises(IntegrityError("NOT NULL constraint failed: x")),
    )
    assert command_import(_args(write("i.csv", ONE_INVOICE))) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "The database refused to save i.csv (IntegrityError: NOT NULL constraint failed: x). "
        "Nothing from this file was saved. Try again; if it happens again, tell your "
        "administrator.\n"
    )
    assert ImportRun.objects.get().status == "failed"


def test_the_command_lets_a_programming_error_raise(world, write, monkeypatch):
    monkeypatch.setattr(
        receivables_services, "invoice_balances_refresh", _refresh_raises(KeyError("oops"))
    )
    with pytest.raises(KeyError):
        command_import(_args(write("i.csv", ONE_INVOICE)))
    assert ImportRun.objects.get().status == "failed"


# uploads -------------------------------------------------------------------------------------


@pytest.fixture
def uploads(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.REVDESK_UPLOADS = tmp_path / "uploads"
    return settings.REVDESK_UPLOADS


def test_an_upload_is_handed_to_the_worker_only_once_committed(world, uploads):
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        run = import_run_queue(
            kind="invoices",
            upload=SimpleUploadedFile("i.csv", ONE_INVOICE.encode()),
            actor=world.users["ops"],
        )
        run.refresh_from_db()
        assert run.status == "queued"  # not run yet: its transaction has not committed
    assert len(callbacks) == 1
    callbacks[0]()
    run.refresh_from_db()
    assert (run.status, run.created, run.upload) == ("succeeded", 1, "")
    assert list(uploads.iterdir()) == []


def test_no_file_is_kept_when_the_run_cannot_be_recorded(world, uploads, monkeypatch):
    def refuse(**kwargs):
        raise IntegrityError("database is locked")

    monkeypatch.setattr(ImportRun.objects, "create", refuse)
    with pytest.raises(IntegrityError):
        import_run_queue(
            kind="invoices",
            upload=SimpleUploadedFile("i.csv", ONE_INVOICE.encode()),
            actor=world.users["ops"],
        )
    assert list(uploads.iterdir()) == []


def test_a_worker_keeps_the_importers_own_failure_message(world, uploads, monkeypatch):
    monkeypatch.setattr(
        receivables_services, "invoice_balances_refresh", _refresh_raises(RuntimeError("db down"))
    )
    with TestCase.captureOnCommitCallbacks(execute=False):
        run = import_run_queue(
            kind="invoices",
            upload=SimpleUploadedFile("i.csv", ONE_INVOICE.encode()),
            actor=world.users["ops"],
        )
    run = import_run_execute(run_id=run.pk)
    assert (run.status, run.upload, run.error_count) == ("failed", "", 1)
    assert run.errors[0]["expected"] == (
        "Revdesk stopped while importing i.csv (RuntimeError: db down). Nothing from this file "
        "was saved. This is a fault in Revdesk, not in your file: tell your administrator."
    )
    assert list(uploads.iterdir()) == []
    assert Invoice.objects.count() == 0
