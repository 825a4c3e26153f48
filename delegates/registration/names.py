"""People's names: the one way a delegate's name is put together from its parts and their order (pages,
emails, lists, the admin and the badge's suggested name all use it), and the order suggested for a name
that nobody chose one for.

A registration records its name order (``Registration.name_order``): family name first for Vietnamese,
Chinese, Khmer, Korean, Japanese or Hungarian names, given name first otherwise. The badge prints
``badge_name`` exactly as typed; only the name suggested for it when it is left empty follows the order.
"""

import unicodedata

from ..enums import NameOrder

# Scripts of the native name (``NativeScript``) whose names are written family name first.
FAMILY_FIRST_SCRIPTS = frozenset({"km", "vi", "zh-Hans", "zh-Hant", "ja", "ko"})
# Countries where names are written family name first, for a name without a native-script form (or in
# a script that does not tell: "Other"). Cambodia, China, Hong Kong, Hungary, Japan, both Koreas, Macao,
# Taiwan, Viet Nam.
FAMILY_FIRST_COUNTRIES = frozenset({"KH", "CN", "HK", "HU", "JP", "KP", "KR", "MO", "TW", "VN"})

# Scripts written without spaces between the family and the given name (陈美玲, 山田太郎, 김민준).
_UNSPACED_SCRIPTS = ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "HIRAGANA", "KATAKANA", "HANGUL")


def _unspaced(char: str) -> bool:
    return unicodedata.name(char, "").startswith(_UNSPACED_SCRIPTS)


def _join(first: str, second: str) -> str:
    if not first or not second:
        return first or second
    separator = "" if _unspaced(first[-1]) and _unspaced(second[0]) else " "
    return f"{first}{separator}{second}"


def person_name(*, given_name: str, family_name: str, name_order: str) -> str:
    """The name from its parts in the person's order, without honorific: "Maria Santos", "Nguyễn Văn
    An", "陈美玲". A single name (no family name) is the given name alone."""
    given, family = (given_name or "").strip(), (family_name or "").strip()
    if name_order == NameOrder.FAMILY_FIRST:
        return _join(family, given)
    return _join(given, family)


def display_name(*, honorific: str, given_name: str, family_name: str, name_order: str) -> str:
    """How a person is named on pages, in emails and lists: the honorific, then the name in its order
    ("H.E. Chan Sopheaktra", "Ông Nguyễn Văn An", "Dr. Maria Santos")."""
    name = person_name(given_name=given_name, family_name=family_name, name_order=name_order)
    return " ".join(part for part in ((honorific or "").strip(), name) if part)


def name_order_suggested(*, native_name_lang: str = "", country: str = "") -> str:
    """The usual order of a name: told by the script of its native-script form when that says (a Khmer,
    Vietnamese, Chinese, Japanese or Korean name is written family name first; a Thai, Lao, Burmese,
    Tamil or Jawi one given name first), else by the country; given name first when neither tells."""
    if native_name_lang and native_name_lang != "und":
        if native_name_lang in FAMILY_FIRST_SCRIPTS:
            return NameOrder.FAMILY_FIRST
        return NameOrder.GIVEN_FIRST
    if str(country or "").upper() in FAMILY_FIRST_COUNTRIES:
        return NameOrder.FAMILY_FIRST
    return NameOrder.GIVEN_FIRST
