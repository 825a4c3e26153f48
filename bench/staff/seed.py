"""The data of the staff benchmark: one forum of ``rows`` registrations (default 10,000), names cycling
through every script of ``tests/data/delegate-names.tsv`` (Khmer, Thai, Lao, Burmese, Vietnamese,
Chinese, Tamil, Jawi and Latin), written with ``bulk_create`` in a few seconds; and a registrar (the
role, a verified address, a TOTP authenticator as production's admin demands) with a session.

Mix: 87 % confirmed, 6 % pending, 4 % waitlisted, 2 % cancelled, 1 % rejected; three categories;
70 % want an airport transfer, 60 % a visa letter; a plenary, two meals and a site visit with 3,500
sign-ups (3,000 confirmed, 500 waitlisted); a done print job holding 4,000 of the badges.
"""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAMES = ROOT / "tests" / "data" / "delegate-names.tsv"


@dataclass
class Seeded:
    forum_id: int
    category_ids: list[int]
    plenary_id: int
    site_visit_id: int
    session_cookie: str  # "name=value" of the registrar's session
    csrf_cookie_name: str
    search_latin: str
    search_native: str


def names() -> list[list[str]]:
    with NAMES.open(encoding="utf-8") as handle:
        rows = [line.rstrip("\n").split("\t") for line in handle if not line.startswith("#")]
    return rows[1:]


def _status(n: int) -> str:
    r = n % 100
    if r < 6:
        return "pending"
    if r < 10:
        return "waitlisted"
    if r < 12:
        return "cancelled"
    if r < 13:
        return "rejected"
    return "confirmed"


def seed(rows: int) -> Seeded:
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from delegates.enums import Dietary, PrintJobStatus, SignupStatus
    from delegates.models import DelegateCategory, PrintJob, PrintJobItem, Registration, SessionSignup
    from delegates.permissions import REGISTRARS
    from events.enums import BadgeLayout
    from events.models import Forum, Session

    now = timezone.now()
    start = (now + dt.timedelta(days=60)).date()
    forum = Forum.objects.create(
        name="ASEAN Mayors Forum (staff benchmark)", slug="amf-staff-bench", theme="Bench",
        host_city="Surabaya", country="ID", venue_name="Grand City Convention Hall", start_date=start,
        end_date=start + dt.timedelta(days=1), time_zone="Asia/Jakarta", status="published",
    )  # fmt: skip
    categories = [
        DelegateCategory.objects.create(forum=forum, name=name, slug=slug, protocol_rank=rank)
        for rank, (name, slug) in enumerate(
            (("Mayor / Governor", "mayor"), ("City official", "official"), ("Partner", "partner")), start=1
        )
    ]

    def at(day: int, hour: int) -> dt.datetime:
        return dt.datetime.combine(start + dt.timedelta(days=day), dt.time(hour), tzinfo=dt.UTC)

    plenary = Session.objects.create(
        forum=forum, title="Opening plenary", slug="opening", starts_at=at(0, 2), ends_at=at(0, 4)
    )
    for day in (0, 1):
        Session.objects.create(
            forum=forum, title=f"Lunch, day {day + 1}", slug=f"lunch-{day + 1}", serves_food=True,
            starts_at=at(day, 5), ends_at=at(day, 6),
        )  # fmt: skip
    site_visit = Session.objects.create(
        forum=forum, title="Site visit: the river front", slug="site-visit", requires_signup=True,
        capacity=3000, starts_at=at(1, 7), ends_at=at(1, 10),
    )  # fmt: skip

    sample = names()
    diets = list(Dietary.values)
    batch = []
    for n in range(rows):
        lang, _script, honorific, badge_name, native, position, city, country = sample[n % len(sample)]
        given, _space, family = badge_name.partition(" ")
        status = _status(n)
        batch.append(
            Registration(
                forum=forum, category=categories[n % 3], status=status, reference=f"S{n:07d}",
                email=f"delegate{n}@city{n % 97}.example.org", honorific=honorific, given_name=given,
                family_name=family or given, badge_name=badge_name, native_name=native,
                native_name_lang=lang if lang != "und" else "", position=position,
                organisation=f"City of {city}", city=city, country=country, dietary=diets[n % len(diets)],
                allergies="Peanuts" if n % 50 == 0 else "", hotel=f"Hotel {n % 12}",
                arrival_date=start - dt.timedelta(days=1 + n % 2),
                departure_date=start + dt.timedelta(days=2),
                arrival_flight=f"GA{100 + n % 40}", needs_airport_transfer=n % 10 < 7,
                needs_visa_letter=n % 10 < 6, privacy_consent_at=now,
                checkin_token=f"staff-bench-token-{n:08d}" if status == "confirmed" else None,
            )
        )  # fmt: skip
    registrations = Registration.objects.bulk_create(batch, batch_size=2000)
    confirmed = [r for r in registrations if r.status == "confirmed"]
    SessionSignup.objects.bulk_create(
        [
            SessionSignup(
                registration=r,
                session=site_visit,
                status=SignupStatus.CONFIRMED if i < 3000 else SignupStatus.WAITLISTED,
            )
            for i, r in enumerate(confirmed[:3500])
        ],
        batch_size=2000,
    )

    User = get_user_model()
    user = User.objects.create_user(
        username="registrar@bench.example.org", email="registrar@bench.example.org", is_staff=True
    )
    user.groups.add(Group.objects.get(name=REGISTRARS))
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    TOTP.activate(user, generate_totp_secret())  # production's admin requires two-factor sign-in

    job = PrintJob.objects.create(
        forum=forum, created_by=user, layout=BadgeLayout.A6, dedupe_key="bench", status=PrintJobStatus.DONE,
        total=4000, done=4000, finished_at=now,
    )  # fmt: skip
    PrintJobItem.objects.bulk_create(
        [PrintJobItem(job=job, registration=r, position=i) for i, r in enumerate(confirmed[:4000])],
        batch_size=2000,
    )

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum does after a bulk load: the planner sees 10,000 rows
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    native_sample = next(row for row in sample if row[0] == "th")
    return Seeded(
        forum_id=forum.pk,
        category_ids=[c.pk for c in categories],
        plenary_id=plenary.pk,
        site_visit_id=site_visit.pk,
        session_cookie=f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}",
        csrf_cookie_name=settings.CSRF_COOKIE_NAME,
        search_latin=next(row for row in sample if row[0] == "vi")[3].split()[0],
        search_native=native_sample[4].split()[0],
    )
