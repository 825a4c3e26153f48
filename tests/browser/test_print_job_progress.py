"""The progress page of a badge print job in a real browser: the bar and its text follow the job as it
runs (polling the JSON endpoint, no inline script), then the download link appears; a failed job shows
its message and a restart button that works. The note "progress could not be fetched" is seen only
while the progress endpoint fails (a server error, the network down), and goes once it answers again.
No console error or CSP violation, and axe finds no serious problem."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from amf.celery import app as celery_app
from delegates.enums import BadgeOrder, PrintJobStatus
from delegates.models import PrintJob, Registration
from delegates.printing.runner import print_job_run
from delegates.printing.services import print_job_start
from events.enums import BadgeLayout
from events.formatting import local_datetime
from tests.factories import DelegateCategoryFactory, ForumFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def organiser():
    user = UserFactory(username="organiser", email="organiser@uclg-aspac.example.org", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="delegates",
            codename__in=["view_registration", "change_registration", "print_badges", "view_printjob"],
        )
    )
    return user


@pytest.fixture
def job(django_capture_on_commit_callbacks):
    """A queued job of five badges; its task is not sent (the test runs the job when it wants)."""
    forum = ForumFactory(name="ASEAN Mayors Forum 2031", slug="amf-progress")
    category = DelegateCategoryFactory(forum=forum, name="Mayor / Governor", slug="mayor")
    for name in ("Somchai Jaidee", "Sok Vibol", "Tan Mei Ling", "Aung Kyaw Min", "Nguyen Thi Hong Nhung"):
        RegistrationFactory(category=category, badge_name=name)
    with django_capture_on_commit_callbacks(execute=False):
        return print_job_start(
            forum=forum,
            registrations=Registration.objects.filter(forum=forum),
            order=BadgeOrder.CATEGORY_NAME,
            layout=BadgeLayout.A6,
            actor=None,
        )


def signed_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    # Django's admin pages name no icon, so the browser asks for /favicon.ico and logs its 404: that
    # one message is expected; any other console error or CSP violation is not.
    page.favicon_errors = []
    page.on(
        "console",
        lambda message: (
            page.favicon_errors.append(message.text)
            if message.type == "error" and message.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )


def problems(page, also_expected: re.Pattern | None = None) -> list[str]:
    expected = list(page.favicon_errors)
    unexpected = []
    for message in page.problems.messages:
        if message in expected:
            expected.remove(message)
        elif also_expected is None or not also_expected.search(message):
            unexpected.append(message)
    return unexpected


POLL_ERROR_TEXT = "The progress could not be fetched; trying again. Reload the page to see the progress."


def poll_error_seen(page) -> bool:
    """Whether a person sees the note: Playwright's visibility, and the computed style agreeing."""
    note = page.locator("#print-job-poll-error")
    display = note.evaluate("element => getComputedStyle(element).display")
    return note.is_visible() and display != "none"


def test_progress_page_follows_the_job_then_offers_the_download(
    desktop_page, live_server, organiser, job, settings, axe_check
):
    settings.BADGE_RENDER_PROCESSES = 1
    page = desktop_page
    signed_in(page, live_server, organiser)

    page.goto(live_server.url + reverse("admin:delegates_printjob_change", args=[job.pk]))
    assert page.locator("#print-job-text").inner_text() == "0 of 5 badges"
    assert page.locator("#print-job-status").inner_text() == "Queued"
    assert page.locator("#print-job-download").is_hidden()
    assert page.locator("#print-job-finished").is_hidden()
    with page.expect_response("**/progress.json") as first_poll:
        pass
    assert first_poll.value.status == 200
    assert poll_error_seen(page) is False  # progress is being fetched: no alarm
    axe_check(page)

    assert print_job_run(job_id=job.pk) is True  # while the page polls

    page.locator("#print-job-download-link").wait_for(state="visible", timeout=15_000)
    assert page.locator("#print-job-text").inner_text() == "5 of 5 badges"
    assert page.locator("#print-job-status").inner_text() == "Done"
    assert page.locator("#print-job-bar").get_attribute("value") == "5"
    assert poll_error_seen(page) is False
    job.refresh_from_db()
    assert page.locator("#print-job-finished-at").is_visible()
    assert page.locator("#print-job-finished-at").inner_text() == local_datetime(job.finished_at, job.forum)
    assert page.locator("#print-job-finished-at").inner_text().endswith(" WIB")
    with page.expect_download() as download:
        page.locator("#print-job-download-link").click()
    assert download.value.suggested_filename == f"badges-amf-progress-{job.pk}.pdf"
    assert problems(page) == []
    axe_check(page)


@pytest.fixture
def eager_celery():
    """The task enqueued by the restart runs when the request's transaction commits, as a worker
    would run it (the worker itself is tested in tests/integration)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def test_failed_job_shows_its_message_and_restarts(
    desktop_page, live_server, organiser, job, settings, eager_celery, axe_check
):
    settings.BADGE_RENDER_PROCESSES = 1
    PrintJob.objects.filter(pk=job.pk).update(
        status=PrintJobStatus.FAILED, error="The badges could not be rendered (OSError)."
    )
    page = desktop_page
    signed_in(page, live_server, organiser)

    page.goto(live_server.url + reverse("admin:delegates_printjob_change", args=[job.pk]))
    assert page.locator("#print-job-error").inner_text() == "The badges could not be rendered (OSError)."
    assert page.locator("#print-job-download").is_hidden()
    axe_check(page)
    page.get_by_role("button", name="Restart").click()

    page.wait_for_url(f"**{reverse('admin:delegates_printjob_change', args=[job.pk])}")
    assert page.locator(".messagelist").inner_text() == "The print job was restarted."
    page.locator("#print-job-download-link").wait_for(state="visible", timeout=15_000)
    assert page.locator("#print-job-failed").is_hidden()
    job.refresh_from_db()
    assert (job.status, job.done, job.error) == (PrintJobStatus.DONE, 5, "")
    assert problems(page) == []


def test_done_job_page_shows_no_error_note(desktop_page, live_server, organiser, job, settings):
    settings.BADGE_RENDER_PROCESSES = 1
    assert print_job_run(job_id=job.pk) is True
    page = desktop_page
    signed_in(page, live_server, organiser)

    page.goto(live_server.url + reverse("admin:delegates_printjob_change", args=[job.pk]))

    assert page.locator("#print-job-status").inner_text() == "Done"
    assert page.locator("#print-job-download-link").is_visible()
    assert poll_error_seen(page) is False
    assert page.locator("#print-job-failed").is_hidden()
    assert page.get_by_text("could not be fetched").is_visible() is False
    assert problems(page) == []


@pytest.mark.parametrize("failure", ["server error", "network down"])
def test_progress_that_cannot_be_fetched_says_so_until_it_can(
    desktop_page, live_server, organiser, job, settings, failure, axe_check
):
    settings.BADGE_RENDER_PROCESSES = 1
    page = desktop_page
    signed_in(page, live_server, organiser)
    failed = []

    def fail(route):
        failed.append(route.request.url)
        if failure == "server error":
            route.fulfill(status=500, content_type="text/html", body="<h1>Server Error (500)</h1>")
        else:
            route.abort("internetdisconnected")

    page.route("**/progress.json", fail)
    page.goto(live_server.url + reverse("admin:delegates_printjob_change", args=[job.pk]))

    note = page.locator("#print-job-poll-error")
    note.wait_for(state="visible", timeout=15_000)
    assert poll_error_seen(page) is True
    assert " ".join(note.inner_text().split()) == POLL_ERROR_TEXT
    assert note.get_by_role("link", name="Reload the page to see the progress.").is_visible()
    assert page.locator("#print-job-text").inner_text() == "0 of 5 badges"  # as rendered: nothing made up
    assert len(failed) >= 3
    axe_check(page)

    # The endpoint answers again: the job's progress arrives and the note goes.
    page.unroute("**/progress.json")
    assert print_job_run(job_id=job.pk) is True
    page.locator("#print-job-download-link").wait_for(state="visible", timeout=30_000)
    assert page.locator("#print-job-status").inner_text() == "Done"
    assert poll_error_seen(page) is False
    # The browser logs each failed request; nothing else may go wrong.
    assert problems(page, re.compile(r"Failed to load resource|progress\.json")) == []
