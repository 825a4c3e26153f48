"""Registration use cases: submit, approve, reject, cancel and update — the one place views, the admin,
commands and tests change a registration.

Every writer takes the seat locks of ``seats.py`` first (forum, then category, then sessions), decides
the status, records the history and queues the email in the same transaction (sent after commit).
Pending registrations (categories that need approval) hold no seat until staff approve them. Sign-ups
of a registration that is not confirmed wait (WAITLISTED) and take their seat when it is confirmed. A
registration that leaves (cancelled, rejected) keeps its sign-ups as RELEASED, holding nothing.
"""

import datetime as dt
import logging
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Forum, Session
from events.selectors import RegistrationState, forum_registration_state

from ..badges.content import BADGE_FIELDS
from ..badges.storage import badge_issue, badge_render_on_commit
from ..enums import ACTIVE_STATUSES, EmailKind, InvitationStatus, RegistrationStatus, SignupStatus
from ..mail.outbox import email_queue
from ..models import DelegateCategory, EmailOutbox, Invitation, Registration, SessionSignup, StatusChange
from ..staff.history import history_changes, history_record, history_status
from .rules import EditRefusal, registration_edit_refusal
from .seats import (
    RegistrationBusy,
    allocate_signups,
    category_has_seat,
    forum_has_seat,
    lock_seats,
    lock_sessions,
    promote_from_waitlist,
    release_signups,
    seats_locked,
    set_status,
)

logger = logging.getLogger(__name__)

# Fields a delegate (or whoever registered them) may change after submitting.
EDITABLE_FIELDS = (
    "honorific", "given_name", "family_name", "native_name", "native_name_lang", "name_order", "badge_name",
    "position", "organisation", "city", "country", "phone", "dietary", "dietary_other", "allergies",
    "accessibility_needs", "accompanying_persons", "arrival_date", "arrival_time", "arrival_flight",
    "departure_date", "departure_time", "departure_flight", "needs_airport_transfer", "hotel",
    "needs_visa_letter", "media_consent",
)  # fmt: skip

# Reasons the system records in the status history when no person decided (staff-facing, stored as
# data: the history keeps the words used at the time).
REASON_NEEDS_APPROVAL = "The category needs staff approval."
REASON_FORUM_FULL = "The forum is full."
REASON_CATEGORY_FULL = "The category is full."

__all__ = [
    "EDITABLE_FIELDS",
    "DuplicateRegistration",
    "InvitationRequired",
    "InvitationUnavailable",
    "RegistrationBusy",
    "RegistrationClosed",
    "RegistrationError",
    "account_of_address",
    "registration_approve",
    "registration_attempt_notify",
    "registration_cancel",
    "registration_in_the_way",
    "registration_link_account",
    "registration_reject",
    "registration_submit",
    "registration_update",
]


class RegistrationError(Exception):
    """A rule stops this action; ``str(error)`` is a friendly, translated message for the user."""


class RegistrationClosed(RegistrationError):
    pass


class InvitationUnavailable(RegistrationError):
    """The invitation cannot register anyone (any more): used a moment ago, revoked, or for another
    category. ``str(error)`` says which."""


class InvitationRequired(RegistrationError):
    """The category is by invitation only and no invitation was given."""


class DuplicateRegistration(RegistrationError):
    """The address already has a registration for this forum that takes part, or one the secretariat
    did not accept: ``registration`` is that one (None if it could not be read). Whether the user is
    told so is for the caller to decide (``selectors.registration_is_known_to``)."""

    def __init__(self, message: str, registration: Registration | None = None) -> None:
        super().__init__(message)
        self.registration = registration


def registration_in_the_way(
    *, forum_id: int, email: str, rejected_stands: bool = True
) -> Registration | None:
    """The registration that stops ``email`` from registering for the forum again: its active one, or
    else (``rejected_stands``) one the secretariat rejected — a rejected delegate does not come back by
    submitting the form again; staff may register them. Cancelled registrations are no obstacle."""
    ended = [RegistrationStatus.CANCELLED] + ([] if rejected_stands else [RegistrationStatus.REJECTED])
    return (
        Registration.objects.filter(forum_id=forum_id, email__iexact=email.strip())
        .exclude(status__in=ended)
        .select_related("forum")
        .order_by("-id")
        .first()
    )


def account_of_address(email: str) -> AbstractBaseUser | None:
    """The account that has verified this address (allauth keeps one per address), if any: the
    delegate's own account, which then sees the registration even if the address moves on."""
    from allauth.account.models import EmailAddress

    address = (
        EmailAddress.objects.filter(email__iexact=email.strip(), verified=True).select_related("user").first()
    )
    return address.user if address is not None else None


def _check_sessions(forum: Forum, sessions: dict[int, Session], wanted: Iterable[int]) -> None:
    if set(sessions) != set(wanted) or any(
        s.forum_id != forum.id or not s.requires_signup for s in sessions.values()
    ):
        raise RegistrationError(_("Please choose among this forum's sessions that need sign-up."))


# --- Use cases -----------------------------------------------------------------------------------------


@seats_locked
def registration_submit(
    *,
    forum: Forum,
    category: DelegateCategory,
    data: dict,
    session_ids: Iterable[int] = (),
    registered_by: AbstractBaseUser | None,
    delegate_user: AbstractBaseUser | None = None,
    over_rejection: bool = False,
    invitation: Invitation | None = None,
    by_staff: bool = False,
    now: dt.datetime | None = None,
) -> Registration:
    """Register a delegate for a forum: always a new registration, with its own reference and history.

    Takes the forum, category and chosen sessions' row locks (in that order), decides the status —
    PENDING if the category needs approval, WAITLISTED if the forum or category is full, CONFIRMED
    otherwise — marks the delegate as a head of local government if the category says so by default,
    gives each chosen session a seat or a waitlist place, records the status history and
    queues the matching email (sent after commit); a confirmed delegate gets a check-in token and their
    badge is rendered after commit. A delegate who cancelled may register again: the new registration
    joins the end of any waitlist, and the cancelled one stays as it was (its history and reasons are
    never shown on the new one). The delegate's account is ``delegate_user`` or, when none is given, the
    account that has verified the address. Raises RegistrationClosed outside the registration window,
    DuplicateRegistration (carrying the registration in the way) if the address has an active
    registration for this forum or one the secretariat rejected (unless ``over_rejection``: staff who
    may add registrations register the delegate after all), RegistrationBusy on lock timeout.
    """
    session_ids = sorted(set(session_ids))
    forum, categories, sessions = lock_seats(
        forum_id=forum.id, category_ids=[category.id], session_ids=session_ids
    )
    category = categories.get(category.id)
    if category is None or category.forum_id != forum.id:
        raise RegistrationError(_("Please choose a delegate category of this forum."))
    moment = now or timezone.now()
    if not by_staff and forum_registration_state(forum=forum, now=moment) != RegistrationState.OPEN:
        raise RegistrationClosed(_("Registration for this forum is not open."))
    _check_sessions(forum, sessions, session_ids)
    if invitation is not None:
        invitation = _invitation_lock(invitation, category=category)
    elif category.by_invitation and not by_staff:
        raise InvitationRequired(_("This category is by invitation only."))
    email = data["email"].strip()
    existing = registration_in_the_way(forum_id=forum.id, email=email, rejected_stands=not over_rejection)
    if existing is not None:
        raise DuplicateRegistration(_("This email address is already registered for this forum."), existing)

    if category.requires_approval:
        status, reason = RegistrationStatus.PENDING, REASON_NEEDS_APPROVAL
    elif not forum_has_seat(forum):
        status, reason = RegistrationStatus.WAITLISTED, REASON_FORUM_FULL
    elif not category_has_seat(category):
        status, reason = RegistrationStatus.WAITLISTED, REASON_CATEGORY_FULL
    else:
        status, reason = RegistrationStatus.CONFIRMED, ""

    registration = Registration(forum=forum)
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(registration, name, data[name])
    registration.category = category
    # Protocol order puts heads of local government first; the category says who they are by default
    # (staff correct it per registration).
    registration.is_head_of_local_government = category.heads_of_local_government
    registration.email = email
    registration.registered_by = registered_by
    registration.user = delegate_user or account_of_address(email)
    registration.privacy_consent_at = moment
    registration.status = status
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError as error:  # the database's word on one active registration per email per forum
        raise DuplicateRegistration(
            _("This email address is already registered for this forum."),
            registration_in_the_way(forum_id=forum.id, email=email),
        ) from error
    change = StatusChange.objects.create(
        registration=registration, from_status="", to_status=status, actor=registered_by, reason=reason
    )
    history_record(
        obj=registration, actor=registered_by, message=history_status("", status), anonymous_is_delegate=True
    )
    if invitation is not None:
        invitation.status, invitation.used_at, invitation.registration = (
            InvitationStatus.USED,
            moment,
            registration,
        )
        invitation.save(update_fields=["status", "used_at", "registration"])
        history_record(
            obj=invitation, actor=registered_by, message=f"Used: registration {registration.reference}."
        )
    for session_id in session_ids:
        SessionSignup.objects.create(
            registration=registration, session_id=session_id, status=SignupStatus.WAITLISTED
        )
    if status == RegistrationStatus.CONFIRMED:
        allocate_signups(registration, sessions)

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


def _invitation_lock(invitation: Invitation, *, category: DelegateCategory) -> Invitation:
    """The invitation, locked and fresh from the database, if it may register a delegate in
    ``category`` now; InvitationUnavailable otherwise."""
    locked = Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
    if locked is None or locked.status == InvitationStatus.REVOKED:
        raise InvitationUnavailable(_("This invitation was withdrawn by the secretariat."))
    if locked.status == InvitationStatus.USED:
        raise InvitationUnavailable(
            _("This invitation has already been used: a delegate has registered through it.")
        )
    if locked.category_id != category.pk:
        raise InvitationUnavailable(_("This invitation is for another delegate category."))
    return locked


def registration_link_account(*, user: AbstractBaseUser, email: str) -> int:
    """An account has just verified ``email``: the registrations made for that address that belong to
    no account yet become its own, so that they stay with it if the address later passes to another
    account. Returns how many were linked."""
    return Registration.objects.filter(email__iexact=email.strip(), user__isnull=True).update(user=user)


@transaction.atomic
def registration_attempt_notify(
    *, registration: Registration, attempted_by: AbstractBaseUser | None, now: dt.datetime | None = None
) -> EmailOutbox:
    """Tell the address of ``registration`` that another account submitted the registration form for
    it (the form answered that account without saying whether the address is registered). Nothing of
    the registration changes and nothing of it is shown to that account. Queues one email to the
    registration's address only (no copy), at most one a day per registration, so the form cannot be
    used to flood a delegate's mailbox; the email names the account that tried."""
    day = (now or timezone.now()).astimezone(dt.UTC).date().isoformat()
    return email_queue(
        registration=registration,
        kind=EmailKind.ATTEMPT,
        reason=getattr(attempted_by, "email", "") or "",
        detail=day,
        to=registration.email,
    )


def _lock_registration(registration: Registration) -> tuple[Registration, Forum, dict[int, Session]]:
    """Lock the forum, the registration (fresh from the database), its category and its sessions.
    The sessions are read after the forum lock is held, so a concurrent edit cannot add one unseen."""
    forum, categories, _sessions = lock_seats(
        forum_id=registration.forum_id, category_ids=[registration.category_id]
    )
    fresh = Registration.objects.select_for_update().get(pk=registration.pk)
    fresh.forum = forum  # the locked row, fresh from the database
    if fresh.category_id not in categories:  # changed by staff since the caller loaded it
        lock_seats(forum_id=forum.id, category_ids=[fresh.category_id])
    sessions = lock_sessions(session_ids=fresh.signups.values_list("session_id", flat=True))
    return fresh, forum, sessions


@seats_locked
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
    if forum_has_seat(forum) and category_has_seat(registration.category):
        set_status(registration, status=RegistrationStatus.CONFIRMED, actor=actor, reason=reason)
        allocate_signups(registration, sessions)
        email_queue(registration=registration, kind=EmailKind.CONFIRMED, reason=reason)
        badge_issue(registration=registration)
    else:
        set_status(registration, status=RegistrationStatus.WAITLISTED, actor=actor, reason=reason)
        email_queue(registration=registration, kind=EmailKind.WAITLISTED, reason=reason)
    return registration


def _leave(
    registration: Registration, *, status: str, actor: AbstractBaseUser | None, reason: str, kind: str
) -> Registration:
    registration, forum, _sessions = _lock_registration(registration)
    if registration.status not in ACTIVE_STATUSES:
        raise RegistrationError(_("This registration is no longer active."))
    held_seat = registration.status == RegistrationStatus.CONFIRMED
    set_status(registration, status=status, actor=actor, reason=reason)
    freed = release_signups(registration)
    email_queue(registration=registration, kind=kind, reason=reason)
    if held_seat:
        promote_from_waitlist(forum=forum, freed_session_ids=freed)
    return registration


@seats_locked
def registration_reject(*, registration: Registration, actor: AbstractBaseUser, reason: str) -> Registration:
    """Staff reject a registration (with a reason that goes into the email). A freed seat goes to the
    first delegate on the waitlist, who is emailed."""
    return _leave(
        registration, status=RegistrationStatus.REJECTED, actor=actor, reason=reason, kind=EmailKind.REJECTED
    )


@seats_locked
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


@seats_locked
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
    refusal = registration_edit_refusal(registration=registration, now=now)
    if refusal == EditRefusal.INACTIVE:
        raise RegistrationError(_("This registration is no longer active."))
    if refusal == EditRefusal.DEADLINE_PASSED:
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
                allocate_signups(registration, locked)
        for session_id in sorted(dropped):
            if current[session_id].status == SignupStatus.CONFIRMED:
                freed.append(session_id)
            current[session_id].delete()
        if added or dropped:
            changed.append("sessions")
    if changed:
        history_record(obj=registration, actor=actor, message=history_changes(registration, changed))
        email_queue(registration=registration, kind=EmailKind.CHANGED, detail=f"{timezone.now().timestamp()}")
    if freed:
        promote_from_waitlist(forum=forum, freed_session_ids=freed)
    return registration
