"""Badge PDFs (``delegates/badges/pdf.py``), read back with poppler and pdfplumber, QR codes decoded by
zxing-cpp: what a badge shows in each layout, one badge a page or four on an A4 sheet, the QR code's
size and quiet zone, the category band — and every script the forum meets: the text equals what was
typed, it is drawn with the intended Noto face (never DejaVu, never the Japanese CJK face for
Chinese), and no glyph is .notdef. Sample names: tests/data/delegate-names.tsv (one per script, plus
hard cases)."""

import csv
import io
import logging
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pdfplumber
import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream

from delegates.badges.content import badge_content
from delegates.badges.fitting import badge_sizes
from delegates.badges.pdf import badge_pdf, badges_pdf
from delegates.models import Registration
from events.enums import BadgeLayout
from tests.delegates.badges.pdfs import (
    DPI,
    MM,
    drawn_text,
    find_text_chars,
    page_size_mm,
    pdf_fonts,
    pdf_lines,
    pdf_text,
    qr_codes,
    qr_texts,
    rasterise,
    write_pdf,
)
from tests.factories import DelegateCategoryFactory, ForumFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

# Page sizes (mm): static/css/badge/*.css.
PAGE_MM = {BadgeLayout.A6: (105, 148), BadgeLayout.CR80: (85.6, 54), BadgeLayout.A4_SHEET: (210, 297)}


# --- What the badge shows ------------------------------------------------------------------------------


def test_badge_shows_the_delegate_forum_and_category_and_a_qr_code_of_the_token(confirmed, tmp_path):
    path = write_pdf(badge_pdf(registration=confirmed, layout=BadgeLayout.A6), tmp_path)

    assert pdf_lines(path) == [
        "ASEAN Mayors Forum 2031",
        "6–7 October 2030",
        "H.E.",
        "Sok Vibol",
        "សុខ វិបុល",
        "Governor",
        "Phnom Penh Capital Hall",
        "Phnom Penh",
        "Cambodia",
        "Mayor / Governor",
    ]
    codes = qr_codes(path)
    assert [code.text for code in codes] == [confirmed.checkin_token]
    assert codes[0].ec_level == "M"


@pytest.mark.parametrize(
    ("layout", "pages", "badges_per_page"),
    [(BadgeLayout.A6, 5, 1), (BadgeLayout.CR80, 5, 1), (BadgeLayout.A4_SHEET, 2, 4)],
)
def test_badges_pdf_puts_one_badge_per_page_or_four_per_a4_sheet(
    open_forum, mayors, tmp_path, layout, pages, badges_per_page
):
    registrations = [
        RegistrationFactory(forum=open_forum, category=mayors, checkin_token=f"token-{n:02d}-{'x' * 24}")
        for n in range(5)
    ]

    path = write_pdf(badges_pdf(registrations=registrations, layout=layout), tmp_path)

    assert page_size_mm(path) == [PAGE_MM[layout]] * pages
    decoded = [qr_texts(path, page) for page in range(1, pages + 1)]
    tokens = [r.checkin_token for r in registrations]
    assert decoded == [tokens[i : i + badges_per_page] for i in range(0, 5, badges_per_page)]
    drawn = "".join(drawn_text(path, page) for page in range(pages))
    positions = [drawn.find(r.badge_name.replace(" ", "")) for r in registrations]
    assert -1 not in positions and positions == sorted(positions)  # every name, in the given order


# The A4 sheet (static/css/badge/a4_sheet.css): four 96 × 136 mm badges (left, top, right, bottom in
# mm), 6 mm gutters, and the eight cut lines along their edges.
A4_CELLS = [(left, top, left + 96, top + 136) for top in (9.5, 151.5) for left in (6, 108)]
A4_CUTS_X = [6, 102, 108, 204]
A4_CUTS_Y = [9.5, 145.5, 151.5, 287.5]
SAFE_MM = 5  # office printers leave up to this much of the paper's edge blank


def a4_sheet(open_forum, mayors, tmp_path, count=4):
    registrations = [
        RegistrationFactory(forum=open_forum, category=mayors, checkin_token=f"{n}" * 32)
        for n in range(count)
    ]
    return write_pdf(badges_pdf(registrations=registrations, layout=BadgeLayout.A4_SHEET), tmp_path)


def mm_box(item) -> tuple[float, float, float, float]:
    return tuple(round(item[key] / MM, 2) for key in ("x0", "top", "x1", "bottom"))


def within(box, other) -> bool:
    return other[0] <= box[0] and box[2] <= other[2] and other[1] <= box[1] and box[3] <= other[3]


def overlaps(box, other) -> bool:
    return box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3]


def crop_marks(page) -> list[tuple[float, ...]]:
    """The crop marks: lines 0.2 mm wide (CSS borders, drawn as filled rectangles), in mm."""
    return [mm_box(r) for r in page.rects if 0.1 * MM < min(r["width"], r["height"]) < 0.5 * MM]


def test_a4_sheet_crop_marks_lie_on_the_cut_lines_outside_every_badge(open_forum, mayors, tmp_path):
    page = pdfplumber.open(a4_sheet(open_forum, mayors, tmp_path)).pages[0]

    marks = crop_marks(page)

    assert len(marks) == 24  # each of the 8 cut lines: in both margins and across the gutter
    assert not [mark for mark in marks for cell in A4_CELLS if overlaps(mark, cell)]
    vertical = sorted((round((m[0] + m[2]) / 2, 1), m[1], m[3]) for m in marks if m[3] - m[1] > 1)
    horizontal = sorted((round((m[1] + m[3]) / 2, 1), m[0], m[2]) for m in marks if m[2] - m[0] > 1)
    assert vertical == [
        (x, top, bottom) for x in A4_CUTS_X for top, bottom in ((5.5, 8.5), (146.5, 150.5), (288.5, 291.5))
    ]
    assert horizontal == [
        (y, left, right) for y in A4_CUTS_Y for left, right in ((2.0, 5.0), (103.0, 107.0), (205.0, 208.0))
    ]


def test_a4_sheet_keeps_everything_but_the_marks_away_from_the_paper_edge(open_forum, mayors, tmp_path):
    path = a4_sheet(open_forum, mayors, tmp_path)
    page = pdfplumber.open(path).pages[0]
    marks = crop_marks(page)

    drawn = [mm_box(item) for item in [*page.chars, *page.rects, *page.curves, *page.lines]]

    safe = (SAFE_MM, SAFE_MM, 210 - SAFE_MM, 297 - SAFE_MM)
    on_marks = [(m[0] - 0.2, m[1] - 0.2, m[2] + 0.2, m[3] + 0.2) for m in marks]
    outside = [box for box in drawn if not within(box, safe) and not any(within(box, m) for m in on_marks)]
    assert outside == []
    # The bands of the categories end at the badges' edges, not at the paper's.
    bands = sorted(mm_box(r) for r in page.rects if r["non_stroking_color"] and r["height"] > 10 * MM)
    assert bands == sorted((left, bottom - 16.5, right, bottom) for left, _top, right, bottom in A4_CELLS)
    # On the printed page: outside the four badges, only the marks leave ink.
    image = rasterise(path, dpi=100).convert("L")
    width, data, px = image.width, image.tobytes(), 100 / 25.4
    inked = {(x, y) for y in range(image.height) for x in range(width) if data[y * width + x] < 200}
    stray = [
        (round(x / px, 1), round(y / px, 1))
        for x, y in inked
        if not any(
            c[0] - 0.5 <= x / px <= c[2] + 0.5 and c[1] - 0.5 <= y / px <= c[3] + 0.5 for c in A4_CELLS
        )
        and not any(abs(x / px - cut) < 0.5 for cut in A4_CUTS_X)
        and not any(abs(y / px - cut) < 0.5 for cut in A4_CUTS_Y)
    ]
    assert stray == []


def test_qr_code_on_a6_is_at_least_25_mm_wide_with_its_quiet_zone(confirmed, tmp_path):
    path = write_pdf(badge_pdf(registration=confirmed, layout=BadgeLayout.A6), tmp_path)
    image = rasterise(path)

    (code,) = qr_codes(path)

    corners = code.position
    symbol_mm = (corners.top_right.x - corners.top_left.x) * 25.4 / DPI
    assert symbol_mm >= 25
    # Quiet zone: 4 modules of white on every side of the symbol (a version 3 code has 29 modules).
    module_px = (corners.top_right.x - corners.top_left.x) / 29
    left, top = corners.top_left.x, corners.top_left.y
    right, bottom = corners.bottom_right.x, corners.bottom_right.y
    zone = int(4 * module_px) - 1
    grey = image.convert("L")
    for box in (
        (left - zone, top - zone, left - 1, bottom + zone),
        (right + 2, top - zone, right + zone, bottom + zone),
        (left - zone, top - zone, right + zone, top - 1),
        (left - zone, bottom + 2, right + zone, bottom + zone),
    ):
        assert grey.crop(box).getextrema()[0] > 200, box  # nothing dark in it


def test_markup_in_a_name_is_printed_as_typed(open_forum, mayors, tmp_path):
    registration = RegistrationFactory(
        forum=open_forum, category=mayors, checkin_token="m" * 32, badge_name="<b>Bold</b> & <i>Co</i>"
    )

    path = write_pdf(badge_pdf(registration=registration, layout=BadgeLayout.A6), tmp_path)

    assert "<b>Bold</b> & <i>Co</i>" in re.sub(r"\s+", " ", pdf_text(path))


def test_band_uses_the_category_colour_and_its_label(confirmed, tmp_path):
    confirmed.category.badge_colour = "#B91C1C"
    confirmed.category.save()

    path = write_pdf(badge_pdf(registration=confirmed, layout=BadgeLayout.A6), tmp_path)

    image = rasterise(path, dpi=50).convert("RGB")
    _width, height = image.size
    assert image.getpixel((3, height - 3)) == (0xB9, 0x1C, 0x1C)  # the band's bottom left corner
    label = find_text_chars(path, "Mayor / Governor")
    assert all(c["non_stroking_color"] in ((1, 1, 1), [1, 1, 1], (1.0, 1.0, 1.0)) for c in label)


def test_preview_of_a_registration_that_is_not_confirmed_has_no_qr_code(
    open_forum, partners, register, tmp_path
):
    pending = Registration.objects.select_related("forum", "category").get(
        pk=register(open_forum, partners).pk
    )

    path = write_pdf(badge_pdf(registration=pending, layout=BadgeLayout.A6), tmp_path)

    assert qr_texts(path) == []
    assert "No check-in code yet: the registration is not confirmed." in re.sub(r"\s+", " ", pdf_text(path))


# --- Every script the forum meets ----------------------------------------------------------------------

NAMES_FILE = Path(__file__).resolve().parents[2] / "data" / "delegate-names.tsv"

# The face each language's text must be drawn in (as pdffonts names it, without the subset prefix).
FACES = {
    "km": "Noto-Sans-Khmer",
    "th": "Noto-Sans-Thai",
    "lo": "Noto-Sans-Lao",
    "my": "Noto-Sans-Myanmar",
    "vi": "Noto-Sans",
    "zh-Hans": "Noto-Sans-CJK-SC",
    "zh-Hant": "Noto-Sans-CJK-TC",
    "ta": "Noto-Sans-Tamil",
    "ms-Arab": "Noto-Naskh-Arabic",
}
LATIN_FACES = {"Noto-Sans", "Noto-Sans-Bold"}  # everything else on the badge
# Not in the file: Chinese in traditional characters, which must get the TC face (not SC, not JP).
TRADITIONAL = {
    "lang": "zh-Hant",
    "script": "Hant",
    "honorific": "Mr.",
    "badge_name": "Chen Wei-Ming",
    "native_name": "陳偉明",
    "position": "Deputy Mayor",
    "city": "Kuching",
    "country": "MY",
}
BIDI_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def read_names() -> list[dict]:
    with NAMES_FILE.open(encoding="utf-8") as handle:
        return list(csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"))


NATIVE = [row for row in read_names() if row["native_name"]] + [TRADITIONAL]
LATIN_ONLY = [row for row in read_names() if not row["native_name"]]


def comparable(text: str) -> str:
    """NFC, without whitespace and bidi marks: how two renderings of the same name are compared."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text).translate(BIDI_MARKS))


def registration_for(row: dict, forum, category, token: str):
    return RegistrationFactory(
        forum=forum,
        category=category,
        checkin_token=token,
        honorific=row["honorific"],
        badge_name=row["badge_name"],
        native_name=row["native_name"],
        native_name_lang=row["lang"] if row["native_name"] else "",
        position=row["position"],
        organisation=f"City of {row['city']}",
        city=row["city"],
        country=row["country"],
    )


@pytest.fixture
def forum_and_category(db):
    forum = ForumFactory(name="ASEAN Mayors Forum 2031", slug="amf-2031")
    return forum, DelegateCategoryFactory(forum=forum, name="Mayor / Governor", badge_colour="#b91c1c")


def glyphs_by_font(path: Path) -> dict[str, set[int]]:
    """The glyph ids each font draws, read from the pages' content streams (and their form
    XObjects). WeasyPrint's fonts are Identity-H: each glyph is two bytes, its glyph id."""
    reader = PdfReader(path)
    used: dict[str, set[int]] = defaultdict(set)

    def add(font: str, operand) -> None:
        raw = operand.original_bytes if hasattr(operand, "original_bytes") else bytes(operand)
        used[font].update(int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2))

    def walk(stream, resources) -> None:
        fonts = resources.get("/Font", {})
        xobjects = resources.get("/XObject", {})
        font = ""
        for operands, operator in ContentStream(stream, reader).operations:
            if operator == b"Tf":
                font = str(fonts[operands[0]].get_object()["/BaseFont"])
            elif operator in (b"Tj", b"'", b'"'):
                add(font, operands[-1])
            elif operator == b"TJ":
                for item in operands[0]:
                    if not isinstance(item, int | float) and not hasattr(item, "as_numeric"):
                        add(font, item)
            elif operator == b"Do":
                xobject = xobjects[operands[0]].get_object()
                if xobject.get("/Subtype") == "/Form":
                    walk(xobject, xobject.get("/Resources", resources))

    for page in reader.pages:
        walk(page.get_contents(), page["/Resources"])
    return used


def embedded_glyph_counts(path: Path) -> dict[str, int]:
    """The number of glyphs of each embedded font program (fontTools on FontFile2/FontFile3)."""
    counts = {}
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
            counts[str(font["/BaseFont"])] = TTFont(io.BytesIO(program.get_object().get_data()))[
                "maxp"
            ].numGlyphs
    return counts


def assert_no_notdef(path: Path) -> None:
    """No glyph is .notdef: glyph 0 is never drawn, and no glyph id lies beyond its font (WeasyPrint
    gives a character no font has an id past the font's last glyph, drawn as .notdef)."""
    counts = embedded_glyph_counts(path)
    for font, glyphs in glyphs_by_font(path).items():
        assert glyphs, font
        assert 0 not in glyphs, f"{font} draws .notdef"
        assert max(glyphs) < counts[font], f"{font} draws a glyph it does not have"


def native_text(path: Path, face: str, size_pt: float, rtl: bool) -> str:
    """The characters drawn in ``face`` at ``size_pt`` (the native name), in reading order: content
    order, or right to left within each line for Jawi."""
    chars = [
        c
        for c in pdfplumber.open(path).pages[0].chars
        if c["fontname"].split("+", 1)[-1] == face and round(c["size"], 1) == size_pt
    ]
    if rtl:
        chars.sort(key=lambda c: (round(c["top"]), -c["x0"]))
    text = "".join(c["text"] for c in chars)
    assert "(cid:" not in text and "\ufffd" not in text  # every glyph maps back to its characters
    return text


@pytest.mark.parametrize("layout", [BadgeLayout.A6, BadgeLayout.CR80])
@pytest.mark.parametrize("row", NATIVE, ids=[row["lang"] for row in NATIVE])
def test_native_name_is_drawn_in_its_noto_face_and_reads_back_as_typed(
    forum_and_category, tmp_path, caplog, row, layout
):
    forum, category = forum_and_category
    registration = registration_for(row, forum, category, token="N" * 32)

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        path = write_pdf(badges_pdf(registrations=[registration], layout=layout), tmp_path)

    assert not [r for r in caplog.records if r.name.startswith("weasyprint")]  # e.g. ".notdef glyph rendered"
    face = FACES[row["lang"]]
    assert pdf_fonts(path) == sorted(LATIN_FACES | {face})
    assert_no_notdef(path)
    size = int(badge_sizes(content=badge_content(registration=registration), layout=layout)["native"]) / 10
    rtl = row["lang"] == "ms-Arab"
    assert comparable(native_text(path, face, size, rtl)) == comparable(row["native_name"])
    page_text = comparable(pdf_text(path))
    if rtl:
        # poppler reorders a right-to-left line by reversing its characters, which also reverses
        # the several characters of one ligature glyph (“لله” of “عبدالله”, mapped in logical order in
        # the PDF, as pdfplumber reads above): so only the text around the name is compared here.
        assert comparable(row["badge_name"]) in page_text
    else:
        assert comparable(row["native_name"]) in page_text
    assert comparable(f"{row['honorific']} {row['badge_name']}") in page_text
    assert qr_texts(path) == ["N" * 32]


def test_jawi_name_is_set_right_to_left(forum_and_category, tmp_path):
    forum, category = forum_and_category
    row = next(row for row in NATIVE if row["lang"] == "ms-Arab")
    registration = registration_for(row, forum, category, token="J" * 32)

    path = write_pdf(badges_pdf(registrations=[registration], layout=BadgeLayout.A6), tmp_path)

    size = (
        int(badge_sizes(content=badge_content(registration=registration), layout=BadgeLayout.A6)["native"])
        / 10
    )
    chars = [c for c in pdfplumber.open(path).pages[0].chars if c["fontname"].endswith("Noto-Naskh-Arabic")]
    assert {round(c["size"], 1) for c in chars} == {size}
    # Right to left: the first letter typed (م of محمد) is drawn rightmost, the last word's end —
    # the ligature of “لله” in عبدالله, one glyph for three letters — leftmost.
    by_x = sorted(chars, key=lambda c: -c["x0"])
    assert (by_x[0]["text"], by_x[-1]["text"]) == ("م", "لله")


@pytest.mark.parametrize("row", LATIN_ONLY, ids=[row["lang"] for row in LATIN_ONLY])
def test_latin_names_read_back_exactly(forum_and_category, tmp_path, row):
    forum, category = forum_and_category
    registration = registration_for(row, forum, category, token="T" * 32)

    path = write_pdf(badges_pdf(registrations=[registration], layout=BadgeLayout.A6), tmp_path)

    assert pdf_fonts(path) == sorted(LATIN_FACES)
    assert_no_notdef(path)
    text = re.sub(r"\s+", " ", pdf_text(path))
    assert (
        f"{row['honorific']} {row['badge_name']} {row['position']} City of {row['city']} {row['city']}"
        in text
    )
    assert registration.country.name in text


def test_every_script_on_one_sheet_uses_only_the_intended_faces(forum_and_category, tmp_path, caplog):
    forum, category = forum_and_category
    registrations = [
        registration_for(row, forum, category, token=f"{n:02d}" * 16) for n, row in enumerate(NATIVE)
    ]

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        path = write_pdf(badges_pdf(registrations=registrations, layout=BadgeLayout.A4_SHEET), tmp_path)

    assert not [r for r in caplog.records if r.name.startswith("weasyprint")]
    assert pdf_fonts(path) == sorted(LATIN_FACES | set(FACES.values()))
    assert_no_notdef(path)
    text = comparable(pdf_text(path))
    for row in NATIVE:
        if row["lang"] != "ms-Arab":  # see the note on poppler and Jawi above
            assert comparable(row["native_name"]) in text


def test_a_name_in_an_unlisted_script_still_gets_real_glyphs(forum_and_category, tmp_path, caplog):
    """A badge name typed in Thai and Chinese without a language still finds a Noto face with glyphs
    (the fallback stack), the Simplified Chinese one rather than the Japanese."""
    forum, category = forum_and_category
    registration = RegistrationFactory(
        forum=forum, category=category, checkin_token="U" * 32, badge_name="สมชาย 陈美玲", native_name=""
    )

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        path = write_pdf(badges_pdf(registrations=[registration], layout=BadgeLayout.A6), tmp_path)

    assert not [r for r in caplog.records if r.name.startswith("weasyprint")]
    assert pdf_fonts(path) == sorted(LATIN_FACES | {"Noto-Sans-Thai-Bold", "Noto-Sans-CJK-SC-Bold"})
    assert_no_notdef(path)
    assert comparable("สมชาย 陈美玲") in comparable(pdf_text(path))
