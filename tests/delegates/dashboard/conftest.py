"""A forum whose registrations make every figure of the dashboard known: categories and sessions with
non-Latin names, delegates from four countries in every status, per-day submissions, travel dates,
dietary requirements, accessibility needs and printed badges."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission

from delegates.badges.content import badge_fingerprint
from delegates.enums import Dietary, PrintJobStatus, RegistrationStatus, SignupStatus
from delegates.models import PrintJob, PrintJobItem, Registration
from tests.factories import (
    DelegateCategoryFactory,
    ForumFactory,
    RegistrationFactory,
    SessionFactory,
    SessionSignupFactory,
    UserFactory,
)

MAYORS = "นายกเทศมนตรี / Mayors"
PARTNERS = "ដៃគូ Partners"
SITE_VISIT = "ທັດສະນະສຶກສາ Site visit"
ZONE = dt.timezone(dt.timedelta(hours=7))  # the forum's (Asia/Jakarta)


@dataclass
class DashboardForum:
    forum: object
    mayors: object
    partners: object
    site_visit: object


def dashboard_forum() -> DashboardForum:
    forum = ForumFactory(name="ASEAN Mayors Forum 2031", slug="amf-dashboard", capacity=100)
    mayors = DelegateCategoryFactory(forum=forum, name=MAYORS, slug="mayors", capacity=10, protocol_rank=1)
    partners = DelegateCategoryFactory(forum=forum, name=PARTNERS, slug="partners", protocol_rank=2)
    site_visit = SessionFactory(forum=forum, title=SITE_VISIT, requires_signup=True, capacity=4)
    SessionFactory(forum=forum, title="Plenary without limit", requires_signup=False, capacity=None)
    rows = [
        # category, status, country, dietary, accessibility, arrival day, submitted (day of Oct 2030)
        (mayors, RegistrationStatus.CONFIRMED, "TH", Dietary.HALAL, "Wheelchair", 5, 1),
        (mayors, RegistrationStatus.CONFIRMED, "TH", Dietary.HALAL, "", 5, 1),
        (mayors, RegistrationStatus.CONFIRMED, "KH", Dietary.VEGETARIAN, "", 4, 3),
        (mayors, RegistrationStatus.WAITLISTED, "LA", Dietary.NONE, "", None, 3),
        (partners, RegistrationStatus.CONFIRMED, "LA", Dietary.NONE, "", None, 3),
        (partners, RegistrationStatus.PENDING, "MM", Dietary.HALAL, "Ramp", 5, 3),
        (partners, RegistrationStatus.REJECTED, "TH", Dietary.NONE, "", None, 1),
    ]
    registrations = []
    for category, status, country, dietary, needs, arrival, submitted in rows:
        registration = RegistrationFactory(
            category=category,
            status=status,
            country=country,
            dietary=dietary,
            accessibility_needs=needs,
            arrival_date=dt.date(2030, 10, arrival) if arrival else None,
            departure_date=dt.date(2030, 10, 8) if arrival else None,
        )
        # 20:00 UTC is the next morning in Jakarta: the day is counted in the forum's zone.
        Registration.objects.filter(pk=registration.pk).update(
            created_at=dt.datetime(2030, 9, 30, 20, tzinfo=dt.UTC) + dt.timedelta(days=submitted - 1)
        )
        registrations.append(registration)
    SessionSignupFactory(registration=registrations[0], session=site_visit, status=SignupStatus.CONFIRMED)
    SessionSignupFactory(registration=registrations[1], session=site_visit, status=SignupStatus.CONFIRMED)
    SessionSignupFactory(registration=registrations[2], session=site_visit, status=SignupStatus.WAITLISTED)
    # Badges: the first printed as it is now, the second printed before a change, the rest not.
    job = PrintJob.objects.create(
        forum=forum,
        layout=forum.badge_layout,
        dedupe_key="dashboard-job",
        status=PrintJobStatus.DONE,
        total=2,
    )
    current = Registration.objects.annotate(fp=badge_fingerprint()).get(pk=registrations[0].pk).fp
    PrintJobItem.objects.create(
        job=job, registration=registrations[0], position=1, printed_fingerprint=current
    )
    PrintJobItem.objects.create(
        job=job, registration=registrations[1], position=2, printed_fingerprint="0" * 32
    )
    return DashboardForum(forum=forum, mayors=mayors, partners=partners, site_visit=site_visit)


@pytest.fixture
def dashboard(db) -> DashboardForum:
    return dashboard_forum()


def staff_with(*codenames: str, username: str = "secretariat"):
    user = UserFactory(username=username, email=f"{username}@uclg-aspac.example.org", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["delegates", "events"], codename__in=codenames)
    )
    return user


@pytest.fixture
def viewer(db):
    return staff_with("view_dashboard", "view_forum")
