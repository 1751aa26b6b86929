# ruff: noqa: F811  (the run fixtures are imported from test_runs)
"""REVDESK_COMPANY_NAME names the company on commission statements (default Revdesk; read
from the environment: tests/foundation/test_settings.py)."""

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from revdesk.compensation.runs import run_create
from revdesk.compensation.statements import statement_build, statement_pdf, statement_xlsx

from .test_runs import march, plan  # noqa: F401  (the fixtures)


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
