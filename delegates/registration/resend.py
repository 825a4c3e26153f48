"""Staff send a delegate their last email again (it went to spam, or was deleted): through the outbox
like every email, so it is sent once, retried, and visible in the outbox."""

from django.db import transaction

from ..enums import EmailKind, OutboxStatus
from ..mail.outbox import email_queue
from ..models import EmailOutbox, Registration

__all__ = ["registration_email_resend", "registration_last_email"]

# The outbox key's detail of a copy sent again: it names the row it repeats.
RESEND_DETAIL = "resend-{pk}"


def registration_last_email(*, registration: Registration) -> EmailOutbox | None:
    """The latest email of the registration to the delegate's current address (not the notice sent
    to an address someone tried to register again, nor a copy sent to a previous address)."""
    return (
        registration.emails.exclude(kind=EmailKind.ATTEMPT)
        .filter(to__iexact=registration.email)
        .order_by("-id")
        .first()
    )


@transaction.atomic
def registration_email_resend(*, registration: Registration) -> tuple[EmailOutbox | None, bool]:
    """Queue the registration's last email again (same kind and reason, written afresh by the worker
    from the registration as it is now, to its current address with the usual copy), sent after
    commit. While a copy sent again is still waiting to go out, asking again (a double click, two
    members of staff) queues nothing more. Returns the row and whether it is new; (None, False) when
    the delegate has no email yet. Takes the registration's row lock, so two requests queue one row."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    last = registration_last_email(registration=registration)
    if last is None:
        return None, False
    if ":resend-" in last.key and last.status in (OutboxStatus.PENDING, OutboxStatus.SENDING):
        return last, False
    row = email_queue(
        registration=registration,
        kind=last.kind,
        reason=last.reason,
        detail=RESEND_DETAIL.format(pk=last.pk),
    )
    return row, True
