"""Celery tasks of delegates. Thin: they take ids, load the row, call one service and own the retries
(listed transient errors only, backoff, limits). Their names and time limits are in ``background.py``,
which services enqueue through; nothing imports this module but Celery."""

import logging
import os
import smtplib
import socket

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from . import background
from .badges.content import BadgeError
from .badges.storage import badge_store
from .enums import RegistrationStatus
from .mail.digest import approval_digest_sweep
from .mail.outbox import outbox_send, outbox_sweep, retry_delay
from .mail.outbox_staff import outbox_staff_dispatch
from .models import Registration
from .printing.services import print_job_sweep

logger = logging.getLogger(__name__)

# Transient failures of the mail relay: the message is retried with exponential backoff. (SMTP errors
# and socket timeouts are OSErrors too; listed for the reader.)
TRANSIENT_MAIL_ERRORS = (smtplib.SMTPException, ConnectionError, socket.timeout, TimeoutError, OSError)
# A database connection that broke before the relay was spoken to (nothing was sent): retried too.
TRANSIENT_DATABASE_ERRORS = (OperationalError, InterfaceError)


def _limits(limits: tuple[int, int]) -> dict[str, int]:
    soft, hard = limits
    return {"soft_time_limit": soft, "time_limit": hard}


@shared_task(bind=True, name=background.SEND_EMAIL, **_limits(background.SEND_EMAIL_LIMITS))
def send_outbox_email(self, outbox_id: int) -> bool:
    """Send one outbox row (idempotent: a row already sent is left alone). The task's id names the
    attempt, so the same task redelivered after its worker died takes its own attempt over at once.
    Backoff and the number of retries come from the OUTBOX_RETRY_* settings, read when the task runs."""
    try:
        return outbox_send(outbox_id=outbox_id, claimant=self.request.id or "")
    except (*TRANSIENT_MAIL_ERRORS, *TRANSIENT_DATABASE_ERRORS) as error:
        logger.warning(
            "email not sent, will retry", extra={"outbox": outbox_id, "retries": self.request.retries}
        )
        raise self.retry(
            exc=error,
            countdown=retry_delay(retries=self.request.retries),
            max_retries=settings.OUTBOX_MAX_RETRIES,
        ) from error


@shared_task(name=background.DISPATCH_STAFF_EMAIL, **_limits(background.DISPATCH_STAFF_EMAIL_LIMITS))
def staff_email_dispatch(staff_email_id: int) -> int:
    """Hand the rows of an email staff sent to delegates to the send task, one task per row."""
    return outbox_staff_dispatch(staff_email_id=staff_email_id)


@shared_task(name=background.SWEEP_OUTBOX, **_limits(background.SWEEP_OUTBOX_LIMITS))
def sweep_outbox() -> int:
    """Periodic (beat): send what the broker never received, or whose retry was lost."""
    return outbox_sweep()


@shared_task(bind=True, name=background.RUN_PRINT_JOB, **_limits(background.RUN_PRINT_JOB_LIMITS))
def run_print_job(self, job_id: int) -> bool:
    """Render a badge print job into one PDF (idempotent: a finished job, or one another worker is
    running, is left alone; a job whose worker was killed is taken over)."""
    from .printing.runner import print_job_run  # pypdf and the rendering pool load where jobs run

    return print_job_run(job_id=job_id, runner=f"{self.request.hostname or 'worker'} pid {os.getpid()}")


@shared_task(name=background.SWEEP_PRINT_JOBS, **_limits(background.SWEEP_PRINT_JOBS_LIMITS))
def sweep_print_jobs() -> int:
    """Periodic (beat): hand running print jobs whose worker is gone (late heartbeat) to another."""
    return print_job_sweep()


@shared_task(name=background.SEND_APPROVAL_DIGESTS, **_limits(background.SEND_APPROVAL_DIGESTS_LIMITS))
def send_approval_digests() -> int:
    """Periodic (beat): email staff the registrations waiting for approval, per forum, when its digest
    is due (idempotent: a period is reported once, however many runs see it)."""
    return approval_digest_sweep()


def _transient_storage_errors() -> tuple[type[BaseException], ...]:
    """Failures worth another try when a badge is stored: the network, the disk, the database (a lock
    timeout), and the S3 client's connection and service errors when it is installed."""
    errors: tuple[type[BaseException], ...] = (OSError, OperationalError)
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # local media: no S3 client
        return errors
    return (*errors, BotoCoreError, ClientError)


@shared_task(
    bind=True, name=background.RENDER_BADGE, max_retries=5, **_limits(background.RENDER_BADGE_LIMITS)
)
def render_badge(self, registration_id: int) -> bool:
    """Render and store the badge of a confirmed registration (idempotent: a badge whose content hash
    is unchanged is not rendered again). A registration that is gone or no longer confirmed is left
    alone. Storage and database hiccups are retried with exponential backoff."""
    registration = Registration.objects.select_related("forum", "category").filter(pk=registration_id).first()
    if registration is None:
        logger.warning("badge not rendered: no such registration", extra={"registration": registration_id})
        return False
    if registration.status != RegistrationStatus.CONFIRMED:
        logger.info("badge not rendered: not confirmed", extra={"registration": registration_id})
        return False
    try:
        return badge_store(registration=registration)
    except BadgeError:  # no longer confirmed by the time the lock was ours
        return False
    except _transient_storage_errors() as error:
        logger.warning(
            "badge not stored, will retry",
            extra={"registration": registration_id, "retries": self.request.retries},
        )
        raise self.retry(exc=error, countdown=min(10 * 2**self.request.retries, 600)) from error
