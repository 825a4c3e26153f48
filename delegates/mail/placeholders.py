"""The placeholders staff may put in the subject and message of an email to delegates: ``{name}``,
``{reference}``, ``{registration_link}``… Each is filled from the registration it goes to.

The text is read with Python's own format-string grammar (``string.Formatter.parse``): ``{{`` and
``}}`` write a brace; a brace left open or closed alone, a name not listed here, or a field with
anything more (``{name.upper}``, ``{name!r}``, ``{name:>9}``) is refused with a message naming it —
the check is made when the email is written, so sending never meets one. Values are inserted as
plain text; the HTML part escapes the whole filled text (``staff_rendering``), delegates' values
included.
"""

import string

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, ngettext

from events.formatting import date_range

from ..models import Registration
from ..registration.names import person_name
from .rendering import absolute_url

# name → what it becomes (shown beside the message field).
PLACEHOLDERS = {
    "name": gettext_lazy("the delegate's name, in their order, without honorific"),
    "honorific": gettext_lazy("their honorific (H.E., Dr…), may be empty"),
    "full_name": gettext_lazy("honorific and name"),
    "reference": gettext_lazy("the registration's reference"),
    "category": gettext_lazy("their delegate category"),
    "organisation": gettext_lazy("their local government or organisation"),
    "forum": gettext_lazy("the forum's name"),
    "forum_dates": gettext_lazy("the forum's dates"),
    "venue": gettext_lazy("the forum's venue"),
    "registration_link": gettext_lazy("the link to their registration"),
    "programme_link": gettext_lazy("the link to the forum's programme"),
    "badge_link": gettext_lazy("the link to their name badge (PDF, once confirmed)"),
    "secretariat_email": gettext_lazy("the secretariat's email address"),
}

_formatter = string.Formatter()


def placeholders_check(text: str) -> list[str]:
    """The placeholders ``text`` uses, in order, each once; raises ``ValidationError`` naming every
    unknown or malformed one, or saying that a brace is unbalanced."""
    try:
        parts = list(_formatter.parse(text))
    except ValueError:
        raise ValidationError(
            gettext("A brace is not balanced: write placeholders as {name}, and a brace itself as {{ or }}."),
            code="unbalanced",
        ) from None
    used: list[str] = []
    unknown: list[str] = []
    for _literal, field, spec, conversion in parts:
        if field is None:
            continue
        whole = "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        if field not in PLACEHOLDERS or spec or conversion:
            if whole not in unknown:
                unknown.append(whole)
        elif field not in used:
            used.append(field)
    if unknown:
        raise ValidationError(
            ngettext(
                "Unknown placeholder: %(names)s. Use one of those listed.",
                "Unknown placeholders: %(names)s. Use those listed.",
                len(unknown),
            )
            % {"names": ", ".join(unknown)},
            code="unknown",
        )
    return used


def placeholder_values(registration: Registration) -> dict[str, str]:
    """What each placeholder becomes for ``registration`` (its forum and category loaded)."""
    forum = registration.forum
    name = person_name(
        given_name=registration.given_name,
        family_name=registration.family_name,
        name_order=registration.name_order,
    )
    return {
        "name": name,
        "honorific": registration.honorific,
        "full_name": registration.display_name,
        "reference": registration.reference,
        "category": registration.category.name,
        "organisation": registration.organisation,
        "forum": forum.name,
        "forum_dates": date_range(forum.start_date, forum.end_date),
        "venue": forum.venue_name,
        "registration_link": absolute_url(reverse("delegates:registration", args=[registration.public_id])),
        "programme_link": absolute_url(reverse("events:programme", args=[forum.slug])),
        "badge_link": absolute_url(reverse("delegates:badge-download", args=[registration.public_id])),
        "secretariat_email": forum.contact_email,
    }


def placeholders_fill(text: str, values: dict[str, str]) -> str:
    """``text`` with its placeholders replaced by ``values`` (checked first by ``placeholders_check``);
    a value's line breaks become spaces (a subject is one line)."""
    out = []
    for literal, field, _spec, _conversion in _formatter.parse(text):
        out.append(literal)
        if field is not None:
            out.append(" ".join(str(values[field]).split()))
    return "".join(out)
