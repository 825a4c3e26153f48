"""The registration benchmark (``make bench-registration``); see ``bench/README.md``.

Serves the app as in production — gunicorn with two sync workers per core, PostgreSQL (a database of
its own, created and dropped here), Redis (a database number of its own) as broker and cache, a Celery
worker, and an SMTP sink (aiosmtpd, in this process) that counts what each recipient receives — then
runs locust headless against 127.0.0.1 twice: a baseline (a constant page) and the registration form.
It prints requests/s, latency percentiles and errors of both, checks the outcome (every submission is
a registration, the seats were given exactly, every email arrived exactly once), stops every process it
started, drops the database and empties its Redis database number.

Exit status: 0 if the outcome is right and the targets are met; 1 if the outcome is wrong; 2 if only a
target was missed. Settings come from the environment (``BENCH_*``, listed in ``Config``).
"""

import email.parser
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LOCUSTFILE = Path(__file__).with_name("locustfile.py")

# Targets of the issue, on the 2-core reference machine.
TARGET_RATIO = 0.25
TARGET_P95_MS = 500


@dataclass
class Config:
    users: int = int(os.environ.get("BENCH_USERS", "200"))
    seats: int = int(os.environ.get("BENCH_SEATS", "150"))
    # Seconds per phase: several rounds of every user's pauses, so the figures are those of the steady
    # state rather than of the first wave of users.
    duration: int = int(os.environ.get("BENCH_DURATION", "60"))
    spawn_rate: int = int(os.environ.get("BENCH_SPAWN_RATE", "50"))  # users started per second
    # Each user's pause before each request, in seconds (locust's wait_time). 5–10 s to fill in a form
    # of thirty fields is ten times faster than anyone types, yet 200 users then ask for about 27
    # requests a second: some 48,000 registrations an hour. 1–2 s is the stress test (bench/README.md).
    think_min: str = os.environ.get("BENCH_THINK_MIN", "5")
    think_max: str = os.environ.get("BENCH_THINK_MAX", "10")
    workers: int = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1))))
    server_url: str = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    database: str = os.environ.get("BENCH_DATABASE", "amf_bench")
    redis_url: str = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    email_timeout: int = int(os.environ.get("BENCH_EMAIL_TIMEOUT", "180"))


# --- The SMTP sink -------------------------------------------------------------------------------------


@dataclass
class Sink:
    """Counts messages per recipient and per outbox row (the ``X-AMF-Outbox`` header)."""

    per_recipient: Counter = field(default_factory=Counter)
    per_outbox: Counter = field(default_factory=Counter)
    messages: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope) -> str:
        headers = email.parser.BytesHeaderParser().parsebytes(envelope.original_content or envelope.content)
        with self.lock:
            self.messages += 1
            self.per_outbox[headers.get("X-AMF-Outbox", "none")] += 1
            for recipient in envelope.rcpt_tos:
                self.per_recipient[recipient.lower()] += 1
        return "250 Message accepted for delivery"


# --- Helpers -------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def say(text: str) -> None:
    print(f"==> {text}", flush=True)


def run(cmd: list[str], env: dict, log: Path) -> None:
    with log.open("a") as out:
        subprocess.run(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=True)


def start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    # A session of its own: stopping it stops its children (gunicorn's and Celery's workers) too.
    out = log.open("a")
    return subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(process: subprocess.Popen | None, grace: float = 30) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def get(url: str, timeout: float = 5, cookie: str = "") -> tuple[int, str]:
    headers = {"X-Forwarded-Proto": "https", **({"Cookie": cookie} if cookie else {})}
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def compose_worker_command() -> list[str]:
    """The worker's command in docker-compose.yml (its CPU priority included), run from this
    environment's ``celery``."""
    import yaml

    command = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["worker"]["command"]
    return [str(BIN / "celery") if word == "celery" else word for word in command]


def cpu_usage(*, web: int, worker: int, database: str) -> Counter:
    """CPU seconds (user + system) used so far by the web server's and the worker's process groups, the
    PostgreSQL backends serving ``database``, this script's finished children (locust) and the whole
    machine: where the time of a run went, whatever else runs on the machine."""
    tick = os.sysconf("SC_CLK_TCK")
    usage: Counter = Counter()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # the process has just ended
            continue
        seconds = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        group = int(fields[2])
        if group == web:
            usage["gunicorn"] += seconds
        elif group == worker:
            usage["Celery worker"] += seconds
        elif cmdline.startswith("postgres:") and f" {database} " in cmdline:
            usage["PostgreSQL"] += seconds
    children = os.times()
    usage["locust"] = children.children_user + children.children_system
    cpu = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    busy = sum(int(v) for i, v in enumerate(cpu) if i not in (3, 4))  # all but idle and iowait
    usage["machine"] = busy / tick
    return usage


QUIET_LOAD = 0.5  # one-minute load average under which the machine counts as idle


def wait_for_quiet_machine(timeout: float = 180) -> float:
    """Give the machine up to ``timeout`` seconds to settle (e.g. after a test run: PostgreSQL's
    checkpoint, processes winding down) before measuring; returns the last load average seen."""
    deadline = time.monotonic() + timeout
    load = os.getloadavg()[0]
    if load > QUIET_LOAD:
        say(f"load average {load:.1f}: waiting up to {timeout:.0f} s for the machine to settle")
    while load > QUIET_LOAD and time.monotonic() < deadline:
        time.sleep(5)
        load = os.getloadavg()[0]
    return load


def wait_until(condition, timeout: float, what: str, interval: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(interval)


@dataclass
class Figures:
    requests: int
    failures: int
    seconds: float
    response_times: Counter  # milliseconds (locust rounds them to 2 significant digits) → count

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        """The smallest time within which ``share`` of the requests finished (locust's definition)."""
        total = sum(self.response_times.values())
        seen = 0
        for ms in sorted(self.response_times):
            seen += self.response_times[ms]
            if seen >= total * share:
                return ms
        return 0.0

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(
            self.requests + other.requests,
            self.failures + other.failures,
            max(self.seconds, other.seconds),
            self.response_times + other.response_times,
        )


def read_stats(path: Path) -> dict[str, Figures]:
    """Locust's final statistics (written after the stop timeout, so late answers are counted)."""
    figures = {}
    for entry in json.loads(path.read_text()):
        seconds = (entry["last_request_timestamp"] or entry["start_time"]) - entry["start_time"]
        figures[entry["name"]] = Figures(
            requests=entry["num_requests"],
            failures=entry["num_failures"],
            seconds=seconds,
            response_times=Counter({float(ms): n for ms, n in entry["response_times"].items()}),
        )
    return figures


def locust(cfg: Config, user_class: str, host: str, prefix: Path, env: dict, log: Path) -> dict[str, Figures]:
    cmd = [
        str(BIN / "locust"),
        "-f", str(LOCUSTFILE), user_class,
        "--headless",
        "--users", str(cfg.users), "--spawn-rate", str(cfg.spawn_rate),
        "--run-time", f"{cfg.duration}s",
        "--stop-timeout", "60",  # a submission in flight finishes and is counted: the counts must be exact
        "--host", host,
        "--json-file", str(prefix),
        "--exit-code-on-error", "0",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    env = {**env, "BENCH_ERRORS_FILE": f"{prefix}_errors.json"}
    with log.open("a") as out:
        subprocess.run(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=True)
    return read_stats(Path(f"{prefix}.json"))


def read_errors(path: Path) -> list[str]:
    """The failures the locustfile saved when locust quit: occurrences, request and message."""
    if not path.exists():
        return []
    errors = json.loads(path.read_text())
    return [
        f"{e['occurrences']}× {e['name']}: {e['error']}"
        for e in sorted(errors, key=lambda e: -e["occurrences"])
    ]


# --- The benchmark -------------------------------------------------------------------------------------


def main() -> int:
    cfg = Config()
    try:
        import locust as _locust  # noqa: F401 - only checking that it is installed
    except ImportError:
        print("locust is not installed in this environment (it is in requirements/dev.txt).", file=sys.stderr)
        return 1

    workdir = Path(tempfile.mkdtemp(prefix="amf-bench-"))
    logs = {name: workdir / f"{name}.log" for name in ("setup", "gunicorn", "celery", "locust")}
    database_url = with_database(cfg.server_url, cfg.database)
    broker = redis.Redis.from_url(cfg.redis_url)
    sink = Sink()
    smtp = gunicorn = worker = None
    outcome_ok = False
    try:
        say(f"working directory {workdir}")
        load = wait_for_quiet_machine()
        if load > QUIET_LOAD:
            say(f"warning: load average {load:.1f} before starting: other processes will skew the figures")
        broker.ping()
        broker.flushdb()  # this database number belongs to the benchmark
        with psycopg.connect(cfg.server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{cfg.database}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{cfg.database}"')

        smtp_port = free_port()
        smtp = Controller(sink, hostname="127.0.0.1", port=smtp_port)
        smtp.start()
        web_port = free_port()
        host = f"http://127.0.0.1:{web_port}"
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "bench.registration.settings",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "REDIS_URL": cfg.redis_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "SITE_URL": f"https://127.0.0.1:{web_port}",
            "AMF_VAR_DIR": str(workdir / "var"),
            "STATIC_ROOT": str(workdir / "static"),
            "MEDIA_ROOT": str(workdir / "media"),
            "BENCH_SETUP_FILE": str(workdir / "setup.json"),
            "BENCH_THINK_MIN": cfg.think_min,
            "BENCH_THINK_MAX": cfg.think_max,
        }
        say(
            f"database {cfg.database}: migrate, collect static files, {cfg.users} accounts, {cfg.seats} seats"
        )
        run([sys.executable, "manage.py", "migrate", "--noinput"], env, logs["setup"])
        run([sys.executable, "manage.py", "collectstatic", "--noinput"], env, logs["setup"])
        run(
            [sys.executable, "-m", "bench.registration.setup_data", "--users", str(cfg.users),
             "--seats", str(cfg.seats), "--out", env["BENCH_SETUP_FILE"]],
            env, logs["setup"],
        )  # fmt: skip

        say(f"gunicorn ({cfg.workers} workers) on {host}, a Celery worker, SMTP sink on port {smtp_port}")
        worker = start([*compose_worker_command(), "-n", f"bench-{web_port}@%h"], env, logs["celery"])
        gunicorn = start(
            [str(BIN / "gunicorn"), "amf.wsgi:application", "--bind", f"127.0.0.1:{web_port}",
             "--workers", str(cfg.workers)],
            env, logs["gunicorn"],
        )  # fmt: skip
        wait_until(lambda: _answers(f"{host}/healthz"), 60, "gunicorn")
        wait_until(
            lambda: broker.llen("celery") == 0 and _worker_ready(logs["celery"]), 60, "the Celery worker"
        )
        setup = json.loads(Path(env["BENCH_SETUP_FILE"]).read_text())
        cookie = f"{setup['session_cookie']}={setup['accounts'][0]['session']}"
        for _ in range(4 * cfg.workers):  # every worker loads its templates and opens its connections
            get(f"{host}/bench/constant")
            get(f"{host}/forums/{setup['forum_slug']}/register/", cookie=cookie)

        think = f"{cfg.think_min}–{cfg.think_max} s between requests"
        say(f"baseline: {cfg.users} users, {cfg.duration} s, {think}")
        usage = lambda: cpu_usage(web=gunicorn.pid, worker=worker.pid, database=cfg.database)  # noqa: E731
        cpu_before, started = usage(), time.monotonic()
        baseline = locust(cfg, "BaselineUser", host, workdir / "baseline", env, logs["locust"])
        cpu_baseline, wall_baseline = usage() - cpu_before, time.monotonic() - started
        say(f"registration: {cfg.users} users, {cfg.duration} s, {think}")
        cpu_before, started = usage(), time.monotonic()
        registration = locust(cfg, "RegistrationUser", host, workdir / "registration", env, logs["locust"])
        cpu_registration, wall_registration = usage() - cpu_before, time.monotonic() - started

        submit = registration.setdefault("submit", Figures(0, 0, 0.0, Counter()))
        registration.setdefault("form", Figures(0, 0, 0.0, Counter()))
        submissions = submit.requests - submit.failures
        say("waiting for the worker to send every email")
        with psycopg.connect(database_url) as db:

            def outbox_settled() -> bool:
                row = db.execute(
                    "SELECT count(*), count(*) FILTER (WHERE status = 'sent') FROM delegates_emailoutbox"
                ).fetchone()
                db.rollback()
                return row[0] == row[1] and sink.messages >= row[0]

            def broker_empty() -> bool:
                # Nothing queued and nothing delivered but unacknowledged (acks_late): no task is left
                # that could send a message twice.
                return broker.llen("celery") == 0 and broker.hlen("unacked") == 0

            try:
                wait_until(outbox_settled, cfg.email_timeout, "the emails", interval=1)
                wait_until(broker_empty, cfg.email_timeout, "the broker to be empty", interval=1)
            except RuntimeError as error:
                print(f"!! {error}")
            outcome_ok = check_outcome(cfg, db, sink, submissions)

        errors = read_errors(workdir / "baseline_errors.json") + read_errors(
            workdir / "registration_errors.json"
        )
        report(baseline["baseline"], registration, errors)
        report_cpu("baseline", cpu_baseline, wall_baseline, baseline["baseline"].requests)
        report_cpu(
            "registration",
            cpu_registration,
            wall_registration,
            registration["form"].requests + registration["submit"].requests,
        )
        targets_ok = check_targets(baseline["baseline"], registration)
        return 0 if outcome_ok and targets_ok else (1 if not outcome_ok else 2)
    finally:
        stop(gunicorn)
        stop(worker, grace=60)
        if smtp is not None:
            smtp.stop()
        try:
            with psycopg.connect(cfg.server_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{cfg.database}" WITH (FORCE)')
            broker.flushdb()
        except (psycopg.Error, redis.RedisError) as error:
            print(f"!! cleanup: {error}", file=sys.stderr)
        if outcome_ok:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"logs kept in {workdir}", file=sys.stderr)


def _answers(url: str) -> bool:
    try:
        return get(url, timeout=2)[0] == 200
    except OSError:
        return False


def _worker_ready(log: Path) -> bool:
    return log.exists() and " ready." in log.read_text(errors="replace")


def check_outcome(cfg: Config, db: psycopg.Connection, sink: Sink, submissions: int) -> bool:
    by_status = dict(
        db.execute("SELECT status, count(*) FROM delegates_registration GROUP BY status").fetchall()
    )
    confirmed, waitlisted = by_status.get("confirmed", 0), by_status.get("waitlisted", 0)
    total = sum(by_status.values())
    outbox = db.execute('SELECT id, "to", cc, kind, status FROM delegates_emailoutbox').fetchall()
    made_by = dict(
        db.execute(
            "SELECT u.email, count(*) FROM delegates_registration r "
            "JOIN auth_user u ON u.id = r.registered_by_id GROUP BY u.email"
        ).fetchall()
    )
    expected_per_recipient: Counter = Counter()
    for _id, to, cc, _kind, _status in outbox:
        expected_per_recipient[to.lower()] += 1
        if cc:
            expected_per_recipient[cc.lower()] += 1
    kinds = Counter(kind for _id, _to, _cc, kind, _status in outbox)
    once = [str(row[0]) for row in outbox if sink.per_outbox.get(str(row[0]), 0) != 1]
    strangers = sorted(set(sink.per_outbox) - {str(row[0]) for row in outbox})
    wrong_recipients = {
        r: (sink.per_recipient.get(r, 0), expected_per_recipient.get(r, 0))
        for r in sorted(set(expected_per_recipient) | set(sink.per_recipient))
        if sink.per_recipient.get(r, 0) != expected_per_recipient.get(r, 0)
    }
    delegates_once = all(sink.per_recipient.get(to.lower()) == 1 for _id, to, _cc, _kind, _status in outbox)
    checks = [
        (f"submissions answered with success: {submissions}", True),
        (f"registrations in the database: {total} (= submissions)", total == submissions),
        (
            f"confirmed {confirmed} + waitlisted {waitlisted} = {confirmed + waitlisted} (= submissions)",
            confirmed + waitlisted == submissions,
        ),
        (
            f"confirmed = min(seats {cfg.seats}, submissions) = {min(cfg.seats, submissions)}",
            confirmed == min(cfg.seats, submissions),
        ),
        (
            f"emails queued: {len(outbox)} ({kinds.get('confirmed', 0)} confirmed, "
            f"{kinds.get('waitlisted', 0)} waitlisted; one per registration)",
            len(outbox) == submissions
            and kinds.get("confirmed", 0) == confirmed
            and kinds.get("waitlisted", 0) == waitlisted,
        ),
        (
            f"emails received by the SMTP sink: {sink.messages}, each outbox row exactly once",
            sink.messages == len(outbox) and not once and not strangers,
        ),
        (
            f"each delegate received exactly 1 email; each of the {len(made_by)} offices exactly one copy "
            "per registration it made",
            delegates_once
            and not wrong_recipients
            and all(sink.per_recipient.get(e.lower()) == n for e, n in made_by.items()),
        ),
    ]
    print("\nOutcome")
    for text, ok in checks:
        print(f"  [{'ok' if ok else 'FAIL'}] {text}")
    if once:
        print(f"  outbox rows not received exactly once: {', '.join(once[:20])}")
    if wrong_recipients:
        sample = dict(list(wrong_recipients.items())[:10])
        print(f"  recipients with a wrong count (received, expected): {sample}")
    return all(ok for _text, ok in checks)


def _line(name: str, f: Figures) -> str:
    p50, p95, p99 = (f.percentile(share) for share in (0.5, 0.95, 0.99))
    return f"  {name:<30} {f.requests:>8} {f.rps:>8.1f} {p50:>6.0f} {p95:>6.0f} {p99:>6.0f} {f.failures:>6}"


def report(baseline: Figures, registration: dict[str, Figures], errors: list[str]) -> None:
    both = registration["form"] + registration["submit"]
    print("\nFigures (latency in ms)")
    print(f"  {'':<30} {'requests':>8} {'req/s':>8} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>6}")
    print(_line("baseline: GET /bench/constant", baseline))
    print(_line("registration: GET the form", registration["form"]))
    print(_line("registration: POST the form", registration["submit"]))
    print(_line("registration: both", both))
    submit = registration["submit"]
    made = submit.requests - submit.failures
    print(f"  registrations per second: {made / (submit.seconds or 1):.1f}")
    print(f"  throughput ratio (registration, both ÷ baseline): {both.rps / (baseline.rps or 1):.1%}")
    for error in errors[:10]:
        print(f"  error: {error}")


def report_cpu(name: str, usage: Counter, wall: float, requests: int) -> None:
    """Where the CPU time of a run went; gunicorn's share per request does not depend on the load."""
    available = wall * (os.cpu_count() or 1)
    own = sum(usage[k] for k in ("gunicorn", "PostgreSQL", "Celery worker", "locust"))
    parts = ", ".join(f"{k} {usage[k]:.1f}" for k in ("gunicorn", "PostgreSQL", "Celery worker", "locust"))
    print(
        f"  CPU during the {name} run ({wall:.0f} s × {os.cpu_count()} cores = {available:.0f} s): {parts}, "
        f"other processes {max(usage['machine'] - own, 0):.1f}; "
        f"gunicorn {1000 * usage['gunicorn'] / max(requests, 1):.1f} ms per request"
    )


def check_targets(baseline: Figures, registration: dict[str, Figures]) -> bool:
    both = registration["form"] + registration["submit"]
    ratio = both.rps / baseline.rps if baseline.rps else 0.0
    p95 = both.percentile(0.95)
    errors = both.failures + baseline.failures
    checks = [
        (f"throughput {ratio:.1%} of the baseline's (at least {TARGET_RATIO:.0%})", ratio >= TARGET_RATIO),
        (f"p95 of the registration requests {p95:.0f} ms (under {TARGET_P95_MS} ms)", p95 < TARGET_P95_MS),
        (f"errors {errors} (none)", errors == 0),
    ]
    print("\nTargets")
    for text, ok in checks:
        print(f"  [{'ok' if ok else 'MISSED'}] {text}")
    return all(ok for _text, ok in checks)


if __name__ == "__main__":
    sys.exit(main())
