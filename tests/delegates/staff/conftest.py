"""Scenario of the staff roles' tests: two forums, each with its programme (room, track, a session with
a speaker), a category, a confirmed delegate (registered through the real service, so with history
and emails), a pending one, a finished print job, and a check-in of the confirmed delegate on the
forum's first day; the delegate of the first forum carries recognisable contact details, corrected
once by a forum administrator (so the history quotes an address). Staff in each role group the
migrations create, and two limited to the first forum."""

import datetime as dt
import uuid
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from delegates.checkin.services import Scan, checkin_lists_sync, checkin_scan
from delegates.enums import PrintJobStatus
from delegates.invitations.services import Invitee, invitation_create
from delegates.models import (
    CheckIn,
    CheckInList,
    EmailOutbox,
    Invitation,
    PrintJob,
    Registration,
    StaffEmail,
    StaffForumAccess,
)
from delegates.permissions import BADGE_AND_DOOR_TEAM, FORUM_ADMINISTRATORS, READ_ONLY, REGISTRARS
from delegates.registration.corrections import registration_correct
from delegates.registration.services import registration_submit
from events.models import Forum
from tests.delegates.registration.submissions import delegate_data
from tests.factories import (
    DelegateCategoryFactory,
    ForumFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    TrackFactory,
    UserFactory,
)

# The first forum's delegate's contact details: none may show to staff without the permission.
CANARY = {
    "email": "canary.vongsa@contact-leak.example",
    "phone": "+856 20 5555 0199",
    "dietary": "other",
    "dietary_other": "No canary seeds",
    "allergies": "Canary pollen",
    "accessibility_needs": "Canary ramp at the side door",
    "accompanying_persons": "Canary Companion, aide",
    "arrival_date": dt.date(2030, 10, 4),
    "arrival_flight": "QV 917",
    "departure_flight": "QV 918",
    "hotel": "Hotel Canary Riverside",
    "needs_airport_transfer": True,
    "needs_visa_letter": True,
}
OLD_EMAIL = "first.canary@contact-leak.example"
# What a page must not contain, in any form it may be written in.
CANARY_TEXTS = (
    CANARY["email"],
    OLD_EMAIL,
    "contact-leak",
    "5555 0199",
    "55550199",
    CANARY["dietary_other"],
    CANARY["allergies"],
    CANARY["accessibility_needs"],
    CANARY["accompanying_persons"],
    CANARY["arrival_flight"],
    CANARY["departure_flight"],
    CANARY["hotel"],
)

ROLE_GROUPS = {
    "admin": FORUM_ADMINISTRATORS,
    "registrar": REGISTRARS,
    "door": BADGE_AND_DOOR_TEAM,
    "read_only": READ_ONLY,
    "registrar_a": REGISTRARS,  # limited to forum A
    "admin_a": FORUM_ADMINISTRATORS,  # limited to forum A
}
LIMITED = frozenset({"registrar_a", "admin_a"})


@dataclass
class ForumRows:
    forum: Forum
    category: object
    room: object
    track: object
    session: object
    speaker: object
    registration: Registration
    pending: Registration
    print_job: PrintJob
    email: EmailOutbox
    checkin_list: CheckInList
    check_in: CheckIn
    staff_email: StaffEmail
    invitation: Invitation


@dataclass
class World:
    a: ForumRows
    b: ForumRows
    staff: dict
    access: StaffForumAccess


def _forum_rows(slug: str, name: str, contact: dict) -> ForumRows:
    now = timezone.now()
    forum = ForumFactory(
        slug=slug,
        name=name,
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=30),
    )
    category = DelegateCategoryFactory(forum=forum, name=f"Mayors of {name}", slug=f"mayors-{slug}")
    approval = DelegateCategoryFactory(
        forum=forum, name=f"Partners of {name}", slug=f"partners-{slug}", requires_approval=True
    )
    room = RoomFactory(forum=forum, name=f"Hall of {name}")
    track = TrackFactory(forum=forum, name=f"Track of {name}", slug=f"track-{slug}")
    session = SessionFactory(forum=forum, title=f"Plenary of {name}", room=room, track=track)
    speaker = SpeakerFactory(name=f"Speaker of {name}", slug=f"speaker-{slug}")
    SessionSpeakerFactory(session=session, speaker=speaker)
    registration = registration_submit(
        forum=forum,
        category=category,
        data=delegate_data(
            None,
            given_name="Vongsa",
            family_name=f"Delegate {slug}",
            badge_name=f"Vongsa {slug}",
            city="Vientiane",
            country="LA",
            **contact,
        ),
        session_ids=[],
        registered_by=None,
    )
    pending = registration_submit(
        forum=forum,
        category=approval,
        data=delegate_data(None, given_name="Pending", family_name=f"Partner {slug}"),
        session_ids=[],
        registered_by=None,
    )
    job = PrintJob.objects.create(
        forum=forum,
        layout=forum.badge_layout,
        dedupe_key=f"job-{slug}",
        status=PrintJobStatus.DONE,
        total=1,
        done=1,
        finished_at=now,
    )
    job.file.save(f"badges-{slug}.pdf", ContentFile(b"%PDF-1.4 a finished print job\n"))
    checkin_lists_sync(forum=forum)
    checkin_list = CheckInList.objects.filter(forum=forum).order_by("day").first()
    token = Registration.objects.get(pk=registration.pk).checkin_token
    check_in = checkin_scan(
        checkin_list=checkin_list, scan=Scan(idempotency_key=uuid.uuid4(), token=token), staff=None
    ).check_in
    invited = DelegateCategoryFactory(
        forum=forum, name=f"Invited to {name}", slug=f"invited-{slug}", by_invitation=True
    )
    invitation = invitation_create(
        forum=forum,
        invitee=Invitee(category=invited, name=f"Invitee of {name}", email=f"invitee@{slug}.example.org"),
        actor=None,
    )
    return ForumRows(
        forum=forum,
        category=category,
        room=room,
        track=track,
        session=session,
        speaker=speaker,
        registration=Registration.objects.get(pk=registration.pk),
        pending=Registration.objects.get(pk=pending.pk),
        print_job=job,
        email=EmailOutbox.objects.filter(registration=registration).order_by("pk").first(),
        checkin_list=checkin_list,
        check_in=check_in,
        staff_email=StaffEmail.objects.create(
            forum=forum,
            subject=f"Arrivals at {name}",
            body="Dear {name},",
            description="Confirmed",
            criteria={"statuses": ["confirmed"]},
            created_by=UserFactory(username=f"author-{slug}", is_staff=True),
        ),
        invitation=invitation,
    )


@pytest.fixture
def world(db) -> World:
    contact = {key: value for key, value in CANARY.items() if key != "email"}
    a = _forum_rows("amf-a", "Forum A", {**contact, "email": OLD_EMAIL})
    b = _forum_rows("amf-b", "Forum B", {})
    staff = {}
    for role, group in ROLE_GROUPS.items():
        user = UserFactory(username=role, email=f"{role}@uclg-aspac.example.org", is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        staff[role] = user
    access = None
    for role in sorted(LIMITED):
        access = StaffForumAccess.objects.create(user=staff[role])
        access.forums.set([a.forum])
    # A forum administrator corrects the address: the history now quotes the old and the new one.
    registration_correct(registration=a.registration, actor=staff["admin"], email=CANARY["email"])
    a.registration.refresh_from_db()
    return World(a=a, b=b, staff=staff, access=access)


@pytest.fixture
def as_role(world):
    """``as_role(role)``: a client signed in as that role's staff member."""

    def client_for(role: str) -> Client:
        client = Client()
        client.force_login(world.staff[role])
        return client

    return client_for
