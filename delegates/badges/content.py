"""What a badge prints: its content as printed (translated, formatted), the band's colours, and the
hash of it all that names the stored file.

A badge is HTML (``templates/delegates/badges/``) and print CSS (``static/css/badge/``) laid out by
WeasyPrint (``pdf.py``) in one of three layouts (``events.enums.BadgeLayout``); the sizes of its texts
are chosen by ``fitting.py``; ``storage.py`` keeps the delegate's copy.
"""

import dataclasses
import functools
import hashlib
import json
from importlib.metadata import version
from pathlib import Path

from django.conf import settings
from django.db.models import F, Func, OuterRef, TextField, Value
from django.db.models.functions import MD5, Cast, Coalesce
from django.utils import translation

from events.formatting import date_range  # one way to say a forum's dates

from ..enums import RegistrationStatus
from ..models import Registration

# Bump when badges must be rendered again for a reason the template and CSS files do not show.
BADGE_FORMAT_VERSION = "1"


def badge_template_dir() -> Path:
    return Path(settings.BASE_DIR) / "templates" / "delegates" / "badges"


def badge_css_dir() -> Path:
    """Print CSS is read from the source tree, not from STATIC_ROOT: no collectstatic needed."""
    return Path(settings.BASE_DIR) / "static" / "css" / "badge"


# Registration fields printed on the badge: a change to one of them renders the badge again.
BADGE_FIELDS = frozenset(
    {
        "honorific",
        "badge_name",
        "native_name",
        "native_name_lang",
        "position",
        "organisation",
        "city",
        "country",
    }
)

# Everything a printed badge shows, as the paths of the registration's columns it is made from (its
# fields, its category's and its forum's): ``badge_fingerprint`` is computed from them by the database,
# so "changed since it was printed" is one comparison in SQL, with no badge rendered. A change to
# what badge_content prints must add its source here (a test compares the two); a change here makes
# every printed badge count as changed, unless a migration recomputes the print jobs' fingerprints.
FINGERPRINT_SOURCES = (
    *sorted(BADGE_FIELDS),
    "checkin_token",
    "category__name",
    "category__badge_colour",
    "forum__name",
    "forum__start_date",
    "forum__end_date",
)
_SEPARATOR = "\x1f"  # the unit separator: no field holds it


class FlatConcat(Func):
    """``a || b || c …`` in one flat expression. Django's ``Concat`` nests a pair per part, which for
    the thirty parts of a fingerprint is deeper than SQLite's parser allows (the embedded demo runs on
    SQLite); ``||`` joins text the same way in PostgreSQL and SQLite. The parts must not be NULL."""

    arg_joiner = " || "
    template = "(%(expressions)s)"
    output_field = TextField()


def badge_fingerprint(*, outer: bool = False) -> MD5:
    """The fingerprint of what the badge of a registration prints, as a database expression over
    ``FINGERPRINT_SOURCES`` (``outer``: of the registration of the enclosing query, for a subquery).
    Print job items record it when their job runs."""
    ref = OuterRef if outer else F
    parts = []
    for path in FINGERPRINT_SOURCES:
        parts += [
            Coalesce(Cast(ref(path), TextField()), Value(""), output_field=TextField()),
            Value(_SEPARATOR),
        ]
    return MD5(FlatConcat(*parts))


RTL_LANGS = frozenset({"ms-Arab", "ar"})
DARK_TEXT, LIGHT_TEXT = "#111111", "#ffffff"


class BadgeError(Exception):
    """A badge cannot be made for this registration; ``str(error)`` is a translated message."""


@dataclasses.dataclass(frozen=True)
class BadgeContent:
    """Everything printed on one badge, as printed (translated, formatted). Its hash names the file."""

    token: str
    forum_name: str
    forum_dates: str
    honorific: str
    name: str
    native_name: str
    native_lang: str
    position: str
    organisation: str
    city: str
    country: str
    category: str
    band_background: str
    band_text: str

    @property
    def native_rtl(self) -> bool:
        return self.native_lang in RTL_LANGS


def _channel(value: int) -> float:
    value /= 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def _luminance(colour: str) -> float:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def band_text_colour(background: str) -> str:
    """Dark or white text, whichever contrasts more with the band's colour."""
    if contrast_ratio(background, DARK_TEXT) >= contrast_ratio(background, LIGHT_TEXT):
        return DARK_TEXT
    return LIGHT_TEXT


def badge_content(*, registration: Registration) -> BadgeContent:
    """What the badge of ``registration`` shows, in the site's language. Only a confirmed
    registration's badge carries its check-in code (a preview of another shows none). Reads its forum
    and category (select them with the registration)."""
    forum, category = registration.forum, registration.category
    # The database guarantees a #rrggbb colour (the category's check constraint).
    background = category.badge_colour
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    with translation.override(settings.LANGUAGE_CODE):
        return BadgeContent(
            token=(registration.checkin_token or "") if confirmed else "",
            forum_name=forum.name,
            forum_dates=str(date_range(forum.start_date, forum.end_date)),
            honorific=registration.honorific.strip(),
            name=registration.badge_name.strip(),
            native_name=registration.native_name.strip(),
            native_lang=registration.native_name_lang if registration.native_name.strip() else "",
            position=registration.position.strip(),
            organisation=registration.organisation.strip(),
            city=registration.city.strip(),
            country=str(registration.country.name) if registration.country else "",
            category=category.name,
            band_background=background.lower(),
            band_text=band_text_colour(background),
        )


@functools.cache
def template_version() -> str:
    """Changes whenever the badge templates, the badge CSS, WeasyPrint or BADGE_FORMAT_VERSION do."""
    digest = hashlib.sha256(f"{BADGE_FORMAT_VERSION}:{version('weasyprint')}".encode())
    for path in sorted([*badge_template_dir().glob("*.html"), *badge_css_dir().glob("*.css")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def badge_hash(*, content: BadgeContent, layout: str) -> str:
    """The content hash of a badge: what is printed, the layout and the template version."""
    payload = json.dumps(
        {"content": dataclasses.asdict(content), "layout": layout, "template": template_version()},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()
