"""Garbage in the address never makes a public page fail: every public URL answers 200, 400 or 404
whatever query string or path segment it gets (unicode, huge values, NUL bytes, repeated parameters,
impossible dates). The test client re-raises any exception a view lets through, so a 500 fails loudly.
"""

import datetime as dt
import zoneinfo
from urllib.parse import quote, urlencode

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.enums import SessionKind, SpeakerRole
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
ALLOWED = {200, 400, 404}

# Function-scoped fixtures are set up once per test and shared by its examples: every request is a GET
# that changes nothing, so the examples cannot influence each other.
GARBAGE = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

PUBLIC_URLS = [
    ("events:home", []),
    ("events:forum", ["pre-amf-2022"]),
    ("events:programme", ["pre-amf-2022"]),
    ("events:programme-ics", ["pre-amf-2022"]),
    ("events:programme-json", ["pre-amf-2022"]),
    ("events:session", ["pre-amf-2022", "opening-plenary"]),
    ("events:session-ics", ["pre-amf-2022", "opening-plenary"]),
    ("events:speakers", ["pre-amf-2022"]),
    ("events:speaker", ["pre-amf-2022", "eri-cahyadi"]),
]

WEIRD_VALUES = [
    "",
    "2022-02-31",
    "99999-1-1",
    "2022-10-06T09:00",
    "20221006",
    "0000-00-00",
    "-1",
    "1e309",
    "NaN",
    "\x00",
    "smart-cities\x00",
    "plenary\x00",
    "PLENARY",
    "%00",
    "%",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "ស្រុកខ្មែរ",
    "ประเทศไทย",
    "Việt Nam",
    "🙂" * 50,
    "\ud7ff\ue000\ufffd",
    "a" * 10_000,
]
KEYS = st.one_of(
    st.sampled_from(["track", "type", "day", "page", "q", "lang", "format"]), st.text(max_size=20)
)
VALUES = st.one_of(
    st.sampled_from(WEIRD_VALUES),
    st.text(max_size=200),
    st.integers(min_value=1_000, max_value=200_000).map(lambda size: "x" * size),
    st.dates().map(dt.date.isoformat),
    st.sampled_from([kind.value for kind in SessionKind]),
)
PARAMS = st.lists(st.tuples(KEYS, VALUES), max_size=10)
RAW_QUERY = st.one_of(
    st.text(max_size=300).map(lambda raw: quote(raw, safe="=&;+%")),
    st.integers(min_value=900, max_value=1_200).map(lambda count: "day=1&" * count),  # past Django's limit
    st.sampled_from(["%", "%zz", "=&=&&==", "day", "&&&", "track=%FF%FE", "day=%00", "a=%C0%AF"]),
)


@pytest.fixture
def public_site():
    """A published forum with a programme, so every URL in PUBLIC_URLS resolves to a real page."""
    forum = ForumFactory(
        slug="pre-amf-2022",
        start_date=dt.date(2022, 10, 6),
        end_date=dt.date(2022, 10, 7),
        time_zone="Asia/Jakarta",
    )
    room = RoomFactory(forum=forum, name="Main Hall")
    track = TrackFactory(forum=forum, slug="smart-cities")
    session = SessionFactory(
        forum=forum,
        slug="opening-plenary",
        kind=SessionKind.PLENARY,
        starts_at=dt.datetime(2022, 10, 6, 9, tzinfo=JAKARTA),
        ends_at=dt.datetime(2022, 10, 6, 10, tzinfo=JAKARTA),
        room=room,
        track=track,
    )
    SessionSpeakerFactory(
        session=session, speaker=SpeakerFactory(slug="eri-cahyadi"), role=SpeakerRole.KEYNOTE
    )
    return forum


def _check(client, url: str, query: str) -> None:
    response = client.get(f"{url}?{query}" if query else url)
    assert response.status_code in ALLOWED, (url, query[:200], response.status_code)


@pytest.mark.parametrize(("name", "args"), PUBLIC_URLS)
def test_public_url_answers_200_without_a_query(client, public_site, name, args):
    assert client.get(reverse(name, args=args)).status_code == 200


@pytest.mark.parametrize(("name", "args"), PUBLIC_URLS)
@GARBAGE
@given(params=PARAMS)
def test_public_url_survives_arbitrary_query_parameters(client, public_site, name, args, params):
    _check(client, reverse(name, args=args), urlencode(params))


@pytest.mark.parametrize(("name", "args"), PUBLIC_URLS)
@GARBAGE
@given(query=RAW_QUERY)
def test_public_url_survives_a_raw_query_string(client, public_site, name, args, query):
    _check(client, reverse(name, args=args), query)


SLUGS = st.one_of(
    st.from_regex(r"[-a-zA-Z0-9_]{1,300}", fullmatch=True),
    st.text(min_size=1, max_size=100).map(lambda text: quote(text, safe="")),
    st.sampled_from(["%00", "..", "a%2Fb", "ประเทศไทย", "-", "_", "0" * 5000]),
)


@pytest.mark.parametrize(("name", "args"), [entry for entry in PUBLIC_URLS if entry[1]])
@GARBAGE
@given(slug=SLUGS, position=st.integers(min_value=0, max_value=1))
def test_public_url_survives_arbitrary_slugs(client, public_site, name, args, slug, position):
    """Any slug in any position is a real page or a 404; path segments are swapped in after reversing,
    so that segments the URL patterns would not accept are tried too."""
    url = reverse(name, args=args)
    original = args[min(position, len(args) - 1)]
    response = client.get(url.replace(original, slug, 1))

    assert response.status_code in {200, 404}


def test_programme_filters_with_garbage_still_show_the_programme(client, public_site):
    """Spot check of what the user sees: the sessions, and a polite note instead of an error."""
    response = client.get(
        reverse("events:programme", args=["pre-amf-2022"]),
        {"day": ["2022-02-31", "99999-1-1"], "track": "smart-cities\x00", "type": "x" * 5000},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "opening-plenary" in page
    assert "The day in the address is not a day of this forum, so all days are shown." in page
    assert "The track in the address is not part of this programme, so all tracks are shown." in page
    assert "The session type in the address does not occur in this programme, so all types are shown." in page
