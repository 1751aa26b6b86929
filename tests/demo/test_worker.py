"""`revdesk serve` starts a background worker beside waitress and stops it when it stops;
`revdesk worker --batch` runs what is queued. Real processes on a temporary SQLite file."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

QUEUE = """
from django.core.files.uploadedfile import SimpleUploadedFile
from revdesk.ingest.services import import_run_queue
from revdesk.parties.choices import Role
from revdesk.parties.services import user_create
ana = user_create(username="ana", password="a-long-passphrase-42", roles=[Role.ADMIN])
upload = SimpleUploadedFile("t.csv", b"code,name\\nUS-E,East\\nUS-W,West\\n")
print(import_run_queue(kind="territories", upload=upload, actor=ana).status)
"""
SHOW = """
from revdesk.ingest.models import ImportRun
print(list(ImportRun.objects.values_list("status", "created", "user_name", "upload")))
"""


def _env(home):
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(REVDESK_HOME=str(home), DJANGO_SETTINGS_MODULE="revdesk.settings")
    env.pop("REVDESK_TASKS_BACKEND", None)
    return env


def _run(home, *args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "revdesk.cli", *args],
        env=_env(home),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_worker_batch_runs_a_queued_upload(tmp_path):
    home = tmp_path / "var"
    _run(home, "migrate")
    assert _run(home, "manage", "shell", stdin=QUEUE).stdout.strip().endswith("queued")
    _run(home, "worker", "--batch")
    assert "[('succeeded', 2, 'ana', '')]" in _run(home, "manage", "shell", stdin=SHOW).stdout


def test_serve_starts_a_worker_and_stops_it(tmp_path):
    home = tmp_path / "var"
    _run(home, "migrate")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "revdesk.cli", "serve", "--port", str(port)],
        env=_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90  # generous: CI shares two cores
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2).close()
                break
            except OSError:
                time.sleep(0.3)
        _run(home, "manage", "shell", stdin=QUEUE)
        deadline = time.monotonic() + 90  # generous: CI shares two cores
        shown = ""
        while time.monotonic() < deadline and "succeeded" not in shown:
            time.sleep(0.5)
            shown = _run(home, "manage", "shell", stdin=SHOW).stdout
        assert "[('succeeded', 2, 'ana', '')]" in shown
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=40)
    worker = int(re.search(r"Background worker started \(process (\d+)\)", out).group(1))
    assert not _alive(worker)
    assert server.returncode == 0
