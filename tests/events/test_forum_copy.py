"""events.services.forum_copy: next year's forum from this year's, every time moved by whole days in the
forum's own time zone."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.enums import ForumStatus, SessionKind, SpeakerRole
from events.models import Forum, Room, Session, SessionSpeaker, Track
from events.services import forum_copy
from tests.factories import (
    JAKARTA,
    ForumFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    TrackFactory,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def forum_2030():
    """A published forum on 6–7 October 2030 in Jakarta with two rooms, a track, three sessions (one in
    no room) and speaker roles."""
    forum = ForumFactory(
        name="ASEAN Mayors Forum 2030",
        slug="amf-2030",
        theme="Liveable cities",
        venue_address="Jl. Example 1",
        map_url="https://www.openstreetmap.org/search?query=Surabaya",
        registration_opens_at=dt.datetime(2030, 6, 1, 9, 0, tzinfo=JAKARTA),
        registration_closes_at=dt.datetime(2030, 9, 30, 23, 59, tzinfo=JAKARTA),
        registration_edit_deadline=dt.datetime(2030, 10, 1, 12, 0, tzinfo=JAKARTA),
        capacity=300,
        secretariat_email="secretariat@uclg-aspac.example.org",
        secretariat_phone="+62 21 5000 1234",
        status=ForumStatus.PUBLISHED,
    )
    hall = RoomFactory(forum=forum, name="Main Hall", location="Level 3", capacity=300)
    room_a = RoomFactory(forum=forum, name="Meeting Room A")
    track = TrackFactory(forum=forum, name="Smart Cities", slug="smart-cities", order=1, description="Data")
    opening = SessionFactory(
        forum=forum,
        title="Opening plenary",
        slug="opening-plenary",
        kind=SessionKind.PLENARY,
        starts_at=dt.datetime(2030, 10, 6, 9, 0, tzinfo=JAKARTA),
        ends_at=dt.datetime(2030, 10, 6, 10, 30, tzinfo=JAKARTA),
        room=hall,
        description="Welcome",
    )
    panel = SessionFactory(
        forum=forum,
        title="Smart cities panel",
        slug="smart-cities-panel",
        starts_at=dt.datetime(2030, 10, 7, 14, 0, tzinfo=JAKARTA),
        ends_at=dt.datetime(2030, 10, 7, 15, 30, tzinfo=JAKARTA),
        room=room_a,
        track=track,
        capacity=60,
    )
    SessionFactory(
        forum=forum,
        title="Site visit",
        slug="site-visit",
        kind=SessionKind.SITE_VISIT,
        starts_at=dt.datetime(2030, 10, 7, 13, 30, tzinfo=JAKARTA),
        ends_at=dt.datetime(2030, 10, 7, 17, 0, tzinfo=JAKARTA),
        requires_signup=True,
        capacity=40,
    )
    mayor = SpeakerFactory(slug="mayor")
    SessionSpeakerFactory(session=opening, speaker=mayor, role=SpeakerRole.KEYNOTE, order=1)
    SessionSpeakerFactory(session=panel, speaker=mayor, role=SpeakerRole.MODERATOR, order=1)
    SessionSpeakerFactory(
        session=panel, speaker=SpeakerFactory(slug="guest"), role=SpeakerRole.PANELLIST, order=2
    )
    return forum


def test_forum_copy_copies_the_forum_as_a_draft(forum_2030):
    copy = forum_copy(
        forum=forum_2030, name="ASEAN Mayors Forum 2031", slug="amf-2031", start_date=dt.date(2031, 10, 5)
    )

    copy.refresh_from_db()
    assert copy.pk != forum_2030.pk
    assert (copy.name, copy.slug, copy.status) == ("ASEAN Mayors Forum 2031", "amf-2031", ForumStatus.DRAFT)
    assert (copy.start_date, copy.end_date) == (dt.date(2031, 10, 5), dt.date(2031, 10, 6))
    assert (
        copy.theme,
        copy.host_city,
        copy.country.code,
        copy.venue_name,
        copy.venue_address,
        copy.map_url,
    ) == (
        "Liveable cities",
        "Surabaya",
        "ID",
        "Grand City Convention Hall",
        "Jl. Example 1",
        "https://www.openstreetmap.org/search?query=Surabaya",
    )
    assert (copy.time_zone, copy.capacity) == ("Asia/Jakarta", 300)
    assert (copy.secretariat_email, copy.secretariat_phone.as_e164) == (
        "secretariat@uclg-aspac.example.org",
        "+622150001234",
    )
    # 364 days later, same wall-clock time in Jakarta (UTC+7).
    assert copy.registration_opens_at == dt.datetime(2031, 5, 31, 2, 0, tzinfo=UTC)
    assert copy.registration_closes_at == dt.datetime(2031, 9, 29, 16, 59, tzinfo=UTC)
    assert copy.registration_edit_deadline == dt.datetime(2031, 9, 30, 5, 0, tzinfo=UTC)


def test_forum_copy_copies_rooms_tracks_sessions_and_speaker_roles(forum_2030):
    copy = forum_copy(forum=forum_2030, name="AMF 2031", slug="amf-2031", start_date=dt.date(2031, 10, 5))

    assert sorted(Room.objects.filter(forum=copy).values_list("name", "location", "capacity")) == [
        ("Main Hall", "Level 3", 300),
        ("Meeting Room A", "", None),
    ]
    assert list(Track.objects.filter(forum=copy).values_list("name", "slug", "order", "description")) == [
        ("Smart Cities", "smart-cities", 1, "Data")
    ]
    sessions = list(
        Session.objects.filter(forum=copy)
        .order_by("starts_at")
        .values_list(
            "slug",
            "title",
            "kind",
            "starts_at",
            "ends_at",
            "room__name",
            "track__slug",
            "requires_signup",
            "capacity",
        )
    )
    assert sessions == [
        (
            "opening-plenary",
            "Opening plenary",
            "plenary",
            dt.datetime(2031, 10, 5, 2, 0, tzinfo=UTC),
            dt.datetime(2031, 10, 5, 3, 30, tzinfo=UTC),
            "Main Hall",
            None,
            False,
            None,
        ),
        (
            "site-visit",
            "Site visit",
            "site_visit",
            dt.datetime(2031, 10, 6, 6, 30, tzinfo=UTC),
            dt.datetime(2031, 10, 6, 10, 0, tzinfo=UTC),
            None,
            None,
            True,
            40,
        ),
        (
            "smart-cities-panel",
            "Smart cities panel",
            "panel",
            dt.datetime(2031, 10, 6, 7, 0, tzinfo=UTC),
            dt.datetime(2031, 10, 6, 8, 30, tzinfo=UTC),
            "Meeting Room A",
            "smart-cities",
            False,
            60,
        ),
    ]
    # The copy's sessions point at the copy's rooms and tracks, never the original's.
    assert set(
        Session.objects.filter(forum=copy).exclude(room=None).values_list("room__forum", flat=True)
    ) == {copy.pk}
    assert set(
        Session.objects.filter(forum=copy).exclude(track=None).values_list("track__forum", flat=True)
    ) == {copy.pk}
    roles = list(
        SessionSpeaker.objects.filter(session__forum=copy)
        .order_by("session__slug", "order")
        .values_list("session__slug", "speaker__slug", "role", "order")
    )
    assert roles == [
        ("opening-plenary", "mayor", "keynote", 1),
        ("smart-cities-panel", "mayor", "moderator", 1),
        ("smart-cities-panel", "guest", "panellist", 2),
    ]


def test_forum_copy_gives_sessions_new_uids_and_leaves_the_original_alone(forum_2030):
    before = list(Session.objects.filter(forum=forum_2030).order_by("pk").values())

    copy = forum_copy(forum=forum_2030, name="AMF 2031", slug="amf-2031", start_date=dt.date(2031, 10, 5))

    original_uids = {row["uid"] for row in before}
    copy_uids = set(Session.objects.filter(forum=copy).values_list("uid", flat=True))
    assert len(copy_uids) == 3
    assert copy_uids.isdisjoint(original_uids)
    assert list(Session.objects.filter(forum=forum_2030).order_by("pk").values()) == before
    assert Forum.objects.get(pk=forum_2030.pk).status == ForumStatus.PUBLISHED


def test_forum_copy_keeps_the_wall_clock_time_across_daylight_saving():
    # Sydney: AEDT (UTC+11) until the first Sunday of April 2030, AEST (UTC+10) afterwards.
    sydney = zoneinfo.ZoneInfo("Australia/Sydney")
    forum = ForumFactory(
        time_zone="Australia/Sydney",
        start_date=dt.date(2030, 3, 28),
        end_date=dt.date(2030, 3, 29),
        registration_opens_at=dt.datetime(2030, 3, 1, 9, 0, tzinfo=sydney),
        registration_closes_at=dt.datetime(2030, 3, 27, 17, 0, tzinfo=sydney),
    )
    SessionFactory(
        forum=forum,
        slug="opening",
        starts_at=dt.datetime(2030, 3, 28, 9, 0, tzinfo=sydney),
        ends_at=dt.datetime(2030, 3, 28, 10, 0, tzinfo=sydney),
    )

    copy = forum_copy(forum=forum, name="Copy", slug="copy", start_date=dt.date(2030, 5, 2))

    session = Session.objects.get(forum=copy)
    assert session.starts_at == dt.datetime(2030, 5, 1, 23, 0, tzinfo=UTC)  # 09:00 AEST
    assert session.starts_at.astimezone(sydney).time() == dt.time(9, 0)
    assert session.ends_at == dt.datetime(2030, 5, 2, 0, 0, tzinfo=UTC)
    copy.refresh_from_db()
    assert copy.registration_opens_at == dt.datetime(2030, 4, 4, 22, 0, tzinfo=UTC)  # 09:00 AEDT, 5 April
    assert copy.registration_closes_at == dt.datetime(2030, 5, 1, 7, 0, tzinfo=UTC)  # 17:00 AEST, 1 May


def test_forum_copy_can_move_a_forum_back_in_time(forum_2030):
    copy = forum_copy(forum=forum_2030, name="Earlier", slug="earlier", start_date=dt.date(2030, 9, 1))

    assert (copy.start_date, copy.end_date) == (dt.date(2030, 9, 1), dt.date(2030, 9, 2))
    assert Session.objects.get(forum=copy, slug="opening-plenary").starts_at == dt.datetime(
        2030, 9, 1, 2, 0, tzinfo=UTC
    )


def test_forum_copy_rejects_a_taken_slug_and_writes_nothing(forum_2030):
    counts = [model.objects.count() for model in (Forum, Room, Track, Session, SessionSpeaker)]

    with pytest.raises(ValidationError) as error:
        forum_copy(forum=forum_2030, name="Again", slug="amf-2030", start_date=dt.date(2031, 10, 5))

    assert error.value.message_dict == {"slug": ["A forum with this slug already exists."]}
    assert [model.objects.count() for model in (Forum, Room, Track, Session, SessionSpeaker)] == counts


def test_forum_copy_rejects_an_invalid_slug(forum_2030):
    with pytest.raises(ValidationError) as error:
        forum_copy(forum=forum_2030, name="Bad", slug="not a slug", start_date=dt.date(2031, 10, 5))

    assert list(error.value.message_dict) == ["slug"]
    assert Forum.objects.count() == 1


def test_forum_copy_runs_a_fixed_number_of_queries(forum_2030):
    small = ForumFactory(slug="small")
    session = SessionFactory(forum=small, room=RoomFactory(forum=small), track=TrackFactory(forum=small))
    SessionSpeakerFactory(session=session)

    with CaptureQueriesContext(connection) as one:
        forum_copy(forum=small, name="Small copy", slug="small-copy", start_date=dt.date(2031, 10, 5))
    with CaptureQueriesContext(connection) as many:
        forum_copy(forum=forum_2030, name="Big copy", slug="big-copy", start_date=dt.date(2031, 10, 5))

    assert len(one) == len(many)
