"""Name badges: the check-in token, the badge PDF and its copy in storage.

- The check-in token is what the badge's QR code carries: random (192 bits), URL-safe, issued when a
  registration is confirmed and reissued by staff when a badge is lost (the old code stops working).
- A badge is HTML (``templates/delegates/badges/``) and print CSS (``static/css/badge/``) laid out by
  WeasyPrint in one of three layouts (``events.enums.BadgeLayout``). Every script the forum meets
  gets its own Noto face through the ``lang`` of the native-script name and an explicit font stack.
- Nothing overflows: the font size of each text is chosen here, from its length and the room of its
  box on the badge (``_fit``), before WeasyPrint lays it out; long texts shrink and wrap.
- Fast: WeasyPrint is imported on first use (not by every web process), and its font configuration
  and the parsed stylesheets are built once per process, so a warm worker renders one badge in a few
  tens of milliseconds and a print job renders many badges per document (``badges_pdf``).
- Stored once: ``badge_store`` keeps the delegate's badge in Django's default storage under an
  unguessable name, with the hash of everything printed on it; an unchanged badge is not rendered
  again, a changed one replaces the old file.
"""

import dataclasses
import functools
import hashlib
import json
import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from importlib.metadata import version
from pathlib import Path

import segno
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from events.enums import BadgeLayout
from events.templatetags.events_tags import date_range  # one way to say a forum's dates

from ..enums import RegistrationStatus
from ..models import Registration, StatusChange, new_checkin_token

logger = logging.getLogger(__name__)

__all__ = [
    "BadgeError",
    "badge_content",
    "badge_hash",
    "badge_html",
    "badge_issue",
    "badge_needs_render",
    "badge_pdf",
    "badge_render_on_commit",
    "badge_sizes",
    "badge_store",
    "badge_warm_up",
    "badges_pdf",
    "checkin_token_issue",
    "checkin_token_reissue",
    "contrast_ratio",
]

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

REASON_BADGE_REISSUED = "Check-in code reissued (lost badge): the previous badge no longer checks in."

RTL_LANGS = frozenset({"ms-Arab", "ar"})
HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
DARK_TEXT, LIGHT_TEXT = "#111111", "#ffffff"


class BadgeError(Exception):
    """A badge cannot be made for this registration; ``str(error)`` is a translated message."""


# --- Check-in token ------------------------------------------------------------------------------------


def checkin_token_issue(*, registration: Registration) -> str:
    """Give the registration its check-in token if it has none yet, and return its token.

    Idempotent and safe against a concurrent call: a conditional UPDATE writes the token only where
    there is none, so a registration keeps the token its printed badge carries. Writes the token
    column only (call it where the registration becomes confirmed)."""
    if not registration.checkin_token:
        Registration.objects.filter(pk=registration.pk, checkin_token__isnull=True).update(
            checkin_token=new_checkin_token()
        )
        registration.checkin_token = Registration.objects.values_list("checkin_token", flat=True).get(
            pk=registration.pk
        )
    return registration.checkin_token


@transaction.atomic
def checkin_token_reissue(*, registration: Registration, actor: AbstractBaseUser | None) -> str:
    """Staff replace a lost badge: a new check-in token, so the old QR code no longer checks in.

    Takes the registration's row lock, records the reissue in its history (who and when, the status
    unchanged), and renders the new badge in the background after commit (the stored badge with the
    old code is replaced). Raises BadgeError unless the registration is confirmed. Returns the new
    token (``registration`` is updated too)."""
    locked = Registration.objects.select_for_update().get(pk=registration.pk)
    if locked.status != RegistrationStatus.CONFIRMED:
        raise BadgeError(_("Only a confirmed registration has a badge."))
    locked.checkin_token = new_checkin_token()
    locked.save(update_fields=["checkin_token", "updated_at"])
    StatusChange.objects.create(
        registration=locked,
        from_status=locked.status,
        to_status=locked.status,
        actor=actor,
        reason=REASON_BADGE_REISSUED,
    )
    badge_render_on_commit(registration_id=locked.pk)
    logger.info(
        "check-in token reissued",
        extra={"registration": locked.pk, "actor": getattr(actor, "pk", None)},
    )
    registration.checkin_token = locked.checkin_token
    return locked.checkin_token


# --- What is printed -----------------------------------------------------------------------------------


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
    background = category.badge_colour if HEX_COLOUR.fullmatch(category.badge_colour or "") else "#1d4ed8"
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


# --- Fitting the text ----------------------------------------------------------------------------------
# WeasyPrint lays out what it is given; it does not shrink text to fit. So the size of each text is
# chosen here, from an estimate of its width (conservative widths of Noto's glyphs, in em) and the
# box it sits in, and WeasyPrint wraps it. The boxes mirror static/css/badge/<layout>.css.

PT_MM = 25.4 / 72
# The font sizes there are classes for (.fs-85 is 8.5 pt), largest first.
SIZES = (30, 27, 25, 23, 21, 19, 17, 16, 15, 14, 13, 12, 11, 10, 9.5, 9, 8.5, 8, 7.5, 7, 6.5, 6, 5.5, 5)
LINE_HEIGHT = 1.2
NAME_LINE_HEIGHT = 1.1
# Line heights the CSS gives text in these languages (tall stacks of marks need room).
LANG_LINE_HEIGHT = {"th": 1.45, "lo": 1.45, "km": 1.45, "ta": 1.45, "my": 1.5, "ms-Arab": 1.45, "ar": 1.45}
WIDTH_SLACK = 0.96  # keep some of each line free: the estimate is not the shaper

# Advance widths of Noto Sans Bold and Regular for " " to "~", in hundredths of an em (from the
# fonts' hmtx tables). Accented Latin letters (Vietnamese) are measured by their base letter.
_ASCII_BOLD = (
    26, 29, 47, 65, 57, 90, 75, 27, 34, 34, 54, 57, 28, 32, 28, 41, 57, 57, 57, 57, 57, 57, 57, 57,
    57, 57, 28, 28, 57, 57, 57, 48, 90, 69, 67, 64, 74, 56, 55, 72, 76, 39, 33, 66, 56, 94, 81, 80,
    63, 80, 66, 55, 58, 76, 65, 97, 67, 62, 58, 33, 41, 33, 57, 41, 36, 60, 63, 51, 63, 59, 39, 63,
    66, 30, 30, 62, 30, 98, 66, 62, 63, 63, 45, 50, 43, 66, 57, 86, 58, 57, 49, 39, 55, 39, 57,
)  # fmt: skip
_ASCII_REGULAR = (
    26, 27, 41, 65, 57, 83, 73, 22, 30, 30, 55, 57, 27, 32, 27, 37, 57, 57, 57, 57, 57, 57, 57, 57,
    57, 57, 27, 27, 57, 57, 57, 43, 90, 64, 65, 63, 73, 56, 52, 73, 74, 34, 27, 62, 52, 91, 76, 78,
    60, 78, 62, 55, 56, 73, 60, 93, 59, 57, 57, 33, 37, 33, 57, 44, 28, 56, 62, 48, 62, 56, 34, 62,
    62, 26, 26, 53, 26, 94, 62, 60, 62, 62, 41, 48, 36, 62, 51, 79, 53, 51, 47, 38, 55, 38, 57,
)  # fmt: skip


def _script_em(char: str, category: str) -> float | None:
    """Generous widths of the other scripts' letters (Noto's faces for them, in em)."""
    code = ord(char)
    if 0x0B80 <= code <= 0x0BFF:  # Tamil
        return 0.45 if category == "Mc" else 1.0
    if 0x1000 <= code <= 0x109F:  # Myanmar
        return 0.45 if category == "Mc" else 0.9
    if 0x1780 <= code <= 0x17FF:  # Khmer
        return 0.8
    if 0x0E00 <= code <= 0x0EFF:  # Thai and Lao
        return 0.62
    if 0x0600 <= code <= 0x08FF or 0xFB50 <= code <= 0xFEFF:  # Arabic (Jawi)
        return 0.6
    return None


@functools.lru_cache(maxsize=8192)
def _char_em(char: str, bold: bool) -> float:
    """The width of one character, in em."""
    category = unicodedata.category(char)
    if category in ("Mn", "Me", "Cf"):
        return 0.0
    if char.isspace():
        return 0.26
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    base = unicodedata.normalize("NFD", char)[0]
    if " " <= base <= "~":
        return (_ASCII_BOLD if bold else _ASCII_REGULAR)[ord(base) - 32] / 100
    script = _script_em(char, category)
    return 0.7 if script is None else script


def _tokens(text: str, bold: bool) -> list[tuple[float, bool]]:
    """(width in em, breakable before) per unbreakable run: words, and each CJK character alone."""
    tokens: list[tuple[float, bool]] = []
    width, space_before = 0.0, False
    for char in text:
        if char.isspace():
            if width:
                tokens.append((width, space_before))
            width, space_before = 0.0, True
        elif unicodedata.east_asian_width(char) in ("W", "F"):
            if width:
                tokens.append((width, space_before))
                space_before = False
            tokens.append((1.0, space_before))
            width, space_before = 0.0, False
        else:
            width += _char_em(char, bold)
    if width:
        tokens.append((width, space_before))
    return tokens


def _lines(text: str, size_pt: float, width_mm: float, bold: bool) -> int:
    """How many lines ``text`` takes at ``size_pt`` in a box ``width_mm`` wide (greedy wrapping;
    a word longer than the line breaks anywhere, as ``overflow-wrap: anywhere`` does)."""
    if not text:
        return 0
    scale = size_pt * PT_MM
    room = width_mm * WIDTH_SLACK
    space = 0.26 * scale
    lines, x = 1, 0.0
    for em, space_before in _tokens(text, bold):
        width = em * scale
        gap = space if space_before else 0.0
        if x and x + gap + width <= room:
            x += gap + width
            continue
        if x:
            lines += 1
        pieces = max(math.ceil(width / room), 1)
        lines += pieces - 1
        x = width - (pieces - 1) * room
    return lines


@dataclasses.dataclass
class _Text:
    """One text of a box to fit: its candidate sizes (largest first), and how it is set."""

    key: str
    text: str
    sizes: tuple[float, ...]
    bold: bool = False
    line_height: float = LINE_HEIGHT
    gap_mm: float = 0.0
    max_lines: int = 2  # lines it may take at its largest sizes...
    more_lines_below: tuple[float, ...] = ()  # ...and one more below each of these sizes
    weight: float = 1.0  # below 1: shrinks later than the others (the name)
    index: int = 0

    @property
    def size(self) -> float:
        return self.sizes[self.index]

    def lines(self, width_mm: float) -> int:
        return _lines(self.text, self.size, width_mm, self.bold)

    def too_many_lines(self, width_mm: float) -> bool:
        allowed = self.max_lines + sum(1 for size in self.more_lines_below if self.size < size)
        return self.lines(width_mm) > allowed

    def height(self, width_mm: float) -> float:
        lines = self.lines(width_mm)
        return self.gap_mm + lines * self.size * self.line_height * PT_MM if lines else 0.0


def _fit(texts: list[_Text], box: "Box") -> tuple[dict[str, float], float]:
    """Font sizes for ``texts`` stacked in ``box``, and the height they then take (mm).

    Each text starts at its largest size and steps down while it takes more lines than it may at that
    size; then, while the stack is too tall, the text least shrunk so far (weighted: the name last)
    steps down. The smallest sizes hold the longest values the fields allow."""
    width = box.width_mm
    for text in texts:
        text.index = 0
        while text.index < len(text.sizes) - 1 and text.too_many_lines(width):
            text.index += 1
    height = sum(text.height(width) for text in texts)
    while height > box.height_mm:
        shrinkable = [t for t in texts if t.text and t.index < len(t.sizes) - 1]
        if not shrinkable:
            break
        largest = max(shrinkable, key=lambda t: t.weight * t.size / t.sizes[0])
        largest.index += 1
        height = sum(text.height(width) for text in texts)
    return {text.key: text.size for text in texts}, height


def _ladder(largest: float, smallest: float) -> tuple[float, ...]:
    return tuple(size for size in SIZES if smallest <= size <= largest)


@dataclasses.dataclass(frozen=True)
class Box:
    """A box of the badge's CSS: its size, and where its text sits in it (``top``, ``middle`` or
    ``bottom``, by a ``pt-<mm>`` padding class — the estimate is generous, so the text sits a little
    high rather than spill; the CSS clips each box, so a box never draws over another)."""

    width_mm: float
    height_mm: float
    align: str = "top"

    def padding(self, content_mm: float) -> int:
        free = max(self.height_mm - content_mm, 0)
        if self.align == "middle":
            free /= 2
        elif self.align != "bottom":
            return 0
        return min(int(free), MAX_PADDING_MM)


MAX_PADDING_MM = 40  # the largest .pt-<mm> class of base.css


@dataclasses.dataclass(frozen=True)
class LayoutSpec:
    """The boxes of a layout (as in its CSS) and the range of sizes of each text in them."""

    css: tuple[str, ...]
    header: Box
    person: Box
    place: Box
    band: Box
    inline_header: bool  # forum name and dates on one line (the card)
    inline_place: bool  # city and country on one line (the card)
    forum: tuple[float, ...]
    dates: tuple[float, ...]
    honorific: tuple[float, ...]
    name: tuple[float, ...]
    native: tuple[float, ...]
    detail: tuple[float, ...]  # position and organisation
    city: tuple[float, ...]
    country: tuple[float, ...]
    category: tuple[float, ...]
    gaps_mm: dict[str, float]
    per_sheet: int = 1


_A6 = LayoutSpec(
    css=("base.css", "a6.css"),
    header=Box(91, 14),
    person=Box(91, 68, "middle"),
    place=Box(52, 33, "bottom"),
    band=Box(91, 18, "middle"),
    inline_header=False,
    inline_place=False,
    forum=_ladder(10, 6),
    dates=_ladder(8, 6),
    honorific=_ladder(11, 8),
    name=_ladder(30, 9),
    native=_ladder(23, 8),
    detail=_ladder(11, 6.5),
    city=_ladder(13, 7),
    country=_ladder(10, 7),
    category=_ladder(16, 7),
    gaps_mm={"name": 1.0, "native": 1.0, "position": 2.5, "organisation": 0.8, "dates": 0.6, "country": 0.5},
)

LAYOUTS: dict[str, LayoutSpec] = {
    BadgeLayout.A6: _A6,
    BadgeLayout.A4_SHEET: dataclasses.replace(_A6, css=("base.css", "a6.css", "a4_sheet.css"), per_sheet=4),
    BadgeLayout.CR80: LayoutSpec(
        css=("base.css", "cr80.css"),
        header=Box(77.6, 5.5),
        person=Box(54, 30),
        place=Box(54, 6.5),
        band=Box(77.6, 8, "middle"),
        inline_header=True,
        inline_place=True,
        forum=_ladder(6.5, 5),
        dates=_ladder(6.5, 5),
        honorific=_ladder(7, 5.5),
        name=_ladder(17, 6.5),
        native=_ladder(14, 6),
        detail=_ladder(7, 5),
        city=_ladder(7.5, 5),
        country=_ladder(7.5, 5),
        category=_ladder(9, 5),
        gaps_mm={"name": 0.5, "native": 0.5, "position": 1.2, "organisation": 0.3, "dates": 0, "country": 0},
    ),
}


def _layout_spec(layout: str) -> LayoutSpec:
    try:
        return LAYOUTS[layout]
    except KeyError:
        raise BadgeError(_("Unknown badge layout.")) from None


def _fit_line(
    texts: list[tuple[str, str]], sizes: tuple[float, ...], box: Box
) -> tuple[dict[str, float], float]:
    """One size for texts set on one line together (the card's header and place): as many lines as
    the box holds."""
    joined = " · ".join(text for _key, text in texts if text)
    line = _Text(
        "line",
        joined,
        sizes,
        bold=True,
        max_lines=max(int(box.height_mm / (sizes[-1] * LINE_HEIGHT * PT_MM)), 1),
    )
    fitted, height = _fit([line], box)
    return {key: fitted["line"] for key, _text in texts}, height


def badge_sizes(*, content: BadgeContent, layout: str) -> dict[str, str]:
    """The classes that fit the badge's text: ``fs-<tenths of a point>`` per text, and the padding
    (``pt-<mm>``) that places the text of each box."""
    spec = _layout_spec(layout)
    gaps = spec.gaps_mm
    native_line_height = LANG_LINE_HEIGHT.get(content.native_lang, LINE_HEIGHT)
    sizes, person_mm = _fit(
        [
            _Text("honorific", content.honorific, spec.honorific, max_lines=1),
            _Text(
                "name",
                content.name,
                spec.name,
                bold=True,
                line_height=NAME_LINE_HEIGHT,
                gap_mm=gaps["name"] if content.honorific else 0,
                more_lines_below=(20, 12),
                weight=0.8,
            ),
            _Text(
                "native",
                content.native_name,
                spec.native,
                line_height=native_line_height,
                gap_mm=gaps["native"],
                more_lines_below=(16, 11),
            ),
            _Text(
                "position", content.position, spec.detail, gap_mm=gaps["position"], more_lines_below=(9, 7.5)
            ),
            _Text(
                "organisation",
                content.organisation,
                spec.detail,
                gap_mm=gaps["organisation"],
                more_lines_below=(9, 7.5),
            ),
        ],
        spec.person,
    )
    if spec.inline_header:
        header, _height = _fit_line(
            [("forum", content.forum_name), ("dates", content.forum_dates)], spec.forum, spec.header
        )
    else:
        header, _height = _fit(
            [
                _Text("forum", content.forum_name, spec.forum, bold=True, more_lines_below=(8,)),
                _Text("dates", content.forum_dates, spec.dates, max_lines=1, gap_mm=gaps["dates"]),
            ],
            spec.header,
        )
    if spec.inline_place:
        place, place_mm = _fit_line(
            [("city", content.city), ("country", content.country)], spec.city, spec.place
        )
    else:
        place, place_mm = _fit(
            [
                _Text("city", content.city, spec.city, bold=True, more_lines_below=(10, 8)),
                _Text("country", content.country, spec.country, gap_mm=gaps["country"]),
            ],
            spec.place,
        )
    band, band_mm = _fit(
        [
            _Text(
                "category", content.category, spec.category, bold=True, max_lines=1, more_lines_below=(12, 9)
            )
        ],
        spec.band,
    )
    classes = {key: f"{round(size * 10)}" for key, size in (sizes | header | place | band).items()}
    classes["person_pad"] = str(spec.person.padding(person_mm))
    classes["place_pad"] = str(spec.place.padding(place_mm))
    classes["band_pad"] = str(spec.band.padding(band_mm))
    return classes


# --- Rendering -----------------------------------------------------------------------------------------


def qr_svg(token: str) -> SafeString:
    """The QR code of ``token`` as inline SVG: exactly the token, error correction M (no boost, so
    the code is as coarse as it can be), a quiet zone of 4 modules, sized by the CSS."""
    code = segno.make(token, error="m", boost_error=False, micro=False)
    return mark_safe(code.svg_inline(border=4, omitsize=True, dark="#000", svgclass=None, lineclass=None))  # noqa: S308 - segno's own SVG, no user markup


@dataclasses.dataclass(frozen=True)
class _PreparedBadge:
    content: BadgeContent
    sizes: dict[str, str]
    qr_svg: str
    band_key: str

    def __getattr__(self, name: str):  # the template reads the content's fields directly
        if name == "content":  # not set yet (copy, pickle): no recursion
            raise AttributeError(name)
        return getattr(self.content, name)


def _prepare(content: BadgeContent, layout: str) -> _PreparedBadge:
    return _PreparedBadge(
        content=content,
        sizes=badge_sizes(content=content, layout=layout),
        qr_svg=qr_svg(content.token) if content.token else "",
        band_key=f"{content.band_background[1:]}-{content.band_text[1:]}",
    )


def _document_html(badges: list[_PreparedBadge], layout: str) -> str:
    spec = _layout_spec(layout)
    bands = {
        badge.band_key: {"key": badge.band_key, "background": badge.band_background, "text": badge.band_text}
        for badge in badges
    }
    context = {
        "language_code": settings.LANGUAGE_CODE,
        "layout": layout,
        "bands": list(bands.values()),
        "badges": badges,
        "sheets": [badges[i : i + spec.per_sheet] for i in range(0, len(badges), spec.per_sheet)]
        if spec.per_sheet > 1
        else [],
    }
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string("delegates/badges/document.html", context)


def badge_html(*, registrations: Iterable[Registration], layout: str) -> str:
    """The HTML document of the badges of ``registrations`` (in that order) in ``layout``: one badge
    per page, or four per A4 sheet. Reads each registration's forum and category: select them."""
    return _document_html([_prepare(badge_content(registration=r), layout) for r in registrations], layout)


@functools.cache
def _weasyprint():
    """WeasyPrint and its font configuration, once per process (importing it takes a second: web
    processes that never render a badge do not pay for it)."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    return weasyprint, FontConfiguration()


@functools.cache
def _stylesheets(layout: str) -> tuple:
    """The parsed stylesheets of a layout, once per process."""
    weasyprint, font_config = _weasyprint()
    return tuple(
        weasyprint.CSS(string=(badge_css_dir() / name).read_text(encoding="utf-8"), font_config=font_config)
        for name in _layout_spec(layout).css
    )


@functools.cache
def _url_fetcher():
    """Badges load nothing: the QR code is inline and the stylesheets are parsed already."""
    weasyprint, _font_config = _weasyprint()
    return weasyprint.urls.URLFetcher(allowed_protocols=())


def _write_pdf(html: str, layout: str) -> bytes:
    weasyprint, font_config = _weasyprint()
    document = weasyprint.HTML(string=html, url_fetcher=_url_fetcher())
    return document.write_pdf(stylesheets=_stylesheets(layout), font_config=font_config)


def badges_pdf(*, registrations: Sequence[Registration], layout: str) -> bytes:
    """One PDF of the badges of ``registrations``, in that order, in ``layout`` (a page per badge, or
    four badges per A4 sheet with crop marks). For print jobs: call it with chunks of a few hundred
    registrations (selected with their forum and category) and join the chunks' pages."""
    if not registrations:
        raise BadgeError(_("There are no badges to print."))
    return _write_pdf(badge_html(registrations=registrations, layout=layout), layout)


def badge_pdf(*, registration: Registration, layout: str | None = None) -> bytes:
    """The badge of one registration, in its forum's layout unless ``layout`` is given."""
    return badges_pdf(registrations=[registration], layout=layout or registration.forum.badge_layout)


# One name per script with its own face, to load every font before the first real badge.
WARM_UP_NAMES = {
    "th": "สมชาย ใจดี",
    "km": "សុខ វិបុល",
    "lo": "ສົມພອນ",
    "my": "အောင်ကျော်မင်း",
    "ta": "முருகன்",
    "ms-Arab": "محمد فيصل",
    "zh-Hans": "陈美玲",
    "zh-Hant": "陳美玲",
}


def badge_warm_up() -> None:
    """Load WeasyPrint, the fonts of every script and the stylesheets by rendering sample badges in
    each layout: call it when a rendering process starts, so that the first delegate waits no longer
    than the others. Touches no database."""
    samples = [
        BadgeContent(
            token="warm-up",  # noqa: S106 - a sample code, not a secret
            forum_name="ASEAN Mayors Forum",
            forum_dates="1–2 January 2030",
            honorific="H.E.",
            name="Warm Up",
            native_name=name,
            native_lang=lang,
            position="Mayor",
            organisation="City Hall",
            city="City",
            country="Country",
            category="Category",
            band_background="#1d4ed8",
            band_text=LIGHT_TEXT,
        )
        for lang, name in WARM_UP_NAMES.items()
    ]
    for layout in LAYOUTS:
        _write_pdf(_document_html([_prepare(sample, layout) for sample in samples], layout), layout)


# --- Storage -------------------------------------------------------------------------------------------


def badge_file_name(*, registration: Registration, digest: str) -> str:
    """Unguessable: the public id and part of the content hash, which covers the secret token."""
    return f"badges/{registration.forum.slug}/{registration.public_id}-{digest[:12]}.pdf"


def _is_current(registration: Registration, digest: str) -> bool:
    name = registration.badge_file.name if registration.badge_file else ""
    return bool(name) and registration.badge_hash == digest and default_storage.exists(name)


def badge_needs_render(*, registration: Registration) -> bool:
    """Whether the stored badge is missing or shows something else than the badge would now."""
    layout = registration.forum.badge_layout
    digest = badge_hash(content=badge_content(registration=registration), layout=layout)
    return not _is_current(registration, digest)


def badge_store(*, registration: Registration) -> bool:
    """Render the badge of a confirmed registration in its forum's layout and store it, unless the
    stored badge is current (same content hash and the file is there). Returns True if it rendered.

    Issues the check-in token if the registration has none. Takes the registration's row lock while it
    renders and saves (two workers never store two files for one badge); the new file replaces the
    old one, which is deleted after commit. ``registration`` is updated (badge_file, badge_hash).
    Raises BadgeError unless the registration is confirmed."""
    if registration.status != RegistrationStatus.CONFIRMED:
        raise BadgeError(_("Only a confirmed registration has a badge."))
    checkin_token_issue(registration=registration)
    if not badge_needs_render(registration=registration):
        return False
    storage = default_storage
    saved = ""
    try:
        with transaction.atomic():
            fresh = (
                Registration.objects.select_for_update(of=("self",))
                .select_related("forum", "category")
                .get(pk=registration.pk)
            )
            if fresh.status != RegistrationStatus.CONFIRMED:
                raise BadgeError(_("Only a confirmed registration has a badge."))
            layout = fresh.forum.badge_layout
            digest = badge_hash(content=badge_content(registration=fresh), layout=layout)
            stored = not _is_current(fresh, digest)  # False: another worker stored it while we waited
            if stored:
                pdf = badges_pdf(registrations=[fresh], layout=layout)
                name = badge_file_name(registration=fresh, digest=digest)
                if storage.exists(name):  # left by a run that failed: replace it, never "<name>_x7Gq.pdf"
                    storage.delete(name)
                saved = storage.save(name, ContentFile(pdf))
                old = fresh.badge_file.name
                Registration.objects.filter(pk=fresh.pk).update(badge_file=saved, badge_hash=digest)
                fresh.badge_file.name, fresh.badge_hash = saved, digest
                if old and old != saved:
                    transaction.on_commit(functools.partial(_delete_quietly, storage, old), robust=True)
                logger.info("badge stored", extra={"registration": fresh.pk, "layout": layout})
    except Exception:
        if saved:  # the row still names the old file: do not leave the new one behind
            _delete_quietly(storage, saved)
        raise
    registration.badge_file.name, registration.badge_hash = fresh.badge_file.name, fresh.badge_hash
    registration.checkin_token = fresh.checkin_token
    return stored


def _delete_quietly(storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:  # a file gone already or a storage hiccup (OSError, S3 errors): an orphan at worst
        logger.warning("badge file not deleted", extra={"file": name})


# --- Background -------------------------------------------------------------------------------------


def badge_issue(*, registration: Registration) -> None:
    """A registration has just been confirmed: give it its check-in token (if it has none) and
    render its badge in the background once the transaction commits."""
    checkin_token_issue(registration=registration)
    badge_render_on_commit(registration_id=registration.pk)


def badge_render_on_commit(*, registration_id: int) -> None:
    """Render and store the registration's badge in the background once the transaction commits (at
    once outside a transaction). A broker that is down is logged, not raised: the badge is then
    rendered when the delegate downloads it, or by the print job."""
    transaction.on_commit(functools.partial(_enqueue_render, registration_id), robust=True)


def _enqueue_render(registration_id: int) -> None:
    from ..tasks import render_badge

    try:
        render_badge.apply_async(args=[registration_id], retry=False)
    except Exception:  # kombu raises several types for an unreachable broker; none must reach the user
        logger.warning("broker unavailable; badge of registration %s rendered on demand", registration_id)
