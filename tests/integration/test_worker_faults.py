"""Workers that die, and database connections cut under them, with real parts: a Redis server of the
test's own, Celery workers in prefork pools (as in production) and beat in their own processes on the
test database, an SMTP server (aiosmtpd), PostgreSQL.

- A print job: the pool process running it SIGKILLed (the worker redelivers it at once), then the
  whole worker running it SIGKILLed with its children (its task stays at the broker for an hour): the
  other worker's sweep notices the late heartbeat and completes the job within seconds here (two
  minutes in production), and no badge file is left in the render folder or the temporary folder.
- An email batch: a pool process SIGKILLed, then the whole worker, while they speak to the relay: every
  email arrives exactly once (counted by Message-ID at the SMTP server), none is lost.
- The worker's PostgreSQL connections terminated (pg_terminate_backend) right after the relay took
  each message, and at random while it sends: no email twice, none lost.

The thresholds are the production settings made short (seconds instead of a minute).
"""

import asyncio
import collections
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psutil
import psycopg
import pytest
from django.core.files.storage import default_storage
from django.db import connection

from delegates.checkin.tokens import new_checkin_token
from delegates.enums import BadgeOrder, OutboxStatus, PrintJobStatus
from delegates.mail.outbox import outbox_account_queue
from delegates.models import EmailOutbox, PrintJob, Registration
from delegates.printing.services import print_job_start
from events.enums import BadgeLayout
from tests.delegates.printing.jobs import libpq
from tests.factories import DelegateCategoryFactory, ForumFactory, RegistrationFactory
from tests.integration.workers import (
    ROOT,
    CeleryWorker,
    SmtpServer,
    redis_server,
    use_broker,
    wait_for,
    worker_env,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Production's thresholds, short: a print job's heartbeat every half second, gone after 3 s; beat sweeps
# every second; an email's attempt is its worker's for 12 s (longer than the relay is held below).
FAST = {
    "PRINT_JOB_HEARTBEAT_SECONDS": "0.5",
    "PRINT_JOB_STALE_SECONDS": "3",
    "PRINT_JOB_SWEEP_SECONDS": "1",
    "OUTBOX_SWEEP_SECONDS": "1",
    "OUTBOX_SWEEP_AFTER_SECONDS": "3",
    "OUTBOX_SENDING_LEASE_SECONDS": "12",
    "OUTBOX_RETRY_BACKOFF": "0.5",
    "OUTBOX_RETRY_BACKOFF_MAX": "2",
    "EMAIL_TIMEOUT": "15",
    "BADGE_PRINT_CHUNK_SIZE": "8",  # progress, and so a moment to kill, after every eight badges
}


SWEEP_DONE = re.compile(r"Task delegates\.outbox_sweep\[[0-9a-f-]+\] succeeded")


class PoolWorker(CeleryWorker):
    """A prefork worker (``-c 2``), as docker-compose runs it; ``kill()`` SIGKILLs it and its pool
    processes (its process group), as the OOM killer or a lost container would."""

    def __init__(self, *, name: str, **kwargs):
        super().__init__(**kwargs)
        self.name = f"{name}-{uuid.uuid4().hex[:6]}"

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "celery", "-A", "amf", "worker", "-P", "prefork", "-c", "2",
            "-l", "info", "-n", f"{self.name}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip

    def launch(self) -> "PoolWorker":
        """Start the process without waiting for it (workers start side by side)."""
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command(), cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        return self

    def wait_ready(self) -> "PoolWorker":
        wait_for(
            lambda: " ready." in self.log() or self.process.poll() is not None,
            timeout=90,
            what=f"worker {self.name} to be ready",
            log=self.log,
        )
        if self.process.poll() is not None:
            pytest.fail(f"worker {self.name} exited with {self.process.returncode}:\n{self.log()[-8000:]}")
        return self

    def pool(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children()

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=15)

    def stop(self) -> None:  # nothing to finish cleanly at the end of a test
        if self.process is not None and self.process.poll() is None:
            self.kill()


class Beat(CeleryWorker):
    """``celery beat`` in its own process: the periodic sweeps, published to the broker."""

    def command(self) -> list[str]:
        schedule = str(self.workdir / "celerybeat-schedule")
        return [sys.executable, "-m", "celery", "-A", "amf", "beat", "-l", "info", "-s", schedule]

    def start(self, *, timeout: float = 60) -> "Beat":
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command(), cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        return self

    def stop(self) -> None:  # nothing to finish cleanly at the end of a test
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)


@pytest.fixture
def broker(tmp_path):
    with redis_server(tmp_path) as server:
        yield server.url


@pytest.fixture
def processes(transactional_db, broker, tmp_path, settings):
    """``processes.worker(name)``, ``processes.beat()``: real processes on the test database and
    broker, sharing one private render folder and one temporary folder (as workers on one machine), all
    stopped when the test ends, before the database is flushed."""

    class Processes:
        started: list[CeleryWorker] = []
        render_dir = tmp_path / "render"
        tmp_dir = tmp_path / "tmp"
        smtp_url = "smtp://127.0.0.1:9"

        def env(self, workdir: Path) -> dict[str, str]:
            self.tmp_dir.mkdir(exist_ok=True)
            return worker_env(
                redis_url=broker,
                email_url=self.smtp_url,
                workdir=workdir,
                MEDIA_ROOT=str(settings.MEDIA_ROOT),
                BADGE_RENDER_DIR=str(self.render_dir),
                TMPDIR=str(self.tmp_dir),
                **FAST,
            )

        def _workdir(self) -> Path:
            workdir = tmp_path / f"process{len(self.started)}"
            workdir.mkdir()
            return workdir

        def workers(self, *names: str) -> list[PoolWorker]:
            """Workers of these names, started side by side; returned once all are ready."""
            started = []
            for name in names:
                workdir = self._workdir()
                started.append(PoolWorker(name=name, env=self.env(workdir), workdir=workdir).launch())
                self.started.append(started[-1])
            return [worker.wait_ready() for worker in started]

        def beat(self) -> Beat:
            workdir = self._workdir()
            beat = Beat(env=self.env(workdir), workdir=workdir)
            self.started.append(beat)
            return beat.start()

        def logs(self, tail: int = 6000) -> str:
            """The processes' logs, the last ``tail`` characters of each (0: all of them)."""
            return "\n".join(
                f"--- {p.log_path.parent.name}\n{p.log()[-tail:] if tail else p.log()}" for p in self.started
            )

        def sweeps(self) -> int:
            return sum(len(SWEEP_DONE.findall(p.log())) for p in self.started)

    yield Processes()
    for process in Processes.started:
        process.stop()


# --- A print job ---------------------------------------------------------------------------------------

BADGES = 64


@pytest.fixture
def forum():
    forum = ForumFactory(name="ASEAN Mayors Forum 2031", slug="amf-faults")
    category = DelegateCategoryFactory(forum=forum, name="Mayor / Governor", slug="mayor")
    Registration.objects.bulk_create(
        RegistrationFactory.build(
            forum=forum,
            category=category,
            given_name=f"N{n:03d} Somchai",
            family_name="",
            badge_name=f"N{n:03d} Somchai",
            native_name="สมชาย ใจดี",
            native_name_lang="th",
            checkin_token=new_checkin_token(),
        )
        for n in range(BADGES)
    )
    return forum


def running(job: PrintJob, *, attempts: int, processes) -> PrintJob:
    """The job once its run number ``attempts`` has rendered a first chunk."""

    def seen():
        current = PrintJob.objects.get(pk=job.pk)
        if current.status in (PrintJobStatus.DONE, PrintJobStatus.FAILED):
            pytest.fail(f"job {current.status} before it could be interrupted\n{processes.logs()}")
        return current if current.attempts == attempts and current.done > 0 and current.runner else None

    return wait_for(seen, timeout=60, what=f"run {attempts} of the job to render", log=processes.logs)


def worker_running(job: PrintJob, workers: list[PoolWorker]) -> tuple[PoolWorker, int]:
    node, _, pid = job.runner.partition(" pid ")
    [worker] = [worker for worker in workers if node.startswith(f"{worker.name}@")]
    return worker, int(pid)


def files_under(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def test_print_job_survives_a_killed_pool_process_then_a_killed_worker(forum, broker, processes):
    processes.beat()
    workers = processes.workers("print-a", "print-b")
    with use_broker(broker):
        job = print_job_start(
            forum=forum,
            registrations=Registration.objects.filter(forum=forum),
            order=BadgeOrder.CATEGORY_NAME,
            layout=BadgeLayout.A6,
            actor=None,
        )

    # The pool process rendering the job is killed (its rendering processes die with it): its worker
    # sees it lost and hands the task to another pool process at once.
    first = running(job, attempts=1, processes=processes)
    _worker, pid = worker_running(first, workers)
    os.kill(pid, signal.SIGKILL)

    # Then the whole worker running it, with all its processes: its task stays unacknowledged at the
    # broker (for an hour); the sweep of the other worker notices the heartbeat stopped.
    second = running(job, attempts=2, processes=processes)
    victim, _pid = worker_running(second, workers)
    victim.kill()
    killed = time.monotonic()

    job = wait_for(
        lambda: PrintJob.objects.filter(pk=job.pk, status__in=("done", "failed")).first(),
        timeout=120,
        what="the job to finish after its worker was killed",
        log=processes.logs,
    )
    assert time.monotonic() - killed < 120
    assert (job.status, job.error, job.attempts, job.done) == (PrintJobStatus.DONE, "", 3, BADGES)
    [survivor] = [worker for worker in workers if worker is not victim]
    assert job.runner.startswith(f"{survivor.name}@")
    path = Path(default_storage.path(job.file.name))
    text = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True, text=True, timeout=60
    ).stdout
    pages = text.split("\f")[:BADGES]
    assert [f"N{n:03d}" in page for n, page in enumerate(pages)] == [True] * BADGES
    # The killed runs' chunks (names, check-in tokens) are gone with the run that completed the job.
    assert files_under(processes.render_dir) == []
    assert files_under(processes.tmp_dir) == []


# --- An email batch ------------------------------------------------------------------------------------


class HeldSmtpServer(SmtpServer):
    """Holds every RCPT while ``held`` is set (the workers wait on the relay, in the middle of their
    attempts), counting the attempts held so far."""

    def __init__(self):
        super().__init__()
        self.held = threading.Event()
        self.holds = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.held.is_set():
            self.holds += 1
            while self.held.is_set():
                await asyncio.sleep(0.02)
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


def queue_emails(count: int, broker: str) -> list[int]:
    with use_broker(broker):
        return [
            outbox_account_queue(
                to=f"delegate{n}@city{n}.example.org", subject=f"Email {n}", body_text=f"Hello {n}"
            ).pk
            for n in range(count)
        ]


def delivered_exactly_once(smtp: SmtpServer, ids: list[int], processes) -> None:
    wait_for(
        lambda: EmailOutbox.objects.filter(pk__in=ids, status=OutboxStatus.SENT).count() == len(ids),
        timeout=90,
        what="every email marked sent",
        log=processes.logs,
    )
    # Two more sweeps, for a late second copy to show up if there were one.
    sweeps = processes.sweeps()
    wait_for(lambda: processes.sweeps() >= sweeps + 2, timeout=30, what="two more sweeps")
    rows = dict(EmailOutbox.objects.filter(pk__in=ids).values_list("message_id", "pk"))
    assert len(rows) == len(ids)
    counts = collections.Counter(message["Message-ID"] for message in smtp.messages)
    assert sorted(counts) == sorted(rows), "lost or unknown emails"
    assert {mid: n for mid, n in counts.items() if n != 1} == {}, "emails sent twice"


@pytest.fixture
def held_smtp():
    server = HeldSmtpServer().start()
    yield server
    server.held.clear()
    server.stop()


def test_email_batch_survives_a_killed_pool_process_then_a_killed_worker(broker, processes, held_smtp):
    processes.smtp_url = held_smtp.url
    processes.beat()
    victim, other = processes.workers("mail-a", "mail-b")
    held_smtp.held.set()

    ids = queue_emails(30, broker)

    # Every pool process of both workers is in the middle of an attempt, waiting on the relay.
    wait_for(lambda: held_smtp.holds >= 4, timeout=30, what="four attempts held", log=processes.logs)
    [child, *_] = victim.pool()
    child.kill()  # its worker redelivers the task to a new pool process, which takes the attempt over
    wait_for(lambda: held_smtp.holds >= 5, timeout=30, what="the attempt taken over", log=processes.logs)
    victim.kill()  # its two attempts stay SENDING; the other worker sends them once their lease is over
    held_smtp.held.clear()

    delivered_exactly_once(held_smtp, ids, processes)
    taken_over = EmailOutbox.objects.filter(pk__in=ids, attempts__gt=1).count()
    assert taken_over >= 3  # the pool process's attempt and the killed worker's two
    assert other.process.poll() is None


# --- Database connections cut while sending ------------------------------------------------------------


class CuttingSmtpServer(SmtpServer):
    """Terminates the workers' PostgreSQL connections after taking each message, before its 250:
    the worker learns the relay took it, then finds its database connection dead."""

    def __init__(self, *, spare: set[int]):
        super().__init__()
        self.spare = spare
        self.cuts = 0

    def cut(self) -> int:
        try:
            with psycopg.connect(**libpq(), autocommit=True) as admin:
                self.spare.add(admin.execute("SELECT pg_backend_pid()").fetchone()[0])
                cut = admin.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND NOT (pid = ANY(%s))",
                    [list(self.spare)],
                ).fetchone()[0]
        except psycopg.OperationalError:  # cut by the other cutter before it knew this connection
            return 0
        self.cuts += cut
        return cut

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        self.cut()
        return reply


def test_database_connections_cut_while_sending_send_no_email_twice_and_lose_none(broker, processes):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        spare = {cursor.fetchone()[0]}  # this test's own connection
    smtp = CuttingSmtpServer(spare=spare).start()
    stop = threading.Event()

    def cut_at_random():  # and at any other moment: claims, commits, retries
        while not stop.wait(random.uniform(0.2, 0.6)):  # noqa: S311 - timing, not cryptography
            smtp.cut()

    try:
        processes.smtp_url = smtp.url
        processes.beat()
        processes.workers("cut")
        ids = queue_emails(30, broker)
        cutter = threading.Thread(target=cut_at_random, daemon=True)
        cutter.start()
        wait_for(lambda: len(smtp.received) >= 30, timeout=90, what="30 emails", log=processes.logs)
        stop.set()
        cutter.join(timeout=10)

        delivered_exactly_once(smtp, ids, processes)
        assert smtp.cuts >= 30
        assert "retrying on a new database connection" in processes.logs(tail=0)
    finally:
        stop.set()
        smtp.stop()
