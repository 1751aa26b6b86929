"""Where incoming mail comes from: a Maildir, a plain folder of .eml files, one .eml file, or
an IMAP mailbox. Each reader yields `MailItem`s; `done()` marks one as processed (IMAP: the
\\Seen flag; Maildir read as an inbox: moved to cur/ with the S flag) and is called only once
the message is safely on a case.
"""

from __future__ import annotations

import imaplib
import os
import re
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path


class MailReadError(Exception):
    """The mailbox could not be read at all (not found, refused, wrong password...)."""


@dataclass
class MailItem:
    source: str
    raw: bytes
    done: Callable[[], None] | None = None


@dataclass
class MailBatch:
    """What a reader found: how many, and the items (read one at a time)."""

    total: int
    items: Iterator[MailItem]


def _is_maildir(path: Path) -> bool:
    return path.is_dir() and (path / "new").is_dir() and (path / "cur").is_dir()


def _maildir_seen(name: str) -> bool:
    _, sep, info = name.partition(":2,")
    return bool(sep) and "S" in info


def _maildir_mark(path: Path) -> Callable[[], None]:
    def done() -> None:
        if path.parent.name == "new":
            target = path.parent.parent / "cur" / f"{path.name}:2,S"
        else:
            base, _, info = path.name.partition(":2,")
            target = path.with_name(f"{base}:2,{''.join(sorted(set(info + 'S')))}")
        if path.exists() and path != target:
            path.rename(target)

    return done


def folder_batch(path: str | os.PathLike, *, mark: bool = False) -> MailBatch:
    """A Maildir (new/ and cur/), a folder of *.eml files, or one file.

    With `mark` (reading a configured inbox) a Maildir's messages already seen are skipped and
    each processed one is marked seen; a plain folder is read whole each time (messages
    already on a case are recognised by their Message-ID and skipped).
    """
    root = Path(path).expanduser()
    if not root.exists():
        raise MailReadError(
            f"{root} does not exist: give a Maildir, a folder of .eml files or an .eml file."
        )
    if root.is_file():
        files = [root]
    elif _is_maildir(root):
        files = sorted(
            p for p in (root / "new").iterdir() if p.is_file() and not p.name.startswith(".")
        )
        files += sorted(
            p
            for p in (root / "cur").iterdir()
            if p.is_file() and not p.name.startswith(".") and not (mark and _maildir_seen(p.name))
        )
    elif root.is_dir():
        files = sorted(p for p in root.iterdir() if p.is_file() and p.suffix.lower() == ".eml")
        if not files:
            raise MailReadError(
                f"{root} holds no .eml files and is not a Maildir (no new/ and cur/ folders)."
            )
    else:
        raise MailReadError(f"{root} is neither a file nor a folder.")
    maildir = root.is_dir() and _is_maildir(root)

    def items() -> Iterator[MailItem]:
        for file in files:
            try:
                raw = file.read_bytes()
            except OSError as error:
                raise MailReadError(f"{file} could not be read: {error.strerror}.") from error
            done = _maildir_mark(file) if (mark and maildir) else None
            yield MailItem(source=str(file), raw=raw, done=done)

    return MailBatch(total=len(files), items=items())


# --- IMAP -------------------------------------------------------------------------------

_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")


def imap_password(inbox) -> str:
    if not inbox.password_env:
        raise MailReadError(
            f"Inbox {inbox.name}: set 'password env' to the name of the environment variable "
            "holding the IMAP password."
        )
    password = os.environ.get(inbox.password_env)
    if password is None:
        raise MailReadError(
            f"Inbox {inbox.name}: the environment variable {inbox.password_env} (its IMAP "
            "password) is not set."
        )
    return password


@contextmanager
def imap_connect(inbox, *, timeout: float = 60):
    """A logged-in IMAP connection with the inbox's mailbox selected; always logged out."""
    where = f"{inbox.host}:{inbox.port}"
    if not inbox.host:
        raise MailReadError(f"Inbox {inbox.name} has no IMAP host.")
    password = imap_password(inbox)
    try:
        if inbox.use_ssl:
            conn = imaplib.IMAP4_SSL(
                inbox.host, inbox.port, ssl_context=ssl.create_default_context(), timeout=timeout
            )
        else:
            conn = imaplib.IMAP4(inbox.host, inbox.port, timeout=timeout)
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailReadError(
            f"Inbox {inbox.name}: could not connect to the IMAP server at {where}: {error}."
        ) from error
    try:
        try:
            conn.login(inbox.username, password)
        except imaplib.IMAP4.error as error:
            raise MailReadError(
                f"Inbox {inbox.name}: the IMAP server at {where} refused the login of "
                f"{inbox.username!r}: {_text(error)}."
            ) from error
        status, data = conn.select(_quoted(inbox.mailbox or "INBOX"))
        if status != "OK":
            raise MailReadError(
                f"Inbox {inbox.name}: the mailbox {inbox.mailbox!r} could not be opened on "
                f"{where}: {_text(data)}."
            )
        yield conn
    except (OSError, imaplib.IMAP4.abort) as error:
        raise MailReadError(
            f"Inbox {inbox.name}: the IMAP connection to {where} broke: {error}."
        ) from error
    finally:
        with suppress(Exception):  # the connection may already be gone
            conn.logout()


def _text(value) -> str:
    if isinstance(value, list | tuple):
        return " ".join(_text(v) for v in value if v)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _quoted(name: str) -> str:
    return name if re.fullmatch(r"[\w./-]+", name) else '"' + name.replace('"', '\\"') + '"'


def imap_batch(conn, inbox) -> MailBatch:
    """The UNSEEN messages of the selected mailbox, fetched one at a time without setting
    \\Seen (BODY.PEEK); `done()` sets it once the message is on a case."""
    status, data = conn.uid("SEARCH", None, "UNSEEN")
    if status != "OK":
        raise MailReadError(f"Inbox {inbox.name}: the IMAP search failed: {_text(data)}.")
    uids = [u for u in (data[0] or b"").split() if u]
    validity = ""
    response = conn.response("UIDVALIDITY")
    if response and response[1] and response[1][0]:
        validity = _text(response[1][0])
    host = f"{inbox.host}:{inbox.port}"

    def items() -> Iterator[MailItem]:
        for uid in uids:
            status, parts = conn.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts or [] if isinstance(p, tuple) and len(p) > 1), None)
            if status != "OK" or raw is None:
                raise MailReadError(
                    f"Inbox {inbox.name}: message UID {uid.decode()} could not be fetched: "
                    f"{_text(parts)}."
                )
            yield MailItem(
                source=f"imap://{host}/{inbox.mailbox};UIDVALIDITY={validity};UID={uid.decode()}",
                raw=raw,
                done=_imap_mark(conn, uid),
            )

    return MailBatch(total=len(uids), items=items())


def _imap_mark(conn, uid: bytes) -> Callable[[], None]:
    def done() -> None:
        conn.uid("STORE", uid, "+FLAGS", "(\\Seen)")

    return done
