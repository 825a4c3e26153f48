"""Capacity changes: when staff give the forum, a delegate category or a session more places (or lift
the limit), the waitlists move up at once, first come first served, and the promoted delegates are
emailed — as when a seat is freed by a cancellation.

A capacity is written only while the forum's seat lock is held (``capacity_change``), taken before the
capacity row is touched: a delegate registering at that moment counts the seats after the new capacity
is committed, never half-way, and the two writers cannot deadlock (every writer locks the forum first,
``seats.py``). Lowering a capacity takes no seat from anyone: new registrations wait until the number of
confirmed delegates is below it again.

The forum's and sessions' admin pages belong to ``events``, which knows nothing of registrations: the
delegates app replaces them with subclasses whose save goes through here (``admin_capacity.py``).
"""

import contextlib
from collections.abc import Iterator

from django.db import OperationalError, transaction

from events.models import Forum, Session

from ..enums import SignupStatus
from ..models import DelegateCategory, SessionSignup
from .seats import (
    Promotions,
    RegistrationBusy,
    is_lock_timeout,
    lock_seats,
    lock_sessions,
    promote_from_waitlist,
)

__all__ = [
    "CapacityChange",
    "capacity_change",
    "category_update",
    "forum_capacity_update",
    "session_capacity_update",
]


class CapacityChange:
    """What a ``capacity_change`` block did: who the waitlists gave a seat to (``promotions``), known
    once the block has ended."""

    def __init__(self, forum: Forum):
        self.forum = forum
        self.promotions = Promotions()


@contextlib.contextmanager
def capacity_change(*, forum_id: int) -> Iterator[CapacityChange]:
    """Change capacities of the forum, its categories or its sessions inside the ``with`` block.

    Opens a transaction (nested in the caller's), takes the forum's row lock first — RegistrationBusy
    if it is not granted within ``REGISTRATION_LOCK_TIMEOUT`` — and, when the block ends without an
    error, gives every free seat of the forum to its waitlists, first come first served: registrations
    (PROMOTED email, check-in token and badge after commit), then session sign-ups of confirmed
    delegates ("details changed" email). Raises Forum.DoesNotExist for an unknown forum."""
    try:
        with transaction.atomic():
            forum, _categories, _sessions = lock_seats(forum_id=forum_id)
            change = CapacityChange(forum)
            yield change
            forum.refresh_from_db()  # the block may have changed its capacity
            waiting_sessions = (
                SessionSignup.objects.filter(session__forum_id=forum.id, status=SignupStatus.WAITLISTED)
                .order_by()
                .values_list("session_id", flat=True)
                .distinct()
            )
            change.promotions = promote_from_waitlist(forum=forum, freed_session_ids=list(waiting_sessions))
    except OperationalError as error:
        if is_lock_timeout(error):
            raise RegistrationBusy from error
        raise


def category_update(*, category: DelegateCategory) -> Promotions:
    """Save a delegate category as staff edited it (a new one too), under the forum's and the
    category's row locks; places it gained go to the waitlist at once (see ``capacity_change``).
    Returns who was seated."""
    with capacity_change(forum_id=category.forum_id) as change:
        if category.pk is not None:
            lock_seats(forum_id=category.forum_id, category_ids=[category.pk])
        category.save()
    return change.promotions


def forum_capacity_update(*, forum: Forum, capacity: int | None) -> Promotions:
    """Set the forum's overall capacity (None: no limit); places it gained go to the waitlist at once.
    Returns who was seated."""
    with capacity_change(forum_id=forum.pk) as change:
        change.forum.capacity = capacity
        change.forum.save(update_fields=["capacity", "updated_at"])
    forum.capacity = capacity
    return change.promotions


def session_capacity_update(*, session: Session, capacity: int | None) -> Promotions:
    """Set a session's capacity (None: no limit); places it gained go to its waiting sign-ups of
    confirmed delegates at once. Returns who was seated."""
    with capacity_change(forum_id=session.forum_id) as change:
        locked = lock_sessions(session_ids=[session.pk])[session.pk]
        locked.capacity = capacity
        locked.save(update_fields=["capacity", "updated_at"])
    session.capacity = capacity
    return change.promotions
