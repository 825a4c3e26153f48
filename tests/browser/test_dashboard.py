"""A forum's dashboard in a real browser, as the secretariat sees it on a laptop and on a phone: the
figures, the names of categories and countries (in their scripts), the charts with their tables, no
console error or CSP violation, nothing wider than the screen, and axe finds no serious problem."""

import os

import pytest
from django.urls import reverse

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
