"""Exports at the size of a large forum: 10,000 registrations in every script of
``tests/data/delegate-names.tsv``, exported as the delegate list (CSV and XLSX, the usual columns),
the rooming list and the catering counts, through the export page's POST (Django's test client,
in-process, the whole middleware stack, PostgreSQL), beside a baseline measured in the same run: the
admin index page, a page that reads no registration.

    .venv/bin/python -m bench.exports.run

Prints, per export, the median time of ``BENCH_EXPORT_ROUNDS`` (default 3) requests with the whole
file read, its size and rows, the queries of one request, and the process's peak memory growth while
exporting (tracemalloc: Python's own allocations). Targets (issue "control room"): a 10,000-row XLSX
under 10 s, a CSV under 3 s, memory under 300 MiB. Creates the database ``amf_bench_exports``
(``BENCH_EXPORT_DATABASE``) on ``BENCH_POSTGRES_URL`` and drops it at the end.
"""

import csv
import io
import logging
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent.parent
ROWS = int(os.environ.get("BENCH_EXPORT_ROWS", "10000"))
ROUNDS = int(os.environ.get("BENCH_EXPORT_ROUNDS", "3"))
SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DATABASE = os.environ.get("BENCH_EXPORT_DATABASE", "amf_bench_exports")
TARGETS = {"csv": 3.0, "xlsx": 10.0}
MEMORY_TARGET_MIB = 300


def _database_url(name: str) -> str:
    return urlunsplit(urlsplit(SERVER)._replace(path=f"/{name}"))


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(SERVER, autocommit=True) as connection:
        connection.execute(sql)


def _names() -> list[list[str]]:
    with (ROOT / "tests" / "data" / "delegate-names.tsv").open(encoding="utf-8") as handle:
        rows = [line.rstrip("\n").split("\t") for line in handle if not line.startswith("#")]
    return rows[1:]


def main() -> int:
    folder = tempfile.mkdtemp(prefix="amf-bench-exports-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="amf.settings.test",
        DATABASE_URL=_database_url(DATABASE),
        AMF_VAR_DIR=folder,
        REDIS_URL="",
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


def _seed():
    import datetime as dt

    from django.contrib.auth.models import Group
    from django.utils import timezone

    from delegates.enums import Dietary, RegistrationStatus
    from delegates.models import DelegateCategory, Registration
    from delegates.permissions import REGISTRARS
    from events.models import Forum, Session
    from tests.factories import UserFactory

    forum = Forum.objects.create(
        name="ASEAN Mayors Forum 2031", slug="amf-2031", theme="Bench", host_city="Surabaya", country="ID",
        venue_name="Grand City", start_date=dt.date(2031, 10, 6), end_date=dt.date(2031, 10, 7),
        time_zone="Asia/Jakarta", status="published",
    )  # fmt: skip
    category = DelegateCategory.objects.create(forum=forum, name="City official", slug="official")
    for hour in (5, 12):
        Session.objects.create(
            forum=forum, title=f"Meal {hour}", slug=f"meal-{hour}", serves_food=True,
            starts_at=dt.datetime(2031, 10, 6, hour, tzinfo=dt.UTC),
            ends_at=dt.datetime(2031, 10, 6, hour + 1, tzinfo=dt.UTC),
        )  # fmt: skip
    names = _names()
    diets = list(Dietary.values)
    now = timezone.now()
    batch = []
    for n in range(ROWS):
        lang, _script, honorific, badge_name, native, position, city, country = names[n % len(names)]
        given, _space, family = badge_name.partition(" ")
        batch.append(
            Registration(
                forum=forum, category=category, status=RegistrationStatus.CONFIRMED,
                reference=f"B{n:07d}", email=f"delegate{n}@city{n % 97}.example.org", honorific=honorific,
                given_name=given, family_name=family, badge_name=badge_name, native_name=native,
                native_name_lang=lang if lang != "und" else "", position=position,
                organisation=f"City of {city}", city=city, country=country, dietary=diets[n % len(diets)],
                allergies="Peanuts" if n % 50 == 0 else "", hotel=f"Hotel {n % 12}",
                arrival_date=dt.date(2031, 10, 5), departure_date=dt.date(2031, 10, 8),
                privacy_consent_at=now, checkin_token=f"bench-token-{n:08d}",
            )
        )  # fmt: skip
    Registration.objects.bulk_create(batch, batch_size=2000)
    user = UserFactory(
        username="registrar@bench.example.org", email="registrar@bench.example.org", is_staff=True
    )
    user.groups.add(Group.objects.get(name=REGISTRARS))
    return forum, user


def _measure() -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    setup_test_environment()
    logging.getLogger("delegates.exports").setLevel(logging.WARNING)  # one line per export: not here
    call_command("migrate", verbosity=0)
    forum, user = _seed()
    client = Client()
    client.force_login(user)
    url = reverse("admin:delegates_registration_export")
    statuses = ["pending", "confirmed", "waitlisted"]

    def baseline():
        response = client.get(reverse("admin:index"))
        assert response.status_code == 200
        return response.content

    def export(kind: str, file_format: str):
        def run():
            response = client.post(
                url, {"forum": forum.pk, "kind": kind, "file_format": file_format, "statuses": statuses}
            )
            assert response.status_code == 200, response.status_code
            return b"".join(response.streaming_content)

        return run

    cases = {
        "baseline: the admin index": (baseline, None),
        "delegate list, CSV": (export("delegates", "csv"), "csv"),
        "delegate list, XLSX": (export("delegates", "xlsx"), "xlsx"),
        "rooming list, CSV": (export("rooming", "csv"), "csv"),
        "rooming list, XLSX": (export("rooming", "xlsx"), "xlsx"),
        "catering, XLSX": (export("catering", "xlsx"), "xlsx"),
    }
    print(f"Exports of {ROWS:,} registrations, {ROUNDS} rounds each (median), PostgreSQL, in-process")
    print(f"{'':28} {'median':>9} {'size':>10} {'rows':>7} {'queries':>8} {'peak MiB':>9}  target")
    failed = False
    for name, (run, file_format) in cases.items():
        body = run()  # warm-up, and the file to read back
        queries = QueryLog()
        with connection.execute_wrapper(queries):
            run()
        tracemalloc.start()
        run()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        times = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        rows = _rows(body, file_format)
        target = TARGETS.get(file_format)
        verdict = ""
        if target is not None:
            ok = median < target and peak < MEMORY_TARGET_MIB
            failed |= not ok
            verdict = f"< {target:.0f} s, < {MEMORY_TARGET_MIB} MiB: {'met' if ok else 'MISSED'}"
        print(
            f"{name:28} {median * 1000:7.0f}ms {len(body) / 1024:8.0f}KiB {rows:>7} {len(queries):>8} "
            f"{peak:9.1f}  {verdict}"
        )
    return 1 if failed else 0


class QueryLog(list):
    """An execute wrapper that keeps the SQL of every query (the test client resets Django's own log
    at each request's start)."""

    def __call__(self, execute, sql, params, many, context):
        self.append(sql)
        return execute(sql, params, many, context)


def _rows(body: bytes, file_format: str | None) -> int | str:
    if file_format == "csv":
        return sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8-sig")))) - 1
    if file_format == "xlsx":
        import openpyxl

        sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
        return sum(1 for _ in sheet.iter_rows(values_only=True)) - 1
    return "-"


if __name__ == "__main__":
    sys.exit(main())
