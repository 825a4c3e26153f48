"""The drill: Redis — the cache and the broker — stopped while delegates register.

gunicorn runs as in production on the test database with a Redis server of the test's own as cache
and broker; a real Celery worker with its beat (sweeping the outbox every second) sends through an
SMTP server (aiosmtpd). Delegates sign in while Redis is up; then Redis is stopped and they register
several mayors each:

- nothing answers 500: every registration is saved and answered as saved, its email left pending in
  the outbox (the publish gives up within a second);
- Redis back (on the same port, empty): the beat's sweep delivers every email exactly once — counted
  at the SMTP server, and still once after more sweeps.

(tests/integration/test_email_delivery.py has the broker down for a registration made by the service
in this process; this drill is the web's, through its pages.)
"""

import re
import threading
from collections import Counter

import pytest

from delegates.enums import OutboxStatus, RegistrationStatus
from delegates.models import EmailOutbox, Registration
from tests.factories import DelegateCategoryFactory, ForumFactory
from tests.integration.drills import (
    PASSWORD,
    Browser,
    Drill,
    mayor,
    production_account,
    web_env,
)
from tests.integration.web import Gunicorn, collect_static
from tests.integration.workers import CeleryWorker, RedisServer, SmtpServer, wait_for, worker_env

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DELEGATES = 3
MAYORS_EACH = 3
SWEEP_DONE = re.compile(r"Task delegates\.outbox_sweep\[[0-9a-f-]+\] succeeded")


@pytest.fixture
def stack(transactional_db, tmp_path, tmp_path_factory):
    """Redis of the test's own, an SMTP server, the production web and a worker with its beat, all on
    the test database; everything stopped afterwards, before the database is flushed."""
    static_root = collect_static(tmp_path_factory.getbasetemp() / "collected-static", tmp_path)
    redis = RedisServer(tmp_path).start()
    smtp = SmtpServer().start()
    (tmp_path / "web").mkdir()
    (tmp_path / "worker").mkdir()
    web = worker = None
    try:
        web = Gunicorn(
            workdir=tmp_path / "web",
            environment=web_env(
                static_root=static_root, workdir=tmp_path / "web", redis_url=redis.url, email_url=smtp.url
            ),
            workers=2,
        ).start()
        worker = CeleryWorker(
            env=worker_env(
                redis_url=redis.url,
                email_url=smtp.url,
                workdir=tmp_path / "worker",
                OUTBOX_SWEEP_SECONDS="1",
                OUTBOX_SWEEP_AFTER_SECONDS="1",
            ),
            workdir=tmp_path / "worker",
            beat=True,
        ).start()
        yield redis, smtp, web, worker
    finally:
        for process in (worker, web):
            if process is not None:
                process.stop()
        smtp.stop()
        redis.stop()


def test_registrations_while_redis_is_down_are_saved_and_emailed_once_it_is_back(stack):
    redis, smtp, web, worker = stack
    forum = ForumFactory(
        name="ASEAN Mayors Forum 2031",
        slug="amf-2031",
        registration_opens_at="2020-01-01T00:00:00Z",
        registration_closes_at="2099-01-01T00:00:00Z",
    )
    category = DelegateCategoryFactory(forum=forum, name="Mayor / Governor", slug="mayor")
    url = f"/forums/{forum.slug}/register/"
    drill = Drill()
    browsers = []
    for n in range(DELEGATES):
        email = production_account(f"assistant@city{n}.example.org").email
        browser = Browser(web.port)
        form = drill.get(browser, "/accounts/login/")
        data = {"login": email, "password": PASSWORD, "csrfmiddlewaretoken": form.csrf_token()}
        assert browser.post("/accounts/login/", data).location == "/my/registrations/"
        browsers.append(browser)

    redis.stop()
    answers: dict[str, int] = {}

    def delegate(n: int) -> None:
        browser = browsers[n]
        for k in range(MAYORS_EACH):
            typed = mayor(n, k, category)
            form = drill.get(browser, url)
            if form is None:
                return
            sent = {**typed, "csrfmiddlewaretoken": form.csrf_token()}
            page = drill.record("POST", url, browser.post(url, sent))
            with drill.lock:
                answers[typed["email"]] = page.status
            if page.status == 302:
                drill.get(browser, page.location)
            else:
                drill.problem(f"{typed['email']}: {page.status}\n{page.text[:500]}")
        drill.get(browser, "/my/registrations/")

    threads = [threading.Thread(target=delegate, args=(n,)) for n in range(DELEGATES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    expected = {f"mayor{k}@city{n}.example.org" for n in range(DELEGATES) for k in range(MAYORS_EACH)}
    assert drill.problems == [], "\n".join(drill.problems)
    assert answers == dict.fromkeys(expected, 302)
    assert drill.try_again == 0
    registrations = Registration.objects.filter(forum=forum)
    assert Counter(registrations.values_list("email", flat=True)) == Counter(expected)
    assert set(registrations.values_list("status", flat=True)) == {RegistrationStatus.CONFIRMED}
    pending = EmailOutbox.objects.filter(registration__forum=forum)
    assert sorted(pending.values_list("status", "attempts")) == [(OutboxStatus.PENDING, 0)] * len(expected)
    assert smtp.received == []

    redis.start()  # the same port, empty: the worker reconnects, the beat sweeps the outbox

    wait_for(
        lambda: len(smtp.received) >= len(expected),
        timeout=120,
        what=f"{len(expected)} emails at the SMTP server",
        log=worker.log,
    )
    wait_for(
        lambda: not pending.exclude(status=OutboxStatus.SENT).exists(),
        timeout=30,
        what="every outbox row marked sent",
        log=worker.log,
    )
    sweeps = len(SWEEP_DONE.findall(worker.log()))
    wait_for(
        lambda: len(SWEEP_DONE.findall(worker.log())) >= sweeps + 2,
        timeout=30,
        what="two more sweeps",
        log=worker.log,
    )
    # One email to each mayor, a copy to the assistant who registered them: none twice, none lost.
    assert Counter(received.message["To"] for received in smtp.received) == Counter(expected)
    assert sorted(received.rcpt_tos for received in smtp.received) == sorted(
        [f"mayor{k}@city{n}.example.org", f"assistant@city{n}.example.org"]
        for n in range(DELEGATES)
        for k in range(MAYORS_EACH)
    )
    assert {received.message["Subject"] for received in smtp.received} == {
        "Registration confirmed: ASEAN Mayors Forum 2031"
    }
