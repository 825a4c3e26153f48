"""Running a print job (``delegates/printing/runner.py``): every badge rendered in order with its
progress, a job DONE only with its complete file, one runner per job (a transaction-scoped advisory
lock), a job taken over when its worker died, too many interruptions failing it with a message, and a
failure that leaves no file and can be restarted.

Badges are rendered for real (WeasyPrint) and read back with a real PDF reader (pdfplumber). A real
worker on Redis, and a worker killed in the middle of a job, are in
tests/integration/test_print_job_worker.py."""

import psycopg
import pytest
from django.db import connection

from delegates.badges.content import badge_fingerprint
from delegates.enums import BadgeOrder, PrintJobStatus, RegistrationStatus
from delegates.models import PrintJob, Registration
from delegates.printing.runner import ADVISORY_NAMESPACE, MAX_ATTEMPTS, print_job_run
from delegates.printing.services import print_job_can_restart, print_job_restart
from tests.delegates.printing.jobs import libpq, pdf_pages, printed_names, read_file, start

pytestmark = pytest.mark.django_db


class ProgressRecorder:
    """Records the values of ``done`` the runner writes (observing the real UPDATE statements)."""

    def __init__(self):
        self.values: list[int] = []

    def __call__(self, execute, sql, params, many, context):
        if sql.startswith('UPDATE "delegates_printjob" SET "done" = '):
            self.values.append(params[0])
        return execute(sql, params, many, context)


# --- Running -------------------------------------------------------------------------------------------


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
    with psycopg.connect(**libpq(), autocommit=True) as other_worker:
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
    assert printed_names(job) == ["Zoë Adams", "élise Martin", "Ana Nguyễn", "Edward Ong"]
    assert len(pdf_pages(read_file(job))) == 4


def test_run_with_every_registration_cancelled_fails_with_a_message(forum, delegates):
    job = start(forum)
    Registration.objects.filter(forum=forum).update(status=RegistrationStatus.CANCELLED)

    assert print_job_run(job_id=job.pk) is False

    job.refresh_from_db()
    assert (job.status, job.total, job.file.name) == (PrintJobStatus.FAILED, 0, "")
    assert job.error == "None of the badges of this job is for a confirmed registration any more."


def test_run_records_the_fingerprint_of_what_each_badge_printed(forum, delegates, settings):
    settings.BADGE_RENDER_PROCESSES = 1
    Registration.objects.filter(pk=delegates["ana"].pk).update(checkin_token=None)
    job = start(forum)

    print_job_run(job_id=job.pk)

    recorded = dict(job.items.values_list("registration_id", "printed_fingerprint"))
    now = dict(
        Registration.objects.filter(pk__in=recorded)
        .annotate(fingerprint=badge_fingerprint())
        .values_list("pk", "fingerprint")
    )
    assert recorded == now  # the token issued for the run included
    assert len(set(recorded.values())) == 5


def test_run_fails_naming_a_badge_that_can_no_longer_print(forum, delegates, settings):
    """Edited (past the form) after the job was started: the job stops rather than print empty
    boxes, and says which badge and why."""
    settings.BADGE_RENDER_PROCESSES = 1
    job = start(forum)
    zoe = delegates["zoe"]
    Registration.objects.filter(pk=zoe.pk).update(badge_name="Zoë Adams 😀")

    assert print_job_run(job_id=job.pk) is False

    job.refresh_from_db()
    assert (job.status, job.file.name) == (PrintJobStatus.FAILED, "")
    assert job.error == (
        f"These badges cannot be printed as they are: {zoe.reference} H.E. Zoë Adams 😀 (no font has 😀 "
        "(U+1F600)). Correct the registrations and restart the job, or start a new print job, which "
        "leaves them out."
    )


def test_run_issues_missing_checkin_tokens(forum, delegates, settings):
    settings.BADGE_RENDER_PROCESSES = 1
    Registration.objects.update(checkin_token=None)
    job = start(forum)

    print_job_run(job_id=job.pk)

    tokens = list(Registration.objects.filter(print_items__job=job).values_list("checkin_token", flat=True))
    assert len(tokens) == 5
    assert all(token and len(token) >= 22 for token in tokens)


# --- Failure and restart -------------------------------------------------------------------------------


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
