"""The public pages in a real browser, at phone and desktop sizes: accessible (axe-core: no serious
or critical violations), no sideways scrolling, no console errors or CSP violations; the programme
does not move once shown (Cumulative Layout Shift on a phone)."""

import pytest
from django.core.management import call_command

from .conftest import assert_no_horizontal_scroll

DEMO_FORUM = "pre-amf-2022"

# Sums the layout shifts that no input caused (the Cumulative Layout Shift of the page's life so far).
# An init script: it runs before the page's own, and the page's CSP does not apply to it.
LAYOUT_SHIFT_OBSERVER = """
window.__layoutShift = 0;
window.__layoutShifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.hadRecentInput) continue;
    window.__layoutShift += entry.value;
    window.__layoutShifts.push({
      value: entry.value,
      sources: entry.sources.map((source) => source.node && source.node.className),
    });
  }
}).observe({type: "layout-shift", buffered: true});
"""
NEXT_FRAMES = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"

PAGES = {
    "home": "/",
    "forum": f"/forums/{DEMO_FORUM}/",
    "programme": f"/forums/{DEMO_FORUM}/programme/",
    "programme-filtered": f"/forums/{DEMO_FORUM}/programme/?type=panel&day=2022-10-06",
    "session": None,  # the opening plenary, looked up below
    "speakers": f"/forums/{DEMO_FORUM}/speakers/",
    "speaker": None,
    "not-found": "/forums/no-such-forum/",
}


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", verbosity=0)
    from events.models import Session, SessionSpeaker

    session = Session.objects.filter(forum__slug=DEMO_FORUM, kind="plenary").order_by("starts_at").first()
    speaker = SessionSpeaker.objects.filter(session__forum__slug=DEMO_FORUM).select_related("speaker").first()
    return {
        **PAGES,
        "session": f"/forums/{DEMO_FORUM}/sessions/{session.slug}/",
        "speaker": f"/forums/{DEMO_FORUM}/speakers/{speaker.speaker.slug}/",
    }


@pytest.mark.parametrize("name", list(PAGES))
def test_public_page_accessible_at_phone_and_desktop(name, demo, live_server, any_page, axe_check):
    page = any_page
    response = page.goto(live_server.url + demo[name])

    assert response.status == (404 if name == "not-found" else 200)
    assert page.locator("h1").count() == 1
    assert page.locator("main").count() == 1
    axe_check(page)
    assert_no_horizontal_scroll(page)
    if name != "not-found":  # the 404 response itself is logged by chromium as a console error
        assert page.problems.messages == []


def test_programme_filter_by_type_on_a_phone(demo, live_server, phone_page):
    page = phone_page
    page.goto(live_server.url + demo["programme"])
    sessions = page.locator("article.session")
    all_sessions = sessions.count()
    assert page.locator("details.filters").get_attribute("open") is None  # folded on a phone

    page.get_by_text("Filter the programme").click()
    page.get_by_label("Type").select_option("site_visit")
    page.get_by_role("button", name="Apply filters").click()

    page.wait_for_url("**type=site_visit**")
    assert 0 < sessions.count() < all_sessions
    assert all("Site visit" in text for text in sessions.all_inner_texts())
    assert page.problems.messages == []


def test_forum_page_secretariat_contact_on_a_phone(demo, live_server, phone_page, axe_check):
    from events.models import Forum

    Forum.objects.filter(slug=DEMO_FORUM).update(
        secretariat_email="secretariat.of.the.asean.mayors.forum@uclg-aspac.example.org"
    )
    page = phone_page

    page.goto(f"{live_server.url}/forums/{DEMO_FORUM}/")

    email = page.get_by_role("link", name="secretariat.of.the.asean.mayors.forum@uclg-aspac.example.org")
    phone = page.get_by_role("link", name="+62 21 50001234")
    assert (
        email.get_attribute("href") == "mailto:secretariat.of.the.asean.mayors.forum@uclg-aspac.example.org"
    )
    assert phone.get_attribute("href") == "tel:+622150001234"
    for link in (email, phone):
        link.scroll_into_view_if_needed()
        box = link.bounding_box()
        assert link.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert_no_horizontal_scroll(page)
    axe_check(page)


# --- Programme: nothing moves after the first paint ------------------------------------------------


def _layout_shift(page, url: str) -> tuple[float, list[dict]]:
    """The page's Cumulative Layout Shift once loaded, on a phone's CPU (4 times slower)."""
    page.add_init_script(LAYOUT_SHIFT_OBSERVER)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    page.goto(url, wait_until="load")
    page.evaluate(NEXT_FRAMES)
    return page.evaluate("window.__layoutShift"), page.evaluate("window.__layoutShifts")


# 800 px: the harness's phone. 1,200 px: a tall phone, where the first day of sessions is on screen
# under the filter panel, so a panel folding after first paint would move it.
@pytest.mark.parametrize("height", [800, 1200])
@pytest.mark.parametrize("query", ["", "?type=panel"])
def test_programme_does_not_shift_after_first_paint_on_a_phone(demo, live_server, phone_page, height, query):
    page = phone_page
    page.set_viewport_size({"width": 360, "height": height})

    shift, shifts = _layout_shift(page, f"{live_server.url}/forums/{DEMO_FORUM}/programme/{query}")

    assert shift < 0.01, shifts
    assert page.problems.messages == []


def test_programme_filter_panel_is_folded_on_a_phone_and_open_when_a_filter_is_used(
    demo, live_server, phone_page
):
    page = phone_page
    page.goto(f"{live_server.url}/forums/{DEMO_FORUM}/programme/")
    assert page.get_by_text("Filter the programme").is_visible()
    assert not page.get_by_label("Type", exact=True).is_visible()

    page.goto(f"{live_server.url}/forums/{DEMO_FORUM}/programme/?type=panel")

    assert page.get_by_text("(1 active)").is_visible()
    assert page.get_by_label("Type").is_visible()
    assert page.get_by_label("Type").input_value() == "panel"


def test_programme_filter_fields_are_shown_on_a_wide_screen_without_a_toggle(
    demo, live_server, desktop_page, axe_check
):
    page = desktop_page
    page.goto(f"{live_server.url}/forums/{DEMO_FORUM}/programme/")

    for label in ("Track", "Type", "Day"):
        assert page.get_by_label(label, exact=True).is_visible()
    assert page.get_by_role("button", name="Apply filters").is_visible()
    assert not page.get_by_text("Filter the programme").is_visible()
    assert page.get_by_role("form", name="Filter the programme").count() == 1
    axe_check(page)
    assert page.problems.messages == []
