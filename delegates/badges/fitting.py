"""Fitting a badge's texts into their boxes: the font size, line height and spacing of each text,
chosen before WeasyPrint lays it out.

WeasyPrint lays out what it is given; it does not shrink text to fit. So the size of each text is
chosen here, from its width (the fonts' advance widths, ``fonts.py``) and the box it sits in, and
WeasyPrint wraps it. The boxes mirror ``static/css/badge/<layout>.css``. Long texts shrink and wrap;
nothing overflows.

- The name is the largest text of the badge, on at most three lines, and no smaller than the
  layout's ``name_floor`` (18 pt on A6: readable from two metres) unless it is too long for that;
  the other texts of the person block give way first.
- Line spacing in the person block keeps ``LINE_GAP_MM`` of clear paper between the ink of any two
  lines, whatever scripts they are in: each text's line height and margin are worked out from how far
  its script's glyphs reach above and below the baseline (``fonts.Script``) and where the layout puts
  the baseline in the line box (the face's line metrics).
"""

import dataclasses
import functools
import math
import unicodedata

from django.utils.translation import gettext as _

from events.enums import BadgeLayout

from .content import BadgeContent, BadgeError
from .fonts import LATIN, Script, face_heights, face_widths, is_wide, script_for_lang, script_of

PT_MM = 25.4 / 72
# The font sizes there are classes for (.fs-85 is 8.5 pt), largest first.
SIZES = (30, 27, 25, 23, 21, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9.5, 9, 8.5, 8, 7.5, 7, 6.5, 6, 5.5, 5)
LINE_HEIGHT = 1.2  # of the texts outside the person block (base.css)
NAME_LINE_HEIGHT = 1.1  # the least line height of the name; other texts of the person block: 1.2
# Clear paper kept between the ink of two lines of the person block (at least 1 mm, with room for
# the printer's dot gain and the rounding of sizes).
LINE_GAP_MM = 1.2
# Line heights and margins come in classes (base.css): .lh-145 is 1.45, .mt-12 is 1.2 mm.
LINE_HEIGHT_STEP, MAX_LINE_HEIGHT = 0.05, 2.6
MARGIN_STEP_MM, MAX_MARGIN_MM = 0.1, 4.0
WIDTH_SLACK = 0.96  # keep some of each line free: the estimate is not the shaper
# A character no face covers counts this wide: wide enough for the letters of any script.
UNKNOWN_EM = 0.9
SPACE_EM = 0.26


@functools.lru_cache(maxsize=8192)
def _char_em(char: str, bold: bool) -> float:
    """The width of one character, in em, in the face WeasyPrint draws it with."""
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0.0  # marks sit on their base letter; format characters take no room
    if char.isspace():
        return SPACE_EM
    if is_wide(char):
        return 1.0
    regular, bold_face = script_of(char).faces
    width = face_widths(bold_face if bold else regular).get(ord(char))
    if width is None and bold:
        width = face_widths(regular).get(ord(char))
    return UNKNOWN_EM if width is None else width


# Khmer coeng and the Myanmar virama put the consonant after them below the one before: it takes
# a quarter of its width (measured on stacked names; the Khmer subscript RO, drawn before its
# consonant, takes all of it).
STACKING_SIGNS = frozenset("\u17d2\u1039")
WIDE_SUBSCRIPTS = frozenset("\u179a")
SUBSCRIPT_SHARE = 0.25


@functools.cache
def _arabic_forms() -> dict[str, dict[str, str]]:
    """The contextual forms of Arabic letters (``<initial>``, ``<medial>``, ``<final>``,
    ``<isolated>``), from the presentation forms Unicode decomposes to them."""
    forms: dict[str, dict[str, str]] = {}
    for code in [*range(0xFB50, 0xFE00), *range(0xFE70, 0xFF00)]:
        tag, *parts = unicodedata.decomposition(chr(code)).split() or [""]
        if tag.startswith("<") and len(parts) == 1:
            forms.setdefault(chr(int(parts[0], 16)), {})[tag] = chr(code)
    return forms


RIGHT_JOINING_WITHOUT_FORMS = frozenset("\u06cf")  # Jawi va: joins the letter before it only


def _joining(char: str) -> str:
    """How an Arabic letter joins its neighbours: "dual", "right" or "none" (and "none" for others)."""
    if script_of(char).key != "arabic" or not unicodedata.category(char).startswith("L"):
        return "none"
    forms = _arabic_forms().get(char)
    if forms is None:  # the Jawi letters with no presentation forms (ڠ ڽ ݢ ...) join both ways
        return "right" if char in RIGHT_JOINING_WITHOUT_FORMS else "dual"
    if "<medial>" in forms or "<initial>" in forms:
        return "dual"
    return "right" if "<final>" in forms else "none"


@functools.lru_cache(maxsize=4096)
def _word_em(word: str, bold: bool) -> float:
    """The width of an unbreakable run, in em: each character's advance, with Arabic letters in the
    form their neighbours give them (a medial letter is narrower than the isolated one) and the
    consonants stacked below another taking no width."""
    # Arabic marks (harakat) are transparent: the letters around them still join.
    letters = [i for i, char in enumerate(word) if unicodedata.category(char) not in ("Mn", "Me")]
    neighbours = {i: n for n, i in enumerate(letters)}
    width = 0.0
    for i, char in enumerate(word):
        if i and word[i - 1] in STACKING_SIGNS and char not in WIDE_SUBSCRIPTS:
            width += SUBSCRIPT_SHARE * _char_em(char, bold)
            continue
        joining = _joining(char) if i in neighbours else "none"
        if joining == "none":
            width += _char_em(char, bold)
            continue
        n = neighbours[i]
        before = word[letters[n - 1]] if n else ""
        after = word[letters[n + 1]] if n + 1 < len(letters) else ""
        joins_before = bool(before) and _joining(before) == "dual"
        joins_after = joining == "dual" and bool(after) and _joining(after) != "none"
        tag = {(True, True): "<medial>", (True, False): "<final>", (False, True): "<initial>"}.get(
            (joins_before, joins_after), "<isolated>"
        )
        form = _arabic_forms().get(char, {}).get(tag)
        covered = form is not None and ord(form) in face_widths(script_of(char).faces[0])
        width += _char_em(form if covered else char, bold)
    return width


def _tokens(text: str, bold: bool) -> list[tuple[float, bool]]:
    """(width in em, breakable before) per unbreakable run: words, and each CJK character alone."""
    tokens: list[tuple[float, bool]] = []
    word, space_before = "", False
    for char in text:
        if char.isspace():
            if word:
                tokens.append((_word_em(word, bold), space_before))
            word, space_before = "", True
        elif is_wide(char):
            if word:
                tokens.append((_word_em(word, bold), space_before))
                space_before = False
            tokens.append((1.0, space_before))
            word, space_before = "", False
        else:
            word += char
    if word:
        tokens.append((_word_em(word, bold), space_before))
    return tokens


@functools.lru_cache(maxsize=16384)  # the fit asks again for each step of the other texts
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


@functools.lru_cache(maxsize=4096)
def text_ink(text: str, bold: bool) -> tuple[float, float, tuple[Script, ...]]:
    """How far the ink of ``text`` reaches above and below the baseline (em), and the scripts it is
    drawn in. Latin letters count their own glyph (precomposed: "Ẫ" is one glyph, taller than
    "A"); other scripts, and Latin letters with marks stacked by the shaper, count their script's
    tallest and deepest stacks."""
    top = bottom = 0.0
    scripts: dict[str, Script] = {}
    for char in unicodedata.normalize("NFC", text):
        category = unicodedata.category(char)
        if char.isspace() or category in ("Cc", "Cf"):
            continue
        script = script_of(char)
        scripts[script.key] = script
        height = None
        if script is LATIN and not category.startswith("M"):
            height = face_heights(LATIN.faces[1 if bold else 0]).get(ord(char))
        up, down = height or (script.ink_top, script.ink_bottom)
        top, bottom = max(top, up), max(bottom, down)
    return top, bottom, tuple(scripts.values())


def _round_up(value: float, step: float) -> float:
    return math.ceil(round(value / step, 6)) * step


@dataclasses.dataclass
class _Text:
    """One text of a box to fit: its candidate sizes (largest first), and how it is set.

    A text of the person block (``spaced``) gets a line height that keeps LINE_GAP_MM between the
    ink of its own lines; its margin above is chosen with the stack (``_person_layout``)."""

    key: str
    text: str
    sizes: tuple[float, ...]
    bold: bool = False
    line_height: float = LINE_HEIGHT  # the least line height
    gap_mm: float = 0.0  # the least margin above it (the layout's rhythm)
    max_lines: int = 2  # lines it may take at its largest sizes...
    more_lines_below: tuple[float, ...] = ()  # ...and one more below each of these sizes
    floor: float = 0.0  # the size it keeps while the name can still give way (person block)
    primary: Script = LATIN  # the first face of its font stack: its lines' strut
    spaced: bool = False
    index: int = 0

    def __post_init__(self):
        self.ink_top, self.ink_bottom, scripts = text_ink(self.text, self.bold)
        # The line box holds the strut (primary face) and the text (the faces it is drawn in),
        # aligned on the baseline: it is taller than the line height by the shift between them.
        ascent = max([self.primary.ascent, *(s.ascent for s in scripts)])
        descent = max([self.primary.descent, *(s.descent for s in scripts)])
        self.strut_shift = abs(self.primary.centre - (ascent - descent) / 2)

    @property
    def size(self) -> float:
        return self.sizes[self.index]

    @property
    def size_mm(self) -> float:
        return self.size * PT_MM

    def lines(self, width_mm: float) -> int:
        return _lines(self.text, self.size, width_mm, self.bold)

    def allowed_lines(self) -> int:
        return self.max_lines + sum(1 for size in self.more_lines_below if self.size < size)

    def too_many_lines(self, width_mm: float) -> bool:
        return self.lines(width_mm) > self.allowed_lines()

    def used_line_height(self) -> float:
        """The line height set on it (a class of base.css)."""
        if not self.spaced:
            return self.line_height
        needed = self.ink_top + self.ink_bottom + LINE_GAP_MM / self.size_mm
        return min(_round_up(max(self.line_height, needed), LINE_HEIGHT_STEP), MAX_LINE_HEIGHT)

    def lines_mm(self, width_mm: float) -> float:
        lines = self.lines(width_mm)
        shift = self.strut_shift if self.spaced else 0.0
        return lines * self.size_mm * (self.used_line_height() + shift) if lines else 0.0

    def height(self, width_mm: float) -> float:
        return self.gap_mm + self.lines_mm(width_mm) if self.text else 0.0

    def room_above_mm(self) -> float:
        """Paper at least left between the top of its first line box and its ink (negative: the ink
        reaches above the line box)."""
        return self.size_mm * (self.used_line_height() / 2 + self.primary.centre - self.ink_top)

    def room_below_mm(self) -> float:
        return self.size_mm * (self.used_line_height() / 2 - self.primary.centre - self.ink_bottom)


def _fit(texts: list[_Text], box: "Box") -> tuple[dict[str, float], float]:
    """Font sizes for ``texts`` stacked in ``box``, and the height they then take (mm).

    Each text starts at its largest size and steps down while it takes more lines than it may at that
    size; then, while the stack is too tall, the text least shrunk so far steps down. The smallest
    sizes hold the longest values the fields allow."""
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
        largest = max(shrinkable, key=lambda t: t.size / t.sizes[0])
        largest.index += 1
        height = sum(text.height(width) for text in texts)
    return {text.key: text.size for text in texts}, height


@dataclasses.dataclass(frozen=True)
class _Placed:
    """The person block as laid out: each text's margin above (mm) and the block's height."""

    margins: dict[str, float]
    height_mm: float


def _person_layout(texts: list[_Text], width_mm: float) -> _Placed:
    """Margins that keep LINE_GAP_MM of clear paper between the last line of each text and the first
    of the next (and the first line's ink inside the box), and the height of the stack."""
    margins: dict[str, float] = {}
    height = 0.0
    above: _Text | None = None
    present = [text for text in texts if text.text]
    for text in present:
        if above is None:
            needed = max(-text.room_above_mm(), 0.0)
        else:
            needed = max(text.gap_mm, LINE_GAP_MM - above.room_below_mm() - text.room_above_mm())
        margin = min(_round_up(needed, MARGIN_STEP_MM), MAX_MARGIN_MM)
        margins[text.key] = margin
        height += margin + text.lines_mm(width_mm)
        above = text
    if above is not None:
        height += max(-above.room_below_mm(), 0.0)  # the last line's ink stays inside the box
    return _Placed(margins, height)


def _fit_person(texts: list[_Text], name: _Text, box: "Box", *, name_floor: float) -> _Placed:
    """Sizes for the person block: the name as large as it can be, then the others.

    For each size of the name, largest first, the other texts start just below it and the least
    shrunk steps down until the stack fits. Tried in turn, until one fits: the others keep their
    ``floor`` and the name its ``name_floor`` and its lines; the others go to their smallest size;
    the name goes below its floor; the name takes more lines (only the longest names the fields
    allow get there)."""
    width = box.width_mm
    others = [text for text in texts if text is not name and text.text]
    passes = ((True, True, True), (False, True, True), (False, False, True), (False, False, False))
    for keep_floor, keep_name_floor, keep_lines in passes:
        for index in range(len(name.sizes)):
            name.index = index
            if keep_name_floor and name.size < name_floor:
                break
            if keep_lines and name.too_many_lines(width):
                continue
            if _fit_below(
                others, name.size, width, box.height_mm, keep_floor, lambda: _person_layout(texts, width)
            ):
                return _person_layout(texts, width)
    name.index = len(name.sizes) - 1
    for text in others:
        text.index = len(text.sizes) - 1
    return _person_layout(texts, width)


def _fit_below(others, cap, width, height_mm, keep_floor, layout) -> bool:
    """Set the others below ``cap`` and shrink them, least shrunk first, until ``layout()`` fits in
    ``height_mm``; False if it never does."""
    for text in others:
        text.index = 0
        while text.index < len(text.sizes) - 1 and (text.size >= cap or text.too_many_lines(width)):
            text.index += 1
    while layout().height_mm > height_mm:
        shrinkable = [
            t
            for t in others
            if t.index < len(t.sizes) - 1 and not (keep_floor and t.sizes[t.index + 1] < t.floor)
        ]
        if not shrinkable:
            return False
        largest = max(shrinkable, key=lambda t: t.size / t.sizes[0])
        largest.index += 1
    return True


def _ladder(largest: float, smallest: float) -> tuple[float, ...]:
    return tuple(size for size in SIZES if smallest <= size <= largest)


def _below(sizes: tuple[float, ...], cap: float) -> tuple[float, ...]:
    """The sizes smaller than ``cap`` (the name's): no other text is as large as the name."""
    return tuple(size for size in sizes if size < cap) or sizes[-1:]


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
    name_floor: float  # the name stays this large unless it is too long for the box
    name_lines: tuple[int, float]  # the name takes at most 2 lines at this size and above, else 3
    floors: dict[str, float]  # what the other texts of the person block keep before the name shrinks
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
    gaps_mm={"name": 0.5, "native": 1.0, "position": 2.5, "organisation": 0.8, "dates": 0.6, "country": 0.5},
    name_floor=18,
    name_lines=(2, 25),
    floors={"honorific": 10, "native": 14, "position": 9, "organisation": 9},
)

LAYOUTS: dict[str, LayoutSpec] = {
    BadgeLayout.A6: _A6,
    # Four badges a little smaller than A6 (96 × 136 mm, for the same holders), with gutters for the
    # crop marks and 6 mm of paper around them that office printers leave blank (a4_sheet.css).
    BadgeLayout.A4_SHEET: dataclasses.replace(
        _A6,
        css=("base.css", "a4_sheet.css"),
        header=Box(84, 13),
        person=Box(84, 62.5, "middle"),
        place=Box(48, 30, "bottom"),
        band=Box(84, 16.5, "middle"),
        per_sheet=4,
    ),
    BadgeLayout.CR80: LayoutSpec(
        css=("base.css", "cr80.css"),
        header=Box(77.6, 5.5),
        person=Box(54, 36.5),
        place=Box(22, 14),
        band=Box(77.6, 8, "middle"),
        inline_header=True,
        inline_place=False,
        forum=_ladder(6.5, 5),
        dates=_ladder(6.5, 5),
        honorific=_ladder(7, 5.5),
        name=_ladder(17, 6.5),
        native=_ladder(14, 6),
        detail=_ladder(7, 5),
        city=_ladder(7.5, 5),
        country=_ladder(7, 5),
        category=_ladder(9, 5),
        gaps_mm={
            "name": 0.3,
            "native": 0.5,
            "position": 1.2,
            "organisation": 0.3,
            "dates": 0,
            "country": 0.3,
        },
        name_floor=12,
        name_lines=(2, 15),
        floors={"honorific": 6, "native": 9, "position": 6, "organisation": 6},
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


def _person_texts(content: BadgeContent, spec: LayoutSpec) -> tuple[list[_Text], _Text]:
    gaps, floors = spec.gaps_mm, spec.floors
    two_lines_from = spec.name_lines[1]
    name = _Text(
        "name",
        content.name,
        spec.name,
        bold=True,
        line_height=NAME_LINE_HEIGHT,
        gap_mm=gaps["name"],
        more_lines_below=(two_lines_from,),
        spaced=True,
    )
    texts = [
        _Text(
            "honorific",
            content.honorific,
            spec.honorific,
            max_lines=1,
            floor=floors["honorific"],
            spaced=True,
        ),
        name,
        _Text(
            "native",
            content.native_name,
            spec.native,
            gap_mm=gaps["native"],
            more_lines_below=(16, 11),
            floor=floors["native"],
            primary=script_for_lang(content.native_lang),
            spaced=True,
        ),
        _Text(
            "position",
            content.position,
            spec.detail,
            gap_mm=gaps["position"],
            more_lines_below=(9, 7.5),
            floor=floors["position"],
            spaced=True,
        ),
        _Text(
            "organisation",
            content.organisation,
            spec.detail,
            gap_mm=gaps["organisation"],
            more_lines_below=(9, 7.5),
            floor=floors["organisation"],
            spaced=True,
        ),
    ]
    return texts, name


def _css_number(value: float, unit: float) -> str:
    return str(round(value / unit))


def badge_sizes(*, content: BadgeContent, layout: str) -> dict[str, str]:
    """The classes that fit the badge's text: ``fs-<tenths of a point>`` per text; for the texts of
    the person block also ``lh-<hundredths>`` (``<key>_lh``) and ``mt-<tenths of a mm>``
    (``<key>_mt``); and the padding (``pt-<mm>``) that places the text of each box."""
    spec = layout_spec(layout)
    gaps = spec.gaps_mm
    person, name = _person_texts(content, spec)
    placed = _fit_person(person, name, spec.person, name_floor=spec.name_floor)
    sizes = {text.key: text.size for text in person}
    cap = name.size  # every other text of the badge stays smaller than the name
    if spec.inline_header:
        header, _height = _fit_line(
            [("forum", content.forum_name), ("dates", content.forum_dates)],
            _below(spec.forum, cap),
            spec.header,
        )
    else:
        header, _height = _fit(
            [
                _Text("forum", content.forum_name, _below(spec.forum, cap), bold=True, more_lines_below=(8,)),
                _Text(
                    "dates", content.forum_dates, _below(spec.dates, cap), max_lines=1, gap_mm=gaps["dates"]
                ),
            ],
            spec.header,
        )
    if spec.inline_place:
        place, place_mm = _fit_line(
            [("city", content.city), ("country", content.country)], _below(spec.city, cap), spec.place
        )
    else:
        place, place_mm = _fit(
            [
                _Text("city", content.city, _below(spec.city, cap), bold=True, more_lines_below=(10, 8)),
                _Text("country", content.country, _below(spec.country, cap), gap_mm=gaps["country"]),
            ],
            spec.place,
        )
    band, band_mm = _fit(
        [
            _Text(
                "category",
                content.category,
                _below(spec.category, cap),
                bold=True,
                max_lines=1,
                more_lines_below=(12, 9),
            )
        ],
        spec.band,
    )
    classes = {key: _css_number(size, 0.1) for key, size in (sizes | header | place | band).items()}
    for text in person:
        classes[f"{text.key}_lh"] = _css_number(text.used_line_height(), 0.01)
        classes[f"{text.key}_mt"] = _css_number(placed.margins.get(text.key, 0.0), MARGIN_STEP_MM)
    classes["person_pad"] = str(spec.person.padding(placed.height_mm))
    classes["place_pad"] = str(spec.place.padding(place_mm))
    classes["band_pad"] = str(spec.band.padding(band_mm))
    return classes
