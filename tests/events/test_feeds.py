"""Calendar feeds (iCalendar, parsed back with the ``icalendar`` library) and the JSON export."""

import datetime as dt
import json
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events.enums import ForumStatus, SessionKind, SpeakerRole
from tests.factories import (
    ForumFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    TrackFactory,
)

pytestmark = pytest.mark.django_db

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
MANILA = zoneinfo.ZoneInfo("Asia/Manila")
UTC = dt.UTC
DOMAIN = "events.uclg-aspac.test"
KHMER_NAME = "សុខ វិបុល"
THAI_NAME = "สมชาย ใจดี"


@pytest.fixture(autouse=True)
def _site_domain(settings):
    settings.SITE_DOMAIN = DOMAIN


@pytest.fixture
def forum():
    return ForumFactory(
        slug="amf-2022",
        name="Pre-ASEAN Mayors Forum 2022",
        theme="Achieving Smart, Resilient and Sustainable Urbanisation",
        host_city="Surabaya",
        country="ID",
        venue_name="Grand City Convention Hall",
        venue_address="Jl. Walikota Mustajab No. 1\nSurabaya 60272",
        map_url="https://www.openstreetmap.org/?mlat=-7.26&mlon=112.75",
        start_date=dt.date(2022, 10, 6),
        end_date=dt.date(2022, 10, 7),
        time_zone="Asia/Jakarta",
    )


@pytest.fixture
def opening(forum):
    """09:00–10:00 Jakarta time, in a room, on a track, with a Khmer keynote and a Thai moderator."""
    session = SessionFactory(
        forum=forum,
        title="Opening Plenary",
        slug="opening-plenary",
        kind=SessionKind.PLENARY,
        starts_at=dt.datetime(2022, 10, 6, 9, 0, tzinfo=JAKARTA),
        ends_at=dt.datetime(2022, 10, 6, 10, 0, tzinfo=JAKARTA),
        room=RoomFactory(forum=forum, name="Ballroom A", location="Level 2", capacity=500),
        track=TrackFactory(forum=forum, name="Smart Cities", slug="smart-cities", description="Data."),
        description="Welcome remarks and keynote.",
    )
    SessionSpeakerFactory(
        session=session,
        role=SpeakerRole.MODERATOR,
        order=1,
        speaker=SpeakerFactory(
            slug="somchai-jaidee",
            honorific="",
            name=THAI_NAME,
            position="Deputy Governor",
            organisation="Bangkok Metropolitan Administration",
            city="Bangkok",
            country="TH",
        ),
    )
    SessionSpeakerFactory(
        session=session,
        role=SpeakerRole.KEYNOTE,
        order=0,
        speaker=SpeakerFactory(
            slug="sok-vibol",
            honorific="H.E.",
            name=KHMER_NAME,
            position="Governor",
            organisation="Phnom Penh Capital Administration",
            city="Phnom Penh",
            country="KH",
        ),
    )
    return session


@pytest.fixture
def site_visit(forum):
    """An afternoon site visit with no room, track or speakers, on sign-up only."""
    return SessionFactory(
        forum=forum,
        title="Site visit: Surabaya Command Center",
        slug="site-visit",
        kind=SessionKind.SITE_VISIT,
        starts_at=dt.datetime(2022, 10, 7, 14, 0, tzinfo=JAKARTA),
        ends_at=dt.datetime(2022, 10, 7, 17, 0, tzinfo=JAKARTA),
        capacity=40,
        requires_signup=True,
    )


def programme_ics_url(forum):
    return reverse("events:programme-ics", kwargs={"forum_slug": forum.slug})


def programme_json_url(forum):
    return reverse("events:programme-json", kwargs={"forum_slug": forum.slug})


def session_ics_url(session):
    return reverse(
        "events:session-ics", kwargs={"forum_slug": session.forum.slug, "session_slug": session.slug}
    )


def parse(response) -> Calendar:
    return Calendar.from_ical(response.content)


def uids(calendar: Calendar) -> list[str]:
    return [str(event["UID"]) for event in calendar.events]


def make_programme(forum, count):
    """``count`` sessions in one room and one track, each with two speakers, never overlapping."""
    room = RoomFactory(forum=forum)
    track = TrackFactory(forum=forum)
    first = dt.datetime.combine(forum.start_date, dt.time(8, 0), tzinfo=forum.tz)
    for index in range(count):
        session = SessionFactory(
            forum=forum,
            room=room,
            track=track,
            starts_at=first + dt.timedelta(minutes=20 * index),
            ends_at=first + dt.timedelta(minutes=20 * index + 15),
        )
        SessionSpeakerFactory(session=session, role=SpeakerRole.MODERATOR)
        SessionSpeakerFactory(session=session, role=SpeakerRole.PANELLIST)


# --- iCalendar: the whole programme ----------------------------------------------------------------


def test_programme_ics_headers(client, forum, opening):
    response = client.get(programme_ics_url(forum))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="amf-2022-programme.ics"'
    assert response["Cache-Control"] == "public, max-age=300"


def test_programme_ics_calendar_properties(client, forum, opening):
    response = client.get(programme_ics_url(forum))
    calendar = parse(response)

    assert str(calendar["PRODID"]) == "-//UCLG ASPAC//AMF Events//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Pre-ASEAN Mayors Forum 2022"
    assert str(calendar["X-WR-CALDESC"]) == "Achieving Smart, Resilient and Sustainable Urbanisation"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Jakarta"
    assert str(calendar["URL"]) == "http://testserver/forums/amf-2022/programme/"
    assert str(calendar["SOURCE"]) == "http://testserver/forums/amf-2022/programme.ics"
    assert calendar["REFRESH-INTERVAL"].dt == dt.timedelta(hours=6)
    assert "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in response.content.decode()
    assert "\r\nX-PUBLISHED-TTL:PT6H\r\n" in response.content.decode()
    assert [tz.tz_name for tz in calendar.timezones] == ["Asia/Jakarta"]
    [standard] = calendar.timezones[0].walk("STANDARD")
    assert standard["TZOFFSETTO"].td == dt.timedelta(hours=7)
    assert calendar.get_missing_tzids() == set()


def test_programme_ics_event_in_forum_time_zone(client, forum, opening):
    response = client.get(programme_ics_url(forum))
    [event] = parse(response).events

    assert event.start == dt.datetime(2022, 10, 6, 9, 0, tzinfo=JAKARTA)
    assert event.start == dt.datetime(2022, 10, 6, 2, 0, tzinfo=UTC)
    assert event.start.utcoffset() == dt.timedelta(hours=7)
    assert event.end == dt.datetime(2022, 10, 6, 3, 0, tzinfo=UTC)
    assert event["DTSTART"].params["TZID"] == "Asia/Jakarta"
    # Local wall time on the wire, not UTC.
    text = response.content.decode()
    assert "DTSTART;TZID=Asia/Jakarta:20221006T090000\r\n" in text
    assert "DTEND;TZID=Asia/Jakarta:20221006T100000\r\n" in text


def test_programme_ics_event_properties(client, forum, opening):
    opening.refresh_from_db()
    forum.refresh_from_db()
    [event] = parse(client.get(programme_ics_url(forum))).events

    assert str(event["UID"]) == f"{opening.uid}@{DOMAIN}"
    assert str(event["SUMMARY"]) == "Opening Plenary"
    assert str(event["DESCRIPTION"]) == (
        "Welcome remarks and keynote.\n"
        "\n"
        "Speakers:\n"
        f"Keynote: H.E. {KHMER_NAME}, Governor, Phnom Penh Capital Administration\n"
        f"Moderator: {THAI_NAME}, Deputy Governor, Bangkok Metropolitan Administration"
    )
    assert str(event["LOCATION"]) == (
        "Ballroom A, Level 2, Grand City Convention Hall, Jl. Walikota Mustajab No. 1, Surabaya 60272"
    )
    assert str(event["URL"]) == "http://testserver/forums/amf-2022/sessions/opening-plenary/"
    assert [str(category) for category in event.categories] == ["Plenary", "Smart Cities"]
    modified = max(opening.updated_at, forum.updated_at).replace(microsecond=0)
    assert event["LAST-MODIFIED"].dt == modified
    assert event["DTSTAMP"].dt == modified


def test_programme_ics_lists_every_session_in_time_order(client, forum, opening, site_visit):
    calendar = parse(client.get(programme_ics_url(forum)))

    assert uids(calendar) == [f"{opening.uid}@{DOMAIN}", f"{site_visit.uid}@{DOMAIN}"]
    visit = calendar.events[1]
    assert visit.start == dt.datetime(2022, 10, 7, 7, 0, tzinfo=UTC)
    assert str(visit["SUMMARY"]) == "Site visit: Surabaya Command Center"
    assert "DESCRIPTION" not in visit  # no description, no speakers
    assert str(visit["LOCATION"]) == "Grand City Convention Hall, Jl. Walikota Mustajab No. 1, Surabaya 60272"
    assert [str(category) for category in visit.categories] == ["Site visit"]


def test_programme_ics_uids_stable_across_requests_and_edits(client, forum, opening, site_visit):
    expected = [f"{opening.uid}@{DOMAIN}", f"{site_visit.uid}@{DOMAIN}"]
    first = parse(client.get(programme_ics_url(forum)))
    second = parse(client.get(programme_ics_url(forum)))

    opening.title = "Opening Plenary and Welcome Dinner"
    opening.slug = "opening"
    opening.save()
    edited = parse(client.get(programme_ics_url(forum)))

    assert uids(first) == expected
    assert uids(second) == expected
    assert uids(edited) == expected
    assert str(edited.events[0]["SUMMARY"]) == "Opening Plenary and Welcome Dinner"


def test_programme_ics_non_latin_names_round_trip(client, forum, opening):
    forum.name = "ສະພາເຈົ້າຄອງນະຄອນອາຊຽນ 2022"  # Lao
    forum.save()
    response = client.get(programme_ics_url(forum))
    calendar = parse(response)

    assert str(calendar["X-WR-CALNAME"]) == "ສະພາເຈົ້າຄອງນະຄອນອາຊຽນ 2022"
    description = str(calendar.events[0]["DESCRIPTION"])
    assert f"Keynote: H.E. {KHMER_NAME}, " in description
    assert f"Moderator: {THAI_NAME}, " in description


def test_programme_ics_folds_long_lines_without_splitting_characters(client, forum, opening):
    opening.description = "ការអភិវឌ្ឍន៍ទីក្រុងឆ្លាតវៃ និងធន់ " * 20
    opening.save()
    response = client.get(programme_ics_url(forum))

    lines = response.content.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # no multi-byte character is cut in half by folding
    description = str(parse(response).events[0]["DESCRIPTION"])
    assert description.startswith(opening.description.strip() + "\n\nSpeakers:\n")


def test_programme_ics_in_another_time_zone(client):
    forum = ForumFactory(
        slug="amf-2031", time_zone="Asia/Manila", start_date=dt.date(2031, 3, 3), end_date=dt.date(2031, 3, 4)
    )
    session = SessionFactory(forum=forum)
    response = client.get(programme_ics_url(forum))
    calendar = parse(response)

    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Manila"
    assert [tz.tz_name for tz in calendar.timezones] == ["Asia/Manila"]
    [event] = calendar.events
    assert str(event["UID"]) == f"{session.uid}@{DOMAIN}"
    assert event.start == dt.datetime(2031, 3, 3, 9, 0, tzinfo=MANILA)
    assert event.start == dt.datetime(2031, 3, 3, 1, 0, tzinfo=UTC)
    assert "DTSTART;TZID=Asia/Manila:20310303T090000\r\n" in response.content.decode()


def test_programme_ics_empty_programme_still_names_its_time_zone(client, forum):
    calendar = parse(client.get(programme_ics_url(forum)))

    assert calendar.events == []
    assert [tz.tz_name for tz in calendar.timezones] == ["Asia/Jakarta"]


def test_programme_ics_is_byte_identical_for_an_unchanged_programme(client, forum, opening, site_visit):
    assert client.get(programme_ics_url(forum)).content == client.get(programme_ics_url(forum)).content


# --- iCalendar: one session ------------------------------------------------------------------------


def test_session_ics_holds_that_session_only(client, forum, opening, site_visit):
    response = client.get(session_ics_url(opening))
    calendar = parse(response)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="amf-2022-opening-plenary.ics"'
    assert response["Cache-Control"] == "public, max-age=300"
    assert str(calendar["PRODID"]) == "-//UCLG ASPAC//AMF Events//EN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Pre-ASEAN Mayors Forum 2022"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Jakarta"
    assert "REFRESH-INTERVAL" not in calendar
    assert [tz.tz_name for tz in calendar.timezones] == ["Asia/Jakarta"]
    [event] = calendar.events
    assert str(event["UID"]) == f"{opening.uid}@{DOMAIN}"
    assert event.start == dt.datetime(2022, 10, 6, 2, 0, tzinfo=UTC)
    assert event["DTSTART"].params["TZID"] == "Asia/Jakarta"
    assert str(event["SUMMARY"]) == "Opening Plenary"
    assert str(event["LOCATION"]) == (
        "Ballroom A, Level 2, Grand City Convention Hall, Jl. Walikota Mustajab No. 1, Surabaya 60272"
    )
    assert KHMER_NAME in str(event["DESCRIPTION"])
    assert THAI_NAME in str(event["DESCRIPTION"])


def test_session_ics_uid_matches_the_programme_feed_and_survives_edits(client, forum, opening, site_visit):
    [in_programme, _] = parse(client.get(programme_ics_url(forum))).events
    single = parse(client.get(session_ics_url(opening))).events[0]
    opening.title = "Opening Ceremony"
    opening.save()
    edited = parse(client.get(session_ics_url(opening))).events[0]

    assert str(single["UID"]) == str(in_programme["UID"]) == f"{opening.uid}@{DOMAIN}"
    assert str(edited["UID"]) == f"{opening.uid}@{DOMAIN}"
    assert str(edited["SUMMARY"]) == "Opening Ceremony"


# --- JSON export -----------------------------------------------------------------------------------


def test_programme_json_structure_and_values(client, forum, opening, site_visit):
    RoomFactory(forum=forum, name="Ante Room", location="", capacity=None)  # a room with no session
    before = timezone.now().replace(microsecond=0)
    response = client.get(programme_json_url(forum))
    after = timezone.now()
    data = response.json()
    generated_at = dt.datetime.fromisoformat(data.pop("generated_at"))

    assert before <= generated_at <= after
    assert data == {
        "forum": {
            "slug": "amf-2022",
            "name": "Pre-ASEAN Mayors Forum 2022",
            "theme": "Achieving Smart, Resilient and Sustainable Urbanisation",
            "host_city": "Surabaya",
            "country": "ID",
            "start_date": "2022-10-06",
            "end_date": "2022-10-07",
            "time_zone": "Asia/Jakarta",
            "venue": {
                "name": "Grand City Convention Hall",
                "address": "Jl. Walikota Mustajab No. 1\nSurabaya 60272",
                "map_url": "https://www.openstreetmap.org/?mlat=-7.26&mlon=112.75",
            },
            "url": "http://testserver/forums/amf-2022/",
            "ics_url": "http://testserver/forums/amf-2022/programme.ics",
        },
        "tracks": [{"slug": "smart-cities", "name": "Smart Cities", "description": "Data."}],
        "rooms": [
            {"name": "Ante Room", "location": "", "capacity": None},
            {"name": "Ballroom A", "location": "Level 2", "capacity": 500},
        ],
        "sessions": [
            {
                "uid": str(opening.uid),
                "slug": "opening-plenary",
                "title": "Opening Plenary",
                "type": "plenary",
                "type_label": "Plenary",
                "starts_at": "2022-10-06T09:00:00+07:00",
                "ends_at": "2022-10-06T10:00:00+07:00",
                "room": "Ballroom A",
                "track": "smart-cities",
                "description": "Welcome remarks and keynote.",
                "capacity": None,
                "requires_signup": False,
                "url": "http://testserver/forums/amf-2022/sessions/opening-plenary/",
                "ics_url": "http://testserver/forums/amf-2022/sessions/opening-plenary.ics",
                "speakers": [
                    {
                        "slug": "sok-vibol",
                        "honorific": "H.E.",
                        "name": KHMER_NAME,
                        "position": "Governor",
                        "organisation": "Phnom Penh Capital Administration",
                        "city": "Phnom Penh",
                        "country": "KH",
                        "role": "keynote",
                        "role_label": "Keynote",
                    },
                    {
                        "slug": "somchai-jaidee",
                        "honorific": "",
                        "name": THAI_NAME,
                        "position": "Deputy Governor",
                        "organisation": "Bangkok Metropolitan Administration",
                        "city": "Bangkok",
                        "country": "TH",
                        "role": "moderator",
                        "role_label": "Moderator",
                    },
                ],
            },
            {
                "uid": str(site_visit.uid),
                "slug": "site-visit",
                "title": "Site visit: Surabaya Command Center",
                "type": "site_visit",
                "type_label": "Site visit",
                "starts_at": "2022-10-07T14:00:00+07:00",
                "ends_at": "2022-10-07T17:00:00+07:00",
                "room": None,
                "track": None,
                "description": "",
                "capacity": 40,
                "requires_signup": True,
                "url": "http://testserver/forums/amf-2022/sessions/site-visit/",
                "ics_url": "http://testserver/forums/amf-2022/sessions/site-visit.ics",
                "speakers": [],
            },
        ],
    }


def test_programme_json_headers_and_raw_utf8(client, forum, opening):
    response = client.get(programme_json_url(forum))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=300"
    # Names are written as UTF-8, not as \u escapes.
    assert KHMER_NAME.encode() in response.content
    assert THAI_NAME.encode() in response.content
    assert b"\\u" not in response.content


def test_programme_json_empty_programme(client, forum):
    data = json.loads(client.get(programme_json_url(forum)).content)

    assert (data["tracks"], data["rooms"], data["sessions"]) == ([], [], [])
    assert data["forum"]["slug"] == "amf-2022"


def test_programme_json_speaker_without_country_is_null(client, forum, opening):
    SessionSpeakerFactory(
        session=opening, order=2, speaker=SpeakerFactory(slug="guest", honorific="", country="", city="")
    )

    speakers = client.get(programme_json_url(forum)).json()["sessions"][0]["speakers"]

    assert [(speaker["slug"], speaker["country"]) for speaker in speakers] == [
        ("sok-vibol", "KH"),
        ("somchai-jaidee", "TH"),
        ("guest", None),
    ]


# --- Conditional GET -------------------------------------------------------------------------------


@pytest.mark.parametrize("url_of", [programme_ics_url, programme_json_url])
def test_feed_answers_not_modified_until_the_programme_changes(client, forum, opening, url_of):
    url = url_of(forum)
    first = client.get(url)
    etag = first["ETag"]

    again = client.get(url, headers={"If-None-Match": etag})
    opening.title = "Opening Ceremony"
    opening.save()
    changed = client.get(url, headers={"If-None-Match": etag})

    assert etag.startswith('"') and len(etag) == 66  # a quoted SHA-256
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again["Cache-Control"] == "public, max-age=300"
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert b"Opening Ceremony" in changed.content


def test_session_ics_answers_not_modified(client, forum, opening):
    url = session_ics_url(opening)
    etag = client.get(url)["ETag"]

    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_programme_json_not_modified_keeps_cors_header(client, forum, opening):
    url = programme_json_url(forum)
    etag = client.get(url)["ETag"]

    response = client.get(url, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response["Access-Control-Allow-Origin"] == "*"


# --- Visibility and methods ------------------------------------------------------------------------


def test_feeds_of_a_draft_forum_are_not_found(client):
    draft = ForumFactory(status=ForumStatus.DRAFT)
    session = SessionFactory(forum=draft)

    for url in [programme_ics_url(draft), programme_json_url(draft), session_ics_url(session)]:
        assert client.get(url).status_code == 404, url


def test_feeds_of_unknown_forum_or_session_are_not_found(client, forum, opening):
    other_forum_session = SessionFactory(slug="elsewhere")

    urls = [
        reverse("events:programme-ics", kwargs={"forum_slug": "no-such-forum"}),
        reverse("events:programme-json", kwargs={"forum_slug": "no-such-forum"}),
        reverse("events:session-ics", kwargs={"forum_slug": "no-such-forum", "session_slug": opening.slug}),
        reverse("events:session-ics", kwargs={"forum_slug": forum.slug, "session_slug": "no-such-session"}),
        # A real session, asked for under the wrong forum.
        reverse(
            "events:session-ics", kwargs={"forum_slug": forum.slug, "session_slug": other_forum_session.slug}
        ),
    ]

    for url in urls:
        assert client.get(url).status_code == 404, url


def test_feeds_refuse_writes(client, forum, opening):
    for url in [programme_ics_url(forum), programme_json_url(forum), session_ics_url(opening)]:
        assert client.post(url).status_code == 405, url


def test_feeds_answer_head(client, forum, opening):
    response = client.head(programme_ics_url(forum))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"


# --- Query counts ----------------------------------------------------------------------------------
# forum, sessions (with room and track), speakers (prefetched); the JSON adds tracks and rooms.


@pytest.mark.parametrize("count", [1, 40])
def test_programme_ics_query_count_is_constant(client, django_assert_num_queries, forum, count):
    make_programme(forum, count)

    with django_assert_num_queries(3):
        response = client.get(programme_ics_url(forum))

    assert len(parse(response).events) == count


@pytest.mark.parametrize("count", [1, 40])
def test_programme_json_query_count_is_constant(client, django_assert_num_queries, forum, count):
    make_programme(forum, count)

    with django_assert_num_queries(5):
        response = client.get(programme_json_url(forum))

    sessions = response.json()["sessions"]
    assert len(sessions) == count
    assert [len(session["speakers"]) for session in sessions] == [2] * count


def test_session_ics_query_count(client, django_assert_num_queries, forum, opening):
    with django_assert_num_queries(3):
        response = client.get(session_ics_url(opening))

    assert len(parse(response).events) == 1
