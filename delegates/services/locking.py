"""Row locks for seat counting, always taken in one order: forum, then category, then sessions by id.

Every writer takes the forum row first, so writers of one forum queue behind each other and the locks
taken after it (categories, registrations, sessions) can never deadlock. A writer that cannot get its
lock within ``REGISTRATION_LOCK_TIMEOUT`` seconds gets ``RegistrationBusy``, which views turn into a
friendly "please try again" — never a 500.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import OperationalError, connection
from django.utils.translation import gettext as _

from events.models import Forum, Session

from ..models import DelegateCategory


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
