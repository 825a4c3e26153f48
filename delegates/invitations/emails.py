"""The invitation email: written when it is queued, because it carries the personal link, whose token
is known only at that moment (the invitation keeps its hash). In the site's language and the forum's
time zone, in the layout of the other emails; the link also stands on its own line in the text."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_noop

from events.formatting import date_range

from ..mail.outbox import outbox_invitation_queue
from ..mail.rendering import absolute_url, email_render_text
from ..models import EmailOutbox, Invitation

SUBJECT = gettext_noop("Invitation to register: {forum}")


def invitation_url(token: str) -> str:
    return absolute_url(reverse("delegates:invitation", args=[token]))


def invitation_email_render(*, invitation: Invitation, token: str) -> tuple[str, str, str]:
    """(subject, text, html) of the invitation with the personal link of ``token``."""
    forum = invitation.forum
    with translation.override(settings.LANGUAGE_CODE), timezone.override(forum.tz):
        subject = translation.gettext(SUBJECT).format(forum=forum.name)
        context = {
            "subject": subject,
            "invitation": invitation,
            "forum": forum,
            "category": invitation.category.name,
            "forum_dates": date_range(forum.start_date, forum.end_date),
            "invitation_url": invitation_url(token),
            "closes_at": (
                date_format(timezone.localtime(forum.registration_closes_at), "DATETIME_FORMAT")
                if forum.registration_closes_at
                else ""
            ),
            "to": invitation.email,
            "cc": "",
            "contact_email": forum.contact_email,
            "contact_phone": forum.secretariat_phone,
        }
        text = email_render_text("delegates/email/invitation.txt", context)
        html = render_to_string("delegates/email/invitation.html", context)
    return subject, text, html


def invitation_email_queue(*, invitation: Invitation, token: str) -> EmailOutbox:
    """Write the email of the invitation's latest sending (``times_sent``) to the outbox; sent after
    commit."""
    subject, text, html = invitation_email_render(invitation=invitation, token=token)
    return outbox_invitation_queue(
        invitation=invitation,
        key=f"invitation:{invitation.pk}:{invitation.times_sent}",
        subject=subject,
        body_text=text,
        body_html=html,
    )
