"""Drill: Redis — cache and broker — stopped under a production web process (gunicorn on
amf.settings.production, on a Redis server of the test's own). Sign-in, sign-up and password reset keep
working, nothing answers 500, rate limits still hold (in the process's memory), /healthz reports the
broker down; when Redis is back the limits are kept in Redis again."""

import json

import pytest
import redis
from allauth.account.models import EmailAddress

from tests.integration.web import Gunicorn, WebClient, collect_static, production_env, production_user
from tests.integration.workers import RedisServer, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LOGIN = "/accounts/login/"
SIGNUP = "/accounts/signup/"
RESET = "/accounts/password/reset/"
PASSWORD = "a-long-enough-password-9"
TOO_MANY = "Too many failed login attempts. Try again later."
DELEGATE = "delegate@example.org"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("redis-down")


@pytest.fixture(scope="module")
def redis_server(workdir):
    server = RedisServer(workdir).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def web(workdir, redis_server, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        # Cache and broker on the same Redis, as in docker-compose.yml.
        env = production_env(
            workdir=workdir,
            redis_url=redis_server.url,
            static_root=collect_static(workdir / "static", workdir),
        )
        server = Gunicorn(workdir=workdir, environment=env).start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def redis_up(redis_server):
    """Each test starts with Redis running and empty. (What the web process counted in its memory
    during an outage stays there: each test's clients have addresses of their own.)"""
    if redis_server.process.poll() is not None:
        redis_server.start()
    client = redis.Redis(host="127.0.0.1", port=redis_server.port)
    client.flushall()
    client.close()


def _healthz(web: Gunicorn) -> tuple[int, dict]:
    response = WebClient(web.port).get("/healthz")
    return response.status, json.loads(response.body)


def _fail_login(client: WebClient, attempt: int) -> tuple[int, bool]:
    form = {"login": f"nobody{attempt}@example.org", "password": "wrong-password"}
    response = client.post(LOGIN, form)
    return response.status, TOO_MANY in response.text


def _rate_limit_keys(redis_server, pattern: str) -> list[bytes]:
    client = redis.Redis(host="127.0.0.1", port=redis_server.port, socket_connect_timeout=1)
    try:
        return client.keys(pattern)
    finally:
        client.close()


def test_sign_in_sign_up_and_password_reset_work_while_redis_is_down(web, redis_server):
    production_user(DELEGATE, PASSWORD)
    assert _healthz(web) == (200, {"status": "ok", "checks": {"database": True, "broker": True}})
    delegate = WebClient(web.port, source="127.0.0.2")
    newcomer = WebClient(web.port, source="127.0.0.3")
    forgetful = WebClient(web.port, source="127.0.0.4")
    # Each has the form open when Redis goes away, and sends it after.
    forms = [
        client.get(path).status
        for client, path in ((delegate, LOGIN), (newcomer, SIGNUP), (forgetful, RESET))
    ]

    redis_server.stop()
    signed_in = delegate.post(LOGIN, {"login": DELEGATE, "password": PASSWORD}, read_form=False)
    signed_up = newcomer.post(
        SIGNUP, {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD}, read_form=False
    )
    reset = forgetful.post(RESET, {"email": DELEGATE}, read_form=False)
    registrations = delegate.get("/my/registrations/")
    home = delegate.get("/")
    wrong_password = WebClient(web.port, source="127.0.0.8").post(
        LOGIN, {"login": DELEGATE, "password": "wrong"}
    )
    health = _healthz(web)

    assert forms == [200, 200, 200]
    assert (signed_in.status, signed_in.location) == (302, "/my/registrations/")
    assert (signed_up.status, signed_up.location) == (302, "/accounts/confirm-email/")
    assert EmailAddress.objects.filter(email="new@example.org", verified=False).count() == 1
    assert (reset.status, reset.location) == (302, "/accounts/password/reset/done/")
    assert registrations.status == 200
    assert home.status == 200
    assert wrong_password.status == 200
    assert "The email address and/or password you specified are not correct." in wrong_password.text
    assert health == (503, {"status": "unavailable", "checks": {"database": True, "broker": False}})
    log = web.log()
    assert log.count("cache: Redis does not answer") == 1  # once for the outage, one process
    assert "Internal Server Error" not in log
    # No personal data in the log: neither the addresses typed nor the clients' addresses.
    for personal in (DELEGATE, "new@example.org", "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.8"):
        assert personal not in log


def test_rate_limits_hold_while_redis_is_down_and_are_in_redis_again_once_it_is_back(web, redis_server):
    redis_server.stop()
    during = WebClient(web.port, source="127.0.0.5")

    outage_attempts = [_fail_login(during, attempt) for attempt in range(11)]
    redis_server.start()
    # The first request after the retry pause finds Redis again; a sign-up form with different
    # passwords is counted and costs no hashing.
    probe = WebClient(web.port, source="127.0.0.9")
    mismatch = {"email": "probe@example.org", "password1": PASSWORD, "password2": PASSWORD + "x"}
    wait_for(
        lambda: probe.post(SIGNUP, mismatch).status and _rate_limit_keys(redis_server, "*:signup:*"),
        timeout=20,
        what="the web process to use Redis again",
        log=web.log,
    )
    after = WebClient(web.port, source="127.0.0.6")
    after_attempts = [_fail_login(after, attempt) for attempt in range(11)]

    assert outage_attempts == [(200, False)] * 10 + [(200, True)]
    assert after_attempts == [(200, False)] * 10 + [(200, True)]
    assert len(_rate_limit_keys(redis_server, "*:login_failed:*:ip:127.0.0.6")) == 1
    assert "cache: Redis answers again; the cache is back in Redis" in web.log()
