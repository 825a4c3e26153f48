"""Load for the registration benchmark (run by ``run.py``; not meant to be started by hand).

- ``BaselineUser`` asks for ``/bench/constant``, the least a Django view can do on the same server.
- ``RegistrationUser`` is a mayor's office, signed in: it opens the registration form of the forum,
  pauses (filling it in), submits it for a new delegate and pauses again, over and over, each time
  with another delegate's email. Every user pauses between any two of its requests (``wait_time``).

Requests go to gunicorn on 127.0.0.1 with ``X-Forwarded-Proto: https``, as from the TLS proxy in front of
production; the form is posted with the CSRF token taken from the page and the Origin and Referer a
browser sends. A submission counts as a success only if it answers with the redirect to the new
registration's page; anything else (an error page, the form again with a message) is a failure.
"""

import itertools
import json
import os
import re
import secrets
from pathlib import Path

from locust import FastHttpUser, between, events, task

SETUP = json.loads(Path(os.environ["BENCH_SETUP_FILE"]).read_text())
THINK = between(float(os.environ.get("BENCH_THINK_MIN", "0")), float(os.environ.get("BENCH_THINK_MAX", "0")))
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ERROR_TEXT = re.compile(r'class="[^"]*error[^"]*"[^>]*>\s*(?:<[^>]+>\s*)*([^<]{1,160})')
THAI_NAMES = ("สมชาย ใจดี", "วิไลวรรณ ศรีสุข", "ประยุทธ์ มั่นคง", "กาญจนา พรหมมา")

_account_numbers = itertools.count()


class PacedUser(FastHttpUser):
    """A user who pauses before each request, the first one included: the users started in the same
    second do not all ask at once (people do not arrive in lockstep), and from then on each keeps its
    own rhythm."""

    abstract = True
    wait_time = THINK

    def on_start(self) -> None:
        self.wait()


class BaselineUser(PacedUser):
    headers = {"X-Forwarded-Proto": "https"}

    @task
    def constant(self) -> None:
        with self.client.get(
            "/bench/constant", headers=self.headers, name="baseline", catch_response=True
        ) as r:
            if r.status_code != 200 or "A constant page." not in (r.text or ""):
                r.failure(f"status {r.status_code}")


class RegistrationUser(PacedUser):
    def on_start(self) -> None:
        self.number = next(_account_numbers)
        account = SETUP["accounts"][self.number % len(SETUP["accounts"])]
        # A CSRF cookie of our own (a valid secret), so that the token in each page matches it.
        cookie = (
            f"{SETUP['session_cookie']}={account['session']}; {SETUP['csrf_cookie']}={secrets.token_hex(16)}"
        )
        self.url = f"/forums/{SETUP['forum_slug']}/register/"
        origin = self.host.replace("http://", "https://")
        self.headers = {"Cookie": cookie, "X-Forwarded-Proto": "https"}
        self.post_headers = {**self.headers, "Origin": origin, "Referer": origin + self.url}
        self.submitted = 0
        super().on_start()

    @task
    def register(self) -> None:
        with self.client.get(self.url, headers=self.headers, name="form", catch_response=True) as page:
            token = CSRF_INPUT.search(page.text or "")
            if page.status_code != 200 or token is None:
                page.failure(f"status {page.status_code}, no form")
                return
        self.wait()  # filling in the form: the same pause as between any two requests
        n = self.submitted
        self.submitted += 1
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "category": str(SETUP["category_id"]),
            "email": f"mayor-{self.number:04d}-{n:04d}@city.bench.example.org",
            "honorific": "H.E.",
            "given_name": f"Somchai {self.number}",
            "family_name": f"Jaidee {n}",
            "badge_name": "",
            "native_name": THAI_NAMES[(self.number + n) % len(THAI_NAMES)],
            "native_name_lang": "th",
            "position": "Mayor",
            "organisation": f"Bench City {self.number}",
            "city": f"Bench City {self.number}",
            "country": "TH",
            "phone": "+66 81 234 5678",
            "dietary": "halal" if n % 3 == 0 else "none",
            "media_consent": "on",
            "privacy_consent": "on",
        }
        with self.client.post(
            self.url,
            data=data,
            headers=self.post_headers,
            name="submit",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            if response.status_code == 302 and "/my/registrations/" in location:
                response.success()
            else:
                found = ERROR_TEXT.search(response.text or "")
                detail = " ".join(found.group(1).split()) if found else ""
                response.failure(f"status {response.status_code} {detail}".strip())


_environment = None


@events.init.add_listener
def _keep_environment(environment, **kwargs) -> None:
    global _environment
    _environment = environment


@events.quit.add_listener
def _save_errors(exit_code, **kwargs) -> None:
    """Locust's JSON statistics leave the error messages out: save them for ``run.py``."""
    path = os.environ.get("BENCH_ERRORS_FILE")
    if path and _environment is not None and _environment.runner is not None:
        Path(path).write_text(json.dumps(list(_environment.runner.stats.serialize_errors().values())))
