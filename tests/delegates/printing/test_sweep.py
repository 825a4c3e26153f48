"""Print jobs whose worker is gone (``services.print_job_sweep``, beat's periodic task): a running job
writes its heartbeat; one whose heartbeat is late and whose runner lock nobody holds is handed to
another worker, which runs it again (eagerly here); a live runner with a late heartbeat, a fresh
heartbeat, and finished jobs are left alone; after too many interruptions the job fails with a
message. Real PostgreSQL (a second connection holds a runner's lock), real rendering."""

import datetime as dt

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from delegates.enums import PrintJobStatus
from delegates.models import PrintJob
from delegates.printing.runner import ADVISORY_NAMESPACE, MAX_ATTEMPTS, print_job_run
from delegates.printing.services import print_job_sweep
from delegates.tasks import sweep_print_jobs
from tests.delegates.printing.jobs import libpq, pdf_pages, read_file, start

pytestmark = pytest.mark.django_db


def abandoned(job, *, attempts=1, seconds=120, done=3) -> None:
    """The job as a worker killed mid-run leaves it: RUNNING, half done, its heartbeat ``seconds`` old."""
    beat = timezone.now() - dt.timedelta(seconds=seconds)
    PrintJob.objects.filter(pk=job.pk).update(
        status=PrintJobStatus.RUNNING, attempts=attempts, done=done, started_at=beat, heartbeat_at=beat
    )


class HeartbeatRecorder:
    def __init__(self):
        self.beats = 0

    def __call__(self, execute, sql, params, many, context):
        if sql.startswith('UPDATE "delegates_printjob" SET') and '"heartbeat_at" = ' in sql:
            self.beats += 1
        return execute(sql, params, many, context)


def test_a_running_job_writes_its_heartbeat_and_names_its_worker(forum, delegates, settings):
    settings.BADGE_PRINT_CHUNK_SIZE = 5
    settings.BADGE_RENDER_PROCESSES = 2
    settings.PRINT_JOB_HEARTBEAT_SECONDS = 0  # every look at the rendering processes
    job = start(forum)
    recorder = HeartbeatRecorder()

    with connection.execute_wrapper(recorder):
        assert print_job_run(job_id=job.pk, runner="print-1@host pid 42") is True

    job.refresh_from_db()
    assert recorder.beats >= 2  # while the one chunk rendered, not only when it was done
    assert (job.status, job.runner) == (PrintJobStatus.DONE, "print-1@host pid 42")
    assert job.heartbeat_at >= job.started_at


def test_sweep_hands_an_abandoned_job_to_another_worker_which_completes_it(
    forum, delegates, settings, django_capture_on_commit_callbacks
):
    settings.BADGE_RENDER_PROCESSES = 1
    settings.PRINT_JOB_STALE_SECONDS = 60
    job = start(forum)
    abandoned(job, seconds=61)

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_print_jobs.apply().get() == 1  # the eager "other worker" runs it at once

    job.refresh_from_db()
    assert (job.status, job.attempts, job.done, job.error) == (PrintJobStatus.DONE, 2, 5, "")
    assert len(pdf_pages(read_file(job))) == 5
    assert print_job_sweep() == 0


def test_sweep_requeues_without_a_worker_and_hands_over_once(forum, delegates, settings):
    settings.PRINT_JOB_STALE_SECONDS = 60
    job = start(forum)
    abandoned(job, seconds=90, done=4)

    assert print_job_sweep() == 1  # not committed: its task is not enqueued here

    job.refresh_from_db()
    assert (job.status, job.done, job.attempts, job.runner) == (PrintJobStatus.QUEUED, 0, 1, "")
    assert print_job_sweep() == 0  # its heartbeat says "handed over now"
    PrintJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(seconds=61))
    assert print_job_sweep() == 1  # still queued a period later: its task was lost too


def test_sweep_enqueues_again_a_job_never_started_whose_task_was_lost(
    forum, delegates, settings, django_capture_on_commit_callbacks
):
    settings.BADGE_RENDER_PROCESSES = 1
    settings.PRINT_JOB_STALE_SECONDS = 60
    lost = start(forum)  # its task went down with the worker that had taken it
    PrintJob.objects.filter(pk=lost.pk).update(created_at=timezone.now() - dt.timedelta(seconds=61))
    waiting = start(
        forum, registrations=forum.registrations.filter(pk__in=forum.registrations.values("pk")[:2])
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_print_jobs.apply().get() == 1  # the lost one only: the other waits its turn

    lost.refresh_from_db()
    waiting.refresh_from_db()
    assert (lost.status, lost.attempts, lost.done) == (PrintJobStatus.DONE, 1, 5)
    assert waiting.status == PrintJobStatus.QUEUED


def test_sweep_leaves_fresh_finished_and_live_jobs_alone(forum, delegates, settings):
    settings.PRINT_JOB_STALE_SECONDS = 60
    fresh = start(forum)
    abandoned(fresh, seconds=30)
    done = start(forum, order="protocol")
    abandoned(done, seconds=600)
    PrintJob.objects.filter(pk=done.pk).update(status=PrintJobStatus.DONE)
    live = start(forum, order="country_city_name")
    abandoned(live, seconds=600)

    with psycopg.connect(**libpq(), autocommit=True) as live_runner:
        live_runner.execute("SELECT pg_advisory_lock(%s, %s)", [ADVISORY_NAMESPACE, live.pk])
        assert print_job_sweep() == 0

    statuses = dict(PrintJob.objects.values_list("pk", "status"))
    assert statuses == {
        fresh.pk: PrintJobStatus.RUNNING,
        done.pk: PrintJobStatus.DONE,
        live.pk: PrintJobStatus.RUNNING,
    }


def test_a_job_abandoned_too_often_fails_with_a_message(
    forum, delegates, settings, django_capture_on_commit_callbacks
):
    job = start(forum)
    abandoned(job, attempts=MAX_ATTEMPTS)

    with django_capture_on_commit_callbacks(execute=True):
        assert print_job_sweep() == 1

    job.refresh_from_db()
    assert job.status == PrintJobStatus.FAILED
    assert job.error == (
        "The worker rendering this job stopped 3 times before it finished (it may have run out of "
        "memory). Please restart the job; if it stops again, print fewer badges at a time."
    )
