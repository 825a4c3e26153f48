"""An upcoming forum with registration open, placed some months after the first seeding."""

from datetime import date, timedelta

from ..enums import ForumStatus, SessionKind
from .shapes import KEYNOTE, MODERATOR, PANELLIST, SPEAKER, DemoForum, DemoSession, at
from .surabaya_2022 import TRACKS


def upcoming_forum(start_date: date) -> DemoForum:
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
            "registration_opens_at": at(start_date - timedelta(days=150), "09:00", tz),
            "registration_closes_at": at(start_date - timedelta(days=10), "23:59", tz),
            "capacity": 400,
            "secretariat_email": "secretariat@uclg-aspac.example.org",
            "secretariat_phone": "+62 21 5000 1234",
            "status": ForumStatus.PUBLISHED,
        },
        rooms=[
            {"name": "Plenary Hall", "location": "Ground floor", "capacity": 400},
            {"name": "Meeting Room 1", "location": "Level 1", "capacity": 60},
            {"name": "Foyer", "location": "Ground floor", "capacity": None},
        ],
        tracks=TRACKS,
        sessions=[
            DemoSession(
                "registration",
                "Registration",
                SessionKind.BREAK,
                0,
                "08:00",
                "09:00",
                room="Foyer",
                serves_food=False,
            ),
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
