"""amf/cache.py: the Redis cache that keeps working from this process's memory while Redis is down, on a
Redis server of the test's own, stopped and started again."""

import logging
import socket

import pytest
import redis
from allauth.core import ratelimit
from django.test import RequestFactory

from amf.cache import FailoverRedisCache
from tests.integration.workers import RedisServer

RATE_LIMIT = {"login": "3/m/ip"}


@pytest.fixture
def server(tmp_path):
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


PARAMS = {"KEY_PREFIX": "t", "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0}}


@pytest.fixture
def cache(server):
    cache = FailoverRedisCache(server.url, PARAMS)
    yield cache
    cache._cache.get_client(write=True).connection_pool.disconnect()


def _redis_keys(server) -> list[bytes]:
    client = redis.Redis(host="127.0.0.1", port=server.port)
    try:
        return sorted(client.keys("*"))
    finally:
        client.close()


def test_cache_keeps_values_in_redis_while_it_answers(cache, server):
    cache.set("forum", 1, timeout=60)

    assert cache.get("forum") == 1
    assert cache.add("forum", 2) is False
    assert _redis_keys(server) == [b"t:1:forum"]
    assert cache.using_fallback is False


def test_cache_answers_from_memory_while_redis_is_down_and_warns_once(cache, server, caplog):
    cache.set("kb4", "in redis")
    server.stop()

    with caplog.at_level(logging.INFO, logger="amf.cache"):
        assert cache.get("kb4") is None  # what Redis held is out of reach, not an error
        cache.set("kd5", "in memory", timeout=60)
        assert cache.get("kd5") == "in memory"
        assert cache.add("kl6", True) is True
        assert cache.add("kl6", True) is False
        assert cache.get_or_set("ko7", 5) == 5
        assert cache.incr("ko7") == 6
        cache.delete("kl6")
        assert cache.has_key("kl6") is False
        assert cache.get_many(["kd5", "ko7"]) == {"kd5": "in memory", "ko7": 6}

    assert cache.using_fallback is True
    assert [record.levelname for record in caplog.records] == ["WARNING"]
    message = caplog.records[0].getMessage()
    assert message.startswith("cache: Redis does not answer (ConnectionError: Error 111 connecting to")
    # Never a key: allauth's hold a client's address or a hash of an email.
    for key in ("kb4", "kd5", "kl6", "ko7"):
        assert key not in message


def test_cache_goes_back_to_redis_when_it_answers_again(cache, server, caplog):
    cache.RETRY_SECONDS = 0  # try Redis again on the next call
    server.stop()
    cache.set("during", "in memory")
    server.start()
    caplog.clear()

    with caplog.at_level(logging.INFO, logger="amf.cache"):
        cache.set("after", "in redis")

    assert cache.using_fallback is False
    assert _redis_keys(server) == [b"t:1:after"]
    assert [record.getMessage() for record in caplog.records] == [
        "cache: Redis answers again; the cache is back in Redis"
    ]


def test_cache_does_not_try_a_dead_redis_again_before_the_retry_time(cache, server):
    server.stop()
    cache.set("during", "in memory")
    server.start()

    cache.set("still", "in memory")  # within RETRY_SECONDS: memory, though Redis is back

    assert cache.get("still") == "in memory"
    assert _redis_keys(server) == []


def test_the_threads_of_a_process_share_the_memory_cache_and_the_outage(cache, server, caplog):
    # Django makes one cache object per thread.
    other_thread = FailoverRedisCache(server.url, PARAMS)
    server.stop()

    with caplog.at_level(logging.WARNING, logger="amf.cache"):
        cache.set("ks8", "in memory")
        value = other_thread.get("ks8")

    assert value == "in memory"
    assert other_thread.using_fallback is True
    assert len(caplog.records) == 1


def test_rate_limits_hold_on_the_memory_cache_while_redis_is_down(cache, server, settings, monkeypatch):
    monkeypatch.setattr("allauth.core.internal.ratelimit.cache", cache)
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, **RATE_LIMIT}
    server.stop()
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="192.0.2.7")

    allowed = [ratelimit.consume(request, action="login") for _ in range(4)]
    other_client = RequestFactory().post("/accounts/login/", REMOTE_ADDR="192.0.2.8")

    assert allowed == [True, True, True, False]
    assert ratelimit.consume(other_client, action="login") is True


def test_a_redis_that_never_answers_is_given_up_on_after_the_socket_timeout(caplog):
    # A host that takes the connection and then says nothing (overloaded, or a half-dead proxy).
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        cache = FailoverRedisCache(
            f"redis://127.0.0.1:{port}/0", {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}
        )

        with caplog.at_level(logging.WARNING, logger="amf.cache"):
            cache.set("kx1", "in memory")
            value = cache.get("kx1")

    assert value == "in memory"
    assert cache.using_fallback is True
    (warning,) = caplog.records
    assert warning.getMessage().startswith("cache: Redis does not answer (TimeoutError: Timeout reading")
