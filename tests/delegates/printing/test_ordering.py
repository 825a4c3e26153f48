"""The order of the badges in a print job (``delegates/printing/ordering.py``): by category then name,
by country, city and name, or by protocol rank — names by family name whatever order they are written
in, ignoring case and accents, also for a letter Unicode does not decompose (Đ)."""

import pytest

from delegates.enums import BadgeOrder, NameOrder
from delegates.printing.ordering import badge_order_sort, collation_key
from tests.delegates.printing.jobs import printed_names, start
from tests.factories import DelegateCategoryFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def test_collation_key_ignores_case_and_accents():
    assert collation_key("ÉLISE") == collation_key("elise") == "elise"
    assert collation_key("Đà Nẵng") == "da nang"
    assert collation_key("Zoë") == "zoe"
    assert collation_key("สมชาย") == "สมชาย"


def test_order_category_then_name(forum, delegates):
    job = start(forum, order=BadgeOrder.CATEGORY_NAME)

    # Mayors by family name: Adams, Martin, Nguyễn.
    assert printed_names(job) == ["Zoë Adams", "élise Martin", "Ana Nguyễn", "Ngo Bao", "Edward Ong"]
    assert job.total == 5
    assert list(job.items.order_by("position").values_list("position", flat=True)) == [1, 2, 3, 4, 5]


def test_order_country_then_city_then_name(forum, delegates):
    job = start(forum, order=BadgeOrder.COUNTRY_CITY_NAME)

    # Indonesia, Singapore, Thailand, Viet Nam (Đà Nẵng sorts as "Da Nang", before Hanoi).
    assert printed_names(job) == ["élise Martin", "Edward Ong", "Zoë Adams", "Ana Nguyễn", "Ngo Bao"]


def test_order_protocol(forum, delegates):
    job = start(forum, order=BadgeOrder.PROTOCOL)

    # Rank 10: heads of local government first (by family name), then the others; rank 50: the two
    # categories one after the other (Observer, then Partner organisation), not interleaved.
    assert printed_names(job) == ["Zoë Adams", "Ana Nguyễn", "élise Martin", "Ngo Bao", "Edward Ong"]


def test_names_sort_by_family_name_whichever_order_they_are_written_in(forum):
    category = DelegateCategoryFactory(forum=forum)

    def person(given, family, order=NameOrder.GIVEN_FIRST, badge=""):
        return RegistrationFactory(
            category=category,
            given_name=given,
            family_name=family,
            name_order=order,
            badge_name=badge or given,
        )

    people = [
        person("Sopheaktra", "Chan", NameOrder.FAMILY_FIRST, "Chan Sopheaktra"),
        person("Maria", "Santos", badge="Maria Santos"),
        person("Văn An", "Nguyễn", NameOrder.FAMILY_FIRST, "Nguyễn Văn An"),
        person("Aung Kyaw Min", ""),  # a single name sorts as itself
        person("Bob", "Adams", badge="Robert Adams"),  # by the name's parts, not the badge's wording
    ]

    ordered = badge_order_sort(people, order=BadgeOrder.CATEGORY_NAME)

    assert [r.display_name for r in ordered] == [
        "H.E. Bob Adams",
        "H.E. Aung Kyaw Min",
        "H.E. Chan Sopheaktra",
        "H.E. Nguyễn Văn An",
        "H.E. Maria Santos",
    ]
