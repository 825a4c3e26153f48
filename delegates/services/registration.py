"""Registration: submit, approve, reject, cancel, edit — and the waitlist.

The rule that a seat is never given twice lives here. A seat is a CONFIRMED registration (forum and
category capacity) or a CONFIRMED session sign-up (session capacity). Every writer takes the row locks
of ``locking.lock_seats`` in the same order before counting, so concurrent writers queue instead of
overselling; the counts are read after the locks are held.

Pending registrations (categories that need approval) hold no seat until staff approve them. Sign-ups
of a registration that is not confirmed wait (WAITLISTED) and take their seat when it is confirmed.
"""

import datetime as dt
import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Forum, Session
from events.selectors import RegistrationState, forum_registration_state

from ..enums import ACTIVE_STATUSES, EmailKind, RegistrationStatus, SignupStatus
from ..models import DelegateCategory, Registration, SessionSignup, StatusChange
from .badges import BADGE_FIELDS, badge_issue, badge_render_on_commit
from .emails import email_queue
from .locking import RegistrationBusy, is_lock_timeout, lock_seats, lock_sessions

logger = logging.getLogger(__name__)

# Fields a delegate (or whoever registered them) may change after submitting.
EDITABLE_FIELDS = (
    "honorific", "given_name", "family_name", "badge_name", "native_name", "native_name_lang", "position",
    "organisation", "city", "country", "phone", "dietary", "dietary_other", "allergies",
    "accessibility_needs", "accompanying_persons", "arrival_date", "arrival_time", "arrival_flight",
    "departure_date", "departure_time", "departure_flight", "needs_airport_transfer", "hotel",
    "needs_visa_letter", "media_consent",
)  # fmt: skip


class RegistrationError(Exception):
    """A rule stops this action; ``str(error)`` is a friendly, translated message for the user."""


class RegistrationClosed(RegistrationError):
    pass


class DuplicateRegistration(RegistrationError):
    pass


__all__ = [
    "EDITABLE_FIELDS",
    "DuplicateRegistration",
    "RegistrationBusy",
    "RegistrationClosed",
    "RegistrationError",
    "registration_approve",
    "registration_cancel",
    "registration_edit_deadline",
    "registration_reject",
    "registration_submit",
    "registration_update",
]


@dataclass(frozen=True)
class RegistrationWindow:
    is_open: bool
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    has_closed: bool


def registration_window(*, forum: Forum, now: dt.datetime | None = None) -> RegistrationWindow:
    """Whether the forum takes registrations now: only between its opening and closing times (the rule
    the public pages state, ``events.selectors.forum_registration_state``)."""
    state = forum_registration_state(forum=forum, now=now)
    return RegistrationWindow(
        is_open=state == RegistrationState.OPEN,
        opens_at=forum.registration_opens_at,
        closes_at=forum.registration_closes_at,
        has_closed=state == RegistrationState.CLOSED,
    )


def registration_edit_deadline(*, forum: Forum) -> dt.datetime | None:
    """Until when delegates may change their details: the forum's edit deadline, or else the close of
    registration (None: no deadline)."""
    return forum.registration_edit_deadline or forum.registration_closes_at


# --- Counting (call with the locks held) ---------------------------------------------------------------


def _forum_has_seat(forum: Forum) -> bool:
    if forum.capacity is None:
        return True
    taken = Registration.objects.filter(forum_id=forum.id, status=RegistrationStatus.CONFIRMED).count()
    return taken < forum.capacity


def _category_has_seat(category: DelegateCategory) -> bool:
    if category.capacity is None:
        return True
    taken = Registration.objects.filter(category_id=category.id, status=RegistrationStatus.CONFIRMED).count()
    return taken < category.capacity


def _session_has_seat(session: Session) -> bool:
    if session.capacity is None:
        return True
    taken = SessionSignup.objects.filter(session_id=session.id, status=SignupStatus.CONFIRMED).count()
    return taken < session.capacity


# Reasons the system records in the status history when no person decided (staff-facing, stored as
# data: the history keeps the words used at the time).
REASON_NEEDS_APPROVAL = "The category needs staff approval."
REASON_FORUM_FULL = "The forum is full."
REASON_CATEGORY_FULL = "The category is full."
REASON_PROMOTED = "Promoted from the waitlist"
REASON_REGISTERED_AGAIN = "Registered again after cancelling."


def _set_status(
    registration: Registration, *, status: str, actor: AbstractBaseUser | None, reason: str = ""
) -> None:
    """Change the status of a saved registration and record who, when and why."""
    previous = registration.status
    registration.status = status
    registration.save(update_fields=["status", "updated_at"])
    StatusChange.objects.create(
        registration=registration, from_status=previous, to_status=status, actor=actor, reason=reason
    )


def _allocate_signups(registration: Registration, sessions: dict[int, Session]) -> None:
    """Give the registration's waiting sign-ups for ``sessions`` (locked) a seat where the session has
    one; call when the registration is confirmed. Sign-ups for other sessions are left as they are."""
    waiting = registration.signups.filter(status=SignupStatus.WAITLISTED, session_id__in=list(sessions))
    for signup in waiting.order_by("session_id"):
        if _session_has_seat(sessions[signup.session_id]):
            signup.status = SignupStatus.CONFIRMED
            signup.save(update_fields=["status"])


def _release_signups(registration: Registration) -> list[int]:
    """The registration leaves the forum: drop its sign-ups. Returns the sessions that had a seat."""
    freed = list(
        registration.signups.filter(status=SignupStatus.CONFIRMED).values_list("session_id", flat=True)
    )
    registration.signups.all().delete()
    return freed


def _promote_from_waitlist(*, forum: Forum, freed_session_ids: Iterable[int]) -> None:
    """Fill freed seats from the waitlists, first come first served: registrations of the forum, then
    session sign-ups of confirmed registrations. Each promoted delegate gets a check-in token and a
    badge (rendered after commit), and is emailed once their sessions are settled, so the email shows
    the sign-ups as they are. Call with the forum lock held."""
    categories = {
        c.id: c for c in DelegateCategory.objects.select_for_update().filter(forum_id=forum.id).order_by("id")
    }
    waiting = Registration.objects.filter(forum_id=forum.id, status=RegistrationStatus.WAITLISTED).order_by(
        "created_at", "id"
    )
    promoted: list[Registration] = []
    session_ids = set(freed_session_ids)
    for candidate in waiting:
        if not _forum_has_seat(forum):
            break
        if not _category_has_seat(categories[candidate.category_id]):
            continue
        _set_status(candidate, status=RegistrationStatus.CONFIRMED, actor=None, reason=REASON_PROMOTED)
        badge_issue(registration=candidate)
        # Their sign-ups now compete for seats, in the order they were made.
        session_ids.update(candidate.signups.values_list("session_id", flat=True))
        promoted.append(candidate)
    promoted_ids = {registration.pk for registration in promoted}
    for session in lock_sessions(session_ids=session_ids).values():
        waiting_signups = SessionSignup.objects.filter(
            session_id=session.id,
            status=SignupStatus.WAITLISTED,
            registration__status=RegistrationStatus.CONFIRMED,
        ).order_by("created_at", "id")
        for signup in waiting_signups.select_related("registration"):
            if not _session_has_seat(session):
                break
            signup.status = SignupStatus.CONFIRMED
            signup.save(update_fields=["status"])
            if signup.registration_id not in promoted_ids:  # their promotion email lists the session
                email_queue(
                    registration=signup.registration, kind=EmailKind.CHANGED, detail=f"signup-{signup.pk}"
                )
    for registration in promoted:
        email_queue(registration=registration, kind=EmailKind.PROMOTED)


def _locked(func):
    """Run ``func`` in a transaction; a lock timeout becomes RegistrationBusy (and rolls back)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            with transaction.atomic():
                return func(*args, **kwargs)
        except OperationalError as error:
            if is_lock_timeout(error):
                raise RegistrationBusy from error
            raise

    return wrapper


def _check_sessions(forum: Forum, sessions: dict[int, Session], wanted: Iterable[int]) -> None:
    if set(sessions) != set(wanted) or any(
        s.forum_id != forum.id or not s.requires_signup for s in sessions.values()
    ):
        raise RegistrationError(_("Please choose among this forum's sessions that need sign-up."))


# --- Use cases -----------------------------------------------------------------------------------------


@_locked
def registration_submit(
    *,
    forum: Forum,
    category: DelegateCategory,
    data: dict,
    session_ids: Iterable[int] = (),
    registered_by: AbstractBaseUser | None,
    delegate_user: AbstractBaseUser | None = None,
    now: dt.datetime | None = None,
) -> Registration:
    """Register a delegate for a forum.

    Takes the forum, category and chosen sessions' row locks (in that order), decides the status —
    PENDING if the category needs approval, WAITLISTED if the forum or category is full, CONFIRMED
    otherwise — gives each chosen session a seat or a waitlist place, records the status history and
    queues the matching email (sent after commit); a confirmed delegate gets a check-in token and their
    badge is rendered after commit. A delegate who cancelled may register again: their
    registration is filled in anew and joins the end of any waitlist. Raises RegistrationClosed outside
    the registration window, DuplicateRegistration if this email is already registered (and not
    cancelled), RegistrationBusy on lock timeout.
    """
    session_ids = sorted(set(session_ids))
    forum, categories, sessions = lock_seats(
        forum_id=forum.id, category_ids=[category.id], session_ids=session_ids
    )
    category = categories.get(category.id)
    if category is None or category.forum_id != forum.id:
        raise RegistrationError(_("Please choose a delegate category of this forum."))
    moment = now or timezone.now()
    if not registration_window(forum=forum, now=moment).is_open:
        raise RegistrationClosed(_("Registration for this forum is not open."))
    _check_sessions(forum, sessions, session_ids)
    email = data["email"].strip()
    existing = (
        Registration.objects.select_for_update()
        .filter(forum_id=forum.id, email__iexact=email)
        .order_by("id")
        .first()
    )
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        raise DuplicateRegistration(_("This email address is already registered for this forum."))

    if category.requires_approval:
        status, reason = RegistrationStatus.PENDING, REASON_NEEDS_APPROVAL
    elif not _forum_has_seat(forum):
        status, reason = RegistrationStatus.WAITLISTED, REASON_FORUM_FULL
    elif not _category_has_seat(category):
        status, reason = RegistrationStatus.WAITLISTED, REASON_CATEGORY_FULL
    else:
        status, reason = RegistrationStatus.CONFIRMED, ""

    if existing is None:
        registration = Registration(forum=forum)
        previous = ""
    else:
        registration = existing
        previous = existing.status
        reason = f"{REASON_REGISTERED_AGAIN} {reason}".strip()
        # A new submission: its place in the waitlist is now, and nothing typed last time lingers.
        registration.created_at = timezone.now()
        for name in EDITABLE_FIELDS:
            setattr(registration, name, Registration._meta.get_field(name).get_default())
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(registration, name, data[name])
    registration.category = category
    registration.email = email
    registration.registered_by = registered_by
    registration.user = delegate_user or registration.user
    registration.privacy_consent_at = moment
    registration.status = status
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError as error:  # the database's word on one registration per email per forum
        raise DuplicateRegistration(_("This email address is already registered for this forum.")) from error
    change = StatusChange.objects.create(
        registration=registration, from_status=previous, to_status=status, actor=registered_by, reason=reason
    )
    for session_id in session_ids:
        SessionSignup.objects.create(
            registration=registration, session_id=session_id, status=SignupStatus.WAITLISTED
        )
    if status == RegistrationStatus.CONFIRMED:
        _allocate_signups(registration, sessions)

    kind = {
        RegistrationStatus.PENDING: EmailKind.RECEIVED,
        RegistrationStatus.CONFIRMED: EmailKind.CONFIRMED,
        RegistrationStatus.WAITLISTED: EmailKind.WAITLISTED,
    }[status]
    # The change just recorded is the latest (allocating session seats records none).
    email_queue(registration=registration, kind=kind, last_change=change.pk)
    if status == RegistrationStatus.CONFIRMED:
        badge_issue(registration=registration)  # after the email: its task is enqueued second
    logger.info("registration submitted", extra={"registration": registration.pk, "status": status})
    return registration


def _lock_registration(registration: Registration) -> tuple[Registration, Forum, dict[int, Session]]:
    """Lock the forum, the registration (fresh from the database), its category and its sessions.
    The sessions are read after the forum lock is held, so a concurrent edit cannot add one unseen."""
    forum, categories, _sessions = lock_seats(
        forum_id=registration.forum_id, category_ids=[registration.category_id]
    )
    fresh = Registration.objects.select_for_update().get(pk=registration.pk)
    if fresh.category_id not in categories:  # changed by staff since the caller loaded it
        lock_seats(forum_id=forum.id, category_ids=[fresh.category_id])
    sessions = lock_sessions(session_ids=fresh.signups.values_list("session_id", flat=True))
    return fresh, forum, sessions


@_locked
def registration_approve(
    *, registration: Registration, actor: AbstractBaseUser, reason: str = ""
) -> Registration:
    """Staff approve a pending registration: it takes a seat like the public flow (CONFIRMED, and its
    sessions a seat where one is free, a check-in token and a badge rendered after commit), or goes to
    the waitlist when the forum or its category is full. Emails the delegate (with ``reason`` as a
    note). Raises RegistrationError if the registration
    is no longer pending (e.g. another member of staff approved it a moment ago)."""
    registration, forum, sessions = _lock_registration(registration)
    if registration.status != RegistrationStatus.PENDING:
        raise RegistrationError(_("Only a pending registration can be approved."))
    if _forum_has_seat(forum) and _category_has_seat(registration.category):
        _set_status(registration, status=RegistrationStatus.CONFIRMED, actor=actor, reason=reason)
        _allocate_signups(registration, sessions)
        email_queue(registration=registration, kind=EmailKind.CONFIRMED, reason=reason)
        badge_issue(registration=registration)
    else:
        _set_status(registration, status=RegistrationStatus.WAITLISTED, actor=actor, reason=reason)
        email_queue(registration=registration, kind=EmailKind.WAITLISTED, reason=reason)
    return registration


def _leave(
    registration: Registration, *, status: str, actor: AbstractBaseUser | None, reason: str, kind: str
) -> Registration:
    registration, forum, _sessions = _lock_registration(registration)
    if registration.status not in ACTIVE_STATUSES:
        raise RegistrationError(_("This registration is no longer active."))
    held_seat = registration.status == RegistrationStatus.CONFIRMED
    _set_status(registration, status=status, actor=actor, reason=reason)
    freed = _release_signups(registration)
    email_queue(registration=registration, kind=kind, reason=reason)
    if held_seat:
        _promote_from_waitlist(forum=forum, freed_session_ids=freed)
    return registration


@_locked
def registration_reject(*, registration: Registration, actor: AbstractBaseUser, reason: str) -> Registration:
    """Staff reject a registration (with a reason that goes into the email). A freed seat goes to the
    first delegate on the waitlist, who is emailed."""
    return _leave(
        registration, status=RegistrationStatus.REJECTED, actor=actor, reason=reason, kind=EmailKind.REJECTED
    )


@_locked
def registration_cancel(
    *, registration: Registration, actor: AbstractBaseUser | None, reason: str = ""
) -> Registration:
    """The delegate (or whoever registered them, or staff) cancels. A freed seat goes to the first
    delegate on the waitlist, who is emailed."""
    return _leave(
        registration,
        status=RegistrationStatus.CANCELLED,
        actor=actor,
        reason=reason,
        kind=EmailKind.CANCELLED,
    )


@_locked
def registration_update(
    *,
    registration: Registration,
    data: dict,
    session_ids: Iterable[int] | None = None,
    actor: AbstractBaseUser | None,
    now: dt.datetime | None = None,
) -> Registration:
    """Change a registration's details and session choices (until the forum's edit deadline, or until
    registration closes when it has none).

    Added sessions take a seat if the registration is confirmed and one is free, or wait; dropped
    sessions free their seat for the session's waitlist. Emails the delegate that details changed (no
    email when nothing changed). A confirmed delegate's badge is rendered again after commit when a
    detail printed on it changed."""
    registration, forum, _sessions = _lock_registration(registration)
    if registration.status not in ACTIVE_STATUSES:
        raise RegistrationError(_("This registration is no longer active."))
    deadline = registration_edit_deadline(forum=forum)
    if deadline and (now or timezone.now()) >= deadline:
        raise RegistrationClosed(_("The deadline for changes has passed; please contact the secretariat."))
    changed = []
    for name in EDITABLE_FIELDS:
        if name in data and getattr(registration, name) != data[name]:
            setattr(registration, name, data[name])
            changed.append(name)
    if changed:
        registration.save(update_fields=[*changed, "updated_at"])
        if registration.status == RegistrationStatus.CONFIRMED and BADGE_FIELDS.intersection(changed):
            badge_render_on_commit(registration_id=registration.pk)  # its hash tells if the badge changed

    freed: list[int] = []
    if session_ids is not None:
        wanted = set(session_ids)
        current = {s.session_id: s for s in registration.signups.all()}
        added, dropped = wanted - set(current), set(current) - wanted
        if added:
            locked = lock_sessions(session_ids=added)
            _check_sessions(forum, locked, added)
            for session_id in sorted(added):
                SessionSignup.objects.create(
                    registration=registration, session_id=session_id, status=SignupStatus.WAITLISTED
                )
            if registration.status == RegistrationStatus.CONFIRMED:
                _allocate_signups(registration, locked)
        for session_id in sorted(dropped):
            if current[session_id].status == SignupStatus.CONFIRMED:
                freed.append(session_id)
            current[session_id].delete()
        if added or dropped:
            changed.append("sessions")
    if changed:
        email_queue(registration=registration, kind=EmailKind.CHANGED, detail=f"{timezone.now().timestamp()}")
    if freed:
        _promote_from_waitlist(forum=forum, freed_session_ids=freed)
    return registration
