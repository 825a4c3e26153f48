"""`/healthz` reports the database and the broker, against the real PostgreSQL and Redis."""

import socket
import time

import pytest

from amf.celery import app as celery_app

pytestmark = pytest.mark.django_db

REDIS_TEST_BROKER = "redis://127.0.0.1:6379/15"


@pytest.fixture
def broker_url():
    """Point the Celery app (what producers really use) at another broker for one test."""
    keys = ("broker_url", "broker_write_url", "broker_transport_options")
    saved = {key: celery_app.conf[key] for key in keys}

    def use(url: str) -> None:
        celery_app.conf.update(broker_url=url, broker_write_url=None, broker_transport_options={})

    yield use
    celery_app.conf.update(saved)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_with_database_and_redis_broker_is_ok(client, broker_url):
    broker_url(REDIS_TEST_BROKER)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": True, "broker": True}}
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_healthz_with_unreachable_broker_is_unavailable_quickly(client, broker_url):
    broker_url(f"redis://127.0.0.1:{_closed_port()}/15")

    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": True, "broker": False}}
    assert elapsed <= 3


def test_healthz_refuses_post(client):
    response = client.post("/healthz")

    assert response.status_code == 405
