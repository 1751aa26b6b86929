"""`revdesk commissions plans import|export` and `revdesk commissions schema`."""

import json

import pytest

from revdesk.cli import main
from revdesk.compensation.models import PlanVersion

pytestmark = pytest.mark.django_db

PLAN = """\
code: {code}
name: {name}
valid_from: 2026-01-01
currency: USD
components:
  - code: commission
    rate: {rate}
"""


def write(folder, filename, **values):
    path = folder / filename
    path.write_text(PLAN.format(**values), encoding="utf-8")
    return path


def test_import_is_all_or_nothing_and_lists_every_mistake(tmp_path, capsys):
    write(tmp_path, "a.yaml", code="field-rep", name="Field rep", rate="0.05")
    write(tmp_path, "b.yaml", code="service-rep", name="Service rep", rate="five")
    assert main(["commissions", "plans", "import", str(tmp_path)]) == 1
    out = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    assert (
        "b.yaml, line 7, components.0.rate: rate must be a number such as 0.05 or 1500.00, "
        "not 'five'" in out
    )
    assert "Nothing was saved: 1 problem(s)." in out
    assert not PlanVersion.objects.exists()


def test_import_then_export_gives_the_files_back(tmp_path, capsys):
    source = tmp_path / "in"
    source.mkdir()
    first = write(source, "a.yaml", code="field-rep", name="Field rep", rate="0.05")
    write(source, "b.yaml", code="REP-2026-HW", name="Hardware reps 2026", rate="0.04")
    assert main(["commissions", "plans", "import", str(source)]) == 0
    assert "2 plan version(s) saved, 0 already there unchanged." in capsys.readouterr().out
    assert main(["commissions", "plans", "import", str(first)]) == 0
    assert "0 plan version(s) saved, 1 already there unchanged." in capsys.readouterr().out
    out = tmp_path / "out"
    assert main(["commissions", "plans", "export", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["REP-2026-HW-v1.yaml", "field-rep-v1.yaml"]
    assert (out / "field-rep-v1.yaml").read_text() == first.read_text()


def test_the_schema_is_json_for_editors(tmp_path, capsys):
    assert main(["commissions", "schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "Revdesk commission plan"
    target = tmp_path / "plan.schema.json"
    assert main(["commissions", "schema", "--out", str(target)]) == 0
    assert json.loads(target.read_text()) == schema
