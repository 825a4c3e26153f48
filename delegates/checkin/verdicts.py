"""Who a check-in list admits, and what the door team is told: the one rule behind the online scan, the
offline data (``on_list``) and the merge of offline queues.

A day list or a list staff added admits the confirmed delegates of its forum; a session's list those
confirmed for the session as well (their registration confirmed and their sign-up confirmed). Any
other badge is refused with its reason: the registration's status (cancelled, rejected, waitlisted,
pending approval), not on this list, a badge of another forum, a code nobody has, or the old code of
a badge that was replaced (reissued).
"""

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ..enums import CheckInListKind, CheckInRefusal, CheckInVerdict, RegistrationStatus
from ..models import CheckIn, CheckInList, Registration

# The registration's status → why its badge does not check in.
STATUS_REFUSALS = {
    RegistrationStatus.CANCELLED: CheckInRefusal.CANCELLED,
    RegistrationStatus.REJECTED: CheckInRefusal.REJECTED,
    RegistrationStatus.WAITLISTED: CheckInRefusal.WAITLISTED,
    RegistrationStatus.PENDING: CheckInRefusal.PENDING,
}


def list_needs_signup(checkin_list: CheckInList) -> bool:
    return checkin_list.kind == CheckInListKind.SESSION


def refusal_of(
    *, checkin_list: CheckInList, registration: Registration | None, signed_up: bool, retired: bool = False
) -> str | None:
    """Why ``registration``'s badge does not check in on ``checkin_list``, or None when it does.
    ``signed_up``: its sign-up for the list's session is confirmed (read only for session lists);
    ``retired``: the code scanned is one the registration had before its badge was reissued."""
    if registration is None:
        return CheckInRefusal.UNKNOWN
    if registration.forum_id != checkin_list.forum_id:
        return CheckInRefusal.OTHER_FORUM
    if retired:
        return CheckInRefusal.REISSUED
    if registration.status in STATUS_REFUSALS:
        return STATUS_REFUSALS[registration.status]
    if list_needs_signup(checkin_list) and not signed_up:
        return CheckInRefusal.NOT_ON_LIST
    return None


def staff_display_name(user: AbstractBaseUser | None) -> str:
    """How the door team names a colleague: the full name, else the first name, else the account name
    up to any "@" (staff accounts are named by their address; the address itself is not shown)."""
    if user is None:
        return ""
    name = (user.get_full_name() or "").strip() or (getattr(user, "first_name", "") or "").strip()
    return name or user.get_username().split("@", 1)[0]


def refusal_messages() -> dict[str, str]:
    """Every reason code → its translated text, for the page to show offline."""
    return {code: str(label) for code, label in CheckInRefusal.choices}


def already_message(*, check_in: CheckIn, tz: dt.tzinfo, now: dt.datetime | None = None) -> str:
    """ "Already checked in at 09:12 by Siti" in the forum's time zone (with the date when it was not
    today there)."""
    local = check_in.checked_in_at.astimezone(tz)
    today = (now or timezone.now()).astimezone(tz).date()
    values = {
        "time": date_format(local, pgettext("time format", "H:i")),
        "date": date_format(local, pgettext("date format: day month", "j F")),
        "staff": staff_display_name(check_in.staff),
    }
    if local.date() == today:
        if values["staff"]:
            return _("Already checked in at %(time)s by %(staff)s") % values
        return _("Already checked in at %(time)s") % values
    if values["staff"]:
        return _("Already checked in on %(date)s at %(time)s by %(staff)s") % values
    return _("Already checked in on %(date)s at %(time)s") % values


def verdict_message(*, verdict: str, reason: str | None, check_in: CheckIn | None, tz: dt.tzinfo) -> str:
    if verdict == CheckInVerdict.CHECKED_IN:
        return _("Checked in")
    if verdict == CheckInVerdict.ALREADY and check_in is not None:
        return already_message(check_in=check_in, tz=tz)
    if reason:
        return str(CheckInRefusal(reason).label)
    return str(CheckInVerdict(verdict).label)
