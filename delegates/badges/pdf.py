"""Badge PDFs: the HTML of one or many badges and its layout by WeasyPrint, with the QR code of the
check-in token.

- Every script the forum meets gets its own Noto face through the ``lang`` of the native-script name
  and an explicit font stack (``static/css/badge/base.css``).
- Fast: WeasyPrint is imported on first use (not by every web process), and its font configuration
  and the parsed stylesheets are built once per process, so a warm worker renders one badge in a few
  tens of milliseconds and a print job renders many badges per document (``badges_pdf``). Rendering
  processes warm up once (``badge_warm_up``, connected to the worker's start in ``delegates.apps``).
"""

import dataclasses
import functools
from collections.abc import Iterable, Sequence

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ..models import Registration
from .content import LIGHT_TEXT, BadgeContent, BadgeError, badge_content, badge_css_dir
from .fitting import LAYOUTS, badge_sizes, layout_spec


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
    # The registration has a check-in code, left out of this rendering (a preview for staff who may not
    # print badges: the code is a credential at the door).
    code_withheld: bool = False

    def __getattr__(self, name: str):  # the template reads the content's fields directly
        if name == "content":  # not set yet (copy, pickle): no recursion
            raise AttributeError(name)
        return getattr(self.content, name)


def _prepare(content: BadgeContent, layout: str, *, with_checkin_code: bool = True) -> _PreparedBadge:
    withheld = bool(content.token) and not with_checkin_code
    if withheld:
        content = dataclasses.replace(content, token="")
    return _PreparedBadge(
        content=content,
        sizes=badge_sizes(content=content, layout=layout),
        qr_svg=qr_svg(content.token) if content.token else "",
        band_key=f"{content.band_background[1:]}-{content.band_text[1:]}",
        code_withheld=withheld,
    )


def _document_html(badges: list[_PreparedBadge], layout: str) -> str:
    spec = layout_spec(layout)
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


def badge_html(*, registrations: Iterable[Registration], layout: str, with_checkin_code: bool = True) -> str:
    """The HTML document of the badges of ``registrations`` (in that order) in ``layout``: one badge
    per page, or four per A4 sheet. Reads each registration's forum and category: select them.
    ``with_checkin_code=False`` leaves the QR codes out (a preview for staff who may not print)."""
    return _document_html(
        [
            _prepare(badge_content(registration=r), layout, with_checkin_code=with_checkin_code)
            for r in registrations
        ],
        layout,
    )


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
        for name in layout_spec(layout).css
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


def badge_pdf(
    *, registration: Registration, layout: str | None = None, with_checkin_code: bool = True
) -> bytes:
    """The badge of one registration, in its forum's layout unless ``layout`` is given; without its
    QR code when ``with_checkin_code`` is false."""
    layout = layout or registration.forum.badge_layout
    html = badge_html(registrations=[registration], layout=layout, with_checkin_code=with_checkin_code)
    return _write_pdf(html, layout)


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
