"""Starting and restarting print jobs (``delegates/printing/services.py``): only confirmed
registrations of the forum, one job per selection (also when organisers start it at the same moment),
a restart only of a job that is neither finished nor running, and the run enqueued after commit — or
the job failed for a restart when the broker is down."""

import threading
import time

import psycopg
import pytest
from django.db import connection

from delegates.enums import BadgeOrder, PrintJobStatus, RegistrationStatus
from delegates.models import PrintJob, PrintJobItem, Registration
from delegates.printing.runner import ADVISORY_NAMESPACE, print_job_run
from delegates.printing.services import (
    PrintJobError,
    dedupe_key,
    print_job_can_restart,
    print_job_restart,
    print_job_start,
)
from events.enums import BadgeLayout
from tests.delegates.printing.jobs import libpq, printed_names, start

pytestmark = pytest.mark.django_db


# --- What a job prints ---------------------------------------------------------------------------------


def test_start_takes_only_confirmed_registrations_of_the_forum(forum, delegates):
    everyone = Registration.objects.all()
    assert everyone.count() == 7

    job = start(forum, registrations=list(everyone.values_list("pk", flat=True)))

    assert job.total == 5
    assert "Waiting Person" not in printed_names(job)
    assert "Other Forum" not in printed_names(job)


def test_start_with_nothing_printable_is_refused(forum, delegates):
    waiting = Registration.objects.filter(status=RegistrationStatus.WAITLISTED)

    with pytest.raises(PrintJobError) as error:
        start(forum, registrations=waiting)

    assert str(error.value) == "None of the selected registrations is a confirmed registration of this forum."
    assert PrintJob.objects.count() == 0


def test_start_leaves_out_badges_that_cannot_print_and_says_which(forum, delegates):
    Registration.objects.filter(pk=delegates["ngo"].pk).update(native_name="\ue000", native_name_lang="und")
    Registration.objects.filter(pk=delegates["edward"].pk).update(position="Director \u202eOng")

    job = start(forum)

    assert job.total == 3
    assert "Ngo Bao" not in printed_names(job) and "Edward Ong" not in printed_names(job)
    assert sorted((badge.registration.badge_name, badge.problems) for badge in job.left_out) == [
        ("Edward Ong", ["text-direction controls U+202E"]),
        ("Ngo Bao", ["no font has U+E000"]),
    ]


def test_start_with_only_badges_that_cannot_print_is_refused_naming_them(forum, delegates):
    ngo = delegates["ngo"]
    Registration.objects.filter(pk=ngo.pk).update(badge_name="\u200b\u200d")

    with pytest.raises(PrintJobError) as error:
        start(forum, registrations=[ngo.pk])

    assert str(error.value) == (
        f"The selected badge cannot be printed as it is: {ngo.reference} H.E. \u200b\u200d (the name has no "
        "visible letters)."
    )
    assert PrintJob.objects.count() == 0


def test_start_uses_the_forum_layout_by_default(forum, delegates):
    forum.badge_layout = BadgeLayout.CR80
    forum.save()

    job = print_job_start(
        forum=forum, registrations=Registration.objects.all(), order=BadgeOrder.PROTOCOL, actor=None
    )

    assert job.layout == BadgeLayout.CR80
    assert job.status == PrintJobStatus.QUEUED
    assert (job.done, job.attempts, job.file.name) == (0, 0, "")


# --- One job per selection -----------------------------------------------------------------------------


def test_start_same_selection_again_returns_the_active_job(forum, delegates, organiser):
    first = start(forum, actor=organiser)
    second = start(forum, registrations=[r.pk for r in delegates.values()], actor=None)

    assert first.is_new is True
    assert second.is_new is False
    assert second.pk == first.pk
    assert PrintJob.objects.count() == 1


def test_start_another_order_or_layout_is_another_job(forum, delegates):
    jobs = {
        start(forum).pk,
        start(forum, order=BadgeOrder.PROTOCOL).pk,
        start(forum, layout=BadgeLayout.A4_SHEET).pk,
        start(forum, registrations=[delegates["ana"].pk]).pk,
    }

    assert len(jobs) == 4


def test_dedupe_key_names_forum_layout_order_and_registrations():
    key = dedupe_key(forum_id=1, layout="a6", order="protocol", registration_ids=[3, 1, 2, 2])

    assert key == dedupe_key(forum_id=1, layout="a6", order="protocol", registration_ids=[1, 2, 3])
    assert key != dedupe_key(forum_id=2, layout="a6", order="protocol", registration_ids=[1, 2, 3])
    assert len(key) == 64


def test_start_again_after_done_is_a_reprint(forum, delegates, settings):
    settings.BADGE_RENDER_PROCESSES = 1
    first = start(forum)
    print_job_run(job_id=first.pk)

    again = start(forum)

    assert again.is_new is True
    assert again.pk != first.pk
    assert PrintJob.objects.filter(status=PrintJobStatus.DONE).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_organisers_starting_the_same_job_at_once_get_one_job(forum, delegates, settings):
    """The first organiser's job is written but not yet committed when the second starts: the second
    cannot see it, its insert waits on the unique index, fails when the first commits, and it returns
    the first one's job. Deterministic: the test waits until the second is blocked on the lock."""
    from django.db import transaction

    settings.BADGE_RENDER_PROCESSES = 1
    ids = [r.pk for r in delegates.values()]
    second_pid: list[int] = []
    results: dict[str, int] = {}
    errors: list[BaseException] = []

    def second_organiser():
        try:
            connection.ensure_connection()
            second_pid.append(connection.connection.info.backend_pid)
            results["second"] = start(forum, registrations=ids).pk
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    def blocked_on_lock(pid: int) -> bool:
        with psycopg.connect(**libpq(), autocommit=True) as watcher:
            row = watcher.execute(
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid]
            ).fetchone()
        return bool(row) and row[0] == "Lock"

    with transaction.atomic():
        first = start(forum, registrations=ids)
        thread = threading.Thread(target=second_organiser)
        thread.start()
        deadline = time.monotonic() + 20
        while not (second_pid and blocked_on_lock(second_pid[0])):
            assert time.monotonic() < deadline, "the second organiser never waited on the first's job"
            assert not errors, errors
            time.sleep(0.05)
    thread.join(timeout=30)

    assert not errors, errors
    assert results["second"] == first.pk
    assert PrintJob.objects.count() == 1
    assert PrintJobItem.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_many_organisers_starting_at_the_same_moment_get_one_job(forum, delegates, settings):
    settings.BADGE_RENDER_PROCESSES = 1
    ids = [r.pk for r in delegates.values()]
    barrier = threading.Barrier(4)
    job_ids: list[int] = []
    errors: list[BaseException] = []

    def organiser():
        try:
            barrier.wait(timeout=10)
            job_ids.append(start(forum, registrations=ids).pk)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=organiser) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert len(job_ids) == 4
    assert len(set(job_ids)) == 1
    assert PrintJob.objects.count() == 1


# --- Restart -------------------------------------------------------------------------------------------


def test_restart_refuses_done_and_running_jobs(forum, delegates, settings):
    settings.BADGE_RENDER_PROCESSES = 1
    done = start(forum)
    print_job_run(job_id=done.pk)
    running = start(forum, order=BadgeOrder.PROTOCOL)
    PrintJob.objects.filter(pk=running.pk).update(status=PrintJobStatus.RUNNING, attempts=1)
    running.refresh_from_db()

    with pytest.raises(PrintJobError) as finished:
        print_job_restart(job=done, actor=None)
    with psycopg.connect(**libpq(), autocommit=True) as worker:
        worker.execute("SELECT pg_advisory_lock(%s, %s)", [ADVISORY_NAMESPACE, running.pk])
        assert print_job_can_restart(job=running) is False
        with pytest.raises(PrintJobError) as still_running:
            print_job_restart(job=running, actor=None)
    # The worker is gone: once the server has ended its session (a moment after the connection
    # closed), the lock is free and the job can be restarted.
    deadline = time.monotonic() + 10
    while not print_job_can_restart(job=running):
        assert time.monotonic() < deadline, "the lock of a closed session was never released"
        time.sleep(0.05)

    assert str(finished.value) == "This print job is finished; start a new one to print again."
    assert str(still_running.value) == "This print job is still running; it cannot be restarted now."


def test_restart_when_the_same_job_is_active_again_returns_that_job(forum, delegates):
    failed = start(forum)
    PrintJob.objects.filter(pk=failed.pk).update(status=PrintJobStatus.FAILED, error="x")
    failed.refresh_from_db()
    active = start(forum)

    restarted = print_job_restart(job=failed, actor=None)

    assert active.pk != failed.pk
    assert restarted.pk == active.pk
    failed.refresh_from_db()
    assert failed.status == PrintJobStatus.FAILED


# --- Enqueued after commit -----------------------------------------------------------------------------


def test_broker_down_marks_the_job_failed_for_a_restart(forum, delegates, django_capture_on_commit_callbacks):
    from amf.celery import app as celery_app
    from tests.integration.workers import closed_redis_url, use_broker

    with use_broker(closed_redis_url()), django_capture_on_commit_callbacks(execute=True):
        job = start(forum)

    job.refresh_from_db()
    assert job.status == PrintJobStatus.FAILED
    assert job.error == (
        "The background worker could not be reached, so the badges were not rendered. Please restart "
        "the job in a moment."
    )
    assert celery_app.conf.task_always_eager is True  # the broker of the other tests is back


def test_start_enqueues_the_run_after_commit(forum, delegates, settings, django_capture_on_commit_callbacks):
    """Celery is eager in these tests: the task runs when the transaction commits, as a worker would."""
    settings.BADGE_RENDER_PROCESSES = 1
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = start(forum)
    job.refresh_from_db()
    assert (len(callbacks), job.status) == (1, PrintJobStatus.QUEUED)

    callbacks[0]()

    job.refresh_from_db()
    assert job.status == PrintJobStatus.DONE
