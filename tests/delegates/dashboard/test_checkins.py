"""The dashboard's check-in figures: each list's check-ins against those it admits, by category, the
delegates checked in anywhere; undone check-ins do not count; the section refreshes on its own URL;
and the queries do not grow with the check-ins."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from delegates.checkin.services import Scan, checkin_lists_sync, checkin_scan, checkin_undo
from delegates.checkin.tokens import checkin_token_issue
from delegates.dashboard.checkins import CategoryLine, checkin_figures
from delegates.enums import CheckInListKind, RegistrationStatus
from delegates.models import CheckInList, Registration
from tests.delegates.dashboard.conftest import MAYORS, PARTNERS, SITE_VISIT, staff_with
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def url(forum, part: str = "") -> str:
    address = reverse("admin:events_forum_dashboard", args=[forum.pk])
    return f"{address}?part={part}" if part else address


def scan(checkin_list, registration, staff):
    token = checkin_token_issue(registration=registration)
    return checkin_scan(
        checkin_list=checkin_list,
        scan=Scan(idempotency_key=uuid.uuid4(), token=token),
        staff=staff,
        device="phone-1",
        device_label="Door 1",
    )


@pytest.fixture
def door_day(dashboard, viewer):
    """The dashboard forum's lists, with three mayors and a partner checked in on the first day, two on
    the site visit, one check-in undone."""
    forum = dashboard.forum
    checkin_lists_sync(forum=forum)
    day_lists = list(CheckInList.objects.filter(forum=forum, kind=CheckInListKind.DAY).order_by("day"))
    site_visit = CheckInList.objects.get(forum=forum, session=dashboard.site_visit)
    confirmed = list(
        Registration.objects.filter(forum=forum, status=RegistrationStatus.CONFIRMED)
        .select_related("category")
        .order_by("pk")
    )
    mayors = [r for r in confirmed if r.category_id == dashboard.mayors.pk]
    partners = [r for r in confirmed if r.category_id == dashboard.partners.pk]
    for registration in [*mayors, *partners]:
        assert scan(day_lists[0], registration, viewer).verdict == "checked_in"
    for registration in mayors[:2]:  # the two confirmed for the site visit
        assert scan(site_visit, registration, viewer).verdict == "checked_in"
    mistaken = scan(day_lists[1], mayors[0], viewer).check_in
    checkin_undo(check_in=mistaken, actor=viewer)
    return forum, day_lists, site_visit


def test_each_list_counts_its_check_ins_against_those_it_admits(door_day):
    forum, day_lists, _site_visit = door_day
    first, second = day_lists[0].name, day_lists[1].name

    figures = checkin_figures(forum=forum, confirmed=4)

    # Lists in order: the first day, the second, then the site visit.
    assert [(row.label, row.count, row.capacity) for row in figures.lists] == [
        (first, 4, 4),
        (second, 0, 4),
        (SITE_VISIT, 2, 2),
    ]
    assert figures.by_category == [CategoryLine(MAYORS, [3, 0, 2]), CategoryLine(PARTNERS, [1, 0, 0])]
    assert figures.delegates_checked_in == 4


def test_dashboard_page_shows_the_check_ins_with_their_tables(client, door_day, viewer):
    forum, day_lists, _site_visit = door_day
    client.force_login(viewer)

    page = client.get(url(forum))

    assert page.status_code == 200
    text = page.text
    assert "Check-ins at the door" in text
    assert "4 delegates checked in on at least one list." in text
    assert 'data-refresh-url="/' in text and "?part=checkins" in text
    assert 'id="dashboard-checkins-table"' in text
    assert 'id="dashboard-checkins-category-table"' in text
    assert day_lists[0].name in text
    assert 'aria-label="Checked in so far against those each list admits"' in text or (
        "Checked in so far against those each list admits" in text
    )


def test_the_check_in_section_refreshes_on_its_own(client, door_day, viewer):
    forum, day_lists, _site_visit = door_day
    client.force_login(viewer)
    newcomer = RegistrationFactory(
        forum=forum,
        category=day_lists[0].forum.categories.get(name=PARTNERS),
        status=RegistrationStatus.CONFIRMED,
    )
    scan(day_lists[1], newcomer, viewer)

    part = client.get(url(forum, "checkins"))

    assert part.status_code == 200
    assert part["Cache-Control"] == "private, no-store"
    assert part.text.lstrip().startswith("<section")
    assert "5 delegates checked in on at least one list." in part.text
    assert "<html" not in part.text  # the section only, to be swapped into the page


def test_a_forum_without_lists_or_check_ins_says_so(client, viewer):
    from tests.factories import ForumFactory

    forum = ForumFactory()
    CheckInList.objects.filter(forum=forum).delete()
    client.force_login(viewer)

    page = client.get(url(forum))

    assert "This forum has no check-in list yet." in page.text
    checkin_lists_sync(forum=forum)
    assert "Nobody is checked in yet." in client.get(url(forum)).text


def test_check_in_figures_need_the_dashboard_permission_and_the_forum(client, door_day):
    forum, _day_lists, _site_visit = door_day
    client.force_login(staff_with("view_forum", username="no-dashboard"))

    assert client.get(url(forum, "checkins")).status_code == 403


def test_check_in_queries_do_not_grow_with_the_check_ins(client, dashboard, viewer):
    forum = dashboard.forum
    checkin_lists_sync(forum=forum)
    day_lists = list(CheckInList.objects.filter(forum=forum, kind=CheckInListKind.DAY).order_by("day"))
    client.force_login(viewer)
    client.get(url(forum))
    with CaptureQueriesContext(connection) as before:
        assert client.get(url(forum)).status_code == 200
        assert client.get(url(forum, "checkins")).status_code == 200
    for n in range(30):
        registration = RegistrationFactory(
            forum=forum, category=dashboard.partners, status=RegistrationStatus.CONFIRMED, given_name=f"ស {n}"
        )
        scan(day_lists[n % len(day_lists)], registration, viewer)

    with CaptureQueriesContext(connection) as after:
        assert client.get(url(forum)).status_code == 200
        assert client.get(url(forum, "checkins")).status_code == 200

    assert len(after) == len(before)
