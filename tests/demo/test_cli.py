"""`revdesk demo --no-serve` and `revdesk serve`, end to end, against a temporary SQLite file.

The commands run in a subprocess with REVDESK_HOME in a temporary directory and DATABASE_URL
unset, exactly as a person would run them (pytest-django's test database is not involved).
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.utils import timezone

from revdesk.demo import data


@pytest.fixture
def home(tmp_path):
    return tmp_path / "var"


def _run(home, *args, timeout=180, columns="200"):
    env = {
        key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "COLUMNS")
    }
    env.update(REVDESK_HOME=str(home), DJANGO_SETTINGS_MODULE="revdesk.settings")
    if columns:
        env["COLUMNS"] = columns
    return subprocess.run(
        [sys.executable, "-m", "revdesk.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_demo_builds_reuses_and_resets(home):
    built = _run(
        home, "demo", "--no-serve", "--scale", "0.04", "--seed", "5", "--as-of", "2026-11-29"
    )
    assert built.returncode == 0, built.stderr
    assert (home / "revdesk.sqlite3").exists()
    out = built.stdout
    assert (
        "Building Halden Power & Networks: 20 customers, seed 5, a year of history ending on "
        "29 November 2026." in out
    )
    assert f"Demo logins, one per role (password for all: {data.DEMO_PASSWORD})" in out
    assert "what they see on 29 November 2026" in out
    for username in ("admin", "ops", "analyst", "lead", "collector2", "manager", "rep"):
        assert f"│ {username} " in out
    assert "│ distributor " in out
    assert "their portfolio: " in out
    assert "5 more collectors (" in out
    assert "Run `revdesk serve`, then open http://127.0.0.1:8000/ and sign in" in out
    assert "http://127.0.0.1:8000/api/docs; create a token with `revdesk token create USER`" in out
    assert (
        "Import your own data with `revdesk import KIND FILE` (see docs/guide/importing.md)" in out
    )
    # Progress bars count what they name: the two login stages add up to every user.
    assert "Sales people, distributors, collectors" in out
    assert "72/72" in out  # 44 sales people, 20 distributors, 8 collectors
    assert "Logins for the other roles" in out
    assert "7/7" in out
    assert "Cases and their timelines" in out

    again = _run(home, "demo", "--no-serve", "--json")
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert summary["built"] is False
    assert summary["as_of"] == "2026-11-29"
    assert summary["counts"]["Customer"] == 20
    assert summary["counts"]["User"] == 10 + len(summary["more_collectors"]) == 15
    assert summary["password"] == data.DEMO_PASSWORD
    assert [login["username"] for login in summary["logins"]] == [
        "admin",
        "ops",
        "analyst",
        "leader",
        "lead",
        "collector",
        "collector2",
        "manager",
        "rep",
        "distributor",
    ]
    invoices = summary["counts"]["Invoice"]

    # Another process (another hash seed), another database file, the same seed and date: the
    # same data.
    elsewhere = _run(
        home.parent / "elsewhere",
        *("demo", "--no-serve", "--json", "--scale", "0.04", "--seed", "5"),
        *("--as-of", "2026-11-29"),
    )
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert json.loads(elsewhere.stdout)["built"] is True
    assert json.loads(elsewhere.stdout)["fingerprint"] == summary["fingerprint"]

    plain = _run(home, "demo", "--no-serve", columns=None)  # not a terminal, no COLUMNS
    assert (
        "Reusing the demo company built for 29 November 2026 with seed 5 (20 customers, "
        in plain.stdout
    )
    assert "Use --reset to rebuild it." in plain.stdout
    # 120 columns when not on a terminal: each login stays on one line of the table.
    lines = plain.stdout.splitlines()
    assert max(len(line) for line in lines) <= 120
    for username in ("lead", "collector", "rep", "manager", "distributor"):
        (row,) = [line for line in lines if line.startswith(f"│ {username} ")]
        assert row.rstrip().endswith("│")
        assert any(word in row for word in ("invoices", "this year"))

    rebuilt = _run(home, "demo", "--no-serve", "--json", "--reset", "--scale", "0.04")
    assert rebuilt.returncode == 0, rebuilt.stderr
    summary = json.loads(rebuilt.stdout)
    assert summary["built"] is True
    assert summary["seed"] == 2026
    assert summary["as_of"] == timezone.localdate().isoformat()  # the web app's today
    assert summary["counts"]["Customer"] == 20
    assert summary["counts"]["User"] == 15
    assert summary["counts"]["Invoice"] != invoices  # another seed, another year
    assert summary["fingerprint"] != json.loads(elsewhere.stdout)["fingerprint"]


def test_demo_refuses_a_bad_date(home):
    result = _run(home, "demo", "--no-serve", "--as-of", "29/11/2026")
    assert result.returncode == 2
    assert (
        "--as-of wants a date written YYYY-MM-DD such as 2026-11-29, got '29/11/2026'"
        in result.stderr
    )
    assert not (home / "revdesk.sqlite3").exists()


def test_demo_refuses_a_bad_scale(home):
    result = _run(home, "demo", "--no-serve", "--scale", "0")
    assert result.returncode == 2
    assert "--scale must be more than 0, got '0'" in result.stderr
    assert not (home / "revdesk.sqlite3").exists()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_on_the_port(home):
    assert _run(home, "migrate").returncode == 0
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(REVDESK_HOME=str(home), DJANGO_SETTINGS_MODULE="revdesk.settings")
    server = subprocess.Popen(
        [sys.executable, "-m", "revdesk.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        status = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=10) as page:
                    status = page.status
                    body = page.read().decode()
                break
            # Not listening yet, or (on a busy machine) slow to answer its first request.
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        assert status == 200
        assert "csrfmiddlewaretoken" in body
        static = f"http://127.0.0.1:{port}/static/admin/css/base.css"
        with urllib.request.urlopen(static, timeout=5) as css:  # whitenoise
            assert css.status == 200
            assert css.headers["Content-Type"].startswith("text/css")
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=10)
    assert f"Revdesk is at http://127.0.0.1:{port}/" in out
    assert "Case clocks ticking every 5 minutes (process " in out


def test_serve_refuses_a_database_that_is_not_migrated(home):
    result = _run(home, "serve", "--port", str(_free_port()))
    assert result.returncode == 1
    assert "The database is not up to date: run `revdesk migrate`" in result.stdout
