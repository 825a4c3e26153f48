"""The words of an email staff wrote to delegates, for one registration: the subject and message with
their placeholders filled (``placeholders``), in the layout of every email (``message.html``), as plain
text and HTML. Rendered by the worker when it first sends the row (``outbox.outbox_render``), and by the
preview, the same way.

The message is plain paragraphs: a blank line starts a new one, a line break stays a line break, and web
addresses become links in the HTML part. Everything — staff's words and delegates' values alike — is
escaped there: nothing typed becomes markup.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import format_html_join, urlize
from django.utils.safestring import SafeString, mark_safe

from ..models import Registration, StaffEmail
from .placeholders import placeholder_values, placeholders_fill
from .rendering import email_copy_to, email_render_text

TEMPLATE = "delegates/email/staff"


def _paragraphs(text: str) -> list[str]:
    blocks = [block.strip("\n") for block in text.replace("\r\n", "\n").split("\n\n")]
    return [block for block in blocks if block.strip()]


def message_html(text: str) -> SafeString:
    """Plain text as HTML paragraphs, escaped, with its web addresses as links."""
    return format_html_join(
        "\n",
        '<p style="margin:0 0 16px">{}</p>',
        (
            (mark_safe(urlize(paragraph, nofollow=True, autoescape=True).replace("\n", "<br>")),)  # noqa: S308 - urlize escaped it
            for paragraph in _paragraphs(text)
        ),
    )


def staff_email_render(*, staff_email: StaffEmail, registration: Registration) -> tuple[str, str, str]:
    """(subject, text, html) of ``staff_email`` for ``registration`` (forum, category and the account
    that registered them loaded). The layout's own words are in the site's language (one language for
    now: ``LANGUAGES``), its times in the forum's zone."""
    values = placeholder_values(registration)
    subject = placeholders_fill(staff_email.subject, values)
    body = placeholders_fill(staff_email.body, values).strip()
    forum = registration.forum
    context = {
        "subject": subject,
        "forum": forum,
        "body": body,
        "body_html": message_html(body),
        "to": registration.email,
        "cc": email_copy_to(registration),
        "contact_email": forum.contact_email,
        "contact_phone": forum.secretariat_phone,
    }
    with translation.override(settings.LANGUAGE_CODE), timezone.override(forum.tz):
        text = email_render_text(f"{TEMPLATE}.txt", context)
        html = render_to_string(f"{TEMPLATE}.html", context)
    return subject, text, html


__all__ = ["message_html", "staff_email_render"]
