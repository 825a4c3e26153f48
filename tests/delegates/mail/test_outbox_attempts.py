"""An email's attempt (``delegates/mail/outbox.py``): recorded and committed before the relay is spoken
to, sent with the row's own Message-ID every time, its outcome written on a new database connection
when the one in use was cut right after the relay's answer, and a row left SENDING by a worker that
died sent again by the sweep — with the same Message-ID — once its lease is over, never before.

Real parts: PostgreSQL (a second connection of our own watches and cuts the worker's), and an SMTP
server (aiosmtpd) whose handler looks at the database while the message is being taken."""

import datetime as dt

import psycopg
import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from delegates.enums import EmailKind, OutboxStatus
from delegates.mail.outbox import outbox_send, outbox_sweep
from delegates.models import EmailOutbox
from delegates.tasks import send_outbox_email
from tests.delegates.printing.jobs import libpq
from tests.integration.workers import SmtpServer

pytestmark = pytest.mark.django_db


def row(**fields) -> EmailOutbox:
    values = {"key": f"test:{fields.pop('n', 1)}", "kind": EmailKind.ACCOUNT, "to": "mayor@city.example.org"}
    values.update(fields)
    return EmailOutbox.objects.create(subject="Verify your address", body_text="Hello", **values)


class WatchingSmtpServer(SmtpServer):
    """Calls ``on_data(received so far)`` when a message has been taken, before it answers 250."""

    on_data = None

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        if self.on_data is not None and reply.startswith("250"):
            self.on_data(self.received)
        return reply


@pytest.fixture
def smtp(settings):
    server = WatchingSmtpServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield server.start()
    server.stop()


def test_the_message_id_is_made_once_and_sent_with_every_attempt(settings):
    settings.DEFAULT_FROM_EMAIL = "AMF Events <no-reply@events.uclg-aspac.example.org>"
    outbox = row()

    assert outbox_send(outbox_id=outbox.pk) is True

    outbox.refresh_from_db()
    [message] = mail.outbox
    assert message.extra_headers["Message-ID"] == outbox.message_id
    assert message.message()["Message-ID"] == outbox.message_id
    assert outbox.message_id.startswith("<") and outbox.message_id.endswith("@events.uclg-aspac.example.org>")
    assert (outbox.status, outbox.attempts, outbox.claimed_by, outbox.sending_until) == (
        OutboxStatus.SENT,
        1,
        "",
        None,
    )


@pytest.mark.django_db(transaction=True)
def test_the_attempt_is_committed_before_the_relay_takes_the_message(smtp):
    outbox = row()
    seen = []

    def look(received):  # another connection, as the sweep of another worker would see the row
        with psycopg.connect(**libpq()) as other:
            seen.append(
                other.execute(
                    "SELECT status, attempts, message_id, sending_until > now() FROM delegates_emailoutbox"
                    " WHERE id = %s",
                    [outbox.pk],
                ).fetchone()
            )

    smtp.on_data = look

    assert send_outbox_email.apply(args=[outbox.pk], task_id="task-1").get() is True

    outbox.refresh_from_db()
    assert seen == [(OutboxStatus.SENDING, 1, outbox.message_id, True)]
    assert smtp.received[0].message["Message-ID"] == outbox.message_id
    assert (outbox.status, outbox.attempts) == (OutboxStatus.SENT, 1)


@pytest.mark.django_db(transaction=True)
def test_connection_cut_right_after_the_relay_answers_is_recorded_on_a_new_one(smtp, caplog):
    outbox = row()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        [worker_backend] = cursor.fetchone()
    cut = []

    def cut_the_workers_connection(received):
        with psycopg.connect(**libpq(), autocommit=True) as other:
            cut.append(other.execute("SELECT pg_terminate_backend(%s)", [worker_backend]).fetchone()[0])

    smtp.on_data = cut_the_workers_connection

    assert outbox_send(outbox_id=outbox.pk) is True

    assert cut == [True]
    outbox.refresh_from_db()  # on the new connection
    assert (outbox.status, outbox.attempts, outbox.last_error) == (OutboxStatus.SENT, 1, "")
    assert len(smtp.received) == 1
    assert "retrying on a new database connection" in caplog.text
    assert outbox_sweep(older_than=dt.timedelta(0)) == 0
    assert len(smtp.received) == 1


def test_a_row_another_worker_is_sending_is_left_alone_until_its_lease_is_over():
    outbox = row(
        status=OutboxStatus.SENDING,
        attempts=1,
        message_id="<first@example.org>",
        claimed_by="task-of-another-worker",
        sending_until=timezone.now() + dt.timedelta(seconds=30),
    )

    assert outbox_send(outbox_id=outbox.pk, claimant="task-2") is False
    assert outbox_sweep(older_than=dt.timedelta(0)) == 0
    assert mail.outbox == []

    EmailOutbox.objects.filter(pk=outbox.pk).update(sending_until=timezone.now() - dt.timedelta(seconds=1))
    assert outbox_sweep(older_than=dt.timedelta(0)) == 1  # its worker died: sent again, same Message-ID

    outbox.refresh_from_db()
    assert (outbox.status, outbox.attempts) == (OutboxStatus.SENT, 2)
    assert outbox.message_id == "<first@example.org>"
    [message] = mail.outbox
    assert message.message()["Message-ID"] == "<first@example.org>"


def test_the_same_task_redelivered_after_its_worker_died_takes_its_attempt_over_at_once():
    outbox = row(
        status=OutboxStatus.SENDING,
        attempts=1,
        message_id="<first@example.org>",
        claimed_by="task-1",
        sending_until=timezone.now() + dt.timedelta(seconds=30),
    )

    assert send_outbox_email.apply(args=[outbox.pk], task_id="task-1").get() is True

    outbox.refresh_from_db()
    assert (outbox.status, outbox.attempts) == (OutboxStatus.SENT, 2)
    assert [m.message()["Message-ID"] for m in mail.outbox] == ["<first@example.org>"]


def test_sent_failed_and_skipped_rows_are_never_claimed():
    rows = [row(n=n, status=status) for n, status in enumerate(OutboxStatus) if status != "pending"]
    for outbox in rows:
        EmailOutbox.objects.filter(pk=outbox.pk).update(
            sending_until=timezone.now() + dt.timedelta(seconds=30), claimed_by="other"
        )

    assert [outbox_send(outbox_id=outbox.pk) for outbox in rows] == [False] * len(rows)
    assert mail.outbox == []
