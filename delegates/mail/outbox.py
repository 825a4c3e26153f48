"""The email outbox: every email is first a row, written in the same transaction as the change it
reports, then sent by a Celery task enqueued after commit. This module is the only writer of outbox rows
(the account emails of allauth come through ``outbox_account_queue``), with ``outbox_staff``, which writes
in bulk the rows of the emails staff write to delegates.

- Written by the worker: a registration's row names the event (registration, kind, reason); the worker
  renders the message when it first sends the row and keeps what it sent on the row, so a retry sends
  the same message. The request that made the change, holding the seat locks, does not spend its time
  on it.
- Idempotent: the row's unique key names the event it reports, and a row is sent once: its attempt is
  recorded and committed first (PENDING → SENDING, the worker's until a lease ends), then the relay is
  spoken to with the row's own Message-ID (the same for every attempt), then SENT is written — on a new
  database connection, a few times, if the one in use broke. A retried or duplicated task finds the row
  taken or sent and does nothing. A worker that dies between the relay's answer and that write leaves
  the row SENDING; once the lease is over the sweep sends it again, with the same Message-ID: at most
  one more copy per such death, never a lost email (README, "Email delivery").
- Nothing is lost: if the broker is down when the change commits, the row stays PENDING and the
  periodic ``outbox_sweep`` sends it once the broker is back. The delegate never sees that error.
- Retries: a transient SMTP failure leaves the row PENDING (attempts and last error recorded) and the
  task retries with exponential backoff (``retry_delay``). The sweep leaves alone rows whose retry is
  still on its way, so a long outage of the mail relay does not multiply tasks; it picks up a row only
  once its retry is overdue (lost with a dead broker or worker). A permanent refusal (5xx) marks the
  row FAILED for staff to look at and send again (``outbox_retry``).
- What goes on the wire (``outbox_send``): From ``DEFAULT_FROM_EMAIL``, Reply-To the secretariat
  (``outbox_reply_to``), a Date in UTC (+0000) and a subject folded as RFC 2047 wants
  (``message.OutboxEmail``).
- Not sent on purpose: ``outbox_skip`` marks rows SKIPPED with a note (the demo's fictional
  delegates); they are written like any other, and neither the task, the sweep nor "send again"
  touches them.
"""

import logging
import random
import re
import smtplib
import time
import uuid
from collections.abc import Iterable
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .. import background
from ..enums import EmailKind, InvitationStatus, OutboxStatus
from ..models import EmailOutbox, Invitation, Registration, StaffEmail
from .message import OutboxEmail
from .rendering import email_copy_to, email_render
from .staff_rendering import staff_email_render

logger = logging.getLogger(__name__)

# What a database connection that broke raises (a restarted server, a connection cut by the network or
# by pg_terminate_backend): worth a new connection and another try.
DATABASE_CONNECTION_ERRORS = (OperationalError, InterfaceError)


def email_queue(
    *,
    registration: Registration,
    kind: str,
    reason: str = "",
    detail: str = "",
    last_change: int | None = None,
    to: str = "",
) -> EmailOutbox:
    """Write the outbox row for this event and enqueue its sending after the transaction commits.

    The key is made of the registration, the kind and its latest status change (plus ``detail``), so
    queueing the same event twice yields one row (and one send). A caller that has just recorded that
    change passes its id (``last_change``); otherwise it is looked up. The email goes to the
    delegate's address, copied to whoever registered them; ``to`` sends it to another address instead,
    without the copy (the previous address after a correction: pass a ``detail`` of its own)."""
    if last_change is None:
        last_change = registration.history.order_by("-id").values_list("id", flat=True).first()
    key = f"registration:{registration.pk}:{kind}:{last_change or 0}:{detail}"[:200]
    cc = "" if to else email_copy_to(registration)
    outbox, created = EmailOutbox.objects.get_or_create(
        key=key,
        defaults={
            "registration": registration,
            "kind": kind,
            "to": to or registration.email,
            "cc": cc,
            "reason": reason,
        },
    )
    if created:
        enqueue_on_commit(outbox_id=outbox.pk)
    return outbox


def outbox_render(outbox: EmailOutbox) -> EmailOutbox:
    """Write the message of a registration's row if it has none yet (saved on the row); a written row
    is left as it is, so every attempt sends the same message."""
    if outbox.body_text or outbox.registration_id is None:
        return outbox
    registration = Registration.objects.select_related("forum", "category", "registered_by").get(
        pk=outbox.registration_id
    )
    if outbox.staff_email_id is not None:
        outbox.subject, outbox.body_text, outbox.body_html = staff_email_render(
            staff_email=StaffEmail.objects.get(pk=outbox.staff_email_id), registration=registration
        )
    else:
        outbox.subject, outbox.body_text, outbox.body_html = email_render(
            registration=registration, kind=outbox.kind, reason=outbox.reason
        )
    outbox.save(update_fields=["subject", "body_text", "body_html"])
    return outbox


def outbox_account_queue(*, to: str, subject: str, body_text: str, body_html: str = "") -> EmailOutbox:
    """An account email (verification, password reset, email change), written when it is queued and
    sent like any other row."""
    outbox = EmailOutbox.objects.create(
        key=f"account:{uuid.uuid4()}",
        kind=EmailKind.ACCOUNT,
        to=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
    )
    enqueue_on_commit(outbox_id=outbox.pk)
    return outbox


def outbox_digest_queue(*, key: str, to: str, subject: str, body_text: str, body_html: str) -> EmailOutbox:
    """An email to staff (the approval digest, ``digest.py``), written when it is queued and sent like
    any other row; ``key`` names the digest and the recipient, so queueing it twice yields one row."""
    outbox, created = EmailOutbox.objects.get_or_create(
        key=key[:200],
        defaults={
            "kind": EmailKind.DIGEST,
            "to": to,
            "subject": subject,
            "body_text": body_text,
            "body_html": body_html,
        },
    )
    if created:
        enqueue_on_commit(outbox_id=outbox.pk)
    return outbox


@transaction.atomic
def outbox_skip(*, outbox_ids: Iterable[int], note: str) -> int:
    """Mark these rows as never to be sent: each PENDING one is written first (so staff can still read
    what it would have said), then becomes SKIPPED with ``note`` saying why. Takes the rows' locks in id
    order; rows already sent, failed or skipped are left alone. A task that later picks a skipped row up
    does nothing, and the sweep and "send again" pass it by (they take PENDING or FAILED rows only).
    Returns how many rows were skipped."""
    rows = list(
        EmailOutbox.objects.select_for_update()
        .filter(pk__in=list(outbox_ids), status=OutboxStatus.PENDING)
        .order_by("id")
    )
    for outbox in rows:
        outbox_render(outbox)
    EmailOutbox.objects.filter(pk__in=[outbox.pk for outbox in rows]).update(
        status=OutboxStatus.SKIPPED, note=note[:200]
    )
    return len(rows)


def enqueue_on_commit(*, outbox_id: int) -> None:
    """Hand the row to the worker after the transaction commits (the row stays PENDING for the sweep
    when the broker is down)."""
    background.enqueue_on_commit(
        background.SEND_EMAIL, outbox_id, fallback=f"outbox row {outbox_id} left for the sweep"
    )


def enqueue_send(*, outbox_id: int) -> bool:
    """Hand the row to the worker now; False when the broker is down (the sweep sends it later)."""
    return background.enqueue(
        background.SEND_EMAIL, outbox_id, fallback=f"outbox row {outbox_id} left for the sweep"
    )


def outbox_retry(*, outbox_ids: list[int]) -> tuple[list[int], int]:
    """Staff send rows again: FAILED rows go back to PENDING (the worker sends pending rows only,
    once) and every pending one is handed to the worker. Rows already SENT are left alone. Returns the
    ids handed over and how many could not be (the broker is down: the sweep sends them later)."""
    with transaction.atomic():
        rows = list(
            EmailOutbox.objects.select_for_update()
            .filter(pk__in=outbox_ids, status__in=(OutboxStatus.PENDING, OutboxStatus.FAILED))
            .order_by("id")
            .values_list("pk", flat=True)
        )
        EmailOutbox.objects.filter(pk__in=rows, status=OutboxStatus.FAILED).update(
            status=OutboxStatus.PENDING
        )
    queued = [pk for pk in rows if enqueue_send(outbox_id=pk)]
    return rows, len(rows) - len(queued)


def outbox_invitation_queue(
    *, invitation: Invitation, key: str, subject: str, body_text: str, body_html: str
) -> EmailOutbox:
    """An invitation's email (``invitations.emails``), written when it is queued — it carries the
    personal link, which exists nowhere else — and sent like any other row. Earlier emails of the
    invitation still waiting are not sent (their link no longer works): SKIPPED with a note."""
    earlier = EmailOutbox.objects.filter(invitation=invitation, status=OutboxStatus.PENDING)
    outbox_skip(
        outbox_ids=list(earlier.values_list("pk", flat=True)), note="Replaced by a newer invitation email."
    )
    outbox, created = EmailOutbox.objects.get_or_create(
        key=key[:200],
        defaults={
            "invitation": invitation,
            "kind": EmailKind.INVITATION,
            "to": invitation.email,
            "subject": subject,
            "body_text": body_text,
            "body_html": body_html,
        },
    )
    if created:
        enqueue_on_commit(outbox_id=outbox.pk)
    return outbox


def _without_personal_link(text: str) -> str:
    prefix = re.escape(reverse("delegates:invitation", args=["token"]).removesuffix("token/"))
    return re.sub(rf"({prefix})[A-Za-z0-9_-]+/", r"\1…/", text)


def _invitation_sent(outbox: EmailOutbox) -> None:
    """The invitation's email has gone: the invitation says SENT (if nothing else happened to it
    meanwhile), and the stored copy of the email loses the personal link (only its hash is kept)."""
    Invitation.objects.filter(pk=outbox.invitation_id, status=InvitationStatus.PENDING).update(
        status=InvitationStatus.SENT, sent_at=timezone.now()
    )
    EmailOutbox.objects.filter(pk=outbox.pk).update(
        body_text=_without_personal_link(outbox.body_text), body_html=_without_personal_link(outbox.body_html)
    )


def outbox_reply_to(outbox: EmailOutbox) -> str:
    """Where a reply to this row's email goes (read when it is sent, so a corrected address applies
    to retries too): the secretariat of the registration's forum, else the site-wide
    ``SECRETARIAT_EMAIL`` (account emails have no forum); empty for none."""
    if outbox.invitation_id is not None:
        forum_email = (
            Invitation.objects.filter(pk=outbox.invitation_id)
            .values_list("forum__secretariat_email", flat=True)
            .first()
        )
        if forum_email:
            return forum_email
    if outbox.registration_id is not None:
        forum_email = (
            Registration.objects.filter(pk=outbox.registration_id)
            .values_list("forum__secretariat_email", flat=True)
            .first()
        )
        if forum_email:
            return forum_email
    return settings.SECRETARIAT_EMAIL


def _is_permanent(error: Exception) -> bool:
    """A 5xx answer of the relay about this message: retrying will not help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        return 500 <= error.smtp_code < 600
    return False


def _message_id_domain() -> str:
    """The right-hand side of our Message-IDs: the sender's domain (SITE_DOMAIN if it has none)."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or settings.SITE_DOMAIN


def _message(outbox: EmailOutbox) -> OutboxEmail:
    reply_to = outbox_reply_to(outbox)
    message = OutboxEmail(
        subject=outbox.subject,
        body=outbox.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[outbox.to],
        cc=[outbox.cc] if outbox.cc else [],
        reply_to=[reply_to] if reply_to else [],
        headers={
            "Message-ID": outbox.message_id,
            "X-AMF-Outbox": str(outbox.pk),
            "Auto-Submitted": "auto-generated",
        },
    )
    if outbox.body_html:
        message.attach_alternative(outbox.body_html, "text/html")
    return message


def _claim(outbox_id: int, claimant: str) -> tuple[EmailOutbox, OutboxEmail] | None:
    """Record the attempt before the relay is spoken to: a PENDING row — or a SENDING one whose
    attempt is over (its lease ran out: the worker died), or is this very task's (redelivered after its
    worker died) — becomes SENDING, ``claimant``'s until the lease ends, one attempt more, with its
    message written and its Message-ID made if it has none. Committed before it returns. None when
    there is nothing to send (sent, failed, skipped, or another worker's attempt is under way)."""
    with transaction.atomic():
        outbox = EmailOutbox.objects.select_for_update().filter(pk=outbox_id).first()
        if outbox is None:
            logger.warning("outbox row %s does not exist", outbox_id)
            return None
        now = timezone.now()
        if outbox.status == OutboxStatus.SENDING:
            if outbox.claimed_by != claimant and outbox.sending_until and outbox.sending_until > now:
                logger.info("outbox row %s is being sent by another worker", outbox_id)
                return None
            # Its worker died during the attempt, maybe after the relay took the message: sent again
            # with the same Message-ID.
            logger.warning(
                "email attempt left by a worker that died; sending again", extra={"outbox": outbox_id}
            )
        elif outbox.status != OutboxStatus.PENDING:
            return None
        outbox_render(outbox)
        if not outbox.message_id:
            outbox.message_id = f"<{uuid.uuid4().hex}@{_message_id_domain()}>"
        outbox.status = OutboxStatus.SENDING
        outbox.claimed_by = claimant[:64]
        outbox.sending_until = now + timedelta(seconds=settings.OUTBOX_SENDING_LEASE_SECONDS)
        outbox.attempts += 1
        outbox.save(update_fields=["status", "claimed_by", "sending_until", "attempts", "message_id"])
        return outbox, _message(outbox)


# How often the outcome of an attempt is written before giving up, and the first pause between tries
# (doubled each time: about six seconds in all), each on a new database connection.
RECORD_TRIES = 6
RECORD_FIRST_PAUSE = 0.2


def _record(outbox_id: int, claimant: str, **fields) -> bool:
    """Write the outcome of ``claimant``'s attempt on the row. A database connection that broke (the
    server restarted, the connection was cut) is closed and the write tried again on a new one, a few
    times with backoff; then the error is raised. False if the attempt was no longer ``claimant``'s
    (its lease ran out and another worker took the row)."""
    pause = RECORD_FIRST_PAUSE
    for attempt in range(1, RECORD_TRIES + 1):
        try:
            updated = EmailOutbox.objects.filter(
                pk=outbox_id, status=OutboxStatus.SENDING, claimed_by=claimant
            ).update(claimed_by="", sending_until=None, **fields)
            return bool(updated)
        except DATABASE_CONNECTION_ERRORS:
            # Inside a caller's transaction a new connection would not see its work: nothing to retry.
            if attempt == RECORD_TRIES or connection.in_atomic_block:
                raise
            logger.warning(
                "outcome of an email attempt not recorded; retrying on a new database connection",
                extra={"outbox": outbox_id, "try": attempt},
            )
            connection.close()
            time.sleep(pause)
            pause *= 2
    return False  # not reached


def outbox_send(*, outbox_id: int, claimant: str = "") -> bool:
    """Send one outbox row if it is still to be sent, once.

    First the attempt is recorded and committed (``_claim``: SENDING, ``claimant``'s for
    OUTBOX_SENDING_LEASE_SECONDS; ``claimant`` is the task's id, the same when the task is redelivered),
    then the message goes to the relay with the row's Message-ID, then the outcome is written, on a new
    database connection if the one in use broke (``_record``). So two workers given the same row send
    it once, a connection cut after the relay's answer does not send it again, and a worker that dies
    in between leaves a SENDING row that is sent again, with the same Message-ID, once its lease is over.

    Returns True if sent now, False if there was nothing to do (or the relay refused the message for
    good: the row is then FAILED). A transient SMTP or network error is recorded on the row (PENDING
    again, last error) and raised for the task to retry; so is a database error before the relay was
    spoken to. Must not be called inside a transaction (the attempt must be committed first)."""
    claimant = claimant or uuid.uuid4().hex
    claimed = _claim(outbox_id, claimant)
    if claimed is None:
        return False
    outbox, message = claimed
    try:
        message.send(fail_silently=False)
    except Exception as error:  # any SMTP or network error: recorded here, retried by the task
        last_error = f"{type(error).__name__}: {error}"[:500]
        permanent = _is_permanent(error)
        status = OutboxStatus.FAILED if permanent else OutboxStatus.PENDING
        _record(outbox_id, claimant, status=status, last_error=last_error)
        if not permanent:
            raise
        logger.error("email refused by the relay", extra={"outbox": outbox_id, "kind": outbox.kind})
        return False
    try:
        recorded = _record(
            outbox_id, claimant, status=OutboxStatus.SENT, sent_at=timezone.now(), last_error=""
        )
    except DATABASE_CONNECTION_ERRORS:
        # Sent, but the database stayed out of reach: the row stays SENDING and is sent once more, with
        # the same Message-ID, when its lease is over. Not raised: a retry of the task would do the same
        # at once.
        logger.exception("email sent but not recorded as sent", extra={"outbox": outbox_id})
        return True
    if not recorded:
        logger.warning("email sent after its attempt had expired", extra={"outbox": outbox_id})
    if outbox.invitation_id is not None:
        _invitation_sent(outbox)
    logger.info("email sent", extra={"outbox": outbox_id, "kind": outbox.kind})
    return True


# --- Retries and the sweep -----------------------------------------------------------------------------


def _backoff_bound(retries: int) -> float:
    """The longest wait before retry number ``retries`` + 1 (exponential, capped)."""
    return min(settings.OUTBOX_RETRY_BACKOFF * 2 ** min(retries, 32), settings.OUTBOX_RETRY_BACKOFF_MAX)


def retry_delay(*, retries: int) -> float:
    """Seconds to wait before the next attempt after ``retries`` retries: exponential backoff with
    jitter (between half and all of the bound), so that a relay coming back is not hit by every
    message at once."""
    bound = _backoff_bound(retries)
    return bound / 2 + random.uniform(0, bound / 2)  # noqa: S311 - jitter, not cryptography


def _overdue_after(attempts: int, first_attempt_within: float) -> float:
    """Seconds after a row's creation by which its task chain must have made ``attempts`` + 1 attempts
    if it is still alive: the time to the first attempt, each wait at its longest, and a task's whole
    time limit for each attempt (an unreachable relay takes its timeout to fail)."""
    per_attempt = float(background.SEND_EMAIL_LIMITS[1])
    return first_attempt_within + sum(_backoff_bound(n) + per_attempt for n in range(attempts))


def outbox_sweep(*, older_than: timedelta | None = None) -> int:
    """Re-enqueue rows whose task was lost: PENDING rows never attempted ``older_than`` after they were
    written (default ``OUTBOX_SWEEP_AFTER_SECONDS``; the broker was down) or whose retry is overdue (the
    broker or worker died in between), and SENDING rows whose attempt's lease is over (the worker died
    while it sent them; sent again with the same Message-ID). Rows whose retry is still on its way are
    left alone. Returns how many were enqueued."""
    if older_than is None:
        older_than = timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS)
    now = timezone.now()
    pending = EmailOutbox.objects.filter(status=OutboxStatus.PENDING)
    due = Q(status=OutboxStatus.SENDING, sending_until__lt=now)
    for attempts in pending.values_list("attempts", flat=True).distinct().order_by():
        late = timedelta(seconds=_overdue_after(attempts, older_than.total_seconds()))
        due |= Q(status=OutboxStatus.PENDING, attempts=attempts, created_at__lt=now - late)
    ids = list(EmailOutbox.objects.filter(due).order_by("id").values_list("id", flat=True)[:500])
    return sum(1 for outbox_id in ids if enqueue_send(outbox_id=outbox_id))
