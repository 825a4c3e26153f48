"""The staff pages at the size of a large forum (``make bench-staff``); see ``bench/README.md``.

10,000 registrations (``seed.py``) served by gunicorn with production settings on PostgreSQL
(``bench/server.py``); a signed-in registrar asks for the admin's registration list (pages, a search in
Latin and in Thai script, a filter), the forum's dashboard, and every export in CSV and XLSX, over
HTTP, beside the constant page ``/bench/constant`` measured in the same run. Prints, per page and
export, p50 / p95 / max of the time to the last byte, the queries of one request (counted in-process
once, with the same settings and data: gunicorn's code paths are left as they are), the rows read back
from each file, and the peak RSS of gunicorn's workers while the exports ran (from ``/proc``); then the
saturation: what the machine serves flat out, of the staff pages and of the constant page.

Exit status: 0 when every check and target holds, 1 when a check fails (a wrong status, a wrong number
of rows), 2 when only a target is missed. Settings: ``BENCH_STAFF_*`` (README), ``BENCH_POSTGRES_URL``.
"""

import csv
import io
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.server import CpuMeter, MemoryWatch, Stack, flat_out, load_average, percentile, request, say

ROWS = int(os.environ.get("BENCH_STAFF_ROWS", "10000"))
PAGE_ROUNDS = int(os.environ.get("BENCH_STAFF_ROUNDS", "20"))
EXPORT_ROUNDS = int(os.environ.get("BENCH_STAFF_EXPORT_ROUNDS", "5"))
THREADS = int(os.environ.get("BENCH_STAFF_THREADS", "8"))
SATURATION_SECONDS = float(os.environ.get("BENCH_STAFF_SATURATION_SECONDS", "20"))
DATABASE = os.environ.get("BENCH_STAFF_DATABASE", "amf_bench_staff")
REDIS_URL = os.environ.get("BENCH_STAFF_REDIS_URL", "redis://127.0.0.1:6379/15")
SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")

TARGET_PAGE_P95 = 0.300  # seconds, the list and the dashboard
TARGET_EXPORT = {"csv": 3.0, "xlsx": 10.0}  # seconds, 10,000 rows
TARGET_MEMORY_MIB = 300
CSRF_SECRET = "b" * 32  # the CSRF cookie's secret, sent as the form's token too (as Django accepts)


@dataclass
class Page:
    name: str
    path: str
    marker: bytes
    queries: int = 0
    rows: int | str = "-"


@dataclass
class Export:
    name: str
    data: dict
    file_format: str
    rows_expected: int
    queries: int = 0


def pages_of(seeded, reverse) -> list[Page]:
    changelist = reverse("admin:delegates_registration_changelist")
    forum = f"forum__id__exact={seeded.forum_id}"
    last = -(-ROWS // 50)
    return [
        Page("baseline: constant page", "/bench/constant", b"A constant page."),
        Page("list, page 1 (all forums)", changelist, b'id="result_list"'),
        Page("list, forum, page 1", f"{changelist}?{forum}", b'id="result_list"'),
        Page(f"list, forum, page {last // 2}", f"{changelist}?{forum}&p={last // 2}", b'id="result_list"'),
        Page(f"list, forum, page {last}", f"{changelist}?{forum}&p={last}", b'id="result_list"'),
        Page(
            "list, search (Latin)",
            f"{changelist}?{urlencode({'q': seeded.search_latin})}",
            b'id="result_list"',
        ),
        Page(
            "list, search (Thai script)",
            f"{changelist}?{urlencode({'q': seeded.search_native})}",
            b'id="result_list"',
        ),
        Page(
            "list, filter status+category",
            f"{changelist}?{forum}&status__exact=pending&category__id__exact={seeded.category_ids[1]}",
            b'id="result_list"',
        ),
        Page("dashboard", reverse("admin:events_forum_dashboard", args=[seeded.forum_id]), b"chart-status"),
    ]


def exports_of(seeded) -> list[Export]:
    from delegates.enums import ACTIVE_STATUSES, RegistrationStatus, SignupStatus
    from delegates.models import Registration, SessionSignup
    from events.models import Session

    registrations = Registration.objects.filter(forum_id=seeded.forum_id)
    confirmed = registrations.filter(status=RegistrationStatus.CONFIRMED)
    counts = {
        "delegates": registrations.count(),
        "catering": Session.objects.filter(forum_id=seeded.forum_id, serves_food=True).count(),
        "rooming": confirmed.count(),
        "transfers": confirmed.filter(needs_airport_transfer=True).count(),
        "visa_letters": registrations.filter(status__in=ACTIVE_STATUSES, needs_visa_letter=True).count(),
        "site visit": SessionSignup.objects.filter(
            session_id=seeded.site_visit_id,
            status__in=(SignupStatus.CONFIRMED, SignupStatus.WAITLISTED),
            registration__status__in=ACTIVE_STATUSES,
        ).count(),
        "plenary": confirmed.count(),
    }
    forum = {"forum": seeded.forum_id}
    kinds = [
        ("delegate list", {"kind": "delegates", "statuses": list(RegistrationStatus.values)}, "delegates"),
        ("catering", {"kind": "catering"}, "catering"),
        ("rooming list", {"kind": "rooming"}, "rooming"),
        ("transfers", {"kind": "transfers"}, "transfers"),
        ("visa letters", {"kind": "visa_letters"}, "visa_letters"),
        ("roster, site visit", {"kind": "roster", "session": seeded.site_visit_id}, "site visit"),
        ("roster, plenary", {"kind": "roster", "session": seeded.plenary_id}, "plenary"),
    ]
    return [
        Export(f"{name}, {fmt.upper()}", {**forum, **data, "file_format": fmt}, fmt, counts[key])
        for name, data, key in kinds
        for fmt in ("csv", "xlsx")
    ]


def count_queries(pages: list[Page], exports: list[Export], export_path: str, user_session: str) -> None:
    """The queries of one request of each page and export, in this process: Django's test client
    through the same middleware, settings, database and session as gunicorn's."""
    import logging

    from django.conf import settings
    from django.db import connection
    from django.test import Client

    logging.getLogger("delegates.exports").setLevel(logging.WARNING)  # one line per export: not here
    client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = user_session.split("=", 1)[1]

    def counted(call) -> tuple[int, object]:
        log: list[str] = []

        def wrapper(execute, sql, params, many, context):
            log.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(wrapper):
            response = call()
            if response.streaming:
                b"".join(response.streaming_content)
        return len(log), response

    for page in pages:
        page.queries, response = counted(lambda path=page.path: client.get(path))
        assert response.status_code == 200, (page.name, response.status_code)
        changelist = getattr(response, "context_data", None) or {}
        if "cl" in changelist:
            page.rows = changelist["cl"].result_count
    for export in exports:
        export.queries, response = counted(lambda data=export.data: client.post(export_path, data))
        assert response.status_code == 200, (export.name, response.status_code)


def read_rows(body: bytes, file_format: str) -> int:
    if file_format == "csv":
        return sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8-sig")))) - 1
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
    return sum(1 for _ in sheet.iter_rows(values_only=True)) - 1


def main() -> int:
    stack = Stack(server_url=SERVER, database=DATABASE, redis_url=REDIS_URL)
    checks_ok = False
    try:
        say(f"working directory {stack.workdir}; load average {load_average()} (1 / 5 / 15 min)")
        say(f"database {DATABASE}: migrate, collect static files, seed {ROWS:,} registrations")
        stack.create()
        stack.use_here()
        from django.urls import reverse

        from bench.staff.seed import seed

        seeded = seed(ROWS)
        pages = pages_of(seeded, reverse)
        exports = exports_of(seeded)
        export_path = reverse("admin:delegates_registration_export")
        count_queries(pages, exports, export_path, seeded.session_cookie)

        say(f"gunicorn ({stack.workers} workers, production settings) on {stack.host}")
        stack.start()
        cookie = f"{seeded.session_cookie}; {seeded.csrf_cookie_name}={CSRF_SECRET}"
        headers = {"Cookie": cookie}
        for _ in range(2 * stack.workers):  # every worker loads its templates and opens its connection
            for page in pages:
                request("GET", stack.host, page.path, headers=headers)
        meter = CpuMeter(gunicorn_pid=stack.gunicorn.pid, database=DATABASE)

        failures: list[str] = []
        say(f"pages: {PAGE_ROUNDS} rounds, one request at a time; load average {load_average()}")
        times: dict[str, list[float]] = {page.name: [] for page in pages}
        meter.start()
        for _ in range(PAGE_ROUNDS):
            for page in pages:
                answer = request("GET", stack.host, page.path, headers=headers)
                if answer.status != 200 or page.marker not in answer.body:
                    failures.append(f"{page.name}: status {answer.status}")
                times[page.name].append(answer.seconds)
        pages_cpu = meter.stop(requests=PAGE_ROUNDS * len(pages))

        say(f"saturation: {THREADS} clients back to back, {SATURATION_SECONDS:.0f} s each")
        staff_pages = pages[1:]

        def staff_call(n: int) -> bool:
            page = staff_pages[n % len(staff_pages)]
            answer = request("GET", stack.host, page.path, headers=headers)
            return answer.status == 200 and page.marker in answer.body

        def constant_call(n: int) -> bool:
            return request("GET", stack.host, pages[0].path, headers=headers).status == 200

        meter.start()
        saturated_staff = flat_out(staff_call, threads=THREADS, seconds=SATURATION_SECONDS)
        staff_cpu = meter.stop(requests=saturated_staff[0])
        meter.start()
        saturated_constant = flat_out(constant_call, threads=THREADS, seconds=SATURATION_SECONDS)
        constant_cpu = meter.stop(requests=saturated_constant[0])

        say(f"exports: {EXPORT_ROUNDS} rounds each (after one to read the file back); load {load_average()}")
        post_headers = {
            **headers,
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": stack.origin,
            "Referer": stack.origin + export_path,
        }
        export_times: dict[str, list[float]] = {}
        export_memory: dict[str, MemoryWatch] = {}
        export_files: dict[str, tuple[int, int]] = {}
        meter.start()
        for export in exports:
            body = urlencode({**export.data, "csrfmiddlewaretoken": CSRF_SECRET}, doseq=True).encode()
            with MemoryWatch(stack.worker_pids()) as watch:
                first = request("POST", stack.host, export_path, headers=post_headers, body=body)
                export_times[export.name] = []
                for _ in range(EXPORT_ROUNDS):
                    answer = request("POST", stack.host, export_path, headers=post_headers, body=body)
                    if answer.status != 200:
                        failures.append(f"{export.name}: status {answer.status}")
                    export_times[export.name].append(answer.seconds)
            export_memory[export.name] = watch
            rows = read_rows(first.body, export.file_format) if first.status == 200 else -1
            export_files[export.name] = (len(first.body), rows)
            if rows != export.rows_expected:
                failures.append(f"{export.name}: {rows} rows, expected {export.rows_expected}")
        exports_cpu = meter.stop(requests=len(exports) * (EXPORT_ROUNDS + 1), per="export")
        say(f"load average after: {load_average()}")

        checks_ok = not failures
        targets_ok = report(
            pages, times, exports, export_times, export_memory, export_files,
            (saturated_staff, saturated_constant), (pages_cpu, staff_cpu, constant_cpu, exports_cpu),
        )  # fmt: skip
        for failure in failures[:20]:
            print(f"  FAIL {failure}")
        return 0 if checks_ok and targets_ok else (1 if not checks_ok else 2)
    finally:
        stack.stop()
        stack.drop()
        if checks_ok:
            shutil.rmtree(stack.workdir, ignore_errors=True)
        else:
            print(f"logs kept in {stack.workdir}", file=sys.stderr)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}"


def report(pages, times, exports, export_times, export_memory, export_files, saturated, cpu) -> bool:
    ok = True
    print(f"\nPages, one request at a time, {PAGE_ROUNDS} rounds (ms, to the last byte)")
    print(f"  {'':32} {'p50':>7} {'p95':>7} {'max':>7} {'queries':>8} {'results':>8}  target")
    for page in pages:
        values = times[page.name]
        p95 = percentile(values, 0.95)
        verdict = ""
        if not page.name.startswith("baseline"):
            met = p95 < TARGET_PAGE_P95
            ok &= met
            verdict = f"p95 < {_ms(TARGET_PAGE_P95)} ms: {'met' if met else 'MISSED'}"
        print(
            f"  {page.name:32} {_ms(percentile(values, 0.5)):>7} {_ms(p95):>7} {_ms(max(values)):>7} "
            f"{page.queries:>8} {page.rows!s:>8}  {verdict}"
        )
    print(f"  {cpu[0]}")

    print(f"\nSaturation: {THREADS} clients back to back for {SATURATION_SECONDS:.0f} s")
    print(f"  {'':32} {'req/s':>7} {'p50':>7} {'p95':>7} {'errors':>7}")
    for name, (answers, errors, latencies, wall), usage in (
        ("staff pages (the mix above)", saturated[0], cpu[1]),
        ("baseline: constant page", saturated[1], cpu[2]),
    ):
        print(
            f"  {name:32} {answers / wall:7.1f} {_ms(percentile(latencies, 0.5)):>7} "
            f"{_ms(percentile(latencies, 0.95)):>7} {errors:>7}"
        )
        print(f"    {usage}")
        ok &= errors == 0
    ratio = (saturated[0][0] / saturated[0][3]) / (saturated[1][0] / saturated[1][3] or 1)
    print(f"  throughput ratio (staff pages ÷ constant page): {ratio:.1%}")

    print(
        f"\nExports over HTTP, {EXPORT_ROUNDS} rounds each (ms to the last byte; p95 of {EXPORT_ROUNDS} "
        "is the slowest); peak RSS of gunicorn's workers while each ran"
    )
    print(
        f"  {'':26} {'p50':>7} {'p95':>7} {'size KiB':>9} {'rows':>6} {'queries':>8} "
        f"{'RSS MiB':>8} {'before':>7}  target"
    )
    for export in exports:
        values = export_times[export.name]
        size, rows = export_files[export.name]
        watch = export_memory[export.name]
        target = TARGET_EXPORT[export.file_format]
        met = percentile(values, 0.95) < target and watch.peak_mib < TARGET_MEMORY_MIB
        ok &= met
        print(
            f"  {export.name:26} {_ms(percentile(values, 0.5)):>7} {_ms(percentile(values, 0.95)):>7} "
            f"{size / 1024:9,.0f} {rows:>6} {export.queries:>8} {watch.peak_mib:8.0f} "
            f"{watch.before_mib:7.0f}  "
            f"< {target:.0f} s, < {TARGET_MEMORY_MIB} MiB: {'met' if met else 'MISSED'}"
        )
    print(f"  {cpu[3]}")
    return ok


if __name__ == "__main__":
    sys.exit(main())
