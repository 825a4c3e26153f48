"""A real scan in a real browser: chromium's fake camera films a badge the app rendered (PDF →
pdftoppm → YUV4MPEG2), the page decodes it (jsQR in a worker: Debian's chromium has no
BarcodeDetector) and the door sees green with the Khmer governor's names; the badge stays in front of
the camera, and once the cooldown has passed the same code is sent again and the door sees amber."""

import os
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from delegates.models import CheckIn, CheckInScan
from tests.browser.checkin_support import (
    badge_video,
    door_forum,
    door_team_member,
    stored,
    verdict,
    wait_until,
)
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, VIEWPORTS, PageProblems
from tests.browser.test_print_job_progress import problems, signed_in

pytestmark = pytest.mark.django_db(transaction=True)

COOLDOWN_S = 5  # scanner.js CAMERA_COOLDOWN_MS


@pytest.fixture
def door(settings):
    settings.BADGE_RENDER_PROCESSES = 1
    return door_forum()


@pytest.fixture
def camera_page(browser, tmp_path, door):
    """A phone whose camera films Sok Vibol's badge: its own chromium, as the fake-camera flags are
    per browser process."""
    video = badge_video(door["people"]["sok"], tmp_path)
    instance = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    context = instance.new_context(viewport=VIEWPORTS["phone"], locale="en-GB")
    page = context.new_page()
    page.problems = PageProblems(page)
    yield page
    context.close()
    instance.close()


def test_camera_scan_shows_green_then_amber_for_the_same_badge(camera_page, live_server, door):
    page = camera_page
    siti = door_team_member()
    signed_in(page, live_server, siti)
    checkin_list = door["list"]
    page.goto(live_server.url + reverse("checkin:scanner", args=[checkin_list.public_id]))
    wait_until(lambda: stored(page), message="the list stored on the device")
    assert page.evaluate("() => 'BarcodeDetector' in window") is False  # so jsQR decodes

    page.get_by_role("button", name="Start camera").click()

    green = wait_until(
        lambda: (shown := verdict(page))["kind"] == "ok" and shown, timeout=30, message="green"
    )
    green_at = time.monotonic()
    assert green == {
        "kind": "ok",
        "title": "Checked in",
        "kicker": "",
        "detail": "",
        "name": "Sok Vibol",
        "native": "សុខ វិបុល",
        "native_lang": "km",
    }
    assert page.locator("#verdict-category-name").inner_text() == "Mayor / Governor"
    assert page.locator("#verdict-place").inner_text() == "Phnom Penh, Cambodia"
    assert page.locator("#verdict-live").get_attribute("aria-live") == "assertive"
    if os.environ.get("AMF_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["AMF_SCREENSHOTS"], "checkin-camera-green.png"))

    # The badge is still in front of the camera: nothing is sent again during the cooldown, then
    # the second scan of the same code finds the check-in.
    amber = wait_until(
        lambda: (shown := verdict(page))["kind"] == "warn" and shown, timeout=30, message="amber"
    )
    assert time.monotonic() - green_at >= COOLDOWN_S - 0.5
    page.get_by_role("button", name="Stop camera").click()
    check_in = CheckIn.objects.get(list=checkin_list, registration=door["people"]["sok"], undone_at=None)
    at = timezone.localtime(check_in.checked_in_at, door["forum"].tz).strftime("%H:%M")
    assert amber["title"] == f"Already checked in at {at} by Siti Rahmawati"
    assert amber["name"] == "Sok Vibol"
    assert sorted(CheckInScan.objects.filter(list=checkin_list).values_list("verdict", flat=True)) == [
        "already",
        "checked_in",
    ]
    assert problems(page) == []
