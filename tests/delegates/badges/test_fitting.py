"""Fitting long names on a badge (``delegates/badges/fitting.py``): the sizes chosen shrink the longest
values until they stay inside their box on every layout, read back from the real PDF (pdfplumber's
character boxes), without pushing anything onto a second page."""

import re

import pdfplumber
import pytest

from delegates.badges.content import badge_content
from delegates.badges.fitting import badge_sizes
from delegates.badges.pdf import badge_pdf
from events.enums import BadgeLayout
from tests.delegates.badges.pdfs import (
    MM,
    baselines_mm,
    bbox_mm,
    find_text_chars,
    inside,
    page_size_mm,
    pdf_text,
    qr_texts,
    write_pdf,
)
from tests.factories import DelegateCategoryFactory, ForumFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

LONGEST = {"honorific": "Dato' Sri Haji", "badge_name": "Mohamad Nor Azman bin Haji Abdul Rahman Al-Haj"}
# The box the person's name must stay inside (left, top, right, bottom in mm, from the badge's top left
# corner): static/css/badge/*.css.
PERSON_BOX_MM = {
    BadgeLayout.A6: (7, 22, 98, 90),
    BadgeLayout.CR80: (4, 8.5, 58, 45),
    BadgeLayout.A4_SHEET: (12, 29, 96, 91.5),  # the first cell of the sheet
}


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


# Long names in several scripts, with everything else a delegate fills in.
LONG_NAMES = {
    "malay": {
        "honorific": "Dato' Sri Haji",
        "badge_name": "Dato' Sri Haji Mohamad Nor Azman bin Haji Abdul Rahman",
        "native_name": "محمد نور عزمان بن حاج عبدالرحمن",
        "native_name_lang": "ms-Arab",
        "position": "Datuk Bandar (Mayor)",
        "organisation": "Majlis Bandaraya Shah Alam",
    },
    "vietnamese": {
        "honorific": "Bà",
        "badge_name": "Tôn Nữ Thị Phương Thảo Nguyễn Hoàng Yến",
        "native_name": "",
        "native_name_lang": "",
        "position": "Vice Chairwoman of the People's Committee of Da Nang City",
        "organisation": "People's Committee of Da Nang City",
    },
    "thai": {
        "honorific": "Khun",
        "badge_name": "ปิ่นอนงค์ ศรีสุวรรณวงศ์ ณ อยุธยา",
        "native_name": "",
        "native_name_lang": "",
        "position": "Deputy Governor of Bangkok",
        "organisation": "Bangkok Metropolitan Administration",
    },
    "khmer": {
        "honorific": "H.E.",
        "badge_name": "Samdech Kittisangahak Pandit Sopheaktra Chan",
        "native_name": "សម្តេច កិត្តិសង្គហបណ្ឌិត ចាន់ សុភ័ក្ត្រា",
        "native_name_lang": "km",
        "position": "Governor of Siem Reap Province",
        "organisation": "Siem Reap Provincial Administration",
    },
}
# Readable from two metres on A6 (and on the A4 sheet's badges); from across the desk on the card.
NAME_MIN_PT = {BadgeLayout.A6: 18, BadgeLayout.A4_SHEET: 18, BadgeLayout.CR80: 12}


@pytest.mark.parametrize("layout", list(BadgeLayout))
@pytest.mark.parametrize("person", LONG_NAMES)
def test_long_name_stays_large_whole_and_the_largest_text(open_forum, mayors, tmp_path, person, layout):
    details = LONG_NAMES[person]
    registration = RegistrationFactory(forum=open_forum, category=mayors, checkin_token="L" * 32, **details)

    path = write_pdf(badge_pdf(registration=registration, layout=layout), tmp_path)

    name = find_text_chars(path, details["badge_name"])  # every character of the name is drawn...
    assert inside(bbox_mm(name), PERSON_BOX_MM[layout])  # ...inside its box: nothing is clipped
    (size,) = {round(c["size"], 1) for c in name}
    assert size >= NAME_MIN_PT[layout]
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        others = {round(c["size"], 1) for c in page.chars if c not in name and c["text"].strip()}
        left, top, right, bottom = bbox_mm(name)
        lines = baselines_mm(page, (left, top, right, bottom + 2))
    assert len(lines) <= 3
    assert max(others) < size  # the name is the largest text of the badge


def test_a_long_name_takes_the_room_left_in_the_box(open_forum, mayors, tmp_path):
    """Not 13 pt with a third of the box empty: the name of the Malay mayor grows until the person
    block fills most of its box."""
    registration = RegistrationFactory(
        forum=open_forum, category=mayors, checkin_token="L" * 32, **LONG_NAMES["malay"]
    )

    path = write_pdf(badge_pdf(registration=registration, layout=BadgeLayout.A6), tmp_path)

    with pdfplumber.open(path) as pdf:
        chars = [c for c in pdf.pages[0].chars if c["text"].strip() and 22 * MM <= c["top"] <= 90 * MM]
    used = bbox_mm(chars)
    name_size = round(find_text_chars(path, LONG_NAMES["malay"]["badge_name"])[0]["size"])
    assert name_size >= 21
    assert used[3] - used[1] >= 0.7 * 68  # of the person box's 68 mm
