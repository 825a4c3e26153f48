"""Rendering a print job's badges (``delegates/printing/rendering.py``): in chunks that fill whole A4
sheets, in rendering processes whose failure — an error, or a process killed — fails the job with its
cause and leaves no process behind."""

import threading
import time

import psutil
import pytest

from delegates.enums import PrintJobStatus
from delegates.models import PrintJob
from delegates.printing.runner import print_job_run
from events.enums import BadgeLayout
from tests.delegates.printing.jobs import pdf_pages, printed_names, read_file, start

pytestmark = pytest.mark.django_db


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


def renderers(before: set[int]) -> list[psutil.Process]:
    """Children of this process started since ``before`` (the test run may have others of its own,
    such as the browser driver of the browser tests)."""
    return [child for child in psutil.Process().children() if child.pid not in before]


def own_children() -> set[int]:
    return {child.pid for child in psutil.Process().children()}


def test_failure_in_a_rendering_process_fails_the_job_with_its_cause(forum, delegates, settings):
    before = own_children()
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
    assert renderers(before) == []  # every rendering process reaped


def test_rendering_process_killed_fails_the_job(forum, delegates, settings):
    """A rendering process killed (the kernel's OOM killer, say) while it renders: the job fails with
    a message saying so, and the other processes are stopped."""
    settings.BADGE_PRINT_CHUNK_SIZE = 1
    settings.BADGE_RENDER_PROCESSES = 2
    job = start(forum)
    before = own_children()
    killed: list[int] = []

    def kill_a_renderer():
        deadline = time.monotonic() + 30
        while not killed and time.monotonic() < deadline:
            for child in renderers(before):
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
    assert renderers(before) == []
