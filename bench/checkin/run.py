"""Check-in at the door under load (``make bench-checkin``); see ``bench/README.md``.

gunicorn with production settings on PostgreSQL (``bench/server.py``), the data of ``seed.py``, and 20
devices — threads of this process, each signed in as a member of the door team with a CSRF cookie of
its own — sending what the scanner page sends (``POST /checkin/api/lists/<uuid>/scan/``, JSON, the
``X-CSRFToken`` header, the Origin and Referer of the page):

1. **offline data**: each device downloads its list (``GET …/data/``), as the page does first;
2. **baseline**: the same 20 devices at the same pace ask for the constant page ``/bench/constant``;
3. **door**: 2,000 badges scanned within ``BENCH_CHECKIN_DURATION`` seconds (5 minutes) on the first
   day's list, at a steady pace spread over the devices: some twice (a second device, later), some
   unknown codes, the old codes of reissued badges, badges of delegates who may not come in, some by
   reference (a search result), and some answers "lost" and the same scan sent again (the same
   idempotency key must give the same answer and record nothing new). Then the database: exactly one
   check-in per delegate and list, none for the others, every scan recorded once;
4. **offline sync**: 5 devices send their queues of 100 offline scans each (500) at the same moment on a
   list staff added (``POST …/sync/``), overlapping (the same delegate scanned on several devices at
   different times, some already checked in online later): each delegate must end with one check-in
   at the time of the earliest scan, with that scan's device and member of staff; a queue sent again
   changes nothing;
5. **saturation**: the 20 devices scan the second day's list back to back, no pause: scans a second
   flat out, and the constant page flat out beside it.

Exit status: 0 when every check and target holds, 1 when a check fails, 2 when only a target is missed.
Settings: ``BENCH_CHECKIN_*`` (README), ``BENCH_POSTGRES_URL``.
"""

import datetime as dt
import itertools
import json
import logging
import os
import random
import shutil
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.server import CpuMeter, Stack, flat_out, load_average, percentile, request, say

DEVICES = int(os.environ.get("BENCH_CHECKIN_DEVICES", "20"))
BADGES = int(os.environ.get("BENCH_CHECKIN_BADGES", "2000"))
DURATION = float(os.environ.get("BENCH_CHECKIN_DURATION", "300"))
BASELINE_SECONDS = float(os.environ.get("BENCH_CHECKIN_BASELINE_SECONDS", "60"))
SATURATION_SECONDS = float(os.environ.get("BENCH_CHECKIN_SATURATION_SECONDS", "30"))
SYNC_DEVICES, SYNC_SCANS = 5, 500
DATABASE = os.environ.get("BENCH_CHECKIN_DATABASE", "amf_bench_checkin")
REDIS_URL = os.environ.get("BENCH_CHECKIN_REDIS_URL", "redis://127.0.0.1:6379/15")
SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")

TARGET_SCAN_P95 = 0.100
TARGET_SYNC = 10.0
CSRF_SECRET = "c" * 32
SEED = 20261202


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Scan:
    at: float  # seconds after the start of the phase
    device: int
    body: dict
    kind: str  # first | repeat | unknown | reissued | refused
    badge: object = None
    retransmit: bool = False  # the answer is "lost": the device sends the same scan again
    answer: dict | None = None
    status: int = 0
    seconds: float = 0.0
    arrived: int = 0  # the order in which the answers came back


@dataclass
class Device:
    index: int
    label: str
    device: str
    user_id: int
    cookie: str
    scans: list[Scan] = field(default_factory=list)

    def headers(self, origin: str, list_id: str) -> dict:
        return {
            "Cookie": f"{self.cookie}; csrftoken={CSRF_SECRET}",
            "X-CSRFToken": CSRF_SECRET,
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Origin": origin,
            "Referer": f"{origin}/checkin/lists/{list_id}/",
        }


def scan_body(device: Device, *, token: str = "", reference: str = "", scanned_at: dt.datetime) -> dict:
    body = {"device": device.device, "device_label": device.label, "idempotency_key": str(uuid.uuid4()),
            "scanned_at": iso(scanned_at)}  # fmt: skip
    body.update({"token": token} if token else {"reference": reference})
    return body


def door_plan(seeded, devices: list[Device], rng: random.Random) -> list[Scan]:
    """Every scan of the door phase, with the second it is due and the device that makes it."""
    start = dt.datetime.now(dt.UTC)
    span = DURATION * 0.85  # repeats come up to 40 s later; all within the phase
    plan: list[Scan] = []

    def add(at: float, kind: str, badge=None, *, token="", reference="", device=None) -> Scan:
        d = devices[device if device is not None else rng.randrange(len(devices))]
        moment = start + dt.timedelta(seconds=at)
        scan = Scan(
            at, d.index, scan_body(d, token=token, reference=reference, scanned_at=moment), kind, badge
        )
        plan.append(scan)
        return scan

    firsts = []
    for n, badge in enumerate(seeded.badges):
        at = rng.uniform(0, span)
        by_reference = n % 20 == 7  # 5 %: the badge was found by name and chosen in the search
        firsts.append(
            add(
                at,
                "first",
                badge,
                **({"reference": badge.reference} if by_reference else {"token": badge.token}),
            )
        )
    for scan in rng.sample(firsts, len(firsts) // 10):  # 10 % scanned again, at another door
        other = (scan.device + 1 + rng.randrange(len(devices) - 1)) % len(devices)
        add(scan.at + rng.uniform(10, 40), "repeat", scan.badge, token=scan.badge.token, device=other)
    for _ in range(50):
        add(rng.uniform(0, span), "unknown", token=f"not-a-badge-{uuid.uuid4().hex}")
    for badge in seeded.badges:
        if badge.retired_token:
            add(rng.uniform(0, span), "reissued", badge, token=badge.retired_token)
    for badge in seeded.refused:
        add(rng.uniform(0, span), "refused", badge, token=badge.token)
    for scan in rng.sample(plan, 30):
        scan.retransmit = True
    plan.sort(key=lambda scan: scan.at)
    for scan in plan:
        devices[scan.device].scans.append(scan)
    return plan


def run_paced(devices: list[Device], send, seconds: float) -> float:
    """Each device sends its scans when they are due (or at once, when it is late)."""
    started = time.monotonic()

    def work(device: Device) -> None:
        for scan in device.scans:
            delay = started + scan.at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            send(device, scan)

    threads = [threading.Thread(target=work, args=(device,)) for device in devices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def post_json(host: str, path: str, headers: dict, payload: dict):
    answer = request("POST", host, path, headers=headers, body=json.dumps(payload).encode())
    try:
        data = json.loads(answer.body) if answer.body else None
    except ValueError:
        data = None
    return answer, data


EXPECTED_REASON = {"unknown": "unknown", "reissued": "reissued"}


def check_door(plan: list[Scan], retransmits: list[tuple[Scan, dict | None]]) -> list[str]:
    problems = []
    answered = defaultdict(list)
    for scan in plan:
        if scan.answer is None:
            continue
        verdict, reason = scan.answer.get("verdict"), scan.answer.get("reason")
        if scan.kind in ("first", "repeat"):
            answered[scan.badge.registration_id].append(scan)
            if verdict not in ("checked_in", "already"):
                problems.append(f"{scan.kind} scan of a confirmed badge: {verdict} {reason}")
        elif scan.kind == "refused":
            if (verdict, reason) != ("refused", scan.badge.status):
                problems.append(f"badge of a {scan.badge.status} delegate: {verdict} {reason}")
        elif (verdict, reason) != ("refused", EXPECTED_REASON[scan.kind]):
            problems.append(f"{scan.kind} code: {verdict} {reason}")
    for registration_id, scans in answered.items():
        # In the order answered, each "checked_in" must be earlier than the one before (an earlier scan
        # arriving late takes over); the first scan of a badge is usually the only one.
        times = [s.body["scanned_at"] for s in sorted(scans, key=lambda s: s.arrived)
                 if s.answer["verdict"] == "checked_in"]  # fmt: skip
        if not times or times != sorted(times, reverse=True) or len(set(times)) != len(times):
            problems.append(f"registration {registration_id}: checked in at {times} in the order answered")
    for scan, again in retransmits:
        if again != scan.answer:
            problems.append(f"the same idempotency key answered differently: {scan.answer} then {again}")
    return problems


def check_database_door(db, seeded, plan: list[Scan], list_id: int, sent: int) -> list[str]:
    problems = []
    rows = db.execute(
        "SELECT registration_id, count(*) FROM delegates_checkin WHERE list_id = %s AND undone_at IS NULL "
        "GROUP BY registration_id",
        [list_id],
    ).fetchall()
    per_delegate = dict(rows)
    twice = [r for r, n in per_delegate.items() if n != 1]
    confirmed = {b.registration_id for b in seeded.badges}
    scanned = {s.badge.registration_id for s in plan if s.kind == "first" and s.answer is not None}
    if twice:
        problems.append(f"{len(twice)} delegates with more than one check-in on the list")
    if set(per_delegate) != scanned:
        problems.append(
            f"check-ins of {len(set(per_delegate))} delegates; expected the {len(scanned)} scanned"
        )
    if set(per_delegate) - confirmed:
        problems.append(f"{len(set(per_delegate) - confirmed)} check-ins of delegates who may not come in")
    earliest: dict[int, Scan] = {}
    for scan in plan:
        if scan.kind in ("first", "repeat") and scan.answer is not None:
            known = earliest.get(scan.badge.registration_id)
            if known is None or scan.body["scanned_at"] < known.body["scanned_at"]:
                earliest[scan.badge.registration_id] = scan
    rows = db.execute(
        "SELECT registration_id, checked_in_at, device FROM delegates_checkin WHERE list_id = %s "
        "AND undone_at IS NULL",
        [list_id],
    ).fetchall()
    first = {r: (scan.body["scanned_at"], scan.body["device"]) for r, scan in earliest.items()}
    wrong = [r for r, at, device in rows if r in first and (iso(at), device) != first[r]]
    if wrong:
        problems.append(f"{len(wrong)} check-ins without the time and device of their earliest scan")
    recorded = db.execute(
        "SELECT count(*) FROM delegates_checkinscan WHERE list_id = %s", [list_id]
    ).fetchone()[0]
    if recorded != sent:
        problems.append(f"{recorded} scans recorded, {sent} distinct scans sent")
    print(
        f"  database: {len(per_delegate)} delegates checked in on the list, "
        f"{sum(per_delegate.values())} check-ins, {recorded} scans recorded ({sent} distinct sent)"
    )
    return problems


def sync_plan(seeded, devices: list[Device], rng: random.Random):
    """5 devices' offline queues, 100 scans each, overlapping; and the online check-ins made before."""
    now = dt.datetime.now(dt.UTC)
    confirmed = rng.sample(seeded.badges, 250)
    entries = [(badge, "token") for badge in confirmed]
    entries += [(rng.choice(confirmed), "token") for _ in range(SYNC_SCANS - 250 - 30)]
    entries += [(None, "unknown") for _ in range(20)] + [
        (rng.choice(seeded.refused), "token") for _ in range(10)
    ]
    rng.shuffle(entries)
    queues: list[list[dict]] = [[] for _ in range(SYNC_DEVICES)]
    expected: dict[int, tuple[dt.datetime, str, int]] = {}  # registration → (earliest, device, user)
    used = set()
    for n, (badge, _kind) in enumerate(entries):
        device = devices[n % SYNC_DEVICES]
        while True:  # distinct times to the millisecond, so the earliest is one scan
            moment = now - dt.timedelta(milliseconds=rng.randrange(60_000, 7_200_000))
            if moment not in used:
                used.add(moment)
                break
        token = badge.token if badge is not None else f"not-a-badge-{uuid.uuid4().hex}"
        body = scan_body(device, token=token, scanned_at=moment)
        del body["device"], body["device_label"]
        queues[n % SYNC_DEVICES].append(body)
        if badge is None or badge.status != "confirmed":
            continue
        if badge.registration_id not in expected or moment < expected[badge.registration_id][0]:
            expected[badge.registration_id] = (moment, device.device, device.user_id)
    for queue in queues:
        queue.sort(key=lambda body: body["scanned_at"])
    online = rng.sample(confirmed, 50)  # checked in online just now, later than every offline scan
    return queues, expected, online


def check_database_sync(db, list_id: int, expected: dict, sent: int) -> list[str]:
    problems = []
    rows = db.execute(
        "SELECT registration_id, checked_in_at, device, staff_id FROM delegates_checkin "
        "WHERE list_id = %s AND undone_at IS NULL",
        [list_id],
    ).fetchall()
    per_delegate = Counter(row[0] for row in rows)
    if any(n != 1 for n in per_delegate.values()):
        problems.append("a delegate has more than one check-in on the sync list")
    if set(per_delegate) != set(expected):
        problems.append(f"check-ins of {len(per_delegate)} delegates, expected {len(expected)}")
    wrong = 0
    for registration_id, checked_in_at, device, staff_id in rows:
        want = expected.get(registration_id)
        if want is None:
            continue
        at = checked_in_at.astimezone(dt.UTC)
        if abs((at - want[0]).total_seconds()) > 0.001 or device != want[1] or staff_id != want[2]:
            wrong += 1
    if wrong:
        problems.append(f"{wrong} check-ins without the time, device and staff of their earliest scan")
    recorded = db.execute(
        "SELECT count(*) FROM delegates_checkinscan WHERE list_id = %s", [list_id]
    ).fetchone()[0]
    if recorded != sent:
        problems.append(f"{recorded} scans recorded on the sync list, {sent} sent")
    print(
        f"  database: {len(per_delegate)} delegates checked in on the sync list, "
        f"{len(rows) - wrong} with the earliest scan's time, device and staff; {recorded} scans recorded"
    )
    return problems


def main() -> int:
    stack = Stack(server_url=SERVER, database=DATABASE, redis_url=REDIS_URL)
    rng = random.Random(SEED)
    checks_ok = False
    try:
        say(f"working directory {stack.workdir}; load average {load_average()} (1 / 5 / 15 min)")
        say(f"database {DATABASE}: migrate, collect static files, {BADGES:,} badges, {DEVICES} devices")
        stack.create()
        stack.use_here()
        logging.getLogger("delegates").setLevel(logging.WARNING)  # a line per reissued badge: not here
        from bench.checkin.seed import seed

        seeded = seed(confirmed=BADGES, reissued=100, devices=DEVICES)
        devices = [
            Device(n, d["label"], d["device"], d["user_id"], d["cookie"])
            for n, d in enumerate(seeded.devices)
        ]
        say(f"gunicorn ({stack.workers} workers, production settings) on {stack.host}")
        stack.start()
        meter = CpuMeter(gunicorn_pid=stack.gunicorn.pid, database=DATABASE)
        api = "/checkin/api/lists/{}/{}/"
        host, origin = stack.host, stack.origin
        problems: list[str] = []

        # 1. Offline data.
        data_times = []
        for device in devices:
            answer = request("GET", host, api.format(seeded.day_lists[0], "data"),
                             headers=device.headers(origin, seeded.day_lists[0]))  # fmt: skip
            data_times.append(answer.seconds)
            body = json.loads(answer.body) if answer.status == 200 else {}
            if len(body.get("delegates", [])) != len(seeded.badges) + len(seeded.refused):
                problems.append(
                    f"offline data: status {answer.status}, {len(body.get('delegates', []))} delegates"
                )
        data_size = len(answer.body)

        # 2. Baseline at the door's pace.
        plan = door_plan(seeded, devices, rng)
        pace = len(plan) / (DURATION * 0.85)
        baseline_times, baseline_errors = [], Counter()
        baseline_devices = [Device(d.index, d.label, d.device, d.user_id, d.cookie) for d in devices]
        for n in range(int(pace * BASELINE_SECONDS)):
            baseline_devices[n % DEVICES].scans.append(
                Scan(rng.uniform(0, BASELINE_SECONDS), n % DEVICES, {}, "baseline")
            )
        for device in baseline_devices:
            device.scans.sort(key=lambda scan: scan.at)
        lock = threading.Lock()

        def constant(device: Device, scan: Scan) -> None:
            answer = request("GET", host, "/bench/constant", headers={"Cookie": device.cookie})
            with lock:
                baseline_times.append(answer.seconds)
                baseline_errors[answer.status != 200] += 1

        say(
            f"baseline: {DEVICES} devices, {pace:.1f} requests/s for {BASELINE_SECONDS:.0f} s; "
            f"load {load_average()}"
        )
        meter.start()
        run_paced(baseline_devices, constant, BASELINE_SECONDS)
        baseline_cpu = meter.stop(requests=len(baseline_times))

        # 3. The door.
        retransmits: list[tuple[Scan, dict | None]] = []
        arrivals = itertools.count()
        errors: Counter = Counter()
        scan_path = api.format(seeded.day_lists[0], "scan")

        def scan(device: Device, item: Scan) -> None:
            headers = device.headers(origin, seeded.day_lists[0])
            try:
                answer, data = post_json(host, scan_path, headers, item.body)
            except OSError as error:
                with lock:
                    errors[f"connection: {error}"] += 1
                return
            with lock:
                item.arrived = next(arrivals)
            item.status, item.seconds, item.answer = answer.status, answer.seconds, data
            if answer.status != 200 or data is None:
                with lock:
                    errors[f"status {answer.status}: {answer.body[:120]!r}"] += 1
                item.answer = None
                return
            if item.retransmit:
                again, again_data = post_json(host, scan_path, headers, item.body)
                with lock:
                    retransmits.append(
                        (item, again_data if again.status == 200 else {"status": again.status})
                    )

        say(f"door: {len(plan)} scans by {DEVICES} devices within {DURATION:.0f} s; load {load_average()}")
        meter.start()
        door_wall = run_paced(devices, scan, DURATION)
        door_cpu = meter.stop(requests=len(plan) + len(retransmits), per="scan")
        scan_times = [s.seconds for s in plan if s.status]
        problems += check_door(plan, retransmits)
        import psycopg

        with psycopg.connect(stack.database_url, autocommit=True) as db:
            problems += check_database_door(
                db, seeded, plan, seeded.day_list_ids[0], sent=len(plan) - sum(errors.values())
            )

            # 4. Offline sync.
            queues, expected, online = sync_plan(seeded, devices, rng)
            online_path = api.format(seeded.custom_list, "scan")
            for n, badge in enumerate(online):
                device = devices[SYNC_DEVICES + n % (DEVICES - SYNC_DEVICES)]
                body = scan_body(device, token=badge.token, scanned_at=dt.datetime.now(dt.UTC))
                answer, data = post_json(host, online_path, device.headers(origin, seeded.custom_list), body)
                if answer.status != 200 or (data or {}).get("verdict") != "checked_in":
                    problems.append(f"online check-in before the sync: {answer.status} {data}")
                expected.setdefault(
                    badge.registration_id, (dt.datetime.now(dt.UTC), device.device, device.user_id)
                )
            sync_path = api.format(seeded.custom_list, "sync")
            sync_results: dict[int, tuple] = {}

            def sync(n: int) -> None:
                device = devices[n]
                payload = {
                    "device": device.device,
                    "device_label": device.label,
                    "since": None,
                    "scans": queues[n],
                }
                sync_results[n] = post_json(
                    host, sync_path, device.headers(origin, seeded.custom_list), payload
                )

            say(
                f"offline sync: {SYNC_DEVICES} devices × {SYNC_SCANS // SYNC_DEVICES} scans at once; "
                f"load {load_average()}"
            )
            meter.start()
            started = time.monotonic()
            threads = [threading.Thread(target=sync, args=(n,)) for n in range(SYNC_DEVICES)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            sync_wall = time.monotonic() - started
            sync_cpu = meter.stop(requests=SYNC_SCANS, per="scan")
            for n, (answer, data) in sorted(sync_results.items()):
                keys = [r.get("idempotency_key") for r in (data or {}).get("results", [])]
                if answer.status != 200 or keys != [s["idempotency_key"] for s in queues[n]]:
                    problems.append(
                        f"sync of device {n}: status {answer.status}, {len(keys)} results in order?"
                    )
            again, again_data = sync_results_again = post_json(
                host, sync_path, devices[0].headers(origin, seeded.custom_list),
                {"device": devices[0].device, "device_label": devices[0].label, "since": None,
                 "scans": queues[0]},
            )  # fmt: skip
            del sync_results_again
            # Sent again: the same answers, except where another device's earlier scan has taken the
            # check-in over since (the first answer said "checked_in", the stored one now "already").
            first_results = sync_results[0][1].get("results", [])
            again_results = (again_data or {}).get("results", []) if again.status == 200 else []
            taken_over = 0
            if len(again_results) != len(first_results):
                problems.append(f"a queue sent again: status {again.status}, {len(again_results)} results")
            for first, second in zip(first_results, again_results, strict=False):
                if first == second:
                    continue
                # The check-in an answer names is shown as it is now: its time, device and staff (and
                # the message saying them) follow a take-over; nothing else may differ.
                same = [first.get(k) == second.get(k) for k in ("idempotency_key", "reason", "delegate")]
                same.append((first["check_in"] or {}).get("id") == (second["check_in"] or {}).get("id"))
                verdicts = (first["verdict"], second["verdict"])
                if all(same) and (verdicts[0] == verdicts[1] or verdicts == ("checked_in", "already")):
                    taken_over += 1
                else:
                    problems.append(f"a scan sent again was answered {second} after {first}")
                    break
            problems += check_database_sync(
                db, seeded.custom_list_id, expected, sent=SYNC_SCANS + len(online)
            )

            # 5. Saturation.
            second = seeded.day_lists[1]
            second_path = api.format(second, "scan")
            queue = list(seeded.badges)
            rng.shuffle(queue)
            saturation_errors = Counter()

            def flat_scan(n: int) -> bool:
                # Every badge once, then again (repeats) if the time is not up.
                device = devices[n % DEVICES]
                badge = queue[n % len(queue)]
                body = scan_body(device, token=badge.token, scanned_at=dt.datetime.now(dt.UTC))
                answer, data = post_json(host, second_path, device.headers(origin, second), body)
                expected = "checked_in" if n < len(queue) else "already"
                ok = answer.status == 200 and (data or {}).get("verdict") == expected
                if not ok:
                    saturation_errors[answer.status] += 1
                return ok

            say(
                f"saturation: {DEVICES} devices back to back, {SATURATION_SECONDS:.0f} s; "
                f"load {load_average()}"
            )
            meter.start()
            saturated = flat_out(flat_scan, threads=DEVICES, seconds=SATURATION_SECONDS)
            saturated_cpu = meter.stop(requests=saturated[0], per="scan")
            meter.start()
            saturated_constant = flat_out(
                lambda n: request("GET", host, "/bench/constant").status == 200,
                threads=DEVICES, seconds=min(SATURATION_SECONDS, 15),
            )  # fmt: skip
            constant_cpu = meter.stop(requests=saturated_constant[0])
            done_second = db.execute(
                "SELECT count(*), count(DISTINCT registration_id) FROM delegates_checkin WHERE list_id = %s "
                "AND undone_at IS NULL", [seeded.day_list_ids[1]],
            ).fetchone()  # fmt: skip
        say(f"load average after: {load_average()}")
        if done_second[0] != done_second[1]:
            problems.append(f"saturation list: {done_second[0]} check-ins of {done_second[1]} delegates")

        print("\nCheck-in (latency in ms, to the last byte)")
        everyone = len(seeded.badges) + len(seeded.refused)
        print(f"  offline data of a list ({everyone} delegates, {data_size / 1024:.0f} KiB): "
              f"p50 {percentile(data_times, 0.5) * 1000:.0f}, max {max(data_times) * 1000:.0f}")  # fmt: skip
        print(f"  {'':34} {'requests':>8} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>6}")
        n_errors = sum(errors.values())
        rows = [
            (
                "baseline: constant page, paced",
                baseline_times,
                BASELINE_SECONDS,
                baseline_errors[True],
                baseline_cpu,
            ),
            ("door: scans, paced", scan_times, door_wall, n_errors, door_cpu),
            ("saturation: scans flat out", saturated[2], saturated[3], saturated[1], saturated_cpu),
            (
                "saturation: constant page",
                saturated_constant[2],
                saturated_constant[3],
                saturated_constant[1],
                constant_cpu,
            ),
        ]
        for name, times, wall, failed, usage in rows:
            p = [percentile(times, share) * 1000 for share in (0.5, 0.95, 0.99)]
            print(
                f"  {name:34} {len(times):>8} {len(times) / wall:7.1f} "
                f"{p[0]:6.0f} {p[1]:6.0f} {p[2]:6.0f} {failed:>6}"
            )
            print(f"    {usage}")
        verdicts = Counter((s.answer or {}).get("verdict") for s in plan)
        print(f"  door verdicts: {dict(verdicts)}; kinds: {dict(Counter(s.kind for s in plan))}; "
              f"same key sent again: {len(retransmits)}")  # fmt: skip
        for error, count in errors.most_common(5):
            print(f"  error ×{count}: {error}")
        sync_times = [answer.seconds for answer, _data in sync_results.values()]
        print(f"  a queue sent again: the same {SYNC_SCANS // SYNC_DEVICES} answers ({taken_over} name the "
              "check-in as it is now, taken over by an earlier scan); nothing new recorded")  # fmt: skip
        print(f"  offline sync: {SYNC_SCANS} scans from {SYNC_DEVICES} devices at once in {sync_wall:.2f} s "
              f"(each request {min(sync_times):.2f}–{max(sync_times):.2f} s); {sync_cpu}")  # fmt: skip

        checks_ok = not problems
        p95 = percentile(scan_times, 0.95)
        targets = [
            (
                f"p95 of a scan {p95 * 1000:.0f} ms (under {TARGET_SCAN_P95 * 1000:.0f} ms)",
                p95 < TARGET_SCAN_P95,
            ),
            (f"errors {n_errors + saturated[1]} (none)", n_errors + saturated[1] == 0),
            (
                f"sync of {SYNC_SCANS} scans {sync_wall:.2f} s (under {TARGET_SYNC:.0f} s)",
                sync_wall < TARGET_SYNC,
            ),
        ]
        print("\nChecks")
        for problem in problems[:25] or ["every answer and the database as expected"]:
            print(f"  [{'FAIL' if problems else 'ok'}] {problem}")
        print("Targets")
        for text, met in targets:
            print(f"  [{'ok' if met else 'MISSED'}] {text}")
        targets_ok = all(met for _text, met in targets)
        return 0 if checks_ok and targets_ok else (1 if not checks_ok else 2)
    finally:
        stack.stop()
        stack.drop()
        if checks_ok:
            shutil.rmtree(stack.workdir, ignore_errors=True)
        else:
            print(f"logs kept in {stack.workdir}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
