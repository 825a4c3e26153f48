"""The drill: PostgreSQL backends of the web terminated every second during a burst of requests.

gunicorn runs as in production (``amf.settings.production``, two sync workers, persistent connections
with health checks, Redis of the test's own as cache and broker) on the test database. Signed-in
delegates open the registration form and register several mayors each, visitors read the public pages
and the sign-in form, while a thread runs ``pg_terminate_backend`` on every connection of the web once
a second. What must hold:

- no 500 page, and no CSRF failure for a form filled in correctly: a request that lost its connection
  is run again or answered with the site's "please try again" page (503, Retry-After), after which the
  delegate sends the form again — with what the page kept, or anew;
- no phantom and no doubled registration: each mayor is registered exactly once, complete (its status
  history and its email in the outbox), and every registration answered as saved is there.
"""

import threading
import time
from collections import Counter

import psycopg
import pytest
from django.db import connection

from delegates.enums import RegistrationStatus
from delegates.models import EmailOutbox, Registration, StatusChange
from tests.factories import DelegateCategoryFactory, ForumFactory
from tests.integration.drills import (
    ATTEMPTS,
    PASSWORD,
    WEB_APPLICATION_NAME,
    Browser,
    Drill,
    mayor,
    production_account,
    web_env,
)
from tests.integration.web import Gunicorn, collect_static
from tests.integration.workers import free_port, redis_server

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DELEGATES = 4
MAYORS_EACH = 6
TERMINATE_EVERY = 1.0  # seconds
# Seconds of burst at least: on a fast machine most terminations find a backend between two requests
# (the health check replaces it), so the burst lasts long enough for several to land inside one.
MIN_BURST = 20.0
# A delegate reads "please try again" before signing in again.
READING = 1.0  # seconds


class BackendTerminator(threading.Thread):
    """Terminates every backend of the web (``WEB_APPLICATION_NAME``) on the test database every
    ``every`` seconds, from a session of its own, until stopped."""

    def __init__(self, *, every: float):
        super().__init__(daemon=True)
        self.every = every
        self.terminated = 0
        self.stopped = threading.Event()
        db = connection.settings_dict
        self.conninfo = {
            "host": db["HOST"] or "127.0.0.1",
            "port": db["PORT"] or 5432,
            "user": db["USER"],
            "password": db["PASSWORD"] or None,
            "dbname": "postgres",
        }
        self.database = db["NAME"]

    def run(self) -> None:
        with psycopg.connect(**self.conninfo, autocommit=True) as admin:
            while not self.stopped.wait(self.every):
                rows = admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = %s AND datname = %s",
                    [WEB_APPLICATION_NAME, self.database],
                ).fetchall()
                self.terminated += sum(1 for (ended,) in rows if ended)

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=10)


def sign_in(drill: Drill, browser: Browser, email: str) -> bool:
    for _ in range(ATTEMPTS):
        form = drill.get(browser, "/accounts/login/")
        if form is None:
            return False
        data = {"login": email, "password": PASSWORD, "csrfmiddlewaretoken": form.csrf_token()}
        page = drill.record("POST", "/accounts/login/", browser.post("/accounts/login/", data))
        if page.status == 302 and page.location == "/my/registrations/":
            return True
        if not page.is_try_again:
            drill.problem(f"sign-in of {email}: {page.status}")
            return False
        time.sleep(READING)
    drill.problem(f"sign-in of {email}: still 'try again' after {ATTEMPTS} attempts")
    return False


def register(drill: Drill, browser: Browser, url: str, typed: dict) -> None:
    """Fill in the form and send it; after "please try again", send what the page kept ("Send again"),
    or the form anew when the page says part of it may be saved."""
    form = drill.get(browser, url)
    if form is None:
        return
    page = drill.record("POST", url, browser.post(url, {**typed, "csrfmiddlewaretoken": form.csrf_token()}))
    for _ in range(ATTEMPTS):
        if page.status == 302 and page.location.startswith("/my/registrations/"):
            with drill.lock:
                drill.saved.append(page.location.split("/")[3])
            drill.get(browser, page.location)
            return
        if not page.is_try_again:
            # Sent again after a COMMIT that was cut but had gone through: the form says the email is
            # registered already. The check of the database below decides.
            if page.status != 200:
                drill.problem(f"POST {url}: {page.status}")
            return
        kept = page.hidden_fields()
        if any(name == "email" for name, _ in kept):
            page = drill.record("POST", url, browser.post(url, kept))
        else:
            form = drill.get(browser, url)
            if form is None:
                return
            fresh = {**typed, "csrfmiddlewaretoken": form.csrf_token()}
            page = drill.record("POST", url, browser.post(url, fresh))
    drill.problem(f"POST {url}: still 'try again' after {ATTEMPTS} attempts")


@pytest.fixture
def web(transactional_db, tmp_path, tmp_path_factory):
    static_root = collect_static(tmp_path_factory.getbasetemp() / "collected-static", tmp_path)
    with redis_server(tmp_path) as redis:
        env = web_env(
            static_root=static_root,
            workdir=tmp_path,
            redis_url=redis.url,
            email_url=f"smtp://127.0.0.1:{free_port()}",  # the web queues emails, the worker sends them
        )
        server = Gunicorn(workdir=tmp_path, environment=env, workers=2).start()
        try:
            yield server
        finally:
            server.stop()


def test_backends_terminated_during_a_burst_of_requests(web):
    forum = ForumFactory(
        name="ASEAN Mayors Forum 2031",
        slug="amf-2031",
        registration_opens_at="2020-01-01T00:00:00Z",
        registration_closes_at="2099-01-01T00:00:00Z",
    )
    category = DelegateCategoryFactory(forum=forum, name="Mayor / Governor", slug="mayor")
    assistants = [production_account(f"assistant@city{n}.example.org") for n in range(DELEGATES)]
    url = f"/forums/{forum.slug}/register/"
    drill = Drill()
    done = threading.Event()

    # Signed in before the drill: a sign-in hashes the password (PBKDF2, a second or more on a busy
    # machine, while its connection idles), which can take longer than the gap between two
    # terminations; then every run of it is cut, it is answered "try again" again and again, and
    # allauth's rate limit (all browsers here share one address) ends it. How a sign-in that
    # is cut is run again, or answered without rotating the CSRF cookie: tests/test_database_retry.py.
    browsers = []
    for assistant in assistants:
        browser = Browser(web.port)
        assert sign_in(drill, browser, assistant.email)
        browsers.append(browser)

    def delegate(n: int) -> None:
        browser = browsers[n]
        for k in range(MAYORS_EACH):
            drill.get(browser, f"/forums/{forum.slug}/")
            register(drill, browser, url, mayor(n, k, category))
        drill.get(browser, "/my/registrations/")

    def visitor() -> None:
        browser = Browser(web.port)
        pages = ("/", f"/forums/{forum.slug}/", f"/forums/{forum.slug}/programme/", "/accounts/login/")
        while not done.is_set():
            for path in pages:
                drill.get(browser, path)

    terminator = BackendTerminator(every=TERMINATE_EVERY)
    delegates = [threading.Thread(target=delegate, args=(n,)) for n in range(DELEGATES)]
    visitors = [threading.Thread(target=visitor) for _ in range(2)]
    started = time.monotonic()
    terminator.start()
    for thread in delegates + visitors:
        thread.start()
    for thread in delegates:
        thread.join(timeout=120)
    while time.monotonic() - started < MIN_BURST:
        time.sleep(0.2)
    done.set()
    for thread in visitors:
        thread.join(timeout=60)
    terminator.stop()
    log = web.log()

    assert drill.problems == [], "\n".join(drill.problems[:20])
    assert terminator.terminated >= 10, terminator.terminated
    # The drill reached requests in flight (each is run again or answered "try again").
    assert log.count("database connection lost during a request") >= 1, log[-4000:]
    assert set(drill.statuses) <= {200, 302, 503}, drill.statuses

    registrations = list(Registration.objects.filter(forum=forum).select_related("registered_by"))
    by_email = Counter(registration.email for registration in registrations)
    expected = {f"mayor{k}@city{n}.example.org" for n in range(DELEGATES) for k in range(MAYORS_EACH)}
    assert by_email == Counter(expected)  # each once: none lost, none doubled, no phantom
    assert set(drill.saved) <= {str(registration.public_id) for registration in registrations}
    assert len(drill.saved) == len(set(drill.saved))
    mine = {"registration__forum": forum}
    history = Counter(StatusChange.objects.filter(**mine).values_list("registration", flat=True))
    emails = Counter(EmailOutbox.objects.filter(**mine).values_list("registration", flat=True))
    for registration in registrations:
        n, k = (int(part) for part in registration.given_name.removeprefix("Vibol").split("x"))
        assert registration.email == f"mayor{k}@city{n}.example.org"
        assert registration.registered_by.email == f"assistant@city{n}.example.org"
        assert registration.status == RegistrationStatus.CONFIRMED
        assert (history[registration.pk], emails[registration.pk]) == (1, 1), registration.reference
    print(  # the drill's figures, for the record (pytest -s)
        f"\n{sum(drill.statuses.values())} requests {dict(drill.statuses)}, {terminator.terminated} backends "
        f"terminated, {log.count('database connection lost during a request')} requests cut, "
        f"{log.count('running it again')} run again, {drill.try_again} answered try again"
    )
