"""What the check-in browser tests share: a forum with delegates in every state the door meets, the
door team, a camera that films a real badge (the app's own badge PDF, rasterised by pdftoppm and
written as a YUV4MPEG2 video for chromium's fake camera), and waits by polling the page (the CSP
blocks ``wait_for_function``)."""

import subprocess
import time
from pathlib import Path

from django.apps import apps as global_apps
from django.contrib.auth.models import Group
from PIL import Image

from delegates.badges.pdf import badge_pdf
from delegates.checkin.services import checkin_lists_sync
from delegates.checkin.tokens import checkin_token_issue, checkin_token_reissue
from delegates.enums import RegistrationStatus
from delegates.models import CheckInList, Registration
from delegates.permissions import BADGE_AND_DOOR_TEAM, roles_sync
from tests.factories import DelegateCategoryFactory, ForumFactory, RegistrationFactory, UserFactory

FRAME_SIZE = (640, 480)


def door_team_member(username: str = "siti", *, first_name: str = "Siti", group: str = BADGE_AND_DOOR_TEAM):
    roles_sync(apps=global_apps)
    user = UserFactory(
        username=username,
        first_name=first_name,
        last_name="Rahmawati",
        email=f"{username}@uclg-aspac.example.org",
        is_staff=True,
    )
    user.groups.add(Group.objects.get(name=group))
    return user


def door_forum() -> dict:
    """A two-day forum and its entry lists; a Khmer governor, a Thai mayor and a Lao mayor who are
    confirmed, and one delegate each cancelled, pending, waitlisted and rejected; the Lao mayor's
    badge was reissued (his old code retired)."""
    forum = ForumFactory(name="ASEAN Mayors Forum 2031", slug="amf-2031", time_zone="Asia/Phnom_Penh")
    mayors = DelegateCategoryFactory(
        forum=forum, name="Mayor / Governor", slug="mayor", badge_colour="#b91c1c"
    )
    people = {
        "sok": RegistrationFactory(
            category=mayors,
            honorific="H.E.",
            given_name="Vibol",
            family_name="Sok",
            name_order="family_first",
            badge_name="Sok Vibol",
            native_name="សុខ វិបុល",
            native_name_lang="km",
            city="Phnom Penh",
            country="KH",
            email="sok.vibol@phnompenh.example.org",
            phone="+85512345678",
            dietary="other",
            dietary_other="No peanuts at all",
        ),
        "somchai": RegistrationFactory(
            category=mayors,
            honorific="Mr",
            given_name="Somchai",
            name_order="given_first",
            family_name="Jaidee",
            badge_name="Somchai Jaidee",
            native_name="สมชาย ใจดี",
            native_name_lang="th",
            city="Chiang Mai",
            country="TH",
        ),
        "somphone": RegistrationFactory(
            category=mayors,
            honorific="Mr",
            given_name="Somphone",
            name_order="given_first",
            family_name="Keomany",
            badge_name="Somphone Keomany",
            native_name="ສົມພອນ ແກ້ວມະນີ",
            native_name_lang="lo",
            city="Vientiane",
            country="LA",
        ),
    }
    for key, status, given, family, city, country in (
        ("cancelled", RegistrationStatus.CANCELLED, "Mei Ling", "Tan", "Singapore", "SG"),
        ("pending", RegistrationStatus.PENDING, "Ayu", "Sukmawati", "Surabaya", "ID"),
        ("waitlisted", RegistrationStatus.WAITLISTED, "Maria", "Santos", "Cebu", "PH"),
        ("rejected", RegistrationStatus.REJECTED, "Kyaw", "Min", "Yangon", "MM"),
    ):
        people[key] = RegistrationFactory(
            category=mayors,
            status=status,
            given_name=given,
            family_name=family,
            name_order="given_first",
            badge_name=f"{given} {family}",
            city=city,
            country=country,
        )
    tokens = {}
    for key, registration in people.items():
        if registration.status == RegistrationStatus.CONFIRMED:
            tokens[key] = checkin_token_issue(registration=registration)
    old = tokens["somphone"]
    tokens["somphone"] = checkin_token_reissue(registration=people["somphone"], actor=None)
    tokens["somphone-old"] = old
    # A cancelled delegate's badge was printed before the cancellation: the code is still on it.
    Registration.objects.filter(pk=people["cancelled"].pk).update(checkin_token="cancelled-badge-code-0001")
    tokens["cancelled"] = "cancelled-badge-code-0001"
    checkin_lists_sync(forum=forum)
    entry = CheckInList.objects.filter(forum=forum, kind="day").order_by("day").first()
    return {"forum": forum, "people": people, "tokens": tokens, "list": entry}


def badge_video(registration: Registration, folder: Path) -> Path:
    """A few seconds of a camera filming ``registration``'s printed badge, held close (its lower half,
    where the QR code is): the app's badge PDF → pdftoppm PNG → YUV4MPEG2 (4:2:0) frames."""
    pdf = folder / "badge.pdf"
    pdf.write_bytes(badge_pdf(registration=registration))
    subprocess.run(
        ["/usr/bin/pdftoppm", "-png", "-r", "150", "-singlefile", str(pdf), str(folder / "badge")],
        check=True,
        timeout=60,
    )
    badge = Image.open(folder / "badge.png").convert("RGB")
    width, height = badge.size
    close_up = badge.crop((0, height // 2, width, height))
    close_up.thumbnail(FRAME_SIZE)
    frame = Image.new("RGB", FRAME_SIZE, (92, 98, 110))  # the table behind the badge
    frame.paste(close_up, ((FRAME_SIZE[0] - close_up.width) // 2, (FRAME_SIZE[1] - close_up.height) // 2))
    frame.save(folder / "frame.png")
    return write_y4m(frame, folder / "badge.y4m")


def write_y4m(image: Image.Image, path: Path, *, frames: int = 10) -> Path:
    width, height = image.size
    y, cb, cr = image.convert("YCbCr").split()
    half = (width // 2, height // 2)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with path.open("wb") as file:
        file.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            file.write(b"FRAME\n")
            file.write(planes)
    return path


def wait_until(check, *, timeout: float = 15.0, interval: float = 0.1, message: str = "condition"):
    """Poll ``check`` (no sleeps as assertions: the first truthy value is returned)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        time.sleep(interval)


VERDICT_JS = """() => {
    const shown = id => {
        const element = document.getElementById(id);
        return element && !element.hidden ? element.textContent.trim() : '';
    };
    const panel = document.getElementById('verdict');
    const person = !document.getElementById('verdict-person').hidden;
    const native = document.getElementById('verdict-native');
    return {
        kind: [...panel.classList].find(name => name.startsWith('verdict--')).slice(9),
        title: shown('verdict-title'),
        kicker: shown('verdict-kicker'),
        detail: shown('verdict-detail'),
        name: person ? shown('verdict-name') : '',
        native: person ? shown('verdict-native') : '',
        native_lang: native.getAttribute('lang') || '',
    };
}"""


def verdict(page) -> dict:
    """What the verdict panel shows: its kind (ok, warn, bad, idle), the words and the person."""
    return page.evaluate(VERDICT_JS)


def wait_for_verdict(page, kind: str, *, timeout: float = 15.0, **expected) -> dict:
    """Wait until the panel shows a verdict of ``kind`` whose fields include ``expected``."""

    def matches():
        shown = verdict(page)
        return shown if shown["kind"] == kind and all(shown[k] == v for k, v in expected.items()) else None

    return wait_until(matches, timeout=timeout, message=f"a {kind} verdict with {expected}")


def queue_text(page) -> str:
    return page.locator("#checkin-queue").inner_text()


def type_code(page, code: str) -> None:
    """What a handheld scanner does: types the code into the code field and presses Enter."""
    page.fill("#code-input", code)
    page.press("#code-input", "Enter")


def stored(page) -> bool:
    return "delegates on this device" in page.locator("#checkin-stored").inner_text()
