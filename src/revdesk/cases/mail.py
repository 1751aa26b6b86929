"""Team inboxes and outgoing mail: e-mail in becomes cases, replies go out from the case.

In: `message_receive(raw, ...)` puts one message on exactly one case, never losing it:
  1. the same Message-ID already kept (ours or received) -> skipped, nothing written;
  2. In-Reply-To / References naming a message kept on a case (received, or a reply we sent:
     our replies carry our own Message-IDs) -> that case;
  3. a case number in the subject (CASE-000123, [CASE-123], any case) -> that case;
  4. otherwise a new case, typed and linked by triage.py and routed as usual.
  What was wrong with the message (headers, charset, attachments refused) is kept on the
  message and written on the case as an internal note, never raised. `inbox_read` and
  `mail_load` read a configured inbox or a folder (mail_readers.py) and return a summary.

Out: `case_reply_send(case, ...)` sends through Django's e-mail backend (settings.EMAIL_*,
from REVDESK_SMTP_*), from the team's address, with the case number in the subject and
In-Reply-To/References to the last message received so the answer threads back.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import smtplib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.utils import format_datetime, formataddr, getaddresses, make_msgid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage as OutgoingMail
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.template import Context, Template, TemplateSyntaxError
from django.utils import timezone

from revdesk.parties.models import BillingContact, Customer

from . import routing, services, triage
from .attachments import AttachmentRefused, attachment_add
from .choices import DONE_STATUSES, Direction, EventKind, SendStatus, Source, Status, Visibility
from .mail_parse import ParsedMail, mail_parse
from .mail_readers import MailBatch, MailItem, MailReadError, folder_batch, imap_batch, imap_connect
from .models import Case, CaseType, EmailMessage, Inbox, MailTemplate, ReasonCode, Team

log = logging.getLogger(__name__)

CASE_NUMBER = re.compile(r"(?<![\w-])CASE-?0*(\d{1,9})(?!\d)", re.IGNORECASE)
REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg|tr|sv|vs|antw)\s*(\[\d+\])?\s*:\s*)+", re.I)
DESCRIPTION_MAX = 2000

NEW, THREADED, DUPLICATE, FAILED = "new", "threaded", "duplicate", "failed"

__all__ = [
    "MailReadError",
    "ReadSummary",
    "Received",
    "case_number_in",
    "case_reply_send",
    "inbox_read",
    "mail_load",
    "mail_template_render",
    "mail_templates_sync",
    "message_receive",
    "notification_email_send",
]


@dataclass
class Received:
    """What became of one message."""

    outcome: str  # new, threaded, duplicate or failed
    source: str
    message_id: str
    subject: str = ""
    sender: str = ""
    case_number: str = ""
    how: str = ""
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "outcome": self.outcome,
            "source": self.source,
            "message_id": self.message_id,
            "subject": self.subject,
            "sender": self.sender,
            "case": self.case_number,
            "how": self.how,
            "problems": self.problems,
        }


@dataclass
class ReadSummary:
    where: str
    results: list[Received] = field(default_factory=list)
    error: str = ""

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    @property
    def with_problems(self) -> list[Received]:
        return [r for r in self.results if r.problems]

    @property
    def ok(self) -> bool:
        return not self.error and not self.count(FAILED)

    def as_dict(self) -> dict:
        return {
            "where": self.where,
            "read": len(self.results),
            "new_cases": self.count(NEW),
            "threaded": self.count(THREADED),
            "duplicates_skipped": self.count(DUPLICATE),
            "failed": self.count(FAILED),
            "with_problems": len(self.with_problems),
            "error": self.error,
            "messages": [r.as_dict() for r in self.results],
        }


# --- threading --------------------------------------------------------------------------


def case_number_in(subject: str) -> list[str]:
    """Case numbers named in a subject, as stored (CASE-000123), in order."""
    return [f"CASE-{int(m.group(1)):06d}" for m in CASE_NUMBER.finditer(subject or "")]


def thread_find(parsed: ParsedMail) -> tuple[Case | None, str]:
    """(case, how) for a message that continues a case; (None, "") for a new one."""
    ids = parsed.thread_ids
    if ids:
        by_id = dict(
            EmailMessage.objects.filter(message_id__in=ids)
            .order_by("-time")
            .values_list("message_id", "case_id")
        )
        for mid in ids:
            if mid in by_id:
                how = "In-Reply-To" if mid == parsed.in_reply_to else "References"
                return Case.objects.get(pk=by_id[mid]), f"{how} {mid}"
    for number in case_number_in(parsed.subject):
        case = Case.objects.filter(number=number).first()
        if case is not None:
            return case, f"case number {number} in the subject"
    return None, ""


def _title(parsed: ParsedMail) -> str:
    title = REPLY_PREFIX.sub("", parsed.subject).strip()
    if title:
        return title[:200]
    who = parsed.from_name or parsed.from_address or "an unknown sender"
    return f"E-mail from {who} (no subject)"[:200]


def _sender_label(parsed: ParsedMail) -> str:
    if parsed.from_address:
        return formataddr((parsed.from_name, parsed.from_address))
    return parsed.from_name or "Unknown sender"


# --- receiving --------------------------------------------------------------------------


#: what other apps do with mail that opened a new case (e.g. receivables reads a remittance
#: advice): called inside the message's transaction as hook(case, parsed, now); cases cannot
#: import those apps, so they register here (from their AppConfig.ready()).
_received_hooks: list = []


def mail_received_hook_register(hook) -> None:
    if hook not in _received_hooks:
        _received_hooks.append(hook)


def message_receive(
    raw: bytes,
    *,
    inbox: Inbox | None = None,
    team: Team | None = None,
    source: str = "",
    now: dt.datetime | None = None,
) -> Received:
    """Put one raw message on exactly one case (see the module's docstring).

    `team` is the queue for mail no rule or keyword could place (defaults to the inbox's
    team). Never raises for a bad message: if processing fails, the message still lands on
    a new inquiry case with the error among its problems; only if even that fails is the
    outcome "failed" (and an IMAP message is left unseen, to be read again).
    """
    now = now or timezone.now()
    team = team or (inbox.team if inbox else None)
    parsed = mail_parse(raw)
    result = Received(
        outcome=NEW,
        source=source,
        message_id=parsed.message_id,
        subject=parsed.subject,
        sender=_sender_label(parsed),
        problems=list(parsed.problems),
    )
    if _already_kept(parsed, result):
        return result
    try:
        with transaction.atomic():
            _receive(parsed, raw, inbox=inbox, team=team, source=source, now=now, result=result)
        return result
    except IntegrityError:
        if _already_kept(parsed, result):  # read at the same moment by another reader
            return result
        error = "the database refused it"
    except Exception as exc:  # keep the message whatever went wrong; the error is shown
        log.exception("message %s from %s: processing failed", parsed.message_id, source)
        error = f"{type(exc).__name__}: {exc}"
    result.problems = [
        *parsed.problems,
        f"Revdesk could not process it normally ({error}); "
        "it was put on a new inquiry case to be looked at.",
    ]
    try:
        with transaction.atomic():
            _receive(
                parsed,
                raw,
                inbox=inbox,
                team=team,
                source=source,
                now=now,
                result=result,
                plain=True,
            )
    except Exception as exc:
        log.exception("message %s from %s: could not be kept", parsed.message_id, source)
        result.outcome = FAILED
        result.problems.append(f"It could not be kept either ({type(exc).__name__}: {exc}).")
    return result


def _already_kept(parsed: ParsedMail, result: Received) -> bool:
    kept = (
        EmailMessage.objects.filter(message_id=parsed.message_id)
        .select_related("case")
        .order_by("pk")
        .first()
    )
    if kept is None:
        return False
    result.outcome = DUPLICATE
    result.case_number = kept.case.number
    result.how = (
        "already on the case" if kept.direction == Direction.INBOUND else "one of our own replies"
    )
    result.problems = []
    return True


def _receive(
    parsed: ParsedMail,
    raw: bytes,
    *,
    inbox: Inbox | None,
    team: Team | None,
    source: str,
    now: dt.datetime,
    result: Received,
    plain: bool = False,
) -> None:
    notes: list[str] = []
    case, how = (None, "") if plain else thread_find(parsed)
    if case is None:
        case = (_case_open_plain if plain else _case_open_from_mail)(parsed, team=team, now=now)
        result.outcome, result.how = NEW, "new case"
    else:
        result.outcome, result.how = THREADED, how
        notes.extend(_threaded_notes(case, parsed, how))
    result.case_number = case.number
    event = services.event_add(
        case,
        kind=EventKind.EMAIL_IN,
        actor_name=_sender_label(parsed),
        body=parsed.body_text,
        visibility=Visibility.EXTERNAL,
        data={
            "message_id": parsed.message_id,
            "subject": parsed.subject,
            "from": parsed.from_address,
            "problems": result.problems,
        },
        now=now,
    )
    message = EmailMessage.objects.create(
        case=case,
        event=event,
        inbox=inbox,
        direction=Direction.INBOUND,
        status=SendStatus.RECEIVED,
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=" ".join(parsed.references),
        subject=parsed.subject,
        from_address=parsed.from_address,
        from_name=parsed.from_name,
        to=parsed.to,
        cc=parsed.cc,
        date=parsed.date,
        body_text=parsed.body_text,
        raw=raw,
        source=source[:500],
        time=now,
    )
    for attachment in parsed.attachments:
        try:
            attachment_add(case, name=attachment.name, data=attachment.data, event=event, now=now)
        except AttachmentRefused as refused:
            result.problems.append(f"Attachment not kept: {' '.join(refused.messages)}")
        except OSError as error:
            result.problems.append(
                f"Attachment {attachment.name} could not be stored ({error.strerror})."
            )
    if result.problems:
        message.problems = "\n".join(result.problems)
        message.save(update_fields=["problems"])
        event.data["problems"] = result.problems
        event.save(update_fields=["data"])
    lines = [f"- {p}" for p in result.problems] + [f"- {n}" for n in notes]
    if lines:
        services.event_add(
            case,
            kind=EventKind.COMMENT,
            actor_name="Revdesk mail reader",
            body=f"About the e-mail “{parsed.subject or '(no subject)'}”:\n" + "\n".join(lines),
            data={"message_id": parsed.message_id},
            now=now,
        )
    if result.outcome == THREADED:
        _after_reply(case, parsed, event, now)
    elif not plain:
        for hook in _received_hooks:
            hook(case, parsed, now)


def _threaded_notes(case: Case, parsed: ParsedMail, how: str) -> list[str]:
    notes = []
    if how.startswith("case number") and parsed.from_address:
        known = {case.requester_email.lower()} | set(
            EmailMessage.objects.filter(case=case, direction=Direction.INBOUND).values_list(
                "from_address", flat=True
            )
        )
        contact = (
            case.customer_id
            and BillingContact.objects.filter(
                customer_id=case.customer_id, email__iexact=parsed.from_address
            ).exists()
        )
        if parsed.from_address not in known and not contact:
            notes.append(
                f"Put on this case because its number is in the subject; the sender "
                f"{parsed.from_address} has not written on it before."
            )
    if parsed.is_automatic and case.status == Status.WAITING_CUSTOMER:
        notes.append(
            "An automatic answer (out of office or similar): the case stays waiting on the "
            "customer."
        )
    if case.status in DONE_STATUSES:
        notes.append(
            f"This e-mail came after the case was {case.get_status_display().lower()}; "
            "reopen the case if it needs more work."
        )
    return notes


def _after_reply(case: Case, parsed: ParsedMail, event, now: dt.datetime) -> None:
    """A reply on a case waiting on the customer puts it back in progress (an automatic
    answer does not: nobody answered); the owner hears."""
    if case.status == Status.WAITING_CUSTOMER and not parsed.is_automatic:
        case = services.case_transition(
            case,
            Status.IN_PROGRESS,
            actor=None,
            note=f"{_sender_label(parsed)} replied by e-mail.",
            now=now,
            system=True,
        )
    if case.owner_id:
        services.notify(
            case.owner,
            case,
            f"New e-mail on {case.number} from {_sender_label(parsed)}",
            event=event,
            now=now,
        )


def _customer_of(found: triage.Triage) -> Customer | None:
    if found.sender.customer is not None:
        return found.sender.customer
    for obj in found.subjects:
        if isinstance(obj, Customer):
            return obj
        customer_id = getattr(obj, "customer_id", None)
        if customer_id:
            return Customer.objects.get(pk=customer_id)
    return None


def _case_open_from_mail(parsed: ParsedMail, *, team: Team | None, now: dt.datetime) -> Case:
    found = triage.mail_triage(
        subject=parsed.subject, text=parsed.body_text, sender_address=parsed.from_address
    )
    case_type = CaseType.objects.select_related("default_team").get(code=found.case_type)
    reason = (
        ReasonCode.objects.filter(case_type=case_type, code=found.reason).first()
        if found.reason
        else None
    )
    customer = _customer_of(found)
    queue = None
    if not found.decided and team is not None:
        # Unclassified mail stays in the inbox's team, unless a routing rule claims it.
        probe = Case(case_type=case_type, reason=reason, customer=customer)
        if routing.route(probe).rule is None:
            queue = team
            found.notes.append(f"Left in the {team} queue: the inbox it came to.")
    case = services.case_open(
        actor=None,
        case_type=case_type,
        title=_title(parsed),
        description=parsed.body_text[:DESCRIPTION_MAX],
        subjects=found.subjects,
        priority=found.priority,
        reason=reason,
        customer=customer,
        payee=found.sender.payee,
        distributor=found.sender.distributor,
        team=queue,
        source=Source.EMAIL,
        requester_email=_requester(parsed),
        requester_name=parsed.from_name,
        now=now,
    )
    services.event_add(
        case,
        kind=EventKind.ROUTED,
        actor_name="Revdesk triage",
        body="First triage of the e-mail:\n" + "\n".join(f"- {n}" for n in found.notes),
        data={"triage": found.notes, "type": found.case_type, "reason": found.reason},
        now=now,
    )
    return case


def _requester(parsed: ParsedMail) -> str:
    address = parsed.reply_to or parsed.from_address
    try:
        from django.core.validators import validate_email

        validate_email(address)
    except ValidationError:
        return ""
    return address[:254]


def _case_open_plain(parsed: ParsedMail, *, team: Team | None, now: dt.datetime) -> Case:
    """The fallback: an inquiry in the inbox's team (or the type's), nothing else guessed."""
    case_type = CaseType.objects.select_related("default_team").get(code="inquiry")
    return services.case_open(
        actor=None,
        case_type=case_type,
        title=_title(parsed),
        description=parsed.body_text[:DESCRIPTION_MAX],
        reason=ReasonCode.objects.filter(case_type=case_type, code="unclassified").first(),
        team=team or case_type.default_team,
        source=Source.EMAIL,
        requester_email=_requester(parsed),
        requester_name=parsed.from_name,
        now=now,
    )


# --- reading mailboxes ------------------------------------------------------------------


def _read_batch(
    batch: MailBatch,
    summary: ReadSummary,
    *,
    inbox: Inbox | None,
    team: Team | None,
    start: Callable[[int], None] | None,
    advance: Callable[[], None] | None,
    now: dt.datetime | None,
) -> None:
    if start:
        start(batch.total)
    for item in batch.items:
        result = _read_one(item, inbox=inbox, team=team, now=now)
        summary.results.append(result)
        if advance:
            advance()


def _read_one(item: MailItem, *, inbox, team, now) -> Received:
    result = message_receive(item.raw, inbox=inbox, team=team, source=item.source, now=now)
    if result.outcome != FAILED and item.done is not None:
        try:
            item.done()
        except Exception as error:  # kept already; it will be recognised as a duplicate
            result.problems.append(f"It could not be marked as read in the mailbox ({error}).")
    return result


def inbox_read(
    inbox: Inbox,
    *,
    start: Callable[[int], None] | None = None,
    advance: Callable[[], None] | None = None,
    now: dt.datetime | None = None,
) -> ReadSummary:
    """Read a configured inbox: its IMAP mailbox (unseen messages, marked seen once kept) or
    its folder. A mailbox that cannot be reached gives a summary with `error` set."""
    summary = ReadSummary(where=f"inbox {inbox.name} <{inbox.address}>")
    try:
        if not inbox.is_active:
            raise MailReadError(f"Inbox {inbox.name} is switched off (not active).")
        if inbox.kind == Inbox.Kind.IMAP:
            with imap_connect(inbox) as conn:
                _read_batch(
                    imap_batch(conn, inbox),
                    summary,
                    inbox=inbox,
                    team=inbox.team,
                    start=start,
                    advance=advance,
                    now=now,
                )
        else:
            if not inbox.path:
                raise MailReadError(f"Inbox {inbox.name} has no folder (path) set.")
            _read_batch(
                folder_batch(inbox.path, mark=True),
                summary,
                inbox=inbox,
                team=inbox.team,
                start=start,
                advance=advance,
                now=now,
            )
    except MailReadError as error:
        summary.error = str(error)
    Inbox.objects.filter(pk=inbox.pk).update(last_read_at=now or timezone.now())
    return summary


def mail_load(
    path,
    *,
    team: Team | None = None,
    start: Callable[[int], None] | None = None,
    advance: Callable[[], None] | None = None,
    now: dt.datetime | None = None,
) -> ReadSummary:
    """Load a Maildir, a folder of .eml files or one .eml file without an Inbox row (the
    folder is only read, never changed). Unplaced mail goes to `team`'s queue."""
    summary = ReadSummary(where=str(path))
    try:
        _read_batch(
            folder_batch(path),
            summary,
            inbox=None,
            team=team,
            start=start,
            advance=advance,
            now=now,
        )
    except MailReadError as error:
        summary.error = str(error)
    return summary


# --- templates --------------------------------------------------------------------------

DEFAULT_TEMPLATES: tuple[tuple[str, str, str, str], ...] = (
    (
        "acknowledge",
        "We received your message",
        "{{ case.title }} [{{ case.number }}]",
        "Hello{% if case.requester_name %} {{ case.requester_name }}{% endif %},\n\n"
        "Thank you for your message. We have opened case {{ case.number }} "
        "({{ case.case_type }}){% if customer %} for {{ customer.name }}{% endif %} and "
        "{{ case.team }} is looking into it. Please keep the case number in the subject "
        "when you write to us about it.\n\n"
        "Kind regards,\n{{ user_name }}\n{{ case.team }}",
    ),
    (
        "need_information",
        "We need more information",
        "More information needed: {{ case.title }} [{{ case.number }}]",
        "Hello{% if case.requester_name %} {{ case.requester_name }}{% endif %},\n\n"
        "To move case {{ case.number }} forward we need a little more from you:\n\n"
        "- the invoice or order numbers concerned,\n"
        "- the amount you believe is correct and why,\n"
        "- any supporting document (remittance advice, proof of delivery, contract).\n\n"
        "Reply to this e-mail and it will reach us on the case.\n\n"
        "Kind regards,\n{{ user_name }}\n{{ case.team }}",
    ),
    (
        "resolved",
        "Your case is resolved",
        "Resolved: {{ case.title }} [{{ case.number }}]",
        "Hello{% if case.requester_name %} {{ case.requester_name }}{% endif %},\n\n"
        "Case {{ case.number }} is resolved"
        "{% if case.outcome %}: {{ case.get_outcome_display }}{% endif %}.\n"
        "{% if case.resolution %}\n{{ case.resolution }}\n{% endif %}\n"
        "If anything is still not right, reply to this e-mail and the case will be looked "
        "at again.\n\n"
        "Kind regards,\n{{ user_name }}\n{{ case.team }}",
    ),
)


def mail_templates_ensure(templates, use: str = MailTemplate.Use.CASE_REPLY) -> None:
    """Add the (code, name, subject, body) templates that are missing (never overwritten:
    people edit them in the admin)."""
    for code, name, subject, body in templates:
        MailTemplate.objects.get_or_create(
            code=code, defaults={"name": name, "subject": subject, "body": body, "use": use}
        )


def mail_templates_sync() -> None:
    """The shipped reply templates, added after migrate when missing (never overwritten)."""
    mail_templates_ensure(DEFAULT_TEMPLATES)


def template_render(template: MailTemplate, values: dict) -> tuple[str, str]:
    """(subject on one line, body) of a template: Django template language, plain text.
    A template that does not parse is a ValidationError naming it."""
    context = Context(values, autoescape=False)
    try:
        subject = Template(template.subject).render(context)
        body = Template(template.body).render(context)
    except TemplateSyntaxError as error:
        raise ValidationError(
            {"template": f"The template {template.name} cannot be used: {error}"}
        ) from error
    return " ".join(subject.split()), body


def mail_template_render(template: MailTemplate, case: Case, user=None) -> tuple[str, str]:
    """(subject, body) of a template for a case: Django template language, plain text."""
    return template_render(
        template,
        {
            "case": case,
            "customer": case.customer,
            "user": user,
            "user_name": services.person_label(user) if user else case.team.name,
        },
    )


# --- sending ----------------------------------------------------------------------------


def _sender_address(team: Team) -> str:
    address = team.email or settings.DEFAULT_FROM_EMAIL
    if not address:
        raise ValidationError(
            {"from": f"The {team} team has no e-mail address and REVDESK_MAIL_FROM is not set."}
        )
    return address


def _recipients(to: str | Sequence[str] | None, case: Case) -> list[str]:
    """Addresses to send to: plain (a@b.example) or named (Name <a@b.example>)."""
    from django.core.validators import validate_email

    if to is None:
        to = case.requester_email
    items = [to] if isinstance(to, str) else list(to)
    # getaddresses knows quoted names with commas in them ("Doe, John" <j@x.example>).
    parts = [
        (name.strip(), address.strip())
        for name, address in getaddresses(items)
        if name.strip() or address.strip()  # a name with a broken address is refused, not lost
    ]
    if not parts:
        raise ValidationError(
            {"to": f"{case.number} has no requester e-mail address: give the address to send to."}
        )
    addresses = []
    for name, address in parts:
        try:
            validate_email(address)
        except ValidationError:
            # One address given: show it as typed (getaddresses keeps only its first word).
            shown = (
                ", ".join(items)
                if len(parts) == 1
                else (f"{name} <{address}>" if name else address)
            )
            raise ValidationError({"to": f"{shown!r} is not an e-mail address."}) from None
        addresses.append(address)
    return addresses


def _subject_with_number(subject: str, case: Case) -> str:
    subject = " ".join(subject.split())
    if case.number not in case_number_in(subject):
        subject = f"{subject} [{case.number}]".strip()
    return subject[:500]


def _send_error(error: Exception) -> str:
    where = f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(
            f"{a} ({c} {m.decode(errors='replace')})" for a, (c, m) in error.recipients.items()
        )
        return f"The mail server at {where} refused the recipient(s): {refused}."
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return (
            f"The mail server at {where} refused the login (check REVDESK_SMTP_USER and "
            "REVDESK_SMTP_PASSWORD)."
        )
    if isinstance(error, smtplib.SMTPResponseException):
        text = (
            error.smtp_error.decode(errors="replace")
            if isinstance(error.smtp_error, bytes)
            else str(error.smtp_error)
        )
        return f"The mail server at {where} answered {error.smtp_code}: {text}."
    if isinstance(error, ConnectionRefusedError | TimeoutError | OSError):
        return f"The mail server at {where} could not be reached: {error}."
    return f"Sending failed: {type(error).__name__}: {error}."


def case_reply_send(
    case: Case,
    *,
    actor,
    body: str,
    subject: str | None = None,
    template: MailTemplate | str | None = None,
    to: str | Sequence[str] | None = None,
    now: dt.datetime | None = None,
) -> EmailMessage:
    """Send a reply on the case and record it: EmailMessage (sent, or failed with the error),
    an e-mail-sent line on the timeline (external when sent), and the first response.

    A template fills the subject and, when `body` is empty, the text. Bad input (no address,
    no text) raises ValidationError; a mail server that fails gives status "failed" and the
    error in words, on the message and on the timeline.
    """
    now = now or timezone.now()
    if isinstance(template, str):
        template = MailTemplate.objects.filter(code=template).first() or _no_template(template)
    if template is not None:
        rendered_subject, rendered_body = mail_template_render(template, case, actor)
        subject = subject or rendered_subject
        body = body if body and body.strip() else rendered_body
    if not body or not body.strip():
        raise ValidationError({"body": "Write the reply first."})
    recipients = _recipients(to, case)
    last_in = (
        EmailMessage.objects.filter(case=case, direction=Direction.INBOUND)
        .order_by("-time", "-pk")
        .first()
    )
    if subject is None:
        subject = (
            f"Re: {REPLY_PREFIX.sub('', last_in.subject)}"
            if last_in and last_in.subject
            else case.title
        )
    subject = _subject_with_number(subject, case)
    sender = _sender_address(case.team)
    domain = sender.rpartition("@")[2] or "revdesk.invalid"
    message_id = make_msgid(idstring=case.number.lower(), domain=domain)
    headers = {
        "Message-ID": message_id,
        "Date": format_datetime(now),
        "X-Revdesk-Case": case.number,
    }
    references = ""
    if last_in is not None:
        references = " ".join([*last_in.references.split(), last_in.message_id][-20:])
        headers["In-Reply-To"] = last_in.message_id
        headers["References"] = references
    mail = OutgoingMail(
        subject=subject,
        body=body,
        from_email=formataddr((case.team.name, sender)),
        to=recipients,
        headers=headers,
    )
    # Kept before it is sent: if anything fails after the mail server took it, the case
    # still shows a message (queued) rather than nothing.
    message = EmailMessage.objects.create(
        case=case,
        direction=Direction.OUTBOUND,
        status=SendStatus.QUEUED,
        message_id=message_id,
        in_reply_to=last_in.message_id if last_in else "",
        references=references,
        subject=subject,
        from_address=sender,
        from_name=case.team.name,
        to=", ".join(recipients),
        date=now,
        body_text=body,
        raw=mail.message().as_bytes(),
        time=now,
    )
    status, error = SendStatus.SENT, ""
    try:
        get_connection(fail_silently=False).send_messages([mail])
    except Exception as exc:  # every failure is recorded and shown, none is swallowed
        status, error = SendStatus.FAILED, _send_error(exc)
        log.warning("reply on %s not sent: %s", case.number, error)
    return _reply_record(
        message, actor=actor, status=status, error=error, now=now, template=template
    )


def _no_template(code: str):
    raise ValidationError({"template": f"There is no reply template {code!r}."})


@transaction.atomic
def _reply_record(message: EmailMessage, *, actor, status, error, now, template) -> EmailMessage:
    """After sending: the outcome on the message, a line on the timeline (external when
    sent, internal with the error when not), and the first response."""
    case = message.case
    sent = status == SendStatus.SENT
    event = services.event_add(
        case,
        kind=EventKind.EMAIL_OUT,
        actor=actor,
        body=message.body_text if sent else f"Not sent: {error}\n\n{message.body_text}",
        visibility=Visibility.EXTERNAL if sent else Visibility.INTERNAL,
        data={
            "message_id": message.message_id,
            "subject": message.subject,
            "to": message.to.split(", "),
            "status": str(status),
            "error": error,
            "template": template.code if template else "",
        },
        now=now,
    )
    message.event, message.status, message.error = event, status, error
    message.save(update_fields=["event", "status", "error"])
    if sent:
        services.first_response_record(case, now=now)
    return message


def notification_email_send(notification) -> bool:
    """E-mail one notification to its person (if they have an address); True when sent.
    Marks it e-mailed so it is sent once."""
    user = notification.user
    if notification.emailed_at is not None or not user.email:
        return False
    case = notification.case
    if case is not None:
        # The number once, at the start, whether or not the text already names it.
        text = notification.text
        subject = text if text.startswith(case.number) else f"[{case.number}] {text}"
        body = f"{notification.text}\n\n{case.number}: {case.title}\n"
        sender = formataddr((case.team.name, _sender_address(case.team)))
    else:  # about a page (a quality review of a cash application...), not a case
        if not settings.DEFAULT_FROM_EMAIL:
            return False
        subject = notification.text
        body = f"{notification.text}\n\n{notification.link}\n"
        sender = settings.DEFAULT_FROM_EMAIL
    mail = OutgoingMail(subject=subject[:300], body=body, from_email=sender, to=[user.email])
    try:
        get_connection(fail_silently=False).send_messages([mail])
    except Exception as exc:
        log.warning("notification %s not e-mailed: %s", notification.pk, _send_error(exc))
        return False
    type(notification).objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True
