# ruff: noqa: F811  (the run fixtures are imported from test_runs)
"""REVDESK_COMPANY_NAME names the company on commission statements (default Revdesk)."""

import io
import os
import subprocess
import sys

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from revdesk.compensation.runs import run_create
from revdesk.compensation.statements import statement_build, statement_pdf, statement_xlsx

from .test_runs import march, plan  # noqa: F401  (the fixtures)

SHOW = (
    "import django; from django.conf import settings; django.setup(); "
    "print(repr(settings.REVDESK_COMPANY_NAME))"
)


def _setting(tmp_path, **env) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("REVDESK_")}
    clean.pop("DATABASE_URL", None)
    clean.update(DJANGO_SETTINGS_MODULE="revdesk.settings", REVDESK_HOME=str(tmp_path), **env)
    result = subprocess.run(
        [sys.executable, "-c", SHOW], env=clean, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_setting_is_read_from_the_environment(tmp_path):
    assert _setting(tmp_path) == "'Revdesk'"
    assert _setting(tmp_path, REVDESK_COMPANY_NAME="  ") == "'Revdesk'"
    assert _setting(tmp_path, REVDESK_COMPANY_NAME=" Acme Power & Co ") == "'Acme Power & Co'"


@pytest.mark.django_db
def test_statements_name_the_company_of_the_setting(march, world, settings):
    settings.REVDESK_COMPANY_NAME = "Halden Power & Networks"
    statement = statement_build(run_create("2026-03", actor=None), world.rep_east)
    assert statement.company == "Halden Power & Networks"
    reader = PdfReader(io.BytesIO(statement_pdf(statement)))
    assert reader.pages[0].extract_text().splitlines()[0] == "Halden Power & Networks"
    assert reader.metadata.author == "Halden Power & Networks"
    sheet = load_workbook(io.BytesIO(statement_xlsx(statement))).active
    assert ("Company", "Halden Power & Networks") in [
        row[:2] for row in sheet.iter_rows(values_only=True)
    ]


@pytest.mark.django_db
def test_statements_say_revdesk_when_the_setting_is_blank(march, world, settings):
    settings.REVDESK_COMPANY_NAME = ""
    statement = statement_build(run_create("2026-03", actor=None), world.rep_east)
    assert statement.company == "Revdesk"
