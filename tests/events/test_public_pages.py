"""The public pages: home, forum, programme, session, speakers and speaker, their error pages, the
time-zone rendering and the number of queries they make."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template, loader
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views import defaults

from events.enums import ForumStatus, SessionKind, SpeakerRole
from events.selectors import RegistrationState, forum_registration_state
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
TZ_NOTE = "All times are local time in Surabaya: <strong>Asia/Jakarta, WIB, UTC+7</strong>."
# A 1×1 transparent PNG.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def html(response) -> str:
    """The page with runs of whitespace collapsed (and none before a tag's closing ``>``), so that
    assertions need not follow the templates' indentation."""
    return re.sub(r" >", ">", " ".join(response.content.decode().split()))


def session_titles(response) -> list[str]:
    return re.findall(r'<h3 class="session__title"> <a href="[^"]+">([^<]+)</a>', html(response))


def jakarta(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2022, 10, day, hour, minute, tzinfo=JAKARTA)


@pytest.fixture
def forum():
    return ForumFactory(
        name="Pre-ASEAN Mayors Forum 2022",
        slug="pre-amf-2022",
        theme="Achieving Smart, Resilient and Sustainable Urbanisation through ASEAN Cooperation",
        description="Mayors meet in Surabaya.\n\nSecond paragraph.",
        host_city="Surabaya",
        country="ID",
        venue_name="Grand City Convention Hall",
        venue_address="Jl. Walikota Mustajab No. 1\nSurabaya 60272",
        map_url="https://www.openstreetmap.org/?mlat=-7.26&mlon=112.75",
        start_date=dt.date(2022, 10, 6),
        end_date=dt.date(2022, 10, 7),
        time_zone="Asia/Jakarta",
        capacity=400,
    )


@pytest.fixture
def programme(forum):
    """Four sessions over two days: two on tracks, one that needs sign-up, one at 06:00 local time on
    the second day (still the first day in UTC)."""
    hall = RoomFactory(forum=forum, name="Main Hall", location="Level 2")
    bromo = RoomFactory(forum=forum, name="Room Bromo")
    smart = TrackFactory(forum=forum, name="Smart cities", slug="smart-cities", order=1)
    resilience = TrackFactory(forum=forum, name="Resilience", slug="resilience", order=2)
    mayor = SpeakerFactory(
        slug="eri-cahyadi",
        honorific="H.E.",
        name="Eri Cahyadi",
        position="Mayor of Surabaya",
        organisation="City Government of Surabaya",
        city="Surabaya",
        country="ID",
        bio="Mayor since 2021.\nEngineer by training.",
    )
    governor = SpeakerFactory(
        slug="chadchart-sittipunt",
        honorific="H.E.",
        name="Chadchart Sittipunt",
        position="Governor of Bangkok",
        organisation="Bangkok Metropolitan Administration",
        city="Bangkok",
        country="TH",
    )
    opening = SessionFactory(
        forum=forum,
        title="Opening plenary",
        slug="opening-plenary",
        kind=SessionKind.PLENARY,
        starts_at=jakarta(6, 9),
        ends_at=jakarta(6, 10, 30),
        room=hall,
        description="Welcome by the host city <script>alert(1)</script>\nand UCLG ASPAC.",
        capacity=400,
    )
    SessionSpeakerFactory(session=opening, speaker=mayor, role=SpeakerRole.KEYNOTE, order=1)
    SessionSpeakerFactory(session=opening, speaker=governor, role=SpeakerRole.SPEAKER, order=2)
    panel = SessionFactory(
        forum=forum,
        title="Smart cities that serve citizens",
        slug="smart-cities-panel",
        kind=SessionKind.PANEL,
        starts_at=jakarta(6, 11),
        ends_at=jakarta(6, 12, 30),
        room=hall,
        track=smart,
    )
    SessionSpeakerFactory(session=panel, speaker=governor, role=SpeakerRole.PANELLIST, order=1)
    SessionSpeakerFactory(session=panel, speaker=mayor, role=SpeakerRole.MODERATOR, order=2)
    early = SessionFactory(
        forum=forum,
        title="Sunrise resilience walk",
        slug="sunrise-walk",
        kind=SessionKind.SITE_VISIT,
        starts_at=jakarta(7, 6),  # 2022-10-06 23:00 UTC
        ends_at=jakarta(7, 7, 30),
        track=resilience,
        requires_signup=True,
        capacity=40,
    )
    workshop = SessionFactory(
        forum=forum,
        title="Flood resilience workshop",
        slug="flood-workshop",
        kind=SessionKind.WORKSHOP,
        starts_at=jakarta(7, 9),
        ends_at=jakarta(7, 10),
        room=bromo,
        track=resilience,
    )
    return {
        "opening": opening,
        "panel": panel,
        "early": early,
        "workshop": workshop,
        "mayor": mayor,
        "governor": governor,
    }


# --- Layout shared by every page -------------------------------------------------------------------


def test_base_layout_has_landmarks_and_no_inline_code(client, forum):
    response = client.get(reverse("events:forum", args=[forum.slug]))

    page = html(response)
    assert '<html lang="en">' in page
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in page
    assert '<main id="main" tabindex="-1">' in page
    assert page.count("<h1") == 1
    assert '<span class="brand__name">AMF Events</span>' in page
    assert '<nav class="site-nav" aria-label="Main">' in page
    assert "UCLG ASPAC (United Cities and Local Governments Asia-Pacific), Jakarta." in page
    assert '<link rel="stylesheet" href="/static/css/site.css">' in page
    assert "style=" not in page
    assert "<style" not in page
    assert re.search(r"<script(?![^>]*\bsrc=)", page) is None
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]


# --- Home ------------------------------------------------------------------------------------------


def test_home_lists_upcoming_then_past_forums_with_registration_badge(client):
    now = timezone.now()
    open_forum = ForumFactory(
        name="ASEAN Mayors Forum 2031",
        slug="amf-2031",
        theme="Cities for the ASEAN Community Vision",
        host_city="Kuala Lumpur",
        country="MY",
        start_date=dt.date(2031, 3, 30),
        end_date=dt.date(2031, 4, 1),
        time_zone="Asia/Kuala_Lumpur",
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=1),
    )
    later_forum = ForumFactory(
        name="ASEAN Mayors Forum 2032",
        slug="amf-2032",
        host_city="Manila",
        country="PH",
        start_date=dt.date(2032, 10, 6),
        end_date=dt.date(2032, 10, 6),
        registration_opens_at=now + dt.timedelta(days=30),
    )
    ForumFactory(
        name="Pre-ASEAN Mayors Forum 2022",
        slug="pre-amf-2022",
        start_date=dt.date(2022, 10, 6),
        end_date=dt.date(2022, 10, 7),
    )
    ForumFactory(name="Secret draft forum", slug="draft", status=ForumStatus.DRAFT)

    response = client.get(reverse("events:home"))

    page = html(response)
    assert response.status_code == 200
    assert "<h1>ASEAN Mayors Forum events</h1>" in page
    upcoming, past = page.split('<section id="past"')
    assert re.findall(r'<h3 class="card__title"> <a href="([^"]+)">([^<]+)</a>', upcoming) == [
        (f"/forums/{open_forum.slug}/", "ASEAN Mayors Forum 2031"),
        (f"/forums/{later_forum.slug}/", "ASEAN Mayors Forum 2032"),
    ]
    assert re.findall(r'<h3 class="card__title"> <a href="[^"]+">([^<]+)</a>', past) == [
        "Pre-ASEAN Mayors Forum 2022"
    ]
    assert upcoming.count('<p class="badge badge--open">Registration open</p>') == 1
    assert 'ASEAN Mayors Forum 2031</a> </h3> <p class="badge badge--open">Registration open</p>' in upcoming
    assert "<dd> 30 March – 1 April 2031 </dd>" in upcoming
    assert "<dd> Kuala Lumpur, Malaysia </dd>" in upcoming
    assert "<dd> 6 October 2032 </dd>" in upcoming
    assert "<dd> 6–7 October 2022 </dd>" in past
    assert "Cities for the ASEAN Community Vision" in upcoming
    assert "Secret draft forum" not in page


def test_home_without_forums_says_so(client):
    response = client.get(reverse("events:home"))

    page = html(response)
    assert '<p class="empty">No upcoming forum has been announced yet.</p>' in page
    assert '<p class="empty">There are no past forums to show yet.</p>' in page


@pytest.mark.parametrize("count", [1, 30])
def test_home_query_count_does_not_grow_with_forums(client, django_assert_num_queries, count):
    ForumFactory.create_batch(count)

    with django_assert_num_queries(1):
        response = client.get(reverse("events:home"))

    assert html(response).count('class="card forum-card"') == count


# --- Forum page ------------------------------------------------------------------------------------


def test_forum_page_shows_theme_dates_venue_time_zone_and_links(client, forum):
    response = client.get(reverse("events:forum", args=[forum.slug]))

    page = html(response)
    assert response.status_code == 200
    assert "<title> Pre-ASEAN Mayors Forum 2022 – AMF Events </title>" in page
    assert "<h1>Pre-ASEAN Mayors Forum 2022</h1>" in page
    assert (
        '<p class="hero__theme">Achieving Smart, Resilient and Sustainable Urbanisation through ASEAN '
        "Cooperation</p>" in page
    )
    assert (
        '<p class="hero__when"> 6–7 October 2022 <span aria-hidden="true">·</span> Surabaya, Indonesia </p>'
        in page
    )
    assert '<div class="prose"><p>Mayors meet in Surabaya.</p>\n\n<p>Second paragraph.</p></div>' in (
        response.content.decode()
    )
    assert '<p class="venue-name">Grand City Convention Hall</p>' in page
    assert "<address>Jl. Walikota Mustajab No. 1<br>Surabaya 60272</address>" in page
    assert (
        '<a href="https://www.openstreetmap.org/?mlat=-7.26&amp;mlon=112.75" rel="noopener noreferrer">'
        "Open the venue on a map</a>" in page
    )
    assert TZ_NOTE in page
    assert '<a href="/forums/pre-amf-2022/programme/">See the full programme</a>' in page
    assert '<a href="/forums/pre-amf-2022/speakers/">Meet the speakers</a>' in page
    assert (
        '<a href="/forums/pre-amf-2022/programme.ics">Add the programme to your calendar (.ics)</a>' in page
    )
    assert '<a href="/forums/pre-amf-2022/programme.json">Download the programme as data (JSON)</a>' in page
    assert "The forum has room for 400 delegates." in page
    assert '<a href="/forums/pre-amf-2022/" aria-current="page">Overview</a>' in page


def test_forum_page_gives_the_secretariat_contact_as_links(client, forum, settings):
    settings.SECRETARIAT_EMAIL = "events@uclg-aspac.example.org"
    forum.secretariat_email = "secretariat@uclg-aspac.example.org"
    forum.secretariat_phone = "+62 21 5000 1234"
    forum.save()

    page = html(client.get(reverse("events:forum", args=[forum.slug])))

    assert (
        '<div class="panel"> <h3>Secretariat</h3> <p> Questions about registration, travel or the programme? '
        'The forum secretariat will help. </p> <ul class="contact-list" role="list"> <li> Email: '
        '<a href="mailto:secretariat@uclg-aspac.example.org">secretariat@uclg-aspac.example.org</a> </li> '
        '<li> Phone: <a href="tel:+622150001234">+62 21 50001234</a> </li> </ul> </div>'
    ) in page


def test_forum_page_without_a_contact_of_its_own_gives_the_site_wide_secretariat(client, forum, settings):
    settings.SECRETARIAT_EMAIL = "events@uclg-aspac.example.org"

    page = html(client.get(reverse("events:forum", args=[forum.slug])))

    assert '<a href="mailto:events@uclg-aspac.example.org">events@uclg-aspac.example.org</a>' in page
    assert "tel:" not in page


def test_forum_page_without_any_secretariat_contact_has_no_secretariat_panel(client, forum, settings):
    settings.SECRETARIAT_EMAIL = ""

    page = html(client.get(reverse("events:forum", args=[forum.slug])))

    assert "<h3>Secretariat</h3>" not in page and "mailto:" not in page


@pytest.mark.parametrize(
    ("opens", "closes", "status", "has_button"),
    [
        (
            dt.datetime(2020, 1, 1, 9, tzinfo=JAKARTA),
            dt.datetime(2099, 9, 30, 17, tzinfo=JAKARTA),
            "Registration is open until 30 September 2099, 17:00 WIB.",
            True,
        ),
        (dt.datetime(2020, 1, 1, 9, tzinfo=JAKARTA), None, "Registration is open.", True),
        (
            dt.datetime(2099, 6, 1, 2, tzinfo=dt.UTC),
            None,
            "Registration opens on 1 June 2099, 09:00 WIB.",
            True,
        ),
        (None, None, "Registration dates have not been announced yet.", True),
        (
            dt.datetime(2020, 1, 1, 9, tzinfo=JAKARTA),
            dt.datetime(2020, 2, 1, 9, tzinfo=JAKARTA),
            "Registration has closed.",
            False,
        ),
    ],
)
def test_forum_page_register_call_to_action_states_registration_truthfully(
    client, opens, closes, status, has_button
):
    forum = ForumFactory(
        slug="amf-2099",
        start_date=dt.date(2099, 10, 6),
        end_date=dt.date(2099, 10, 7),
        registration_opens_at=opens,
        registration_closes_at=closes,
    )

    page = html(client.get(reverse("events:forum", args=[forum.slug])))

    assert page.count(status) == 2  # next to the call to action and in the registration section
    register_url = reverse("delegates:register", args=[forum.slug])
    assert (
        f'<a class="button button--primary button--large" href="{register_url}">Register</a>' in page
    ) is (has_button)
    assert '<section id="register" class="section register" aria-labelledby="register-title">' in page


def test_forum_page_of_a_past_forum_says_registration_has_closed(client, forum):
    page = html(client.get(reverse("events:forum", args=[forum.slug])))

    assert "Registration has closed." in page
    assert reverse("delegates:register", args=[forum.slug]) not in page


@pytest.mark.parametrize(
    ("now", "state"),
    [
        (dt.datetime(2030, 5, 31, 23, 59, tzinfo=JAKARTA), RegistrationState.NOT_YET_OPEN),
        (dt.datetime(2030, 6, 1, 9, 0, tzinfo=JAKARTA), RegistrationState.OPEN),
        (dt.datetime(2030, 9, 30, 16, 59, tzinfo=JAKARTA), RegistrationState.OPEN),
        (dt.datetime(2030, 9, 30, 17, 0, tzinfo=JAKARTA), RegistrationState.CLOSED),
    ],
)
def test_forum_registration_state_is_open_from_opening_until_closing(now, state):
    forum = ForumFactory.build(
        registration_opens_at=dt.datetime(2030, 6, 1, 9, tzinfo=JAKARTA),
        registration_closes_at=dt.datetime(2030, 9, 30, 17, tzinfo=JAKARTA),
    )

    assert forum_registration_state(forum=forum, now=now) == state


def test_forum_registration_state_is_closed_once_the_forum_is_over():
    forum = ForumFactory.build(
        start_date=dt.date(2030, 10, 6),
        end_date=dt.date(2030, 10, 7),
        registration_opens_at=dt.datetime(2030, 6, 1, 9, tzinfo=JAKARTA),
    )

    assert forum_registration_state(forum=forum, now=dt.datetime(2030, 10, 7, 23, 0, tzinfo=JAKARTA)) == (
        RegistrationState.OPEN
    )
    assert forum_registration_state(forum=forum, now=dt.datetime(2030, 10, 8, 0, 0, tzinfo=JAKARTA)) == (
        RegistrationState.CLOSED
    )


# --- Programme -------------------------------------------------------------------------------------


def test_programme_groups_sessions_by_local_day_in_the_forum_time_zone(client, forum, programme):
    response = client.get(reverse("events:programme", args=[forum.slug]))

    page = html(response)
    assert response.status_code == 200
    assert "<h1>Programme</h1>" in page
    assert page.count(TZ_NOTE) == 1
    thursday, friday = page.split('<h2 id="day-2022-10-07">')[0], page.split('<h2 id="day-2022-10-07">')[1]
    assert '<h2 id="day-2022-10-06">Thursday 6 October 2022</h2>' in thursday
    assert friday.startswith("Friday 7 October 2022</h2>")
    assert re.findall(r'class="session__title"> <a href="[^"]+">([^<]+)</a>', thursday) == [
        "Opening plenary",
        "Smart cities that serve citizens",
    ]
    # 06:00 in Jakarta on the 7th is 23:00 UTC on the 6th: it belongs to Friday.
    assert re.findall(r'class="session__title"> <a href="[^"]+">([^<]+)</a>', friday) == [
        "Sunrise resilience walk",
        "Flood resilience workshop",
    ]


def test_programme_shows_times_room_track_type_speakers_and_sign_up(client, forum, programme):
    page = html(client.get(reverse("events:programme", args=[forum.slug])))

    # Stored as 02:00 UTC, shown as 09:00 in Asia/Jakarta.
    assert (
        '<p class="session__time"><time datetime="2022-10-06T09:00:00+07:00">09:00</time>–'
        '<time datetime="2022-10-06T10:30:00+07:00">10:30</time></p>' in page
    )
    assert ">02:00<" not in page
    assert '<time datetime="2022-10-07T06:00:00+07:00">06:00</time>' in page
    assert '<a href="/forums/pre-amf-2022/sessions/opening-plenary/">Opening plenary</a>' in page
    assert '<li class="tag tag--kind">Plenary</li>' in page
    assert '<span class="label">Room:</span> Main Hall <span class="muted">(Level 2)</span>' in page
    assert (
        '<li class="tag tag--track"> <span class="visually-hidden">Track:</span> Smart cities </li>' in page
    )
    assert (
        '<li> <a href="/forums/pre-amf-2022/speakers/eri-cahyadi/">H.E. Eri Cahyadi</a> '
        '<span class="muted">(Keynote)</span> </li>' in page
    )
    assert (
        '<li> <a href="/forums/pre-amf-2022/speakers/chadchart-sittipunt/">H.E. Chadchart Sittipunt</a> '
        '<span class="muted">(Panellist)</span> </li>' in page
    )
    assert page.count('<li class="tag tag--signup">Sign-up required</li>') == 1
    assert '<a href="/forums/pre-amf-2022/programme.ics">Add to calendar (.ics)</a>' in page
    assert '<a href="/forums/pre-amf-2022/programme.json">Download as JSON</a>' in page


def test_programme_filter_form_has_labels_choices_and_day_links(client, forum, programme):
    page = html(client.get(reverse("events:programme", args=[forum.slug])))

    # Folded (phones) while no filter is in use; the form is named by the panel's summary.
    assert '<details class="filters">' in page
    assert '<summary class="filters__title" id="filters-title"> Filter the programme </summary>' in page
    assert (
        '<form method="get" action="/forums/pre-amf-2022/programme/" aria-labelledby="filters-title">' in page
    )
    assert '<label for="filter-track">Track</label> <select id="filter-track" name="track">' in page
    assert re.findall(r'<option value="([^"]*)"', page) == [
        "",
        "smart-cities",
        "resilience",
        "",
        "plenary",
        "panel",
        "workshop",
        "site_visit",
        "",
        "2022-10-06",
        "2022-10-07",
    ]
    assert '<label for="filter-type">Type</label>' in page
    assert '<label for="filter-day">Day</label>' in page
    assert '<button class="button button--primary" type="submit">Apply filters</button>' in page
    assert "Clear filters" not in page
    assert '<a href="?" aria-current="page">All days</a>' in page
    assert '<a href="?day=2022-10-06">Thu 6 Oct</a>' in page
    assert '<a href="?day=2022-10-07">Fri 7 Oct</a>' in page


def test_programme_filter_offers_only_the_tracks_that_have_sessions(client, forum, programme):
    TrackFactory(forum=forum, name="Municipal finance", slug="municipal-finance", order=0)
    other_forum = ForumFactory(slug="amf-2024")
    SessionFactory(
        forum=other_forum, track=TrackFactory(forum=other_forum, name="Municipal finance", slug="finance")
    )

    page = html(client.get(reverse("events:programme", args=[forum.slug])))

    track_select = re.search(r'<select id="filter-track" name="track">(.*?)</select>', page).group(1)
    assert re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', track_select) == [
        ("", "All tracks"),
        ("smart-cities", "Smart cities"),
        ("resilience", "Resilience"),
    ]


def test_programme_filter_by_a_track_without_sessions_shows_everything_and_says_why(client, forum, programme):
    TrackFactory(forum=forum, name="Municipal finance", slug="municipal-finance")

    response = client.get(reverse("events:programme", args=[forum.slug]), {"track": "municipal-finance"})

    assert len(session_titles(response)) == 4
    assert (
        "<li>The track in the address is not part of this programme, so all tracks are shown.</li>"
        in html(response)
    )


def test_programme_without_any_track_in_use_has_no_track_filter(client, forum):
    TrackFactory(forum=forum, name="Municipal finance")
    SessionFactory(forum=forum, track=None, starts_at=jakarta(6, 9), ends_at=jakarta(6, 10))

    page = html(client.get(reverse("events:programme", args=[forum.slug])))

    assert 'id="filter-track"' not in page
    assert '<label for="filter-type">Type</label>' in page


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ({"track": "resilience"}, ["Sunrise resilience walk", "Flood resilience workshop"]),
        ({"type": "panel"}, ["Smart cities that serve citizens"]),
        ({"day": "2022-10-07"}, ["Sunrise resilience walk", "Flood resilience workshop"]),
        ({"day": "2022-10-06", "type": "plenary"}, ["Opening plenary"]),
        ({"track": "resilience", "type": "workshop", "day": "2022-10-07"}, ["Flood resilience workshop"]),
        ({"track": "smart-cities", "day": "2022-10-07"}, []),
    ],
)
def test_programme_filters_by_track_type_and_day(client, forum, programme, query, titles):
    response = client.get(reverse("events:programme", args=[forum.slug]), query)

    page = html(response)
    assert session_titles(response) == titles
    assert '<details class="filters" open>' in page  # a filter in use: the panel shows it
    assert (
        '<a class="button button--secondary" href="/forums/pre-amf-2022/programme/">Clear filters</a>' in page
    )
    assert 'role="status"' not in page
    if not titles:
        assert "No session matches these filters." in page


def test_programme_day_filter_marks_the_day_and_keeps_other_filters(client, forum, programme):
    response = client.get(
        reverse("events:programme", args=[forum.slug]), {"day": "2022-10-07", "track": "resilience"}
    )

    page = html(response)
    assert '<a href="?track=resilience&amp;day=2022-10-07" aria-current="page">Fri 7 Oct</a>' in page
    assert '<a href="?track=resilience&amp;day=2022-10-06">Thu 6 Oct</a>' in page
    assert '<a href="?track=resilience">All days</a>' in page
    assert '<option value="2022-10-07" selected>Fri 7 October</option>' in page
    assert '<option value="resilience" selected>Resilience</option>' in page
    assert "Filter the programme <span" in page
    assert "(2 active)" in page


@pytest.mark.parametrize(
    ("query", "note"),
    [
        ({"track": "no-such-track"}, "The track in the address is not part of this programme"),
        ({"type": "reception"}, "The session type in the address does not occur in this programme"),
        ({"type": "PLENARY"}, "The session type in the address does not occur in this programme"),
        ({"day": "2022-02-31"}, "The day in the address is not a day of this forum"),
        ({"day": "2022-10-08"}, "The day in the address is not a day of this forum"),
        ({"day": "99999-1-1"}, "The day in the address is not a day of this forum"),
        ({"track": "x\x00y"}, "The track in the address is not part of this programme"),
    ],
)
def test_programme_ignores_unknown_filter_values_politely(client, forum, programme, query, note):
    response = client.get(reverse("events:programme", args=[forum.slug]), query)

    page = html(response)
    assert response.status_code == 200
    assert session_titles(response) == [
        "Opening plenary",
        "Smart cities that serve citizens",
        "Sunrise resilience walk",
        "Flood resilience workshop",
    ]
    assert f'<div class="notice" role="status"> <ul> <li>{note}' in page


def test_programme_without_sessions_says_so(client, forum):
    page = html(client.get(reverse("events:programme", args=[forum.slug])))

    assert '<p class="empty">The programme has not been published yet.</p>' in page


def _big_programme(forum, count: int) -> None:
    """``count`` sessions in four rooms on two tracks, each with two speakers (one shared by all)."""
    rooms = [RoomFactory(forum=forum) for _ in range(4)]
    tracks = [TrackFactory(forum=forum) for _ in range(2)]
    shared = SpeakerFactory()
    for index in range(count):
        starts_at = jakarta(6, 7) + dt.timedelta(minutes=10 * (index // len(rooms)))
        session = SessionFactory(
            forum=forum,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=10),
            room=rooms[index % len(rooms)],
            track=tracks[index % len(tracks)],
            kind=[SessionKind.PANEL, SessionKind.WORKSHOP][index % 2],
        )
        SessionSpeakerFactory(session=session, speaker=shared, role=SpeakerRole.MODERATOR)
        SessionSpeakerFactory(session=session)


# forum, tracks, session types in use, sessions with rooms and tracks, their speakers.
PROGRAMME_QUERIES = 5


@pytest.mark.parametrize("count", [5, 200])
def test_programme_query_count_does_not_grow_with_sessions(client, forum, django_assert_num_queries, count):
    _big_programme(forum, count)

    with django_assert_num_queries(PROGRAMME_QUERIES):
        response = client.get(reverse("events:programme", args=[forum.slug]))

    assert len(session_titles(response)) == count


@pytest.mark.parametrize("count", [5, 200])
def test_programme_query_count_is_the_same_with_filters(client, forum, django_assert_num_queries, count):
    _big_programme(forum, count)
    track = forum.tracks.first()

    with django_assert_num_queries(PROGRAMME_QUERIES):
        response = client.get(
            reverse("events:programme", args=[forum.slug]),
            {"track": track.slug, "type": "panel", "day": "2022-10-06"},
        )

    assert len(session_titles(response)) == (count + 1) // 2


# --- Session ---------------------------------------------------------------------------------------


def test_session_page_shows_details_speakers_and_calendar_link(client, forum, programme):
    response = client.get(reverse("events:session", args=[forum.slug, "opening-plenary"]))

    page = html(response)
    assert response.status_code == 200
    assert "<title> Opening plenary – Pre-ASEAN Mayors Forum 2022 – AMF Events </title>" in page
    assert "<h1>Opening plenary</h1>" in page
    assert (
        '<p class="session-when">Thursday 6 October 2022, <time datetime="2022-10-06T09:00:00+07:00">09:00'
        '</time>–<time datetime="2022-10-06T10:30:00+07:00">10:30</time></p>' in page
    )
    assert (
        '<p class="session-where"> <span class="label">Room:</span> Main Hall '
        '<span class="muted">(Level 2)</span> </p>' in page
    )
    assert TZ_NOTE in page
    assert "<dt>Type</dt> <dd> Plenary </dd>" in page
    assert "<dt>Day</dt> <dd> Thursday 6 October 2022 </dd>" in page
    assert '<span class="muted">(Asia/Jakarta, WIB, UTC+7)</span>' in page
    assert '<dt>Room</dt> <dd> Main Hall <span class="muted">(Level 2)</span> </dd>' in page
    assert "<dt>Capacity</dt> <dd> 400 places </dd>" in page
    assert "Open to all delegates; no sign-up needed." in page
    # Description: escaped, line breaks kept.
    assert (
        '<div class="prose"><p>Welcome by the host city &lt;script&gt;alert(1)&lt;/script&gt;<br>and UCLG '
        "ASPAC.</p></div>" in page
    )
    assert (
        '<li class="person"> <p class="person__role">Keynote</p> <p class="person__name"> '
        '<a href="/forums/pre-amf-2022/speakers/eri-cahyadi/">H.E. Eri Cahyadi</a> </p> '
        '<p class="person__position"> Mayor of Surabaya · City Government of Surabaya </p> </li>' in page
    )
    assert page.index("H.E. Eri Cahyadi") < page.index("H.E. Chadchart Sittipunt")
    assert (
        '<a class="button button--secondary" href="/forums/pre-amf-2022/sessions/opening-plenary.ics">'
        "Add to calendar (.ics)</a>" in page
    )
    assert '<a href="/forums/pre-amf-2022/programme/" aria-current="true">Programme</a>' in page


def test_session_page_shows_track_and_sign_up(client, forum, programme):
    page = html(client.get(reverse("events:session", args=[forum.slug, "sunrise-walk"])))

    assert (
        '<dt>Track</dt> <dd> <a href="/forums/pre-amf-2022/programme/?track=resilience">Resilience</a> </dd>'
        in page
    )
    assert (
        '<span class="tag tag--signup">Sign-up required</span> Choose this session when you register.' in page
    )
    assert "<dt>Capacity</dt> <dd> 40 places </dd>" in page
    assert "Speakers for this session have not been announced yet." in page


def test_session_page_across_midnight_says_next_day(client, forum):
    SessionFactory(forum=forum, slug="gala", starts_at=jakarta(6, 19), ends_at=jakarta(7, 0, 30))

    page = html(client.get(reverse("events:session", args=[forum.slug, "gala"])))

    assert (
        '<time datetime="2022-10-06T19:00:00+07:00">19:00</time>–'
        '<time datetime="2022-10-07T00:30:00+07:00">00:30</time> (next day)' in page
    )


def test_session_page_query_count(client, forum, programme, django_assert_num_queries):
    with django_assert_num_queries(3):  # forum, session with room and track, speakers
        client.get(reverse("events:session", args=[forum.slug, "opening-plenary"]))


# --- Speakers --------------------------------------------------------------------------------------


def test_speaker_list_shows_the_forum_speakers_only(client, forum, programme):
    other_forum = ForumFactory()
    SessionSpeakerFactory(
        session=SessionFactory(forum=other_forum), speaker=SpeakerFactory(name="Someone Elsewhere")
    )

    response = client.get(reverse("events:speakers", args=[forum.slug]))

    page = html(response)
    assert "<h1>Speakers</h1>" in page
    assert re.findall(r'<h2 class="card__title"> <a href="([^"]+)">([^<]+)</a>', page) == [
        ("/forums/pre-amf-2022/speakers/chadchart-sittipunt/", "H.E. Chadchart Sittipunt"),
        ("/forums/pre-amf-2022/speakers/eri-cahyadi/", "H.E. Eri Cahyadi"),
    ]
    assert '<p class="person-card__position">Governor of Bangkok</p>' in page
    assert '<p class="person-card__org">Bangkok Metropolitan Administration</p>' in page
    assert '<p class="muted"> Bangkok, Thailand </p>' in page
    assert "Someone Elsewhere" not in page


def test_speaker_list_names_a_city_state_once(client, forum):
    speaker = SpeakerFactory(name="Tan Wei Ling", city="Singapore", country="SG")
    SessionSpeakerFactory(session=SessionFactory(forum=forum), speaker=speaker)

    page = html(client.get(reverse("events:speakers", args=[forum.slug])))

    assert '<p class="muted"> Singapore </p>' in page


def test_speaker_list_without_speakers_says_so(client, forum):
    page = html(client.get(reverse("events:speakers", args=[forum.slug])))

    assert '<p class="empty">Speakers have not been announced yet.</p>' in page


@pytest.mark.parametrize("count", [1, 40])
def test_speaker_list_query_count_does_not_grow(client, forum, django_assert_num_queries, count):
    for _ in range(count):
        SessionSpeakerFactory(session=SessionFactory(forum=forum, room=None))

    with django_assert_num_queries(2):  # forum, speakers
        response = client.get(reverse("events:speakers", args=[forum.slug]))

    assert html(response).count('class="card person-card"') == count


def test_speaker_page_shows_bio_photo_and_sessions_in_forum_time(client, forum, programme):
    mayor = programme["mayor"]
    mayor.photo = SimpleUploadedFile("eri.png", PNG, content_type="image/png")
    mayor.save()

    response = client.get(reverse("events:speaker", args=[forum.slug, "eri-cahyadi"]))

    page = html(response)
    assert response.status_code == 200
    assert "<h1>H.E. Eri Cahyadi</h1>" in page
    assert '<p class="lead">Mayor of Surabaya</p>' in page
    assert "<p>City Government of Surabaya</p>" in page
    assert '<p class="muted"> Surabaya, Indonesia </p>' in page
    assert f'src="{mayor.photo.url}" alt="Photo of H.E. Eri Cahyadi">' in page
    assert '<div class="prose"><p>Mayor since 2021.<br>Engineer by training.</p></div>' in page
    assert TZ_NOTE in page
    assert (
        '<p class="session__time"> <span class="session__day">Thu 6 Oct</span> '
        '<time datetime="2022-10-06T09:00:00+07:00">09:00</time>–'
        '<time datetime="2022-10-06T10:30:00+07:00">10:30</time> </p>' in page
    )
    assert re.findall(r'class="session__title"> <a href="[^"]+">([^<]+)</a>', page) == [
        "Opening plenary",
        "Smart cities that serve citizens",
    ]
    assert '<li class="tag tag--role">Keynote</li>' in page
    assert '<li class="tag tag--role">Moderator</li>' in page


def test_speaker_page_without_photo_has_no_image(client, forum, programme):
    page = html(client.get(reverse("events:speaker", args=[forum.slug, "chadchart-sittipunt"])))

    assert "speaker-head__photo" not in page
    assert "<h1>H.E. Chadchart Sittipunt</h1>" in page


def test_speaker_page_query_count(client, forum, programme, django_assert_num_queries):
    with django_assert_num_queries(2):  # forum, roles with speaker, session, room and track
        client.get(reverse("events:speaker", args=[forum.slug, "eri-cahyadi"]))


# --- Not found, drafts and error pages -------------------------------------------------------------

PAGE_404 = "<h1>Page not found</h1>"


def _public_urls(forum_slug: str) -> list[str]:
    return [
        reverse("events:forum", args=[forum_slug]),
        reverse("events:programme", args=[forum_slug]),
        reverse("events:session", args=[forum_slug, "opening-plenary"]),
        reverse("events:speakers", args=[forum_slug]),
        reverse("events:speaker", args=[forum_slug, "eri-cahyadi"]),
    ]


def test_draft_forum_is_not_found_on_every_page(client, forum, programme):
    forum.status = ForumStatus.DRAFT
    forum.save()

    for url in _public_urls(forum.slug):
        response = client.get(url)
        assert response.status_code == 404, url
        assert PAGE_404 in html(response), url
    assert "Pre-ASEAN Mayors Forum 2022" not in html(client.get(reverse("events:home")))


def test_unknown_forum_is_not_found_on_every_page(client, forum, programme):
    for url in _public_urls("no-such-forum"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert PAGE_404 in html(response), url


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("events:session", ["pre-amf-2022", "no-such-session"]),
        ("events:speaker", ["pre-amf-2022", "no-such-speaker"]),
    ],
)
def test_unknown_session_or_speaker_is_not_found(client, forum, programme, name, args):
    response = client.get(reverse(name, args=args))

    page = html(response)
    assert response.status_code == 404
    assert "<title> Page not found – AMF Events </title>" in page
    assert PAGE_404 in page
    assert '<a class="button button--primary" href="/">See all forums</a>' in page


def test_session_and_speaker_of_another_forum_are_not_found(client, forum, programme):
    other = ForumFactory(slug="amf-2031")
    SessionSpeakerFactory(
        session=SessionFactory(forum=other, slug="elsewhere"), speaker=SpeakerFactory(slug="x")
    )

    assert client.get(reverse("events:session", args=[forum.slug, "elsewhere"])).status_code == 404
    assert client.get(reverse("events:speaker", args=[forum.slug, "x"])).status_code == 404
    # A speaker of this forum is not a speaker of the other one.
    response = client.get(reverse("events:speaker", args=[other.slug, "eri-cahyadi"]))
    assert response.status_code == 404
    assert PAGE_404 in html(response)


def test_a_path_that_matches_no_route_gets_the_friendly_404(client):
    response = client.get("/forums/")

    assert response.status_code == 404
    assert PAGE_404 in html(response)


def test_error_templates_render_without_request_context_or_database(django_assert_num_queries):
    request = RequestFactory().get("/broken")

    with django_assert_num_queries(0):
        server_error = defaults.server_error(request)
        bad_request = defaults.bad_request(request, Exception("bad"))
        forbidden = defaults.permission_denied(request, Exception("no"))

    assert server_error.status_code == 500
    assert "<h1>Something went wrong on our side</h1>" in html(server_error)
    assert '<a class="button button--primary" href="/">Go to the home page</a>' in html(server_error)
    assert bad_request.status_code == 400
    assert "<h1>Sorry, we could not understand that request</h1>" in html(bad_request)
    assert forbidden.status_code == 403
    assert "<h1>Access denied</h1>" in html(forbidden)
    # 500.html stands alone: no base template that a broken context could break again.
    assert "{% extends" not in loader.get_template("500.html").template.source


# --- Formatting ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        (dt.date(2022, 10, 6), dt.date(2022, 10, 6), "6 October 2022"),
        (dt.date(2022, 10, 6), dt.date(2022, 10, 7), "6–7 October 2022"),
        (dt.date(2022, 9, 30), dt.date(2022, 10, 2), "30 September – 2 October 2022"),
        (dt.date(2022, 12, 30), dt.date(2023, 1, 2), "30 December 2022 – 2 January 2023"),
    ],
)
def test_date_range(start, end, text):
    template = Template("{% load events_tags %}{% date_range start end %}")

    assert template.render(Context({"start": start, "end": end})) == text


@pytest.mark.parametrize(
    ("time_zone", "label"),
    [
        ("Asia/Jakarta", "Asia/Jakarta, WIB, UTC+7"),
        ("Asia/Kuala_Lumpur", "Asia/Kuala_Lumpur, UTC+8"),
        ("Asia/Bangkok", "Asia/Bangkok, UTC+7"),
        ("Asia/Yangon", "Asia/Yangon, UTC+6:30"),
        ("America/Sao_Paulo", "America/Sao_Paulo, UTC-3"),
    ],
)
def test_tz_label_names_the_zone_and_its_offset(time_zone, label):
    forum = ForumFactory.build(time_zone=time_zone)

    assert Template("{% load events_tags %}{{ forum|tz_label }}").render(Context({"forum": forum})) == label
