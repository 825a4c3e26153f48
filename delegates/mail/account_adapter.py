"""Account emails (verification, password reset, email change) go through the same outbox as
registration emails: a broken mail relay never turns a sign-up into an error page, and every message is
retried until it is delivered."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site

from .outbox import outbox_account_queue


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": get_current_site(request), **context},
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
