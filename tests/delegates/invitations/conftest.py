"""Scenarios of the invitation tests: the open forum (tests/delegates/conftest.py) with an
invitation-only category, staff in the role groups the migrations create, and helpers that invite
through the real service and read the personal link back from the email that was sent."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from delegates.invitations.services import Invitee, invitation_create
from delegates.permissions import BADGE_AND_DOOR_TEAM, FORUM_ADMINISTRATORS, READ_ONLY, REGISTRARS
from tests.factories import DelegateCategoryFactory, UserFactory

LINK = re.compile(r"https?://[^\s\"<>]+/invitations/[A-Za-z0-9_-]+/")


@pytest.fixture
def invited_mayors(open_forum):
    """By invitation only (and not marked staff-only: the invitation flag alone keeps it off the
    public form)."""
    return DelegateCategoryFactory(
        forum=open_forum,
        name="Mayor / Governor — by invitation",
        slug="mayor-invited",
        by_invitation=True,
        heads_of_local_government=True,
        protocol_rank=5,
    )


def in_group(group: str, username: str):
    user = UserFactory(username=username, email=f"{username}@uclg-aspac.example.org", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def registrar():
    return in_group(REGISTRARS, "registrar")


@pytest.fixture
def forum_admin():
    return in_group(FORUM_ADMINISTRATORS, "forum-admin")


@pytest.fixture
def door():
    return in_group(BADGE_AND_DOOR_TEAM, "door")


@pytest.fixture
def read_only():
    return in_group(READ_ONLY, "read-only")


def link_in(message) -> str:
    """The personal link of an invitation email, from its plain text (and the same in its HTML)."""
    links = set(LINK.findall(message.body))
    html = message.alternatives[0][0]
    assert set(LINK.findall(html)) == links
    assert len(links) == 1, links
    return links.pop()


@pytest.fixture
def invite(django_capture_on_commit_callbacks, registrar):
    """``invite(category, email=..., name=...)``: invite through the service; returns the invitation
    and the personal link read from the email sent (Django's mailbox, the worker run eagerly)."""

    def make(category, *, email="sok.vibol@phnompenh.example.org", name="Sok Vibol", **extra):
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            invitation = invitation_create(
                forum=category.forum,
                invitee=Invitee(
                    category=category,
                    name=name,
                    email=email,
                    position=extra.get("position", "Governor"),
                    city=extra.get("city", "Phnom Penh"),
                    country=extra.get("country", "KH"),
                ),
                actor=registrar,
            )
        assert len(mail.outbox) == before + 1
        return invitation, link_in(mail.outbox[-1])

    return make
