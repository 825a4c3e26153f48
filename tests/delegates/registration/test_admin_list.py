"""The registrations list at scale (``registration/admin.py``, ``admin_filters.py``): the columns that
matter, search in Latin and native script, the filters — each in a number of queries that does not grow
with the registrations, on a paginated list."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from delegates.checkin.services import Scan, checkin_lists_sync, checkin_scan, checkin_undo
from delegates.checkin.tokens import checkin_token_issue
from delegates.enums import CheckInListKind, RegistrationStatus
from delegates.models import CheckInList, Registration
from delegates.registration.services import registration_cancel
from tests.delegates.accounts import staff_user
from tests.delegates.registration.admin_pages import make_category
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:delegates_registration_changelist"
KHMER = "សុខ វិបុល"


@pytest.fixture
def registrar(client):
    user = staff_user("registrar", "view_registration", "change_registration", "view_contact_details")
    client.force_login(user)
    return user


@pytest.fixture
def world(forum, register):
    """Two categories, a session that needs sign-up and one that does not, and a way to add delegates
    with every filtered detail set on some of them."""
    mayors = make_category(forum)
    officials = make_category(forum, name="City official")
    visit = SessionFactory(forum=forum, title="Site visit", requires_signup=True)
    plenary = SessionFactory(forum=forum, title="Plenary", requires_signup=False)
    made = []

    def add(count: int) -> None:
        for _ in range(count):
            n = len(made)
            made.append(
                register(
                    forum,
                    officials if n % 2 else mayors,
                    n,
                    sessions=[visit] if n % 3 == 0 else [],
                    country="KH" if n % 2 else "LA",
                    dietary="halal" if n % 4 == 0 else "none",
                    needs_visa_letter=n % 5 == 0,
                    needs_airport_transfer=n % 2 == 0,
                    hotel="Hotel Sokha" if n % 3 else "",
                    native_name=KHMER if n == 0 else "",
                    native_name_lang="km" if n == 0 else "",
                )
            )

    return {"mayors": mayors, "visit": visit, "plenary": plenary, "add": add, "made": made}


def filters(forum, world) -> dict[str, str]:
    return {
        "none": "",
        "forum": f"forum__id__exact={forum.pk}",
        "status": "status__exact=confirmed",
        "category": f"category__id__exact={world['mayors'].pk}",
        "country": "country=KH",
        "session": f"session={world['visit'].pk}",
        "dietary": "dietary__exact=halal",
        "visa letter": "needs_visa_letter__exact=1",
        "airport transfer": "needs_airport_transfer__exact=1",
        "hotel": "hotel=Hotel Sokha",
        "printed": "badge_printed=no",
        "search": "q=Family1",
    }


def count_queries(client, query: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(CHANGELIST) + "?" + query)
    assert response.status_code == 200, query
    return len(captured), response.context["cl"].result_count


def test_each_filter_takes_as_many_queries_for_10_as_for_200_registrations(client, registrar, forum, world):
    world["add"](10)
    small = {name: count_queries(client, query) for name, query in filters(forum, world).items()}
    world["add"](190)
    large = {name: count_queries(client, query) for name, query in filters(forum, world).items()}

    assert {name: queries for name, (queries, _) in large.items()} == {
        name: queries for name, (queries, _) in small.items()
    }
    assert large["none"][1] == 200
    assert large["session"][1] == 67  # every third chose the site visit
    assert large["hotel"][1] == 133
    assert large["visa letter"][1] == 40
    page = client.get(reverse(CHANGELIST))
    assert len(page.context["cl"].result_list) == 50  # paginated


def test_list_shows_the_columns_that_matter(client, registrar, forum, world):
    world["add"](1)

    page = client.get(reverse(CHANGELIST))

    columns = [field for field in page.context["cl"].list_display if field != "action_checkbox"]
    assert columns == [
        "reference",
        "name",
        "native",
        "category",
        "organisation",
        "country_name",
        "status",
        "badge_printed",
        "checked_in",
    ]
    assert f'<span lang="km">{KHMER}</span>' in page.text


def test_list_shows_where_delegates_are_checked_in_and_filters_by_it(client, registrar, forum, world):
    world["add"](3)
    checkin_lists_sync(forum=forum)
    first, second = CheckInList.objects.filter(forum=forum, kind=CheckInListKind.DAY).order_by("day")[:2]
    came, left = Registration.objects.filter(forum=forum, status=RegistrationStatus.CONFIRMED).order_by("pk")[
        :2
    ]
    for checkin_list, registration in ((first, came), (second, came), (first, left)):
        checkin_scan(
            checkin_list=checkin_list,
            scan=Scan(idempotency_key=uuid.uuid4(), token=checkin_token_issue(registration=registration)),
            staff=None,
        )
    checkin_undo(check_in=left.check_ins.get(), actor=None)

    page = client.get(reverse(CHANGELIST))
    checked = client.get(reverse(CHANGELIST) + "?checked_in=yes")
    not_yet = client.get(reverse(CHANGELIST) + "?checked_in=no")

    rows = {r.pk: r for r in page.context["cl"].result_list}
    assert rows[came.pk].checked_in_lists == [first.name, second.name]
    assert rows[left.pk].checked_in_lists == []  # undone
    assert f"{first.name}; {second.name}" in page.text
    assert [r.pk for r in checked.context["cl"].result_list] == [came.pk]
    assert came.pk not in {r.pk for r in not_yet.context["cl"].result_list}
    assert left.pk in {r.pk for r in not_yet.context["cl"].result_list}


@pytest.mark.parametrize(
    "term", [KHMER, "Family1", "mayor1@city1.example.org", "City of Number 1", "Number 1"]
)
def test_search_finds_by_native_or_latin_name_email_organisation_and_city(
    client, registrar, forum, world, term
):
    world["add"](2)

    found = client.get(reverse(CHANGELIST), {"q": term}).context["cl"].result_list

    assert [r.pk for r in found] == [world["made"][0 if term == KHMER else 1].pk]


def test_search_by_reference(client, registrar, forum, world):
    world["add"](2)
    reference = world["made"][1].reference

    found = client.get(reverse(CHANGELIST), {"q": reference}).context["cl"].result_list

    assert [r.reference for r in found] == [reference]


def test_session_filter_offers_sessions_that_need_sign_up_and_ignores_released(
    client, registrar, forum, world, register
):
    world["add"](4)  # delegates 0 and 3 chose the site visit
    registration_cancel(registration=world["made"][3], actor=registrar)

    page = client.get(reverse(CHANGELIST), {"session": world["visit"].pk})

    spec = next(f for f in page.context["cl"].filter_specs if getattr(f, "parameter_name", "") == "session")
    assert [title for _value, title in spec.lookup_choices] == [f"Site visit · {forum.name}"]
    assert [r.pk for r in page.context["cl"].result_list] == [world["made"][0].pk]
    world["made"][3].refresh_from_db()
    assert world["made"][3].status == RegistrationStatus.CANCELLED


def test_hotel_filter_lists_hotels_in_use_and_is_hidden_without_contact_details(client, forum, world):
    world["add"](3)
    client.force_login(staff_user("door", "view_registration"))

    page = client.get(reverse(CHANGELIST))

    parameters = {getattr(f, "parameter_name", None) for f in page.context["cl"].filter_specs}
    assert "hotel" not in parameters
    assert "session" in parameters
    client.force_login(staff_user("registrar2", "view_registration", "view_contact_details"))
    page = client.get(reverse(CHANGELIST))
    spec = next(f for f in page.context["cl"].filter_specs if getattr(f, "parameter_name", "") == "hotel")
    assert list(spec.lookup_choices) == [("Hotel Sokha", "Hotel Sokha")]
