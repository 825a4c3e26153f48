"""Offline at the door, in a real browser: the list is stored on the phone, the network goes, scans
still get their green, amber and red verdicts (decided on the phone from the stored list), wait in
a queue the page counts, and are sent when the network is back — after which the server holds
exactly the right check-ins, and the phone knows of a check-in made at another door.

Codes are entered through the code field, as a handheld scanner types them: the same path as the
camera's decoded text (``check({token})`` in scanner.js)."""

import os
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from delegates.checkin.services import Scan, checkin_scan
from delegates.checkin.verdicts import refusal_messages
from delegates.models import CheckIn, CheckInScan
from tests.browser.checkin_support import (
    door_forum,
    door_team_member,
    queue_text,
    stored,
    type_code,
    wait_for_verdict,
    wait_until,
)
from tests.browser.test_print_job_progress import problems, signed_in

pytestmark = pytest.mark.django_db(transaction=True)

PAGE_KEPT_JS = "async () => Boolean(await caches.match(location.pathname))"


def shot(page, name: str) -> None:
    if os.environ.get("AMF_SCREENSHOTS"):  # to look at the verdicts: AMF_SCREENSHOTS=<folder>
        page.screenshot(path=os.path.join(os.environ["AMF_SCREENSHOTS"], f"checkin-{name}.png"))


def test_offline_scans_decide_on_the_phone_queue_and_sync(phone_page, live_server, settings):
    settings.BADGE_RENDER_PROCESSES = 1
    door = door_forum()
    people, tokens, checkin_list = door["people"], door["tokens"], door["list"]
    siti = door_team_member()
    page = phone_page
    signed_in(page, live_server, siti)
    page.goto(live_server.url + reverse("checkin:scanner", args=[checkin_list.public_id]))
    wait_until(lambda: stored(page), message="the list stored on the device")
    assert queue_text(page) == "All scans sent"
    wait_until(lambda: page.evaluate(PAGE_KEPT_JS), message="the service worker keeping the page")

    page.context.set_offline(True)
    wait_until(lambda: page.locator("#checkin-network-text").inner_text() == "Offline")

    type_code(page, tokens["sok"])
    green = wait_for_verdict(page, "ok")
    assert (green["title"], green["name"], green["native"], green["native_lang"]) == (
        "Checked in",
        "Sok Vibol",
        "សុខ វិបុល",
        "km",
    )
    assert green["detail"] == "Checked in on this device; it will be sent when the network is back."
    assert queue_text(page) == "1 scan waiting to be sent"
    shot(page, "offline-green")

    # The phone reloads the page without a network: the service worker has it, IndexedDB the rest.
    page.reload()
    wait_until(lambda: queue_text(page) == "1 scan waiting to be sent", message="the queue after reload")
    assert page.locator("#checkin-network-text").inner_text() == "Offline"
    type_code(page, tokens["sok"])
    amber = wait_for_verdict(page, "warn")
    assert amber["title"].startswith("Already checked in at ")
    assert amber["title"].endswith(" on this device")

    messages = refusal_messages()
    refused = {"cancelled": tokens["cancelled"], "reissued": tokens["somphone-old"], "unknown": "not-ours"}
    for reason, code in refused.items():
        type_code(page, code)
        red = wait_for_verdict(page, "bad", title=messages[reason])
        assert red["kicker"] == "Not admitted"
    assert red["name"] == ""  # an unknown code names nobody
    shot(page, "offline-red")

    # A forgotten badge: found by the native-script name on the stored list, checked in from there.
    page.fill("#search-input", "ສົມພອນ")
    page.press("#search-input", "Enter")
    wait_until(lambda: page.locator("#search-status").inner_text() == "1 delegate found")
    page.get_by_role("button", name="Check in Somphone Keomany").click()
    somphone = wait_for_verdict(page, "ok", name="Somphone Keomany")
    assert somphone["native_lang"] == "lo"
    assert queue_text(page) == "6 scans waiting to be sent"
    # The wrong Somphone? Undo takes the queued scan back before it is ever sent; then the right one.
    page.get_by_role("button", name="Undo check-in").click()
    wait_for_verdict(page, "idle", title="Check-in undone.")
    assert queue_text(page) == "5 scans waiting to be sent"
    page.get_by_role("button", name="Check in Somphone Keomany").click()
    wait_for_verdict(page, "ok", name="Somphone Keomany")
    page.fill("#search-input", "sok.vibol@phnompenh.example.org")
    page.press("#search-input", "Enter")
    wait_until(lambda: "needs the network" in page.locator("#search-status").inner_text())

    assert queue_text(page) == "6 scans waiting to be sent"
    assert CheckInScan.objects.count() == 0  # nothing reached the server
    # Meanwhile another door checks the Thai mayor in.
    other = door_team_member("arun", first_name="Arun")
    checkin_scan(
        checkin_list=checkin_list,
        scan=Scan(
            idempotency_key=uuid.uuid4(), token=tokens["somchai"], reference="", scanned_at=timezone.now()
        ),
        staff=other,
        device="door-2",
        device_label="Door 2",
    )

    page.context.set_offline(False)
    wait_until(lambda: queue_text(page) == "All scans sent", timeout=20, message="the queue sent")

    assert sorted(
        CheckIn.objects.filter(list=checkin_list, undone_at=None).values_list(
            "registration__badge_name", flat=True
        )
    ) == ["Sok Vibol", "Somchai Jaidee", "Somphone Keomany"]
    assert sorted(
        CheckInScan.objects.filter(list=checkin_list, device_label="").values_list("verdict", "reason")
    ) == sorted(
        [
            ("checked_in", ""),
            ("already", ""),
            ("refused", "cancelled"),
            ("refused", "reissued"),
            ("refused", "unknown"),
            ("checked_in", ""),
        ]
    )
    sok = CheckIn.objects.get(list=checkin_list, registration=people["sok"])
    assert sok.staff == siti

    # Offline again: the phone learnt of the other door's check-in at the sync.
    page.context.set_offline(True)
    wait_until(lambda: page.locator("#checkin-network-text").inner_text() == "Offline")
    type_code(page, tokens["somchai"])
    amber = wait_for_verdict(page, "warn", name="Somchai Jaidee")
    assert amber["title"].endswith(" by Arun Rahmawati")
    shot(page, "offline-amber")
    page.context.set_offline(False)
    wait_until(lambda: queue_text(page) == "All scans sent", timeout=20, message="the queue sent")
    assert problems(page) == []
