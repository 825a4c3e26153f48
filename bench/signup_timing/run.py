"""Whether the time of a sign-up tells that an address has an account: the median time of the sign-up
page's POST for a new address and for an address that has an account, with production's password
hashing (PBKDF2), on PostgreSQL, through the whole middleware stack (Django's test client, in-process:
no network in the figures). The two kinds of request alternate, so that a busy moment of the machine
falls on both.

    .venv/bin/python -m bench.signup_timing.run

Creates the database ``amf_bench_signup`` (``BENCH_SIGNUP_DATABASE``) on ``BENCH_POSTGRES_URL`` and
drops it at the end; the broker is kombu's filesystem transport in a temporary folder (the emails are
written to the outbox and queued, as in production, not sent: no worker runs). Prints the medians, the
queries, password hashes and outbox rows of one request of each kind, and exits 1 if the medians differ
by more than ``BENCH_SIGNUP_TOLERANCE`` (default 0.10, i.e. 10 %) of the slower one.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent.parent
ROUNDS = int(os.environ.get("BENCH_SIGNUP_ROUNDS", "40"))
WARM_UP = 3
TOLERANCE = float(os.environ.get("BENCH_SIGNUP_TOLERANCE", "0.10"))
SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DATABASE = os.environ.get("BENCH_SIGNUP_DATABASE", "amf_bench_signup")
PASSWORD = "a long passphrase 42"  # noqa: S105 - the made-up password of the bench's made-up accounts
TAKEN = "registered.mayor@city.example.org"


def _database_url(name: str) -> str:
    parts = urlsplit(SERVER)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(SERVER, autocommit=True) as connection:
        connection.execute(sql)


def main() -> int:
    folder = tempfile.mkdtemp(prefix="amf-bench-signup-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.signup_timing.settings",
        DATABASE_URL=_database_url(DATABASE),
        AMF_VAR_DIR=folder,
    )
    sys.path.insert(0, str(ROOT))
    _admin(f'DROP DATABASE IF EXISTS "{DATABASE}"')
    _admin(f'CREATE DATABASE "{DATABASE}"')
    try:
        return _measure()
    finally:
        from django.db import connections

        connections.close_all()
        _admin(f'DROP DATABASE IF EXISTS "{DATABASE}"')


def _measure() -> int:
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import get_hasher
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from delegates.models import EmailOutbox

    setup_test_environment()  # the test client's renderer hooks; nothing else of the test runner
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user(username=TAKEN, email=TAKEN, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=TAKEN, verified=True, primary=True)
    url = reverse("account_signup")
    counter = iter(range(10**9))
    hasher = type(get_hasher())
    hashes = [0]
    encode = hasher.encode

    def counting_encode(self, password, salt, *args, **kwargs):
        hashes[0] += 1
        return encode(self, password, salt, *args, **kwargs)

    hasher.encode = counting_encode

    def sign_up(email: str) -> tuple[float, dict]:
        client = Client()  # a new visitor each time: no session, no cookie
        outbox_before = EmailOutbox.objects.count()
        hashes_before = hashes[0]
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.post(url, {"email": email, "password1": PASSWORD, "password2": PASSWORD})
            elapsed = time.perf_counter() - start
        assert response.status_code == 302, response.status_code
        return elapsed, {
            "answer": (response.status_code, response["Location"]),
            "queries": len(queries),
            "password hashes": hashes[0] - hashes_before,
            "outbox rows": EmailOutbox.objects.count() - outbox_before,
        }

    def new_address() -> str:
        return f"new.mayor.{next(counter)}@city.example.org"

    for _ in range(WARM_UP):
        sign_up(new_address())
        sign_up(TAKEN)
    times: dict[str, list[float]] = {"new address": [], "address with an account": []}
    work: dict[str, dict] = {}
    for _ in range(ROUNDS):
        for kind, email in (("new address", new_address()), ("address with an account", TAKEN)):
            elapsed, done = sign_up(email)
            times[kind].append(elapsed)
            work[kind] = done

    print(f"Sign-up timing: {ROUNDS} rounds, {settings.PASSWORD_HASHERS[0].rsplit('.', 1)[-1]}")
    medians = {kind: statistics.median(values) for kind, values in times.items()}
    for kind, values in times.items():
        print(
            f"  {kind:<24} median {medians[kind] * 1000:7.1f} ms  "
            f"(min {min(values) * 1000:.1f}, max {max(values) * 1000:.1f})  {work[kind]}"
        )
    slower = max(medians.values())
    difference = abs(medians["new address"] - medians["address with an account"])
    share = difference / slower
    print(f"  difference of the medians: {difference * 1000:.1f} ms ({share:.1%} of the slower)")
    if difference > TOLERANCE * slower:
        print(f"FAIL: more than {TOLERANCE:.0%} apart")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
