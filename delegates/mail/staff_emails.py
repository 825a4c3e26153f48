"""Emails staff write to delegates: compose one (to a selection of registrations or to a filter of a
forum's), change it while it is a draft, and send it — once.

Sending takes the email's row lock, checks it has not been sent, and writes one outbox row per
recipient (``outbox.outbox_staff_queue``, in batches) and the sent mark in one transaction; the rows are
handed to the worker after commit. A second "Send" — a double click, a colleague, a retried request —
waits for the lock, then finds the email sent and writes nothing; the database holds to one row per
email and registration as well. Each recipient's copy is rendered by the worker with their
placeholders filled (``staff_rendering``), sent, retried and shown in the outbox like every email.
Who wrote and who sent what is on the email's History page (``staff.history``).
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from events.models import Forum

from ..models import StaffEmail
from ..staff.history import history_record
from .outbox_staff import outbox_staff_queue
from .placeholders import placeholders_check
from .selectors import staff_email_recipients


class StaffEmailError(Exception):
    """Why an email cannot be sent, in words for staff."""


class AlreadySent(StaffEmailError):
    def __init__(self, staff_email: StaffEmail):
        super().__init__("already sent")
        self.staff_email = staff_email


class NoRecipients(StaffEmailError):
    pass


def _check(subject: str, body: str) -> None:
    errors = {}
    for field, text in (("subject", subject), ("body", body)):
        try:
            placeholders_check(text)
        except ValidationError as error:
            errors[field] = error
    if "\n" in subject or "\r" in subject:
        errors.setdefault("subject", ValidationError(gettext("A subject is one line."), code="lines"))
    if errors:
        raise ValidationError(errors)


def _lines(text: str) -> str:
    """Line breaks as ``\n`` (a browser posts a textarea's as CRLF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


@transaction.atomic
def staff_email_compose(
    *,
    forum: Forum,
    subject: str,
    body: str,
    actor: AbstractBaseUser,
    description: str,
    criteria: dict | None = None,
    registration_ids: list[int] | None = None,
) -> StaffEmail:
    """Save a draft to the registrations ``registration_ids`` of ``forum`` (a selection) or else to
    those ``criteria`` match. Raises ``ValidationError`` (by field) for an unknown placeholder or an
    unbalanced brace. Logged in the email's history."""
    _check(subject, body)
    body = _lines(body)
    staff_email = StaffEmail.objects.create(
        forum=forum,
        subject=subject,
        body=body,
        created_by=actor,
        description=description[:500],
        criteria=criteria or {},
        registration_ids=registration_ids,
    )
    history_record(obj=staff_email, actor=actor, message=f"Written, to {staff_email.description}.")
    return staff_email


@transaction.atomic
def staff_email_update(
    *, staff_email: StaffEmail, subject: str, body: str, actor: AbstractBaseUser
) -> StaffEmail:
    """Change the words of a draft (takes its row lock). Raises ``AlreadySent`` once it is sent, and
    ``ValidationError`` as ``staff_email_compose`` does."""
    _check(subject, body)
    locked = StaffEmail.objects.select_for_update().get(pk=staff_email.pk)
    if locked.is_sent:
        raise AlreadySent(locked)
    locked.subject, locked.body = subject, _lines(body)
    locked.save(update_fields=["subject", "body"])
    history_record(obj=locked, actor=actor, message="Changed Subject; Message.")
    return locked


@transaction.atomic
def staff_email_send(*, staff_email_id: int, actor: AbstractBaseUser) -> StaffEmail:
    """Send the draft ``staff_email_id`` to its recipients as they are now (cancelled and rejected
    registrations only if its filter asked for them): one outbox row each, the email marked sent by
    ``actor`` with the count, all in one transaction under the email's row lock; the worker is handed
    the rows after commit. Raises ``AlreadySent`` if it was sent already (nothing is written) and
    ``NoRecipients`` if nobody matches now."""
    staff_email = StaffEmail.objects.select_for_update().get(pk=staff_email_id)
    if staff_email.is_sent:
        raise AlreadySent(staff_email)
    recipients = (
        staff_email_recipients(staff_email)
        .select_related("registered_by")
        .only("pk", "email", "registered_by_id", "registered_by__email")
    )
    count = outbox_staff_queue(staff_email=staff_email, registrations=recipients.iterator(chunk_size=2000))
    if count == 0:
        raise NoRecipients("nobody matches")
    staff_email.sent_at = timezone.now()
    staff_email.sent_by = actor
    staff_email.recipient_count = count
    staff_email.save(update_fields=["sent_at", "sent_by", "recipient_count"])
    history_record(
        obj=staff_email, actor=actor, message=f"Sent to {count} delegates ({staff_email.description})."
    )
    return staff_email
