"""What a badge can print (``delegates/badges/printable.py``): characters no face of the badge draws,
direction controls, names made of invisible characters — checked against the real fonts, and against
what WeasyPrint really draws."""

import logging

import pytest

from delegates.badges.content import badge_content
from delegates.badges.pdf import badges_pdf
from delegates.badges.printable import (
    badge_problems,
    describe_characters,
    is_ignorable,
    text_problem,
    unprintable_characters,
)
from events.enums import BadgeLayout
from tests.delegates.badges.pdfs import pdf_fonts, pdf_text, write_pdf
from tests.delegates.badges.test_pdf import NATIVE, comparable
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db

# Real names of tests/data/delegate-names.tsv as they are often typed: words joined or kept apart by
# invisible characters the shaper needs (zero-width non-joiner between Jawi words written together,
# zero-width space between Khmer words, non-joiner inside a Tamil cluster, joiner inside Burmese).
NATIVE_BY_LANG = {row["lang"]: row for row in NATIVE}
WITH_JOINERS = {
    "ms-Arab": NATIVE_BY_LANG["ms-Arab"]["native_name"].replace("عبدالله", "عبد\u200cالله"),
    "km": NATIVE_BY_LANG["km"]["native_name"].replace(" ", "\u200b"),
    "ta": NATIVE_BY_LANG["ta"]["native_name"].replace("சுப்பிரமணியம்", "சுப்\u200cபிரமணியம்"),
    "my": NATIVE_BY_LANG["my"]["native_name"].replace("ကျော်", "ကျော်\u200d"),
}


def test_every_script_of_the_forum_is_covered():
    for row in NATIVE:
        assert unprintable_characters(f"{row['honorific']} {row['badge_name']} {row['native_name']}") == []


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("Sok Vibol 😀", ["😀"]),
        ("❤️ Ana", ["❤"]),  # the variation selector draws nothing: only the heart lacks a glyph
        ("👨\u200d👩\u200d👧", ["👨", "👩", "👧"]),
        ("ნინო", ["ნ", "ი", "ო"]),  # Georgian: no face of the badge
        ("Bel\x07l", ["\x07"]),
    ],
)
def test_characters_no_face_draws_are_found(text, missing):
    assert unprintable_characters(text) == missing


@pytest.mark.parametrize(
    ("char", "ignorable"),
    [
        ("\u00ad", True),  # soft hyphen: the first range, one code point
        ("\u200b", True),
        ("\u200f", True),  # the last of its range
        ("\u2010", False),  # the hyphen just after it
        ("\U000e0000", True),
        ("\U000e0fff", True),  # the last code point of the last range
        ("\U000e1000", False),
        ("a", False),
        ("\u0e01", False),  # Thai ko kai
    ],
)
def test_default_ignorable_code_points_are_known_at_the_ends_of_their_ranges(char, ignorable):
    assert is_ignorable(char) is ignorable


def test_characters_are_described_as_people_look_them_up():
    assert describe_characters(["😀", "\u202e", "\u094d"]) == "😀 (U+1F600), U+202E, U+094D"


@pytest.mark.parametrize("lang", WITH_JOINERS)
def test_joiners_inside_real_names_are_allowed(lang):
    assert text_problem(WITH_JOINERS[lang], name=True) is None


@pytest.mark.parametrize("text", ["\u200b", "\u200d\u200c", "\ufeff", "\u200b \u2060", "\u00ad"])
def test_a_name_of_invisible_characters_only_is_refused(text):
    assert text_problem(text, name=True) == (
        "This name is made only of invisible characters: please type the name itself."
    )


@pytest.mark.parametrize(
    "control", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
)
def test_direction_controls_are_refused(control):
    assert text_problem(f"Sok {control}Vibol", name=True) == (
        f"Please remove the text-direction control U+{ord(control):04X}: it would reorder the letters on "
        "the badge."
    )


def test_a_character_without_a_font_is_named_in_the_message():
    assert text_problem("Sok 😀 Vibol 🎉", name=True) == (
        "These characters cannot be printed on the badge: 😀 (U+1F600), 🎉 (U+1F389). Please remove them "
        "or write them another way."
    )


def test_what_the_check_refuses_is_not_drawn_by_the_badge_faces(open_forum, mayors, tmp_path, caplog):
    """The check and the renderer agree. A character no font has is an empty box (.notdef) in the PDF;
    an emoji is an empty box too, or is drawn by whatever other font the machine has (DejaVu here),
    outside the badge's faces and their line spacing. The names with joiners print with every
    glyph, in the badge's faces."""
    boxes = RegistrationFactory(forum=open_forum, category=mayors, badge_name="Sok Vibol \ue000")
    emoji = RegistrationFactory(forum=open_forum, category=mayors, badge_name="Sok Vibol 😀")
    allowed = [
        RegistrationFactory(forum=open_forum, category=mayors, native_name=name, native_name_lang=lang)
        for lang, name in WITH_JOINERS.items()
    ]

    def warnings(registration, name):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="weasyprint"):
            path = write_pdf(badges_pdf(registrations=[registration], layout=BadgeLayout.A6), tmp_path, name)
        return [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")], path

    assert [warnings(r, f"allowed-{n}.pdf")[0] for n, r in enumerate(allowed)] == [[]] * len(allowed)
    assert [badge_problems(badge_content(registration=r)) for r in allowed] == [[]] * len(allowed)
    tofu, _path = warnings(boxes, "boxes.pdf")
    assert tofu == ['.notdef glyph rendered for Unicode string unsupported by fonts: "\ue000" (U+E000)']
    assert badge_problems(badge_content(registration=boxes)) == ["no font has U+E000"]
    emoji_warnings, path = warnings(emoji, "emoji.pdf")
    assert emoji_warnings or not all(font.startswith("Noto-") for font in pdf_fonts(path))
    assert badge_problems(badge_content(registration=emoji)) == ["no font has 😀 (U+1F600)"]


def test_names_with_joiners_read_back_as_typed(open_forum, mayors, tmp_path):
    registrations = [
        RegistrationFactory(forum=open_forum, category=mayors, native_name=name, native_name_lang=lang)
        for lang, name in WITH_JOINERS.items()
        if lang != "ms-Arab"  # poppler reverses right-to-left lines: see test_pdf.py
    ]

    path = write_pdf(badges_pdf(registrations=registrations, layout=BadgeLayout.A6), tmp_path)

    for page, registration in enumerate(registrations, start=1):
        # The joiners shape the text and draw nothing: the PDF's text has the letters around them.
        typed = registration.native_name.translate(dict.fromkeys(map(ord, "\u200b\u200c\u200d")))
        assert comparable(typed) in comparable(pdf_text(path, page))


def test_badge_problems_name_every_trouble_of_a_badge(open_forum, mayors):
    registration = RegistrationFactory(
        forum=open_forum, category=mayors, badge_name="\u200b", position="Mayor \u202e", city="Tbilisi ნ"
    )

    assert badge_problems(badge_content(registration=registration)) == [
        "no font has ნ (U+10DC)",
        "text-direction controls U+202E",
        "the name has no visible letters",
    ]
