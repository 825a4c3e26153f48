"""The email outbox (``delegates/mail/outbox.py``, ``delegates/tasks.py``): rows written in the
transaction of the change they report, sending enqueued only after commit, idempotent sending, SMTP
failures recorded and retried, the sweep, and a broker that is down. Celery runs eagerly here (see
conftest); SMTP failures come from a real SMTP server or a closed port, never from a mock."""

import datetime as dt
import logging
import time
from email.utils import parsedate_to_datetime

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from delegates.enums import EmailKind, OutboxStatus, RegistrationStatus
from delegates.mail.outbox import (
    email_queue,
    enqueue_send,
    outbox_retry,
    outbox_send,
    outbox_skip,
    outbox_sweep,
    retry_delay,
)
from delegates.models import EmailOutbox, Registration
from delegates.tasks import send_outbox_email
from tests.integration.workers import SmtpServer, closed_redis_url, free_port, use_broker

pytestmark = pytest.mark.django_db
FORUM = "ASEAN Mayors Forum 2031"


@pytest.fixture
def smtp(settings):
    """Django's SMTP backend pointed at a port of our own; the server is started by the test."""
    server = SmtpServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.stop()


def pending_row(**fields) -> EmailOutbox:
    values = {
        "key": f"test:{time.monotonic_ns()}",
        "kind": EmailKind.CONFIRMED,
        "to": "mayor@city.example.org",
    }
    values.update(fields)
    values.setdefault("subject", values["key"])
    return EmailOutbox.objects.create(body_text="Hello", **values)


def age(row: EmailOutbox, **delta) -> None:
    EmailOutbox.objects.filter(pk=row.pk).update(created_at=timezone.now() - dt.timedelta(**delta))


# --- Written with the change, sent after commit --------------------------------------------------------


def test_outbox_row_is_rolled_back_with_the_registration(
    open_forum, mayors, register, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        registration = register(open_forum, mayors, 1)
        assert EmailOutbox.objects.filter(registration=registration).count() == 1
        raise RuntimeError("the caller failed after the service")

    assert callbacks == []
    assert (Registration.objects.count(), EmailOutbox.objects.count(), len(mail.outbox)) == (0, 0, 0)


def test_email_is_enqueued_only_after_commit(
    open_forum, mayors, assistant, register, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        registration = register(open_forum, mayors, 1, by=assistant)
        row = EmailOutbox.objects.get(registration=registration)
        assert (row.status, mail.outbox) == (OutboxStatus.PENDING, [])

    assert len(callbacks) == 2  # the email, then the badge rendering
    assert mail.outbox == []  # committed, not yet handed to the broker
    callbacks[0]()  # the commit hook: enqueue (the eager "worker" sends at once)

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.SENT, 1, "")
    assert row.sent_at is not None
    [message] = mail.outbox
    assert (message.to, message.cc, message.subject) == (
        ["mayor1@city1.example.org"],
        ["assistant@city-hall.example.org"],
        f"Registration confirmed: {FORUM}",
    )
    assert message.extra_headers["X-AMF-Outbox"] == str(row.pk)
    link = "http://127.0.0.1:8000" + reverse("delegates:registration", args=[registration.public_id])
    assert f"See or change your registration:\n{link}\n" in message.body
    assert f"Reference: {registration.reference}" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert f'href="{link}"' in html


# --- Idempotency ---------------------------------------------------------------------------------------


def test_sending_twice_sends_once(open_forum, mayors, register):
    registration = register(open_forum, mayors, 1)
    row = EmailOutbox.objects.get(registration=registration)

    assert outbox_send(outbox_id=row.pk) is True
    assert outbox_send(outbox_id=row.pk) is False
    send_outbox_email.delay(row.pk)  # a duplicated task

    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 1)


def test_sending_a_row_that_does_not_exist_does_nothing(caplog):
    with caplog.at_level(logging.WARNING, logger="delegates.mail.outbox"):
        assert outbox_send(outbox_id=987654) is False

    assert "outbox row 987654 does not exist" in caplog.text
    assert mail.outbox == []


def test_queueing_the_same_event_twice_gives_one_row(
    open_forum, mayors, register, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        registration = register(open_forum, mayors, 1)
        first = EmailOutbox.objects.get(registration=registration)
        again = email_queue(registration=registration, kind=EmailKind.CONFIRMED)

    assert again.pk == first.pk
    assert EmailOutbox.objects.filter(registration=registration).count() == 1
    assert len(callbacks) == 2  # the email enqueued once, then the badge rendering


# --- Reply-To and Date ---------------------------------------------------------------------------------


def test_reply_to_is_the_forums_secretariat(open_forum, mayors, register, settings):
    settings.SECRETARIAT_EMAIL = "events@uclg-aspac.example.org"
    open_forum.secretariat_email = "amf2031@uclg-aspac.example.org"
    open_forum.save()
    registration = register(open_forum, mayors, 1)

    outbox_send(outbox_id=EmailOutbox.objects.get(registration=registration).pk)

    [message] = mail.outbox
    assert message.reply_to == ["amf2031@uclg-aspac.example.org"]
    assert message.message()["Reply-To"] == "amf2031@uclg-aspac.example.org"


def test_reply_to_falls_back_to_the_site_wide_secretariat_for_forums_and_account_emails(
    open_forum, mayors, register, settings
):
    settings.SECRETARIAT_EMAIL = "events@uclg-aspac.example.org"
    registration = register(open_forum, mayors, 1)
    account = pending_row(kind=EmailKind.ACCOUNT)

    outbox_send(outbox_id=EmailOutbox.objects.get(registration=registration).pk)
    outbox_send(outbox_id=account.pk)

    assert [message.reply_to for message in mail.outbox] == [
        ["events@uclg-aspac.example.org"],
        ["events@uclg-aspac.example.org"],
    ]


def test_without_any_secretariat_address_there_is_no_reply_to(settings):
    settings.SECRETARIAT_EMAIL = ""
    row = pending_row(kind=EmailKind.ACCOUNT)

    outbox_send(outbox_id=row.pk)

    [message] = mail.outbox
    assert (message.reply_to, message.message()["Reply-To"]) == ([], None)


def test_date_header_is_utc_written_as_plus_0000():
    row = pending_row(kind=EmailKind.ACCOUNT)
    before = timezone.now().replace(microsecond=0)

    outbox_send(outbox_id=row.pk)

    [message] = mail.outbox
    date = message.message()["Date"]
    assert date.endswith(" +0000")
    assert before <= parsedate_to_datetime(date) <= timezone.now()


# --- Not sent on purpose ------------------------------------------------------------------------------


def test_skipped_rows_are_written_and_never_sent_swept_or_sent_again(open_forum, mayors, register):
    registration = register(open_forum, mayors, 1)
    row = EmailOutbox.objects.get(registration=registration)
    sent = pending_row(status=OutboxStatus.SENT)

    assert outbox_skip(outbox_ids=[row.pk, sent.pk], note="Demo data: fictional delegate.") == 1

    row.refresh_from_db()
    assert (row.status, row.note, row.subject, row.attempts) == (
        OutboxStatus.SKIPPED,
        "Demo data: fictional delegate.",
        f"Registration confirmed: {FORUM}",
        0,
    )
    link = "http://127.0.0.1:8000" + reverse("delegates:registration", args=[registration.public_id])
    assert f"See or change your registration:\n{link}" in row.body_text  # staff can read what it says
    assert f'href="{link}"' in row.body_html
    sent.refresh_from_db()
    assert (sent.status, sent.note) == (OutboxStatus.SENT, "")
    age(row, days=2)
    assert outbox_send(outbox_id=row.pk) is False
    assert outbox_sweep() == 0
    assert outbox_retry(outbox_ids=[row.pk]) == ([], 0)
    row.refresh_from_db()
    assert (row.status, row.attempts, mail.outbox) == (OutboxStatus.SKIPPED, 0, [])


# --- SMTP failures -------------------------------------------------------------------------------------


def test_failed_smtp_is_recorded_and_the_row_stays_pending_until_sent(open_forum, mayors, register, smtp):
    registration = register(open_forum, mayors, 1)
    row = EmailOutbox.objects.get(registration=registration)

    for attempt in (1, 2):  # nobody listens on the port yet
        with pytest.raises(ConnectionRefusedError):
            outbox_send(outbox_id=row.pk)
        row.refresh_from_db()
        assert (row.status, row.attempts) == (OutboxStatus.PENDING, attempt)
        assert row.last_error.startswith("ConnectionRefusedError: [Errno 111]")

    smtp.start()
    assert outbox_send(outbox_id=row.pk) is True

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.SENT, 3, "")
    [received] = smtp.received
    assert received.rcpt_tos == ["mayor1@city1.example.org"]
    assert received.message["Subject"] == f"Registration confirmed: {FORUM}"


def test_the_worker_writes_the_message_at_the_first_attempt_and_every_retry_sends_the_same(
    open_forum, mayors, register, smtp
):
    registration = register(open_forum, mayors, 1)
    row = EmailOutbox.objects.get(registration=registration)
    assert (row.kind, row.subject, row.body_text, row.body_html) == (EmailKind.CONFIRMED, "", "", "")

    with pytest.raises(ConnectionRefusedError):  # the first attempt writes the message, then fails
        outbox_send(outbox_id=row.pk)
    row.refresh_from_db()
    first = (row.subject, row.body_text, row.body_html)
    assert row.subject == f"Registration confirmed: {FORUM}" and "Given1" in row.body_text
    Registration.objects.filter(pk=registration.pk).update(given_name="Changed")

    smtp.start()
    assert outbox_send(outbox_id=row.pk) is True

    row.refresh_from_db()
    assert (row.subject, row.body_text, row.body_html) == first
    [received] = smtp.received
    assert "Given1" in received.message.get_body(("plain",)).get_content()


def test_task_retries_a_temporary_refusal_up_to_the_limit(open_forum, mayors, register, smtp, settings):
    settings.OUTBOX_MAX_RETRIES = 2
    smtp.refuse_data = "451 4.3.0 Mailbox busy, try again later"
    smtp.start()
    registration = register(open_forum, mayors, 1)
    row = EmailOutbox.objects.get(registration=registration)

    result = send_outbox_email.apply(args=[row.pk])

    assert result.failed()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 3)  # first try and two retries
    assert row.last_error.startswith("SMTPDataError: (451, b'4.3.0 Mailbox busy, try again later')")
    assert smtp.received == []

    smtp.refuse_data = None
    assert send_outbox_email.apply(args=[row.pk]).get() is True
    assert len(smtp.received) == 1


def test_permanent_refusal_marks_the_row_failed_without_retrying(open_forum, mayors, register, smtp):
    smtp.refuse_rcpt = "550 5.1.1 No such mailbox here"
    smtp.start()
    registration = register(open_forum, mayors, 1)
    row = EmailOutbox.objects.get(registration=registration)

    result = send_outbox_email.apply(args=[row.pk])

    assert result.get() is False
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 1)
    assert "550" in row.last_error
    assert "No such mailbox here" in row.last_error


def test_retry_delay_grows_exponentially_with_jitter_and_a_cap(settings):
    settings.OUTBOX_RETRY_BACKOFF, settings.OUTBOX_RETRY_BACKOFF_MAX = 5, 600

    for retries, bound in [(0, 5), (1, 10), (3, 40), (7, 600), (50, 600)]:
        delays = [retry_delay(retries=retries) for _ in range(50)]
        assert all(bound / 2 <= delay <= bound for delay in delays), (retries, delays)


# --- The sweep -----------------------------------------------------------------------------------------


def test_sweep_sends_lost_rows_and_leaves_retries_on_their_way(settings):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 60
    lost = pending_row(subject="never reached the broker")
    age(lost, minutes=2)
    pending_row(subject="just written")
    retrying = pending_row(subject="retry on its way", attempts=1)
    age(retrying, seconds=100)  # its retry is due within 60 s + 5 s backoff + one task's time limit
    overdue = pending_row(subject="retry lost", attempts=1)
    age(overdue, minutes=10)
    exhausted = pending_row(subject="retries exhausted", attempts=11)
    age(exhausted, days=2)
    for done in (OutboxStatus.SENT, OutboxStatus.FAILED):
        age(pending_row(subject=done, status=done), days=2)

    assert outbox_sweep() == 3

    assert sorted(message.subject for message in mail.outbox) == [
        "never reached the broker",
        "retries exhausted",
        "retry lost",
    ]
    statuses = dict(EmailOutbox.objects.values_list("subject", "status"))
    assert (statuses["just written"], statuses["retry on its way"]) == (
        OutboxStatus.PENDING,
        OutboxStatus.PENDING,
    )
    assert outbox_sweep() == 0


def test_sweep_threshold_can_be_given(settings):
    row = pending_row()
    age(row, seconds=5)

    assert outbox_sweep(older_than=dt.timedelta(seconds=10)) == 0
    assert outbox_sweep(older_than=dt.timedelta(seconds=1)) == 1
    assert len(mail.outbox) == 1


# --- Broker down ---------------------------------------------------------------------------------------


def test_broker_down_registration_succeeds_at_once_and_the_sweep_sends_later(
    open_forum, mayors, register, django_capture_on_commit_callbacks, caplog
):
    with use_broker(closed_redis_url()), caplog.at_level(logging.WARNING, logger="delegates.background"):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            registration = register(open_forum, mayors, 1)
        elapsed = time.monotonic() - started

    # Bounded, not a benchmark: kombu's defaults would retry the connection for many seconds.
    assert elapsed < 3, f"a dead broker held the delegate for {elapsed:.1f} s"
    assert len(callbacks) == 2  # the email, then the badge rendering
    assert Registration.objects.get(pk=registration.pk).status == RegistrationStatus.CONFIRMED
    row = EmailOutbox.objects.get(registration=registration)
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 0)
    assert mail.outbox == []
    assert f"broker unavailable; outbox row {row.pk} left for the sweep" in caplog.text

    # The broker is back (here: eager Celery again); the sweep sends the row, once.
    assert outbox_sweep(older_than=dt.timedelta(0)) == 1
    assert outbox_sweep(older_than=dt.timedelta(0)) == 0
    assert [message.to for message in mail.outbox] == [["mayor1@city1.example.org"]]


def test_enqueue_send_with_broker_down_returns_false_quickly():
    with use_broker(f"redis://127.0.0.1:{free_port()}/0"):
        started = time.monotonic()
        assert enqueue_send(outbox_id=1) is False
        assert enqueue_send(outbox_id=2) is False
        elapsed = time.monotonic() - started

    assert elapsed < 3
