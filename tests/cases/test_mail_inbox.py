"""Incoming mail: the corpus in tests/cases/mail/ loaded into cases, message by message."""

from __future__ import annotations

import datetime as dt
import mailbox
import shutil
from pathlib import Path

import pytest

from revdesk.cases import mail
from revdesk.cases.choices import Direction, EventKind, SendStatus, Source, Status, Visibility
from revdesk.cases.models import Case, EmailMessage, Inbox
from revdesk.cases.services import case_open, case_transition
from revdesk.parties.models import BillingContact

CORPUS = Path(__file__).parent / "mail"
FILES = sorted(CORPUS.glob("*.eml"))
NOW = dt.datetime(2025, 12, 10, 15, 0, tzinfo=dt.UTC)
OUR_REPLY = "<revdesk-reply-1@revdesk.example>"


@pytest.fixture
def parties(world, ledger, teams, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REVDESK_ATTACHMENT_MAX_BYTES = 4096
    BillingContact.objects.create(
        customer=world.customer_east, name="Dana Payables", email="ap@acme.example"
    )
    BillingContact.objects.create(
        customer=world.customer_west, name="Pacific AP", email="accounts@pacificcolo.example"
    )
    world.rep_east.email = "erin.east@revdesk.example"
    world.rep_east.save()
    world.distributor.email = "claims@voltsupply.example"
    world.distributor.save()
    return world


@pytest.fixture
def earlier(parties, teams):
    """Two cases the corpus answers: one we replied on by e-mail, one numbered CASE-000777."""
    statement = case_open(
        actor=parties.users["collector"],
        case_type="inquiry",
        title="Statement question",
        customer=parties.customer_east,
        team=teams["collections"],
        requester_email="ap@acme.example",
        now=NOW - dt.timedelta(days=10),
    )
    EmailMessage.objects.create(
        case=statement,
        direction=Direction.OUTBOUND,
        status=SendStatus.SENT,
        message_id=OUR_REPLY,
        subject=f"Re: Statement question [{statement.number}]",
        raw=b"",
        time=NOW - dt.timedelta(days=9),
    )
    numbered = case_open(
        actor=parties.users["collector"],
        case_type="ar_dispute",
        title="Remittance awaited",
        customer=parties.customer_east,
        now=NOW - dt.timedelta(days=8),
    )
    Case.objects.filter(pk=numbered.pk).update(number="CASE-000777")
    numbered.refresh_from_db()
    return {"statement": statement, "numbered": numbered}


def _load(team_code="collections"):
    from revdesk.cases.models import Team

    return mail.mail_load(CORPUS, team=Team.objects.get(code=team_code), now=NOW)


def _case_of(message_id: str) -> Case:
    return EmailMessage.objects.get(message_id=message_id, direction=Direction.INBOUND).case


def _subjects(case: Case) -> list[str]:
    return sorted(case.subjects.values_list("label", flat=True))


def test_the_whole_corpus_lands_one_message_one_case_and_reloads_as_duplicates(earlier):
    summary = _load()

    assert summary.ok
    assert summary.error == ""
    outcomes = {Path(r.source).name: (r.outcome, r.how) for r in summary.results}
    assert len(outcomes) == len(FILES) == 18
    # Every message but the one duplicate is kept, each on exactly one case.
    assert EmailMessage.objects.filter(direction=Direction.INBOUND).count() == len(FILES) - 1
    assert (summary.count("new"), summary.count("threaded"), summary.count("duplicate")) == (
        14,
        3,
        1,
    )
    assert outcomes["16-duplicate-of-01.eml"] == ("duplicate", "already on the case")
    assert outcomes["02-reply-to-our-reply.eml"] == ("threaded", f"In-Reply-To {OUR_REPLY}")
    assert outcomes["03-references-only.eml"] == (
        "threaded",
        "References <20251201091200.1001@acme.example>",
    )
    assert outcomes["05-case-number-in-subject.eml"] == (
        "threaded",
        "case number CASE-000777 in the subject",
    )
    # In-Reply-To wins over the (other) case number in the subject.
    assert _case_of("<20251202083000.2002@acme.example>") == earlier["statement"]
    assert _case_of("<20251203090000.3005@acme.example>") == earlier["numbered"]
    short_paid = _case_of("<20251201091200.1001@acme.example>")
    assert _case_of("<20251202110000.2003@acme.example>") == short_paid

    # Nothing lost on a re-read: every file is recognised, nothing new is written.
    events = short_paid.events.count()
    again = _load()
    assert [r.outcome for r in again.results] == ["duplicate"] * len(FILES)
    assert EmailMessage.objects.filter(direction=Direction.INBOUND).count() == len(FILES) - 1
    assert Case.objects.count() == 2 + 14
    assert short_paid.events.count() == events


def test_new_cases_are_typed_linked_and_placed_by_triage(earlier, parties):
    _load()
    expected = {
        # message id: (type, reason, team, customer code, payee, distributor, linked)
        "<20251201091200.1001@acme.example>": (
            "short_payment", "freight", "cash_application", "C-1000", None, None, ["INV-1"],
        ),
        "<fwd-5@pacificcolo.example>": (
            "ar_dispute", "pricing", "collections", "C-2000", None, None, ["INV-5"],
        ),
        "<html-6@voltsupply.example>": (
            "rebate_claim", "price_protection", "commissions", "C-1001", None, "D01", ["SO-4"],
        ),
        "<alt-7@revdesk.example>": (
            "commission_claim", "split_credit", "commissions", "C-1000", "E101", None, ["SO-1"],
        ),
        "<cp1252-8@pacificcolo.example>": (
            "ar_dispute", None, "collections", "C-2000", None, None, ["INV-7"],
        ),
        "<latin-9@acme.example>": (
            "ar_dispute", "duplicate_billing", "collections", "C-1000", None, None, ["INV-6"],
        ),
        "<b64-10@acme.example>": (
            "ar_dispute", "not_received", "collections", "C-1000", None, None, ["INV-4"],
        ),
        "<rfc2047-11@acme.example>": (
            "ar_dispute", "pricing", "collections", "C-1000", None, None, ["INV-2"],
        ),
        "<nofrom-13@unknown.example>": (
            "inquiry", "unclassified", "collections", "C-1001", None, None, ["INV-8"],
        ),
        "<pdf-exe-14@acme.example>": (
            "inquiry", "unclassified", "collections", "C-1000", None, None, ["INV-2"],
        ),
        "<rejected-17@pacificcolo.example>": (
            "order_defect", "rejected_by_billing", "order_management", "C-2000", None, None,
            ["SO-2"],
        ),
    }  # fmt: skip
    for message_id, (ctype, reason, team, customer, payee, distributor, linked) in expected.items():
        case = _case_of(message_id)
        got = (
            case.case_type.code,
            case.reason.code if case.reason else None,
            case.team.code,
            case.customer.code if case.customer else None,
            case.payee.code if case.payee else None,
            case.distributor.code if case.distributor else None,
            _subjects(case),
        )
        assert got == (ctype, reason, team, customer, payee, distributor, linked), message_id
        assert case.source == Source.EMAIL


def test_triage_reasons_are_on_the_timeline(earlier):
    _load()
    case = _case_of("<20251201091200.1001@acme.example>")
    assert case.title == "Short paid invoice INV-1"
    assert (case.requester_email, case.requester_name) == ("ap@acme.example", "Dana Payables")
    triage = case.events.get(kind=EventKind.ROUTED, actor_name="Revdesk triage")
    assert triage.visibility == Visibility.INTERNAL
    assert triage.body.splitlines() == [
        "First triage of the e-mail:",
        "- Type Short payment from the words 'short paid' in the subject.",
        "- Reason Freight from the words 'freight'.",
        "- Customer Acme Data Centers (C-1000): the sender is their billing contact Dana Payables.",
        "- Linked invoice INV-1 (named in the subject).",
    ]
    routed = case.events.filter(kind=EventKind.ROUTED).exclude(actor_name="Revdesk triage").get()
    assert routed.body == "To Cash application: no routing rule matched: the Cash application queue"
    email_in = EmailMessage.objects.get(message_id="<20251201091200.1001@acme.example>").event
    assert email_in.kind == EventKind.EMAIL_IN
    assert email_in.visibility == Visibility.EXTERNAL
    assert email_in.body.startswith("Hello,\n\nWe paid INV-1 short by 150.00")
    assert email_in.message.message_id == "<20251201091200.1001@acme.example>"
    assert email_in.actor_name == "Dana Payables <ap@acme.example>"
    unclassified = _case_of("<broken-18@acme.example>")
    note = unclassified.events.get(kind=EventKind.ROUTED, actor_name="Revdesk triage")
    assert note.body.splitlines()[1:] == [
        "- Type Inquiry, not classified yet: no words of a known kind of case were found.",
        "- Customer Acme Data Centers (C-1000): the sender is their billing contact Dana Payables.",
        "- Left in the Collections queue: the inbox it came to.",
    ]


def test_bodies_are_readable_text_whatever_the_encoding(earlier):
    _load()

    def body(message_id):
        return EmailMessage.objects.get(message_id=message_id).body_text

    html = body("<html-6@voltsupply.example>")
    assert html == (
        "Dear team,\n\nOur rebate for order SO-4 is missing from the Q3 statement & the price "
        "protection credit too.\n\n- SO-4: 3 units\n\n- Claim: 330.03 USD\n\nThanks,\nVolt Supply"
    )
    assert "alert" not in html
    assert "color" not in html
    assert body("<alt-7@revdesk.example>") == (
        "Order SO-1 should give me split credit under policy 100."
    )
    assert body("<cp1252-8@pacificcolo.example>") == (
        "We dispute INV-7: the \u201cinstallation\u201d line was never agreed. The caf\u00e9 "
        "area was not wired and the fee of \u20ac120 \u2013 as quoted \u2013 does not apply."
    )
    assert body("<latin-9@acme.example>") == (
        "Bonjour,\n\nLa facture INV-6 est arriv\u00e9e en double. Merci de v\u00e9rifier.\n"
        "Gr\u00fc\u00dfe, Fran\u00e7ois"
    )
    assert body("<b64-10@acme.example>") == (
        "Hello,\n\nWe never received the goods on INV-4 \u2014 please hold the dunning."
    )
    latin = EmailMessage.objects.get(message_id="<latin-9@acme.example>")
    assert latin.from_name == "Fran\u00e7ois L\u00e9ger"
    encoded = EmailMessage.objects.get(message_id="<rfc2047-11@acme.example>")
    assert encoded.subject == "R\u00e9clamation prix incorrect \u2013 INV-2"
    assert encoded.from_name == "\u00c9loise Dupont"
    assert latin.problems == ""
    assert EmailMessage.objects.get(message_id="<cp1252-8@pacificcolo.example>").problems == (
        "The text said it was utf-8 but was not; it was read as Windows-1252."
    )


def test_messages_with_problems_are_kept_and_the_problems_shown(earlier):
    summary = _load()
    by_file = {Path(r.source).name: r for r in summary.results}

    no_id = by_file["12-no-message-id.eml"]
    assert no_id.message_id.endswith("@revdesk.invalid>")
    assert no_id.problems == [
        "The message has no Message-ID; Revdesk gave it one from its content."
    ]
    case = Case.objects.get(number=no_id.case_number)
    assert (case.case_type.code, case.team.code) == ("inquiry", "collections")
    assert case.requester_email == "someone@gmail.com"
    assert case.customer is None  # a free-mail domain names nobody

    no_from = EmailMessage.objects.get(message_id="<nofrom-13@unknown.example>")
    assert no_from.problems.splitlines() == [
        "The message has no From address.",
        "The Date header 'sometime last tuesday, 99:99' could not be read; the time it was "
        "read is used.",
    ]
    assert (no_from.from_address, no_from.date, no_from.time) == ("", None, NOW)
    assert no_from.case.title == "Payment plan for INV-8"
    note = no_from.case.events.get(kind=EventKind.COMMENT)
    assert note.visibility == Visibility.INTERNAL
    assert note.body.splitlines() == [
        "About the e-mail “Payment plan for INV-8”:",
        "- The message has no From address.",
        "- The Date header 'sometime last tuesday, 99:99' could not be read; the time it was "
        "read is used.",
    ]

    broken = EmailMessage.objects.get(message_id="<broken-18@acme.example>")
    assert broken.body_text == "This message was cut off before its end"
    assert broken.problems == (
        "The message is not well formed: the last MIME part is not closed (the message may be cut)."
    )
    assert bytes(broken.raw) == (CORPUS / "18-broken-mime.eml").read_bytes()


def test_attachments_kept_and_refused_ones_noted(earlier):
    _load()
    pdf_exe = _case_of("<pdf-exe-14@acme.example>")
    email_event = pdf_exe.events.get(kind=EventKind.EMAIL_IN)
    assert [(a.name, a.content_type, a.event_id) for a in pdf_exe.attachments.all()] == [
        ("POD_INV-2.pdf", "application/pdf", email_event.pk)
    ]
    note = pdf_exe.events.get(kind=EventKind.COMMENT)
    assert note.visibility == Visibility.INTERNAL
    assert note.body.splitlines()[1].startswith(
        "- Attachment not kept: remit-tool.exe: files of type .exe are not kept."
    )
    big = _case_of("<big-15@acme.example>")
    assert big.attachments.count() == 0
    assert big.messages.get().problems == (
        "Attachment not kept: statement.pdf is 0.0 MB; attachments may be at most 0 MB."
    )
    encoded = _case_of("<rfc2047-11@acme.example>")
    assert sorted(encoded.attachments.values_list("name", "content_type")) == [
        ("note_\u00e9t\u00e9.txt", "text/plain"),
        ("relev\u00e9_d\u00e9cembre.csv", "text/csv"),
    ]
    forward = _case_of("<fwd-5@pacificcolo.example>")
    attached = forward.attachments.get()
    assert (attached.name, attached.content_type) == (
        "Incorrect_price_on_INV-5.eml",
        "message/rfc822",
    )
    assert b"Message-ID: <orig-5@pacificcolo.example>" in attached.file.read()
    assert forward.title == "Incorrect price on INV-5"
    assert "INV-5 charges 2,000.00" in forward.messages.get().body_text


def test_a_reply_on_a_case_waiting_on_the_customer_puts_it_back_in_progress(earlier, parties):
    statement = earlier["statement"]
    case_transition(statement, Status.IN_PROGRESS, actor=parties.users["collector"], now=NOW)
    case_transition(statement, Status.WAITING_CUSTOMER, actor=parties.users["collector"], now=NOW)
    mail.message_receive((CORPUS / "02-reply-to-our-reply.eml").read_bytes(), now=NOW)
    statement.refresh_from_db()
    assert statement.status == Status.IN_PROGRESS
    moved = statement.events.filter(kind=EventKind.STATUS).last()
    assert (moved.from_status, moved.to_status, moved.body) == (
        "waiting_customer",
        "in_progress",
        "Dana Payables <ap@acme.example> replied by e-mail.",
    )


def test_an_out_of_office_answer_leaves_the_case_waiting_on_the_customer(earlier, parties):
    # RFC 3834: an automatic answer is kept on the case, but nobody has answered the
    # question: the case stays waiting and its clocks stay paused.
    statement = earlier["statement"]
    case_transition(statement, Status.IN_PROGRESS, actor=parties.users["collector"], now=NOW)
    case_transition(statement, Status.WAITING_CUSTOMER, actor=parties.users["collector"], now=NOW)
    raw = (
        b"From: Dana Payables <ap@acme.example>\r\nSubject: Out of office: Statement question\r\n"
        b"Date: Wed, 10 Dec 2025 10:05:00 -0500\r\nAuto-Submitted: auto-replied\r\n"
        b"In-Reply-To: " + OUR_REPLY.encode() + b"\r\n"
        b"Message-ID: <ooo-1@acme.example>\r\n\r\nI am away until 5 January.\r\n"
    )
    result = mail.message_receive(raw, now=NOW + dt.timedelta(hours=1))
    assert (result.outcome, result.case_number) == ("threaded", statement.number)
    statement.refresh_from_db()
    assert (statement.status, statement.paused_at) == (Status.WAITING_CUSTOMER, NOW)
    note = statement.events.filter(kind=EventKind.COMMENT).last()
    assert note.body.splitlines()[1:] == [
        "- An automatic answer (out of office or similar): the case stays waiting on the customer."
    ]


def test_a_case_number_from_a_stranger_threads_with_a_note(earlier):
    raw = (
        b"From: Mallory <m@elsewhere.example>\r\nSubject: about [CASE-777]\r\n"
        b"Date: Wed, 10 Dec 2025 10:00:00 -0500\r\n"
        b"Message-ID: <stranger@elsewhere.example>\r\n\r\nhello\r\n"
    )
    result = mail.message_receive(raw, now=NOW)
    assert (result.outcome, result.case_number) == ("threaded", "CASE-000777")
    note = earlier["numbered"].events.get(kind=EventKind.COMMENT)
    assert note.body.splitlines()[1] == (
        "- Put on this case because its number is in the subject; the sender "
        "m@elsewhere.example has not written on it before."
    )


def test_a_case_number_that_does_not_exist_opens_a_new_case(parties):
    raw = b"From: a@b.example\r\nSubject: [CASE-999999] hi\r\nMessage-ID: <x@b.example>\r\n\r\nhi"
    result = mail.message_receive(raw, now=NOW)
    assert result.outcome == "new"
    assert result.case_number != "CASE-999999"


def test_a_huge_body_is_cut_on_the_case_and_kept_whole_raw(parties):
    text = "short paid INV-1 " + "x" * 300_000
    raw = (
        b"From: ap@acme.example\r\nSubject: big\r\nMessage-ID: <huge@acme.example>\r\n"
        b"Date: Wed, 10 Dec 2025 10:00:00 -0500\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + text.encode()
    )
    result = mail.message_receive(raw, now=NOW)
    message = EmailMessage.objects.get(message_id="<huge@acme.example>")
    assert len(message.body_text) == 200_000
    assert len(bytes(message.raw)) == len(raw)
    assert result.problems == [
        "The text is 300,017 characters long; the first 200,000 are shown on the case and "
        "the whole message is kept as received."
    ]
    assert message.case.case_type.code == "short_payment"


def test_processing_that_fails_still_keeps_the_message(parties, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("triage exploded")

    monkeypatch.setattr(mail.triage, "mail_triage", broken)
    result = mail.message_receive((CORPUS / "01-short-paid.eml").read_bytes(), now=NOW)
    assert result.outcome == "new"
    case = Case.objects.get(number=result.case_number)
    assert (case.case_type.code, case.team.code) == ("inquiry", "collections")
    assert result.problems[-1] == (
        "Revdesk could not process it normally (RuntimeError: triage exploded); it was put on "
        "a new inquiry case to be looked at."
    )
    assert case.messages.get().problems == result.problems[-1]


def test_a_maildir_inbox_marks_what_it_read(parties, teams, tmp_path):
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    for name in ("01-short-paid.eml", "06-html-only.eml"):
        box.add(mailbox.MaildirMessage((CORPUS / name).read_bytes()))
    inbox = Inbox.objects.create(
        name="collections", team=teams["collections"], address="collections@revdesk.example",
        path=str(tmp_path / "Maildir"),
    )  # fmt: skip
    summary = mail.inbox_read(inbox, now=NOW)
    assert [r.outcome for r in summary.results] == ["new", "new"]
    assert list((tmp_path / "Maildir" / "new").iterdir()) == []
    assert sorted(p.name.endswith(":2,S") for p in (tmp_path / "Maildir" / "cur").iterdir()) == [
        True,
        True,
    ]
    assert EmailMessage.objects.filter(inbox=inbox).count() == 2
    assert mail.inbox_read(inbox, now=NOW).results == []  # seen ones are not read again
    inbox.refresh_from_db()
    assert inbox.last_read_at == NOW


def test_load_of_a_missing_folder_says_what_is_expected(parties, teams, tmp_path):
    summary = mail.mail_load(tmp_path / "nowhere", team=teams["collections"])
    assert not summary.ok
    assert summary.error == (
        f"{tmp_path / 'nowhere'} does not exist: give a Maildir, a folder of .eml files or an "
        ".eml file."
    )


def test_the_command_loads_a_folder_and_prints_a_summary(parties, tmp_path, capsys):
    from revdesk.cli import main

    folder = tmp_path / "mail"
    folder.mkdir()
    for name in ("01-short-paid.eml", "03-references-only.eml", "16-duplicate-of-01.eml"):
        shutil.copy(CORPUS / name, folder / name)
    assert main(["cases", "inbox", "load", str(folder), "--team", "collections", "--json"]) == 0
    import json

    data = json.loads(capsys.readouterr().out)
    assert {k: data[k] for k in ("read", "new_cases", "threaded", "duplicates_skipped")} == {
        "read": 3,
        "new_cases": 1,
        "threaded": 1,
        "duplicates_skipped": 1,
    }
    assert main(["cases", "inbox", "load", str(folder), "--team", "collections"]) == 0
    out = capsys.readouterr().out
    assert "│ Duplicates skipped (already on a case) │     3 │" in out
    assert main(["cases", "inbox", "load", str(folder), "--team", "nope"]) == 2
    assert "There is no team 'nope'; use one of: " in capsys.readouterr().err
    assert main(["cases", "inbox", "read", "nope"]) == 2
    assert capsys.readouterr().err.startswith("There is no inbox named 'nope'")
