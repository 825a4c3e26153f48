"""What an email says (``delegates/mail/rendering.py``): the plain text exactly as typed, the HTML
escaped, and every script intact; every web address of the text part is a link with words in the HTML
part; the secretariat signs, with its contact, and a reply reaches it."""

import pytest
from django.core import mail

from delegates.registration.services import registration_reject
from tests.delegates.mail.every_email import (
    SECRETARIAT,
    html_links,
    send_every_registration_email,
    text_urls,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_plain_text_is_not_html_escaped_and_every_script_survives(
    open_forum, mayors, register, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        register(
            open_forum,
            mayors,
            1,
            honorific="Dr.",
            given_name="Seán",
            family_name="O'Brien & Partners",
            badge_name="Seán O'Brien & Partners",
            native_name="សុខ សុភា",
            native_name_lang="km",
        )

    [message] = mail.outbox
    assert "Dear Dr. Seán O'Brien & Partners," in message.body
    assert "Delegate: Dr. Seán O'Brien & Partners (សុខ សុភា)" in message.body
    html = message.alternatives[0][0]
    assert "Dear Dr. Seán O&#x27;Brien &amp; Partners," in html
    assert "សុខ សុភា" in html


# --- Every registration email: links, both parts, the secretariat ---------------------------------------

SITE = "https://events.example.org"


@pytest.fixture
def sent(settings):
    """The seven registration emails of a forum with a secretariat contact, as sent."""
    settings.SITE_URL = SITE
    made = send_every_registration_email(script="th")
    return made, {message.extra_headers["X-AMF-Outbox"]: message for message in mail.outbox}


def test_every_registration_email_links_every_address_of_its_text(sent):
    _made, messages = sent

    assert len(messages) == 7
    for message in messages.values():
        [(html, mimetype)] = message.alternatives
        links = html_links(html)
        web = {href for href, _text in links if href.startswith("http")}
        assert mimetype == "text/html"
        assert "white-space:pre-line" not in html  # the HTML is written as HTML, not text in a box
        assert text_urls(message.body) == web, message.subject
        assert all(href.startswith(f"{SITE}/") for href in web), web
        assert [href for href, _text in links if not href.startswith("http")] == [
            f"mailto:{SECRETARIAT}",
            "tel:+622150001234",
        ]
        for href, text in links:
            assert text and not text.startswith("http"), (href, text)


def test_confirmation_email_offers_the_badge_and_the_registration_as_links(sent):
    made, messages = sent
    confirmed = next(m for m in messages.values() if m.subject.startswith("Registration confirmed"))
    registration_url = f"{SITE}/my/registrations/{made.confirmed.public_id}/"

    assert html_links(confirmed.alternatives[0][0])[:5] == [
        (f"{registration_url}badge.pdf", "Download your name badge (PDF)"),
        (registration_url, "See or change your registration"),
        (f"{SITE}/my/registrations/", "All your registrations"),
        (f"{SITE}/forums/amf-2031/", "Programme and practical information"),
        (f"mailto:{SECRETARIAT}", SECRETARIAT),
    ]
    assert (
        f"Your name badge (PDF), to print or to show at the registration desk:\n{registration_url}badge.pdf\n"
    ) in confirmed.body
    assert f"See or change your registration:\n{registration_url}\n" in confirmed.body


def test_registration_emails_are_signed_with_the_secretariat_contact_and_say_who_got_them(sent):
    made, messages = sent
    confirmed = next(m for m in messages.values() if m.subject.startswith("Registration confirmed"))

    assert confirmed.body.endswith(
        "--\nASEAN Mayors Forum secretariat\nUCLG ASPAC\n"
        f"Email: {SECRETARIAT}\nPhone: +62 21 50001234\n\n"
        f"Sent to {made.confirmed.email}, with a copy to {made.assistant_email}, who made the registration.\n"
    )
    assert confirmed.reply_to == [SECRETARIAT]


def test_rejection_says_a_reply_reaches_the_secretariat(sent):
    _made, messages = sent
    rejected = next(m for m in messages.values() if m.subject.startswith("Registration not accepted"))

    assert (
        "Reason: The partner category is for organisations that support the forum.\n"
        "Please register as a city official instead.\n\n"
        "If you believe this is a mistake, please reply to this email: your reply goes to the secretariat.\n"
    ) in rejected.body
    assert "See your registration:\n" in rejected.body and "See or change" not in rejected.body
    html = " ".join(rejected.alternatives[0][0].split())
    assert (
        "The partner category is for organisations that support the forum.<br>Please register as a city "
        "official instead." in html
    )


def test_without_any_secretariat_address_a_rejection_asks_to_contact_the_secretariat(
    open_forum, partners, register, settings, django_capture_on_commit_callbacks
):
    settings.SECRETARIAT_EMAIL = ""
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(open_forum, partners, 1)
    with django_capture_on_commit_callbacks(execute=True):
        registration_reject(registration=registration, actor=UserFactory(is_staff=True), reason="")

    rejected = mail.outbox[-1]
    assert "If you believe this is a mistake, please contact the secretariat." in rejected.body
    assert rejected.body.endswith(
        f"--\nASEAN Mayors Forum secretariat\nUCLG ASPAC\n\nSent to {registration.email}.\n"
    )
    assert rejected.reply_to == []
    assert "mailto:" not in rejected.alternatives[0][0]
