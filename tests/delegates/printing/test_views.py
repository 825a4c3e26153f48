"""The staff views of a print job (``delegates/printing/views.py``): its progress as JSON, the PDF
download, and the restart — behind ``permissions.staff_view`` (nobody signed in: the admin's sign-in;
not staff: 404; staff without the permission: 403)."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from delegates.enums import PrintJobStatus
from delegates.models import PrintJob
from tests.delegates.accounts import staff_user
from tests.delegates.printing.jobs import download_url, pdf_pages, progress_url, read_file, start
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


# --- Progress and download -----------------------------------------------------------------------------


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
        "finished_at": "",
    }


def test_progress_json_of_a_done_job_offers_the_download(client, organiser, done_job):
    PrintJob.objects.filter(pk=done_job.pk).update(
        finished_at=dt.datetime(2030, 10, 5, 14, 40, tzinfo=dt.UTC)
    )
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
        "finished_at": "5 October 2030, 21:40 WIB",  # the forum's zone, Asia/Jakarta
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


# --- Restart -------------------------------------------------------------------------------------------


def _request_bookkeeping(callback) -> bool:
    """``amf.database_retry`` notes, after commit, that the request saved something."""
    function = getattr(callback, "func", callback)
    return getattr(function, "__module__", "") == "amf.database_retry"


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
    # One task enqueued after commit (the site's own bookkeeping of what a request saved aside).
    assert len([callback for callback in callbacks if not _request_bookkeeping(callback)]) == 1


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
