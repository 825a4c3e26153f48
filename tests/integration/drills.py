"""Drills against the web process as production runs it (``web.py``'s gunicorn on
``amf.settings.production``, with secure cookies, the HTTPS redirect and JSON logs, on the test
database), behind an imagined TLS proxy: the ``Browser`` sends ``X-Forwarded-Proto: https`` and an
``Origin`` as a browser behind the proxy would, keeps its cookies and reads forms.

Plain helpers, as in ``workers.py``; the tests own the lifetimes through fixtures.
"""

import http.client
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from html import unescape
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from tests.delegates.registration.submissions import form_data
from tests.integration.web import production_env, production_user
from tests.integration.workers import database_url_for_workers

PASSWORD = "correct horse battery staple"  # tests/factories.py
ATTEMPTS = 8  # a delegate tries a page this often before the drill counts it as failed
# The name the web's connections carry in pg_stat_activity: the drill terminates only those.
WEB_APPLICATION_NAME = "amf-web-drill"


def web_env(
    *, static_root: Path, workdir: Path, redis_url: str, email_url: str, **extra: str
) -> dict[str, str]:
    """The environment of a production web process (``web.production_env``) on this test's database,
    its connections named ``WEB_APPLICATION_NAME`` and kept as production keeps them, with the HTTPS
    redirect and JSON logs as in production (the drill's ``Browser`` comes through a TLS proxy), and
    ``redis_url`` as cache and broker."""
    return production_env(
        workdir=workdir,
        redis_url=redis_url,
        static_root=static_root,
        DATABASE_URL=f"{database_url_for_workers()}?application_name={WEB_APPLICATION_NAME}",
        CONN_MAX_AGE="60",
        EMAIL_URL=email_url,
        SECURE_SSL_REDIRECT="true",
        LOG_FORMAT="json",
        ADMIN_REQUIRES_MFA="false",
        **extra,
    )


@dataclass
class Page:
    status: int
    headers: http.client.HTTPMessage
    text: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    def csrf_token(self) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.text)
        assert match, f"no CSRF token on the page ({self.status}):\n{self.text[:2000]}"
        return match.group(1)

    def hidden_fields(self) -> list[tuple[str, str]]:
        return [
            (unescape(name), unescape(value))
            for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', self.text)
        ]

    @property
    def is_try_again(self) -> bool:
        return self.status == 503 and "<h1>Please try again</h1>" in self.text

    @property
    def is_csrf_failure(self) -> bool:
        return self.status == 403 and "Please send the form again" in self.text


@dataclass
class Browser:
    """One browser behind the TLS proxy: keeps its cookies (also the Secure ones, as the proxy's HTTPS
    would carry them), sends ``X-Forwarded-Proto: https``, and an ``Origin`` with its forms."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 60

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, data: dict | list | None = None) -> Page:
        headers = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https", "Accept-Language": "en"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Page(status=response.status, headers=response.headers, text=text)

    def get(self, path: str) -> Page:
        return self.request("GET", path)

    def post(self, path: str, data: dict | list) -> Page:
        return self.request("POST", path, data)


# --- Drills: accounts, what delegates type, what they saw ------------------------------------------


def production_account(email: str):
    """A verified account whose password production's hashers read, signed in with ``PASSWORD``."""
    return production_user(email, PASSWORD)


def mayor(n: int, k: int, category) -> dict:
    return form_data(
        category,
        email=f"mayor{k}@city{n}.example.org",
        given_name=f"Vibol{n}x{k}",
        family_name="Sok",
        badge_name=f"Sok Vibol{n}x{k}",
    )


@dataclass
class Drill:
    """What the browsers saw, shared by their threads."""

    statuses: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    saved: list[str] = field(default_factory=list)  # public ids answered as saved
    try_again: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, method: str, path: str, page: Page) -> Page:
        with self.lock:
            self.statuses[page.status] += 1
            if page.is_try_again:
                self.try_again += 1
                if page.headers.get("Retry-After") != "5":
                    self.problems.append(f"{method} {path}: 503 without Retry-After")
            elif page.status >= 500:
                self.problems.append(f"{method} {path}: {page.status}\n{page.text[:500]}")
            elif page.is_csrf_failure:
                self.problems.append(f"{method} {path}: CSRF failure for a correct form")
        return page

    def get(self, browser: Browser, path: str, *, expect: int = 200) -> Page | None:
        """A page, loaded again after "please try again" as a reader would."""
        for _ in range(ATTEMPTS):
            page = self.record("GET", path, browser.get(path))
            if page.status == expect:
                return page
            if not page.is_try_again:
                self.problem(f"GET {path}: {page.status}, expected {expect}")
                return None
        self.problem(f"GET {path}: still 'try again' after {ATTEMPTS} attempts")
        return None

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(text)
