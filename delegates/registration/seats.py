"""Seats, and the rule that one is never given twice.

A seat is a CONFIRMED registration (forum and category capacity) or a CONFIRMED session sign-up
(session capacity); seats are counted, never stored. Every writer takes the row locks of ``lock_seats``
in one order before counting — forum, then categories, then sessions, each by id — so writers of one
forum queue behind each other instead of overselling, and can never deadlock. The counts are read after
the locks are held. A writer that cannot get its locks within ``REGISTRATION_LOCK_TIMEOUT`` seconds gets
``RegistrationBusy``, which views turn into a friendly "please try again" — never a 500.

Freed seats go to the waitlists first come first served (``promote_from_waitlist``).
"""

import dataclasses
import functools
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import OperationalError, connection, transaction
from django.utils.translation import gettext as _

from events.models import Forum, Session

from ..badges.storage import badge_issue
from ..enums import EmailKind, RegistrationStatus, SignupStatus
from ..mail.outbox import email_queue
from ..models import DelegateCategory, Registration, SessionSignup, StatusChange
from ..staff.history import history_record, history_status

REASON_PROMOTED = "Promoted from the waitlist"


class RegistrationBusy(Exception):
    """The seats are being counted by someone else right now; try again in a moment."""

    def __init__(self, message: str | None = None):
        super().__init__(
            message or _("Many delegates are registering right now; please try again in a moment.")
        )


def set_lock_timeout() -> None:
    """Bound the wait for row locks in the current transaction (PostgreSQL; SQLite serialises writers
    with IMMEDIATE transactions and its own busy timeout)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SET LOCAL lock_timeout = %s", [f"{int(settings.REGISTRATION_LOCK_TIMEOUT * 1000)}ms"]
            )


def is_lock_timeout(error: OperationalError) -> bool:
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) == "55P03" or "lock timeout" in str(error).lower()


def lock_seats(
    *, forum_id: int, category_ids: Iterable[int] = (), session_ids: Iterable[int] = ()
) -> tuple[Forum, dict[int, DelegateCategory], dict[int, Session]]:
    """Lock the forum row, then the categories, then the sessions, each in id order, and return them
    fresh from the database. Must run inside ``transaction.atomic``; raises RegistrationBusy when a
    lock is not granted within the lock timeout."""
    set_lock_timeout()
    try:
        forum = Forum.objects.select_for_update().get(pk=forum_id)
        categories = {
            c.id: c
            for c in DelegateCategory.objects.select_for_update()
            .filter(pk__in=sorted(set(category_ids)))
            .order_by("id")
        }
    except OperationalError as error:
        if is_lock_timeout(error):
            raise RegistrationBusy from error
        raise
    return forum, categories, lock_sessions(session_ids=session_ids)


def lock_sessions(*, session_ids: Iterable[int]) -> dict[int, Session]:
    """Lock sessions in id order (call with the forum lock held, after the categories)."""
    ids = sorted(set(session_ids))
    if not ids:
        return {}
    try:
        return {s.id: s for s in Session.objects.select_for_update().filter(pk__in=ids).order_by("id")}
    except OperationalError as error:
        if is_lock_timeout(error):
            raise RegistrationBusy from error
        raise


def seats_locked(func):
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


# --- Counting (call with the locks held) ---------------------------------------------------------------


def forum_has_seat(forum: Forum) -> bool:
    if forum.capacity is None:
        return True
    taken = Registration.objects.filter(forum_id=forum.id, status=RegistrationStatus.CONFIRMED).count()
    return taken < forum.capacity


def category_has_seat(category: DelegateCategory) -> bool:
    if category.capacity is None:
        return True
    taken = Registration.objects.filter(category_id=category.id, status=RegistrationStatus.CONFIRMED).count()
    return taken < category.capacity


def session_has_seat(session: Session) -> bool:
    if session.capacity is None:
        return True
    taken = SessionSignup.objects.filter(session_id=session.id, status=SignupStatus.CONFIRMED).count()
    return taken < session.capacity


def set_status(
    registration: Registration, *, status: str, actor: AbstractBaseUser | None, reason: str = ""
) -> None:
    """Change the status of a saved registration and record who, when and why."""
    previous = registration.status
    registration.status = status
    registration.save(update_fields=["status", "updated_at"])
    StatusChange.objects.create(
        registration=registration, from_status=previous, to_status=status, actor=actor, reason=reason
    )
    history_record(obj=registration, actor=actor, message=history_status(previous, status))


def allocate_signups(registration: Registration, sessions: dict[int, Session]) -> None:
    """Give the registration's waiting sign-ups for ``sessions`` (locked) a seat where the session has
    one; call when the registration is confirmed. Sign-ups for other sessions are left as they are."""
    waiting = registration.signups.filter(status=SignupStatus.WAITLISTED, session_id__in=list(sessions))
    for signup in waiting.order_by("session_id"):
        if session_has_seat(sessions[signup.session_id]):
            signup.status = SignupStatus.CONFIRMED
            signup.save(update_fields=["status"])


def release_signups(registration: Registration) -> list[int]:
    """The registration leaves the forum: its sign-ups give up their seat or waitlist place and stay,
    RELEASED, as the record of what was chosen (pages and emails say which places were released).
    Returns the sessions that had a seat."""
    freed = list(
        registration.signups.filter(status=SignupStatus.CONFIRMED).values_list("session_id", flat=True)
    )
    registration.signups.exclude(status=SignupStatus.RELEASED).update(status=SignupStatus.RELEASED)
    return freed


@dataclasses.dataclass
class Promotions:
    """Who ``promote_from_waitlist`` seated: registrations, and sign-ups of delegates already
    confirmed."""

    registrations: list[Registration] = dataclasses.field(default_factory=list)
    signups: list[SessionSignup] = dataclasses.field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.registrations or self.signups)


def promote_from_waitlist(*, forum: Forum, freed_session_ids: Iterable[int]) -> Promotions:
    """Fill freed seats from the waitlists, first come first served: registrations of the forum, then
    session sign-ups of confirmed registrations. Each promoted delegate gets a check-in token and a
    badge (rendered after commit), and is emailed once their sessions are settled, so the email shows
    the sign-ups as they are. Call with the forum lock held. Returns who was seated."""
    categories = {
        c.id: c for c in DelegateCategory.objects.select_for_update().filter(forum_id=forum.id).order_by("id")
    }
    waiting = Registration.objects.filter(forum_id=forum.id, status=RegistrationStatus.WAITLISTED).order_by(
        "created_at", "id"
    )
    promoted: list[Registration] = []
    session_ids = set(freed_session_ids)
    for candidate in waiting:
        if not forum_has_seat(forum):
            break
        if not category_has_seat(categories[candidate.category_id]):
            continue
        set_status(candidate, status=RegistrationStatus.CONFIRMED, actor=None, reason=REASON_PROMOTED)
        badge_issue(registration=candidate)
        # Their sign-ups now compete for seats, in the order they were made.
        session_ids.update(candidate.signups.values_list("session_id", flat=True))
        promoted.append(candidate)
    promoted_ids = {registration.pk for registration in promoted}
    seated: list[SessionSignup] = []
    for session in lock_sessions(session_ids=session_ids).values():
        waiting_signups = SessionSignup.objects.filter(
            session_id=session.id,
            status=SignupStatus.WAITLISTED,
            registration__status=RegistrationStatus.CONFIRMED,
        ).order_by("created_at", "id")
        for signup in waiting_signups.select_related("registration"):
            if not session_has_seat(session):
                break
            signup.status = SignupStatus.CONFIRMED
            signup.save(update_fields=["status"])
            if signup.registration_id not in promoted_ids:  # their promotion email lists the session
                seated.append(signup)
                email_queue(
                    registration=signup.registration, kind=EmailKind.CHANGED, detail=f"signup-{signup.pk}"
                )
    for registration in promoted:
        email_queue(registration=registration, kind=EmailKind.PROMOTED)
    return Promotions(registrations=promoted, signups=seated)
