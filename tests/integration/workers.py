"""Real parts for tests of background work: the broker this test process publishes to, a Celery worker
in a subprocess, an SMTP server (aiosmtpd) on a free local port, and bounded waiting on a condition.

Plain helpers, not fixtures, so that tests outside ``tests/integration`` can use them too; the tests
own their lifetimes through fixtures with finalizers.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

import kombu.pools
import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from amf.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    """A TCP port nobody listens on (yet)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(
    condition: Callable[[], object], *, timeout: float, what: str, log: Callable[[], str] | None = None
):
    """Poll ``condition`` until it returns something true (returned), or fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            tail = f"\n--- log ---\n{log()[-8000:]}" if log else ""
            pytest.fail(f"timed out after {timeout} s waiting for {what}{tail}")
        time.sleep(0.1)


# --- The broker of this (the "web") process ------------------------------------------------------------


def _reset_publisher_pools() -> None:
    # Celery caches its connection and producer pools (and kombu keeps global ones per URL); drop them
    # so that the next publish connects to the broker now configured.
    kombu.pools.reset()
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@contextmanager
def use_broker(url: str) -> Iterator[None]:
    """Publish tasks to the Redis broker at ``url`` (for real: not eager) with the transport options
    production uses with Redis, then restore the previous configuration."""
    conf = celery_app.conf
    saved = {name: conf[name] for name in ("broker_url", "broker_transport_options", "task_always_eager")}
    _reset_publisher_pools()
    conf.update(
        broker_url=url,
        broker_transport_options=dict(settings.REDIS_BROKER_TRANSPORT_OPTIONS),
        task_always_eager=False,
    )
    try:
        yield
    finally:
        _reset_publisher_pools()
        conf.update(saved)


def closed_redis_url() -> str:
    """A Redis URL at a local port where nothing listens: a broker that is down."""
    return f"redis://127.0.0.1:{free_port()}/0"


class RedisServer:
    """A Redis server of the test's own (``redis-server`` on a free local port, nothing saved to disk),
    which the test may stop and start again on the same port to cut the cache and broker away; the
    shared Redis of the machine is never touched."""

    def __init__(self, workdir: Path, *, port: int | None = None):
        self.port = port or free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, *, timeout: float = 15) -> "RedisServer":
        command = [
            "redis-server", "--bind", "127.0.0.1", "--port", str(self.port),
            "--save", "", "--appendonly", "no", "--dir", str(self.workdir),
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5)
        try:
            wait_for(lambda: self._answers(client), timeout=timeout, what=f"redis-server on {self.port}")
        finally:
            client.close()
        return self

    @staticmethod
    def _answers(client) -> bool:
        try:
            return bool(client.ping())
        except redis.exceptions.ConnectionError:
            return False

    def stop(self) -> None:
        """Stop the server at once (SIGKILL): clients see a refused connection, as when Redis dies."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=15)


@contextmanager
def redis_server(workdir: Path) -> Iterator[RedisServer]:
    """A running ``RedisServer`` for the block, stopped afterwards whatever happened."""
    server = RedisServer(workdir).start()
    try:
        yield server
    finally:
        server.stop()


# --- SMTP ----------------------------------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes = b""  # the message as it came over the wire


@dataclass
class SmtpServer:
    """A real SMTP server (aiosmtpd) that keeps what it receives. ``refuse_data`` / ``refuse_rcpt``
    make it answer a DATA or RCPT command with that reply (e.g. "451 4.3.0 Try again later")."""

    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    refuse_data: str | None = None
    refuse_rcpt: str | None = None
    _controller: Controller | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_data:
            return self.refuse_data
        self.received.append(
            Received(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                message=message_from_bytes(envelope.original_content, policy=policy.default),
                raw=envelope.original_content,
            )
        )
        return "250 Message accepted for delivery"

    def start(self) -> "SmtpServer":
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[EmailMessage]:
        return [received.message for received in self.received]


# --- A Celery worker process ---------------------------------------------------------------------------


def database_url_for_workers() -> str:
    """The database this test process uses (pytest-django's test_<name>), as a DATABASE_URL."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class CeleryWorker:
    """``celery -A amf worker -P solo`` (with ``-B``, the beat scheduler embedded) in its own process
    group, on the test database, logging to a file. ``stop()`` ends the whole group."""

    def __init__(self, *, env: dict[str, str], workdir: Path, beat: bool = False):
        self.workdir = workdir
        self.log_path = workdir / "worker.log"
        self.env = env
        self.beat = beat
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        command = [
            sys.executable, "-m", "celery", "-A", "amf", "worker", "-P", "solo", "-l", "info",
            "-n", f"test-{uuid.uuid4().hex[:8]}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        if self.beat:
            command += ["-B", "-s", str(self.workdir / "celerybeat-schedule")]
        return command

    def start(self, *, timeout: float = 60) -> "CeleryWorker":
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command(),
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(
            lambda: " ready." in self.log() or self.process.poll() is not None,
            timeout=timeout,
            what="the Celery worker to be ready",
            log=self.log,
        )
        if self.process.poll() is not None:
            pytest.fail(f"the Celery worker exited with {self.process.returncode}:\n{self.log()[-8000:]}")
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def count(self, text: str) -> int:
        return self.log().count(text)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # Its process group: the worker and, with -B, the beat process it forked.
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)
        # The beat child may outlive the worker by a moment; make sure nothing of the group is left.
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


@contextmanager
def empty_redis_database(number: int) -> Iterator[str]:
    """The URL of Redis database ``number`` on 127.0.0.1, emptied before and after; a Redis that does
    not answer fails the test with a clear message."""
    url = f"redis://127.0.0.1:6379/{number}"
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        pytest.fail(f"Redis at 127.0.0.1:6379 does not answer ({error}); these tests need it.")
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


def worker_env(*, redis_url: str, email_url: str, workdir: Path, **extra: str) -> dict[str, str]:
    """The environment of a worker that shares this test's database and broker."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "amf.settings.test",
        "AMF_ENV_FILE": "",  # a developer's .env must not point the worker elsewhere
        "AMF_VAR_DIR": str(workdir / "var"),
        "DATABASE_URL": database_url_for_workers(),
        "CONN_MAX_AGE": "0",  # no connection outlives a task: the test database can be dropped
        "REDIS_URL": redis_url,
        "EMAIL_URL": email_url,
        "EMAIL_TIMEOUT": "5",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env
