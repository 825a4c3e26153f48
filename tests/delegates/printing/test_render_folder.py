"""The private render folder of badges (``delegates/badges/workspace.py``): print jobs render in a folder of
their own inside it (mode 0700), removed on success and on failure; what a killed run left is removed
when the job runs again and when a worker (or a pool process) starts, but never a folder a living
process still holds; a single badge writes no file at all, here or in the system's temporary folder."""

import stat
import subprocess
import sys
import tempfile
import textwrap

import pytest
from django.db.models.signals import post_save

from delegates.apps import _clean_render_folder
from delegates.badges.storage import badge_store
from delegates.badges.workspace import render_root, render_workspace, render_workspace_clean
from delegates.enums import PrintJobStatus
from delegates.models import PrintJob
from delegates.printing.runner import print_job_run
from tests.delegates.printing.jobs import start

pytestmark = pytest.mark.django_db


def everything_in(folder) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*")) if folder.exists() else []


@pytest.fixture
def system_tmp(tmp_path, monkeypatch):
    """The system's temporary folder of this test: empty, to see whether anything writes there."""
    folder = tmp_path / "system-tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def print_data(forum, delegates, settings):
    settings.BADGE_RENDER_PROCESSES = 2
    settings.BADGE_PRINT_CHUNK_SIZE = 2
    return forum


def test_the_render_folder_is_private(settings, tmp_path):
    settings.BADGE_RENDER_DIR = tmp_path / "render"
    (tmp_path / "render").mkdir(mode=0o755)

    root = render_root()

    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    with render_workspace(prefix="print-job-1-") as workdir:
        assert workdir.parent == root
        assert stat.S_IMODE(workdir.stat().st_mode) == 0o700
        (workdir / "chunk.pdf").write_bytes(b"%PDF")
    assert everything_in(root) == []


def test_a_print_job_leaves_no_file_on_success_nor_on_failure(print_data, settings, system_tmp):
    seen = []

    def look(sender, instance, **kwargs):  # while the job runs, its folder holds its chunks
        seen.append(everything_in(render_root()))

    job = start(print_data)
    post_save.connect(look, sender=PrintJob)  # the DONE save happens after the PDF is stored
    try:
        assert print_job_run(job_id=job.pk) is True
    finally:
        post_save.disconnect(look, sender=PrintJob)
    assert any(name.endswith("badges.pdf") for name in seen[-1])
    assert everything_in(render_root()) == []

    failing = start(print_data, order="protocol")
    PrintJob.objects.filter(pk=failing.pk).update(layout="a5")  # no such layout: rendering fails
    assert print_job_run(job_id=failing.pk) is False
    assert PrintJob.objects.get(pk=failing.pk).status == PrintJobStatus.FAILED
    assert everything_in(render_root()) == []
    assert everything_in(system_tmp) == []


def test_a_killed_runs_files_are_removed_when_the_job_runs_again(print_data, settings):
    job = start(print_data)
    root = render_root()
    left = root / f"print-job-{job.pk}-0123456789ab"  # what a killed run left: its lock is free
    left.mkdir()
    (left / "chunk-00000.pdf").write_bytes(b"%PDF names and tokens")
    (root / f"{left.name}.lock").touch()

    assert print_job_run(job_id=job.pk) is True

    assert everything_in(root) == []


def test_worker_start_removes_what_killed_runs_left_but_not_a_folder_in_use(settings):
    root = render_root()
    for name in ("print-job-7-aaaaaaaaaaaa", "print-job-8-bbbbbbbbbbbb"):
        (root / name).mkdir()
        (root / name / "chunk-00000.pdf").write_bytes(b"%PDF")
        (root / f"{name}.lock").touch()
    (root / "print-job-9-without-a-lock").mkdir()
    holder = subprocess.Popen(  # another worker on this machine, rendering now
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import fcntl, os, sys
                fd = os.open({str(root / "print-job-8-bbbbbbbbbbbb.lock")!r}, os.O_RDWR)
                fcntl.flock(fd, fcntl.LOCK_EX)
                print("held", flush=True)
                sys.stdin.read()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "held\n"

        _clean_render_folder()  # the worker_init / worker_process_init handler

        assert everything_in(root) == [
            "print-job-8-bbbbbbbbbbbb",
            "print-job-8-bbbbbbbbbbbb.lock",
            "print-job-8-bbbbbbbbbbbb/chunk-00000.pdf",
        ]
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    assert render_workspace_clean() == 1  # its holder is gone
    assert everything_in(root) == []


def test_a_single_badge_is_rendered_and_stored_without_any_file_but_the_stored_one(
    delegates, settings, system_tmp
):
    confirmed_registration = delegates["zoe"]
    assert badge_store(registration=confirmed_registration) is True

    assert everything_in(system_tmp) == []
    assert everything_in(render_root()) == []
    assert everything_in(settings.MEDIA_ROOT) == [
        "badges",
        f"badges/{confirmed_registration.forum.slug}",
        confirmed_registration.badge_file.name,
    ]
