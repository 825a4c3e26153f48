"""A request that loses its database connection (amf/database_retry.py): PostgreSQL really ends the
backend (``pg_terminate_backend`` from another session) just before a chosen statement reaches it.

- a read runs again and answers as if nothing happened; cut twice, the site's "please try again" page;
- a registration cut before its transaction committed runs again and is saved exactly once; cut twice,
  nothing is saved and the page sends back what was typed, with a CSRF token that works;
- a sign-in cut after Django rotated the CSRF secret answers "try again" without the new CSRF cookie,
  so the same form sent again signs in instead of failing the CSRF check.
"""

import datetime as dt
import re
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html import unescape

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone

from delegates.models import EmailOutbox, Registration, StatusChange
from tests.delegates.accounts import verified_user
from tests.delegates.registration.submissions import form_data, register_url
from tests.factories import DelegateCategoryFactory, ForumFactory

pytestmark = pytest.mark.django_db(transaction=True)

LOGIN_URL = "/accounts/login/"
PASSWORD = "correct horse battery staple"  # tests/factories.py
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def _terminate(pid: int) -> None:
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        # Waits (up to 5 s) until the backend is gone: the next statement meets a closed connection.
        [[ended]] = admin.execute("SELECT pg_terminate_backend(%s, 5000)", [pid]).fetchall()
    assert ended


@contextmanager
def backend_terminated_before(matches: Callable[[str], bool], *, times: int) -> Iterator[list[str]]:
    """End this thread's PostgreSQL backend just before each of the first ``times`` statements for
    which ``matches(sql)``; yields the statements that were cut."""
    cut: list[str] = []

    def wrapper(execute, sql, params, many, context):
        if len(cut) < times and matches(str(sql)):
            cut.append(str(sql))
            _terminate(context["connection"].connection.info.backend_pid)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield cut


def starts(prefix: str) -> Callable[[str], bool]:
    return lambda sql: sql.startswith(prefix)


def reads(table: str) -> Callable[[str], bool]:
    return lambda sql: sql.startswith("SELECT") and f'FROM "{table}"' in sql


def csrf_token(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)


def csrf_cookie(response) -> str | None:
    morsel = response.cookies.get("csrftoken")
    return morsel.value if morsel is not None else None


@pytest.fixture
def browser() -> Client:
    """A browser: CSRF checked as in production, errors answered as pages (not raised in the test)."""
    return Client(enforce_csrf_checks=True, raise_request_exception=False)


@pytest.fixture
def mayors():
    now = timezone.now()
    forum = ForumFactory(
        name="ASEAN Mayors Forum 2031",
        slug="amf-2031",
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=30),
    )
    return DelegateCategoryFactory(forum=forum, name="Mayor / Governor", slug="mayor")


@pytest.fixture
def signed_in(browser):
    user = verified_user("assistant@phnompenh.example.org")
    browser.force_login(user)
    return user


# --- Reads ---------------------------------------------------------------------------------------------


def test_a_read_that_lost_its_connection_runs_again(browser):
    ForumFactory(name="ASEAN Mayors Forum 2031", slug="amf-2031")

    with backend_terminated_before(reads("events_forum"), times=1) as cut:
        response = browser.get("/")

    assert len(cut) == 1
    assert response.status_code == 200
    assert "ASEAN Mayors Forum 2031" in response.content.decode()


def test_a_read_cut_twice_gets_the_try_again_page(browser):
    ForumFactory(name="ASEAN Mayors Forum 2031", slug="amf-2031")

    with backend_terminated_before(reads("events_forum"), times=2) as cut:
        response = browser.get("/?from=feed")

    assert len(cut) == 2
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    page = " ".join(response.content.decode().split())
    assert "<h1>Please try again</h1>" in page
    assert "Please try again in 5 seconds." in page
    assert '<a class="button button--primary" href="/?from=feed">Load the page again</a>' in page
    # The next request finds the database again.
    assert browser.get("/").status_code == 200


# --- A registration --------------------------------------------------------------------------------


def test_a_registration_cut_before_commit_runs_again_and_is_saved_once(browser, signed_in, mayors):
    url = register_url(mayors.forum)
    token = csrf_token(browser.get(url))

    with backend_terminated_before(starts('INSERT INTO "delegates_registration"'), times=1) as cut:
        response = browser.post(url, {**form_data(mayors), "csrfmiddlewaretoken": token})

    assert len(cut) == 1
    [registration] = Registration.objects.filter(email="governor@phnompenh.example.org")
    assert response.status_code == 302
    assert response["Location"] == f"/my/registrations/{registration.public_id}/"
    assert StatusChange.objects.filter(registration=registration).count() == 1
    assert EmailOutbox.objects.filter(registration=registration).count() == 1


def test_a_registration_cut_twice_saves_nothing_and_keeps_what_was_typed(browser, signed_in, mayors):
    url = register_url(mayors.forum)
    token = csrf_token(browser.get(url))
    held = browser.cookies["csrftoken"].value
    typed = form_data(mayors)

    with backend_terminated_before(starts('INSERT INTO "delegates_registration"'), times=2) as cut:
        response = browser.post(url, {**typed, "csrfmiddlewaretoken": token})

    assert len(cut) == 2
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert csrf_cookie(response) in {None, held}  # the browser keeps the CSRF secret it has
    assert Registration.objects.count() == 0
    assert EmailOutbox.objects.count() == 0
    page = response.content.decode()
    assert "Nothing has been saved. What you typed is kept: send it again with the button below." in " ".join(
        page.split()
    )
    assert f'<form method="post" action="{url}" class="error-page__actions">' in page
    kept = {name: unescape(value) for name, value in HIDDEN.findall(page)}
    assert kept == {**typed, "csrfmiddlewaretoken": kept["csrfmiddlewaretoken"]}
    assert kept["native_name"] == "សុខ វិបុល"

    # "Send again": the page's own token passes the CSRF check, and the registration is saved once.
    again = browser.post(url, kept)

    [registration] = Registration.objects.all()
    assert again.status_code == 302
    assert again["Location"] == f"/my/registrations/{registration.public_id}/"
    assert (registration.native_name, registration.email) == ("សុខ វិបុល", "governor@phnompenh.example.org")


# --- Sign-in -------------------------------------------------------------------------------------------


def test_a_sign_in_cut_before_it_saved_anything_runs_again(browser):
    verified_user("delegate@phnompenh.example.org")
    token = csrf_token(browser.get(LOGIN_URL))

    with backend_terminated_before(reads("mfa_authenticator"), times=1) as cut:
        response = browser.post(
            LOGIN_URL,
            {"login": "delegate@phnompenh.example.org", "password": PASSWORD, "csrfmiddlewaretoken": token},
        )

    assert len(cut) == 1
    assert response.status_code == 302
    assert response["Location"] == "/my/registrations/"
    assert browser.get("/my/registrations/").status_code == 200


def test_a_sign_in_cut_after_the_csrf_rotation_can_be_sent_again(browser):
    verified_user("delegate@phnompenh.example.org")
    token = csrf_token(browser.get(LOGIN_URL))
    held = browser.cookies["csrftoken"].value
    login = {"login": "delegate@phnompenh.example.org", "password": PASSWORD, "csrfmiddlewaretoken": token}

    # Django has saved the new session and rotated the CSRF secret when it records the last login.
    with backend_terminated_before(starts('UPDATE "auth_user" SET "last_login"'), times=1) as cut:
        response = browser.post(LOGIN_URL, login)

    assert len(cut) == 1
    assert response.status_code == 503
    assert csrf_cookie(response) in {None, held}  # not the secret the failed sign-in rotated to
    assert "sessionid" not in response.cookies
    page = " ".join(response.content.decode().split())
    assert "Part of what you sent may already be saved." in page
    assert PASSWORD not in page
    assert 'type="hidden" name="login"' not in page  # nothing is sent again without the user

    # The user sends the form they still have: accepted, not a CSRF failure.
    again = browser.post(LOGIN_URL, login)

    assert again.status_code == 302
    assert again["Location"] == "/my/registrations/"
    assert browser.get("/my/registrations/").status_code == 200


def test_a_form_with_a_file_is_not_run_again_and_asks_for_the_file(browser, signed_in, mayors):
    url = register_url(mayors.forum)
    token = csrf_token(browser.get(url))
    upload = SimpleUploadedFile("letter.pdf", b"%PDF-1.7 invitation letter\n", content_type="application/pdf")

    with backend_terminated_before(starts('INSERT INTO "delegates_registration"'), times=1) as cut:
        response = browser.post(url, {**form_data(mayors), "letter": upload, "csrfmiddlewaretoken": token})

    assert len(cut) == 1  # the first run was cut, and not run again: the upload was read already
    assert response.status_code == 503
    assert Registration.objects.count() == 0
    page = " ".join(response.content.decode().split())
    assert "Nothing has been saved. Please go back to the form, choose your files again and send it." in page
    assert f'<a class="button button--primary" href="{url}">Back to the form</a>' in page
    assert "Send again" not in page


def test_a_registration_whose_commit_was_cut_is_not_run_again(browser, signed_in, mayors):
    """The server may have committed before the client heard: running it again could save it twice
    (the database's one-registration-per-email rule would refuse, with a confusing message)."""
    url = register_url(mayors.forum)
    token = csrf_token(browser.get(url))
    cut: list[int] = []

    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        raw = context["connection"].connection
        if not cut and str(sql).startswith('INSERT INTO "delegates_registration"'):
            commit = raw.commit

            def commit_after_termination():
                # Ends the backend just as the COMMIT is sent (the moment decides nothing: the client
                # cannot tell whether the server committed).
                cut.append(raw.info.backend_pid)
                _terminate(raw.info.backend_pid)
                commit()

            raw.commit = commit_after_termination
        return result

    with connection.execute_wrapper(wrapper):
        response = browser.post(url, {**form_data(mayors), "csrfmiddlewaretoken": token})

    assert len(cut) == 1
    assert response.status_code == 503
    page = " ".join(response.content.decode().split())
    assert (
        "Part of what you sent may already be saved. Please check the page before you send it again." in page
    )
    assert "Send again" not in page
    assert Registration.objects.count() == 0  # here the server never had the COMMIT

    # The delegate opens the form again and sends it: saved once.
    again = browser.post(url, {**form_data(mayors), "csrfmiddlewaretoken": csrf_token(browser.get(url))})
    assert again.status_code == 302
    assert Registration.objects.count() == 1


def test_a_database_that_does_not_answer_gets_the_try_again_page(browser):
    ForumFactory(name="ASEAN Mayors Forum 2031", slug="amf-2031")
    connection.close()
    port = connection.settings_dict["PORT"]
    with socket.socket() as closed:  # a local port where nothing listens: every connect is refused
        closed.bind(("127.0.0.1", 0))
        connection.settings_dict["PORT"] = closed.getsockname()[1]
    try:
        response = browser.get("/forums/amf-2031/")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = " ".join(response.content.decode().split())
    assert "<h1>Please try again</h1>" in page
    assert '<a class="button button--primary" href="/forums/amf-2031/">Load the page again</a>' in page
    assert browser.get("/forums/amf-2031/").status_code == 200
