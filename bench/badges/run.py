"""The badge benchmark (``make bench-badges``); see ``bench/README.md``.

Creates a database of its own (``amf_bench_badges``, migrated here, dropped at the end) with one forum
and 1,000 confirmed delegates whose names cycle through every script of ``delegate-names.tsv``, then
measures, each in a process of its own forked from the same prepared state:

1. the print job as organisers run it: ``print_job_start`` then ``print_job_run`` (the body of the
   ``delegates.run_print_job`` task) for all 1,000 badges in protocol order, A6, one PDF — with the
   rendering processes the project uses by default (one per core), and again with one process;
2. one badge on demand from a warm process: ``badge_warm_up()``, then ``badge_pdf`` (and
   ``badge_store``, which also writes the file) for delegates of every script;
3. the baseline: the same 1,000 badges drawn with reportlab the way pretix's badge exporter does it
   (``bench/badges/baseline.py``).

It prints wall time, time per badge, CPU time and peak memory of each, checks the PDFs (page count,
badges in the job's order), compares with the targets and stops by itself. Exit status: 0 when the
PDFs are right and the targets are met, 1 when a check fails, 2 when only a target is missed.
Settings come from the environment (``BENCH_*``, listed in ``Config``).
"""

import dataclasses
import datetime as dt
import logging
import multiprocessing
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from queue import Empty
from urllib.parse import urlsplit, urlunsplit

import psutil
import psycopg

ROOT = Path(__file__).resolve().parents[2]
NAMES = Path(__file__).with_name("delegate-names.tsv")

# Targets of the issue, on the 2-core reference machine.
TARGET_RATIO = 1.0  # time per badge of the print job / time per badge of the reportlab baseline
TARGET_WALL_S = 15.0  # 1,000 badges in one PDF
TARGET_MEMORY_MIB = 512  # peak memory of the rendering process
TARGET_SINGLE_MS = 300  # one badge on demand from a warm worker


@dataclass
class Config:
    badges: int = int(os.environ.get("BENCH_BADGES", "1000"))
    singles: int = int(os.environ.get("BENCH_SINGLE_BADGES", "24"))  # badges rendered one by one
    one_process: bool = os.environ.get("BENCH_ONE_PROCESS", "1") != "0"  # also time the job on 1 process
    chunk_size: int | None = (
        int(os.environ["BENCH_CHUNK_SIZE"]) if os.environ.get("BENCH_CHUNK_SIZE") else None
    )
    server_url: str = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    database: str = os.environ.get("BENCH_DATABASE", "amf_bench_badges")


def say(text: str) -> None:
    print(f"==> {text}", flush=True)


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


# --- Database ------------------------------------------------------------------------------------------


def recreate_database(cfg: Config, *, create: bool) -> None:
    with psycopg.connect(cfg.server_url, autocommit=True, connect_timeout=5) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{cfg.database}" WITH (FORCE)')
        if create:
            server.execute(f'CREATE DATABASE "{cfg.database}"')


def configure_django(cfg: Config, workdir: Path) -> None:
    """Production's settings (bench/badges/settings.py) on the bench database; files in ``workdir``;
    no Redis: the task of ``print_job_start`` goes to the filesystem broker there, nobody consumes it
    (the job is run here, in-process, through the task's body)."""
    os.environ.pop("REDIS_URL", None)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.badges.settings",
            "AMF_ENV_FILE": "",
            "AMF_VAR_DIR": str(workdir / "var"),
            "MEDIA_ROOT": str(workdir / "media"),
            "DATABASE_URL": with_database(cfg.server_url, cfg.database),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "LOG_FORMAT": "text",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def seed(cfg: Config) -> int:
    """One forum, three categories, ``cfg.badges`` confirmed delegates (names cycled from every
    script of the sample file; every fourth a head of local government). Returns the forum's id."""
    from django.utils import timezone

    from delegates.checkin.tokens import new_checkin_token
    from delegates.enums import RegistrationStatus
    from delegates.models import DelegateCategory, Registration
    from events.enums import BadgeLayout, ForumStatus
    from events.models import Forum

    samples = [
        line.split("\t")
        for line in NAMES.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith(("#", "lang\t"))
    ]
    forum = Forum.objects.create(
        name="ASEAN Mayors Forum (benchmark)",
        slug="amf-bench-badges",
        host_city="Surabaya",
        country="ID",
        start_date=dt.date(2031, 10, 6),
        end_date=dt.date(2031, 10, 8),
        time_zone="Asia/Jakarta",
        status=ForumStatus.PUBLISHED,
        badge_layout=BadgeLayout.A6,
    )
    categories = [
        DelegateCategory.objects.create(
            forum=forum, name=name, slug=slug, protocol_rank=rank, badge_colour=colour
        )
        for name, slug, rank, colour in (
            ("Mayor / Governor", "mayor", 10, "#b91c1c"),
            ("City official", "official", 20, "#1d4ed8"),
            ("Partner organisation", "partner", 50, "#fde047"),
        )
    ]
    now = timezone.now()
    rows = []
    for n in range(cfg.badges):
        lang, _script, honorific, name, native, position, city, country = samples[n % len(samples)]
        given, _, family = name.partition(" ")
        rows.append(
            Registration(
                forum=forum,
                category=categories[n % len(categories)],
                status=RegistrationStatus.CONFIRMED,
                email=f"delegate{n}@city{n}.example.org",
                honorific=honorific,
                given_name=given,
                family_name=family,
                badge_name=name,
                native_name=native,
                native_name_lang=lang if native else "",
                position=position,
                is_head_of_local_government=n % 4 == 0,
                organisation=f"City of {city}",
                city=city,
                country=country,
                privacy_consent_at=now,
                checkin_token=new_checkin_token(),
            )
        )
    Registration.objects.bulk_create(rows, batch_size=500)
    return forum.pk


# --- Measuring -----------------------------------------------------------------------------------------


class PeakMemory(threading.Thread):
    """Samples the resident set size (RSS) of this process and of each of its children (the rendering
    processes) every 20 ms, and the proportional set size (PSS: pages shared after a fork are split
    between the processes sharing them, not counted twice) of all of them together every 0.5 s —
    reading PSS walks the page tables (about 2 ms a process), so it is sampled sparingly, not to slow
    down what it measures. Keeps the peaks."""

    def __init__(self):
        super().__init__(daemon=True)
        self.main_rss = self.child_rss = self.total_pss = 0
        self._done = threading.Event()

    def run(self) -> None:
        me = psutil.Process()
        ticks = 0
        while not self._done.wait(0.02):
            ticks += 1
            processes = [me, *me.children(recursive=True)]
            total = 0
            for process in processes:
                try:
                    rss = process.memory_info().rss
                    if ticks % 25 == 0:
                        total += process.memory_full_info().pss
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                if process.pid == me.pid:
                    self.main_rss = max(self.main_rss, rss)
                else:
                    self.child_rss = max(self.child_rss, rss)
            self.total_pss = max(self.total_pss, total)

    def stop(self) -> dict:
        self._done.set()
        self.join()
        return {
            "rss_main": self.main_rss / 2**20,
            "rss_child": self.child_rss / 2**20,
            "pss_total": self.total_pss / 2**20,
        }


class PhaseLog(logging.Handler):
    """Keeps the durations the print job logs when its badges are rendered and joined."""

    def __init__(self):
        super().__init__(level=logging.INFO)
        self.extra: dict = {}

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() == "print job rendered":
            self.extra = {key: getattr(record, key, 0.0) for key in ("render_seconds", "join_seconds")}


def _cpu_seconds(start: os.times_result, end: os.times_result) -> float:
    return (
        (end.user - start.user)
        + (end.system - start.system)
        + (end.children_user - start.children_user)
        + (end.children_system - start.children_system)
    )


def _page_texts(path: Path, pages: list[int]) -> dict[int, str]:
    texts = {}
    for page in pages:
        texts[page] = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), "-raw", str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
    return texts


def _check_order(path: Path, names: list[str], problems: list[str], what: str) -> None:
    """Pages 1, the middle and the last show the badge the job put there (first word of its name)."""
    pages = sorted({1, len(names) // 2, len(names)})
    for page, text in _page_texts(path, pages).items():
        expected = names[page - 1].split()[0]
        if expected not in text:
            problems.append(f"{what}: page {page} should show {names[page - 1]!r}")


def measure_job(cfg: Config, forum_id: int, processes: int | None, warm: bool) -> dict:
    """In a forked process: one print job of every badge, through the task's body. ``warm``: the
    process loaded WeasyPrint and the fonts beforehand (``render_warm_up``, untimed), as a worker does
    when it starts; otherwise the job pays for it."""
    from django.conf import settings
    from django.core.files.storage import default_storage
    from pypdf import PdfReader

    from delegates.enums import BadgeOrder, PrintJobStatus
    from delegates.models import PrintJob, Registration
    from delegates.printing.rendering import chunk_size, render_processes, render_warm_up
    from delegates.printing.runner import print_job_run
    from delegates.printing.services import print_job_start
    from events.enums import BadgeLayout
    from events.models import Forum

    if processes is not None:
        settings.BADGE_RENDER_PROCESSES = processes
    if cfg.chunk_size:
        settings.BADGE_PRINT_CHUNK_SIZE = cfg.chunk_size
    phases = PhaseLog()
    job_logger = logging.getLogger("delegates.printing.runner")
    job_logger.setLevel(logging.INFO)
    job_logger.propagate = False  # kept here, not printed
    job_logger.addHandler(phases)
    warm_up = 0.0
    if warm:
        started = time.perf_counter()
        render_warm_up()
        warm_up = time.perf_counter() - started
    forum = Forum.objects.get(pk=forum_id)
    memory = PeakMemory()
    memory.start()
    cpu_start, start = os.times(), time.perf_counter()
    job = print_job_start(
        forum=forum,
        registrations=Registration.objects.filter(forum=forum),
        order=BadgeOrder.PROTOCOL,
        layout=BadgeLayout.A6,
        actor=None,
    )
    print_job_run(job_id=job.pk)
    wall, cpu_end = time.perf_counter() - start, os.times()
    peaks = memory.stop()
    job = PrintJob.objects.get(pk=job.pk)
    problems = []
    if job.status != PrintJobStatus.DONE:
        problems.append(f"job {job.status}: {job.error}")
        return {"problems": problems}
    path = Path(default_storage.path(job.file.name))
    pages = len(PdfReader(path).pages)
    if pages != cfg.badges:
        problems.append(f"the job's PDF has {pages} pages, not {cfg.badges}")
    names = list(job.items.order_by("position").values_list("registration__badge_name", flat=True))
    _check_order(path, names, problems, "print job")
    return {
        "label": f"print job, {'warm' if warm else 'cold'} process, {render_processes()} rendering "
        f"process{'es' if render_processes() > 1 else ''}",
        "processes": render_processes(),
        "warm": warm,
        "warm_up": warm_up,
        "chunk": chunk_size(layout=BadgeLayout.A6),
        "render_seconds": phases.extra.get("render_seconds", 0.0),
        "join_seconds": phases.extra.get("join_seconds", 0.0),
        "wall": wall,
        "cpu": _cpu_seconds(cpu_start, cpu_end),
        "pages": pages,
        "size": path.stat().st_size,
        "problems": problems,
        **peaks,
    }


def measure_single(cfg: Config, forum_id: int) -> dict:
    """In a forked process: warm up as a worker does when it starts, then badges one at a time."""
    from delegates.badges.pdf import badge_pdf, badge_warm_up
    from delegates.badges.storage import badge_store
    from delegates.models import Registration

    start = time.perf_counter()
    badge_warm_up()
    warm_up = time.perf_counter() - start
    people = list(
        Registration.objects.filter(forum_id=forum_id)
        .select_related("forum", "category")
        .order_by("pk")[: cfg.singles]
    )
    render, store = [], []
    for registration in people:
        start = time.perf_counter()
        pdf = badge_pdf(registration=registration)
        render.append(time.perf_counter() - start)
        assert pdf.startswith(b"%PDF")
    for registration in people:
        start = time.perf_counter()
        badge_store(registration=registration)
        store.append(time.perf_counter() - start)
    scripts = sorted({r.native_name_lang or "latin" for r in people})
    return {"warm_up": warm_up, "render": render, "store": store, "scripts": scripts, "problems": []}


def measure_baseline(cfg: Config, forum_id: int, workdir: Path) -> dict:
    """In a forked process: the same badges, drawn the pretix way with reportlab."""
    from pypdf import PdfReader

    from bench.badges import baseline
    from delegates.badges.content import badge_content
    from delegates.enums import BadgeOrder
    from delegates.models import Registration
    from delegates.printing.ordering import badge_order_sort

    memory = PeakMemory()
    memory.start()
    cpu_start, start = os.times(), time.perf_counter()
    registrations = badge_order_sort(
        Registration.objects.filter(forum_id=forum_id).select_related("forum", "category"),
        order=BadgeOrder.PROTOCOL,
    )
    contents = [dataclasses.asdict(badge_content(registration=r)) for r in registrations]
    output = workdir / "baseline.pdf"
    baseline.render(contents, output)
    wall, cpu_end = time.perf_counter() - start, os.times()
    peaks = memory.stop()
    problems = []
    pages = len(PdfReader(output).pages)
    if pages != cfg.badges:
        problems.append(f"the baseline's PDF has {pages} pages, not {cfg.badges}")
    _check_order(output, [c["name"] for c in contents], problems, "baseline")
    return {
        "label": "reportlab baseline (pretix's way)",
        "processes": 1,
        "wall": wall,
        "cpu": _cpu_seconds(cpu_start, cpu_end),
        "pages": pages,
        "size": output.stat().st_size,
        "problems": problems,
        **peaks,
    }


def in_fork(function, *args) -> dict:
    """Run ``function`` in a process forked from this one (fresh peak-memory counters, no state
    carried from one measurement to the next) and return its result."""
    from django.db import connections

    connections.close_all()  # the child opens its own
    context = multiprocessing.get_context("fork")
    queue = context.Queue()

    def target():
        try:
            queue.put(function(*args))
        except BaseException:
            queue.put({"problems": [traceback.format_exc()]})

    process = context.Process(target=target)
    process.start()
    deadline = time.monotonic() + 1800
    while True:
        try:
            result = queue.get(timeout=1)
            break
        except Empty:
            if not process.is_alive() or time.monotonic() > deadline:
                process.kill()
                result = {"problems": [f"{function.__name__} died (exit code {process.exitcode})"]}
                break
    process.join(timeout=60)
    return result


# --- Report --------------------------------------------------------------------------------------------


def machine() -> str:
    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    from importlib.metadata import version

    return (
        f"{os.cpu_count()} cores ({model}), {psutil.virtual_memory().total / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}, WeasyPrint {version('weasyprint')}, "
        f"reportlab {version('reportlab')}, pypdf {version('pypdf')}, {dt.date.today().isoformat()}"
    )


def row(label: str, values: list[str]) -> str:
    return f"| {label} | " + " | ".join(values) + " |"


def report(cfg: Config, jobs: list[dict], base: dict, single: dict, load: tuple[float, float]) -> list[str]:
    """Prints the figures as a Markdown table (for bench/README.md); returns the targets missed."""
    columns = [*jobs, base]
    per_badge = [c["wall"] / cfg.badges * 1000 for c in columns]
    lines = [
        f"Machine: {machine()}; load average {load[0]:.2f} before, {load[1]:.2f} after",
        "",
        row("", [c["label"] for c in columns]),
        row("---", ["---:"] * len(columns)),
        row("badges (pages)", [str(c["pages"]) for c in columns]),
        row("wall time", [f"{c['wall']:.2f} s" for c in columns]),
        row("time per badge (wall)", [f"{v:.2f} ms" for v in per_badge]),
        row("ratio to the baseline", [f"{v / per_badge[-1]:.2f}" for v in per_badge]),
        row(
            "CPU time per badge (all processes)", [f"{c['cpu'] / cfg.badges * 1000:.2f} ms" for c in columns]
        ),
        row("peak RSS, main process", [f"{c['rss_main']:.0f} MiB" for c in columns]),
        row(
            "peak RSS, largest rendering process",
            [f"{c['rss_child']:.0f} MiB" if c["rss_child"] else "—" for c in columns],
        ),
        row("peak PSS, all processes together", [f"{c['pss_total']:.0f} MiB" for c in columns]),
        row("PDF size", [f"{c['size'] / 2**20:.1f} MiB" for c in columns]),
        row(
            "of which: rendering / joining the chunks",
            [f"{c['render_seconds']:.2f} s / {c['join_seconds']:.2f} s" for c in jobs] + ["—"],
        ),
        row("badges per chunk", [str(c["chunk"]) for c in jobs] + ["—"]),
        row(
            "warm-up before the job (not in its time)",
            [f"{c['warm_up']:.2f} s" if c["warm"] else "— (in its time)" for c in jobs] + ["—"],
        ),
    ]
    render_ms = sorted(v * 1000 for v in single["render"])
    store_ms = sorted(v * 1000 for v in single["store"])
    scripts = ", ".join(single["scripts"])
    slowest_single = max(store_ms[-1], render_ms[-1])
    lines += [
        "",
        f"One badge on demand, warm process ({len(render_ms)} delegates, scripts: {scripts}; "
        f"warm-up {single['warm_up'] * 1000:.0f} ms once per process):",
        f"- `badge_pdf` (render): median {statistics.median(render_ms):.0f} ms, max {render_ms[-1]:.0f} ms",
        f"- `badge_store` (render and store): median {statistics.median(store_ms):.0f} ms, "
        f"max {store_ms[-1]:.0f} ms",
    ]
    for line in lines:
        print(line)
    checks = []
    for job, time_per_badge in zip(jobs, per_badge, strict=False):
        if job["processes"] != jobs[0]["processes"]:
            continue  # the one-process run is for comparison
        ratio = time_per_badge / per_badge[-1]
        checks.append(
            (f"{job['label']}: ratio to the baseline {ratio:.2f} ≤ {TARGET_RATIO}", ratio <= TARGET_RATIO)
        )
        limit = TARGET_WALL_S * cfg.badges / 1000
        checks.append(
            (
                f"{job['label']}: {cfg.badges} badges in {job['wall']:.1f} s < {limit:.0f} s",
                job["wall"] < limit,
            )
        )
    peak = max(max(job["rss_main"], job["rss_child"]) for job in jobs)
    checks += [
        (
            f"peak memory of a rendering process {peak:.0f} MiB < {TARGET_MEMORY_MIB} MiB",
            peak < TARGET_MEMORY_MIB,
        ),
        (
            f"one badge from a warm process, max {slowest_single:.0f} ms < {TARGET_SINGLE_MS} ms",
            slowest_single < TARGET_SINGLE_MS,
        ),
    ]
    print()
    missed = []
    for text, ok in checks:
        print(f"{'PASS' if ok else 'MISS'}  {text}")
        if not ok:
            missed.append(text)
    return missed


def main() -> int:
    cfg = Config()
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    load = os.getloadavg()[0]
    if load > 0.5:
        say(f"warning: load average {load:.2f}; run on an otherwise idle machine for figures to record")
    workdir = Path(tempfile.mkdtemp(prefix="amf-bench-badges-"))
    say(f"database {cfg.database} (created here, dropped at the end); files in {workdir}")
    recreate_database(cfg, create=True)
    try:
        configure_django(cfg, workdir)
        forum_id = seed(cfg)
        say(f"{cfg.badges} confirmed delegates; the print job in a cold process (a worker's first job)")
        jobs = [in_fork(measure_job, cfg, forum_id, None, False)]  # None: the default, one process per core
        say("the print job in a warm process (warmed up when the worker started)")
        jobs.append(in_fork(measure_job, cfg, forum_id, None, True))
        if cfg.one_process:
            say("the print job in a warm process with one rendering process")
            jobs.append(in_fork(measure_job, cfg, forum_id, 1, True))
        say("one badge at a time from a warm process")
        single = in_fork(measure_single, cfg, forum_id)
        say("the reportlab baseline")
        base = in_fork(measure_baseline, cfg, forum_id, workdir)
        problems = [p for result in (*jobs, single, base) for p in result["problems"]]
        if problems:
            for problem in problems:
                print(f"FAIL  {problem}")
            return 1
        missed = report(cfg, jobs, base, single, (load, os.getloadavg()[0]))
        return 2 if missed else 0
    finally:
        from django.db import connections

        connections.close_all()
        recreate_database(cfg, create=False)
        shutil.rmtree(workdir, ignore_errors=True)
        say(f"database {cfg.database} dropped")


if __name__ == "__main__":
    sys.exit(main())
