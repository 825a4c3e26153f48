"""The check-in pages in a real browser at 360 px: accessible in every state a door team member
meets (axe-core: no serious or critical violation), the verdict's actions (undo a mistaken scan,
print a forgotten badge), and the device's data wiped when the session ends — by signing out
(Clear-Site-Data) or by the server answering 401 (the page wipes it itself)."""

import os

import pytest
from django.urls import reverse

from delegates.checkin.verdicts import refusal_messages
from delegates.models import CheckIn, PrintJobItem
from tests.browser.checkin_support import (
    door_forum,
    door_team_member,
    queue_text,
    stored,
    type_code,
    wait_for_verdict,
    wait_until,
)
from tests.browser.conftest import assert_no_horizontal_scroll
from tests.browser.test_print_job_progress import problems, signed_in

pytestmark = pytest.mark.django_db(transaction=True)

LOCAL_DETAIL = "Checked in on this device; it will be sent when the network is back."
# A POST as the page sends them, with nothing in it: 403 once the page's CSRF token is stale.
STALE_POST_JS = """async () => {
    const config = JSON.parse(document.getElementById('checkin-config').textContent);
    const response = await fetch(config.urls.sync, {
        method: 'POST', body: '{"scans": []}',
        headers: {'Content-Type': 'application/json', 'X-CSRFToken': config.csrfToken},
    });
    return response.status;
}"""
PAGE_KEPT_JS = "async () => Boolean(await caches.match(location.pathname))"
DEVICE_DATA_JS = """async () => ({
    databases: (await indexedDB.databases()).map(db => db.name),
    caches: await caches.keys(),
    workers: (await navigator.serviceWorker.getRegistrations()).length,
})"""


def shot(page, name: str) -> None:
    if os.environ.get("AMF_SCREENSHOTS"):  # to look at the pages: AMF_SCREENSHOTS=<folder>
        page.screenshot(
            path=os.path.join(os.environ["AMF_SCREENSHOTS"], f"checkin-{name}.png"), full_page=True
        )


@pytest.fixture
def door(settings):
    settings.BADGE_RENDER_PROCESSES = 1
    return door_forum()


def open_scanner(page, live_server, door, user):
    signed_in(page, live_server, user)
    page.goto(live_server.url + reverse("checkin:scanner", args=[door["list"].public_id]))
    wait_until(lambda: stored(page), message="the list stored on the device")


def test_checkin_pages_are_accessible_at_360px_in_every_state(phone_page, live_server, door, axe_check):
    page = phone_page
    siti = door_team_member()
    signed_in(page, live_server, siti)
    page.goto(live_server.url + reverse("checkin:home"))
    assert page.get_by_role("heading", level=1).inner_text() == "Check-in at the door"
    assert page.get_by_role("link", name=door["list"].name).is_visible()
    assert_no_horizontal_scroll(page)
    shot(page, "home")
    assert problems(page) == []
    axe_check(page)

    page.get_by_role("link", name=door["list"].name).click()
    wait_until(lambda: stored(page), message="the list stored on the device")
    assert queue_text(page) == "All scans sent"
    shot(page, "ready")
    assert problems(page) == []
    axe_check(page)

    type_code(page, door["tokens"]["sok"])
    wait_for_verdict(page, "ok", name="Sok Vibol")
    assert page.get_by_role("button", name="Undo check-in").is_visible()
    assert page.get_by_role("button", name="Print badge").is_visible()
    assert_no_horizontal_scroll(page)
    shot(page, "green")
    assert problems(page) == []
    axe_check(page)

    type_code(page, door["tokens"]["sok"])
    wait_for_verdict(page, "warn", name="Sok Vibol")
    shot(page, "amber")
    assert problems(page) == []
    axe_check(page)

    messages = refusal_messages()
    for reason, token in (
        ("cancelled", door["tokens"]["cancelled"]),
        ("reissued", door["tokens"]["somphone-old"]),
    ):
        type_code(page, token)
        wait_for_verdict(page, "bad", title=messages[reason])
        shot(page, f"red-{reason}")
    assert page.get_by_role("button", name="Undo check-in").is_hidden()
    assert problems(page) == []
    axe_check(page)

    page.fill("#search-input", "so")
    page.press("#search-input", "Enter")
    wait_until(lambda: "delegates found" in page.locator("#search-status").inner_text())
    results = page.locator("#search-results li").all_inner_texts()
    assert any("Sok Vibol" in result and "សុខ វិបុល" in result for result in results), results
    assert not any("@" in result for result in results)  # no email at the door
    assert page.locator("#search-results [lang=km]").inner_text() == "សុខ វិបុល"
    assert_no_horizontal_scroll(page)
    shot(page, "search")
    assert problems(page) == []
    axe_check(page)


def test_undo_a_mistaken_scan_then_print_the_badge(phone_page, live_server, door):
    page = phone_page
    open_scanner(page, live_server, door, door_team_member())
    sok = door["people"]["sok"]

    type_code(page, door["tokens"]["sok"])
    wait_for_verdict(page, "ok", name="Sok Vibol")
    page.get_by_role("button", name="Undo check-in").click()
    wait_for_verdict(page, "idle", title="Check-in undone.")
    assert CheckIn.objects.get(list=door["list"], registration=sok).undone_at is not None

    type_code(page, door["tokens"]["sok"])
    wait_for_verdict(page, "ok", name="Sok Vibol")  # checked in again, not "already"
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Print badge").click()
    download = download_info.value
    assert download.suggested_filename == f"badge-{sok.reference}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert page.locator("#verdict-action-status").inner_text() == f"Badge ready: badge-{sok.reference}.pdf"
    assert list(PrintJobItem.objects.values_list("registration", flat=True)) == [sok.pk]  # counts as printed
    assert problems(page) == []


def device_data(page) -> dict:
    return page.evaluate(DEVICE_DATA_JS)


def test_signing_out_wipes_the_device(phone_page, live_server, door):
    page = phone_page
    open_scanner(page, live_server, door, door_team_member())
    page.context.set_offline(True)
    type_code(page, door["tokens"]["sok"])
    wait_for_verdict(page, "ok", name="Sok Vibol")
    page.context.set_offline(False)
    wait_until(lambda: queue_text(page) == "All scans sent", timeout=20)
    kept = wait_until(lambda: (data := device_data(page))["caches"] and data, message="the worker's cache")
    assert kept["databases"] == ["amf-checkin"]
    assert kept["workers"] == 1

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(live_server.url + "/")

    assert device_data(page) == {"databases": [], "caches": [], "workers": 0}
    assert problems(page) == []


def test_a_session_gone_elsewhere_wipes_the_device_at_the_next_answer(phone_page, live_server, door):
    page = phone_page
    open_scanner(page, live_server, door, door_team_member())
    wait_until(lambda: page.evaluate(PAGE_KEPT_JS), message="the service worker keeping the page")
    assert device_data(page)["databases"] == ["amf-checkin"]

    page.context.clear_cookies(name="sessionid")  # signed out on another tab, or the session expired
    type_code(page, door["tokens"]["sok"])

    wait_until(
        lambda: "Your session has ended" in page.locator("#checkin-queue").inner_text(),
        message="the session note",
    )
    assert (
        page.get_by_role("link", name="Your session has ended").get_attribute("href").startswith("/accounts/")
    )
    wait_until(lambda: device_data(page)["databases"] == [], message="IndexedDB wiped")
    assert device_data(page)["caches"] == []
    assert CheckIn.objects.count() == 0
    # The 401 answers are what this test is about: the browser logs each failed request.
    assert [message for message in problems(page) if "401" not in message] == []


def test_a_page_older_than_its_session_keeps_the_scan_and_sends_it_after_a_reload(
    phone_page, live_server, door
):
    page = phone_page
    open_scanner(page, live_server, door, door_team_member())
    # (Once the service worker has fetched its copy of the page: that answer sets the cookie too.)
    wait_until(lambda: page.evaluate(PAGE_KEPT_JS), message="the service worker keeping the page")
    # Signing in again in another tab gives the browser a new CSRF secret: this page's token is stale.
    page.context.add_cookies([{"name": "csrftoken", "value": "x" * 32, "url": live_server.url}])
    wait_until(lambda: page.evaluate(STALE_POST_JS) == 403, message="the browser sending the new cookie")
    type_code(page, door["tokens"]["sok"])

    wait_for_verdict(page, "ok", name="Sok Vibol", detail=LOCAL_DETAIL)
    assert queue_text(page) == "1 scan waiting to be sent"
    assert page.locator("#checkin-stored").inner_text() == (
        "Reload the page to send them: you signed in again since it was opened."
    )
    assert CheckIn.objects.count() == 0

    page.reload()
    wait_until(lambda: queue_text(page) == "All scans sent", timeout=20, message="the queue sent")
    assert CheckIn.objects.get().registration == door["people"]["sok"]
    # The refused POST is what this test is about: the browser logs it.
    assert [message for message in problems(page) if "403" not in message] == []
