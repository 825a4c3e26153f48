"""Account emails (verification, password reset, email change) go through the same outbox as
registration emails: a broken mail relay never turns a sign-up into an error page, and every message is
retried until it is delivered."""

import uuid

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site

from .enums import EmailKind
from .models import EmailOutbox
from .services.emails import enqueue_on_commit


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
        outbox = EmailOutbox.objects.create(
            key=f"account:{uuid.uuid4()}",
            kind=EmailKind.ACCOUNT,
            to=email,
            subject=message.subject,
            body_text=message.body,
            body_html=html,
        )
        enqueue_on_commit(outbox_id=outbox.pk)
