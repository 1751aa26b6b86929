"""Outgoing replies through a real SMTP server (aiosmtpd on a free local port)."""

from __future__ import annotations

import datetime as dt
import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.core.exceptions import ValidationError

from revdesk.cases import mail
from revdesk.cases.choices import Direction, EventKind, SendStatus, Visibility
from revdesk.cases.models import EmailMessage, MailTemplate
from revdesk.parties.models import BillingContact

NOW = dt.datetime(2025, 12, 1, 15, 0, tzinfo=dt.UTC)
CUSTOMER_MAIL = (
    b"From: Dana Payables <ap@acme.example>\r\n"
    b"To: collections@revdesk.example\r\n"
    b"Subject: Short paid invoice INV-1\r\n"
    b"Date: Mon, 01 Dec 2025 09:12:00 -0500\r\n"
    b"Message-ID: <first@acme.example>\r\n"
    b"References: <older@acme.example>\r\n"
    b"\r\nWe paid INV-1 short: freight charged twice.\r\n"
)


class Recorder:
    def __init__(self):
        self.received = []
        self.refuse = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "revdesk@revdesk.example"
    yield recorder
    controller.stop()


@pytest.fixture
def case(world, teams, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    BillingContact.objects.create(
        customer=world.customer_east, name="Dana Payables", email="ap@acme.example"
    )
    teams["cash_application"].email = "cash@revdesk.example"
    teams["cash_application"].save()
    result = mail.message_receive(CUSTOMER_MAIL, now=NOW)
    return EmailMessage.objects.get(message_id="<first@acme.example>").case if result else None


def _parsed(envelope):
    return email.message_from_bytes(envelope.content, policy=policy.default)


def test_a_reply_goes_out_threaded_and_is_recorded(smtp, case, world):
    collector = world.users["collector2"]
    sent = mail.case_reply_send(
        case, actor=collector, body="We are checking the freight lines.", now=NOW
    )

    assert len(smtp.received) == 1
    envelope = smtp.received[0]
    assert envelope.mail_from == "cash@revdesk.example"
    assert envelope.rcpt_tos == ["ap@acme.example"]
    message = _parsed(envelope)
    assert message["From"] == "Cash application <cash@revdesk.example>"
    assert message["To"] == "ap@acme.example"
    assert message["Subject"] == f"Re: Short paid invoice INV-1 [{case.number}]"
    assert message["In-Reply-To"] == "<first@acme.example>"
    assert message["References"] == "<older@acme.example> <first@acme.example>"
    assert message["Message-ID"].strip() == sent.message_id
    assert message["Date"] == "Mon, 01 Dec 2025 15:00:00 +0000"
    assert bytes(sent.raw).rstrip() == envelope.original_content.replace(b"\r\n", b"\n").rstrip()
    assert sent.message_id.endswith("@revdesk.example>")
    assert message["X-Revdesk-Case"] == case.number
    assert message.get_content().strip() == "We are checking the freight lines."

    assert (sent.direction, sent.status, sent.error) == (Direction.OUTBOUND, SendStatus.SENT, "")
    assert (sent.to, sent.from_address, sent.in_reply_to) == (
        "ap@acme.example",
        "cash@revdesk.example",
        "<first@acme.example>",
    )
    assert sent.event.kind == EventKind.EMAIL_OUT
    assert sent.event.visibility == Visibility.EXTERNAL
    assert sent.event.actor == collector
    assert sent.event.body == "We are checking the freight lines."
    case.refresh_from_db()
    assert case.first_response_at == NOW

    # The customer's answer to our reply threads back by In-Reply-To.
    answer = (
        b"From: ap@acme.example\r\nSubject: Re: something else\r\n"
        b"Date: Tue, 02 Dec 2025 09:00:00 -0500\r\n"
        b"Message-ID: <answer@acme.example>\r\nIn-Reply-To: " + sent.message_id.encode() + b"\r\n"
        b"\r\nThanks!\r\n"
    )
    result = mail.message_receive(answer, now=NOW)
    assert (result.outcome, result.case_number, result.how) == (
        "threaded",
        case.number,
        f"In-Reply-To {sent.message_id}",
    )


def test_a_template_fills_subject_and_text(smtp, case, world):
    sent = mail.case_reply_send(
        case, actor=world.users["collector2"], body="", template="acknowledge", now=NOW
    )
    message = _parsed(smtp.received[0])
    assert message["Subject"] == f"Short paid invoice INV-1 [{case.number}]"
    assert message.get_content().splitlines() == [
        "Hello Dana Payables,",
        "",
        f"Thank you for your message. We have opened case {case.number} (Short payment) for "
        "Acme Data Centers and Cash application is looking into it. Please keep the case "
        "number in the subject when you write to us about it.",
        "",
        "Kind regards,",
        "collector2",
        "Cash application",
    ]
    assert sent.event.data["template"] == "acknowledge"


def test_three_templates_are_shipped_after_migrate(db):
    replies = MailTemplate.objects.filter(use=MailTemplate.Use.CASE_REPLY)
    assert list(replies.order_by("code").values_list("code", flat=True)) == [
        "acknowledge",
        "need_information",
        "resolved",
    ]


def test_a_refused_recipient_is_recorded_as_failed(smtp, case, world):
    smtp.refuse.add("ap@acme.example")
    sent = mail.case_reply_send(case, actor=world.users["collector2"], body="Hello", now=NOW)
    assert sent.status == SendStatus.FAILED
    assert sent.error == (
        f"The mail server at 127.0.0.1:{smtp_port(sent)} refused the recipient(s): "
        "ap@acme.example (550 5.1.1 No such user here)."
    )
    assert smtp.received == []
    assert sent.event.visibility == Visibility.INTERNAL
    assert sent.event.body.startswith("Not sent: The mail server at 127.0.0.1:")
    case.refresh_from_db()
    assert case.first_response_at is None


def smtp_port(_message) -> int:
    from django.conf import settings

    return settings.EMAIL_PORT


def test_an_unreachable_server_is_recorded_as_failed(case, world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()
    sent = mail.case_reply_send(case, actor=world.users["collector2"], body="Hello", now=NOW)
    assert sent.status == SendStatus.FAILED
    assert sent.error.startswith(
        f"The mail server at 127.0.0.1:{settings.EMAIL_PORT} could not be reached: "
    )
    assert EmailMessage.objects.filter(direction=Direction.OUTBOUND, status="failed").count() == 1


def test_bad_input_is_refused_before_anything_is_sent(smtp, case, world):
    actor = world.users["collector2"]
    with pytest.raises(ValidationError) as error:
        mail.case_reply_send(case, actor=actor, body="   ")
    assert error.value.message_dict == {"body": ["Write the reply first."]}
    with pytest.raises(ValidationError) as error:
        mail.case_reply_send(case, actor=actor, body="Hi", to="not an address")
    assert error.value.message_dict == {"to": ["'not an address' is not an e-mail address."]}
    with pytest.raises(ValidationError) as error:
        mail.case_reply_send(case, actor=actor, body="Hi", to="a@b.example, Bob <bob.b.example>")
    assert error.value.message_dict == {"to": ["'Bob <bob.b.example>' is not an e-mail address."]}
    with pytest.raises(ValidationError):
        mail.case_reply_send(case, actor=actor, body="Hi", to="a@b.example, Bob <bob@>")
    case.requester_email = ""
    case.save()
    with pytest.raises(ValidationError) as error:
        mail.case_reply_send(case, actor=actor, body="Hi")
    assert error.value.message_dict == {
        "to": [f"{case.number} has no requester e-mail address: give the address to send to."]
    }
    with pytest.raises(ValidationError) as error:
        mail.case_reply_send(case, actor=actor, body="Hi", to="x@y.example", template="nope")
    assert error.value.message_dict == {"template": ["There is no reply template 'nope'."]}
    assert smtp.received == []
    assert not EmailMessage.objects.filter(direction=Direction.OUTBOUND).exists()


def test_a_team_without_an_address_sends_from_revdesk_mail_from(smtp, case, world, teams):
    teams["cash_application"].email = ""
    teams["cash_application"].save()
    case.refresh_from_db()
    mail.case_reply_send(
        case, actor=world.users["collector2"], body="Hi", subject="Your payment", now=NOW
    )
    message = _parsed(smtp.received[0])
    assert message["From"] == "Cash application <revdesk@revdesk.example>"
    assert message["Subject"] == f"Your payment [{case.number}]"


def test_a_notification_is_e_mailed_once(smtp, case, world):
    from revdesk.cases.models import Notification
    from revdesk.cases.services import notify

    person = world.users["collector2"]
    person.email = "collector2@revdesk.example"
    person.save()
    notify(person, case, f"{case.number} was assigned to you", now=NOW)
    notification = Notification.objects.get(user=person)
    assert mail.notification_email_send(notification) is True
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    assert mail.notification_email_send(notification) is False
    message = _parsed(smtp.received[0])
    assert message["To"] == "collector2@revdesk.example"
    assert message["Subject"] == f"{case.number} was assigned to you"


def test_a_notification_about_a_page_is_e_mailed_with_its_address(smtp, case, world):
    # Quality findings on a cash application have no case, only the review's page.
    from revdesk.cases.models import Notification
    from revdesk.cases.services import notify

    person = world.users["collector2"]
    person.email = "collector2@revdesk.example"
    person.save()
    notify(person, None, "Quality review of receipt R-1: failed", now=NOW, url="/quality/7/")
    notification = Notification.objects.get(user=person)
    assert mail.notification_email_send(notification) is True
    message = _parsed(smtp.received[0])
    assert message["Subject"] == "Quality review of receipt R-1: failed"
    assert "/quality/7/" in message.get_body().get_content()


def test_a_sent_reply_is_on_the_case_even_if_recording_it_fails_afterwards(
    smtp, case, world, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(mail.services, "first_response_record", broken)
    with pytest.raises(RuntimeError):
        mail.case_reply_send(case, actor=world.users["collector2"], body="Checking.", now=NOW)
    assert len(smtp.received) == 1
    kept = EmailMessage.objects.get(case=case, direction=Direction.OUTBOUND)
    assert (kept.status, kept.body_text, kept.event) == (SendStatus.QUEUED, "Checking.", None)


def test_names_with_commas_are_one_address(smtp, case, world):
    mail.case_reply_send(
        case,
        actor=world.users["collector2"],
        body="Hello",
        to='"Payables, Acme" <ap@acme.example>, treasury@acme.example',
        now=NOW,
    )
    assert smtp.received[0].rcpt_tos == ["ap@acme.example", "treasury@acme.example"]
