"""Whether a badge prints what was typed: every character drawn by a face of the badge (no empty
boxes where a font has no glyph), names with something visible in them, and no direction controls that
would reorder the printed text.

The registration form refuses such text, field by field (``text_problem``); what arrives otherwise (the
admin, older rows) is marked "cannot print" on the registration list, and print jobs leave those badges
out and say which (``badge_problems``). Coverage is read from the cmaps of the faces the badge CSS uses
(``fonts.covered``), once per process.

Joiners (U+200C, U+200D) inside Khmer, Burmese, Arabic or Indic words shape those words and are kept;
a name made only of such invisible characters is refused.
"""

import unicodedata
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .content import BadgeContent
from .fonts import covered

# The fields of the registration that are names (the badge's name is made of them when left empty).
NAME_FIELDS = ("honorific", "given_name", "family_name", "badge_name", "native_name")
# The registration's free-text fields printed on the badge (content.BADGE_FIELDS without the choices).
PRINTED_TEXT_FIELDS = ("honorific", "badge_name", "native_name", "position", "organisation", "city")

# Left-to-right/right-to-left embeddings and overrides, and the isolates: they reorder what follows.
BIDI_CONTROLS = frozenset(chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))

# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt): drawn as nothing, never as a box.
_IGNORABLE_RANGES = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)


# The same as a set: the registration list checks every character of 50 badges per page.
_IGNORABLE = frozenset(code for first, last in _IGNORABLE_RANGES for code in range(first, last + 1))


def is_ignorable(char: str) -> bool:
    return ord(char) in _IGNORABLE


def _is_visible(char: str) -> bool:
    return not char.isspace() and not is_ignorable(char) and unicodedata.category(char)[0] in "LMNPS"


def unprintable_characters(text: str) -> list[str]:
    """The characters of ``text`` no face of the badge draws (each once, in order of appearance).
    White space and characters drawn as nothing (joiners, variation selectors) need no glyph."""
    found: list[str] = []
    for char in text:
        if char in found or char.isspace() or is_ignorable(char):
            continue
        if not covered(char):
            found.append(char)
    return found


def describe_characters(chars: Iterable[str]) -> str:
    """ "😀 (U+1F600), U+202E": each character as people can look it up; one that shows nothing by
    itself is given by its code point only."""
    described = []
    for char in chars:
        code = f"U+{ord(char):04X}"
        visible = _is_visible(char) and unicodedata.category(char)[0] != "M"
        described.append(f"{char} ({code})" if visible else code)
    return ", ".join(described)


def text_problem(text: str, *, name: bool, printed: bool = True) -> str | None:
    """What stops ``text`` from printing as typed, as a message for the person who typed it, or None.
    ``name``: the text is a name (one made only of invisible characters is refused too); ``printed``:
    it goes on the badge (every character needs a glyph)."""
    controls = [char for char in dict.fromkeys(text) if char in BIDI_CONTROLS]
    if controls:
        return ngettext(
            "Please remove the text-direction control %(chars)s: it would reorder the letters on the badge.",
            "Please remove the text-direction controls %(chars)s: they would reorder the letters on the "
            "badge.",
            len(controls),
        ) % {"chars": describe_characters(controls)}
    if name and text and not any(_is_visible(char) for char in text):
        return _("This name is made only of invisible characters: please type the name itself.")
    missing = unprintable_characters(text) if printed else []
    if missing:
        return ngettext(
            "This character cannot be printed on the badge: %(chars)s. Please remove it or write it "
            "another way.",
            "These characters cannot be printed on the badge: %(chars)s. Please remove them or write "
            "them another way.",
            len(missing),
        ) % {"chars": describe_characters(missing)}
    return None


def badge_problems(content: BadgeContent) -> list[str]:
    """What stops this badge from printing as typed: the characters no face draws and the direction
    controls in any of its texts, and a name with nothing visible in it (empty: it prints)."""
    texts = (
        content.honorific,
        content.name,
        content.native_name,
        content.position,
        content.organisation,
        content.city,
        content.country,
        content.category,
        content.forum_name,
    )
    joined = "".join(texts)
    problems = []
    missing = unprintable_characters(joined)
    if missing:
        problems.append(_("no font has %(chars)s") % {"chars": describe_characters(missing)})
    controls = [char for char in dict.fromkeys(joined) if char in BIDI_CONTROLS]
    if controls:
        problems.append(_("text-direction controls %(chars)s") % {"chars": describe_characters(controls)})
    if not any(_is_visible(char) for char in content.name):
        problems.append(_("the name has no visible letters"))
    return problems


class UnprintableBadge(NamedTuple):
    """A registration whose badge cannot print as it is, and why (``badge_problems``)."""

    registration: Any  # a Registration, with its reference and display name
    problems: list[str]

    @property
    def label(self) -> str:
        """The reference and the name as the badge prints it (where the trouble is): "ABCD-EFGH H.E.
        Sok Vibol 😀"."""
        registration = self.registration
        name = " ".join(
            part for part in (registration.honorific.strip(), registration.badge_name.strip()) if part
        )
        return f"{registration.reference} {name}"


def describe_unprintable(badges: Iterable[UnprintableBadge]) -> str:
    """ "ABCD-EFGH Sok Vibol 😀 (no font has 😀 (U+1F600)); ...": for staff to find and correct them."""
    return "; ".join(f"{badge.label} ({', '.join(badge.problems)})" for badge in badges)
