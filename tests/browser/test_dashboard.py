"""A forum's dashboard in a real browser, as the secretariat sees it on a laptop and on a phone: the
figures, the names of categories and countries (in their scripts), the charts with their tables, no
console error or CSP violation, nothing wider than the screen, and axe finds no serious problem."""

import os
import uuid

import pytest
from django.urls import reverse

from delegates.checkin.services import Scan, checkin_lists_sync, checkin_scan
from delegates.checkin.tokens import checkin_token_issue
from delegates.enums import CheckInListKind, RegistrationStatus
from delegates.models import CheckInList, Registration
from tests.browser.conftest import assert_no_horizontal_scroll
from tests.browser.test_print_job_progress import problems, signed_in
from tests.delegates.dashboard.conftest import MAYORS, PARTNERS, SITE_VISIT, dashboard_forum, staff_with

pytestmark = pytest.mark.django_db(transaction=True)


def test_dashboard_shows_the_figures_at_desktop_width(desktop_page, live_server, axe_check):
    rows = dashboard_forum()
    page = desktop_page
    signed_in(page, live_server, staff_with("view_dashboard", "view_forum"))

    page.goto(live_server.url + reverse("admin:events_forum_change", args=[rows.forum.pk]))
    page.get_by_role("link", name="Dashboard").click()

    assert page.locator("h1").inner_text() == "Dashboard of ASEAN Mayors Forum 2031"
    assert page.get_by_role("img", name="Registrations by status").is_visible()
    assert page.get_by_role("img", name="Registrations submitted per day").is_visible()
    page.locator("#dashboard-category summary").click()
    table = page.locator("#dashboard-category-table")
    assert table.locator("tbody tr").all_inner_texts() == [f"{MAYORS}\t4", f"{PARTNERS}\t3"]
    page.locator("#dashboard-session-fill summary").click()
    assert page.locator("#dashboard-session-fill-table tbody tr").all_inner_texts() == [
        f"{SITE_VISIT}\t2\t4\t50 %\t1"
    ]
    page.locator("#dashboard-country summary").click()
    assert page.locator("#dashboard-country-table tbody th").all_inner_texts() == [
        "Thailand",
        "Laos",
        "Cambodia",
        "Myanmar",
    ]
    assert page.locator("#dashboard-badges-printed").inner_text() == "1"
    assert page.locator("#dashboard-badges-not-printed").inner_text() == "2"
    assert page.locator("#dashboard-accessibility").inner_text() == "1"
    if os.environ.get("AMF_SCREENSHOTS"):  # to look at it: AMF_SCREENSHOTS=<folder>
        page.screenshot(path=os.path.join(os.environ["AMF_SCREENSHOTS"], "dashboard.png"), full_page=True)
    assert problems(page) == []
    axe_check(page)


def test_dashboard_is_usable_on_a_phone(phone_page, live_server, axe_check):
    rows = dashboard_forum()
    page = phone_page
    signed_in(page, live_server, staff_with("view_dashboard", "view_forum"))

    page.goto(live_server.url + reverse("admin:index"))
    page.locator("#forum-dashboards").get_by_role("link", name="ASEAN Mayors Forum 2031").click()

    assert page.url.endswith(reverse("admin:events_forum_dashboard", args=[rows.forum.pk]))
    chart = page.get_by_role("img", name="Confirmed delegates against capacity, by category")
    box = chart.bounding_box()
    assert box is not None and box["width"] <= 360
    page.locator("#dashboard-per-day summary").click()
    assert page.locator("#dashboard-per-day-table tbody tr").all_inner_texts() == [
        "Tue 1 Oct 2030\t3",
        "Wed 2 Oct 2030\t0",
        "Thu 3 Oct 2030\t4",
    ]
    assert_no_horizontal_scroll(page)
    assert problems(page) == []
    axe_check(page)


def test_dashboard_check_ins_refresh_while_it_is_open(desktop_page, live_server, axe_check, settings):
    """The door checks a delegate in while the secretariat watches: the figures change on the open page,
    and the table the reader opened stays open."""
    settings.DASHBOARD_REFRESH_SECONDS = 1
    rows = dashboard_forum()
    checkin_lists_sync(forum=rows.forum)
    first_day = CheckInList.objects.filter(forum=rows.forum, kind=CheckInListKind.DAY).order_by("day").first()
    mayors = list(
        Registration.objects.filter(category=rows.mayors, status=RegistrationStatus.CONFIRMED).order_by("pk")
    )
    viewer = staff_with("view_dashboard", "view_forum")
    page = desktop_page
    signed_in(page, live_server, viewer)
    page.goto(live_server.url + reverse("admin:events_forum_dashboard", args=[rows.forum.pk]))
    section = page.locator("#dashboard-checkins")
    assert "0 delegates checked in on at least one list." in section.inner_text()
    assert page.get_by_role("img", name="Checked in so far against those each list admits").is_visible()
    page.locator("#dashboard-checkins summary").first.click()
    assert (
        page.locator("#dashboard-checkins-table tbody tr").first.inner_text()
        == f"{first_day.name}\t0\t4\t0 %"
    )

    for registration in mayors[:2]:
        checkin_scan(
            checkin_list=first_day,
            scan=Scan(idempotency_key=uuid.uuid4(), token=checkin_token_issue(registration=registration)),
            staff=viewer,
            device="phone-1",
            device_label="Door 1",
        )

    for _attempt in range(100):
        if "2 delegates checked in" in page.locator("#dashboard-checkins").inner_text():
            break
        page.wait_for_timeout(100)
    assert "2 delegates checked in on at least one list." in page.locator("#dashboard-checkins").inner_text()
    table = page.locator("#dashboard-checkins-table")  # the new one, swapped in
    assert table.is_visible()  # still open
    assert table.locator("tbody tr").first.inner_text() == f"{first_day.name}\t2\t4\t50 %"
    if os.environ.get("AMF_SCREENSHOTS"):
        section.screenshot(path=os.path.join(os.environ["AMF_SCREENSHOTS"], "dashboard-checkins.png"))
    assert problems(page) == []
    axe_check(page)
