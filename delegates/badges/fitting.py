"""Fitting a badge's texts into their boxes: the font size of each text, chosen before WeasyPrint lays
it out.

WeasyPrint lays out what it is given; it does not shrink text to fit. So the size of each text is
chosen here, from an estimate of its width and the box it sits in, and WeasyPrint wraps it. The boxes
mirror ``static/css/badge/<layout>.css``. Long texts shrink and wrap; nothing overflows.
"""

import dataclasses
import functools
import logging
import math
import unicodedata
from pathlib import Path

from django.utils.translation import gettext as _

from events.enums import BadgeLayout

from .content import BadgeContent, BadgeError

logger = logging.getLogger(__name__)

PT_MM = 25.4 / 72
# The font sizes there are classes for (.fs-85 is 8.5 pt), largest first.
SIZES = (30, 27, 25, 23, 21, 19, 17, 16, 15, 14, 13, 12, 11, 10, 9.5, 9, 8.5, 8, 7.5, 7, 6.5, 6, 5.5, 5)
LINE_HEIGHT = 1.2
NAME_LINE_HEIGHT = 1.1
# Line heights the CSS gives text in these languages (tall stacks of marks need room).
LANG_LINE_HEIGHT = {"th": 1.45, "lo": 1.45, "km": 1.45, "ta": 1.45, "my": 1.5, "ms-Arab": 1.45, "ar": 1.45}
WIDTH_SLACK = 0.96  # keep some of each line free: the estimate is not the shaper

# The faces of static/css/badge/base.css, by script: (regular, bold) file names of the Debian packages
# fonts-noto-core and fonts-noto-cjk. Glyph widths are read from these files (their hmtx tables), once
# per process; CJK ideographs are one em wide by design and need no file.
LATIN_FACE = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf")
SCRIPT_FACES = (
    # (first code point, last code point, faces)
    (0x0600, 0x06FF, ("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf")),
    (0x0750, 0x077F, ("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf")),
    (0x08A0, 0x08FF, ("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf")),
    (0x0B80, 0x0BFF, ("NotoSansTamil-Regular.ttf", "NotoSansTamil-Bold.ttf")),
    (0x0E00, 0x0E7F, ("NotoSansThai-Regular.ttf", "NotoSansThai-Bold.ttf")),
    (0x0E80, 0x0EFF, ("NotoSansLao-Regular.ttf", "NotoSansLao-Bold.ttf")),
    (0x1000, 0x109F, ("NotoSansMyanmar-Regular.ttf", "NotoSansMyanmar-Bold.ttf")),
    (0x1780, 0x17FF, ("NotoSansKhmer-Regular.ttf", "NotoSansKhmer-Bold.ttf")),
    (0x19E0, 0x19FF, ("NotoSansKhmer-Regular.ttf", "NotoSansKhmer-Bold.ttf")),
    (0xA9E0, 0xA9FF, ("NotoSansMyanmar-Regular.ttf", "NotoSansMyanmar-Bold.ttf")),
    (0xAA60, 0xAA7F, ("NotoSansMyanmar-Regular.ttf", "NotoSansMyanmar-Bold.ttf")),
    (0xFB50, 0xFDFF, ("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf")),
    (0xFE70, 0xFEFF, ("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf")),
)
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".local/share/fonts")
# A character no face here covers (or a face that is not installed) counts this wide: wide enough for
# the letters of any script.
UNKNOWN_EM = 0.9
SPACE_EM = 0.26


@functools.cache
def _font_files() -> dict[str, Path]:
    """Every font file under the font folders, by file name (found once per process)."""
    found: dict[str, Path] = {}
    for folder in FONT_DIRS:
        if folder.is_dir():
            for path in sorted(folder.rglob("*.tt[fc]")):
                found.setdefault(path.name, path)
    return found


@functools.cache
def face_widths(file_name: str) -> dict[int, float]:
    """Advance width in em of each code point the face maps, read from the font file's cmap and hmtx
    tables; empty (with a warning) when the face is not installed."""
    path = _font_files().get(file_name)
    if path is None:
        logger.warning("badge font %s not found: text widths are estimated", file_name)
        return {}
    from fontTools.ttLib import TTFont  # installed with WeasyPrint; loaded where badges are fitted

    with TTFont(path, lazy=True) as font:
        units = font["head"].unitsPerEm
        advances = font["hmtx"].metrics
        return {code: advances[glyph][0] / units for code, glyph in font.getBestCmap().items()}


def _faces_for(code: int) -> tuple[str, str]:
    for first, last, faces in SCRIPT_FACES:
        if first <= code <= last:
            return faces
    return LATIN_FACE


@functools.lru_cache(maxsize=8192)
def _char_em(char: str, bold: bool) -> float:
    """The width of one character, in em, in the face WeasyPrint draws it with."""
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0.0  # marks sit on their base letter; format characters take no room
    if char.isspace():
        return SPACE_EM
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    code = ord(char)
    regular, bold_face = _faces_for(code)
    width = face_widths(bold_face if bold else regular).get(code)
    if width is None and bold:
        width = face_widths(regular).get(code)
    return UNKNOWN_EM if width is None else width


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
    space = SPACE_EM * scale
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


def layout_spec(layout: str) -> LayoutSpec:
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
    spec = layout_spec(layout)
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
