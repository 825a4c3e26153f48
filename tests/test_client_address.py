"""amf/client_address.py and the rate limits: per real client behind the configured number of proxies,
and a forged X-Forwarded-For changes nothing without one. (Against gunicorn behind a real Caddy:
tests/integration/test_proxy_rate_limits.py.)"""

import os
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from amf.client_address import client_address
from delegates.mail.account_adapter import _warn_proxy_count_once
from tests.delegates.accounts import verified_user

PASSWORD = "correct horse battery staple"  # UserFactory's
TOO_MANY = b"Too many failed login attempts. Try again later."


@pytest.fixture
def rate_limits():
    cache.clear()
    yield
    cache.clear()


def _request(**headers):
    return RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", **headers)


def test_without_a_trusted_proxy_the_address_is_the_connections(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0

    assert client_address(_request(HTTP_X_FORWARDED_FOR="203.0.113.5")) == "10.0.0.2"
    assert client_address(_request()) == "10.0.0.2"


def test_behind_one_proxy_the_address_is_the_one_it_appended(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1

    # A client's own X-Forwarded-For comes first; the proxy appends the address it saw.
    assert client_address(_request(HTTP_X_FORWARDED_FOR="203.0.113.5, 198.51.100.7")) == "198.51.100.7"
    assert client_address(_request(HTTP_X_FORWARDED_FOR="198.51.100.7")) == "198.51.100.7"
    # The container healthcheck reaches the app directly.
    assert client_address(_request()) == "10.0.0.2"


def test_a_request_past_fewer_proxies_than_configured_is_counted_not_refused(settings, client, caplog):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2  # one proxy too many configured
    _warn_proxy_count_once.cache_clear()

    assert client_address(_request(HTTP_X_FORWARDED_FOR="198.51.100.7")) == "198.51.100.7"
    assert client_address(_request(HTTP_X_FORWARDED_FOR="203.0.113.5, 198.51.100.7")) == "203.0.113.5"
    page = client.get(reverse("account_login"), HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert page.status_code == 200  # the sign-in page, not a 500
    assert caplog.text.count("fewer addresses than TRUSTED_PROXY_COUNT") == 1  # warned, once
    assert "198.51.100.7" not in caplog.text  # no address in the log


def test_trusted_proxy_count_is_read_from_the_environment():
    code = "from django.conf import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "amf.settings.test", "AMF_ENV_FILE": ""}

    def count(**extra):
        command = [sys.executable, "-c", f"import django; django.setup(); {code}"]
        return subprocess.run(command, env={**env, **extra}, capture_output=True, text=True, check=True)

    env.pop("TRUSTED_PROXY_COUNT", None)
    assert count().stdout == "0\n"
    assert count(TRUSTED_PROXY_COUNT="1").stdout == "1\n"


def _fail_login(client: Client, attempt: int, **headers) -> tuple[int, bool]:
    """A wrong password, each attempt for another address (so the per-address limit is not the one
    hit): the status and whether the page says "too many failed attempts"."""
    form = {"login": f"nobody{attempt}@example.org", "password": "wrong-password"}
    response = client.post(reverse("account_login"), form, **headers)
    return response.status_code, TOO_MANY in response.content


@pytest.mark.django_db
def test_ten_failures_behind_the_proxy_lock_out_that_client_only(settings, rate_limits):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    verified_user("delegate@example.org")
    attacker = Client(REMOTE_ADDR="172.18.0.9", HTTP_X_FORWARDED_FOR="198.51.100.7")
    delegate = Client(REMOTE_ADDR="172.18.0.9", HTTP_X_FORWARDED_FOR="198.51.100.8")

    attempts = [_fail_login(attacker, attempt) for attempt in range(11)]
    signed_in = delegate.post(
        reverse("account_login"), {"login": "delegate@example.org", "password": PASSWORD}
    )

    assert attempts == [(200, False)] * 10 + [(200, True)]
    assert signed_in.status_code == 302
    assert signed_in["Location"] == reverse("delegates:my-registrations")


@pytest.mark.django_db
def test_a_forged_forwarded_for_without_a_proxy_does_not_escape_the_limit(settings, rate_limits):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    attacker = Client(REMOTE_ADDR="198.51.100.7")

    attempts = [
        _fail_login(attacker, attempt, HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}") for attempt in range(11)
    ]

    assert attempts == [(200, False)] * 10 + [(200, True)]
