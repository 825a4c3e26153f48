"""Staff move registrations onto and off the waitlist by hand: a pending registration is accepted onto
the waitlist without a seat (``registration_waitlist``), and a waitlisted one is given a seat now
(``registration_promote``), when the forum and its category have one — under the same seat locks and
counts as the public flow (``seats.py``), so two members of staff promoting into the last seat cannot
both have it.

A waitlisted registration also moves up by itself when a seat is freed, first come first served
(``seats.promote_from_waitlist``); a manual promotion lets staff choose whom to seat first.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _

from ..badges.storage import badge_issue
from ..enums import EmailKind, RegistrationStatus
from ..mail.outbox import email_queue
from ..models import Registration
from .seats import (
    REASON_PROMOTED,
    allocate_signups,
    category_has_seat,
    forum_has_seat,
    seats_locked,
    set_status,
)
from .services import RegistrationError, _lock_registration

__all__ = ["NoSeat", "registration_promote", "registration_waitlist"]


class NoSeat(RegistrationError):
    """The forum or the registration's category has no free seat: ``reason`` says which
    (``"forum"`` or ``"category"``)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@seats_locked
def registration_waitlist(
    *, registration: Registration, actor: AbstractBaseUser, reason: str = ""
) -> Registration:
    """Staff accept a pending registration onto the waitlist: it holds no seat and moves up when one
    is freed (first come first served, by submission time) or when staff promote it. Takes the seat
    locks, records the history and emails the delegate (WAITLISTED). Raises RegistrationError if the
    registration is no longer pending."""
    registration, _forum, _sessions = _lock_registration(registration)
    if registration.status != RegistrationStatus.PENDING:
        raise RegistrationError(_("Only a pending registration can be put on the waitlist."))
    set_status(registration, status=RegistrationStatus.WAITLISTED, actor=actor, reason=reason)
    email_queue(registration=registration, kind=EmailKind.WAITLISTED, reason=reason)
    return registration


@seats_locked
def registration_promote(*, registration: Registration, actor: AbstractBaseUser) -> Registration:
    """Staff give a waitlisted registration a seat now: CONFIRMED if the forum and its category have a
    free seat (counted under the forum's and category's row locks), its sessions a seat where one is
    free, a check-in token and a badge rendered after commit, and the PROMOTED email. Raises
    RegistrationError if it is not waitlisted, NoSeat if the forum or the category is full (nothing
    changes), RegistrationBusy on lock timeout."""
    registration, forum, sessions = _lock_registration(registration)
    if registration.status != RegistrationStatus.WAITLISTED:
        raise RegistrationError(_("Only a waitlisted registration can be promoted."))
    if not forum_has_seat(forum):
        raise NoSeat(_("The forum is full."), "forum")
    if not category_has_seat(registration.category):
        raise NoSeat(_("The category is full."), "category")
    set_status(registration, status=RegistrationStatus.CONFIRMED, actor=actor, reason=REASON_PROMOTED)
    allocate_signups(registration, sessions)
    email_queue(registration=registration, kind=EmailKind.PROMOTED)
    badge_issue(registration=registration)  # after the email: its task is enqueued second
    return registration
