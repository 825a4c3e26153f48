"""Badge print jobs: the order of the badges, one job per selection (also when two organisers start it
at the same moment), progress, a job DONE only with its complete file, failure and restart, the
admin's pages and who may download the PDF.

Badges are rendered for real (WeasyPrint) and read back with a real PDF reader (pdfplumber). A
real worker on Redis, and a worker killed in the middle of a job, are in
tests/integration/test_print_job_worker.py."""

import io
import itertools
import re
import threading
import time

import pdfplumber
import psutil
import psycopg
import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.storage import default_storage
from django.db import connection, connections
from django.urls import reverse

from delegates.enums import BadgeOrder, PrintJobStatus, RegistrationStatus
from delegates.models import PrintJob, PrintJobItem, Registration
from delegates.services.print_jobs import (
    ADVISORY_NAMESPACE,
    MAX_ATTEMPTS,
    PrintJobError,
    collation_key,
    dedupe_key,
    print_job_can_restart,
    print_job_restart,
    print_job_run,
    print_job_start,
    registrations_not_yet_printed,
)
from events.enums import BadgeLayout
from tests.factories import DelegateCategoryFactory, ForumFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- Arrange -------------------------------------------------------------------------------------------


@pytest.fixture
def forum():
    return ForumFactory(name="ASEAN Mayors Forum 2031", slug="amf-badges")


@pytest.fixture
def delegates(forum):
    """Five confirmed delegates in three categories (two of equal protocol rank), with accents, case
    and a letter Unicode does not decompose (Đ); plus a waitlisted one and one of another forum."""
    mayors = DelegateCategoryFactory(forum=forum, name="Mayor / Governor", slug="mayor", protocol_rank=10)
    partners = DelegateCategoryFactory(
        forum=forum, name="Partner organisation", slug="partner", protocol_rank=50
    )
    observers = DelegateCategoryFactory(forum=forum, name="Observer", slug="observer", protocol_rank=50)

    def confirmed(category, badge_name, family_name, country, city, head=False):
        return RegistrationFactory(
            category=category,
            badge_name=badge_name,
            given_name=badge_name.split()[0],
            family_name=family_name,
            country=country,
            city=city,
            is_head_of_local_government=head,
        )

    people = {
        "zoe": confirmed(mayors, "Zoë Adams", "Adams", "TH", "Bangkok", head=True),
        "elise": confirmed(mayors, "élise Martin", "Martin", "ID", "Surabaya"),
        "ana": confirmed(mayors, "Ana Nguyễn", "Nguyễn", "VN", "Đà Nẵng", head=True),
        "edward": confirmed(partners, "Edward Ong", "Ong", "SG", "Singapore"),
        "ngo": confirmed(observers, "Ngo Bao", "Ngo", "VN", "Hanoi"),
    }
    RegistrationFactory(category=mayors, badge_name="Waiting Person", status=RegistrationStatus.WAITLISTED)
    RegistrationFactory(badge_name="Other Forum")
    return people


@pytest.fixture
def organiser():
    return staff_user("organiser", "view_registration", "change_registration", "view_printjob")


def staff_user(username, *codenames):
    user = UserFactory(username=username, email=f"{username}@uclg-aspac.example.org", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="delegates", codename__in=codenames)
    )
    return user


def start(forum, order=BadgeOrder.CATEGORY_NAME, layout=BadgeLayout.A6, actor=None, registrations=None):
    if registrations is None:
        registrations = Registration.objects.filter(forum=forum)
    return print_job_start(forum=forum, registrations=registrations, order=order, layout=layout, actor=actor)


def printed_names(job):
    return list(job.items.order_by("position").values_list("registration__badge_name", flat=True))


def pdf_pages(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def read_file(job) -> bytes:
    with default_storage.open(job.file.name, "rb") as handle:
        return handle.read()


# --- Order ---------------------------------------------------------------------------------------------


def test_collation_key_ignores_case_and_accents():
    assert collation_key("ÉLISE") == collation_key("elise") == "elise"
    assert collation_key("Đà Nẵng") == "da nang"
    assert collation_key("Zoë") == "zoe"
    assert collation_key("สมชาย") == "สมชาย"


def test_order_category_then_name(forum, delegates):
    job = start(forum, order=BadgeOrder.CATEGORY_NAME)

    assert printed_names(job) == ["Ana Nguyễn", "élise Martin", "Zoë Adams", "Ngo Bao", "Edward Ong"]
    assert job.total == 5
    assert list(job.items.order_by("position").values_list("position", flat=True)) == [1, 2, 3, 4, 5]


def test_order_country_then_city_then_name(forum, delegates):
    job = start(forum, order=BadgeOrder.COUNTRY_CITY_NAME)

    # Indonesia, Singapore, Thailand, Viet Nam (Đà Nẵng sorts as "Da Nang", before Hanoi).
    assert printed_names(job) == ["élise Martin", "Edward Ong", "Zoë Adams", "Ana Nguyễn", "Ngo Bao"]


def test_order_protocol(forum, delegates):
    job = start(forum, order=BadgeOrder.PROTOCOL)

    # Rank 10: heads of local government first (by family name), then the others; rank 50: the two
    # categories one after the other (Observer, then Partner organisation), not interleaved.
    assert printed_names(job) == ["Zoë Adams", "Ana Nguyễn", "élise Martin", "Ngo Bao", "Edward Ong"]


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
        with psycopg.connect(**_libpq(), autocommit=True) as watcher:
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


def _libpq() -> dict:
    db = connections["default"].settings_dict
    return {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
        "dbname": db["NAME"],
    }


# --- Running -------------------------------------------------------------------------------------------


class ProgressRecorder:
    """Records the values of ``done`` the runner writes (observing the real UPDATE statements)."""

    def __init__(self):
        self.values: list[int] = []

    def __call__(self, execute, sql, params, many, context):
        if sql.startswith('UPDATE "delegates_printjob" SET "done" = '):
            self.values.append(params[0])
        return execute(sql, params, many, context)


@pytest.mark.parametrize("processes", [1, 2])
def test_run_renders_all_badges_in_order_with_progress(forum, delegates, settings, processes):
    settings.BADGE_PRINT_CHUNK_SIZE = 2
    settings.BADGE_RENDER_PROCESSES = processes
    job = start(forum, order=BadgeOrder.PROTOCOL)
    recorder = ProgressRecorder()

    with connection.execute_wrapper(recorder):
        assert print_job_run(job_id=job.pk) is True

    job.refresh_from_db()
    assert job.status == PrintJobStatus.DONE
    assert (job.done, job.total, job.progress_percent, job.attempts) == (5, 5, 100, 1)
    assert job.file.name == f"print-jobs/{job.public_id}.pdf"
    assert job.started_at is not None and job.finished_at >= job.started_at
    assert job.error == ""
    # Chunks of two badges: progress after each chunk, never backwards, ending at all of them.
    assert recorder.values == sorted(recorder.values)
    assert recorder.values[-1] == 5
    if processes == 1:
        assert recorder.values == [2, 4, 5]
    pages = pdf_pages(read_file(job))
    assert len(pages) == 5
    expected = ["Zoë Adams", "Ana Nguyễn", "élise Martin", "Ngo Bao", "Edward Ong"]
    for page, name in zip(pages, expected, strict=True):
        assert name in page
    assert "Đà Nẵng" in pages[1]


def test_run_a4_sheets_four_badges_a_page(forum, delegates, settings):
    settings.BADGE_PRINT_CHUNK_SIZE = 6  # rounded down to 4: chunks fill whole sheets
    settings.BADGE_RENDER_PROCESSES = 1
    job = start(forum, layout=BadgeLayout.A4_SHEET)

    print_job_run(job_id=job.pk)

    job.refresh_from_db()
    pages = pdf_pages(read_file(job))
    assert len(pages) == 2
    assert [name in pages[0] for name in printed_names(job)] == [True, True, True, True, False]
    assert "Edward Ong" in pages[1]


def test_run_done_or_failed_job_is_a_no_op(forum, delegates, settings):
    settings.BADGE_RENDER_PROCESSES = 1
    job = start(forum)
    print_job_run(job_id=job.pk)
    job.refresh_from_db()
    finished_at = job.finished_at

    assert print_job_run(job_id=job.pk) is False

    job.refresh_from_db()
    assert (job.status, job.attempts, job.finished_at) == (PrintJobStatus.DONE, 1, finished_at)


def test_run_missing_job_is_a_no_op():
    assert print_job_run(job_id=987654) is False


def test_run_job_held_by_another_runner_is_left_alone(forum, delegates):
    job = start(forum)
    with psycopg.connect(**_libpq(), autocommit=True) as other_worker:
        other_worker.execute("SELECT pg_advisory_lock(%s, %s)", [ADVISORY_NAMESPACE, job.pk])

        assert print_job_run(job_id=job.pk) is False

    job.refresh_from_db()
    assert (job.status, job.attempts) == (PrintJobStatus.QUEUED, 0)


def test_run_takes_over_a_job_whose_worker_died(forum, delegates, settings):
    """RUNNING, half done, and nobody holds its lock: the worker was killed; the redelivered task runs it
    again from the start."""
    settings.BADGE_RENDER_PROCESSES = 1
    job = start(forum)
    PrintJob.objects.filter(pk=job.pk).update(status=PrintJobStatus.RUNNING, attempts=1, done=2)

    assert print_job_run(job_id=job.pk) is True

    job.refresh_from_db()
    assert (job.status, job.attempts, job.done) == (PrintJobStatus.DONE, 2, 5)
    assert len(pdf_pages(read_file(job))) == 5


def test_run_after_too_many_interruptions_fails_with_a_message(forum, delegates):
    job = start(forum)
    PrintJob.objects.filter(pk=job.pk).update(status=PrintJobStatus.RUNNING, attempts=MAX_ATTEMPTS, done=3)

    assert print_job_run(job_id=job.pk) is False

    job.refresh_from_db()
    assert job.status == PrintJobStatus.FAILED
    assert job.attempts == MAX_ATTEMPTS + 1
    assert job.error == (
        "The worker rendering this job stopped 3 times before it finished (it may have run out of "
        "memory). Please restart the job; if it stops again, print fewer badges at a time."
    )
    assert job.file.name == ""
    assert print_job_can_restart(job=job) is True


def test_run_leaves_out_registrations_cancelled_since_the_start(forum, delegates, settings):
    settings.BADGE_RENDER_PROCESSES = 1
    job = start(forum)
    Registration.objects.filter(pk=delegates["ngo"].pk).update(status=RegistrationStatus.CANCELLED)

    print_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.total == 4
    assert printed_names(job) == ["Ana Nguyễn", "élise Martin", "Zoë Adams", "Edward Ong"]
    assert len(pdf_pages(read_file(job))) == 4


def test_run_with_every_registration_cancelled_fails_with_a_message(forum, delegates):
    job = start(forum)
    Registration.objects.filter(forum=forum).update(status=RegistrationStatus.CANCELLED)

    assert print_job_run(job_id=job.pk) is False

    job.refresh_from_db()
    assert (job.status, job.total, job.file.name) == (PrintJobStatus.FAILED, 0, "")
    assert job.error == "None of the badges of this job is for a confirmed registration any more."


def test_run_issues_missing_checkin_tokens(forum, delegates, settings):
    settings.BADGE_RENDER_PROCESSES = 1
    Registration.objects.update(checkin_token=None)
    job = start(forum)

    print_job_run(job_id=job.pk)

    tokens = list(Registration.objects.filter(print_items__job=job).values_list("checkin_token", flat=True))
    assert len(tokens) == 5
    assert all(token and len(token) >= 22 for token in tokens)


# --- Failure and restart -------------------------------------------------------------------------------


def test_failure_in_a_rendering_process_fails_the_job_with_its_cause(forum, delegates, settings):
    settings.BADGE_PRINT_CHUNK_SIZE = 2
    settings.BADGE_RENDER_PROCESSES = 2
    job = start(forum)
    PrintJob.objects.filter(pk=job.pk).update(layout="a5")  # no such layout: badges_pdf refuses it

    assert print_job_run(job_id=job.pk) is False

    job.refresh_from_db()
    assert job.status == PrintJobStatus.FAILED
    assert job.error == (
        "The badges could not be rendered (BadgeError). Please restart the job; if it fails again, "
        "contact the technical team."
    )
    assert job.file.name == ""
    assert psutil.Process().children() == []  # every rendering process reaped


def test_rendering_process_killed_fails_the_job(forum, delegates, settings):
    """A rendering process killed (the kernel's OOM killer, say) while it renders: the job fails with
    a message saying so, and the other processes are stopped."""
    settings.BADGE_PRINT_CHUNK_SIZE = 1
    settings.BADGE_RENDER_PROCESSES = 2
    job = start(forum)
    killed: list[int] = []

    def kill_a_renderer():
        deadline = time.monotonic() + 30
        while not killed and time.monotonic() < deadline:
            for child in psutil.Process().children():
                child.kill()
                killed.append(child.pid)
                break
            time.sleep(0.005)

    killer = threading.Thread(target=kill_a_renderer)
    killer.start()
    result = print_job_run(job_id=job.pk)
    killer.join(timeout=30)

    job.refresh_from_db()
    assert killed, "no rendering process was seen"
    assert result is False
    assert job.status == PrintJobStatus.FAILED
    assert job.error == (
        "A rendering process stopped unexpectedly (it may have run out of memory). Please restart the "
        "job, or print fewer badges at a time."
    )
    assert job.file.name == ""
    assert psutil.Process().children() == []


def test_failure_marks_failed_without_file_then_restart_completes(forum, delegates, settings, tmp_path):
    settings.BADGE_RENDER_PROCESSES = 1
    media = settings.MEDIA_ROOT
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("storage is broken")
    settings.MEDIA_ROOT = blocked  # saving the PDF fails: the storage cannot create print-jobs/
    job = start(forum)

    assert print_job_run(job_id=job.pk) is False

    job.refresh_from_db()
    assert job.status == PrintJobStatus.FAILED
    assert job.file.name == ""
    assert job.error == (
        "The badges could not be rendered (NotADirectoryError). Please restart the job; if it fails "
        "again, contact the technical team."
    )
    assert job.done == 5  # every badge was rendered; only the PDF could not be stored
    assert print_job_can_restart(job=job) is True

    settings.MEDIA_ROOT = media
    restarted = print_job_restart(job=job, actor=None)

    assert restarted.pk == job.pk
    assert (restarted.status, restarted.done, restarted.attempts, restarted.error) == (
        PrintJobStatus.QUEUED,
        0,
        0,
        "",
    )
    assert print_job_run(job_id=job.pk) is True
    job.refresh_from_db()
    assert job.status == PrintJobStatus.DONE
    assert len(pdf_pages(read_file(job))) == 5


def test_restart_refuses_done_and_running_jobs(forum, delegates, settings):
    settings.BADGE_RENDER_PROCESSES = 1
    done = start(forum)
    print_job_run(job_id=done.pk)
    running = start(forum, order=BadgeOrder.PROTOCOL)
    PrintJob.objects.filter(pk=running.pk).update(status=PrintJobStatus.RUNNING, attempts=1)
    running.refresh_from_db()

    with pytest.raises(PrintJobError) as finished:
        print_job_restart(job=done, actor=None)
    with psycopg.connect(**_libpq(), autocommit=True) as worker:
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


# --- Printed or not yet --------------------------------------------------------------------------------


def test_not_yet_printed_counts_only_done_jobs(forum, delegates, settings):
    settings.BADGE_RENDER_PROCESSES = 1
    all_five = set(Registration.objects.filter(forum=forum, status="confirmed").values_list("pk", flat=True))
    two = [delegates["ana"].pk, delegates["zoe"].pk]
    done = start(forum, registrations=two)
    print_job_run(job_id=done.pk)
    start(forum, registrations=[delegates["ngo"].pk])  # queued: not printed yet

    remaining = set(registrations_not_yet_printed(forum=forum).values_list("pk", flat=True))

    assert remaining == all_five - set(two)


# --- Admin: progress page, JSON, download, restart -----------------------------------------------------


def progress_url(job):
    return reverse("admin:delegates_printjob_progress", args=[job.pk])


def download_url(job):
    return reverse("admin:delegates_printjob_download", args=[job.pk])


@pytest.fixture
def done_job(forum, delegates, settings):
    settings.BADGE_RENDER_PROCESSES = 1
    job = start(forum)
    print_job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_progress_json_of_a_running_job(client, organiser, forum, delegates):
    job = start(forum, actor=organiser)
    PrintJob.objects.filter(pk=job.pk).update(status=PrintJobStatus.RUNNING, attempts=1, done=2)
    client.force_login(organiser)

    response = client.get(progress_url(job))

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert response.json() == {
        "status": "running",
        "status_label": "Running",
        "done": 2,
        "total": 5,
        "percent": 40,
        "text": "2 of 5 badges",
        "finished": False,
        "download_url": None,
        "error": "",
        "can_restart": True,  # nobody holds its lock: its worker is gone
    }


def test_progress_json_of_a_done_job_offers_the_download(client, organiser, done_job):
    client.force_login(organiser)

    data = client.get(progress_url(done_job)).json()

    assert data == {
        "status": "done",
        "status_label": "Done",
        "done": 5,
        "total": 5,
        "percent": 100,
        "text": "5 of 5 badges",
        "finished": True,
        "download_url": download_url(done_job),
        "error": "",
        "can_restart": False,
    }


def test_download_by_staff_with_permission(client, organiser, done_job):
    client.force_login(organiser)

    response = client.get(download_url(done_job))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="badges-amf-badges-{done_job.pk}.pdf"'
    body = b"".join(response.streaming_content)
    assert body == read_file(done_job)
    assert len(pdf_pages(body)) == 5


def test_download_refused_without_permission_or_staff(client, done_job):
    staff_without = staff_user("no-print", "view_registration", "change_registration")
    delegate = UserFactory(username="delegate", email="delegate@city.example.org")

    anonymous = client.get(download_url(done_job))
    client.force_login(delegate)
    not_staff = client.get(download_url(done_job))
    not_staff_json = client.get(progress_url(done_job))
    client.force_login(staff_without)
    no_permission = client.get(download_url(done_job))
    no_permission_json = client.get(progress_url(done_job))

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("admin:login") + "?next=")
    assert (not_staff.status_code, not_staff_json.status_code) == (404, 404)
    assert (no_permission.status_code, no_permission_json.status_code) == (403, 403)


def test_download_of_an_unfinished_job_is_not_found(client, organiser, forum, delegates, tmp_path):
    job = start(forum)
    PrintJob.objects.filter(pk=job.pk).update(status=PrintJobStatus.RUNNING, attempts=1, done=4)
    client.force_login(organiser)

    assert client.get(download_url(job)).status_code == 404
    assert client.get(reverse("admin:delegates_printjob_download", args=["nope"])).status_code == 404
    assert client.get(reverse("admin:delegates_printjob_download", args=[999999])).status_code == 404


def test_progress_page_shows_bar_and_polls_without_inline_script(client, organiser, forum, delegates):
    job = start(forum, actor=organiser)
    client.force_login(organiser)

    response = client.get(reverse("admin:delegates_printjob_change", args=[job.pk]))

    html = response.text
    assert response.status_code == 200
    assert response.templates[0].name == "admin/delegates/printjob/progress.html"
    assert re.search(r'<progress id="print-job-bar"\s+max="5"\s+value="0"', html)
    assert '<p id="print-job-text" aria-live="polite" aria-atomic="true">0 of 5 badges</p>' in html
    assert f'data-progress-url="{progress_url(job)}"' in html
    assert '<script src="/static/js/print-job-progress.js" defer></script>' in html
    assert "<noscript>" in html
    assert html.count("<h1") == 1
    compact = re.sub(r"\s+", " ", html)
    assert '<div id="print-job-download" aria-live="polite" hidden>' in compact
    assert '<div id="print-job-failed" role="alert" hidden>' in compact
    assert 'id="print-job-restart" hidden>' in compact  # queued a moment ago: nothing to restart
    assert "<script>" not in html and " style=" not in html.split('id="content-main"')[1]


def test_progress_page_of_a_failed_job_offers_restart(client, organiser, forum, delegates):
    job = start(forum)
    PrintJob.objects.filter(pk=job.pk).update(status=PrintJobStatus.FAILED, error="Something broke.")
    client.force_login(organiser)

    html = client.get(reverse("admin:delegates_printjob_change", args=[job.pk])).text

    compact = re.sub(r"\s+", " ", html)
    restart = reverse("admin:delegates_printjob_restart", args=[job.pk])
    assert '<div id="print-job-failed" role="alert" >' in compact
    assert '<p class="errornote" id="print-job-error">Something broke.</p>' in compact
    assert (
        f'<form method="post" action="{restart}" id="print-job-restart" > '
        '<input type="hidden" name="csrfmiddlewaretoken"' in compact
    )
    assert '<button type="submit" aria-describedby="print-job-restart-help">Restart</button>' in compact


def test_restart_view_requeues_a_failed_job(
    client, organiser, forum, delegates, django_capture_on_commit_callbacks
):
    job = start(forum)
    PrintJob.objects.filter(pk=job.pk).update(status=PrintJobStatus.FAILED, error="Something broke.")
    client.force_login(organiser)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("admin:delegates_printjob_restart", args=[job.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:delegates_printjob_change", args=[job.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["The print job was restarted."]
    job.refresh_from_db()
    assert (job.status, job.error) == (PrintJobStatus.QUEUED, "")
    assert len(callbacks) == 1


def test_restart_view_needs_post_and_permission(client, forum, delegates):
    job = start(forum)
    PrintJob.objects.filter(pk=job.pk).update(status=PrintJobStatus.FAILED, error="Something broke.")
    viewer = staff_user("viewer", "view_registration", "view_printjob")
    client.force_login(viewer)

    assert client.get(reverse("admin:delegates_printjob_restart", args=[job.pk])).status_code == 405
    assert client.post(reverse("admin:delegates_printjob_restart", args=[job.pk])).status_code == 403
    job.refresh_from_db()
    assert job.status == PrintJobStatus.FAILED


def test_restart_view_checks_csrf(forum, delegates, organiser):
    from django.test import Client

    job = start(forum)
    PrintJob.objects.filter(pk=job.pk).update(status=PrintJobStatus.FAILED, error="x")
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(organiser)

    response = csrf_client.post(reverse("admin:delegates_printjob_restart", args=[job.pk]))

    assert response.status_code == 403
    job.refresh_from_db()
    assert job.status == PrintJobStatus.FAILED


# --- Admin: the print job list -------------------------------------------------------------------------


def test_print_job_changelist_queries_do_not_grow_with_rows(
    admin_client, forum, delegates, django_assert_num_queries
):
    start(forum, actor=UserFactory(username="someone"))

    with django_assert_num_queries(6):
        first = admin_client.get(reverse("admin:delegates_printjob_changelist"))
    for n, (order, layout) in enumerate(itertools.product(BadgeOrder.values, BadgeLayout.values)):
        start(forum, order=order, layout=layout, actor=UserFactory(username=f"organiser{n}"))
    with django_assert_num_queries(6):
        many = admin_client.get(reverse("admin:delegates_printjob_changelist"))

    assert first.context["cl"].result_count == 1
    assert many.context["cl"].result_count == PrintJob.objects.count() == 9
    assert "0 of 5 badges" in many.text
    assert reverse("admin:delegates_printjob_add") not in many.text


def test_print_job_list_refused_without_view_permission(client, forum, delegates):
    client.force_login(staff_user("registrar", "view_registration", "change_registration"))

    assert client.get(reverse("admin:delegates_printjob_changelist")).status_code == 403


def test_delete_a_done_job_deletes_its_pdf(admin_client, done_job, django_capture_on_commit_callbacks):
    name = done_job.file.name
    assert default_storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:delegates_printjob_delete", args=[done_job.pk]), {"post": "yes"}
        )

    assert response.status_code == 302
    assert not PrintJob.objects.filter(pk=done_job.pk).exists()
    assert not default_storage.exists(name)


# --- Admin: the registration list's action and filter ---------------------------------------------------

CHANGELIST = "admin:delegates_registration_changelist"


def test_print_action_asks_order_and_layout_then_starts_the_job(client, organiser, forum, delegates):
    client.force_login(organiser)
    selected = [r.pk for r in Registration.objects.filter(forum=forum)]  # 5 confirmed, 1 waitlisted

    page = client.post(
        reverse(CHANGELIST), {"action": "print_badges", "_selected_action": selected, "index": "0"}
    )

    assert page.status_code == 200
    assert page.templates[0].name == "admin/delegates/printjob/print_form.html"
    assert "5 badges of ASEAN Mayors Forum 2031 will be printed, in one PDF." in page.text
    assert "1 selected registration is not confirmed and gets no badge." in page.text
    assert page.context["form"]["layout"].value() == BadgeLayout.A6

    response = client.post(
        reverse(CHANGELIST),
        {
            "action": "print_badges",
            "_selected_action": selected,
            "select_across": "0",
            "order": BadgeOrder.COUNTRY_CITY_NAME,
            "layout": BadgeLayout.A4_SHEET,
            "print_submit": "Start printing",
        },
    )

    job = PrintJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:delegates_printjob_change", args=[job.pk])
    assert (job.order, job.layout, job.created_by, job.total) == (
        BadgeOrder.COUNTRY_CITY_NAME,
        BadgeLayout.A4_SHEET,
        organiser,
        5,
    )
    assert printed_names(job) == ["élise Martin", "Edward Ong", "Zoë Adams", "Ana Nguyễn", "Ngo Bao"]


def test_print_action_select_all_of_a_filtered_list(client, organiser, forum, delegates):
    client.force_login(organiser)
    query = f"?forum__id__exact={forum.pk}&badge_printed=no"
    one_on_page = [delegates["ana"].pk]

    client.post(
        reverse(CHANGELIST) + query,
        {
            "action": "print_badges",
            "_selected_action": one_on_page,
            "select_across": "1",
            "order": BadgeOrder.PROTOCOL,
            "layout": BadgeLayout.A6,
            "print_submit": "Start printing",
        },
    )

    job = PrintJob.objects.get()
    assert job.total == 5


def test_print_action_refuses_two_forums(client, organiser, forum, delegates):
    client.force_login(organiser)
    both = list(Registration.objects.filter(status=RegistrationStatus.CONFIRMED).values_list("pk", flat=True))

    response = client.post(
        reverse(CHANGELIST), {"action": "print_badges", "_selected_action": both, "index": "0"}
    )

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Please select registrations of one forum at a time (filter the list by forum)."
    ]
    assert PrintJob.objects.count() == 0


def test_print_action_needs_permissions(client, forum, delegates):
    client.force_login(staff_user("viewer", "view_registration", "view_printjob"))

    page = client.get(reverse(CHANGELIST))

    assert 'value="print_badges"' not in page.text


def test_badge_printed_filter(client, organiser, forum, delegates, settings):
    settings.BADGE_RENDER_PROCESSES = 1
    job = start(forum, registrations=[delegates["ana"].pk, delegates["zoe"].pk])
    print_job_run(job_id=job.pk)
    client.force_login(organiser)

    printed = client.get(reverse(CHANGELIST) + "?badge_printed=yes").context["cl"].result_list
    not_yet = client.get(reverse(CHANGELIST) + "?badge_printed=no").context["cl"].result_list

    assert {r.badge_name for r in printed} == {"Ana Nguyễn", "Zoë Adams"}
    assert {r.badge_name for r in not_yet} == {"élise Martin", "Edward Ong", "Ngo Bao", "Other Forum"}
