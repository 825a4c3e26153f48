"""When a registration may be changed: the edit deadline, written once. The registration services, the
delegate's pages and the admin all ask here; each says it in its own words."""

import datetime as dt
import enum

from django.utils import timezone

from events.models import Forum

from ..enums import ACTIVE_STATUSES
from ..models import Registration


class EditRefusal(enum.Enum):
    """Why a registration's details can no longer be changed by the delegate."""

    INACTIVE = "inactive"  # rejected or cancelled
    DEADLINE_PASSED = "deadline_passed"


def registration_edit_deadline(*, forum: Forum) -> dt.datetime | None:
    """Until when delegates may change their details: the forum's edit deadline, or else the close of
    registration (None: no deadline)."""
    return forum.registration_edit_deadline or forum.registration_closes_at


def registration_edit_refusal(
    *, registration: Registration, now: dt.datetime | None = None
) -> EditRefusal | None:
    """None while the registration is active and its forum's edit deadline has not passed; otherwise
    why not. Reads the registration's forum."""
    if registration.status not in ACTIVE_STATUSES:
        return EditRefusal.INACTIVE
    deadline = registration_edit_deadline(forum=registration.forum)
    if deadline is not None and (now or timezone.now()) >= deadline:
        return EditRefusal.DEADLINE_PASSED
    return None


def registration_can_edit(*, registration: Registration, now: dt.datetime | None = None) -> bool:
    return registration_edit_refusal(registration=registration, now=now) is None
