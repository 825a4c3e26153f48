"""Emails end to end, with real parts: a Redis broker, a Celery worker in its own process on the test
database, and an SMTP server (aiosmtpd) on a free local port.

- register → the email arrives, to the right people, with the right subject and a link that works;
- the mail relay is down, then refusing ("451 try again later"), then accepting → the email arrives
  exactly once, with the Message-ID its row was given at the first attempt;
- the broker is down when the delegate registers → the registration is saved at once, and the worker's
  periodic sweep delivers the email exactly once when the broker is back.
"""

import datetime as dt
import os
import re
import time
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.urls import resolve
from django.utils import timezone

from delegates.enums import EmailKind, OutboxStatus, RegistrationStatus
from delegates.models import EmailOutbox
from delegates.registration.services import registration_submit
from delegates.tasks import send_outbox_email
from tests.factories import DelegateCategoryFactory, ForumFactory, UserFactory
from tests.integration.workers import (
    CeleryWorker,
    SmtpServer,
    closed_redis_url,
    empty_redis_database,
    use_broker,
    wait_for,
    worker_env,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FORUM = "ASEAN Mayors Forum 2031"
THAI = "สมชาย ใจดี"
SWEEP_DONE = re.compile(r"Task delegates\.outbox_sweep\[[0-9a-f-]+\] succeeded")


@pytest.fixture
def redis_url():
    """A Redis database of its own (AMF_TEST_REDIS_DB, default 11), emptied before and after."""
    with empty_redis_database(int(os.environ.get("AMF_TEST_REDIS_DB", "11"))) as url:
        yield url


@pytest.fixture
def smtp_server():
    """An SMTP server on a free port, not started: each test says when the relay is up."""
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def start_worker(transactional_db, redis_url, tmp_path):
    """``start_worker(email_url, beat=False, **env)``: a Celery worker process on the test database and
    ``redis_url``; every worker started is stopped (its whole process group) when the test ends, before
    the database is flushed."""
    workers: list[CeleryWorker] = []

    def start(email_url: str, *, beat: bool = False, **extra: str) -> CeleryWorker:
        workdir = tmp_path / f"worker{len(workers)}"
        workdir.mkdir()
        worker = CeleryWorker(
            env=worker_env(redis_url=redis_url, email_url=email_url, workdir=workdir, **extra),
            workdir=workdir,
            beat=beat,
        )
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def forum_and_category():
    now = timezone.now()
    forum = ForumFactory(
        name=FORUM,
        slug="amf-2031",
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=30),
    )
    return forum, DelegateCategoryFactory(forum=forum, name="Mayor / Governor", slug="mayor")


def submit(forum, category, *, email: str, by=None):
    data = {
        "email": email,
        "honorific": "H.E.",
        "given_name": "Somchai",
        "family_name": "Jaidee",
        "badge_name": "Somchai Jaidee",
        "native_name": THAI,
        "native_name_lang": "th",
        "position": "Governor",
        "organisation": "Bangkok Metropolitan Administration",
        "city": "Bangkok",
        "country": "TH",
    }
    return registration_submit(forum=forum, category=category, data=data, registered_by=by)


def outbox_row(registration) -> EmailOutbox:
    return EmailOutbox.objects.get(registration=registration)


def test_registration_email_arrives_with_a_working_link(
    forum_and_category, redis_url, smtp_server, start_worker, client
):
    forum, category = forum_and_category
    smtp_server.start()
    worker = start_worker(smtp_server.url)
    assistant = UserFactory(email="assistant@bangkok.example.org")
    delegate = UserFactory(email="governor@bangkok.example.org")
    EmailAddress.objects.create(user=delegate, email=delegate.email, verified=True, primary=True)

    with use_broker(redis_url):
        registration = submit(forum, category, email="governor@bangkok.example.org", by=assistant)

    [received] = wait_for(
        lambda: smtp_server.received, timeout=30, what="the email at the SMTP server", log=worker.log
    )
    wait_for(
        lambda: outbox_row(registration).status == OutboxStatus.SENT, timeout=10, what="the row marked sent"
    )
    assert registration.status == RegistrationStatus.CONFIRMED
    assert received.rcpt_tos == ["governor@bangkok.example.org", "assistant@bangkok.example.org"]
    message = received.message
    assert (message["To"], message["Cc"], message["Subject"]) == (
        "governor@bangkok.example.org",
        "assistant@bangkok.example.org",
        f"Registration confirmed: {FORUM}",
    )
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert f"Delegate: H.E. Somchai Jaidee ({THAI})" in text
    assert f"Reference: {registration.reference}" in text
    assert THAI in html
    [link] = re.findall(r"See or change your registration:\s+(\S+)", text)
    assert f'href="{link}"' in html

    path = urlsplit(link).path
    match = resolve(path)
    assert (match.view_name, match.kwargs) == (
        "delegates:registration",
        {"public_id": str(registration.public_id)},
    )
    client.force_login(delegate)
    response = client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assert registration.reference in page
    assert THAI in page
    row = outbox_row(registration)
    assert (row.kind, row.attempts, row.last_error) == (EmailKind.CONFIRMED, 1, "")


def test_smtp_down_then_refusing_then_accepting_delivers_exactly_once(
    forum_and_category, redis_url, smtp_server, start_worker
):
    forum, category = forum_and_category
    worker = start_worker(smtp_server.url, OUTBOX_RETRY_BACKOFF="1", OUTBOX_RETRY_BACKOFF_MAX="2")

    with use_broker(redis_url):
        registration = submit(forum, category, email="governor@bangkok.example.org")

    failed = wait_for(
        lambda: EmailOutbox.objects.filter(registration=registration, attempts__gte=1).first(),
        timeout=30,
        what="a first, failed attempt",
        log=worker.log,
    )
    assert failed.status == OutboxStatus.PENDING
    assert failed.last_error.startswith("ConnectionRefusedError")

    # The relay is back but refuses for now ("try again later"): still pending, retried.
    smtp_server.refuse_data = "451 4.3.0 Mailbox busy, try again later"
    smtp_server.start()
    wait_for(
        lambda: EmailOutbox.objects.filter(
            registration=registration, last_error__startswith="SMTPDataError: (451"
        ).first(),
        timeout=60,
        what="an attempt refused by the relay",
        log=worker.log,
    )
    assert smtp_server.received == []

    smtp_server.refuse_data = None  # now it accepts; the task's next retry finds it
    wait_for(
        lambda: smtp_server.received, timeout=60, what="the email after the relay came back", log=worker.log
    )
    wait_for(
        lambda: outbox_row(registration).status == OutboxStatus.SENT, timeout=10, what="the row marked sent"
    )
    row = outbox_row(registration)
    assert row.attempts >= 3
    assert row.last_error == ""
    assert smtp_server.received[0].message["Message-ID"] == row.message_id  # made once, for every attempt

    # The same task delivered again (a redelivery after a lost acknowledgement): handled, not re-sent.
    with use_broker(redis_url):
        task_id = send_outbox_email.apply_async(args=[row.pk]).id
    wait_for(
        lambda: f"Task delegates.send_outbox_email[{task_id}] succeeded" in worker.log(),
        timeout=30,
        what="the duplicated task to run",
        log=worker.log,
    )
    assert len(smtp_server.received) == 1
    assert smtp_server.received[0].rcpt_tos == ["governor@bangkok.example.org"]
    assert outbox_row(registration).attempts == row.attempts


def test_broker_down_at_registration_then_delivered_once_by_the_sweep(
    forum_and_category, redis_url, smtp_server, start_worker
):
    forum, category = forum_and_category
    smtp_server.start()

    with use_broker(closed_redis_url()):
        started = time.monotonic()
        registration = submit(forum, category, email="governor@bangkok.example.org")
        elapsed = time.monotonic() - started

    assert elapsed < 3, f"a dead broker held the delegate for {elapsed:.1f} s"
    assert registration.status == RegistrationStatus.CONFIRMED
    row = outbox_row(registration)
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 0)

    # The broker is back: a worker with its beat sweeps every second for rows older than a second.
    worker = start_worker(
        smtp_server.url, beat=True, OUTBOX_SWEEP_SECONDS="1", OUTBOX_SWEEP_AFTER_SECONDS="1"
    )
    wait_for(lambda: smtp_server.received, timeout=60, what="the swept email", log=worker.log)
    wait_for(
        lambda: outbox_row(registration).status == OutboxStatus.SENT, timeout=10, what="the row marked sent"
    )
    sweeps = len(SWEEP_DONE.findall(worker.log()))
    wait_for(
        lambda: len(SWEEP_DONE.findall(worker.log())) >= sweeps + 2,
        timeout=30,
        what="two more sweeps",
        log=worker.log,
    )
    assert [r.rcpt_tos for r in smtp_server.received] == [["governor@bangkok.example.org"]]
    assert smtp_server.received[0].message["Subject"] == f"Registration confirmed: {FORUM}"
    assert outbox_row(registration).attempts == 1
