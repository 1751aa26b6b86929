"""The import/export commands as a person runs them: a subprocess on a temporary SQLite file."""

import os
import subprocess
import sys

import pytest


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    home = tmp_path_factory.mktemp("var")
    environment = {
        key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "COLUMNS")
    }
    environment.update(
        REVDESK_HOME=str(home), DJANGO_SETTINGS_MODULE="revdesk.settings", COLUMNS="200"
    )
    subprocess.run(
        [sys.executable, "-m", "revdesk.cli", "manage", "migrate", "-v", "0"],
        env=environment,
        check=True,
        timeout=180,
    )
    return environment


def _run(env, *args, **options):
    return subprocess.run(
        [sys.executable, "-m", "revdesk.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        **options,
    )


def test_export_into_a_closed_pipe_stops_quietly(env):
    # `revdesk export customers --format json | head -1`: the reader is gone before we write.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "revdesk.cli", "export", "customers", "--format", "json"],
            env=env,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (141, "")


def test_export_says_what_it_wrote_and_import_prints_no_blank_lines(env, tmp_path):
    source = tmp_path / "territories.csv"
    source.write_text("code,name\nT-1,East\nT-2,West\n", encoding="utf-8")
    loaded = _run(env, "import", "territories", str(source))
    assert (loaded.returncode, loaded.stderr) == (0, "")
    assert loaded.stdout == (
        "Imported territories.csv: 2 rows — 2 created, 0 updated, 0 unchanged.\n"
    )
    out = tmp_path / "out.csv"
    dumped = _run(env, "export", "territories", "--out", str(out))
    assert (dumped.returncode, dumped.stdout) == (0, "")
    assert dumped.stderr == f"Wrote 2 territories to {out}.\n"
    one = _run(env, "export", "territories", "--user", "nobody", "--out", str(out))
    assert one.stderr == "No user named 'nobody'.\n"


def test_help_describes_import_and_export(capsys):
    from revdesk.cli import main

    with pytest.raises(SystemExit):
        main(["import", "--help"])
    shown = capsys.readouterr().out
    assert "  revdesk import customers customers.csv --dry-run\n" in shown
    assert (
        "profiles shipped with Revdesk (--profile NAME):\n"
        "  oracle-receivables-invoices\n"
        "  sap-customer-master\n"
    ) in shown
    assert shown.endswith(
        "The columns of each kind, profiles and error reports: docs/guide/importing.md\n"
    )
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    shown = capsys.readouterr().out
    assert "\nWrite every row of one kind (or only what --user may see) as CSV, JSON or" in shown
    assert "file format (default: from the --out suffix, else csv)" in shown


def test_kind_nouns():
    from revdesk.ingest.commands import _kind_noun

    assert [_kind_noun(kind, 1) for kind in ("customers", "territories", "credit-memos")] == [
        "customer",
        "territory",
        "credit memo",
    ]
    assert _kind_noun("credit-memos", 3) == "credit memos"
