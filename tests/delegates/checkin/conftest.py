"""Scenarios for check-in: a two-day forum with its automatic lists, a site visit that needs sign-up,
delegates in every status, and the door team."""

import pytest
from django.contrib.auth.models import Group

from delegates.checkin.services import checkin_lists_sync
from delegates.checkin.tokens import new_checkin_token
from delegates.enums import CheckInListKind, RegistrationStatus, SignupStatus
from delegates.models import CheckInList
from delegates.permissions import BADGE_AND_DOOR_TEAM, FORUM_ADMINISTRATORS, READ_ONLY, REGISTRARS
from tests.factories import (
    DelegateCategoryFactory,
    ForumFactory,
    RegistrationFactory,
    SessionFactory,
    SessionSignupFactory,
    UserFactory,
)


def member_of(role: str, username: str, **extra):
    user = UserFactory(
        username=username,
        email=f"{username}@uclg-aspac.example.org",
        is_staff=True,
        first_name=extra.pop("first_name", username.capitalize()),
        **extra,
    )
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def door():
    return member_of(BADGE_AND_DOOR_TEAM, "siti", first_name="Siti", last_name="Rahma")


@pytest.fixture
def other_door():
    return member_of(BADGE_AND_DOOR_TEAM, "budi", first_name="Budi", last_name="Santoso")


@pytest.fixture
def forum_admin():
    return member_of(FORUM_ADMINISTRATORS, "admin-ana", first_name="Ana")


@pytest.fixture
def registrar():
    return member_of(REGISTRARS, "registrar-rio")


@pytest.fixture
def read_only():
    return member_of(READ_ONLY, "reader-rey")


@pytest.fixture
def forum(open_forum):
    return open_forum


@pytest.fixture
def mayors(forum):
    return DelegateCategoryFactory(
        forum=forum, name="Mayor / Governor", slug="mayor", badge_colour="#B91C1C", protocol_rank=10
    )


@pytest.fixture
def bus(forum):
    """The site-visit bus: needs sign-up."""
    return SessionFactory(forum=forum, title="Site visit: river clean-up", requires_signup=True, capacity=40)


def delegate(category, status=RegistrationStatus.CONFIRMED, **extra):
    token = new_checkin_token() if status == RegistrationStatus.CONFIRMED else None
    return RegistrationFactory(category=category, status=status, checkin_token=token, **extra)


@pytest.fixture
def sok(mayors):
    """A confirmed Cambodian mayor with his Khmer name."""
    return delegate(
        mayors,
        honorific="H.E.",
        given_name="Vibol",
        family_name="Sok",
        name_order="family_first",
        badge_name="Sok Vibol",
        native_name="សុខ វិបុល",
        native_name_lang="km",
        city="Siem Reap",
        country="KH",
        email="sok.vibol@siemreap.example.org",
        phone="+85512345678",
        dietary="halal",
        hotel="Majapahit",
        needs_visa_letter=True,
        arrival_flight="QZ 123",
    )


@pytest.fixture
def lists(forum, bus):
    """The forum's automatic lists: the two days, then the bus."""
    checkin_lists_sync(forum=forum)
    return {
        "day1": CheckInList.objects.get(forum=forum, kind=CheckInListKind.DAY, day=forum.start_date),
        "day2": CheckInList.objects.get(forum=forum, kind=CheckInListKind.DAY, day=forum.end_date),
        "bus": CheckInList.objects.get(forum=forum, kind=CheckInListKind.SESSION, session=bus),
    }


@pytest.fixture
def day1(lists):
    return lists["day1"]


@pytest.fixture
def bus_list(lists):
    return lists["bus"]


@pytest.fixture
def on_the_bus(bus, mayors):
    registration = delegate(mayors, given_name="Maria", family_name="Santos", country="PH")
    SessionSignupFactory(registration=registration, session=bus, status=SignupStatus.CONFIRMED)
    return registration


@pytest.fixture
def other_forum_delegate():
    forum = ForumFactory(name="ASEAN Mayors Forum 2040", slug="amf-2040")
    return delegate(DelegateCategoryFactory(forum=forum))
