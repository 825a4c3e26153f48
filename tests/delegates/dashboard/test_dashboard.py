"""A forum's dashboard: its figures, exactly; its page as staff see it, with the charts' tables; who may
open it; and a query count that does not grow with the number of registrations."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from delegates.dashboard.selectors import Day, Row, forum_dashboard
from delegates.enums import RegistrationStatus, SignupStatus
from delegates.models import StaffForumAccess
from tests.delegates.dashboard.conftest import MAYORS, PARTNERS, SITE_VISIT, staff_with
from tests.factories import (
    DelegateCategoryFactory,
    ForumFactory,
    RegistrationFactory,
    SessionFactory,
    SessionSignupFactory,
)

pytestmark = pytest.mark.django_db


def url(forum) -> str:
    return reverse("admin:events_forum_dashboard", args=[forum.pk])


def test_dashboard_figures_count_every_registration_of_the_forum(dashboard):
    ForumFactory()  # another forum's rows are not counted (it has none; its categories neither)

    figures = forum_dashboard(forum=dashboard.forum)

    assert figures.total == 7
    assert figures.by_status == [
        Row("Pending approval", 1),
        Row("Confirmed", 4),
        Row("Waitlisted", 1),
        Row("Rejected", 1),
        Row("Cancelled", 0),
    ]
    assert figures.by_category == [Row(MAYORS, 4), Row(PARTNERS, 3)]
    assert figures.by_country == [Row("Thailand", 3), Row("Laos", 2), Row("Cambodia", 1), Row("Myanmar", 1)]
    assert figures.forum_fill == Row("The whole forum", 4, 100)
    assert figures.category_fill == [Row(MAYORS, 3, 10, 1), Row(PARTNERS, 1, None, 0)]
    assert figures.session_fill == [Row(SITE_VISIT, 2, 4, 1)]
    # Submitted at 20:00 UTC: the next day in Jakarta; the day between without any is shown at 0.
    assert figures.per_day == [
        Day(dt.date(2030, 10, 1), 3),
        Day(dt.date(2030, 10, 2), 0),
        Day(dt.date(2030, 10, 3), 4),
    ]
    assert figures.arrivals == [Day(dt.date(2030, 10, 4), 1), Day(dt.date(2030, 10, 5), 2)]
    assert figures.departures == [Day(dt.date(2030, 10, 8), 3)]
    assert [(row.label, row.count) for row in figures.dietary] == [
        ("No special requirement", 1),
        ("Vegetarian", 1),
        ("Vegan", 0),
        ("Halal", 2),
        ("Other (please give details)", 0),
    ]
    assert (figures.confirmed, figures.accessibility) == (4, 1)
    assert (figures.badges_current, figures.badges_changed, figures.badges_not_printed) == (1, 1, 2)


def test_dashboard_page_shows_the_figures_with_a_table_for_each_chart(client, dashboard, viewer):
    client.force_login(viewer)

    page = client.get(url(dashboard.forum))

    assert page.status_code == 200
    text = page.text
    assert "Dashboard of ASEAN Mayors Forum 2031" in text
    assert text.count('role="img"') == 9
    assert text.count("<details") == 9
    for name in (MAYORS, PARTNERS, SITE_VISIT, "Thailand", "Cambodia", "Laos", "Myanmar"):
        assert name in text
    assert (
        '<svg class="dashboard-chart" id="chart-per-day" role="img" aria-labelledby="chart-per-day-title"'
        in text
    )
    assert (
        '<title id="chart-session-fill-title">Confirmed sign-ups against capacity, by session</title>' in text
    )
    assert "3 / 10" in text  # the mayors' fill, drawn
    assert '<dd id="dashboard-badges-printed">1</dd>' in text
    assert '<dd id="dashboard-accessibility">1</dd>' in text
    assert 'id="dashboard-checked-in"' not in text
    assert "style=" not in text


def test_dashboard_shows_counts_only_never_a_detail(client, dashboard):
    """The read-only role has no contact details: it sees the counts, and none of the texts."""
    read_only = staff_with("view_dashboard", username="host-city")
    client.force_login(read_only)

    page = client.get(url(dashboard.forum))

    assert page.status_code == 200
    assert '<dd id="dashboard-accessibility">1</dd>' in page.text
    assert "Wheelchair" not in page.text
    assert "Ramp" not in page.text
    assert ".example.org" not in page.text.replace("host-city@uclg-aspac.example.org", "")  # no address


def test_dashboard_of_a_forum_without_registrations_says_so(client, viewer):
    forum = ForumFactory()
    client.force_login(viewer)

    page = client.get(url(forum))

    assert page.status_code == 200
    assert "No registration yet." in page.text
    assert "No session has a capacity or needs sign-up." in page.text


def test_dashboard_needs_its_permission_and_the_forum(client, dashboard):
    other = ForumFactory(name="ASEAN Mayors Forum 2032", slug="amf-other")
    without = staff_with("view_forum", username="no-dashboard")
    limited = staff_with("view_dashboard", username="limited")
    StaffForumAccess.objects.create(user=limited).forums.set([dashboard.forum])

    anonymous = client.get(url(dashboard.forum))
    client.force_login(without)
    refused = client.get(url(dashboard.forum))
    client.force_login(limited)
    own, foreign, missing, malformed = (
        client.get(url(dashboard.forum)),
        client.get(url(other)),
        client.get("/admin/events/forum/999999/dashboard/"),
        client.get("/admin/events/forum/x1/dashboard/"),
    )

    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("admin:login"))
    assert refused.status_code == 403
    assert [own.status_code, foreign.status_code, missing.status_code, malformed.status_code] == [
        200,
        404,
        404,
        404,
    ]


def test_dashboard_is_linked_from_the_forum_page_and_the_admin_index(client, dashboard, viewer):
    other = ForumFactory(name="ASEAN Mayors Forum 2032", slug="amf-other")
    StaffForumAccess.objects.create(user=viewer).forums.set([dashboard.forum])
    client.force_login(viewer)

    change = client.get(reverse("admin:events_forum_change", args=[dashboard.forum.pk]))
    index = client.get(reverse("admin:index"))

    link = f'href="{url(dashboard.forum)}"'
    assert link in change.text
    assert link in index.text
    assert url(other) not in index.text  # not one of their forums


def test_dashboard_links_are_not_offered_without_the_permission(client, dashboard):
    user = staff_with("view_forum", username="door")
    client.force_login(user)

    change = client.get(reverse("admin:events_forum_change", args=[dashboard.forum.pk]))
    index = client.get(reverse("admin:index"))

    assert "/dashboard/" not in change.text
    assert "/dashboard/" not in index.text


def _registrations(forum, categories, sessions, count: int, *, start: int) -> None:
    countries = ("TH", "KH", "LA", "MM", "VN", "ID", "MY", "PH", "SG", "BN")
    statuses = list(RegistrationStatus)
    for n in range(start, start + count):
        registration = RegistrationFactory(
            category=categories[n % len(categories)],
            status=statuses[n % len(statuses)],
            country=countries[n % len(countries)],
            arrival_date=dt.date(2030, 10, 1 + n % 5),
            departure_date=dt.date(2030, 10, 8),
            accessibility_needs="ramp" if n % 7 == 0 else "",
            native_name="สมชาย ใจดี",
        )
        SessionSignupFactory(
            registration=registration, session=sessions[n % len(sessions)], status=SignupStatus.CONFIRMED
        )


def test_dashboard_queries_do_not_grow_with_the_registrations(client, viewer):
    forum = ForumFactory(capacity=500)
    categories = [DelegateCategoryFactory(forum=forum, slug=f"c{n}", name=f"หมวด {n}") for n in range(3)]
    sessions = [SessionFactory(forum=forum, requires_signup=True, capacity=300) for _n in range(3)]
    client.force_login(viewer)
    _registrations(forum, categories, sessions, 10, start=0)
    client.get(url(forum))  # the session and the user's permissions are loaded once

    with CaptureQueriesContext(connection) as ten:
        assert client.get(url(forum)).status_code == 200
    _registrations(forum, categories, sessions, 190, start=10)
    with CaptureQueriesContext(connection) as two_hundred:
        page = client.get(url(forum))

    assert page.status_code == 200
    assert "200 registrations in all" in page.text
    assert len(two_hundred) == len(ten)
    assert len(ten) <= 20, [q["sql"][:80] for q in ten.captured_queries]
