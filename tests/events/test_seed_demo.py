"""manage.py seed_demo: the 2022 Surabaya pre-AMF and an upcoming forum, loaded idempotently."""

import datetime as dt
import io
import zoneinfo
from itertools import combinations

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from delegates.staff.history import SYSTEM_USERNAME
from events.demo import demo_seed
from events.enums import ForumStatus, SessionKind
from events.models import Forum, Room, Session, SessionSpeaker, Speaker, Track

pytestmark = pytest.mark.django_db

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
MODELS = (Forum, Room, Track, Speaker, Session, SessionSpeaker)


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list[dict]]:
    """Every column of every demo row, updated_at included."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}


def test_seed_demo_creates_the_expected_rows():
    output = seed()

    assert {model.__name__: model.objects.count() for model in MODELS} == {
        "Forum": 2,
        "Room": 8,
        "Track": 6,
        "Speaker": 13,
        "Session": 27,
        "SessionSpeaker": 43,
    }
    assert output == "Demo forums (pre-amf-2022, amf-2027): 99 rows created, 0 updated, 0 unchanged.\n"
    # No login: the only account is the inactive one the admin history names for the system's changes.
    assert list(User.objects.values_list("username", "is_active")) == [(SYSTEM_USERNAME, False)]


def test_seed_demo_twice_changes_nothing():
    seed()
    before = snapshot()

    output = seed()

    assert snapshot() == before
    assert output == "Demo forums (pre-amf-2022, amf-2027): 0 rows created, 0 updated, 99 unchanged.\n"


def test_seed_demo_restores_edited_demo_values():
    seed()
    Session.objects.filter(slug="gala-dinner").update(title="Renamed")

    output = seed()

    assert Session.objects.get(slug="gala-dinner").title == "Gala dinner hosted by the Mayor of Surabaya"
    assert "0 rows created, 1 updated, 98 unchanged." in output


def test_seed_demo_pre_amf_2022():
    seed()

    forum = Forum.objects.get(slug="pre-amf-2022")
    assert (forum.name, forum.host_city, forum.country.code, forum.time_zone) == (
        "Pre-ASEAN Mayors Forum 2022",
        "Surabaya",
        "ID",
        "Asia/Jakarta",
    )
    assert forum.theme == (
        "Achieving Smart, Resilient and Sustainable Urbanisation through ASEAN Cooperation in the New Normal"
    )
    assert (forum.start_date, forum.end_date) == (dt.date(2022, 10, 6), dt.date(2022, 10, 7))
    assert forum.venue_name == "Grand City Convention & Exhibition, Surabaya"
    assert forum.map_url.startswith("https://www.openstreetmap.org/")
    assert (forum.status, forum.capacity) == (ForumStatus.PUBLISHED, 300)
    assert forum.registration_closes_at < timezone.now()  # registration is over
    assert sorted(forum.rooms.values_list("name", flat=True)) == [
        "Ballroom",
        "Foyer",
        "Main Hall",
        "Meeting Room A",
        "Meeting Room B",
    ]
    assert list(forum.tracks.values_list("name", flat=True)) == [
        "Smart Cities",
        "Resilience",
        "Sustainable Urbanisation",
    ]
    opening = forum.sessions.get(slug="opening-plenary")
    assert (opening.starts_at, opening.ends_at) == (
        dt.datetime(2022, 10, 6, 8, 30, tzinfo=JAKARTA),
        dt.datetime(2022, 10, 6, 10, 0, tzinfo=JAKARTA),
    )
    assert [
        (role.speaker.display_name, role.role) for role in opening.session_speakers.select_related("speaker")
    ] == [
        ("H.E. Arief Wicaksono", "speaker"),
        ("Dr. Nurul Aisyah Rahman", "keynote"),
        ("Ms. Ayu Kartika Sari", "moderator"),
    ]
    visit = forum.sessions.get(kind=SessionKind.SITE_VISIT)
    assert (visit.requires_signup, visit.capacity, visit.room) == (True, 40, None)
    assert forum.sessions.get(slug="gala-dinner").kind == SessionKind.RECEPTION
    assert forum.sessions.get(slug="asean-smart-cities-network").track.slug == "smart-cities"
    kinds = set(forum.sessions.values_list("kind", flat=True))
    assert kinds == {"break", "plenary", "panel", "workshop", "side_event", "reception", "site_visit"}


def test_seed_demo_speakers_come_from_across_asean():
    seed()

    assert set(Speaker.objects.values_list("city", flat=True)) == {
        "Surabaya",
        "Jakarta",
        "Bangkok",
        "Phnom Penh",
        "Vientiane",
        "Yangon",
        "Da Nang",
        "Quezon City",
        "Kuala Lumpur",
        "Singapore",
        "Bandar Seri Begawan",
        "Dili",
    }
    assert set(Speaker.objects.values_list("honorific", flat=True)) == {"H.E.", "Hon.", "Dr.", "Mr.", "Ms."}
    assert set(SessionSpeaker.objects.values_list("role", flat=True)) == {
        "keynote",
        "speaker",
        "panellist",
        "moderator",
    }
    assert Speaker.objects.filter(position="").count() == 0
    assert Speaker.objects.filter(bio="").count() == 0


def test_seed_demo_books_no_room_or_speaker_twice():
    seed()

    sessions = list(Session.objects.prefetch_related("speakers"))
    for a, b in combinations(sessions, 2):
        if a.starts_at < b.ends_at and b.starts_at < a.ends_at:
            assert a.room_id is None or a.room_id != b.room_id, (a.slug, b.slug)
            assert not set(a.speakers.all()) & set(b.speakers.all()), (a.slug, b.slug)
    for session in sessions:
        session.full_clean()  # inside the forum's dates, rooms and tracks of its own forum


def test_seed_demo_upcoming_forum_has_registration_open():
    today = timezone.localdate()

    seed()

    forum = Forum.objects.get(slug="amf-2027")
    assert (forum.name, forum.status, forum.capacity, forum.time_zone) == (
        "ASEAN Mayors Forum 2027",
        ForumStatus.PUBLISHED,
        400,
        "Asia/Bangkok",
    )
    assert (forum.start_date, forum.end_date) == (
        today + dt.timedelta(days=120),
        today + dt.timedelta(days=121),
    )
    assert forum.registration_opens_at < timezone.now() < forum.registration_closes_at
    assert forum.registration_closes_at.date() < forum.start_date
    visit = forum.sessions.get(kind=SessionKind.SITE_VISIT)
    assert (visit.requires_signup, visit.capacity) == (True, 40)
    assert forum.sessions.count() == 9


def test_seed_demo_forums_have_a_fictional_secretariat_contact():
    seed()

    contacts = {
        forum.slug: (forum.secretariat_email, forum.secretariat_phone.as_e164)
        for forum in Forum.objects.order_by("slug")
    }
    assert contacts == {
        "amf-2027": ("secretariat@uclg-aspac.example.org", "+622150001234"),
        "pre-amf-2022": ("secretariat@uclg-aspac.example.org", "+622150001234"),
    }


def test_seed_demo_never_moves_the_upcoming_forum():
    today = timezone.localdate()
    demo_seed(today=today)
    before = snapshot()

    result = demo_seed(today=today + dt.timedelta(days=45))

    assert (result.created, result.updated) == (0, 0)
    assert snapshot() == before
    assert Forum.objects.get(slug="amf-2027").start_date == today + dt.timedelta(days=120)


def test_seed_demo_with_staff_prints_a_working_login(settings):
    settings.DEBUG = True

    output = seed("--with-staff")

    assert "Demo staff login: staff@amf.local / amf-demo-staff" in output.splitlines()
    user = User.objects.get(is_superuser=True)
    assert (user.username, user.email, user.is_staff, user.is_superuser) == (
        "staff@amf.local",
        "staff@amf.local",
        True,
        True,
    )
    # Staff sign in through the same (allauth) login page as delegates, by email.
    client = Client()
    login = client.post(reverse("account_login"), {"login": "staff@amf.local", "password": "amf-demo-staff"})
    assert login.status_code == 302
    assert client.get(reverse("admin:events_forum_changelist")).status_code == 200


def test_seed_demo_with_staff_twice_keeps_one_user(settings):
    settings.DEBUG = True
    seed("--with-staff")

    seed("--with-staff")

    assert User.objects.filter(username="staff@amf.local").count() == 1


def test_seed_demo_with_staff_needs_a_chosen_password_when_debug_is_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--staff-password"):
        seed("--with-staff")
    output = seed("--with-staff", "--staff-password", "a-long-chosen-secret")

    assert "Demo staff login: staff@amf.local / a-long-chosen-secret" in output.splitlines()
    # The role accounts take the chosen password too (delegates/demo/staff.py).
    assert all(user.check_password("a-long-chosen-secret") for user in User.objects.filter(is_staff=True))
