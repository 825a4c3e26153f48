"""The staff admin: forums with their programme inline, sessions, speakers, rooms and tracks; times in
the forum's own time zone; room double-booking and dates shown as form errors; "copy this forum"."""

import datetime as dt
import zoneinfo
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from events.enums import ForumStatus, SessionKind, SpeakerRole
from events.models import Forum, Session, SessionSpeaker
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
BANGKOK = zoneinfo.ZoneInfo("Asia/Bangkok")


class _FormReader(HTMLParser):
    """Reads the values a browser would submit from one <form> of a page."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
            return
        name = attrs.get("name")
        if not self.inside:
            return
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data[name] = attrs.get("value") or "on"
            elif kind not in ("submit", "button", "image", "file"):
                self.data[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            if self._select not in self.data or "selected" in attrs:
                self.data[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def form_data(response, form_id: str) -> dict[str, str]:
    """What submitting the form unchanged would post (the inline "__prefix__" templates left out)."""
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    data = {name: value for name, value in reader.data.items() if "__prefix__" not in name}
    for name, value in data.items():
        if name in reader.data and value.startswith("\n"):  # a textarea's first newline is not content
            data[name] = value[1:]
    return data


def add_session_row(data: dict[str, str], forum_id: object, **values: str) -> None:
    """Fill in one more row of the sessions inline, as staff would after clicking "Add another"."""
    index = int(data["sessions-TOTAL_FORMS"])
    data["sessions-TOTAL_FORMS"] = str(index + 1)
    row = {
        "id": "",
        "forum": str(forum_id or ""),
        "title": "",
        "slug": "",
        "kind": SessionKind.PANEL,
        "starts_at_0": "",
        "starts_at_1": "",
        "ends_at_0": "",
        "ends_at_1": "",
        "room": "",
        "track": "",
        "capacity": "",
    } | values
    data.update({f"sessions-{index}-{name}": value for name, value in row.items()})


def change_url(obj) -> str:
    return reverse(f"admin:events_{obj._meta.model_name}_change", args=[obj.pk])


def copy_url(forum: Forum) -> str:
    return reverse("admin:events_forum_copy", args=[forum.pk])


def staff_client(*codenames: str) -> Client:
    user = User.objects.create_user("editor@amf.local", "editor@amf.local", "x", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="events", codename__in=codenames)
    )
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def forum():
    """A forum on Sunday 6 – Monday 7 October 2030 in Jakarta, with a Main Hall and a Smart Cities track."""
    forum = ForumFactory(name="ASEAN Mayors Forum 2030", slug="amf-2030")
    RoomFactory(forum=forum, name="Main Hall")
    TrackFactory(forum=forum, name="Smart Cities", slug="smart-cities")
    return forum


# --- Forum changelist ----------------------------------------------------------------------------------


def test_forum_changelist_shows_dates_city_status_and_session_count(admin_client, forum):
    SessionFactory.create_batch(3, forum=forum)
    ForumFactory(name="ASEAN Mayors Forum 2031", host_city="Bangkok", country="TH", status=ForumStatus.DRAFT)

    response = admin_client.get(reverse("admin:events_forum_changelist"))

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        f'<th class="field-name"><a href="{change_url(forum)}">ASEAN Mayors Forum 2030</a></th>'
        '<td class="field-start_date nowrap">Oct. 6, 2030</td>'
        '<td class="field-end_date nowrap">Oct. 7, 2030</td>'
        '<td class="field-host_city">Surabaya</td><td class="field-country">Indonesia</td>'
        '<td class="field-status">Published</td><td class="field-session_count">3</td>'
    ) in html
    assert '<td class="field-status">Draft</td><td class="field-session_count">0</td>' in html
    # The country filter offers the countries in use, by name, and nothing else.
    assert '<a href="?country=ID">Indonesia</a>' in html
    assert '<a href="?country=TH">Thailand</a>' in html
    assert "?country=VN" not in html


def test_forum_changelist_search_and_country_filter(admin_client, forum):
    ForumFactory(name="ASEAN Mayors Forum 2031", host_city="Bangkok", country="TH")
    url = reverse("admin:events_forum_changelist")

    by_city = admin_client.get(url, {"q": "bangkok"})
    by_country = admin_client.get(url, {"country": "ID"})

    assert [f.name for f in by_city.context["cl"].result_list] == ["ASEAN Mayors Forum 2031"]
    assert [f.name for f in by_country.context["cl"].result_list] == ["ASEAN Mayors Forum 2030"]


@pytest.mark.parametrize("forums", [1, 12])
def test_forum_changelist_query_count_is_constant(admin_client, django_assert_num_queries, forums):
    for _ in range(forums):
        SessionFactory.create_batch(2, forum=ForumFactory())
    admin_client.get(reverse("admin:events_forum_changelist"))  # warm up the session and caches

    # session, user, countries in use, two counts, the page, date hierarchy bounds and years
    with django_assert_num_queries(8):
        response = admin_client.get(reverse("admin:events_forum_changelist"))

    assert response.context["cl"].result_count == forums


# --- Forum change form with the programme inline -------------------------------------------------------


def test_forum_change_form_shows_inlines_in_the_forum_time_zone(admin_client, forum):
    room = forum.rooms.get()
    other_forums_room = RoomFactory(name="Somewhere else")
    session = SessionFactory(
        forum=forum,
        title="Opening plenary",
        slug="opening-plenary",
        room=room,
        starts_at=dt.datetime(2030, 10, 6, 2, 0, tzinfo=UTC),  # 09:00 in Jakarta
        ends_at=dt.datetime(2030, 10, 6, 3, 30, tzinfo=UTC),
    )

    response = admin_client.get(change_url(forum))

    html = response.content.decode()
    data = form_data(response, "forum_form")
    assert response.status_code == 200
    assert response.context["title"] == "Change forum"
    assert data["sessions-0-title"] == "Opening plenary"
    assert data["sessions-0-starts_at_0"] == "2030-10-06"
    assert data["sessions-0-starts_at_1"] == "09:00:00"
    assert data["sessions-0-ends_at_1"] == "10:30:00"
    assert data["sessions-0-room"] == str(room.pk)
    assert data["rooms-0-name"] == "Main Hall"
    assert data["tracks-0-slug"] == "smart-cities"
    assert data["time_zone"] == "Asia/Jakarta"
    assert "Times in Asia/Jakarta, the forum&#x27;s time zone." in html
    # Only this forum's rooms are offered, and the row links to the session's own page.
    assert f'<option value="{room.pk}" selected>Main Hall</option>' in html
    assert f'value="{other_forums_room.pk}"' not in html
    assert f'href="{change_url(session)}"' in html
    assert f'<a href="{copy_url(forum)}">Copy this forum</a>' in html


@pytest.mark.parametrize("sessions", [1, 25])
def test_forum_change_form_query_count_is_constant(admin_client, django_assert_num_queries, forum, sessions):
    room, track = forum.rooms.get(), forum.tracks.get()
    start = dt.datetime(2030, 10, 6, 8, 0, tzinfo=JAKARTA)
    for i in range(sessions):
        SessionFactory(
            forum=forum,
            room=room,
            track=track,
            starts_at=start + dt.timedelta(minutes=20 * i),
            ends_at=start + dt.timedelta(minutes=20 * i + 20),
        )
    admin_client.get(change_url(forum))

    with django_assert_num_queries(11):
        response = admin_client.get(change_url(forum))

    assert int(form_data(response, "forum_form")["sessions-TOTAL_FORMS"]) == sessions


def test_forum_admin_stores_times_entered_in_the_forum_time_zone(admin_client):
    forum = ForumFactory(time_zone="Asia/Bangkok", slug="bangkok")
    data = form_data(admin_client.get(change_url(forum)), "forum_form")
    add_session_row(
        data,
        forum.pk,
        title="Opening",
        slug="opening",
        starts_at_0="2030-10-06",
        starts_at_1="09:00",
        ends_at_0="2030-10-06",
        ends_at_1="10:15",
    )
    data["registration_opens_at_0"], data["registration_opens_at_1"] = "2030-06-01", "08:00"
    data["registration_closes_at_0"], data["registration_closes_at_1"] = "2030-09-30", "17:00"

    response = admin_client.post(change_url(forum), data)

    assert response.status_code == 302, response.context["errors"]
    session = Session.objects.get(forum=forum)
    assert (session.starts_at, session.ends_at) == (
        dt.datetime(2030, 10, 6, 2, 0, tzinfo=UTC),
        dt.datetime(2030, 10, 6, 3, 15, tzinfo=UTC),
    )
    forum.refresh_from_db()
    assert forum.registration_opens_at == dt.datetime(2030, 6, 1, 1, 0, tzinfo=UTC)
    assert forum.registration_closes_at == dt.datetime(2030, 9, 30, 10, 0, tzinfo=UTC)


def test_forum_admin_edits_the_secretariat_contact(admin_client, forum):
    data = form_data(admin_client.get(change_url(forum)), "forum_form")
    data["secretariat_email"] = "amf2030@uclg-aspac.example.org"
    data["secretariat_phone"] = "+62 21 5000 1234"

    response = admin_client.post(change_url(forum), data)

    assert response.status_code == 302, response.context["errors"]
    forum.refresh_from_db()
    assert (forum.secretariat_email, forum.secretariat_phone.as_e164) == (
        "amf2030@uclg-aspac.example.org",
        "+622150001234",
    )


def test_forum_admin_reads_a_secretariat_phone_dialled_in_the_forums_country(admin_client, forum):
    data = form_data(admin_client.get(change_url(forum)), "forum_form")  # a forum in Indonesia
    data["secretariat_phone"] = "021 5000 1234"

    response = admin_client.post(change_url(forum), data)

    assert response.status_code == 302, response.context["errors"]
    forum.refresh_from_db()
    assert forum.secretariat_phone.as_international == "+62 21 50001234"


def test_forum_admin_explains_a_secretariat_phone_it_cannot_read(admin_client, forum):
    data = form_data(admin_client.get(change_url(forum)), "forum_form")
    data["secretariat_phone"] = "12"
    data["secretariat_email"] = "not an address"

    response = admin_client.post(change_url(forum), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "secretariat_email": ["Enter a valid email address."],
        "secretariat_phone": [
            "Enter a phone number with its country code (e.g. +62 21 5000 1234), or as dialled within the "
            "forum's country."
        ],
    }
    assert 'value="not an address"' in response.content.decode()


def test_forum_admin_rejects_two_new_sessions_double_booking_a_room(admin_client, forum):
    room = forum.rooms.get()
    data = form_data(admin_client.get(change_url(forum)), "forum_form")
    times = {"starts_at_0": "2030-10-06", "ends_at_0": "2030-10-06", "room": str(room.pk)}
    add_session_row(
        data, forum.pk, title="Opening", slug="opening", starts_at_1="09:00", ends_at_1="10:00", **times
    )
    add_session_row(
        data, forum.pk, title="Clash", slug="clash", starts_at_1="09:30", ends_at_1="11:00", **times
    )

    response = admin_client.post(change_url(forum), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Main Hall is already booked for “Opening” at that time." in html
    assert response.context["inline_admin_formsets"][2].formset.errors == [
        {},
        {"room": ["Main Hall is already booked for “Opening” at that time."]},
    ]
    assert Session.objects.count() == 0


def test_forum_admin_rejects_a_session_double_booking_a_saved_one(admin_client, forum):
    room = forum.rooms.get()
    SessionFactory(
        forum=forum,
        room=room,
        title="Opening plenary",
        starts_at=dt.datetime(2030, 10, 6, 9, 0, tzinfo=JAKARTA),
        ends_at=dt.datetime(2030, 10, 6, 10, 0, tzinfo=JAKARTA),
    )
    data = form_data(admin_client.get(change_url(forum)), "forum_form")
    add_session_row(
        data,
        forum.pk,
        title="Clash",
        slug="clash",
        starts_at_0="2030-10-06",
        starts_at_1="09:45",
        ends_at_0="2030-10-06",
        ends_at_1="10:30",
        room=str(room.pk),
    )

    response = admin_client.post(change_url(forum), data)

    assert response.status_code == 200
    assert "Main Hall is already booked for “Opening plenary” at that time." in response.content.decode()
    assert list(Session.objects.values_list("title", flat=True)) == ["Opening plenary"]


def test_forum_admin_rejects_a_session_outside_the_forum_dates(admin_client, forum):
    data = form_data(admin_client.get(change_url(forum)), "forum_form")
    add_session_row(
        data,
        forum.pk,
        title="Too early",
        slug="too-early",
        starts_at_0="2030-10-05",
        starts_at_1="09:00",
        ends_at_0="2030-10-05",
        ends_at_1="10:00",
    )

    response = admin_client.post(change_url(forum), data)

    assert response.status_code == 200
    assert (
        "A session must take place within the forum&#x27;s dates (2030-10-06 – 2030-10-07)."
        in response.content.decode()
    )
    assert Session.objects.count() == 0


def test_forum_admin_rejects_moving_the_forum_away_from_its_sessions(admin_client, forum):
    SessionFactory(forum=forum)  # 6 October
    data = form_data(admin_client.get(change_url(forum)), "forum_form")
    data["start_date"], data["end_date"] = "2030-11-06", "2030-11-07"

    response = admin_client.post(change_url(forum), data)

    assert response.status_code == 200
    assert "A session must take place within the forum&#x27;s dates (2030-11-06 – 2030-11-07)." in (
        response.content.decode()
    )
    forum.refresh_from_db()
    assert forum.start_date == dt.date(2030, 10, 6)


def test_forum_add_checks_inline_sessions_against_the_new_dates(admin_client):
    url = reverse("admin:events_forum_add")
    data = form_data(admin_client.get(url), "forum_form")
    data |= {
        "name": "New forum",
        "slug": "new-forum",
        "host_city": "Vientiane",
        "country": "LA",
        "start_date": "2031-03-10",
        "end_date": "2031-03-11",
        "time_zone": "Asia/Vientiane",
    }
    add_session_row(
        data,
        None,
        title="Late",
        slug="late",
        starts_at_0="2031-03-12",
        starts_at_1="09:00",
        ends_at_0="2031-03-12",
        ends_at_1="10:00",
    )

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "A session must take place within the forum&#x27;s dates (2031-03-10 – 2031-03-11)." in (
        response.content.decode()
    )
    assert Forum.objects.count() == 0

    data["sessions-0-starts_at_0"] = data["sessions-0-ends_at_0"] = "2031-03-11"
    response = admin_client.post(url, data)

    assert response.status_code == 302
    new = Forum.objects.get(slug="new-forum")
    assert Session.objects.get(forum=new).starts_at == dt.datetime(2031, 3, 11, 2, 0, tzinfo=UTC)


# --- Session admin -------------------------------------------------------------------------------------


@pytest.fixture
def panel(forum):
    session = SessionFactory(
        forum=forum,
        title="Smart cities panel",
        slug="smart-cities-panel",
        description="Digital services",
        room=forum.rooms.get(),
        track=forum.tracks.get(),
        starts_at=dt.datetime(2030, 10, 6, 10, 30, tzinfo=JAKARTA),
        ends_at=dt.datetime(2030, 10, 6, 12, 0, tzinfo=JAKARTA),
    )
    SessionSpeakerFactory(
        session=session,
        speaker=SpeakerFactory(name="Tan Wei Ling", honorific="Ms."),
        role=SpeakerRole.MODERATOR,
    )
    return session


def test_session_changelist_shows_forum_local_start(admin_client, panel):
    response = admin_client.get(reverse("admin:events_session_changelist"))

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        f'<th class="field-title"><a href="{change_url(panel)}">Smart cities panel</a></th>'
        '<td class="field-forum nowrap">ASEAN Mayors Forum 2030</td><td class="field-kind">Panel</td>'
        '<td class="field-local_start">Sun 6 Oct 2030, 10:30 WIB</td>'
        '<td class="field-room nowrap">Main Hall</td><td class="field-track nowrap">Smart Cities</td>'
    ) in html
    # Room and track filters name the forum, since room names repeat from year to year.
    assert "Main Hall · ASEAN Mayors Forum 2030" in html


def test_session_changelist_searches_speaker_names(admin_client, panel):
    SessionFactory(forum=panel.forum, title="Other")

    response = admin_client.get(reverse("admin:events_session_changelist"), {"q": "wei ling"})

    assert [s.title for s in response.context["cl"].result_list] == ["Smart cities panel"]


@pytest.mark.parametrize("sessions", [1, 20])
def test_session_changelist_query_count_is_constant(admin_client, django_assert_num_queries, sessions):
    for _ in range(sessions):
        forum = ForumFactory()
        SessionFactory(forum=forum, room=RoomFactory(forum=forum), track=TrackFactory(forum=forum))
    admin_client.get(reverse("admin:events_session_changelist"))

    # session, user, the forum, track and room filters, two counts, the page
    with django_assert_num_queries(8):
        response = admin_client.get(reverse("admin:events_session_changelist"))

    assert response.context["cl"].result_count == sessions


def test_session_change_form_edits_in_the_forum_time_zone(admin_client, panel):
    response = admin_client.get(change_url(panel))
    data = form_data(response, "session_form")

    assert data["starts_at_1"] == "10:30:00"
    assert "Times in Asia/Jakarta, the forum's time zone." in response.content.decode()
    assert data["session_speakers-0-role"] == SpeakerRole.MODERATOR

    data["starts_at_1"], data["ends_at_1"] = "14:00", "15:30"
    response = admin_client.post(change_url(panel), data)

    assert response.status_code == 302
    panel.refresh_from_db()
    assert (panel.starts_at, panel.ends_at) == (
        dt.datetime(2030, 10, 6, 7, 0, tzinfo=UTC),
        dt.datetime(2030, 10, 6, 8, 30, tzinfo=UTC),
    )


def test_session_add_uses_the_chosen_forum_time_zone(admin_client):
    forum = ForumFactory(time_zone="Asia/Bangkok", slug="bangkok")
    url = reverse("admin:events_session_add")
    data = form_data(admin_client.get(url), "session_form")
    data |= {
        "forum": str(forum.pk),
        "title": "Site visit",
        "slug": "site-visit",
        "kind": SessionKind.SITE_VISIT,
        "starts_at_0": "2030-10-07",
        "starts_at_1": "13:30",
        "ends_at_0": "2030-10-07",
        "ends_at_1": "17:00",
        "requires_signup": "on",
        "capacity": "40",
    }

    response = admin_client.post(url, data)

    assert response.status_code == 302
    session = Session.objects.get(slug="site-visit")
    assert session.starts_at == dt.datetime(2030, 10, 7, 13, 30, tzinfo=BANGKOK)
    assert (session.requires_signup, session.capacity) == (True, 40)


def test_session_change_form_shows_double_booking_and_date_errors(admin_client, panel):
    SessionFactory(
        forum=panel.forum,
        room=panel.room,
        title="Lunch",
        starts_at=dt.datetime(2030, 10, 6, 12, 0, tzinfo=JAKARTA),
        ends_at=dt.datetime(2030, 10, 6, 13, 0, tzinfo=JAKARTA),
    )
    data = form_data(admin_client.get(change_url(panel)), "session_form")

    data["ends_at_1"] = "12:30"
    clash = admin_client.post(change_url(panel), data)
    data["ends_at_1"], data["starts_at_0"], data["ends_at_0"] = "12:00", "2030-10-09", "2030-10-09"
    outside = admin_client.post(change_url(panel), data)

    assert clash.context["adminform"].form.errors == {
        "room": ["Main Hall is already booked for “Lunch” at that time."]
    }
    assert outside.context["adminform"].form.errors == {
        "starts_at": ["A session must take place within the forum's dates (2030-10-06 – 2030-10-07)."]
    }
    panel.refresh_from_db()
    assert panel.ends_at == dt.datetime(2030, 10, 6, 12, 0, tzinfo=JAKARTA)


def test_session_change_form_adds_a_speaker_role(admin_client, panel):
    speaker = SpeakerFactory(name="Nguyễn Văn Hải", slug="nguyen-van-hai")
    data = form_data(admin_client.get(change_url(panel)), "session_form")
    data |= {"session_speakers-1-speaker": str(speaker.pk), "session_speakers-1-role": "panellist"}
    data["session_speakers-1-order"] = "2"

    response = admin_client.post(change_url(panel), data)

    assert response.status_code == 302
    assert list(
        SessionSpeaker.objects.filter(session=panel).order_by("order").values_list("speaker__name", "role")
    ) == [("Tan Wei Ling", "moderator"), ("Nguyễn Văn Hải", "panellist")]


# --- Speakers, rooms, tracks ---------------------------------------------------------------------------


def test_speaker_changelist_searches_and_filters_by_country(admin_client):
    SpeakerFactory(
        name="Somchai Rattanakorn", organisation="Bangkok Metropolitan Administration", country="TH"
    )
    SpeakerFactory(name="Arief Wicaksono", organisation="Surabaya City Government", country="ID")
    url = reverse("admin:events_speaker_changelist")

    everyone = admin_client.get(url)
    by_organisation = admin_client.get(url, {"q": "metropolitan"})
    by_country = admin_client.get(url, {"country": "ID"})

    assert '<a href="?country=TH">Thailand</a>' in everyone.content.decode()
    assert [s.name for s in by_organisation.context["cl"].result_list] == ["Somchai Rattanakorn"]
    assert [s.name for s in by_country.context["cl"].result_list] == ["Arief Wicaksono"]


def test_speaker_autocomplete_finds_speakers_by_name(admin_client, panel):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": "tan", "app_label": "events", "model_name": "sessionspeaker", "field_name": "speaker"},
    )

    assert [r["text"] for r in response.json()["results"]] == ["Ms. Tan Wei Ling"]


def test_room_and_track_changelists_filter_by_forum(admin_client, forum):
    other = ForumFactory(name="ASEAN Mayors Forum 2031")
    RoomFactory(forum=other, name="Plenary Hall")
    TrackFactory(forum=other, name="Resilience")

    rooms = admin_client.get(reverse("admin:events_room_changelist"), {"forum__id__exact": other.pk})
    tracks = admin_client.get(reverse("admin:events_track_changelist"), {"forum__id__exact": forum.pk})

    assert [r.name for r in rooms.context["cl"].result_list] == ["Plenary Hall"]
    assert [t.name for t in tracks.context["cl"].result_list] == ["Smart Cities"]
    assert '<td class="field-forum nowrap">ASEAN Mayors Forum 2031</td>' in rooms.content.decode()


# --- Copy this forum -----------------------------------------------------------------------------------


def test_copy_form_suggests_next_year(admin_client, panel):
    response = admin_client.get(copy_url(panel.forum))

    html = " ".join(response.content.decode().split())  # whitespace squashed
    assert response.status_code == 200
    assert form_data(response, "forum_copy_form") == {
        "csrfmiddlewaretoken": response.context["csrf_token"],
        "name": "ASEAN Mayors Forum 2031",
        "slug": "amf-2031",
        "start_date": "2031-10-06",
    }
    assert "<h1>Copy ASEAN Mayors Forum 2030</h1>" in html
    assert (
        '<ul id="copy-summary"> <li> 1 room </li> <li> 1 track </li> <li> 1 session </li> '
        "<li> 1 speaker role </li> </ul>"
    ) in html
    assert "Sessions keep their time of day in Asia/Jakarta;" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_copy_flow_creates_the_copy_and_redirects_to_it(admin_user, panel):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    data = form_data(client.get(copy_url(panel.forum)), "forum_copy_form")
    data["csrfmiddlewaretoken"] = _csrf_token(client.get(copy_url(panel.forum)))
    data["start_date"] = "2031-10-05"

    response = client.post(copy_url(panel.forum), data, follow=True)

    copy = Forum.objects.get(slug="amf-2031")
    assert response.redirect_chain == [(change_url(copy), 302)]
    assert (copy.name, copy.status, copy.start_date) == (
        "ASEAN Mayors Forum 2031",
        ForumStatus.DRAFT,
        dt.date(2031, 10, 5),
    )
    session = Session.objects.get(forum=copy)
    assert session.starts_at == dt.datetime(2031, 10, 5, 10, 30, tzinfo=JAKARTA)
    assert [str(m) for m in response.context["messages"]] == [
        "“ASEAN Mayors Forum 2031” was created as a draft copy of “ASEAN Mayors Forum 2030”."
    ]


def _csrf_token(response) -> str:
    return form_data(response, "forum_copy_form")["csrfmiddlewaretoken"]


def test_copy_form_without_csrf_token_is_refused(admin_user, forum):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)

    response = client.post(copy_url(forum), {"name": "X", "slug": "x", "start_date": "2031-10-05"})

    assert response.status_code == 403
    assert Forum.objects.count() == 1


def test_copy_form_shows_a_taken_slug_as_a_form_error(admin_client, forum):
    ForumFactory(slug="amf-2031")

    response = admin_client.post(
        copy_url(forum), {"name": "ASEAN Mayors Forum 2031", "slug": "amf-2031", "start_date": "2031-10-05"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"slug": ["A forum with this slug already exists."]}
    assert "A forum with this slug already exists." in response.content.decode()
    assert Forum.objects.count() == 2


def test_copy_form_rejects_a_malformed_date(admin_client, forum):
    response = admin_client.post(copy_url(forum), {"name": "Copy", "slug": "copy", "start_date": "tomorrow"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"start_date": ["Enter a valid date."]}


def test_copy_action_redirects_to_the_copy_form(admin_client, forum):
    response = admin_client.post(
        reverse("admin:events_forum_changelist"), {"action": "copy_forum", "_selected_action": [forum.pk]}
    )

    assert response.status_code == 302
    assert response["Location"] == copy_url(forum)


def test_copy_action_asks_for_exactly_one_forum(admin_client, forum):
    other = ForumFactory()

    response = admin_client.post(
        reverse("admin:events_forum_changelist"),
        {"action": "copy_forum", "_selected_action": [forum.pk, other.pk]},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == ["Choose exactly one forum to copy."]
    assert Forum.objects.count() == 2


def test_copy_needs_the_add_forum_permission(forum):
    client = staff_client("view_forum", "change_forum")

    page = client.get(change_url(forum))
    changelist = client.get(reverse("admin:events_forum_changelist"))
    form = client.get(copy_url(forum))
    post = client.post(copy_url(forum), {"name": "Copy", "slug": "copy", "start_date": "2031-10-05"})

    assert page.status_code == 200
    assert "Copy this forum" not in page.content.decode()
    assert 'value="copy_forum"' not in changelist.content.decode()
    assert (form.status_code, post.status_code) == (403, 403)
    assert Forum.objects.count() == 1


def test_copy_is_open_to_staff_with_the_add_forum_permission(forum):
    client = staff_client("view_forum", "add_forum")

    response = client.post(copy_url(forum), {"name": "Copy", "slug": "copy", "start_date": "2031-10-05"})

    assert response.status_code == 302
    assert Forum.objects.get(slug="copy").status == ForumStatus.DRAFT


def test_copy_of_an_unknown_forum_redirects_to_the_admin_index(admin_client):
    response = admin_client.get(reverse("admin:events_forum_copy", args=[999999]))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/admin/events/forum/abc/change/", 302),
        ("/admin/events/forum/abc/copy/", 302),
        ("/admin/events/session/abc/change/", 302),
        ("/admin/events/session/add/?forum=abc", 200),
        ("/admin/events/session/add/?forum=999999", 200),
    ],
)
def test_admin_survives_malformed_ids(admin_client, url, status):
    response = admin_client.get(url)

    assert response.status_code == status
    if status == 302:  # "… with ID “abc” doesn't exist. Perhaps it was deleted?"
        assert response["Location"] == reverse("admin:index")
