"""Account emails and pages (``delegates/mail/account_adapter.py``, ``templates/account/``): allauth's
messages are the site's own — HTML and text, signed by the secretariat, with links on SITE_URL whatever
Host the request came by — written to the outbox and sent by the worker like registration emails; an
account is its email address, never a username; a sign-in lasts until the browser closes."""

import re
from pathlib import Path

import allauth
import pytest
from allauth.account.templatetags.account import user_display_tag
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.template.loader import get_template
from django.urls import reverse

from delegates.enums import EmailKind, OutboxStatus
from delegates.mail.account_adapter import user_display
from delegates.models import EmailOutbox
from tests.delegates.accounts import verified_user
from tests.delegates.mail.every_email import (
    ACCOUNT_EMAIL,
    ACCOUNT_SUBJECTS,
    SECRETARIAT,
    html_links,
    send_every_account_email,
    text_urls,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SITE = "https://events.example.org"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def site(settings):
    """The site as the public knows it, and a secretariat address for replies."""
    settings.SITE_URL = SITE
    settings.SECRETARIAT_EMAIL = SECRETARIAT


def test_account_emails_go_through_the_outbox(client, site, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "new.mayor@city.example.org",
                "password1": "a long passphrase 42",
                "password2": "a long passphrase 42",
            },
        )

    assert response.status_code == 302
    row = EmailOutbox.objects.get(kind=EmailKind.ACCOUNT)
    assert (row.to, row.status, row.attempts, row.registration_id, row.subject) == (
        "new.mayor@city.example.org",
        OutboxStatus.SENT,
        1,
        None,
        "[AMF Events] Please confirm your email address",
    )
    [message] = mail.outbox
    assert (message.to, message.subject, message.reply_to) == (
        ["new.mayor@city.example.org"],
        row.subject,
        [SECRETARIAT],
    )
    assert re.search(rf"^{SITE}/accounts/confirm-email/[^/\s]+/$", message.body, re.MULTILINE)
    assert message.alternatives == [(row.body_html, "text/html")]


@pytest.fixture
def every_account_email(site):
    """Every account email, caused by requests that reached the site as localhost:8811."""
    return send_every_account_email(host="localhost:8811", outbox=lambda: mail.outbox)


def test_every_account_email_has_the_sites_subject_greeting_and_signature(every_account_email):
    assert {
        template: message.subject for template, message in every_account_email.items()
    } == ACCOUNT_SUBJECTS
    for template, message in every_account_email.items():
        assert message.body.startswith("Dear Sir or Madam,\n\n"), template
        assert "\n--\nAMF Events, the registration site of the ASEAN Mayors Forum\n" in message.body, template
        assert f"\nEmail: {SECRETARIAT}\n{SITE}/\n" in message.body, template
        assert message.body.endswith(f"Sent to {message.to[0]}."), template
        assert "Hello from" not in message.body and "Thank you for using" not in message.body, template
        assert message.reply_to == [SECRETARIAT], template


def test_every_account_email_links_only_to_site_url_whatever_the_host(every_account_email):
    for template, message in every_account_email.items():
        [(html, mimetype)] = message.alternatives
        links = html_links(html)
        web_links = {href for href, _text in links if not href.startswith("mailto:")}

        assert mimetype == "text/html", template
        assert "localhost" not in message.body and "localhost" not in html, template
        assert all(href.startswith(f"{SITE}/") for href in web_links), (template, web_links)
        # The same links in both parts: a web address of the text is a link of the HTML.
        assert text_urls(message.body) == web_links, template
        assert [href for href, _text in links if href.startswith("mailto:")] == [f"mailto:{SECRETARIAT}"]
        for href, text in links:  # a link says where it goes, in words
            assert text and not text.startswith(("http", "www")), (template, href, text)


def test_account_emails_say_the_address_never_the_username(every_account_email):
    user = get_user_model().objects.get()
    username = user.username

    assert username == user.email.lower()  # the name Django keeps is the address, changes included
    for template, message in every_account_email.items():
        [(html, _mimetype)] = message.alternatives
        for part in (message.body, html):
            without_addresses = re.sub(r"[\w.+-]+@[\w.-]+", "", part)
            assert username not in without_addresses, template
    signup = every_account_email["account/email/email_confirmation_signup"].body
    assert f"please confirm that {ACCOUNT_EMAIL} is your email address." in signup


def test_password_reset_email_says_how_long_the_link_lasts_and_what_to_ignore(every_account_email):
    message = every_account_email["account/email/password_reset_key"]

    body = message.body.split("\n\n")
    assert body[1] == (
        f"We received a request to reset the password of the AMF Events account {ACCOUNT_EMAIL}."
    )
    assert re.fullmatch(rf"Choose a new password:\n{SITE}/accounts/password/reset/key/[\w-]+/", body[2])
    assert body[3] == "The link is valid for 3 days and can be used once."
    assert body[4] == (
        "If you did not ask for this, you can safely ignore this email: your password stays as it is. "
        "If such emails keep arriving, please tell the secretariat."
    )


def test_change_notices_say_when_where_from_and_what_to_do(every_account_email):
    message = every_account_email["account/email/email_changed"]

    assert message.to == [ACCOUNT_EMAIL]  # the address that was replaced
    assert (
        "The email address of your AMF Events account was changed from "
        f"{ACCOUNT_EMAIL} to governor.office@bangkok.example.org." in message.body
    )
    assert f"Choose a new password:\n{SITE}/accounts/password/reset/\n" in message.body
    assert re.search(
        r"The change was made:\n- Time: \d{1,2} \w+ \d{4}, \d\d:\d\d UTC\n- IP address: 127\.0\.0\.1\n"
        r"- Browser: Mozilla/5\.0 \(X11; Linux x86_64\) Chromium/120\.0\n",
        message.body,
    )


def test_every_email_allauth_can_send_has_the_sites_html_and_text():
    allauth_templates = Path(allauth.__file__).parent / "templates"
    prefixes = {
        str(path.relative_to(allauth_templates)).removesuffix("_message.txt")
        for folder in ("account/email", "mfa/email")
        for path in (allauth_templates / folder).glob("*_message.txt")
        if path.name != "base_message.txt"  # the layout, not an email
    }

    assert prefixes == set(ACCOUNT_SUBJECTS)  # so the tests above saw every kind
    for prefix in sorted(prefixes):
        for suffix in ("_subject.txt", "_message.txt", "_message.html"):
            origin = Path(get_template(prefix + suffix).origin.name)
            assert origin.is_relative_to(ROOT / "templates"), prefix + suffix


# --- No usernames, no "Remember me" --------------------------------------------------------------------


def test_user_display_is_the_email_address():
    user = UserFactory(username="assistant.pp", email="assistant@phnompenh.example.org")

    assert (user_display(user), user_display_tag(user)) == (
        "assistant@phnompenh.example.org",
        "assistant@phnompenh.example.org",
    )


def test_signing_in_says_the_email_address_not_the_username(client):
    user = verified_user("assistant@phnompenh.example.org", username="assistant.pp")
    user.set_password("Mekong-river-2031!")
    user.save()

    response = client.post(
        reverse("account_login"),
        {"login": "assistant@phnompenh.example.org", "password": "Mekong-river-2031!"},
        follow=True,
    )

    page = response.content.decode()
    assert [str(message) for message in response.context["messages"]] == [
        "You are signed in as assistant@phnompenh.example.org."
    ]
    assert "assistant.pp" not in page
    assert "Successfully signed in" not in page


def test_sign_in_page_has_no_remember_me_and_says_how_long_a_sign_in_lasts(client):
    page = client.get(reverse("account_login")).content.decode()

    assert "remember" not in page.lower()
    assert (
        "You stay signed in until you close your browser. On a shared computer, please sign out when you "
        "are done." in " ".join(page.split())
    )


def test_a_sign_in_lasts_until_the_browser_closes(client):
    user = verified_user("assistant@phnompenh.example.org")
    user.set_password("Mekong-river-2031!")
    user.save()

    client.post(
        reverse("account_login"),
        {"login": "assistant@phnompenh.example.org", "password": "Mekong-river-2031!"},
    )

    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    assert (cookie["expires"], cookie["max-age"]) == ("", "")
    assert client.session.get_expire_at_browser_close() is True


def test_admin_greets_staff_by_email_address(client):
    staff = UserFactory(username="secretariat.staff", email="staff@uclg-aspac.example.org", is_staff=True)
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)

    page = " ".join(client.get(reverse("admin:index")).content.decode().split())

    assert "Welcome, <strong>staff@uclg-aspac.example.org</strong>." in page
    assert "secretariat.staff" not in page


# --- The username Django keeps is the address --------------------------------------------------------


def test_a_new_account_is_named_by_its_email_address(client):
    client.post(
        reverse("account_signup"),
        {
            "email": "Assistant.PP@Phnompenh.example.org",
            "password1": "a long passphrase 2031",
            "password2": "a long passphrase 2031",
        },
    )

    user = get_user_model().objects.get(email__iexact="assistant.pp@phnompenh.example.org")
    assert user.username == "assistant.pp@phnompenh.example.org"
    assert str(user) == "assistant.pp@phnompenh.example.org"  # what the admin shows


def test_the_username_follows_a_changed_primary_address(client):
    from allauth.account.models import EmailAddress
    from allauth.account.signals import email_changed

    user = verified_user("old-office@city-hall.example.org")
    new = EmailAddress.objects.create(user=user, email="new-office@city-hall.example.org", verified=True)
    old = EmailAddress.objects.get(user=user, email="old-office@city-hall.example.org")

    email_changed.send(
        sender=EmailAddress, request=None, user=user, from_email_address=old, to_email_address=new
    )

    user.refresh_from_db()
    assert user.username == "new-office@city-hall.example.org"


def test_the_username_stays_when_another_account_holds_the_address_as_its_name():
    from allauth.account.models import EmailAddress
    from allauth.account.signals import email_changed

    UserFactory(username="taken@city-hall.example.org", email="someone@else.example.org")
    user = verified_user("mine@city-hall.example.org")
    new = EmailAddress.objects.create(user=user, email="taken@city-hall.example.org", verified=True)

    email_changed.send(
        sender=EmailAddress, request=None, user=user, from_email_address=None, to_email_address=new
    )

    user.refresh_from_db()
    assert user.username != "taken@city-hall.example.org"


def test_the_migration_names_existing_accounts_by_their_addresses():
    import importlib

    from django.apps import apps as global_apps

    migration = importlib.import_module("delegates.migrations.0006_usernames_are_emails")
    office = UserFactory(username="assistant.pp", email="Assistant@City-Hall.example.org")
    clash = UserFactory(username="clash", email="taken@city-hall.example.org")
    holder = UserFactory(username="taken@city-hall.example.org", email="")

    migration.usernames_from_emails(global_apps, None)

    office.refresh_from_db()
    clash.refresh_from_db()
    holder.refresh_from_db()
    assert (office.username, clash.username, holder.username) == (
        "assistant@city-hall.example.org",
        "clash",
        "taken@city-hall.example.org",
    )
