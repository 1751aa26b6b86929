"""Reading one e-mail as sent, whatever shape it is in: headers, text, attachments, problems.

Nothing here raises on a bad message. Malformed headers, a missing From or Date, broken
MIME, HTML-only bodies, text in a charset other than the one declared, and bodies too big to
keep whole are all read as well as they can be, and each oddity is described in plain words
in `ParsedMail.problems` (shown on the case, never thrown at the reader).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage as StdMessage
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html import unescape
from html.parser import HTMLParser

from charset_normalizer import from_bytes

#: The most text kept on the case from one message; the raw message is always kept whole.
BODY_MAX_CHARS = 200_000
MESSAGE_ID_MAX = 300
_MESSAGE_IDS = re.compile(r"<[^<>\s]{1,295}>")
#: Single-byte Western code pages charset-normalizer may name for Windows-1252 text.
_WESTERN = re.compile(
    r"^(cp125[0247]|cp775|cp85[02]|cp858|cp437|latin_1|iso8859_(1|2|3|4|9|10|13|14|15|16)"
    r"|mac_(roman|latin2|iceland)|hp_roman8)$"
)
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")

#: Defects the stdlib reports, in words for the person reading the case.
DEFECT_WORDS = {
    "MissingHeaderBodySeparatorDefect": "a header line was not a header (the headers end badly)",
    "InvalidHeaderDefect": "a header could not be read",
    "HeaderMissingRequiredValue": "a header had no value",
    "NoBoundaryInMultipartDefect": "the MIME parts have no boundary",
    "StartBoundaryNotFoundDefect": "the first MIME part is missing",
    "CloseBoundaryNotFoundDefect": "the last MIME part is not closed (the message may be cut)",
    "MultipartInvariantViolationDefect": "the message says it has parts but has none",
    "InvalidBase64PaddingDefect": "an attachment or text in base64 is badly padded",
    "InvalidBase64CharactersDefect": "an attachment or text in base64 has stray characters",
    "InvalidBase64LengthDefect": "an attachment or text in base64 is cut short",
    "MisplacedEnvelopeHeaderDefect": "a 'From ' mailbox line is inside the headers",
    "MissingContentTypeBoundaryDefect": "the MIME parts have no boundary",
    "NonASCIIHeaderDefect": "a header holds characters that are not encoded",
    "InvalidDateDefect": "the Date header could not be read",
    "ObsoleteHeaderDefect": "a header uses an obsolete form",
    "NonPrintableDefect": "a header holds unprintable characters",
    "UndecodableBytesDefect": "a header holds bytes in an unknown character set",
}


@dataclass
class MailAttachment:
    name: str
    data: bytes
    content_type: str


@dataclass
class ParsedMail:
    message_id: str
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    subject: str = ""
    from_address: str = ""
    from_name: str = ""
    reply_to: str = ""
    to: str = ""
    cc: str = ""
    date: dt.datetime | None = None
    body_text: str = ""
    attachments: list[MailAttachment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    is_synthetic_id: bool = False
    is_automatic: bool = False  # an out-of-office or other automatic answer (RFC 3834)

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this one answers, nearest first (In-Reply-To, then References newest
        first), without repeats."""
        seen: list[str] = []
        for mid in [self.in_reply_to, *reversed(self.references)]:
            if mid and mid not in seen:
                seen.append(mid)
        return seen


def synthetic_message_id(raw: bytes) -> str:
    """A stable Message-ID for a message that has none: the same bytes give the same id."""
    return f"<{hashlib.sha256(raw).hexdigest()[:40]}@revdesk.invalid>"


def _message_ids(value: str) -> list[str]:
    return _MESSAGE_IDS.findall(value or "")


def _one_line(value: str) -> str:
    return " ".join(str(value).split())


# --- headers ----------------------------------------------------------------------------


def _header(msg: Message, name: str, problems: list[str]) -> str:
    """A header decoded (RFC 2047), or its raw text when the modern parser chokes on it."""
    try:
        value = msg.get(name)
        if value is None:
            return ""
        return _one_line(str(value))
    except Exception:
        raw = _raw_header(msg, name)
        problems.append(f"The {name} header could not be read properly: {raw[:120]!r}.")
        try:
            return _one_line(str(make_header(decode_header(raw))))
        except Exception:
            return _one_line(raw)


def _is_automatic(msg: Message) -> bool:
    """Auto-Submitted other than "no" (RFC 3834), or the older autoresponder headers."""
    submitted = _one_line(_raw_header(msg, "Auto-Submitted")).lower()
    if submitted and not submitted.startswith("no"):
        return True
    return bool(_raw_header(msg, "X-Autoreply") or _raw_header(msg, "X-Autorespond"))


def _raw_header(msg: Message, name: str) -> str:
    for key, value in msg.raw_items() if hasattr(msg, "raw_items") else msg.items():
        if key.lower() == name.lower():
            return str(value)
    return ""


def _address_list(msg: Message, name: str, problems: list[str]) -> list[tuple[str, str]]:
    try:
        header = msg.get(name)
        if header is None:
            return []
        found = [(a.display_name, a.addr_spec) for a in header.addresses if a.addr_spec]
        if found or not str(header).strip():
            return found
    except Exception:
        pass
    raw = _raw_header(msg, name)
    found = [(n, a) for n, a in getaddresses([raw]) if "@" in a]
    if not found:
        found = [("", a) for a in _ADDRESS.findall(raw)]
    if raw.strip():
        problems.append(f"The {name} header was not well formed: {_one_line(raw)[:120]!r}.")
    return found


def _date(msg: Message, problems: list[str]) -> dt.datetime | None:
    raw = _one_line(_raw_header(msg, "Date"))
    if not raw:
        problems.append("The message has no Date; the time it was read is used.")
        return None
    try:
        value = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        value = None
    if value is None:
        problems.append(
            f"The Date header {raw[:60]!r} could not be read; the time it was read is used."
        )
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


# --- text -------------------------------------------------------------------------------


def decode_text(payload: bytes, declared: str | None) -> tuple[str, str | None]:
    """(text, problem or None). The declared charset when the bytes really are in it;
    otherwise charset-normalizer's best guess; as a last resort UTF-8 with replacements."""
    declared = (declared or "").strip().strip('"').lower() or None
    if declared:
        try:
            return payload.decode(declared), None
        except LookupError:
            problem = f"The text declared an unknown character set {declared!r}"
        except UnicodeDecodeError:
            problem = f"The text said it was {declared} but was not"
    else:
        try:
            return payload.decode("ascii"), None
        except UnicodeDecodeError:
            problem = "The text did not say its character set"
    best = from_bytes(payload).best()
    if best is not None and _WESTERN.match(best.encoding):
        # On short texts the guess wavers between Western code pages that differ in a few
        # letters; Windows-1252 is what mislabelled mail nearly always is.
        try:
            return payload.decode("cp1252"), f"{problem}; it was read as Windows-1252."
        except UnicodeDecodeError:
            pass
    if best is not None:
        return str(best), f"{problem}; it was read as {best.encoding}."
    return payload.decode("utf-8", errors="replace"), (
        f"{problem}; unreadable characters are shown as \N{REPLACEMENT CHARACTER}."
    )


class _TextFromHtml(HTMLParser):
    """Readable text from HTML: no scripts, styles or head; blocks on their own lines."""

    SKIP = {"script", "style", "head", "title", "template", "noscript", "svg", "object"}
    BLOCK = {
        "p", "div", "section", "article", "header", "footer", "blockquote", "pre", "table",
        "tr", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "address", "form",
    }  # fmt: skip

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("td", "th"):
            self.parts.append("\t")
        elif tag in self.BLOCK:
            self.parts.append("\n\n")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt and not self.skipping:
                self.parts.append(f"[{alt}]")

    def handle_startendtag(self, tag, attrs):
        if tag not in self.SKIP:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCK or tag == "li":
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        lines = [line.strip(" \t") for line in "".join(self.parts).splitlines()]
        joined = "\n".join(re.sub(r"[ \t]{2,}", " ", line) for line in lines)
        return re.sub(r"\n{3,}", "\n\n", joined).strip()


def html_to_text(html: str) -> str:
    parser = _TextFromHtml()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser is lenient; this is a last resort
        return unescape(re.sub(r"<[^>]*>", " ", html))
    return parser.text()


def _part_text(part: Message, problems: list[str]) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if payload is None:
        raw = part.get_payload()
        payload = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
    charset = part.get_param("charset")
    if isinstance(charset, tuple):  # RFC 2231 form
        charset = charset[2]
    text, problem = decode_text(payload, str(charset) if charset else None)
    if problem:
        problems.append(problem)
    if part.get_content_subtype() == "html":
        text = html_to_text(text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- structure --------------------------------------------------------------------------


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name:
        try:
            return _one_line(str(make_header(decode_header(name))))
        except Exception:
            return _one_line(name)
    return ""


def _is_attachment(part: Message) -> bool:
    disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    return disposition == "attachment" or bool(_filename(part))


def _default_name(part: Message, index: int) -> str:
    ctype = part.get_content_type()
    ext = {"message/rfc822": ".eml", "text/plain": ".txt"}.get(ctype) or (
        mimetypes.guess_extension(ctype) or ".bin"
    )
    return f"attachment-{index}{ext}"


def _leaves(part: Message):
    """Every leaf part, depth first; a forwarded message (message/rfc822) is one leaf."""
    if part.get_content_maintype() == "message" and part.get_content_subtype() == "rfc822":
        yield part
        return
    if part.is_multipart():
        for sub in part.get_payload() or []:
            if isinstance(sub, Message):
                yield from _leaves(sub)
        return
    yield part


def _attached_message_bytes(part: Message) -> bytes:
    inner = part.get_payload()
    if isinstance(inner, list) and inner:
        try:
            return inner[0].as_bytes(policy=policy.SMTP.clone(max_line_length=0))
        except Exception:
            return str(inner[0]).encode("utf-8", "replace")
    raw = part.get_payload(decode=True)
    return raw or b""


def _body_parts(msg: StdMessage) -> list[Message]:
    """The parts that make up the text: get_body()'s choice (plain before HTML), else every
    inline text part."""
    try:
        body = msg.get_body(preferencelist=("plain", "html"))
    except Exception:
        body = None
    if body is not None:
        return [body]
    return [
        p for p in _leaves(msg) if p.get_content_maintype() == "text" and not _is_attachment(p)
    ][:1]


def _alternatives_of(msg: Message, chosen: Message) -> set[int]:
    """The other versions of the chosen text in its multipart/alternative (not attachments)."""
    found: set[int] = set()
    for part in msg.walk():
        if part.get_content_type() == "multipart/alternative":
            subs = part.get_payload() or []
            if any(s is chosen for s in subs):
                found |= {id(s) for s in subs if not _is_attachment(s)}
                for sub in subs:
                    if isinstance(sub, Message) and sub.is_multipart():
                        found |= {id(p) for p in _leaves(sub) if not _is_attachment(p)}
    return found


def _defects(msg: Message) -> list[str]:
    words: list[str] = []
    for part in msg.walk():
        for defect in getattr(part, "defects", []):
            name = type(defect).__name__
            text = DEFECT_WORDS.get(name, name.removesuffix("Defect"))
            if text not in words:
                words.append(text)
    return [f"The message is not well formed: {w}." for w in words]


def mail_parse(raw: bytes) -> ParsedMail:
    """Read raw RFC 5322 bytes. Never raises: what could not be read is in `problems`."""
    try:
        return _parse(raw)
    except Exception as error:  # a last resort: keep the text, say what happened
        text, _ = decode_text(raw[: BODY_MAX_CHARS * 2], None)
        return ParsedMail(
            message_id=synthetic_message_id(raw),
            is_synthetic_id=True,
            body_text=text[:BODY_MAX_CHARS],
            problems=[
                f"The message could not be read as e-mail ({error}); its raw text is "
                "kept as the body."
            ],
        )


def _parse(raw: bytes) -> ParsedMail:
    msg: StdMessage = BytesParser(policy=policy.default).parsebytes(raw)
    problems: list[str] = []

    ids = _message_ids(_raw_header(msg, "Message-ID"))
    if ids and len(ids[0]) <= MESSAGE_ID_MAX:
        message_id, synthetic = ids[0], False
    else:
        message_id, synthetic = synthetic_message_id(raw), True
        problems.append("The message has no Message-ID; Revdesk gave it one from its content.")
    in_reply_to = next(iter(_message_ids(_raw_header(msg, "In-Reply-To"))), "")
    references = _message_ids(_raw_header(msg, "References"))[-50:]

    subject = _header(msg, "Subject", problems)[:500]
    senders = _address_list(msg, "From", problems)
    if not senders:
        fallback = _address_list(msg, "Sender", problems) or _address_list(
            msg, "Return-Path", problems
        )
        senders = fallback
        problems.append(
            "The message has no From address"
            + (f"; the sender is taken from {fallback[0][1]}." if fallback else ".")
        )
    from_name, from_address = senders[0] if senders else ("", "")
    reply_to = next(iter(_address_list(msg, "Reply-To", problems)), ("", ""))[1]
    to = ", ".join(a for _, a in _address_list(msg, "To", problems))
    cc = ", ".join(a for _, a in _address_list(msg, "Cc", problems))
    date = _date(msg, problems)

    body_parts = _body_parts(msg)
    skip = {id(p) for p in body_parts}
    for part in body_parts:
        skip |= _alternatives_of(msg, part)
    texts = [_part_text(p, problems) for p in body_parts]
    attachments: list[MailAttachment] = []
    for index, part in enumerate(_leaves(msg), start=1):
        if id(part) in skip:
            continue
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            data = _attached_message_bytes(part)
        elif part.get_content_maintype() == "text" and not _is_attachment(part):
            texts.append(_part_text(part, problems))  # more inline text: part of the body
            continue
        else:
            try:
                data = part.get_payload(decode=True) or b""
            except Exception:
                data = b""
        name = _filename(part) or _default_name(part, index)
        attachments.append(MailAttachment(name=name, data=data, content_type=ctype))
    body = "\n\n".join(t.strip() for t in texts if t.strip())
    if len(body) > BODY_MAX_CHARS:
        problems.append(
            f"The text is {len(body):,} characters long; the first {BODY_MAX_CHARS:,} are "
            "shown on the case and the whole message is kept as received."
        )
        body = body[:BODY_MAX_CHARS]
    if not body and not attachments:
        problems.append("The message has no text.")
    problems.extend(_defects(msg))
    return ParsedMail(
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=references,
        subject=subject,
        from_address=from_address.strip().lower()[:300],
        from_name=from_name.strip()[:200],
        reply_to=reply_to.strip().lower(),
        to=to,
        cc=cc,
        date=date,
        body_text=body,
        attachments=attachments,
        problems=_unique(problems),
        is_synthetic_id=synthetic,
        is_automatic=_is_automatic(msg),
    )


def _unique(items: list[str]) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def address_domain(address: str) -> str:
    return parseaddr(address)[1].rpartition("@")[2].lower()
