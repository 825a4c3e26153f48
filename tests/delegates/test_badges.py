"""Name badges: the check-in token, what a badge shows in each layout (read back from real PDFs with
poppler and pdfplumber, QR codes decoded by zxing-cpp), fitting long names, and the badge rendered and
stored in the background (Celery eager, see conftest.py) only when what it shows changed.

The helpers at the top are shared by test_badge_scripts.py and test_badge_downloads.py."""

import io
import re
import subprocess
from pathlib import Path

import pdfplumber
import pytest
import zxingcpp
from django.core.files.storage import default_storage
from PIL import Image
from pypdf import PdfReader

from delegates.enums import RegistrationStatus
from delegates.models import Registration, StatusChange
from delegates.services import badges
from delegates.services.badges import (
    BadgeError,
    badge_content,
    badge_needs_render,
    badge_pdf,
    badge_sizes,
    badge_store,
    badges_pdf,
    band_text_colour,
    checkin_token_issue,
    checkin_token_reissue,
    contrast_ratio,
)
from delegates.services.registration import registration_approve, registration_cancel, registration_update
from delegates.tasks import render_badge
from events.enums import BadgeLayout
from tests.factories import DelegateCategoryFactory, ForumFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

MM = 72 / 25.4  # PDF points per millimetre
DPI = 200
LONGEST = {"honorific": "Dato' Sri Haji", "badge_name": "Mohamad Nor Azman bin Haji Abdul Rahman Al-Haj"}
# Page sizes (mm) and the box the person's name must stay inside (left, top, right, bottom in mm, from
# the badge's top left corner): static/css/badge/*.css.
PAGE_MM = {BadgeLayout.A6: (105, 148), BadgeLayout.CR80: (85.6, 54), BadgeLayout.A4_SHEET: (210, 297)}
PERSON_BOX_MM = {
    BadgeLayout.A6: (7, 22, 98, 90),
    BadgeLayout.CR80: (4, 8.5, 58, 38.5),
    BadgeLayout.A4_SHEET: (7, 22.5, 98, 90.5),  # the first cell: A6 half a millimetre down
}


# --- Reading PDFs back ---------------------------------------------------------------------------------


def write_pdf(pdf: bytes, folder: Path, name: str = "badge.pdf") -> Path:
    assert pdf.startswith(b"%PDF-")
    path = folder / name
    path.write_bytes(pdf)
    return path


def pdf_text(path: Path, page: int | None = None) -> str:
    """poppler's text layer, in content order (``pdftotext -raw``)."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", *pages, str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def pdf_lines(path: Path, page: int | None = None) -> list[str]:
    return [line.strip() for line in pdf_text(path, page).splitlines() if line.strip()]


def pdf_fonts(path: Path) -> list[str]:
    """The embedded fonts as ``pdffonts`` lists them, without the subset prefix (``ABCDEF+``)."""
    output = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = output.splitlines()[2:]
    for row in rows:
        assert row.split()[-5:-2] == ["yes", "yes", "yes"], row  # embedded, subset, with ToUnicode
    return sorted({row.split()[0].split("+", 1)[-1] for row in rows})


def rasterise(path: Path, page: int = 1, dpi: int = DPI) -> Image.Image:
    png = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l", str(page), str(path)],
        check=True,
        capture_output=True,
    ).stdout
    return Image.open(io.BytesIO(png))


def qr_codes(path: Path, page: int = 1) -> list:
    """The QR codes zxing-cpp finds on the page, top to bottom then left to right."""
    found = zxingcpp.read_barcodes(rasterise(path, page))
    assert all(code.format == zxingcpp.BarcodeFormat.QRCode for code in found)
    return sorted(found, key=lambda code: (round(code.position.top_left.y, -2), code.position.top_left.x))


def qr_texts(path: Path, page: int = 1) -> list[str]:
    return [code.text for code in qr_codes(path, page)]


def page_size_mm(path: Path) -> list[tuple[float, float]]:
    return [
        (round(float(p.mediabox.width) / MM, 1), round(float(p.mediabox.height) / MM, 1))
        for p in PdfReader(path).pages
    ]


def find_text_chars(path: Path, text: str, page: int = 0) -> list[dict]:
    """pdfplumber's characters that draw ``text`` (consecutive in content order, spaces ignored)."""
    chars = [c for c in pdfplumber.open(path).pages[page].chars if c["text"].strip()]
    wanted = re.sub(r"\s+", "", text)
    joined = ""
    starts = []
    for char in chars:
        starts.append(len(joined))
        joined += char["text"]
    start = joined.find(wanted)
    assert start >= 0, f"{text!r} not drawn on page {page + 1}"
    end = start + len(wanted)
    return [c for c, s in zip(chars, starts, strict=True) if start <= s < end]


def drawn_text(path: Path, page: int = 0) -> str:
    """The page's characters in the order they are drawn, without spaces."""
    return "".join(c["text"] for c in pdfplumber.open(path).pages[page].chars if c["text"].strip())


def bbox_mm(chars: list[dict]) -> tuple[float, float, float, float]:
    """Left, top, right, bottom of the characters, in mm from the page's top left corner."""
    return (
        min(c["x0"] for c in chars) / MM,
        min(c["top"] for c in chars) / MM,
        max(c["x1"] for c in chars) / MM,
        max(c["bottom"] for c in chars) / MM,
    )


def inside(bbox: tuple[float, ...], box: tuple[float, ...], tolerance: float = 0.05) -> bool:
    """Whether ``bbox`` lies within ``box`` (both left, top, right, bottom in mm)."""
    x0, y0, x1, y1 = bbox
    left, top, right, bottom = box
    inside = (
        left - tolerance <= x0
        and x1 <= right + tolerance
        and top - tolerance <= y0
        and y1 <= bottom + tolerance
    )
    assert inside, f"{bbox} is not inside {box}"
    return inside


# --- Fixtures ------------------------------------------------------------------------------------------


@pytest.fixture
def confirmed(open_forum, mayors, register):
    """A confirmed delegate (through the real service), with their forum and category selected."""
    registration = register(
        open_forum,
        mayors,
        honorific="H.E.",
        badge_name="Sok Vibol",
        native_name="សុខ វិបុល",
        native_name_lang="km",
        position="Governor",
        organisation="Phnom Penh Capital Hall",
        city="Phnom Penh",
        country="KH",
    )
    return Registration.objects.select_related("forum", "category").get(pk=registration.pk)


def stored_files(forum_slug: str) -> list[str]:
    if not default_storage.exists(f"badges/{forum_slug}"):
        return []
    return sorted(default_storage.listdir(f"badges/{forum_slug}")[1])


# --- Check-in token ------------------------------------------------------------------------------------


def test_checkin_token_issued_on_confirmation_is_random_and_url_safe(open_forum, mayors, register):
    first, second = register(open_forum, mayors), register(open_forum, mayors)

    tokens = list(
        Registration.objects.filter(pk__in=[first.pk, second.pk])
        .order_by("pk")
        .values_list("checkin_token", flat=True)
    )

    assert tokens == [first.checkin_token, second.checkin_token]
    for registration in (first, second):
        token = registration.checkin_token
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token)  # 192 bits, URL-safe base64
        assert token not in (str(registration.pk), str(registration.public_id), registration.reference)
    assert first.checkin_token != second.checkin_token


def test_checkin_token_issue_keeps_an_existing_token(confirmed):
    token = confirmed.checkin_token

    again = checkin_token_issue(registration=Registration.objects.get(pk=confirmed.pk))

    assert again == token
    assert Registration.objects.get(pk=confirmed.pk).checkin_token == token


def test_pending_registration_gets_its_token_when_approved(open_forum, partners, register, staff):
    registration = register(open_forum, partners)
    assert registration.status == RegistrationStatus.PENDING
    assert Registration.objects.get(pk=registration.pk).checkin_token is None

    registration_approve(registration=registration, actor=staff)

    token = Registration.objects.get(pk=registration.pk).checkin_token
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token)


def test_delegate_promoted_from_the_waitlist_gets_a_token(open_forum, register):
    small = DelegateCategoryFactory(forum=open_forum, name="Observer", slug="observer", capacity=1)
    first, waiting = register(open_forum, small), register(open_forum, small)
    assert waiting.status == RegistrationStatus.WAITLISTED
    assert Registration.objects.get(pk=waiting.pk).checkin_token is None

    registration_cancel(registration=first, actor=None)

    promoted = Registration.objects.get(pk=waiting.pk)
    assert promoted.status == RegistrationStatus.CONFIRMED
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", promoted.checkin_token)


def test_checkin_token_reissue_invalidates_the_old_code_and_renders_the_badge_again(
    confirmed, staff, tmp_path, django_capture_on_commit_callbacks
):
    badge_store(registration=confirmed)
    old_token, old_file = confirmed.checkin_token, confirmed.badge_file.name

    with django_capture_on_commit_callbacks(execute=True):
        new_token = checkin_token_reissue(registration=confirmed, actor=staff)

    fresh = Registration.objects.get(pk=confirmed.pk)
    assert fresh.checkin_token == new_token != old_token
    assert not Registration.objects.filter(checkin_token=old_token).exists()
    note = StatusChange.objects.filter(registration=fresh).order_by("-id").first()
    assert (note.from_status, note.to_status, note.actor, note.reason) == (
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
        staff,
        badges.REASON_BADGE_REISSUED,
    )
    assert fresh.badge_file.name != old_file
    assert stored_files("amf-2031") == [Path(fresh.badge_file.name).name]
    path = write_pdf(default_storage.open(fresh.badge_file.name).read(), tmp_path)
    assert qr_texts(path) == [new_token]


def test_checkin_token_reissue_refuses_a_registration_that_is_not_confirmed(
    open_forum, partners, register, staff
):
    pending = register(open_forum, partners)

    with pytest.raises(BadgeError):
        checkin_token_reissue(registration=pending, actor=staff)

    assert Registration.objects.get(pk=pending.pk).checkin_token is None


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


def test_a4_sheet_has_crop_marks_on_the_two_cut_lines(open_forum, mayors, tmp_path):
    registration = RegistrationFactory(forum=open_forum, category=mayors, checkin_token="t" * 32)

    page = pdfplumber.open(
        write_pdf(badges_pdf(registrations=[registration], layout=BadgeLayout.A4_SHEET), tmp_path)
    ).pages[0]

    # Each mark is a 0.2 mm line (a CSS border, drawn as a filled rectangle) on a cut line: x = 105 mm
    # for the vertical cut, y = 148.5 mm for the horizontal one, at both edges of the paper and across
    # the middle. (x, y, width, height) in mm.
    marks = sorted(
        tuple(round(value / MM, 1) for value in (r["x0"], r["top"], r["width"], r["height"]))
        for r in page.rects
        if 0.1 * MM < min(r["width"], r["height"]) < 0.5 * MM
    )
    assert marks == [
        (0.0, 148.4, 10.0, 0.2),
        (100.0, 148.4, 10.0, 0.2),
        (104.9, 0.0, 0.2, 10.0),
        (104.9, 143.5, 0.2, 10.0),
        (104.9, 287.0, 0.2, 10.0),
        (200.0, 148.4, 10.0, 0.2),
    ]


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


@pytest.mark.parametrize("layout", list(BadgeLayout))
def test_longest_sample_name_fits_inside_the_name_box(open_forum, mayors, tmp_path, layout):
    registration = RegistrationFactory(forum=open_forum, category=mayors, checkin_token="L" * 32, **LONGEST)

    path = write_pdf(badge_pdf(registration=registration, layout=layout), tmp_path)

    assert len(page_size_mm(path)) == 1
    text = re.sub(r"\s+", " ", pdf_text(path))
    assert f"{LONGEST['honorific']} {LONGEST['badge_name']}" in text
    for value in (LONGEST["honorific"], LONGEST["badge_name"]):
        assert inside(bbox_mm(find_text_chars(path, value)), PERSON_BOX_MM[layout]), value
    sizes = badge_sizes(content=badge_content(registration=registration), layout=layout)
    assert int(sizes["name"]) >= {"a6": 170, "a4_sheet": 170, "cr80": 100}[layout]  # shrunk, not tiny


@pytest.mark.parametrize("layout", list(BadgeLayout))
def test_longest_allowed_values_never_spill_over_and_the_name_stays_whole(open_forum, tmp_path, layout):
    forum = ForumFactory(name="The Twelfth ASEAN Mayors Forum on Resilient Cities", slug="amf-long")
    category = DelegateCategoryFactory(
        forum=forum, name="Development partner and observer", badge_colour="#fde047"
    )
    name = ("Wolfeschlegelsteinhausenbergerdorff Haji " * 4)[:120].strip()
    registration = RegistrationFactory(
        forum=forum,
        category=category,
        checkin_token="W" * 32,
        honorific="H.E. Dr. Ir. Haji Professor Emeritus"[:40],
        badge_name=name,
        native_name=("陈美玲" * 40)[:120],
        native_name_lang="zh-Hans",
        position=("Vice Chairwoman of the People's Committee, responsible for planning " * 3)[:200],
        organisation=("Municipal Authority of the Special Administrative Region " * 4)[:200],
        city=("Krung Thep Maha Nakhon Amon Rattanakosin " * 3)[:120],
        country="GB",
    )

    path = write_pdf(badge_pdf(registration=registration, layout=layout), tmp_path)

    assert len(page_size_mm(path)) == 1  # nothing pushed onto a second page
    assert inside(bbox_mm(find_text_chars(path, name)), PERSON_BOX_MM[layout])
    assert qr_texts(path) == ["W" * 32]


def test_markup_in_a_name_is_printed_as_typed(open_forum, mayors, tmp_path):
    registration = RegistrationFactory(
        forum=open_forum, category=mayors, checkin_token="m" * 32, badge_name="<b>Bold</b> & <i>Co</i>"
    )

    path = write_pdf(badge_pdf(registration=registration, layout=BadgeLayout.A6), tmp_path)

    assert "<b>Bold</b> & <i>Co</i>" in re.sub(r"\s+", " ", pdf_text(path))


@pytest.mark.parametrize(
    ("background", "text"),
    [
        ("#fde047", "#111111"),
        ("#ffffff", "#111111"),
        ("#b91c1c", "#ffffff"),
        ("#1d4ed8", "#ffffff"),
        ("#15803d", "#ffffff"),
    ],
)
def test_band_text_colour_contrasts_with_the_category_colour(background, text):
    assert band_text_colour(background) == text
    assert contrast_ratio(background, text) >= 4.5


def test_band_uses_the_category_colour_and_its_label(confirmed, tmp_path):
    confirmed.category.badge_colour = "#B91C1C"
    confirmed.category.save()

    path = write_pdf(badge_pdf(registration=confirmed, layout=BadgeLayout.A6), tmp_path)

    image = rasterise(path, dpi=50).convert("RGB")
    _width, height = image.size
    assert image.getpixel((3, height - 3)) == (0xB9, 0x1C, 0x1C)  # the band's bottom left corner
    label = find_text_chars(path, "Mayor / Governor")
    assert all(c["non_stroking_color"] in ((1, 1, 1), [1, 1, 1], (1.0, 1.0, 1.0)) for c in label)


# --- Rendered and stored in the background -------------------------------------------------------------


def test_confirmation_renders_and_stores_the_badge_in_the_background(
    open_forum, mayors, register, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(open_forum, mayors, badge_name="Somchai Jaidee", city="Bangkok")

    stored = Registration.objects.get(pk=registration.pk)
    assert re.fullmatch(r"[0-9a-f]{64}", stored.badge_hash)
    assert stored.badge_file.name == f"badges/amf-2031/{stored.public_id}-{stored.badge_hash[:12]}.pdf"
    assert stored_files("amf-2031") == [Path(stored.badge_file.name).name]
    path = write_pdf(default_storage.open(stored.badge_file.name).read(), tmp_path)
    assert "Somchai Jaidee" in pdf_lines(path)
    assert qr_texts(path) == [stored.checkin_token]


def test_unchanged_badge_is_not_rendered_again(confirmed, django_capture_on_commit_callbacks):
    assert badge_store(registration=confirmed) is True
    name = confirmed.badge_file.name
    modified = default_storage.get_modified_time(name)

    with django_capture_on_commit_callbacks(execute=True):
        registration_update(registration=confirmed, data={"dietary": "vegetarian"}, actor=None)
        rendered_again = badge_store(registration=Registration.objects.get(pk=confirmed.pk))

    assert rendered_again is False
    fresh = Registration.objects.get(pk=confirmed.pk)
    assert fresh.badge_file.name == name
    assert default_storage.get_modified_time(name) == modified
    assert stored_files("amf-2031") == [Path(name).name]


def test_changed_name_renders_again_and_replaces_the_file(
    confirmed, tmp_path, django_capture_on_commit_callbacks
):
    badge_store(registration=confirmed)
    old_name = confirmed.badge_file.name

    with django_capture_on_commit_callbacks(execute=True):
        registration_update(registration=confirmed, data={"badge_name": "Sok Vibol Jr."}, actor=None)

    fresh = Registration.objects.get(pk=confirmed.pk)
    assert fresh.badge_file.name != old_name
    assert stored_files("amf-2031") == [Path(fresh.badge_file.name).name]  # the old file is gone
    assert not default_storage.exists(old_name)
    path = write_pdf(default_storage.open(fresh.badge_file.name).read(), tmp_path)
    assert "Sok Vibol Jr." in pdf_lines(path)
    assert qr_texts(path) == [confirmed.checkin_token]  # same token: the printed badge still works


def test_changes_of_the_forum_or_category_make_the_stored_badge_out_of_date(confirmed):
    badge_store(registration=confirmed)
    assert badge_needs_render(registration=confirmed) is False

    confirmed.category.name = "Mayor"
    assert badge_needs_render(registration=confirmed) is True
    confirmed.category.name = "Mayor / Governor"
    confirmed.forum.badge_layout = BadgeLayout.CR80
    assert badge_needs_render(registration=confirmed) is True


def test_a_missing_file_is_rendered_again(confirmed):
    badge_store(registration=confirmed)
    default_storage.delete(confirmed.badge_file.name)

    assert badge_store(registration=confirmed) is True
    assert default_storage.exists(confirmed.badge_file.name)


def test_badge_store_refuses_a_registration_that_is_not_confirmed(open_forum, partners, register):
    pending = register(open_forum, partners)

    with pytest.raises(BadgeError):
        badge_store(registration=pending)

    assert stored_files("amf-2031") == []


def test_render_task_leaves_missing_and_unconfirmed_registrations_alone(open_forum, partners, register):
    pending = register(open_forum, partners)

    assert render_badge.delay(pending.pk).get() is False
    assert render_badge.delay(987654321).get() is False
    assert stored_files("amf-2031") == []
    assert Registration.objects.get(pk=pending.pk).badge_hash == ""


def test_render_task_stores_the_badge(confirmed):
    assert render_badge.delay(confirmed.pk).get() is True
    assert render_badge.delay(confirmed.pk).get() is False  # idempotent: already current

    fresh = Registration.objects.get(pk=confirmed.pk)
    assert stored_files("amf-2031") == [Path(fresh.badge_file.name).name]


def test_preview_of_a_registration_that_is_not_confirmed_has_no_qr_code(
    open_forum, partners, register, tmp_path
):
    pending = Registration.objects.select_related("forum", "category").get(
        pk=register(open_forum, partners).pk
    )

    path = write_pdf(badge_pdf(registration=pending, layout=BadgeLayout.A6), tmp_path)

    assert qr_texts(path) == []
    assert "No check-in code yet: the registration is not confirmed." in re.sub(r"\s+", " ", pdf_text(path))
