"""The demo's check-in lists: each demo forum gets the lists the product keeps for every forum (an entry
list per day, one per session that needs sign-up or has a capacity — the site visit, the gala dinner),
so that the door's page can check the demo's confirmed delegates in from their badges at once."""

from collections.abc import Iterable

from events.models import Forum

from ..checkin.services import checkin_lists_sync
from ..models import CheckInList


def checkin_demo_seed(*, forums: Iterable[Forum]) -> int:
    """Give each of ``forums`` its automatic check-in lists (``checkin_lists_sync``: idempotent, and
    what staff added is left alone). Returns how many lists were made."""
    forums = list(forums)
    before = CheckInList.objects.filter(forum__in=forums).count()
    for forum in forums:
        checkin_lists_sync(forum=forum)
    return CheckInList.objects.filter(forum__in=forums).count() - before
