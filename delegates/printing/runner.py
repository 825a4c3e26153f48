"""Running a print job in the worker: one runner at a time, progress committed as chunks complete,
the joined PDF stored, and the job DONE with its file in one transaction (the body of
``delegates.run_print_job``).

- One runner at a time: the runner holds a PostgreSQL advisory lock on the job for as long as it runs.
  The lock dies with the runner's database connection, so a worker killed in the middle of a job leaves
  a RUNNING job nobody holds: a redelivered task (acks_late) takes it over, and staff may restart it.
  A task delivered twice, or a restart while the job runs, finds the lock taken and does nothing.
- Heartbeat: the running job writes ``heartbeat_at`` with its progress, at least every
  PRINT_JOB_HEARTBEAT_SECONDS. A whole worker killed leaves its task unacknowledged at the broker for
  up to its visibility timeout (an hour); beat's sweep (``services.print_job_sweep``) notices the late
  heartbeat and hands the job to another worker within PRINT_JOB_STALE_SECONDS and a sweep's interval.
- Files: rendered in a folder of this run inside the private render folder (``badges.workspace``),
  removed when the run ends, well or not; a run first removes what earlier runs of the job left.
- Rendering (``rendering.py``): chunks of badges (a multiple of four, so A4 sheets stay full)
  rendered by processes forked one per core. The chunk PDFs are joined with pypdf and saved under an
  unguessable name, ``print-jobs/<public_id>.pdf``.
"""

import contextlib
import logging
import time
from collections.abc import Iterator
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..badges.content import badge_fingerprint
from ..badges.printable import UnprintableBadge, describe_unprintable
from ..badges.workspace import render_workspace, render_workspace_clean
from ..checkin.tokens import checkin_token_issue
from ..enums import ACTIVE_PRINT_JOB_STATUSES as ACTIVE
from ..enums import PrintJobStatus, RegistrationStatus
from ..models import PrintJob, PrintJobItem, Registration
from . import rendering
from .selectors import badges_that_cannot_print

logger = logging.getLogger(__name__)

# A job interrupted this many times (its worker killed each time) is not tried again by itself.
MAX_ATTEMPTS = 3
# Key of the runner's advisory lock: pg_try_advisory_lock(ADVISORY_NAMESPACE, job id). "AMFP".
ADVISORY_NAMESPACE = 0x414D4650


def _lock_key(job_id: int) -> int:
    return job_id & 0x7FFFFFFF  # the two-key form of the advisory lock takes 32-bit integers


def runner_alive(*, job_id: int) -> bool | None:
    """Whether some process holds the job's runner lock now (None where the database cannot tell)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = %s::bigint::oid AND objid = %s::bigint::oid AND objsubid = 2)",
            [ADVISORY_NAMESPACE, _lock_key(job_id)],
        )
        return cursor.fetchone()[0]


@contextlib.contextmanager
def _runner_lock(job_id: int) -> Iterator[bool]:
    """Hold the job's advisory lock (session level: it outlives transactions, dies with the
    connection). Yields whether it was granted; never waits."""
    if connection.vendor != "postgresql":
        yield True  # the embedded SQLite demo runs one worker
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [ADVISORY_NAMESPACE, _lock_key(job_id)])
        granted = cursor.fetchone()[0]
    try:
        yield granted
    finally:
        if granted and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [ADVISORY_NAMESPACE, _lock_key(job_id)])


def _claim(job_id: int, *, runner: str = "") -> PrintJob | None:
    """QUEUED, or RUNNING left by a runner that died → RUNNING, one more attempt. Registrations no
    longer confirmed leave the job. None when there is nothing to do."""
    with transaction.atomic():
        job = PrintJob.objects.select_for_update().select_related("forum").filter(pk=job_id).first()
        if job is None:
            logger.warning("print job %s does not exist", job_id)
            return None
        if job.status not in ACTIVE:
            return None
        job.attempts += 1
        job.done = 0
        now = timezone.now()
        if job.attempts > MAX_ATTEMPTS:
            job.status = PrintJobStatus.FAILED
            job.error = _(
                "The worker rendering this job stopped %(count)d times before it finished (it may have "
                "run out of memory). Please restart the job; if it stops again, print fewer badges at a "
                "time."
            ) % {"count": MAX_ATTEMPTS}
            job.finished_at = now
            job.save(update_fields=["status", "attempts", "done", "error", "finished_at"])
            logger.error("print job interrupted too often", extra={"print_job": job.pk})
            return None
        gone = job.items.exclude(registration__status=RegistrationStatus.CONFIRMED)
        gone.delete()
        job.total = job.items.count()
        if not job.total:
            job.status = PrintJobStatus.FAILED
            job.error = _("None of the badges of this job is for a confirmed registration any more.")
            job.finished_at = now
            job.save(update_fields=["status", "attempts", "done", "total", "error", "finished_at"])
            return None
        job.status = PrintJobStatus.RUNNING
        job.started_at = job.heartbeat_at = now
        job.runner = runner[:200]
        job.finished_at = None
        job.error = ""
        job.save(
            update_fields=[
                *("status", "attempts", "done", "total", "started_at", "heartbeat_at", "runner"),
                *("finished_at", "error"),
            ]
        )
        return job


def _workspace_prefix(job_id: int) -> str:
    return f"print-job-{job_id}-"


def print_job_run(*, job_id: int, runner: str = "") -> bool:
    """Render the job's badges into one PDF and finish the job (the body of ``run_print_job``).

    Idempotent: a DONE or FAILED job, or one another runner holds, is left alone (returns False).
    Takes the job's runner lock, claims it (see ``_claim``; ``runner`` names the worker process, shown
    to staff), renders chunk after chunk in a private folder while committing progress and the
    heartbeat, saves the joined PDF to storage, then marks the job DONE with its file in one
    transaction. Any error marks the job FAILED with a friendly message (returns False)."""
    with _runner_lock(job_id) as granted:
        if not granted:
            logger.info("print job %s is being run by another worker", job_id)
            return False
        job = _claim(job_id, runner=runner)
        if job is None:
            return False
        attempt = job.attempts
        logger.info("print job running", extra={"print_job": job.pk, "attempt": attempt, "badges": job.total})
        try:
            # What an earlier run of this job left (its worker was killed): nobody holds it any more.
            render_workspace_clean(prefix=_workspace_prefix(job.pk))
            with render_workspace(prefix=_workspace_prefix(job.pk)) as workdir:
                joined = _render(job, attempt=attempt, workdir=workdir)
                if joined is None:
                    return False  # restarted meanwhile: the new run owns the job
                return _finish(job, attempt=attempt, path=joined)
        except Exception as error:  # every failure ends as FAILED, with a message staff can act on
            _fail(job, attempt=attempt, error=error)
            return False


class UnprintableBadges(Exception):
    """Badges of the job would print empty boxes or reordered text: ``badges`` lists each registration
    with what is wrong with its badge."""

    def __init__(self, badges: list[UnprintableBadge]):
        super().__init__(f"{len(badges)} badges cannot be printed")
        self.badges = badges


def _fail(job: PrintJob, *, attempt: int, error: Exception) -> None:
    if isinstance(error, UnprintableBadges):
        message = _(
            "These badges cannot be printed as they are: %(badges)s. Correct the registrations and "
            "restart the job, or start a new print job, which leaves them out."
        ) % {"badges": describe_unprintable(error.badges)}
    elif isinstance(error, SoftTimeLimitExceeded):
        message = _(
            "Rendering took longer than allowed and was stopped. Please restart the job, or print fewer "
            "badges at a time."
        )
    elif isinstance(error, rendering.RenderProcessFailed) and not error.cause:
        message = _(
            "A rendering process stopped unexpectedly (it may have run out of memory). Please restart "
            "the job, or print fewer badges at a time."
        )
    else:
        cause = error.cause if isinstance(error, rendering.RenderProcessFailed) else type(error).__name__
        message = _(
            "The badges could not be rendered (%(error)s). Please restart the job; if it fails again, "
            "contact the technical team."
        ) % {"error": cause}
    logger.exception("print job failed", extra={"print_job": job.pk, "attempt": attempt})
    PrintJob.objects.filter(pk=job.pk, status=PrintJobStatus.RUNNING, attempts=attempt).update(
        status=PrintJobStatus.FAILED, error=message, finished_at=timezone.now()
    )


class _Progress:
    """Commits the job's progress and heartbeat (autocommit: the admin and the sweep see them at once):
    called with the badges done so far, as often as the renderer likes; writes when that number grew,
    or when the heartbeat is due (PRINT_JOB_HEARTBEAT_SECONDS). Returns False if the job was taken
    away (restarted, or handed to another worker)."""

    def __init__(self, job: PrintJob, *, attempt: int):
        self.job_id, self.attempt = job.pk, attempt
        self.done = 0
        self.beaten = time.monotonic()
        self.every = float(settings.PRINT_JOB_HEARTBEAT_SECONDS)

    def __call__(self, done: int) -> bool:
        now = time.monotonic()
        if done == self.done and now - self.beaten < self.every:
            return True
        job = PrintJob.objects.filter(pk=self.job_id, status=PrintJobStatus.RUNNING, attempts=self.attempt)
        fields = {"done": done} if done != self.done else {}
        self.done, self.beaten = done, now
        return bool(job.update(**fields, heartbeat_at=timezone.now()))


def _chunks(job: PrintJob) -> list[rendering.Chunk]:
    """The job's registrations, in print order, loaded with what their badge shows, in chunks; each
    item records the fingerprint of what its badge prints (read in the same query as the badge's
    content, so it describes exactly what is rendered). Raises UnprintableBadges when a badge would
    print empty boxes or reordered text (changed since the job was started)."""
    items = list(job.items.order_by("position"))
    for registration in Registration.objects.filter(
        pk__in=[item.registration_id for item in items], checkin_token__isnull=True
    ):  # confirmed before tokens existed: the badge needs one
        checkin_token_issue(registration=registration)
    by_id = {
        registration.pk: registration
        for registration in Registration.objects.filter(pk__in=[item.registration_id for item in items])
        .select_related("forum", "category")
        .annotate(fingerprint=badge_fingerprint())
    }
    unprintable = badges_that_cannot_print(by_id.values())
    if unprintable:
        raise UnprintableBadges(unprintable)
    for item in items:
        item.printed_fingerprint = by_id[item.registration_id].fingerprint
    PrintJobItem.objects.bulk_update(items, ["printed_fingerprint"])
    ordered = [by_id[item.registration_id] for item in items]
    size = rendering.chunk_size(layout=job.layout)
    return [
        rendering.Chunk(index=n, registrations=ordered[start : start + size])
        for n, start in enumerate(range(0, len(ordered), size))
    ]


def _render(job: PrintJob, *, attempt: int, workdir: Path) -> Path | None:
    """Render every chunk, committing progress as chunks complete; then join them in order. Returns
    the joined PDF, or None if the job was taken away meanwhile."""
    started = time.monotonic()
    chunks = _chunks(job)
    processes = min(rendering.render_processes(), len(chunks))
    progress = _Progress(job, attempt=attempt)
    if processes > 1:
        if not rendering.render_in_processes(
            chunks, processes=processes, layout=job.layout, workdir=workdir, on_progress=progress
        ):
            return None
    else:
        done = 0
        for chunk in chunks:
            rendering.render_chunk(chunk, layout=job.layout, workdir=workdir)
            done += len(chunk.registrations)
            if not progress(done):
                return None
    rendered = time.monotonic()
    if not progress(job.total):  # joining and storing a large job take a while: a heartbeat if due
        return None
    joined = rendering.join_chunks(
        [rendering.chunk_path(workdir, chunk.index) for chunk in chunks],
        output=workdir / "badges.pdf",
        pages=rendering.expected_pages(
            layout=job.layout, count=job.total, chunk=rendering.chunk_size(layout=job.layout)
        ),
        title=f"Badges — {job.forum.name}",
    )
    logger.info(
        "print job rendered",
        extra={
            "print_job": job.pk,
            "processes": processes,
            "chunks": len(chunks),
            "render_seconds": round(rendered - started, 3),
            "join_seconds": round(time.monotonic() - rendered, 3),
        },
    )
    return joined


def _finish(job: PrintJob, *, attempt: int, path: Path) -> bool:
    """Store the complete PDF, then mark the job DONE with it in one transaction. A file left by an
    earlier attempt that died before this point is replaced, not duplicated."""
    storage = job.file.storage
    name = f"print-jobs/{job.public_id}.pdf"
    if storage.exists(name):
        storage.delete(name)
    with path.open("rb") as handle:
        saved = storage.save(name, File(handle, name=name))
    with transaction.atomic():
        locked = PrintJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != PrintJobStatus.RUNNING or locked.attempts != attempt:
            return False
        locked.file.name = saved
        locked.status = PrintJobStatus.DONE
        locked.done = locked.total
        locked.finished_at = timezone.now()
        locked.save(update_fields=["file", "status", "done", "finished_at"])
    logger.info("print job done", extra={"print_job": job.pk, "badges": locked.total})
    return True
