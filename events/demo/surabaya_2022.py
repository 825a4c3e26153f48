"""The 2022 pre-ASEAN Mayors Forum in Surabaya, 6–7 October 2022: "Achieving Smart, Resilient and
Sustainable Urbanisation through ASEAN Cooperation in the New Normal". Speakers are fictional."""

from datetime import date

from ..enums import ForumStatus, SessionKind
from .shapes import KEYNOTE, MODERATOR, PANELLIST, SPEAKER, DemoForum, DemoSession, at

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
        "registration_opens_at": at(date(2022, 7, 1), "09:00", "Asia/Jakarta"),
        "registration_closes_at": at(date(2022, 9, 30), "17:00", "Asia/Jakarta"),
        "capacity": 300,
        "secretariat_email": "secretariat@uclg-aspac.example.org",
        "secretariat_phone": "+62 21 5000 1234",
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
