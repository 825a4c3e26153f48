"""The cache in production: Redis, and this process's memory while Redis does not answer.

What the site keeps in the cache is short-lived and can be rebuilt: allauth's rate-limit counters
(sign-in, sign-up, password reset), its lock around them, and the TOTP codes already used. With Redis
unreachable Django's ``RedisCache`` raises on every call, and each of those pages would answer 500.
``FailoverRedisCache`` is Django's ``RedisCache`` that, when Redis does not answer (a refused or
timed-out connection), serves the call from a ``LocMemCache`` of this process instead, logs one warning
for the outage, and leaves Redis alone for ``RETRY_SECONDS`` so that no request waits on a dead server
more than once in that time. The first call after that tries Redis again; when it answers, Redis is
used again and an info line says so.

While it lasts, limits hold per process (each gunicorn worker counts on its own) rather than for the
whole site: looser by the number of processes, never off. Other Redis errors (a wrong password, an
out-of-memory answer) are configuration faults and still raise.

Logged: the outage and the server's address as redis-py words its error — never a cache key, which
can hold a client's address or a hash of an email.

django-cache-fallback does a similar thing but logs a traceback on every call, retries the dead server
on every call, and configures logging at import time; this is the one behaviour needed, on Django's own
backend.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# A refused or broken connection, or no answer within the socket timeouts (redis-py wraps OSError).
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


@dataclass
class _Outage:
    """Whether one Redis is down, for the whole process: Django makes a cache object per thread."""

    down: bool = False
    retry_at: float = 0.0  # time.monotonic() before which Redis is not tried again
    lock: threading.Lock = field(default_factory=threading.Lock)


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage_of(name: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(name, _Outage())


class FailoverRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` that falls back to this process's memory while
    Redis is unreachable (see the module's docstring). Same ``LOCATION`` and ``OPTIONS``."""

    RETRY_SECONDS = 5.0

    def __init__(self, server, params):
        super().__init__(server, params)
        # One memory store and one outage state per Redis location and key prefix in the process,
        # shared by the threads' cache objects; same key prefix, version and default timeout.
        name = f"{server}|{params.get('KEY_PREFIX', '')}"
        fallback_params = {key: value for key, value in params.items() if key != "OPTIONS"}
        self._fallback = LocMemCache(f"amf.cache.failover:{name}", fallback_params)
        self._outage = _outage_of(name)

    def _call(self, method: str, *args, **kwargs):
        outage = self._outage
        if outage.down and time.monotonic() < outage.retry_at:
            return getattr(self._fallback, method)(*args, **kwargs)
        try:
            result = getattr(super(), method)(*args, **kwargs)
        except UNREACHABLE as error:
            self._went_down(error)
            return getattr(self._fallback, method)(*args, **kwargs)
        if outage.down:
            self._came_back()
        return result

    def _went_down(self, error: Exception) -> None:
        outage = self._outage
        with outage.lock:
            first = not outage.down
            outage.down = True
            outage.retry_at = time.monotonic() + self.RETRY_SECONDS
        if first:
            logger.warning(
                "cache: Redis does not answer (%s: %s); rate limits and other cached values are kept "
                "in this process's memory until it does (retried every %.0f s)",
                type(error).__name__,
                error,
                self.RETRY_SECONDS,
            )

    def _came_back(self) -> None:
        outage = self._outage
        with outage.lock:
            was_down = outage.down
            outage.down = False
        if was_down:
            logger.info("cache: Redis answers again; the cache is back in Redis")

    @property
    def using_fallback(self) -> bool:
        """Whether calls are served from this process's memory now (Redis unreachable)."""
        return self._outage.down

    # Every method of RedisCache that talks to Redis; BaseCache's others (get_or_set, decr, the async
    # ones) go through these.

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self, *args, **kwargs):
        return self._call("clear", *args, **kwargs)
