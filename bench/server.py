"""What the HTTP benchmarks of staff pages and check-in share (``bench/staff``, ``bench/checkin``).

The site runs as in production: gunicorn with sync workers, two per core, production settings
(``bench.registration.settings``: production's, unchanged, plus the constant page ``/bench/constant``,
the baseline), PostgreSQL in a database of the benchmark's own (created here, dropped at the end) and
Redis in a database number of its own (emptied at the start and the end). Requests carry
``X-Forwarded-Proto: https`` as from the TLS proxy in front of production, so the HTTPS redirect,
secure cookies and CSRF origin checks apply unchanged.

Here: starting and stopping that stack, a plain HTTP client (``http.client``, one connection per
request, as gunicorn's sync workers close each one), percentiles, the machine's load (load average and
where its CPU time went while a phase ran), and the memory of gunicorn's workers read from ``/proc``.
"""

import contextlib
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SETTINGS = "bench.registration.settings"


def say(text: str) -> None:
    print(f"==> {text}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def percentile(values: list[float], share: float) -> float:
    """The smallest value within which ``share`` of the values lie (nearest rank, as locust's)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))  # ceil
    return ordered[int(rank) - 1]


# --- The stack ---------------------------------------------------------------------------------------


@dataclass
class Stack:
    """gunicorn with production settings on a database and a Redis database number of its own."""

    server_url: str
    database: str
    redis_url: str
    workers: int = 2 * (os.cpu_count() or 1)
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="amf-bench-")))
    port: int = field(default_factory=free_port)
    gunicorn: subprocess.Popen | None = None

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def origin(self) -> str:
        return f"https://{self.host}"

    @property
    def database_url(self) -> str:
        return with_database(self.server_url, self.database)

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": SETTINGS,
            "SECRET_KEY": self._secret,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "EMAIL_URL": "consolemail://",
            "SITE_URL": self.origin,
            "AMF_VAR_DIR": str(self.workdir / "var"),
            "STATIC_ROOT": str(self.workdir / "static"),
            "MEDIA_ROOT": str(self.workdir / "media"),
        }

    def __post_init__(self) -> None:
        self._secret = secrets.token_urlsafe(50)

    def log(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    def create(self) -> None:
        """A new database, migrated; static files collected; the Redis database number emptied."""
        redis.Redis.from_url(self.redis_url).flushdb()
        with psycopg.connect(self.server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{self.database}"')
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
            with self.log("setup").open("a") as out:
                subprocess.run(
                    [sys.executable, "manage.py", *command], env=self.env, cwd=ROOT, stdout=out,
                    stderr=subprocess.STDOUT, check=True,
                )  # fmt: skip

    def use_here(self) -> None:
        """This process's Django on the same settings, database and Redis as the server (to seed the
        data and count queries in-process)."""
        os.environ.update({k: v for k, v in self.env.items() if k != "PYTHONPATH"})
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()

    def start(self) -> None:
        out = self.log("gunicorn").open("a")
        self.gunicorn = subprocess.Popen(
            [str(BIN / "gunicorn"), "amf.wsgi:application", "--bind", self.host,
             "--workers", str(self.workers)],
            env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                if (
                    request("GET", self.host, "/healthz").status == 200
                    and len(self.worker_pids()) == self.workers
                ):
                    return
            except OSError:
                pass
            if time.monotonic() > deadline or self.gunicorn.poll() is not None:
                raise RuntimeError(f"gunicorn did not start (log: {self.log('gunicorn')})")
            time.sleep(0.3)

    def worker_pids(self) -> list[int]:
        if self.gunicorn is None:
            return []
        children = Path(f"/proc/{self.gunicorn.pid}/task/{self.gunicorn.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        if self.gunicorn is not None and self.gunicorn.poll() is None:
            os.killpg(self.gunicorn.pid, signal.SIGTERM)
            try:
                self.gunicorn.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.gunicorn.pid, signal.SIGKILL)
                self.gunicorn.wait()

    def drop(self) -> None:
        from django.db import connections

        connections.close_all()
        try:
            with psycopg.connect(self.server_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            redis.Redis.from_url(self.redis_url).flushdb()
        except (psycopg.Error, redis.RedisError) as error:
            print(f"!! cleanup: {error}", file=sys.stderr)


# --- HTTP --------------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float  # from sending the request to the last byte of the body


def request(
    method: str, host: str, path: str, *, headers: dict | None = None, body: bytes | None = None,
    timeout: float = 120,
) -> Response:  # fmt: skip
    start = time.perf_counter()
    connection = http.client.HTTPConnection(host, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers={"X-Forwarded-Proto": "https", **(headers or {})})
        answer = connection.getresponse()
        content = answer.read()
        return Response(
            answer.status,
            {k.lower(): v for k, v in answer.getheaders()},
            content,
            time.perf_counter() - start,
        )
    finally:
        connection.close()


def flat_out(
    call: Callable[[int], bool], *, threads: int, seconds: float
) -> tuple[int, int, list[float], float]:
    """``threads`` clients calling ``call(n)`` back to back for ``seconds``: (answers, failures,
    latencies in seconds, wall time). ``call`` returns whether the answer was right."""
    stop_at = time.monotonic() + seconds
    latencies: list[float] = []
    failures = Counter()
    lock = threading.Lock()
    counter = iter(range(10**9))

    def client() -> None:
        while time.monotonic() < stop_at:
            with lock:
                n = next(counter)
            start = time.perf_counter()
            try:
                ok = call(n)
            except OSError:
                ok = False
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                failures[ok] += 1

    started = time.monotonic()
    workers = [threading.Thread(target=client) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return len(latencies), failures[False], latencies, time.monotonic() - started


# --- Load and memory ---------------------------------------------------------------------------------


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


class CpuMeter:
    """Where the machine's CPU time went between ``start()`` and ``stop()``: gunicorn's process group,
    the PostgreSQL backends of the benchmark's database, this process (the client), everything else."""

    def __init__(self, *, gunicorn_pid: int, database: str) -> None:
        self.gunicorn_pid, self.database = gunicorn_pid, database

    def _sample(self) -> tuple[dict[tuple[str, int], float], Counter]:
        """CPU seconds so far of each process of ours (by kind and pid), and of this process and the
        machine."""
        tick = os.sysconf("SC_CLK_TCK")
        processes: dict[tuple[str, int], float] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            seconds = (int(fields[11]) + int(fields[12])) / tick
            if int(fields[2]) == self.gunicorn_pid:
                processes["gunicorn", int(stat.parent.name)] = seconds
            elif cmdline.startswith("postgres:") and f" {self.database} " in cmdline:
                processes["PostgreSQL", int(stat.parent.name)] = seconds
        totals: Counter = Counter()
        own = os.times()
        totals["client"] = own.user + own.system
        cpu = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        totals["machine"] = sum(int(v) for i, v in enumerate(cpu) if i not in (3, 4)) / tick
        return processes, totals

    def start(self) -> None:
        self._before, self._started = self._sample(), time.monotonic()

    def stop(self, *, requests: int = 0, per: str = "request") -> str:
        """Where the CPU time went; with ``requests``, gunicorn's and PostgreSQL's share per request
        (which depends little on what else the machine runs)."""
        (processes, totals), wall = self._sample(), time.monotonic() - self._started
        before_processes, before_totals = self._before
        # Per process: a PostgreSQL backend that started meanwhile counts from zero; one that ended
        # meanwhile is missing (persistent connections make that rare).
        usage: Counter = Counter()
        for (kind, pid), seconds in processes.items():
            usage[kind] += seconds - before_processes.get((kind, pid), 0.0)
        for key in ("client", "machine"):
            usage[key] = totals[key] - before_totals[key]
        cores = os.cpu_count() or 1
        ours = usage["gunicorn"] + usage["PostgreSQL"] + usage["client"]
        others = max(usage["machine"] - ours, 0.0)
        text = (
            f"CPU over {wall:.0f} s × {cores} cores: gunicorn {usage['gunicorn']:.1f} s, PostgreSQL "
            f"{usage['PostgreSQL']:.1f} s, client {usage['client']:.1f} s, other processes {others:.1f} s "
            f"(machine {100 * usage['machine'] / (wall * cores or 1):.0f} % busy)"
        )
        if requests:
            text += (
                f"; per {per}: gunicorn {1000 * usage['gunicorn'] / requests:.1f} ms, PostgreSQL "
                f"{1000 * usage['PostgreSQL'] / requests:.1f} ms"
            )
        return text


def _status_kib(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemoryWatch:
    """Peak RSS of gunicorn's workers while something runs: the kernel's high-water mark (``VmHWM``,
    reset through ``/proc/<pid>/clear_refs``) and, beside it, samples of ``VmRSS`` every 10 ms."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.sampled_kib = 0
        self._running = False

    def __enter__(self) -> "MemoryWatch":
        self.before_kib = max(_status_kib(pid, "VmRSS") for pid in self.pids)
        for pid in self.pids:
            with contextlib.suppress(OSError):  # a worker that has just been replaced
                Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM to the current RSS
        self._running = True
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while self._running:
            self.sampled_kib = max(self.sampled_kib, *(_status_kib(pid, "VmRSS") for pid in self.pids))
            time.sleep(0.01)

    def __exit__(self, *exc) -> None:
        self._running = False
        self._thread.join()
        self.peak_kib = max(self.sampled_kib, *(_status_kib(pid, "VmHWM") for pid in self.pids))

    @property
    def peak_mib(self) -> float:
        return self.peak_kib / 1024

    @property
    def before_mib(self) -> float:
        return self.before_kib / 1024
