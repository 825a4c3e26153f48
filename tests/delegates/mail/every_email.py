"""Every kind of email the product sends, made the way production makes them: registration emails
through the registration services, account emails through allauth's own pages (sign-up, password
reset, password change, email change) or, for those no page here can trigger in a test (two-factor
set-up, codes), through the account adapter as allauth calls it.

Plain helpers, not fixtures, for the mail tests, the strict-parsing test over SMTP and the browser
tests at 360 px. They need a database and Celery in eager mode (an email is sent when its row
commits); each returns what it made.
"""

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from allauth.account.adapter import get_adapter
from allauth.core import context as allauth_context
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client, RequestFactory, TestCase
from django.urls import reverse
from django.utils import timezone

from delegates.enums import EmailKind
from delegates.models import Registration
from delegates.registration.services import (
    registration_cancel,
    registration_reject,
    registration_submit,
    registration_update,
)
from tests.delegates.registration.submissions import delegate_data
from tests.factories import DelegateCategoryFactory, ForumFactory, SessionFactory, UserFactory

# Forum names in the scripts of the host countries, long enough to need folding in a subject.
FORUM_NAMES = {
    "th": "การประชุมนายกเทศมนตรีอาเซียน ครั้งที่ 12 ณ กรุงเทพมหานคร ประเทศไทย 2031",
    "km": "វេទិកាអភិបាលក្រុងអាស៊ាន លើកទី ១២ នៅរាជធានីភ្នំពេញ ព្រះរាជាណាចក្រកម្ពុជា ២០៣១",
    "vi": "Diễn đàn Thị trưởng các thành phố ASEAN lần thứ 12 tại Thành phố Hồ Chí Minh 2031",
}
# Names in native script with no space to break at (Thai and Khmer are written without spaces between
# words): the test of a layout that must not grow wider than a phone.
LONG_NATIVE_NAMES = {
    "th": ("สมชายใจดีรัตนโกสินทร์มหินทรายุธยามหาดิลกภพนพรัตน์ราชธานีบุรีรมย์", "th"),
    "km": ("សុខវិបុលសម្តេចព្រះមហាក្សត្រនរោត្តមសីហមុនីព្រះបរមរាជា", "km"),
    "vi": ("Nguyễn Thị Thanh Hương Phạm Hoàng Bảo Ngọc Trần", "vi"),
}
SECRETARIAT = "secretariat@uclg-aspac.example.org"
SECRETARIAT_PHONE = "+62 21 5000 1234"
ACCOUNT_EMAIL = "assistant.to.the.governor@bangkok-metropolitan.example.org"
PASSWORD = "Chao-Phraya-river-2031!"

REGISTRATION_KINDS = (
    EmailKind.RECEIVED,
    EmailKind.CONFIRMED,
    EmailKind.WAITLISTED,
    EmailKind.PROMOTED,
    EmailKind.REJECTED,
    EmailKind.CANCELLED,
    EmailKind.CHANGED,
)


@dataclass
class RegistrationEmails:
    forum_name: str
    confirmed: Registration  # confirmed, then changed, then cancelled (registered by an assistant)
    promoted: Registration  # waitlisted, then promoted
    rejected: Registration  # received (pending approval), then rejected
    assistant_email: str


def _committed(action):
    """Run ``action`` and the work it leaves for after commit (the emails), also inside a test's
    transaction."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return action()


def send_every_registration_email(*, script: str, slug: str = "amf-2031") -> RegistrationEmails:
    """A forum named in ``script`` (th, km, vi), with a secretariat contact, and the seven
    registration emails, each sent once, in this order: confirmed, waitlisted, received, rejected,
    changed, cancelled, promoted."""
    now = timezone.now()
    forum = ForumFactory(
        name=FORUM_NAMES[script],
        slug=slug,
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=30),
        venue_address="Jl. Walikota Mustajab No. 1, Ketabang, Genteng\nSurabaya, East Java 60272",
        secretariat_email=SECRETARIAT,
        secretariat_phone=SECRETARIAT_PHONE,
    )
    mayors = DelegateCategoryFactory(forum=forum, name="Mayor / Governor", slug="mayor", capacity=1)
    partners = DelegateCategoryFactory(
        forum=forum, name="Partner organisation", slug="partner", requires_approval=True
    )
    visit = SessionFactory(forum=forum, title="Site visit: river clean-up", requires_signup=True, capacity=5)
    assistant = UserFactory(email="assistant@bangkok.example.org")
    staff = UserFactory(email="staff@uclg-aspac.example.org", is_staff=True)
    native_name, lang = LONG_NATIVE_NAMES[script]

    def submit(category, n, by=None):
        return _committed(
            lambda: registration_submit(
                forum=forum,
                category=category,
                data=delegate_data(n, native_name=native_name, native_name_lang=lang),
                session_ids=[visit.id],
                registered_by=by,
            )
        )

    confirmed = submit(mayors, 1, by=assistant)
    waitlisted = submit(mayors, 2)
    pending = submit(partners, 3)
    _committed(
        lambda: registration_reject(
            registration=pending,
            actor=staff,
            reason="The partner category is for organisations that support the forum.\n"
            "Please register as a city official instead.",
        )
    )
    _committed(
        lambda: registration_update(registration=confirmed, data={"position": "Governor"}, actor=assistant)
    )
    _committed(
        lambda: registration_cancel(registration=confirmed, actor=assistant, reason="Travel cancelled")
    )
    return RegistrationEmails(
        forum_name=forum.name,
        confirmed=confirmed,
        promoted=waitlisted,
        rejected=pending,
        assistant_email=assistant.email,
    )


# --- Account emails ------------------------------------------------------------------------------------

# The account emails, by allauth template, each with its subject.
ACCOUNT_SUBJECTS = {
    "account/email/email_confirmation_signup": "[AMF Events] Please confirm your email address",
    "account/email/account_already_exists": "[AMF Events] You already have an account",
    "account/email/unknown_account": "[AMF Events] No account with this email address",
    "account/email/password_reset_key": "[AMF Events] Choose a new password",
    "account/email/password_reset": "[AMF Events] Your password was reset",
    "account/email/password_changed": "[AMF Events] Your password was changed",
    "account/email/email_confirmation": "[AMF Events] Please confirm your email address",
    "account/email/email_deleted": "[AMF Events] An email address was removed from your account",
    "account/email/email_changed": "[AMF Events] The email address of your account was changed",
    "account/email/password_set": "[AMF Events] A password was set for your account",
    "account/email/email_confirm": "[AMF Events] Your email address was confirmed",
    "account/email/login_code": "[AMF Events] Your sign-in code",
    "account/email/password_reset_code": "[AMF Events] Your password reset code",
    "mfa/email/totp_activated": "[AMF Events] Two-factor authentication was turned on",
    "mfa/email/totp_deactivated": "[AMF Events] Two-factor authentication was turned off",
    "mfa/email/recovery_codes_generated": "[AMF Events] New recovery codes for your account",
    "mfa/email/webauthn_added": "[AMF Events] A security key was added to your account",
    "mfa/email/webauthn_removed": "[AMF Events] A security key was removed from your account",
}
# Sent by the adapter as allauth's flows call it (no page of this site can trigger them in a test:
# a TOTP code, a security key, an account without a password, codes instead of links).
ADAPTER_ONLY = (
    "account/email/password_set",
    "account/email/email_confirm",
    "account/email/login_code",
    "account/email/password_reset_code",
    "mfa/email/totp_activated",
    "mfa/email/totp_deactivated",
    "mfa/email/recovery_codes_generated",
    "mfa/email/webauthn_added",
    "mfa/email/webauthn_removed",
)


def link_in(text: str, path_start: str) -> str:
    """The first absolute link in ``text`` whose path starts with ``path_start``."""
    return re.search(rf"https?://[^/\s]+{re.escape(path_start)}\S*", text).group(0)


def path_of(link: str) -> str:
    return urlsplit(link).path


def send_every_account_email(*, host: str, outbox: Callable[[], Sequence]) -> dict[str, object]:
    """Every account email, in the order of ``ACCOUNT_SUBJECTS``, through a browser-like client that
    reaches the site as ``host`` (not SITE_URL's host). ``outbox()`` gives the messages sent so far
    (``mail.outbox``, or those an SMTP server received); returns the sent ones by template."""
    cache.clear()  # allauth's rate limits count in the cache
    client = Client(HTTP_HOST=host, HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Chromium/120.0")
    sent: dict[str, object] = {}

    def expect(template: str, action) -> object:
        before = len(outbox())
        _committed(action)
        assert len(outbox()) == before + 1, f"{template}: {len(outbox()) - before} emails"
        sent[template] = outbox()[-1]
        return sent[template]

    def body(message) -> str:
        return message.body if hasattr(message, "body") else message.get_body(("plain",)).get_content()

    signup = {"email": ACCOUNT_EMAIL, "password1": PASSWORD, "password2": PASSWORD}
    verification = expect(
        "account/email/email_confirmation_signup", lambda: client.post(reverse("account_signup"), signup)
    )
    cache.clear()  # at most one verification email per address in three minutes
    someone_else = Client(HTTP_HOST=host)
    expect(
        "account/email/account_already_exists", lambda: someone_else.post(reverse("account_signup"), signup)
    )
    response = client.post(path_of(link_in(body(verification), "/accounts/confirm-email/")))
    assert response.status_code == 302, response
    client.logout()

    expect(
        "account/email/unknown_account",
        lambda: client.post(reverse("account_reset_password"), {"email": "nobody@nowhere.example.org"}),
    )
    reset = expect(
        "account/email/password_reset_key",
        lambda: client.post(reverse("account_reset_password"), {"email": ACCOUNT_EMAIL}),
    )
    form_page = client.get(path_of(link_in(body(reset), "/accounts/password/reset/key/")), follow=True)
    assert form_page.status_code == 200, form_page
    new_password = PASSWORD + "-new"
    expect(
        "account/email/password_reset",
        lambda: client.post(
            form_page.redirect_chain[-1][0], {"password1": new_password, "password2": new_password}
        ),
    )

    signed_in = client.post(reverse("account_login"), {"login": ACCOUNT_EMAIL, "password": new_password})
    assert signed_in.status_code == 302, signed_in
    third_password = PASSWORD + "-third"
    expect(
        "account/email/password_changed",
        lambda: client.post(
            reverse("account_change_password"),
            {"oldpassword": new_password, "password1": third_password, "password2": third_password},
        ),
    )
    expect(
        "account/email/email_confirmation",
        lambda: client.post(
            reverse("account_email"), {"email": "new.office@bangkok.example.org", "action_add": ""}
        ),
    )
    expect(
        "account/email/email_deleted",
        lambda: client.post(
            reverse("account_email"), {"email": "new.office@bangkok.example.org", "action_remove": ""}
        ),
    )
    new_address = "governor.office@bangkok.example.org"
    _committed(lambda: client.post(reverse("account_email"), {"email": new_address, "action_add": ""}))
    confirm = path_of(link_in(body(outbox()[-1]), "/accounts/confirm-email/"))
    expect("account/email/email_changed", lambda: client.post(confirm))

    user = get_user_model().objects.get(emailaddress__email=new_address)
    request = RequestFactory().get("/accounts/", HTTP_HOST=host, HTTP_USER_AGENT="Mozilla/5.0 Chromium/120.0")
    request.user = user
    with allauth_context.request_context(request):
        adapter = get_adapter(request)
        for template in ADAPTER_ONLY:
            if template.endswith("_code"):
                expect(template, lambda t=template: adapter.send_mail(t, user.email, {"code": "Q7X4MZ"}))
            else:
                expect(template, lambda t=template: adapter.send_notification_mail(t, user))
    return sent


# --- Reading what was sent -----------------------------------------------------------------------------

URL = re.compile(r"https?://\S+")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href, self._text = dict(attrs).get("href", ""), []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None


def html_links(html: str) -> list[tuple[str, str]]:
    """(href, visible text) of every link of an HTML part."""
    parser = _Links()
    parser.feed(html)
    return parser.links


def text_urls(text: str) -> set[str]:
    """The web addresses written in a plain-text part."""
    return set(URL.findall(text))
