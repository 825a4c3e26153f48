"""`make run` in a copy of the repository, as a newcomer runs it: with no DATABASE_URL or REDIS_URL it
migrates SQLite, loads the demo, serves the pages, runs a Celery worker on the filesystem transport —
a newcomer signs up, verifies their address from the email in var/mail, registers with a Khmer name
and finds the confirmation email, its links on the port the site really runs on — and Ctrl-C stops
every process it started.

``make run`` starts once for the module (about a minute on a cold SQLite file); the newcomer's test
comes first, the one that ends with Ctrl-C last."""

import html
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent.parent
START_TIMEOUT = 300  # migrations and the demo data (registrations, a print job) on a cold SQLite file
MAIL_TIMEOUT = 120  # the worker writes each email in the background
STOP_TIMEOUT = 30  # honcho gives its processes 5 s before SIGKILL
LOGIN_LINE = re.compile(r"^  Demo staff login: (?P<email>\S+@\S+) / (?P<password>\S+)$", re.MULTILINE)
ROLE_LOGIN_LINE = re.compile(
    r"^  Demo role login \((?P<role>[^)]+)\): (?P<email>\S+@\S+) / (?P<password>\S+)$", re.MULTILINE
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(condition: Callable[[], object], *, timeout: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    output = log.read_text(errors="replace")[-6000:] if log else ""
    pytest.fail(f"timed out after {timeout} s waiting for {what}\n{output}")


# What a checkout without git metadata (a source archive) leaves out, as .gitignore does.
LOCAL_STATE = (
    ".git",
    ".venv",
    "var",
    "node_modules",
    ".env",
    "__pycache__",
    "*.pyc",
    ".*_cache",
    ".hypothesis",
)


def _copy_working_tree(destination: Path) -> None:
    """Tracked files plus new ones not ignored: the tree as its developer sees it, without .venv, var/,
    node_modules/ or .env."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if listing.returncode != 0:
        shutil.copytree(ROOT, destination, ignore=shutil.ignore_patterns(*LOCAL_STATE))
        return
    for name in listing.stdout.decode().split("\0"):
        if name and (ROOT / name).is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target)


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _processes_inside(folder: Path) -> set[int]:
    """Live processes whose working directory is in ``folder`` (also those re-parented to init)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cwd = os.readlink(entry / "cwd")
            except OSError:
                continue
            if (cwd == str(folder) or cwd.startswith(f"{folder}/")) and _alive(int(entry.name)):
                found.add(int(entry.name))
    return found


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """A copy of the repository sharing this checkout's .venv, so nothing is reinstalled."""
    copy = tmp_path_factory.mktemp("tree") / "amf"
    _copy_working_tree(copy)
    (copy / ".venv").symlink_to(ROOT / ".venv", target_is_directory=True)
    return copy


@pytest.fixture(scope="module")
def clean_env(tmp_path_factory) -> dict[str, str]:
    """A newcomer's shell: no DATABASE_URL, REDIS_URL, DJANGO_SETTINGS_MODULE or SITE_URL."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(tmp_path_factory.getbasetemp())),
        "LANG": "C.UTF-8",
    }


@dataclass(frozen=True)
class MakeRun:
    process: subprocess.Popen
    base: str  # http://127.0.0.1:<port>, the port it was started on
    log: Path
    tree: Path
    env: dict[str, str]


@pytest.fixture(scope="module")
def make_run(tree, clean_env, tmp_path_factory):
    """`make run PORT=<a free port>` in the copy, answering on its port; stopped (if a test has not
    stopped it already) and every process it left killed afterwards."""
    # The shared .venv is in step with the lock files: `make run` installs nothing.
    up_to_date = subprocess.run(["make", "--question", "venv"], cwd=tree, env=clean_env, check=False)
    if up_to_date.returncode != 0:
        pytest.fail(".venv is not synced with requirements/*.txt: run `make test` (or `make run`) first")

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("make-run") / "make-run.log"
    with log.open("wb") as output:
        make = subprocess.Popen(
            ["make", "run", f"PORT={port}"],
            cwd=tree,
            env=clean_env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a terminal gives it
        )
    try:
        _wait_for(
            lambda: make.poll() is not None or _answers(f"{base}/"), timeout=START_TIMEOUT, what=base, log=log
        )
        assert make.poll() is None, log.read_text()
        yield MakeRun(process=make, base=base, log=log, tree=tree, env=clean_env)
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait(timeout=STOP_TIMEOUT)
        for pid in _processes_inside(tree):
            os.kill(pid, signal.SIGKILL)


def _get(url: str, opener: urllib.request.OpenerDirector | None = None) -> tuple[int, str]:
    try:
        with (opener or urllib.request.build_opener()).open(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def _answers(url: str) -> bool:
    try:
        return _get(url)[0] == 200
    except OSError:
        return False


def _log_in(base: str, email: str, password: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    status, page = _get(f"{base}/accounts/login/?next=/admin/", opener)
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "login": email, "password": password, "next": "/admin/"}
    ).encode()
    request = urllib.request.Request(f"{base}/accounts/login/", data=form, headers={"Referer": f"{base}/"})
    with opener.open(request, timeout=10) as response:
        assert response.url == f"{base}/admin/"
    return opener


def _browser() -> urllib.request.OpenerDirector:
    """A client that keeps its cookies, as a browser does."""
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def _post(opener: urllib.request.OpenerDirector, url: str, fields: list[tuple[str, str]], base: str):
    """POST a form; returns (status, final URL after redirects, page)."""
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(fields).encode(), headers={"Referer": f"{base}/"}
    )
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.url, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, url, error.read().decode(errors="replace")


class _Form(HTMLParser):
    """The fields of the page's POST form whose action starts with ``action`` (or has none), as a
    browser would submit them untouched (text values, checked boxes, selected options), and the labels
    of its choices, so that a field added to the form keeps its default. ``action`` becomes the
    form's own."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.select = action, False, None
        self.values: dict[str, list[str]] = {}
        self.choices: dict[str, dict[str, str]] = {}  # field name -> {value: the label's text}
        self._ids: dict[str, tuple[str, str]] = {}  # input id -> (name, value)
        self._label: str | None = None
        self._label_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = attrs.get("action") or ""
            self.inside = attrs.get("method", "").lower() == "post" and (
                not action or action.startswith(self.action)
            )
            if self.inside:
                self.action = action or self.action
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                self._ids[attrs.get("id", "")] = (name, attrs.get("value", "on"))
                if "checked" in attrs:
                    self.values.setdefault(name, []).append(attrs.get("value", "on"))
            elif kind not in ("submit", "button"):
                self.values[name] = [attrs.get("value", "")]
        elif tag == "textarea" and name:
            self.values[name] = [""]
        elif tag == "select" and name:
            self.select = name
            self.values.setdefault(name, [])
        elif tag == "option" and self.select and "selected" in attrs:
            self.values[self.select] = [attrs.get("value", "")]
        elif tag == "label" and attrs.get("for") in self._ids:
            self._label, self._label_text = attrs["for"], []

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "label" and self._label:
            name, value = self._ids[self._label]
            self.choices.setdefault(name, {})[value] = " ".join("".join(self._label_text).split())
            self._label = None

    def handle_data(self, data):
        if self._label:
            self._label_text.append(data)

    def choice(self, name: str, label_starts: str) -> str:
        [value] = [v for v, text in self.choices.get(name, {}).items() if text.startswith(label_starts)]
        return value

    def fields(self, **overrides: str | list[str]) -> list[tuple[str, str]]:
        values = {**self.values, **{k: v if isinstance(v, list) else [v] for k, v in overrides.items()}}
        return [(name, value) for name, items in values.items() for value in items]


def _form(page: str, action: str) -> _Form:
    form = _Form(action)
    form.feed(page)
    return form


def _emails(tree: Path) -> list[EmailMessage]:
    """Every message written to var/mail (Django's file backend: one file per connection, messages
    separated by a line of 79 dashes), parsed as a mail client would."""
    found = []
    for path in sorted((tree / "var" / "mail").glob("*.log")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                found.append(message_from_bytes(chunk.lstrip(b"\n"), policy=policy.default))
    return found


def _emails_to(tree: Path, address: str) -> list[EmailMessage]:
    return [message for message in _emails(tree) if address in str(message.get("To", ""))]


def _text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _link_in(tree: Path, address: str, pattern: str) -> str | None:
    """The first link in an email to ``address`` whose path matches ``pattern``, on any host."""
    for message in _emails_to(tree, address):
        found = re.search(rf"https?://[^\s\"'<>]+?{pattern}", _text(message))
        if found:
            return found.group(0)
    return None


def test_make_run_newcomer_signs_up_verifies_registers_and_gets_the_confirmation(make_run):
    base, tree, log = make_run.base, make_run.tree, make_run.log
    email = "keo.sreymom@kampongcham.example.org"
    assert f"  Links in emails: {base}/ (SITE_URL)\n" in log.read_text()
    browser = _browser()

    # Sign up.
    status, page = _get(f"{base}/accounts/signup/", browser)
    assert status == 200
    signup = _form(page, "/accounts/signup/")
    status, url, page = _post(
        browser,
        f"{base}/accounts/signup/",
        signup.fields(email=email, password1="Mekong river 2027!", password2="Mekong river 2027!"),
        base,
    )
    assert (status, url) == (200, f"{base}/accounts/confirm-email/"), page

    # Verify from the email the worker wrote to var/mail: its link is on the port the site runs on.
    link = _wait_for(
        lambda: _link_in(tree, email, r"/accounts/confirm-email/[^/\s]+/"),
        timeout=MAIL_TIMEOUT,
        what="the verification email in var/mail",
        log=log,
    )
    assert link.startswith(f"{base}/accounts/confirm-email/"), link
    status, page = _get(link, browser)
    assert status == 200
    confirm = _form(page, "/accounts/confirm-email/")
    status, url, page = _post(browser, f"{base}{confirm.action}", confirm.fields(), base)
    assert status == 200, page

    # Register for the upcoming forum with a Khmer name: the demo's categories and site visit are there.
    register = f"{base}/forums/amf-2027/register/"
    status, page = _get(register, browser)
    assert status == 200
    assert "No delegate categories are open for registration yet" not in page
    form = _form(page, "/forums/amf-2027/register/")
    fields = form.fields(
        category=form.choice("category", "Vice-mayor / Vice-governor"),
        honorific="H.E.",
        given_name="Sreymom",
        family_name="Keo",
        badge_name="Keo Sreymom",
        native_name="កែវ ស្រីមុំ",
        native_name_lang="km",
        position="Deputy Governor",
        organisation="Kampong Cham Provincial Administration",
        city="Kampong Cham",
        country="KH",
        phone="+855 12 880 215",
        dietary="none",
        sessions=form.choice("sessions", "Site visit: canal restoration and flood control"),
        privacy_consent="on",
    )
    assert ("email", email) in fields  # the signed-in delegate's address, filled in
    status, url, page = _post(browser, register, fields, base)
    assert status == 200, page
    path = urllib.parse.urlsplit(url).path
    assert re.fullmatch(r"/my/registrations/[0-9a-f-]{36}/", path), (url, page)
    assert "is confirmed" in html.unescape(page)

    # The confirmation email, written by the worker, links to that page on this port; the link works.
    confirmation = _wait_for(
        lambda: _link_in(tree, email, re.escape(path)),
        timeout=MAIL_TIMEOUT,
        what="the confirmation email in var/mail",
        log=log,
    )
    assert confirmation == f"{base}{path}"
    status, page = _get(confirmation, browser)
    assert status == 200
    assert "កែវ ស្រីមុំ" in page
    assert "Keo Sreymom" in page
    # Only the newcomer's emails were written: the demo's delegates are fictional, theirs are not sent.
    assert {str(message["To"]) for message in _emails(tree)} == {email}


def test_make_run_serves_the_demo_runs_the_worker_and_stops_on_ctrl_c(make_run):
    make, base, log, tree, clean_env = (
        make_run.process,
        make_run.base,
        make_run.log,
        make_run.tree,
        make_run.env,
    )
    text = log.read_text()

    # Embedded defaults, nothing reinstalled, the banner with a working staff login.
    assert "Installing Python packages" not in text
    assert (tree / "var" / "amf.sqlite3").is_file()
    assert f"  AMF Events is starting on {base}/\n" in text
    login = LOGIN_LINE.search(text)
    assert login, text
    assert login["email"] == "staff@amf.local"

    # The demo content.
    status, home = _get(f"{base}/")
    assert status == 200
    assert "Pre-ASEAN Mayors Forum 2022" in home
    status, programme = _get(f"{base}/forums/pre-amf-2022/programme/")
    assert status == 200
    assert "Opening plenary: cities leading ASEAN" in programme
    assert "Surabaya" in programme

    admin = _log_in(base, login["email"], login["password"])
    status, index = _get(f"{base}/admin/", admin)
    assert status == 200
    assert "ASEAN Mayors Forum administration" in index

    # One login per staff role, each printed and working; the limited registrar sees one forum only.
    roles = {match["role"]: match for match in ROLE_LOGIN_LINE.finditer(text)}
    assert set(roles) == {
        "Forum administrators",
        "Registrars",
        "Registrars, amf-2027 only",
        "Badge and door team",
        "Read-only",
    }
    registrations = {}
    for role, match in roles.items():
        assert match["email"].endswith("@demo.amf-events.example")
        staff = _log_in(base, match["email"], match["password"])
        status, page = _get(f"{base}/admin/delegates/registration/", staff)
        forums = ("Pre-ASEAN Mayors Forum 2022" in page, "ASEAN Mayors Forum 2027" in page)
        registrations[role] = (status, *forums)
    assert registrations == {
        "Forum administrators": (200, True, True),
        "Registrars": (200, True, True),
        "Registrars, amf-2027 only": (200, False, True),
        "Badge and door team": (200, True, True),
        "Read-only": (200, True, True),
    }

    # The worker is up on the filesystem transport, with beat, and runs a task sent to it.
    _wait_for(lambda: re.search(r"celery@\S+ ready\.", log.read_text()), timeout=60, what="worker", log=log)
    assert "Connected to filesystem://" in log.read_text()
    assert "beat: Starting..." in log.read_text()
    sent = subprocess.run(
        [".venv/bin/celery", "-A", "amf", "call", "celery.accumulate", "--args", "[1, 2]"],
        cwd=tree,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    task_id = sent.stdout.strip().splitlines()[-1]
    _wait_for(
        lambda: f"Task celery.accumulate[{task_id}] succeeded" in log.read_text(),
        timeout=60,
        what=f"task {task_id}",
        log=log,
    )

    # Ctrl-C: the terminal sends SIGINT to the foreground process group.
    started = _descendants(make.pid)
    assert len(started) >= 4  # honcho, runserver (+ its reloader child), the celery worker and pool
    os.killpg(make.pid, signal.SIGINT)
    make.wait(timeout=STOP_TIMEOUT)

    _wait_for(
        lambda: not any(_alive(pid) for pid in started) and not _processes_inside(tree),
        timeout=10,
        what="every process of make run to exit",
        log=log,
    )
    assert "SIGINT received" in log.read_text()
