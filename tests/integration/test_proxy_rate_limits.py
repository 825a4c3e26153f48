"""Rate limits per real client, with the real parts: gunicorn on the production settings behind Caddy
running amf/deploy/Caddyfile (TRUSTED_PROXY_COUNT=1, as docker-compose.yml sets it), and gunicorn
reached directly with no proxy trusted (0). Clients connect from addresses of their own on the
loopback (127.0.0.2, 127.0.0.3, ...), so the proxy sees each as a separate client, as on the internet.

Behind the proxy ten wrong passwords or twenty sign-ups from one client limit that client, not the
others sharing the proxy; a forged X-Forwarded-For, through the proxy or without one, escapes nothing.
And the proxy serves /static/ compressed with the long cache lifetimes, pages uncompressed."""

import pytest
import redis

from tests.integration.web import (
    Caddy,
    Gunicorn,
    WebClient,
    collect_static,
    hashed_static_name,
    production_env,
    production_user,
)
from tests.integration.workers import RedisServer

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LOGIN = "/accounts/login/"
SIGNUP = "/accounts/signup/"
PASSWORD = "a-long-enough-password-9"
TOO_MANY = "Too many failed login attempts. Try again later."


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("proxy")


@pytest.fixture(scope="module")
def redis_server(workdir):
    server = RedisServer(workdir).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def static_root(workdir, django_db_setup):
    return collect_static(workdir / "static", workdir)


def _gunicorn(workdir, redis_server, static_root, *, database: int, trusted_proxies: int) -> Gunicorn:
    env = production_env(
        workdir=workdir,
        redis_url=f"redis://127.0.0.1:{redis_server.port}/{database}",
        static_root=static_root,
        TRUSTED_PROXY_COUNT=str(trusted_proxies),
    )
    return Gunicorn(workdir=workdir, environment=env).start()


@pytest.fixture(scope="module")
def behind_proxy(workdir, redis_server, static_root, django_db_blocker):
    """The port of Caddy, in front of a gunicorn that trusts one proxy."""
    with django_db_blocker.unblock():
        web = _gunicorn(workdir, redis_server, static_root, database=1, trusted_proxies=1)
    caddy = Caddy(workdir=workdir, upstream=web).start()
    yield caddy.port
    caddy.stop()
    web.stop()


@pytest.fixture(scope="module")
def without_proxy(workdir, redis_server, static_root, django_db_blocker):
    """The port of a gunicorn reached directly, trusting no proxy."""
    with django_db_blocker.unblock():
        web = _gunicorn(workdir, redis_server, static_root, database=2, trusted_proxies=0)
    yield web.port
    web.stop()


@pytest.fixture(autouse=True)
def empty_rate_limits(redis_server):
    client = redis.Redis(host="127.0.0.1", port=redis_server.port)
    client.flushall()
    yield
    client.close()


def _fail_login(client: WebClient, attempt: int, headers: dict | None = None) -> tuple[int, bool]:
    """A wrong password for another address at each attempt (a credential-stuffing client, so that the
    limit per client is the one hit, not the one per address): status, and "too many" said or not."""
    form = {"login": f"nobody{attempt}@example.org", "password": "wrong-password"}
    response = client.post(LOGIN, form, headers)
    return response.status, TOO_MANY in response.text


def test_ten_wrong_passwords_lock_out_that_client_and_not_the_others_behind_the_proxy(behind_proxy):
    production_user("delegate@example.org", PASSWORD)
    attacker = WebClient(behind_proxy, source="127.0.0.2")
    delegate = WebClient(behind_proxy, source="127.0.0.3")

    attempts = [_fail_login(attacker, attempt) for attempt in range(10)]
    locked = _fail_login(attacker, 10)
    # The attacker's own X-Forwarded-For is replaced by the proxy: no way out.
    forged = _fail_login(attacker, 11, {"X-Forwarded-For": "127.0.0.3"})
    signed_in = delegate.post(LOGIN, {"login": "delegate@example.org", "password": PASSWORD})

    assert attempts == [(200, False)] * 10
    assert locked == (200, True)
    assert forged == (200, True)
    assert signed_in.status == 302
    assert signed_in.location == "/my/registrations/"
    assert delegate.get("/my/registrations/").status == 200


def test_a_sign_up_rush_from_many_clients_is_not_capped_by_one_clients_limit(behind_proxy):
    # Sign-up allows 20 a minute per client; forms sent with different passwords count as well and
    # cost no password hashing, so this rush is cheap.
    form = {"email": "someone@example.org", "password1": PASSWORD, "password2": PASSWORD + "x"}
    first = WebClient(behind_proxy, source="127.0.0.4")
    others = [WebClient(behind_proxy, source=f"127.0.0.{number}") for number in range(5, 8)]

    statuses = [first.post(SIGNUP, form).status for _ in range(21)]
    others_statuses = [client.post(SIGNUP, form).status for client in others]

    assert statuses == [200] * 20 + [429]
    assert others_statuses == [200, 200, 200]


def test_a_forged_forwarded_for_without_a_proxy_escapes_nothing(without_proxy):
    attacker = WebClient(without_proxy, source="127.0.0.2")

    attempts = [
        _fail_login(attacker, attempt, {"X-Forwarded-For": f"203.0.113.{attempt}"}) for attempt in range(11)
    ]

    assert attempts == [(200, False)] * 10 + [(200, True)]


def test_the_proxy_serves_static_files_compressed_with_long_lifetimes(behind_proxy, static_root):
    client = WebClient(behind_proxy)
    css = "/static/" + hashed_static_name(static_root, "css/site.css")

    brotli = client.get(css, {"Accept-Encoding": "br, gzip"})
    zstd = client.get(css, {"Accept-Encoding": "zstd"})
    plain = client.get(css)

    # WhiteNoise's precompressed copy, or the proxy's compression where it has none.
    assert (brotli.status, brotli.headers["Content-Encoding"]) == (200, "br")
    assert (zstd.status, zstd.headers["Content-Encoding"]) == (200, "zstd")
    assert plain.status == 200
    assert "Content-Encoding" not in plain.headers
    assert plain.body == (static_root / hashed_static_name(static_root, "css/site.css")).read_bytes()
    for response in (brotli, zstd, plain):
        assert response.headers["Cache-Control"] == "max-age=315360000, public, immutable"


def test_the_proxy_does_not_compress_pages(behind_proxy):
    response = WebClient(behind_proxy).get(LOGIN, {"Accept-Encoding": "gzip, br, zstd"})

    assert response.status == 200
    assert "Content-Encoding" not in response.headers
    assert "no-store" in response.headers["Cache-Control"]
