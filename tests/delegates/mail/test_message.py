"""Emails on the wire (``delegates/mail/message.py``, ``outbox.outbox_send``): every kind of email —
the seven registration emails, with forum names in Thai, Khmer and Vietnamese, and every account
email — sent by Django's SMTP backend to a real SMTP server (aiosmtpd), and the bytes it received
parsed by Python's ``email`` package in strict mode (any defect raises): subject, From, Reply-To,
Date, Message-ID, both parts, links on SITE_URL, and encoded words no longer than RFC 2047's 75
characters."""

import re
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from tests.delegates.mail.every_email import (
    ACCOUNT_SUBJECTS,
    FORUM_NAMES,
    SECRETARIAT,
    html_links,
    send_every_account_email,
    send_every_registration_email,
)
from tests.integration.workers import SmtpServer

pytestmark = pytest.mark.django_db
SITE = "https://events.example.org"
SENDER = "AMF Events <no-reply@events.example.org>"
STRICT = policy.default.clone(raise_on_defect=True)
ENCODED_WORD = re.compile(rb"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


@pytest.fixture
def smtp(settings):
    """A running SMTP server, Django's SMTP backend pointed at it, and the site's settings."""
    server = SmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = SENDER
    settings.SITE_URL = SITE
    settings.SECRETARIAT_EMAIL = SECRETARIAT
    yield server
    server.stop()


def header_lines(raw: bytes) -> list[bytes]:
    return raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")


def raw_header(raw: bytes, name: bytes) -> list[bytes]:
    """The lines of header ``name`` as sent (its first line and its folded continuation lines)."""
    lines = header_lines(raw)
    start = next(i for i, line in enumerate(lines) if line.lower().startswith(name.lower() + b":"))
    end = start + 1
    while end < len(lines) and lines[end][:1] in (b" ", b"\t"):
        end += 1
    return lines[start:end]


def check_on_the_wire(raw: bytes, *, subject: str, to: str) -> EmailMessage:
    """Parse ``raw`` strictly and check what every email must have; returns the parsed message."""
    message = message_from_bytes(raw, policy=STRICT)  # raises on any defect

    assert message["Subject"] == subject
    assert (message["From"], message["To"], message["Reply-To"]) == (SENDER, to, SECRETARIAT)
    assert message["Date"].datetime.utcoffset() == timedelta(0)
    assert raw_header(raw, b"Date")[0].endswith(b" +0000")
    assert re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", message["Message-ID"])
    assert message.get_content_type() == "multipart/alternative"
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content().startswith("Dear ")
    for href, _text in html_links(html.get_content()):
        assert href.startswith(f"{SITE}/") or href in (f"mailto:{SECRETARIAT}", "tel:+622150001234"), href
    # RFC 2047: an encoded word is at most 75 characters; the subject starts on its own line.
    for line in header_lines(raw):
        for word in ENCODED_WORD.findall(line):
            assert len(word) <= 75, (line, len(word))
    subject_lines = raw_header(raw, b"Subject")
    assert subject_lines[0].strip() != b"Subject:"
    assert all(len(line) <= 76 for line in subject_lines), subject_lines
    return message


@pytest.mark.parametrize("script", ["th", "km", "vi"])
def test_every_registration_email_parses_strictly_with_its_subject_and_headers(smtp, script):
    made = send_every_registration_email(script=script)
    name = FORUM_NAMES[script]

    expected = [
        (f"Registration confirmed: {name}", made.confirmed.email),
        (f"You are on the waitlist: {name}", made.promoted.email),
        (f"Registration received: {name}", made.rejected.email),
        (f"Registration not accepted: {name}", made.rejected.email),
        (f"Registration updated: {name}", made.confirmed.email),
        (f"Registration cancelled: {name}", made.confirmed.email),
        (f"A place is now confirmed for you: {name}", made.promoted.email),
    ]
    assert len(smtp.received) == len(expected)
    for received, (subject, to) in zip(smtp.received, expected, strict=True):
        message = check_on_the_wire(received.raw, subject=subject, to=to)
        assert b"=?utf-8?" in b"".join(raw_header(received.raw, b"Subject"))
        if to == made.confirmed.email:  # registered by an assistant, who gets a copy
            assert message["Cc"] == made.assistant_email
            assert sorted(received.rcpt_tos) == sorted([to, made.assistant_email])


def test_every_account_email_parses_strictly_with_its_subject_and_headers(smtp):
    sent = send_every_account_email(host="localhost:8811", outbox=lambda: smtp.messages)

    assert len(smtp.received) == len(ACCOUNT_SUBJECTS) + 1  # and the new address's verification
    for template, subject in ACCOUNT_SUBJECTS.items():
        received = next(r for r in smtp.received if r.message is sent[template])
        check_on_the_wire(received.raw, subject=subject, to=sent[template]["To"])
