"""Account emails (address verification, password reset, the notices of changes to an account) go
through the same outbox as registration emails: a broken mail relay never turns a sign-up into an error
page, and every message is retried until it is delivered.

They are the site's emails: HTML and plain text in the layout of the registration emails (templates
in ``templates/account/email/``), signed by the secretariat, and every link in them is built from
``SITE_URL`` (``rendering.absolute_url``), never from the Host of the request that caused them: a
request that reached the site by another name (an IP address, a port, a forged Host) cannot put that
name into a password-reset link.

An account is its email address: ``user_display`` (allauth's ``ACCOUNT_USER_DISPLAY``) shows the
address wherever allauth would show the user; the usernames Django keeps are never shown.
"""

import functools
import logging
from typing import Any
from urllib.parse import quote

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_str

from .outbox import outbox_account_queue
from .rendering import absolute_url

logger = logging.getLogger(__name__)

SECONDS_PER_DAY = 24 * 60 * 60


def user_display(user) -> str:
    """How allauth names an account: by its email address."""
    return getattr(user, "email", "") or force_str(user._meta.verbose_name)


def account_links() -> dict[str, str]:
    """The pages account emails point to, as absolute links on ``SITE_URL``."""
    return {
        "site": absolute_url("/"),
        "login": absolute_url(reverse("account_login")),
        "signup": absolute_url(reverse("account_signup")),
        "password_reset": absolute_url(reverse("account_reset_password")),
        "password_change": absolute_url(reverse("account_change_password")),
        "email": absolute_url(reverse("account_email")),
        "registrations": absolute_url(reverse("delegates:my-registrations")),
    }


def username_for(email: str) -> str | None:
    """The username Django keeps for an account: its email address (lower case), so that wherever
    Django shows a user — the admin's lists, histories, "registered by" — people read the address they
    know. None when the address does not fit the username column (150 characters)."""
    username = (email or "").strip().lower()
    return username if 0 < len(username) <= 150 else None


def username_follow_email(*, user, email: str) -> None:
    """After an account's primary address changed: its username follows, unless another account
    holds that name already (then the old one stays; it is never shown anyway)."""
    username = username_for(email)
    model = type(user)
    if username and not model._default_manager.filter(username=username).exclude(pk=user.pk).exists():
        model._default_manager.filter(pk=user.pk).update(username=username)
        user.username = username


@functools.cache
def _warn_proxy_count_once() -> None:
    logger.warning(
        "X-Forwarded-For holds fewer addresses than TRUSTED_PROXY_COUNT: check the number of proxies "
        "in front of the site; counting such requests by the first address"
    )


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        """allauth's answer (``amf/client_address.py``), except that a request whose
        ``X-Forwarded-For`` holds fewer addresses than ``TRUSTED_PROXY_COUNT`` (it came past fewer
        proxies than configured: a misconfiguration, or an inner proxy reached directly) is counted by
        the first address there — the one our outermost proxy that saw it wrote — instead of failing
        the request with a 500."""
        try:
            return super().get_client_ip(request)
        except ImproperlyConfigured:
            _warn_proxy_count_once()
            first = request.headers.get("x-forwarded-for", "").split(",")[0].strip()
            return first or request.META.get("REMOTE_ADDR") or super().get_client_ip(request)

    def populate_username(self, request, user) -> None:
        username = username_for(getattr(user, "email", ""))
        if username and not type(user)._default_manager.filter(username=username).exists():
            user.username = username
            return
        super().populate_username(request, user)  # an address longer than a username: allauth's own

    # --- Links: from SITE_URL only --------------------------------------------------------------

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return absolute_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        # As allauth builds it: the key is opaque here ("<uidb36>-<token>"), the URL pattern is not.
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return absolute_url(path.replace("UID-KEY", quote(key)))

    def send_account_already_exists_mail(self, email: str) -> None:
        self.send_mail("account/email/account_already_exists", email, {})

    # --- Rendering and sending ------------------------------------------------------------------

    def render_mail(self, template_prefix: str, email, context: dict[str, Any], headers=None):
        # The HTML part's <title> is the subject, which allauth renders separately.
        subject = render_to_string(f"{template_prefix}_subject.txt", context)
        subject = self.format_email_subject(" ".join(subject.splitlines()).strip())
        return super().render_mail(template_prefix, email, {**context, "subject": subject}, headers)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render the message and write it to the outbox (sent after the request's transaction
        commits). Links that allauth built from the request (``signup_url``) are replaced by ours."""
        links = account_links()
        message = self.render_mail(
            template_prefix,
            email,
            {
                "request": allauth_context.request,
                "email": email,
                **context,
                "links": links,
                "signup_url": links["signup"],
                "confirmation_days": account_settings.EMAIL_CONFIRMATION_EXPIRE_DAYS,
                "password_reset_days": max(1, settings.PASSWORD_RESET_TIMEOUT // SECONDS_PER_DAY),
                "contact_email": settings.SECRETARIAT_EMAIL,
            },
        )
        html = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        outbox_account_queue(to=email, subject=message.subject, body_text=message.body, body_html=html)
