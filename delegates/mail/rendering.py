"""The words of a registration's emails: subject, plain text and HTML, rendered by the worker when it
first sends the row (``outbox.outbox_render``), in the site's language and the forum's time zone.

Each kind has a plain-text template (``delegates/email/<kind>.txt``: links as addresses on their own
lines) and an HTML one (``<kind>.html``, in the layout of ``message.html``: links as buttons and link
text). Absolute links, in these and in the account emails, come from ``absolute_url`` alone.
"""

from django.conf import settings
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_noop

from events.formatting import date_range, tz_label  # one way to say dates and zones

from ..enums import EmailKind
from ..models import Registration
from ..registration.selectors import signup_list_for_registration

# Marked for translation here, translated when the email is rendered (in the site's language).
SUBJECTS = {
    EmailKind.RECEIVED: gettext_noop("Registration received: {forum}"),
    EmailKind.CONFIRMED: gettext_noop("Registration confirmed: {forum}"),
    EmailKind.WAITLISTED: gettext_noop("You are on the waitlist: {forum}"),
    EmailKind.PROMOTED: gettext_noop("A place is now confirmed for you: {forum}"),
    EmailKind.REJECTED: gettext_noop("Registration not accepted: {forum}"),
    EmailKind.CANCELLED: gettext_noop("Registration cancelled: {forum}"),
    EmailKind.CHANGED: gettext_noop("Registration updated: {forum}"),
    EmailKind.ATTEMPT: gettext_noop("Your address was entered on the registration form: {forum}"),
}


def absolute_url(path: str) -> str:
    """``path`` on the site as the public knows it (``SITE_URL``), never as the request that led to
    the email happened to reach it."""
    return settings.SITE_URL.rstrip("/") + path


def email_copy_to(registration: Registration) -> str:
    """Who gets a copy of a registration's emails: the account that made it for someone else (a
    mayor's assistant), or nobody (empty)."""
    if (
        registration.registered_by_id
        and registration.registered_by.email
        and registration.registered_by.email.lower() != registration.email.lower()
    ):
        return registration.registered_by.email
    return ""


def email_render_text(template_name: str, context: dict) -> str:
    """Plain text is not HTML: no escaping, so “O'Brien & Partners” stays as typed."""
    text = get_template(template_name).template.render(Context(context, autoescape=False))
    return text.strip() + "\n"  # the templates' own trailing lines are not part of the message


def email_render(*, registration: Registration, kind: str, reason: str) -> tuple[str, str, str]:
    """(subject, text, html) of the email of ``kind`` about ``registration``."""
    forum = registration.forum
    context = {
        "registration": registration,
        "forum": forum,
        "kind": kind,
        "reason": reason,
        "forum_dates": date_range(forum.start_date, forum.end_date),
        "tz_label": tz_label(forum),
        "signups": signup_list_for_registration(registration=registration),
        "my_registrations_url": absolute_url(reverse("delegates:my-registrations")),
        "registration_url": absolute_url(reverse("delegates:registration", args=[registration.public_id])),
        "forum_url": absolute_url(reverse("events:forum", args=[forum.slug])),
        "badge_url": absolute_url(reverse("delegates:badge-download", args=[registration.public_id])),
        "time_zone": forum.time_zone,
        # The plain text gives the venue on one line; the HTML keeps the address's lines.
        "venue_address_line": ", ".join(
            line.strip() for line in forum.venue_address.splitlines() if line.strip()
        ),
        "show_status": kind == EmailKind.CHANGED,
        "to": registration.email,
        # A notice of an attempt goes to the delegate's address alone (``registration_attempt_notify``).
        "cc": "" if kind == EmailKind.ATTEMPT else email_copy_to(registration),
        "contact_email": forum.contact_email,
        "contact_phone": forum.secretariat_phone,
    }
    with translation.override(settings.LANGUAGE_CODE), timezone.override(forum.tz):
        subject = translation.gettext(SUBJECTS[kind]).format(forum=forum.name)
        context["subject"] = subject
        context["closes_at"] = (
            date_format(timezone.localtime(forum.registration_closes_at), "DATETIME_FORMAT")
            if forum.registration_closes_at
            else ""
        )
        text = email_render_text(f"delegates/email/{kind}.txt", context)
        html = render_to_string(f"delegates/email/{kind}.html", context)
    return subject, text, html
