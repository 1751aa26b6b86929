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
