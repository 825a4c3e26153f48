"""Demo content: the 2022 pre-ASEAN Mayors Forum in Surabaya and an upcoming forum with registration
open, loaded by ``manage.py seed_demo``.

Every person here is FICTIONAL: names, biographies and quotes are invented for the demo; positions and
cities are realistic so that the programme reads like a real one. Do not replace them with real people.

``demo_seed`` is idempotent: rows are found by their natural keys (slugs, room names) and written only
when a value differs, so a second run changes nothing, not even ``updated_at``.
"""

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models, transaction

from .enums import ForumStatus, SessionKind, SpeakerRole
from .models import Forum, Room, Session, SessionSpeaker, Speaker, Track

DEMO_STAFF_EMAIL = "staff@amf.local"
# A fixed, printed password for the local demo only; `seed_demo --with-staff` refuses to use it when
# DEBUG is off.
DEMO_STAFF_PASSWORD = "amf-demo-staff"  # noqa: S105 - a published demo password, by design

UPCOMING_LEAD_DAYS = 120  # the upcoming forum starts this many days after the first seeding

KEYNOTE, SPEAKER, PANELLIST, MODERATOR = (
    SpeakerRole.KEYNOTE,
    SpeakerRole.SPEAKER,
    SpeakerRole.PANELLIST,
    SpeakerRole.MODERATOR,
)


def _at(day: date, hhmm: str, time_zone: str) -> datetime:
    """``hhmm`` on ``day`` in ``time_zone``, as an aware datetime."""
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=zoneinfo.ZoneInfo(time_zone))


# --- Speakers (fictional) --------------------------------------------------------------------------

SPEAKERS: list[dict[str, str]] = [
    {
        "slug": "arief-wicaksono",
        "honorific": "H.E.",
        "name": "Arief Wicaksono",
        "position": "Mayor of Surabaya",
        "organisation": "Surabaya City Government",
        "city": "Surabaya",
        "country": "ID",
        "bio": "Former city planner who led Surabaya's kampung improvement and green open space "
        "programmes before his election as mayor.",
    },
    {
        "slug": "ratna-dewi-lestari",
        "honorific": "Dr.",
        "name": "Ratna Dewi Lestari",
        "position": "Head of the Regional Development Planning Agency",
        "organisation": "Provincial Government of DKI Jakarta",
        "city": "Jakarta",
        "country": "ID",
        "bio": "Urban economist who coordinates Jakarta's medium-term development plan and its "
        "digital public service roadmap.",
    },
    {
        "slug": "ayu-kartika-sari",
        "honorific": "Ms.",
        "name": "Ayu Kartika Sari",
        "position": "Programme Manager, Urban Resilience",
        "organisation": "UCLG ASPAC",
        "city": "Jakarta",
        "country": "ID",
        "bio": "Works with local governments across South-East Asia on climate action plans and "
        "city-to-city learning.",
    },
    {
        "slug": "somchai-rattanakorn",
        "honorific": "Hon.",
        "name": "Somchai Rattanakorn",
        "position": "Deputy Governor",
        "organisation": "Bangkok Metropolitan Administration",
        "city": "Bangkok",
        "country": "TH",
        "bio": "Oversees drainage, flood protection and public works for the Thai capital.",
    },
    {
        "slug": "sok-vannara",
        "honorific": "H.E.",
        "name": "Sok Vannara",
        "position": "Deputy Governor",
        "organisation": "Phnom Penh Capital Administration",
        "city": "Phnom Penh",
        "country": "KH",
        "bio": "Leads Phnom Penh's participation in the ASEAN Smart Cities Network, with a focus on "
        "urban mobility and solid waste.",
    },
    {
        "slug": "khamphone-sisavath",
        "honorific": "Mr.",
        "name": "Khamphone Sisavath",
        "position": "Director, Urban Development Division",
        "organisation": "Vientiane Capital Department of Public Works and Transport",
        "city": "Vientiane",
        "country": "LA",
        "bio": "Civil engineer responsible for Vientiane's urban development plan and its green "
        "riverside corridors.",
    },
    {
        "slug": "thandar-hlaing",
        "honorific": "Ms.",
        "name": "Thandar Hlaing",
        "position": "Senior Urban Planner",
        "organisation": "Yangon City Development Committee",
        "city": "Yangon",
        "country": "MM",
        "bio": "Planner working on informal settlement upgrading and flood-risk mapping in Yangon.",
    },
    {
        "slug": "nguyen-van-hai",
        "honorific": "Mr.",
        "name": "Nguyễn Văn Hải",
        "position": "Director, Department of Information and Communications",
        "organisation": "Da Nang People's Committee",
        "city": "Da Nang",
        "country": "VN",
        "bio": "Runs Da Nang's smart city operations centre and its open data portal.",
    },
    {
        "slug": "maria-cristina-dizon",
        "honorific": "Hon.",
        "name": "Maria Cristina Dizon",
        "position": "City Councillor, Chair of the Committee on Finance",
        "organisation": "Quezon City Government",
        "city": "Quezon City",
        "country": "PH",
        "bio": "Author of Quezon City's ordinances on green procurement and participatory budgeting.",
    },
    {
        "slug": "nurul-aisyah-rahman",
        "honorific": "Dr.",
        "name": "Nurul Aisyah Rahman",
        "position": "Senior Fellow, Urban Resilience",
        "organisation": "Institute for Urban Futures Malaysia",
        "city": "Kuala Lumpur",
        "country": "MY",
        "bio": "Researcher on climate adaptation in South-East Asian cities and adviser to several "
        "municipal councils.",
    },
    {
        "slug": "tan-wei-ling",
        "honorific": "Ms.",
        "name": "Tan Wei Ling",
        "position": "Lead, City Partnerships",
        "organisation": "Urban Innovation Lab Singapore",
        "city": "Singapore",
        "country": "SG",
        "bio": "Connects ASEAN cities with technology partners and helps them scale smart city pilots.",
    },
    {
        "slug": "mohd-hafiz-abdullah",
        "honorific": "Dr.",
        "name": "Mohd Hafiz Abdullah",
        "position": "Lecturer in Environmental Studies",
        "organisation": "Universiti Brunei Darussalam",
        "city": "Bandar Seri Begawan",
        "country": "BN",
        "bio": "Studies coastal flooding and nature-based solutions in Bornean cities.",
    },
    {
        "slug": "joaquim-da-costa-ximenes",
        "honorific": "Mr.",
        "name": "Joaquim da Costa Ximenes",
        "position": "Director of Planning",
        "organisation": "Dili Municipality",
        "city": "Dili",
        "country": "TL",
        "bio": "Coordinated Dili's recovery planning after the 2021 floods.",
    },
]


# --- Forums ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSession:
    slug: str
    title: str
    kind: str
    day: int  # 0 for the first day of the forum
    starts: str  # local wall-clock time, "HH:MM"
    ends: str
    room: str | None = None
    track: str | None = None
    description: str = ""
    requires_signup: bool = False
    capacity: int | None = None
    speakers: tuple[tuple[str, str], ...] = ()  # (speaker slug, role), in display order


@dataclass(frozen=True)
class DemoForum:
    values: dict[str, Any]
    rooms: list[dict[str, Any]]
    tracks: list[dict[str, Any]]
    sessions: list[DemoSession] = field(default_factory=list)


TRACKS = [
    {
        "slug": "smart-cities",
        "name": "Smart Cities",
        "order": 1,
        "description": "Digital public services, data and the ASEAN Smart Cities Network.",
    },
    {
        "slug": "resilience",
        "name": "Resilience",
        "order": 2,
        "description": "Disaster risk reduction, floods, heat and public health.",
    },
    {
        "slug": "sustainable-urbanisation",
        "name": "Sustainable Urbanisation",
        "order": 3,
        "description": "Climate action, housing, finance and inclusive growth.",
    },
]

PRE_AMF_2022 = DemoForum(
    values={
        "slug": "pre-amf-2022",
        "name": "Pre-ASEAN Mayors Forum 2022",
        "theme": "Achieving Smart, Resilient and Sustainable Urbanisation through ASEAN Cooperation "
        "in the New Normal",
        "description": "Mayors, governors and city officials from across ASEAN met in Surabaya ahead of "
        "the ASEAN Mayors Forum to share how their cities recovered from the pandemic and how "
        "ASEAN cooperation can make urbanisation smart, resilient and sustainable.\n\n"
        "Demo data: the people in this programme are fictional.",
        "host_city": "Surabaya",
        "country": "ID",
        "venue_name": "Grand City Convention & Exhibition, Surabaya",
        "venue_address": "Jl. Walikota Mustajab No. 1, Ketabang, Genteng\nSurabaya, East Java 60272\n"
        "Indonesia",
        "map_url": "https://www.openstreetmap.org/search?query=Grand%20City%20Surabaya",
        "start_date": date(2022, 10, 6),
        "end_date": date(2022, 10, 7),
        "time_zone": "Asia/Jakarta",
        "registration_opens_at": _at(date(2022, 7, 1), "09:00", "Asia/Jakarta"),
        "registration_closes_at": _at(date(2022, 9, 30), "17:00", "Asia/Jakarta"),
        "capacity": 300,
        "status": ForumStatus.PUBLISHED,
    },
    rooms=[
        {"name": "Main Hall", "location": "Level 3", "capacity": 300},
        {"name": "Meeting Room A", "location": "Level 3, east wing", "capacity": 60},
        {"name": "Meeting Room B", "location": "Level 3, east wing", "capacity": 40},
        {"name": "Foyer", "location": "Level 3, outside the Main Hall", "capacity": None},
        {"name": "Ballroom", "location": "Level 2", "capacity": 350},
    ],
    tracks=TRACKS,
    sessions=[
        DemoSession(
            "registration",
            "Registration and welcome coffee",
            SessionKind.BREAK,
            0,
            "07:30",
            "08:30",
            room="Foyer",
            description="Collect your badge and conference kit at the registration desk.",
        ),
        DemoSession(
            "opening-plenary",
            "Opening plenary: cities leading ASEAN's recovery",
            SessionKind.PLENARY,
            0,
            "08:30",
            "10:00",
            room="Main Hall",
            description="Welcome address by the Mayor of Surabaya, followed by a keynote on smart, "
            "resilient and sustainable urbanisation in the New Normal.",
            speakers=(
                ("arief-wicaksono", SPEAKER),
                ("nurul-aisyah-rahman", KEYNOTE),
                ("ayu-kartika-sari", MODERATOR),
            ),
        ),
        DemoSession("coffee-break-1", "Coffee break", SessionKind.BREAK, 0, "10:00", "10:30", room="Foyer"),
        DemoSession(
            "smart-cities-for-people",
            "Smart cities for people: digital public services in the New Normal",
            SessionKind.PANEL,
            0,
            "10:30",
            "12:00",
            room="Main Hall",
            track="smart-cities",
            description="How cities moved permits, health services and social assistance online during "
            "the pandemic, and what it takes to keep them inclusive for residents without a "
            "smartphone.",
            speakers=(
                ("tan-wei-ling", MODERATOR),
                ("nguyen-van-hai", PANELLIST),
                ("ratna-dewi-lestari", PANELLIST),
                ("maria-cristina-dizon", PANELLIST),
            ),
        ),
        DemoSession("lunch-day-1", "Lunch", SessionKind.BREAK, 0, "12:00", "13:30", room="Foyer"),
        DemoSession(
            "urban-resilience-and-disaster-risk",
            "Urban resilience and disaster risk reduction",
            SessionKind.PANEL,
            0,
            "13:30",
            "15:00",
            room="Main Hall",
            track="resilience",
            description="Floods, heat waves and pandemics: how local governments plan, warn and recover, "
            "and how the Sendai Framework translates into city budgets.",
            speakers=(
                ("mohd-hafiz-abdullah", MODERATOR),
                ("somchai-rattanakorn", PANELLIST),
                ("thandar-hlaing", PANELLIST),
                ("joaquim-da-costa-ximenes", PANELLIST),
            ),
        ),
        DemoSession(
            "local-climate-action-plans",
            "Workshop: local climate action plans, from data to budget",
            SessionKind.WORKSHOP,
            0,
            "13:30",
            "15:00",
            room="Meeting Room A",
            track="sustainable-urbanisation",
            capacity=60,
            description="A hands-on session on greenhouse gas inventories, target setting and linking "
            "climate actions to the annual budget cycle.",
            speakers=(("khamphone-sisavath", SPEAKER), ("ayu-kartika-sari", MODERATOR)),
        ),
        DemoSession("coffee-break-2", "Coffee break", SessionKind.BREAK, 0, "15:00", "15:30", room="Foyer"),
        DemoSession(
            "asean-smart-cities-network",
            "ASEAN Smart Cities Network: from pilot projects to city-to-city partnerships",
            SessionKind.PANEL,
            0,
            "15:30",
            "17:00",
            room="Main Hall",
            track="smart-cities",
            description="ASCN cities share what worked in their pilot projects and how peer learning "
            "and partnerships can help other cities in the region follow.",
            speakers=(
                ("ratna-dewi-lestari", MODERATOR),
                ("tan-wei-ling", SPEAKER),
                ("nguyen-van-hai", PANELLIST),
                ("sok-vannara", PANELLIST),
                ("mohd-hafiz-abdullah", PANELLIST),
            ),
        ),
        DemoSession(
            "financing-the-urban-transition",
            "Financing the urban transition: local government finance",
            SessionKind.SIDE_EVENT,
            0,
            "15:30",
            "17:00",
            room="Meeting Room B",
            track="sustainable-urbanisation",
            capacity=40,
            description="Own-source revenue, municipal bonds and green funds: options for cities to "
            "finance infrastructure after the pandemic.",
            speakers=(
                ("ayu-kartika-sari", MODERATOR),
                ("maria-cristina-dizon", SPEAKER),
                ("joaquim-da-costa-ximenes", SPEAKER),
            ),
        ),
        DemoSession(
            "gala-dinner",
            "Gala dinner hosted by the Mayor of Surabaya",
            SessionKind.RECEPTION,
            0,
            "19:00",
            "21:30",
            room="Ballroom",
            description="An evening of East Javanese cuisine and music. Smart casual or national dress.",
            speakers=(("arief-wicaksono", SPEAKER),),
        ),
        DemoSession("morning-coffee", "Morning coffee", SessionKind.BREAK, 1, "08:00", "08:30", room="Foyer"),
        DemoSession(
            "green-and-inclusive-recovery",
            "Sustainable urbanisation and climate: a green and inclusive recovery",
            SessionKind.PANEL,
            1,
            "08:30",
            "10:00",
            room="Main Hall",
            track="sustainable-urbanisation",
            description="Affordable housing, green open space and low-carbon transport as the backbone "
            "of a recovery that leaves no one behind.",
            speakers=(
                ("ratna-dewi-lestari", MODERATOR),
                ("khamphone-sisavath", PANELLIST),
                ("thandar-hlaing", PANELLIST),
                ("tan-wei-ling", PANELLIST),
            ),
        ),
        DemoSession(
            "flood-early-warning-with-open-data",
            "Workshop: flood early warning with open city data",
            SessionKind.WORKSHOP,
            1,
            "08:30",
            "10:00",
            room="Meeting Room A",
            track="resilience",
            capacity=50,
            description="Build a simple early-warning dashboard from rain gauges, river levels and "
            "open street maps.",
            speakers=(("mohd-hafiz-abdullah", SPEAKER), ("nguyen-van-hai", SPEAKER)),
        ),
        DemoSession("coffee-break-3", "Coffee break", SessionKind.BREAK, 1, "10:00", "10:30", room="Foyer"),
        DemoSession(
            "closing-plenary",
            "Closing plenary: the Surabaya outcome statement",
            SessionKind.PLENARY,
            1,
            "10:30",
            "12:00",
            room="Main Hall",
            description="Rapporteurs report from the panels and the mayors adopt the forum's outcome "
            "statement for the ASEAN Mayors Forum.",
            speakers=(
                ("ayu-kartika-sari", MODERATOR),
                ("nurul-aisyah-rahman", SPEAKER),
                ("somchai-rattanakorn", SPEAKER),
                ("arief-wicaksono", SPEAKER),
            ),
        ),
        DemoSession("lunch-day-2", "Lunch", SessionKind.BREAK, 1, "12:00", "13:00", room="Foyer"),
        DemoSession(
            "site-visit-command-centre-and-green-kampung",
            "Site visit: Surabaya Command Centre 112 and a green kampung",
            SessionKind.SITE_VISIT,
            1,
            "13:30",
            "17:00",
            requires_signup=True,
            capacity=40,
            description="See how the city's emergency command centre dispatches help, then walk "
            "through a kampung that turned its alleys into gardens and a waste bank. Buses leave "
            "from the main lobby at 13:15; wear comfortable shoes.",
        ),
    ],
)


def _upcoming_forum(start_date: date) -> DemoForum:
    tz = "Asia/Bangkok"
    return DemoForum(
        values={
            "slug": "amf-2027",
            "name": "ASEAN Mayors Forum 2027",
            "theme": "Liveable, Low-Carbon and Inclusive Cities for ASEAN's Next Decade",
            "description": "The ASEAN Mayors Forum brings together local leaders from the ten ASEAN "
            "member states and Timor-Leste to agree on a common voice of cities for the ASEAN "
            "Summit.\n\nDemo data: the people in this programme are fictional.",
            "host_city": "Bangkok",
            "country": "TH",
            "venue_name": "Queen Sirikit National Convention Center",
            "venue_address": "60 Ratchadaphisek Road, Khlong Toei\nBangkok 10110\nThailand",
            "map_url": "https://www.openstreetmap.org/search?query=Queen%20Sirikit%20National%20"
            "Convention%20Center",
            "start_date": start_date,
            "end_date": start_date + timedelta(days=1),
            "time_zone": tz,
            # Registration opens 150 days before the forum and closes ten days before it.
            "registration_opens_at": _at(start_date - timedelta(days=150), "09:00", tz),
            "registration_closes_at": _at(start_date - timedelta(days=10), "23:59", tz),
            "capacity": 400,
            "status": ForumStatus.PUBLISHED,
        },
        rooms=[
            {"name": "Plenary Hall", "location": "Ground floor", "capacity": 400},
            {"name": "Meeting Room 1", "location": "Level 1", "capacity": 60},
            {"name": "Foyer", "location": "Ground floor", "capacity": None},
        ],
        tracks=TRACKS,
        sessions=[
            DemoSession("registration", "Registration", SessionKind.BREAK, 0, "08:00", "09:00", room="Foyer"),
            DemoSession(
                "opening-plenary",
                "Opening plenary: a common voice of ASEAN cities",
                SessionKind.PLENARY,
                0,
                "09:00",
                "10:30",
                room="Plenary Hall",
                description="Welcome by the host city and a keynote on liveable, low-carbon cities.",
                speakers=(
                    ("somchai-rattanakorn", SPEAKER),
                    ("tan-wei-ling", KEYNOTE),
                    ("ayu-kartika-sari", MODERATOR),
                ),
            ),
            DemoSession("coffee-break", "Coffee break", SessionKind.BREAK, 0, "10:30", "11:00", room="Foyer"),
            DemoSession(
                "climate-finance-for-cities",
                "Climate finance for cities: from plans to bankable projects",
                SessionKind.PANEL,
                0,
                "11:00",
                "12:30",
                room="Plenary Hall",
                track="sustainable-urbanisation",
                description="How cities prepare projects that lenders and climate funds will finance.",
                speakers=(
                    ("ratna-dewi-lestari", MODERATOR),
                    ("sok-vannara", PANELLIST),
                    ("maria-cristina-dizon", PANELLIST),
                    ("khamphone-sisavath", PANELLIST),
                ),
            ),
            DemoSession("lunch", "Lunch", SessionKind.BREAK, 0, "12:30", "13:30", room="Foyer"),
            DemoSession(
                "heat-resilient-neighbourhoods",
                "Workshop: heat-resilient neighbourhoods",
                SessionKind.WORKSHOP,
                0,
                "13:30",
                "15:00",
                room="Meeting Room 1",
                track="resilience",
                capacity=60,
                description="Mapping urban heat islands and choosing shade, water and green roofs "
                "where they help most.",
                speakers=(("mohd-hafiz-abdullah", SPEAKER), ("thandar-hlaing", SPEAKER)),
            ),
            DemoSession(
                "welcome-reception",
                "Welcome reception",
                SessionKind.RECEPTION,
                0,
                "18:30",
                "20:30",
                room="Foyer",
            ),
            DemoSession(
                "site-visit-canals-and-flood-control",
                "Site visit: canal restoration and flood control",
                SessionKind.SITE_VISIT,
                1,
                "09:00",
                "12:00",
                requires_signup=True,
                capacity=40,
                description="A boat trip along restored canals and a visit to a flood-control pumping "
                "station. Boats leave from the convention centre pier at 08:45.",
            ),
            DemoSession(
                "closing-plenary",
                "Closing plenary and adoption of the Bangkok declaration",
                SessionKind.PLENARY,
                1,
                "13:30",
                "15:00",
                room="Plenary Hall",
                speakers=(("somchai-rattanakorn", SPEAKER), ("nurul-aisyah-rahman", SPEAKER)),
            ),
        ],
    )


# --- Loading ---------------------------------------------------------------------------------------


@dataclass
class SeedResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    forums: list[Forum] = field(default_factory=list)


def _differs(obj: models.Model, name: str, value: Any) -> bool:
    model_field = obj._meta.get_field(name)
    if model_field.is_relation:
        return getattr(obj, model_field.attname) != (value.pk if value is not None else None)
    return getattr(obj, name) != value


def _upsert(model: type[models.Model], result: SeedResult, lookup: dict, values: dict) -> Any:
    """The row with ``lookup``, created or brought up to ``values``; saved only when something
    differs, and validated (``full_clean``) before every write."""
    values = {name: value for name, value in values.items() if name not in lookup}
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        result.created += 1
    else:
        changed = [name for name, value in values.items() if _differs(obj, name, value)]
        if not changed:
            result.unchanged += 1
            return obj
        for name in changed:
            setattr(obj, name, values[name])
        result.updated += 1
    obj.full_clean()
    obj.save()
    return obj


def _load_forum(demo: DemoForum, speakers: dict[str, Speaker], result: SeedResult) -> Forum:
    forum = _upsert(Forum, result, {"slug": demo.values["slug"]}, demo.values)
    rooms = {
        room["name"]: _upsert(Room, result, {"forum": forum, "name": room["name"]}, room)
        for room in demo.rooms
    }
    tracks = {
        track["slug"]: _upsert(Track, result, {"forum": forum, "slug": track["slug"]}, track)
        for track in demo.tracks
    }
    for item in demo.sessions:
        day = forum.start_date + timedelta(days=item.day)
        session = _upsert(
            Session,
            result,
            {"forum": forum, "slug": item.slug},
            {
                "title": item.title,
                "kind": item.kind,
                "starts_at": _at(day, item.starts, forum.time_zone),
                "ends_at": _at(day, item.ends, forum.time_zone),
                "room": rooms[item.room] if item.room else None,
                "track": tracks[item.track] if item.track else None,
                "description": item.description,
                "requires_signup": item.requires_signup,
                "capacity": item.capacity,
            },
        )
        for order, (speaker_slug, role) in enumerate(item.speakers, start=1):
            _upsert(
                SessionSpeaker,
                result,
                {"session": session, "speaker": speakers[speaker_slug]},
                {"role": role, "order": order},
            )
    return forum


@transaction.atomic
def demo_seed(*, today: date) -> SeedResult:
    """Create or update the demo forums, their programmes and speakers, in one transaction.

    The upcoming forum is placed ``UPCOMING_LEAD_DAYS`` after ``today`` when it is first created and
    never moved afterwards, so running the command again (on any day) changes nothing.
    """
    result = SeedResult()
    speakers = {data["slug"]: _upsert(Speaker, result, {"slug": data["slug"]}, data) for data in SPEAKERS}
    upcoming_start = Forum.objects.filter(slug="amf-2027").values_list(
        "start_date", flat=True
    ).first() or today + timedelta(days=UPCOMING_LEAD_DAYS)
    for demo in (PRE_AMF_2022, _upcoming_forum(upcoming_start)):
        result.forums.append(_load_forum(demo, speakers, result))
    return result


def demo_staff_ensure(*, email: str, password: str) -> Any:
    """The demo superuser ``email`` (also its username), created if missing; its password is reset to
    ``password`` and it is made active staff and superuser, with its email address marked verified.
    Never call this on a production site."""
    user_model = get_user_model()
    user = user_model._default_manager.filter(username=email).first() or user_model(username=email)
    user.email = email
    user.is_active = True
    user.is_staff = True
    user.is_superuser = True
    user.set_password(password)
    user.save()
    if apps.is_installed("allauth.account"):
        # Sign-in goes through allauth, which wants a verified address before it lets anyone in.
        from allauth.account.models import EmailAddress

        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
    return user
