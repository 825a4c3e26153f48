"""Celery tasks of delegates. Thin: they take ids, call one service and own the retries."""

import logging
import smtplib
import socket

from celery import shared_task
from django.conf import settings

from .services.emails import outbox_send, outbox_sweep, retry_delay

logger = logging.getLogger(__name__)

# Transient failures of the mail relay: the message is retried with exponential backoff. (SMTP errors
# and socket timeouts are OSErrors too; listed for the reader.)
TRANSIENT_MAIL_ERRORS = (smtplib.SMTPException, ConnectionError, socket.timeout, TimeoutError, OSError)


@shared_task(bind=True, name="delegates.send_outbox_email", soft_time_limit=60, time_limit=90)
def send_outbox_email(self, outbox_id: int) -> bool:
    """Send one outbox row (idempotent: a row already sent is left alone). Backoff and the number of
    retries come from the OUTBOX_RETRY_* settings, read when the task runs."""
    try:
        return outbox_send(outbox_id=outbox_id)
    except TRANSIENT_MAIL_ERRORS as error:
        logger.warning(
            "email not sent, will retry", extra={"outbox": outbox_id, "retries": self.request.retries}
        )
        raise self.retry(
            exc=error,
            countdown=retry_delay(retries=self.request.retries),
            max_retries=settings.OUTBOX_MAX_RETRIES,
        ) from error


@shared_task(name="delegates.outbox_sweep", soft_time_limit=120, time_limit=150)
def sweep_outbox() -> int:
    """Periodic (beat): send what the broker never received, or whose retry was lost."""
    return outbox_sweep()
