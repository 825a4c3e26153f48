"""Fitting long names on a badge (``delegates/badges/fitting.py``): the sizes chosen shrink the longest
values until they stay inside their box on every layout, read back from the real PDF (pdfplumber's
character boxes), without pushing anything onto a second page."""

import re

import pytest

from delegates.badges.content import badge_content
from delegates.badges.fitting import badge_sizes
from delegates.badges.pdf import badge_pdf
from events.enums import BadgeLayout
from tests.delegates.badges.pdfs import (
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
    BadgeLayout.CR80: (4, 8.5, 58, 38.5),
    BadgeLayout.A4_SHEET: (7, 22.5, 98, 90.5),  # the first cell: A6 half a millimetre down
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
