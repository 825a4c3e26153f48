"""When a registration may be changed (``delegates/registration/rules.py``), as
``registration_update`` applies it: until the forum's edit deadline, or else until registration closes,
and only while the registration is active."""

import datetime as dt

import pytest
from django.utils import timezone

from delegates.models import Registration
from delegates.registration.services import (
    RegistrationClosed,
    RegistrationError,
    registration_cancel,
    registration_update,
)
from events.models import Forum

pytestmark = pytest.mark.django_db


def test_update_after_the_deadline_is_refused(open_forum, mayors, register):
    registration = register(open_forum, mayors, 1)
    deadline = timezone.now() + dt.timedelta(days=2)
    Forum.objects.filter(pk=open_forum.pk).update(registration_edit_deadline=deadline)

    registration_update(
        registration=registration,
        data={"hotel": "Majestic"},
        actor=None,
        now=deadline - dt.timedelta(seconds=1),
    )
    with pytest.raises(RegistrationClosed, match="deadline for changes has passed"):
        registration_update(registration=registration, data={"hotel": "Shangri-La"}, actor=None, now=deadline)

    assert Registration.objects.get(pk=registration.pk).hotel == "Majestic"


def test_update_without_edit_deadline_allowed_until_registration_closes(open_forum, mayors, register):
    registration = register(open_forum, mayors, 1)

    with pytest.raises(RegistrationClosed):
        registration_update(
            registration=registration, data={"hotel": "X"}, actor=None, now=open_forum.registration_closes_at
        )


def test_update_of_a_cancelled_registration_is_refused(open_forum, mayors, register):
    registration = register(open_forum, mayors, 1)
    registration_cancel(registration=registration, actor=None)

    with pytest.raises(RegistrationError, match="no longer active"):
        registration_update(registration=registration, data={"hotel": "X"}, actor=None)
