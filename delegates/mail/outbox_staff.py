"""The outbox rows of an email staff wrote to delegates (``staff_emails``): one per recipient, written
in bulk, and the one task that hands them to the worker. Rows like every other (``outbox.py`` sends,
retries and sweeps them); this module and ``outbox.py`` are the only writers of outbox rows."""

from collections.abc import Iterable

from .. import background
from ..enums import EmailKind, OutboxStatus
from ..models import EmailOutbox, Registration, StaffEmail
from .outbox import enqueue_send
from .rendering import email_copy_to

__all__ = ["outbox_staff_dispatch", "outbox_staff_queue"]

# Rows written per INSERT when a staff email is queued for thousands of delegates.
STAFF_EMAIL_BATCH = 1000


def outbox_staff_queue(*, staff_email: StaffEmail, registrations: Iterable[Registration]) -> int:
    """One row per registration for the email staff wrote (``staff_emails.staff_email_send``), written
    in batches in the caller's transaction, each to the delegate's address with the usual copy to
    whoever registered them (``registrations`` must carry ``registered_by``). A row that exists already
    (unique per email and registration) is left as it is. Once the transaction commits one task hands
    the rows to the worker (``outbox_staff_dispatch``); if the broker is down they wait for the sweep.
    Rendered by the worker, each when it is first sent. Returns how many registrations were given."""
    count = 0
    batch: list[EmailOutbox] = []

    def flush() -> None:
        EmailOutbox.objects.bulk_create(batch, ignore_conflicts=True)
        batch.clear()

    for registration in registrations:
        batch.append(
            EmailOutbox(
                key=f"staff:{staff_email.pk}:{registration.pk}",
                staff_email=staff_email,
                registration=registration,
                kind=EmailKind.STAFF,
                to=registration.email,
                cc=email_copy_to(registration),
            )
        )
        count += 1
        if len(batch) >= STAFF_EMAIL_BATCH:
            flush()
    if batch:
        flush()
    background.enqueue_on_commit(
        background.DISPATCH_STAFF_EMAIL,
        staff_email.pk,
        fallback=f"rows of staff email {staff_email.pk} left for the sweep",
    )
    return count


def outbox_staff_dispatch(*, staff_email_id: int) -> int:
    """Hand each row of a staff email not attempted yet to the worker (the dispatch task; running it
    twice is harmless: a row is sent once). Stops at the first refusal of the broker: the rest are left
    for the sweep. Returns how many were handed over."""
    ids = (
        EmailOutbox.objects.filter(staff_email_id=staff_email_id, status=OutboxStatus.PENDING, attempts=0)
        .order_by("id")
        .values_list("id", flat=True)
    )
    handed = 0
    for outbox_id in ids.iterator(chunk_size=STAFF_EMAIL_BATCH):
        if not enqueue_send(outbox_id=outbox_id):
            break
        handed += 1
    return handed
