"""Line spacing of the badge's person block (``delegates/badges/fitting.py``, ``static/css/badge/``),
read from the rasterised PDF: between any two consecutive lines — the honorific, the name's lines,
the native name's lines, the position, the organisation — at least 1 mm of clear paper, for a name in
every script the forum meets above a native name in every other, on every layout.

The names are fictional, built from the letters that reach highest and lowest in each script
(Vietnamese capitals with two marks, Thai tone marks on tall consonants and vowels below, Khmer
double subscripts, Burmese medial ra, Lao subscript lo, Tamil ligatures, Jawi letters with dots
below)."""

import itertools

import pdfplumber
import pytest
import weasyprint

from delegates.badges.pdf import badges_pdf
from events.enums import BadgeLayout
from tests.delegates.badges.pdfs import baselines_mm, clear_gaps_mm, rasterise_all, write_pdf
from tests.factories import DelegateCategoryFactory, ForumFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

DPI = 300
MIN_GAP_MM = 1.0

# A name per script: (language of the native name, the name).
NAMES = {
    "vi": "Quỳnh Ỷ Lan Đặng Nguyễn",
    "th": "ปิ่นฤทัย ญาณวุฒิกุล",
    "km": "ព្រំ សុភ័ក្ត្រ ស្ត្រី",
    "lo": "ບຸນຫຼ້າ ພົມມະວົງ",
    "my": "ဦးမြင့်ကြည် ဒေါ်ခင်ကြည်",
    "zh-Hans": "黄鑫磊",
    "ta": "ஸ்ரீநிவாசன் கிருஷ்ணமூர்த்தி",
    "ms-Arab": "حاج ڠه عزيز بن يحيى",
}
PAIRS = [(above, below) for above, below in itertools.permutations(NAMES, 2)]
# Each script's name long enough to wrap on every layout, above the next script's native name.
WRAPPED = [(lang, f"{NAMES[lang]} {NAMES[lang]}") for lang in NAMES]

# The person block of each badge on a page (left, top, right, bottom in mm): static/css/badge/*.css.
PERSON_BOXES = {
    BadgeLayout.A6: [(7, 22, 98, 90)],
    BadgeLayout.CR80: [(4, 8.5, 58, 45)],
    BadgeLayout.A4_SHEET: [
        (left + 6, top + 19.5, left + 90, top + 82) for top in (9.5, 151.5) for left in (6, 108)
    ],
}


def badges_for(cases: list[tuple[str, str, str]]) -> list:
    forum = ForumFactory(name="ASEAN Mayors Forum 2031", slug="amf-spacing")
    category = DelegateCategoryFactory(forum=forum, name="Mayor / Governor")
    return [
        RegistrationFactory(
            forum=forum,
            category=category,
            checkin_token=f"{n:04d}" * 8,
            honorific="H.E. Dr.",
            badge_name=name,
            native_name=native,
            native_name_lang=lang,
            position="Vice Chairwoman of the People's Committee, Planning and Investment",
            organisation="Gyeongju Pyay City Hall",
        )
        for n, (name, native, lang) in enumerate(cases)
    ]


def gaps_per_badge(path, layout, tmp_path) -> list[list[float]]:
    """The clear gaps between consecutive lines of each badge's person block, in badge order."""
    images = rasterise_all(path, tmp_path, DPI)
    gaps = []
    with pdfplumber.open(path) as pdf:
        for page, image in zip(pdf.pages, images, strict=True):
            for box in PERSON_BOXES[layout]:
                baselines = baselines_mm(page, box)
                if baselines:
                    gaps.append(clear_gaps_mm(image, box, baselines, DPI))
    return gaps


@pytest.mark.parametrize("layout", list(BadgeLayout))
def test_every_pair_of_scripts_keeps_a_millimetre_between_lines(layout, tmp_path):
    cases = [(NAMES[above], NAMES[below], below) for above, below in PAIRS]
    cases += [(name, NAMES[PAIRS[n * 7][1]], PAIRS[n * 7][1]) for n, (_lang, name) in enumerate(WRAPPED)]
    labels = [f"{above} over {below}" for above, below in PAIRS] + [f"{lang} wrapped" for lang, _ in WRAPPED]
    path = write_pdf(badges_pdf(registrations=badges_for(cases), layout=layout), tmp_path)

    gaps = gaps_per_badge(path, layout, tmp_path)

    assert len(gaps) == len(cases)
    # honorific, name (one line or more), native, position (one or more), organisation
    assert all(len(badge) >= 4 for badge in gaps), gaps
    too_close = {label: badge for label, badge in zip(labels, gaps, strict=True) if min(badge) < MIN_GAP_MM}
    assert too_close == {}


def test_gaps_are_measured_on_the_ink(tmp_path):
    """The measure itself: lines set solid (line height 1, no margin) in Burmese, whose medial ra
    reaches below the line, leave no clear row between them — the test above would see it."""
    html = (
        '<p lang="my" style="font: 20pt \'Noto Sans Myanmar\'; line-height: 1; margin: 0 0 0 10mm;'
        ' width: 40mm">ဦးမြင့်ကြည် ဒေါ်ခင်ကြည် ဦးမြင့်ကြည်</p>'
    )
    path = write_pdf(
        weasyprint.HTML(string=html).write_pdf(
            stylesheets=[weasyprint.CSS(string="@page{size:60mm 60mm;margin:0}")]
        ),
        tmp_path,
    )
    box = (0, 0, 60, 60)

    with pdfplumber.open(path) as pdf:
        baselines = baselines_mm(pdf.pages[0], box)
    gaps = clear_gaps_mm(rasterise_all(path, tmp_path, DPI)[0], box, baselines, DPI)

    assert len(baselines) >= 2
    assert max(gaps) < MIN_GAP_MM
