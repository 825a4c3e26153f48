"""The fonts badges are drawn with — the Noto faces of ``static/css/badge/base.css``, by script — and
what is read from their files, once per process: advance widths (to fit texts, ``fitting.py``), glyph
heights (to space lines) and the characters they cover (``printable.py``).

All faces come from the Debian packages fonts-noto-core and fonts-noto-cjk (installed with the other
system packages the badges need). Their files are found under the usual font folders; a face that is
not installed is logged and treated as covering nothing.
"""

import dataclasses
import functools
import logging
import unicodedata
from pathlib import Path

logger = logging.getLogger(__name__)

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".local/share/fonts")


@dataclasses.dataclass(frozen=True)
class Script:
    """A script with a Noto face of its own on the badge.

    ``ascent`` and ``descent`` are the face's line metrics (its ``hhea`` table, in em), from which the
    layout places the baseline in a line box: the baseline lies ``centre`` em below the middle of the
    line's content area. ``ink_top`` and ``ink_bottom`` are how far the script's tallest and deepest
    stacks reach above and below the baseline (in em, regular and bold alike), measured on the
    rasterised stacks of ``tests/delegates/badges/test_fonts.py`` with a little room to spare."""

    key: str
    faces: tuple[str, str]  # (regular, bold) file names
    ranges: tuple[tuple[int, int], ...]  # code points drawn in this face (first, last)
    ascent: float
    descent: float
    ink_top: float
    ink_bottom: float
    collection_index: int = 0  # the face within a .ttc collection

    @property
    def centre(self) -> float:
        return (self.ascent - self.descent) / 2


LATIN = Script(
    "latin", ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"), (), 1.069, 0.293, ink_top=1.08, ink_bottom=0.26
)
CJK = Script(
    "cjk",
    ("NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc"),
    (),
    1.16,
    0.288,
    ink_top=0.89,
    ink_bottom=0.27,
    collection_index=2,  # Noto Sans CJK SC: every face of the collection maps the same characters
)
ARABIC = Script(
    "arabic",
    ("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf"),
    ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
    1.069,
    0.634,
    ink_top=1.12,
    ink_bottom=0.50,
)
SCRIPTS = (
    ARABIC,
    Script(
        "tamil",
        ("NotoSansTamil-Regular.ttf", "NotoSansTamil-Bold.ttf"),
        ((0x0B80, 0x0BFF),),
        0.87,
        0.37,
        ink_top=0.88,
        ink_bottom=0.34,
    ),
    Script(
        "thai",
        ("NotoSansThai-Regular.ttf", "NotoSansThai-Bold.ttf"),
        ((0x0E00, 0x0E7F),),
        1.061,
        0.45,
        ink_top=1.06,
        ink_bottom=0.47,
    ),
    Script(
        "lao",
        ("NotoSansLao-Regular.ttf", "NotoSansLao-Bold.ttf"),
        ((0x0E80, 0x0EFF),),
        1.183,
        0.462,
        ink_top=1.18,
        ink_bottom=0.50,
    ),
    Script(
        "myanmar",
        ("NotoSansMyanmar-Regular.ttf", "NotoSansMyanmar-Bold.ttf"),
        ((0x1000, 0x109F), (0xA9E0, 0xA9FF), (0xAA60, 0xAA7F)),
        1.324,
        0.86,
        ink_top=1.04,
        ink_bottom=0.56,
    ),
    Script(
        "khmer",
        ("NotoSansKhmer-Regular.ttf", "NotoSansKhmer-Bold.ttf"),
        ((0x1780, 0x17FF), (0x19E0, 0x19FF)),
        1.069,
        0.293,
        ink_top=1.10,
        ink_bottom=0.61,
    ),
)
ALL_SCRIPTS = (LATIN, *SCRIPTS, CJK)

# The face the badge CSS gives text in a language (``:lang()`` rules of base.css): the first of its
# font stack, whose metrics set the line's strut.
LANG_SCRIPT = {
    "th": "thai",
    "km": "khmer",
    "lo": "lao",
    "my": "myanmar",
    "ta": "tamil",
    "ms-Arab": "arabic",
    "ar": "arabic",
    "zh-Hans": "cjk",
    "zh-Hant": "cjk",
    "ja": "cjk",
    "ko": "cjk",
}
_BY_KEY = {script.key: script for script in ALL_SCRIPTS}


def script_for_lang(lang: str) -> Script:
    return _BY_KEY[LANG_SCRIPT.get(lang, "latin")]


def is_wide(char: str) -> bool:
    """Ideographs, kana, hangul and full-width forms: one em wide, drawn by the CJK face."""
    return unicodedata.east_asian_width(char) in ("W", "F")


@functools.lru_cache(maxsize=8192)
def script_of(char: str) -> Script:
    """The script whose face draws ``char`` (Latin for everything the others do not take)."""
    code = ord(char)
    for script in SCRIPTS:
        for first, last in script.ranges:
            if first <= code <= last:
                return script
    if is_wide(char):
        return CJK
    return LATIN


# --- Reading the font files ----------------------------------------------------------------------------


@functools.cache
def _font_files() -> dict[str, Path]:
    """Every font file under the font folders, by file name (found once per process)."""
    found: dict[str, Path] = {}
    for folder in FONT_DIRS:
        if folder.is_dir():
            for path in sorted(folder.rglob("*.tt[fc]")):
                found.setdefault(path.name, path)
    return found


def _open(file_name: str, collection_index: int = 0):
    path = _font_files().get(file_name)
    if path is None:
        logger.warning("badge font %s not found", file_name)
        return None
    from fontTools.ttLib import TTFont  # installed with WeasyPrint; loaded where badges are made

    return TTFont(path, lazy=True, fontNumber=collection_index if path.suffix == ".ttc" else -1)


@functools.cache
def face_widths(file_name: str) -> dict[int, float]:
    """Advance width in em of each code point the face maps (its cmap and hmtx tables); empty when
    the face is not installed."""
    font = _open(file_name)
    if font is None:
        return {}
    with font:
        units = font["head"].unitsPerEm
        advances = font["hmtx"].metrics
        return {code: advances[glyph][0] / units for code, glyph in font.getBestCmap().items()}


@functools.cache
def face_heights(file_name: str) -> dict[int, tuple[float, float]]:
    """How far the glyph of each code point reaches above and below the baseline (em), from the
    face's glyf table (for the precomposed letters of Latin script: a Vietnamese Ẫ is one glyph)."""
    font = _open(file_name)
    if font is None:
        return {}
    with font:
        units = font["head"].unitsPerEm
        glyf = font["glyf"]
        heights = {}
        for code, name in font.getBestCmap().items():
            glyph = glyf[name]
            if glyph.numberOfContours:  # outlines or components: it has a bounding box
                heights[code] = (max(glyph.yMax, 0) / units, max(-glyph.yMin, 0) / units)
        return heights


@functools.cache
def face_coverage(file_name: str, collection_index: int = 0) -> frozenset[int]:
    """The code points the face maps to a glyph (its cmap); empty when it is not installed."""
    font = _open(file_name, collection_index)
    if font is None:
        return frozenset()
    with font:
        return frozenset(font.getBestCmap())


def covered(char: str) -> bool:
    """Whether a face of the badge draws ``char``: its script's face first (the one the layout picks),
    then any other of the stack. Faces are read on first need, once per process."""
    code = ord(char)
    first = script_of(char)
    if code in face_coverage(first.faces[0], first.collection_index):
        return True
    return any(
        code in face_coverage(script.faces[0], script.collection_index)
        for script in ALL_SCRIPTS
        if script is not first
    )
