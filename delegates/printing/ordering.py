"""The order badges print in: by category, by country and city, or in protocol order — with names
compared as people read them, whatever the database's collation."""

import unicodedata
from collections.abc import Callable, Iterable

from ..enums import BadgeOrder
from ..models import Registration

# Latin letters that Unicode does not decompose into a base letter and a mark.
_UNDECOMPOSED = str.maketrans(
    {"đ": "d", "ø": "o", "ł": "l", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"}
)


def collation_key(text: str) -> str:
    """Compare names as people read them: case and accents aside ("Ngô" beside "Ngo", "Đà Nẵng"
    beside "Da Nang", "ÉLISE" beside "elise"). Scripts without case sort by code point, which keeps
    each script together."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.translate(_UNDECOMPOSED).strip()


def _name(registration: Registration) -> tuple[str, ...]:
    """By family name, then given name, whatever order the name is written in (Chan Sopheaktra and
    Maria Santos sort under C and S); a single name sorts as itself. Then the name as printed and the
    exact texts, so that names equal but for accents keep one order."""
    family, given = registration.family_name.strip(), registration.given_name.strip()
    return (
        collation_key(family or given),
        collation_key(given if family else ""),
        collation_key(registration.badge_name),
        family,
        given,
        registration.badge_name,
    )


def _by_category_name(registration: Registration) -> tuple:
    category = registration.category
    return (collation_key(category.name), category.pk, *_name(registration), registration.pk)


def _by_country_city_name(registration: Registration) -> tuple:
    return (
        collation_key(str(registration.country.name)),
        collation_key(registration.city),
        *_name(registration),
        registration.pk,
    )


def _by_protocol(registration: Registration) -> tuple:
    category = registration.category
    return (
        category.protocol_rank,
        collation_key(category.name),  # categories of equal rank do not interleave
        category.pk,
        not registration.is_head_of_local_government,  # heads of local government first
        *_name(registration),
        registration.pk,
    )


SORT_KEYS: dict[str, Callable[[Registration], tuple]] = {
    BadgeOrder.CATEGORY_NAME: _by_category_name,
    BadgeOrder.COUNTRY_CITY_NAME: _by_country_city_name,
    BadgeOrder.PROTOCOL: _by_protocol,
}


def badge_order_sort(registrations: Iterable[Registration], *, order: str) -> list[Registration]:
    """The registrations in print order (see ``BadgeOrder``); they need their category loaded. Sorted
    in Python with ``collation_key`` rather than by the database, whose collation depends on how the
    server was set up. Country names are compared in the active language."""
    return sorted(registrations, key=SORT_KEYS[order])
