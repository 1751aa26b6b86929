"""The IMAP reader against a real IMAP server: Debian's dovecot, started for the test with a
configuration of its own (plain IMAP on a free local port, one user in a password file).

Where dovecot is not installed (`apt-get install -y dovecot-imapd`) these tests skip saying
so, unless REVDESK_REQUIRE_IMAP=1 (as in .ci/run), where they fail instead.
"""

from __future__ import annotations

import datetime as dt
import grp
import imaplib
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from revdesk.cases import mail
from revdesk.cases.models import EmailMessage, Inbox

CORPUS = Path(__file__).parent / "mail"
NOW = dt.datetime(2025, 12, 10, 15, 0, tzinfo=dt.UTC)
DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
PASSWORD = "imap-test-secret"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _users() -> tuple[str, str, str]:
    """(login user, internal user, mail user): dovecot's own users when run as root (it
    refuses to give mail access as root), else the current user for all three."""
    if os.geteuid() == 0:
        return "dovenull", "dovecot", "dovecot"
    me = pwd.getpwuid(os.geteuid()).pw_name
    return me, me, me


@pytest.fixture
def imap_server():
    if not Path(DOVECOT).exists():
        reason = "dovecot is not installed (apt-get install -y dovecot-imapd)"
        if os.environ.get("REVDESK_REQUIRE_IMAP") == "1":
            pytest.fail(f"{reason} -- REVDESK_REQUIRE_IMAP=1 forbids skipping the IMAP tests.")
        pytest.skip(f"{reason}: the IMAP reader is tested against a real server only")
    # Not pytest's tmp_path: its parents are private to the test user, and dovecot's mail
    # process runs as dovecot's own user when the tests run as root.
    root = Path(tempfile.mkdtemp(prefix="revdesk-imap-"))
    root.chmod(0o755)
    login_user, internal_user, mail_user = _users()
    home = root / "home"
    home.mkdir()
    account = pwd.getpwnam(mail_user)
    os.chown(home, account.pw_uid, account.pw_gid)
    (root / "passwd").write_text(f"inbox:{{PLAIN}}{PASSWORD}\n")
    port = _free_port()
    chroot = "" if os.geteuid() == 0 else "  chroot =\n"
    (root / "dovecot.conf").write_text(
        f"""base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = {account.pw_uid}
last_valid_uid = {account.pw_uid}
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {grp.getgrgid(pwd.getpwnam(internal_user).pw_gid).gr_name}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={account.pw_uid} gid={account.pw_gid} home={home}/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
{chroot}  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""
    )
    server = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log = (
                        (root / "dovecot.log").read_text()
                        if (root / "dovecot.log").exists()
                        else ""
                    )
                    pytest.fail(f"dovecot did not start: {server.stderr.read().decode()} {log}")
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(root, ignore_errors=True)


def _append(port: int, *names: str, seen: bool = False) -> None:
    conn = imaplib.IMAP4("127.0.0.1", port)
    conn.login("inbox", PASSWORD)
    for name in names:
        status, _ = conn.append(
            "INBOX", "(\\Seen)" if seen else None, None, (CORPUS / name).read_bytes()
        )
        assert status == "OK"
    conn.logout()


def _unseen(port: int) -> list[bytes]:
    conn = imaplib.IMAP4("127.0.0.1", port)
    conn.login("inbox", PASSWORD)
    conn.select("INBOX")
    _, data = conn.uid("SEARCH", None, "UNSEEN")
    conn.logout()
    return data[0].split()


@pytest.fixture
def inbox(world, teams, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setenv("REVDESK_TEST_IMAP_PASSWORD", PASSWORD)
    return Inbox.objects.create(
        name="collections",
        team=teams["collections"],
        address="collections@revdesk.example",
        kind=Inbox.Kind.IMAP,
        host="127.0.0.1",
        port=1,
        use_ssl=False,
        username="inbox",
        password_env="REVDESK_TEST_IMAP_PASSWORD",
    )


def test_unseen_mail_is_read_into_cases_and_marked_seen(imap_server, inbox):
    Inbox.objects.filter(pk=inbox.pk).update(port=imap_server)
    inbox.refresh_from_db()
    _append(imap_server, "05-case-number-in-subject.eml", seen=True)  # read by a person
    _append(imap_server, "01-short-paid.eml", "03-references-only.eml", "12-no-message-id.eml")

    summary = mail.inbox_read(inbox, now=NOW)

    assert summary.error == ""
    assert [(r.outcome, r.subject) for r in summary.results] == [
        ("new", "Short paid invoice INV-1"),
        ("threaded", "Re: Short paid invoice INV-1"),
        ("new", "Question about my account"),
    ]
    assert _unseen(imap_server) == []
    sources = list(EmailMessage.objects.order_by("pk").values_list("source", flat=True))
    assert [s.rsplit(";", 1)[1] for s in sources] == ["UID=2", "UID=3", "UID=4"]
    assert sources[0].startswith(f"imap://127.0.0.1:{imap_server}/INBOX;UIDVALIDITY=")
    assert set(EmailMessage.objects.values_list("inbox", flat=True)) == {inbox.pk}
    assert EmailMessage.objects.get(message_id="<20251201091200.1001@acme.example>").raw == (
        (CORPUS / "01-short-paid.eml").read_bytes()
    )

    # Nothing unseen: nothing read. A new message: only it.
    assert mail.inbox_read(inbox, now=NOW).results == []
    _append(imap_server, "17-rejected-order-domain.eml")
    again = mail.inbox_read(inbox, now=NOW)
    assert [r.outcome for r in again.results] == ["new"]


def test_the_command_reads_the_inbox(imap_server, inbox, capsys):
    from revdesk.cli import main

    Inbox.objects.filter(pk=inbox.pk).update(port=imap_server)
    _append(imap_server, "01-short-paid.eml", "16-duplicate-of-01.eml")
    assert main(["cases", "inbox", "read", "collections", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["new_cases"], data["duplicates_skipped"], data["error"]) == (1, 1, "")
    assert _unseen(imap_server) == []


def test_a_wrong_password_is_said_plainly(imap_server, inbox, monkeypatch):
    Inbox.objects.filter(pk=inbox.pk).update(port=imap_server)
    inbox.refresh_from_db()
    monkeypatch.setenv("REVDESK_TEST_IMAP_PASSWORD", "wrong")
    summary = mail.inbox_read(inbox, now=NOW)
    assert not summary.ok
    assert summary.error.startswith(
        f"Inbox collections: the IMAP server at 127.0.0.1:{imap_server} refused the login of "
        "'inbox': "
    )


def test_an_unreachable_server_and_a_missing_password_are_said_plainly(inbox, monkeypatch):
    port = _free_port()
    Inbox.objects.filter(pk=inbox.pk).update(port=port)
    inbox.refresh_from_db()
    summary = mail.inbox_read(inbox, now=NOW)
    assert summary.error.startswith(
        f"Inbox collections: could not connect to the IMAP server at 127.0.0.1:{port}: "
    )
    monkeypatch.delenv("REVDESK_TEST_IMAP_PASSWORD")
    assert mail.inbox_read(inbox, now=NOW).error == (
        "Inbox collections: the environment variable REVDESK_TEST_IMAP_PASSWORD (its IMAP "
        "password) is not set."
    )
