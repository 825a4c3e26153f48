"""`make run` in a copy of the repository, as a newcomer runs it: with no DATABASE_URL or REDIS_URL it
migrates SQLite, loads the demo, serves the pages, runs a Celery worker on the filesystem transport,
and Ctrl-C stops every process it started."""

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
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent.parent
START_TIMEOUT = 240  # migrations and the demo data on a cold SQLite file
STOP_TIMEOUT = 30  # honcho gives its processes 5 s before SIGKILL
LOGIN_LINE = re.compile(r"^  Demo staff login: (?P<email>\S+@\S+) / (?P<password>\S+)$", re.MULTILINE)


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


@pytest.fixture
def tree(tmp_path) -> Path:
    """A copy of the repository sharing this checkout's .venv, so nothing is reinstalled."""
    copy = tmp_path / "amf"
    _copy_working_tree(copy)
    (copy / ".venv").symlink_to(ROOT / ".venv", target_is_directory=True)
    return copy


@pytest.fixture
def clean_env(tmp_path) -> dict[str, str]:
    """A newcomer's shell: no DATABASE_URL, REDIS_URL or DJANGO_SETTINGS_MODULE."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "LANG": "C.UTF-8",
    }


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


def test_make_run_serves_the_demo_runs_the_worker_and_stops_on_ctrl_c(tree, clean_env, tmp_path):
    # The shared .venv is in step with the lock files: `make run` installs nothing.
    up_to_date = subprocess.run(["make", "--question", "venv"], cwd=tree, env=clean_env, check=False)
    if up_to_date.returncode != 0:
        pytest.fail(".venv is not synced with requirements/*.txt: run `make test` (or `make run`) first")

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "make-run.log"
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

        # The worker is up on the filesystem transport, with beat, and runs a task sent to it.
        _wait_for(
            lambda: re.search(r"celery@\S+ ready\.", log.read_text()), timeout=60, what="worker", log=log
        )
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
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait(timeout=STOP_TIMEOUT)
        for pid in _processes_inside(tree):
            os.kill(pid, signal.SIGKILL)
