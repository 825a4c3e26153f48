"""Badge print jobs through a real Celery worker process on Redis and the test database:

- a 200-badge job in a prefork worker (as in production): one PDF of 200 A6 pages in the chosen
  order, progress seen going from 0 to 100 %;
- the worker killed (SIGKILL, with its rendering processes) in the middle of a job: no file, nothing
  to download, the job RUNNING with nobody holding it; then the broker redelivers the task (a short
  visibility timeout for this test's second worker) and that worker completes the job;
- the same, completed through the organiser's restart of the stale job instead.
"""

import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from pypdf import PdfReader

from delegates.checkin.tokens import new_checkin_token
from delegates.enums import BadgeOrder, PrintJobStatus
from delegates.models import PrintJob, Registration
from delegates.printing.services import print_job_can_restart, print_job_restart, print_job_start
from events.enums import BadgeLayout
from tests.factories import DelegateCategoryFactory, ForumFactory, RegistrationFactory
from tests.integration.workers import (
    CeleryWorker,
    closed_redis_url,
    empty_redis_database,
    use_broker,
    wait_for,
    worker_env,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BADGES = 200
NAMES = Path(__file__).resolve().parent.parent / "data" / "delegate-names.tsv"
A6_POINTS = (297.64, 419.53)

# The worker, started with this test's broker transport options (JSON in AMF_TEST_TRANSPORT_OPTIONS)
# laid over the project's, e.g. a visibility timeout of seconds instead of an hour.
LAUNCHER = """
import json, os, sys
from amf.celery import app
extra = json.loads(os.environ.get("AMF_TEST_TRANSPORT_OPTIONS") or "{}")
app.conf.broker_transport_options = {**(app.conf.broker_transport_options or {}), **extra}
app.worker_main(["worker", *sys.argv[1:]])
"""


class PrintJobWorker(CeleryWorker):
    """``CeleryWorker`` with transport options of the test's choosing and a pool: ``solo``, or
    ``prefork`` as in production (tasks then run in daemonic child processes, which must still be
    able to fork their rendering processes). ``kill()`` is SIGKILL for the worker and every process
    it started (its process group), as the OOM killer or a lost machine would."""

    def __init__(self, *, pool: str = "solo", **kwargs):
        super().__init__(**kwargs)
        self.pool = pool

    def command(self) -> list[str]:
        pool = ["-P", "solo"] if self.pool == "solo" else ["-P", "prefork", "-c", "2"]
        return [
            sys.executable, "-c", LAUNCHER, *pool, "-l", "info",
            "-n", f"print-{uuid.uuid4().hex[:8]}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=15)


@pytest.fixture
def redis_url():
    """A Redis database of its own (AMF_TEST_PRINT_REDIS_DB, default 12), emptied before and after."""
    with empty_redis_database(int(os.environ.get("AMF_TEST_PRINT_REDIS_DB", "12"))) as url:
        yield url


@pytest.fixture
def start_worker(transactional_db, redis_url, tmp_path, settings):
    """``start_worker(pool="solo", **transport_options)``: a worker on the test database, ``redis_url``
    and this test's media folder; every worker is stopped (its whole process group) when the test
    ends."""
    workers: list[PrintJobWorker] = []

    def start(pool: str = "solo", **transport_options) -> PrintJobWorker:
        workdir = tmp_path / f"worker{len(workers)}"
        workdir.mkdir()
        env = worker_env(
            redis_url=redis_url,
            email_url=closed_redis_url().replace("redis://", "smtp://"),  # no email in these tests
            workdir=workdir,
            MEDIA_ROOT=str(settings.MEDIA_ROOT),
            AMF_TEST_TRANSPORT_OPTIONS=json.dumps(transport_options),
        )
        worker = PrintJobWorker(env=env, workdir=workdir, pool=pool)
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def job_data():
    """200 confirmed delegates in two categories, their names in every script of the sample file,
    created in random order. The badge name starts with its number, so the expected order of
    "category, then name" is known without our sorting code."""
    samples = [
        line.rstrip("\n").split("\t")
        for line in NAMES.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith(("#", "lang\t"))
    ]
    forum = ForumFactory(name="ASEAN Mayors Forum 2031", slug="amf-print")
    mayors = DelegateCategoryFactory(forum=forum, name="Mayor / Governor", slug="mayor", protocol_rank=10)
    officials = DelegateCategoryFactory(forum=forum, name="Official", slug="official", protocol_rank=20)
    numbers = list(range(BADGES))
    random.Random(2031).shuffle(numbers)  # noqa: S311 - a repeatable shuffle, not cryptography
    rows = []
    for n in numbers:
        lang, _script, honorific, name, native, position, city, country = samples[n % len(samples)]
        rows.append(
            RegistrationFactory.build(
                forum=forum,
                category=mayors if n % 3 else officials,
                honorific=honorific,
                given_name=f"N{n:03d} {name}",  # a single name: badges sort by it
                family_name="",
                badge_name=f"N{n:03d} {name}",
                native_name=native,
                native_name_lang=lang if native else "",
                position=position,
                city=city,
                country=country,
                checkin_token=new_checkin_token(),
            )
        )
    Registration.objects.bulk_create(rows)
    # "Mayor / Governor" before "Official"; in each, by name, i.e. by number.
    expected = [f"N{n:03d}" for n in range(BADGES) if n % 3] + [
        f"N{n:03d}" for n in range(BADGES) if not n % 3
    ]
    return forum, expected


def start_job(forum, redis_url) -> PrintJob:
    with use_broker(redis_url):
        return print_job_start(
            forum=forum,
            registrations=Registration.objects.filter(forum=forum),
            order=BadgeOrder.CATEGORY_NAME,
            layout=BadgeLayout.A6,
            actor=None,
        )


def fresh(job: PrintJob) -> PrintJob:
    return PrintJob.objects.get(pk=job.pk)


def assert_complete_pdf(job: PrintJob, expected: list[str]) -> None:
    """The stored PDF: 200 A6 pages, page n showing the n-th badge of the expected order."""
    path = Path(default_storage.path(job.file.name))
    assert job.file.name == f"print-jobs/{job.public_id}.pdf"
    reader = PdfReader(path)
    assert len(reader.pages) == BADGES
    for page in (reader.pages[0], reader.pages[-1]):
        assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == A6_POINTS
    text = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True, text=True, timeout=120
    ).stdout
    pages = text.split("\f")[:BADGES]
    found = [next((token for token in expected if token in page), None) for page in pages]
    assert found == expected


def wait_until_running(job: PrintJob, worker: PrintJobWorker) -> PrintJob:
    """Until the worker has committed progress on the job (and is still rendering)."""
    deadline = time.monotonic() + 60
    while True:
        current = fresh(job)
        if current.status == PrintJobStatus.RUNNING and current.done > 0:
            return current
        if current.status in (PrintJobStatus.DONE, PrintJobStatus.FAILED) or time.monotonic() > deadline:
            pytest.fail(f"job {current.status} before it could be interrupted\n{worker.log()[-8000:]}")
        time.sleep(0.01)


def test_200_badges_in_one_pdf_in_order_with_progress(job_data, redis_url, start_worker):
    forum, expected = job_data
    worker = start_worker(pool="prefork")  # as docker-compose runs it

    job = start_job(forum, redis_url)
    seen: list[tuple[str, int]] = []
    deadline = time.monotonic() + 180
    while True:
        current = fresh(job)
        seen.append((current.status, current.progress_percent))
        if current.status in (PrintJobStatus.DONE, PrintJobStatus.FAILED):
            break
        if time.monotonic() > deadline:
            pytest.fail(f"the job did not finish in time\n{worker.log()[-8000:]}")
        time.sleep(0.01)

    job = fresh(job)
    assert job.status == PrintJobStatus.DONE, job.error
    percents = [percent for _status, percent in seen]
    assert percents[0] == 0
    assert percents[-1] == 100
    assert percents == sorted(percents), "progress went backwards"
    assert len({p for p in percents if 0 < p < 100}) >= 2, f"no progress seen between 0 and 100: {percents}"
    assert (job.done, job.total, job.attempts) == (BADGES, BADGES, 1)
    assert_complete_pdf(job, expected)
    assert "Task delegates.run_print_job[" in worker.log()
    assert "ForkPoolWorker" in worker.log()  # it ran in a prefork pool process


def assert_interrupted_without_file(job: PrintJob, admin_client) -> None:
    job = fresh(job)
    assert job.status == PrintJobStatus.RUNNING
    assert 0 < job.done < BADGES
    assert job.file.name == ""
    assert not default_storage.exists(f"print-jobs/{job.public_id}.pdf")
    progress = admin_client.get(reverse("admin:delegates_printjob_progress", args=[job.pk])).json()
    assert progress["download_url"] is None
    assert admin_client.get(reverse("admin:delegates_printjob_download", args=[job.pk])).status_code == 404


def test_worker_killed_mid_job_then_redelivered_completes(job_data, redis_url, start_worker, admin_client):
    forum, expected = job_data
    first = start_worker()
    job = start_job(forum, redis_url)
    wait_until_running(job, first)

    first.kill()

    assert_interrupted_without_file(job, admin_client)
    # Its lock died with its database session: the organiser's page offers a restart.
    wait_for(lambda: print_job_can_restart(job=fresh(job)), timeout=10, what="the runner lock released")

    # The broker hands the unacknowledged task to the next worker once its visibility timeout is over
    # (an hour in production; two seconds here).
    second = start_worker(visibility_timeout=2, unacked_restore_throttle=1)
    wait_for(
        lambda: fresh(job).status in (PrintJobStatus.DONE, PrintJobStatus.FAILED),
        timeout=180,
        what="the redelivered job to finish",
        log=second.log,
    )
    job = fresh(job)
    assert job.status == PrintJobStatus.DONE, job.error
    assert (job.attempts, job.done) == (2, BADGES)
    assert_complete_pdf(job, expected)


def test_worker_killed_mid_job_then_restarted_by_the_organiser(
    job_data, redis_url, start_worker, admin_client
):
    forum, expected = job_data
    first = start_worker()
    job = start_job(forum, redis_url)
    wait_until_running(job, first)

    first.kill()

    assert_interrupted_without_file(job, admin_client)
    wait_for(lambda: print_job_can_restart(job=fresh(job)), timeout=10, what="the runner lock released")
    with use_broker(redis_url):
        restarted = print_job_restart(job=fresh(job), actor=None)
    assert (restarted.pk, restarted.status, restarted.done) == (job.pk, PrintJobStatus.QUEUED, 0)

    second = start_worker()
    wait_for(
        lambda: fresh(job).status in (PrintJobStatus.DONE, PrintJobStatus.FAILED),
        timeout=180,
        what="the restarted job to finish",
        log=second.log,
    )
    job = fresh(job)
    assert job.status == PrintJobStatus.DONE, job.error
    assert (job.attempts, job.done) == (1, BADGES)
    assert_complete_pdf(job, expected)
