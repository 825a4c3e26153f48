"""Bulk printing of badges: an organiser selects confirmed registrations, a background task renders
their badges into one PDF in the chosen order, and the organiser downloads it.

- One job per selection at a time: ``dedupe_key`` names the forum, layout, order and registrations,
  and a partial unique constraint allows one QUEUED or RUNNING job per key. Two organisers starting the
  same job at once get the same job.
- States: QUEUED → RUNNING → DONE or FAILED. A job is DONE only together with its complete file (one
  transaction); until then no file is offered. A failed job keeps a friendly message and can be
  restarted.
- One runner at a time: the runner holds a PostgreSQL advisory lock on the job for as long as it runs.
  The lock dies with the runner's database connection, so a worker killed in the middle of a job leaves
  a RUNNING job nobody holds: a redelivered task (acks_late) takes it over, and staff may restart it.
  A task delivered twice, or a restart while the job runs, finds the lock taken and does nothing.
- Rendering (``print_rendering.py``): chunks of badges (a multiple of four, so A4 sheets stay full)
  rendered by processes forked one per core; progress (``done``) is committed as chunks complete. The
  chunk PDFs are joined with pypdf and saved under an unguessable name, ``print-jobs/<public_id>.pdf``.
- Printed badges are the items of DONE jobs: "not yet printed" is a confirmed registration without one.
"""

import contextlib
import functools
import hashlib
import logging
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events.enums import BadgeLayout
from events.models import Forum

from ..enums import BadgeOrder, PrintJobStatus, RegistrationStatus
from ..models import PrintJob, PrintJobItem, Registration
from . import badges
from . import print_rendering as rendering

logger = logging.getLogger(__name__)

ACTIVE = (PrintJobStatus.QUEUED, PrintJobStatus.RUNNING)
# A job interrupted this many times (its worker killed each time) is not tried again by itself.
MAX_ATTEMPTS = 3
# Key of the runner's advisory lock: pg_try_advisory_lock(ADVISORY_NAMESPACE, job id). "AMFP".
ADVISORY_NAMESPACE = 0x414D4650


class PrintJobError(Exception):
    """A rule stops this action; ``str(error)`` is a friendly, translated message for staff."""


# --- Order of the badges -------------------------------------------------------------------------------


# Latin letters that Unicode does not decompose into a base letter and a mark.
_UNDECOMPOSED = str.maketrans(
    {"đ": "d", "ø": "o", "ł": "l", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"}
)


def collation_key(text: str) -> str:
    """Compare names as people read them: case and accents aside ("Ngô" beside "Ngo", "Đà Nẵng"
    beside "Da Nang", "ÉLISE" beside "elise"). Scripts without case sort by code point, which keeps
    each script together."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.translate(_UNDECOMPOSED).strip()


def _name(registration: Registration) -> tuple[str, str]:
    # The name as printed, then the exact text, so that names equal but for accents keep one order.
    return collation_key(registration.badge_name), registration.badge_name


def _by_category_name(registration: Registration) -> tuple:
    category = registration.category
    return (collation_key(category.name), category.pk, *_name(registration), registration.pk)


def _by_country_city_name(registration: Registration) -> tuple:
    return (
        collation_key(str(registration.country.name)),
        collation_key(registration.city),
        *_name(registration),
        registration.pk,
    )


def _by_protocol(registration: Registration) -> tuple:
    category = registration.category
    return (
        category.protocol_rank,
        collation_key(category.name),  # categories of equal rank do not interleave
        category.pk,
        not registration.is_head_of_local_government,  # heads of local government first
        collation_key(registration.family_name or registration.badge_name),
        *_name(registration),
        registration.pk,
    )


SORT_KEYS: dict[str, Callable[[Registration], tuple]] = {
    BadgeOrder.CATEGORY_NAME: _by_category_name,
    BadgeOrder.COUNTRY_CITY_NAME: _by_country_city_name,
    BadgeOrder.PROTOCOL: _by_protocol,
}


def badge_order_sort(registrations: Iterable[Registration], *, order: str) -> list[Registration]:
    """The registrations in print order (see ``BadgeOrder``); they need their category loaded. Sorted
    in Python with ``collation_key`` rather than by the database, whose collation depends on how the
    server was set up. Country names are compared in the active language."""
    return sorted(registrations, key=SORT_KEYS[order])


# --- Reads ---------------------------------------------------------------------------------------------


def printed_badge_exists() -> Exists:
    """For ``Registration`` querysets: the registration's badge is in a DONE print job."""
    return Exists(PrintJobItem.objects.filter(registration=OuterRef("pk"), job__status=PrintJobStatus.DONE))


def registrations_not_yet_printed(*, forum: Forum) -> QuerySet[Registration]:
    """Confirmed registrations of the forum whose badge no finished print job holds."""
    return Registration.objects.filter(forum=forum, status=RegistrationStatus.CONFIRMED).filter(
        ~printed_badge_exists()
    )


def print_job_progress_text(*, job: PrintJob) -> str:
    """ "37 of 200 badges", as the progress page says it."""
    done = job.total if job.status == PrintJobStatus.DONE else min(job.done, job.total)
    return ngettext("%(done)d of %(total)d badge", "%(done)d of %(total)d badges", job.total) % {
        "done": done,
        "total": job.total,
    }


# --- Start ---------------------------------------------------------------------------------------------


def _selected_ids(registrations: QuerySet[Registration] | Iterable[int]) -> QuerySet | list[int]:
    if isinstance(registrations, QuerySet):
        return registrations.order_by().values("pk")
    return [int(pk) for pk in registrations]


def dedupe_key(*, forum_id: int, layout: str, order: str, registration_ids: Iterable[int]) -> str:
    ids = ",".join(str(pk) for pk in sorted(set(registration_ids)))
    return hashlib.sha256(f"{forum_id}|{layout}|{order}|{ids}".encode()).hexdigest()


def _active_job(key: str) -> PrintJob | None:
    return PrintJob.objects.filter(dedupe_key=key, status__in=ACTIVE).first()


def print_job_start(
    *,
    forum: Forum,
    registrations: QuerySet[Registration] | Iterable[int],
    order: str,
    layout: str | None = None,
    actor: AbstractBaseUser | None,
) -> PrintJob:
    """Start printing the badges of ``registrations`` (a queryset or ids): only the CONFIRMED
    registrations of ``forum`` among them, in ``order``, in ``layout`` (default: the forum's).

    Writes the job and its items (the badges in print order) and enqueues ``delegates.run_print_job``
    after commit. If the same selection is already queued or running, returns that job instead
    (``job.is_new`` is False) — also when another organiser starts it at the same moment: the
    database's unique constraint decides, and the loser returns the winner's job. Raises
    PrintJobError when nothing printable is selected."""
    if order not in BadgeOrder.values:
        raise PrintJobError(_("Please choose an order for the badges."))
    layout = layout or forum.badge_layout
    if layout not in BadgeLayout.values:
        raise PrintJobError(_("Please choose a badge layout."))
    selected = list(
        Registration.objects.filter(
            forum=forum, status=RegistrationStatus.CONFIRMED, pk__in=_selected_ids(registrations)
        ).select_related("category")
    )
    if not selected:
        raise PrintJobError(
            _("None of the selected registrations is a confirmed registration of this forum.")
        )
    ordered = badge_order_sort(selected, order=order)
    key = dedupe_key(forum_id=forum.pk, layout=layout, order=order, registration_ids=[r.pk for r in ordered])
    existing = _active_job(key)
    if existing is not None:
        existing.is_new = False
        return existing
    try:
        with transaction.atomic():
            job = PrintJob.objects.create(
                forum=forum,
                created_by=actor,
                layout=layout,
                order=order,
                dedupe_key=key,
                total=len(ordered),
            )
            PrintJobItem.objects.bulk_create(
                PrintJobItem(job=job, registration_id=registration.pk, position=position)
                for position, registration in enumerate(ordered, start=1)
            )
            enqueue_on_commit(job_id=job.pk)
    except IntegrityError:
        # Another organiser's identical job committed between our check and our insert.
        existing = _active_job(key)
        if existing is None:
            raise
        existing.is_new = False
        return existing
    job.is_new = True
    logger.info("print job started", extra={"print_job": job.pk, "badges": job.total})
    return job


def enqueue_on_commit(*, job_id: int) -> None:
    """Hand the job to the broker once the transaction commits (at once outside a transaction)."""
    transaction.on_commit(functools.partial(enqueue_run, job_id=job_id), robust=True)


def enqueue_run(*, job_id: int) -> bool:
    """Publish ``delegates.run_print_job``. With the broker down the job is marked FAILED at once with
    a message saying so, for the organiser to restart it later — not left queued forever."""
    from ..tasks import run_print_job

    try:
        run_print_job.apply_async(args=[job_id], retry=False)
    except Exception:  # kombu raises several types for an unreachable broker; none must reach the user
        logger.warning("broker unavailable; print job %s marked failed", job_id)
        PrintJob.objects.filter(pk=job_id, status=PrintJobStatus.QUEUED).update(
            status=PrintJobStatus.FAILED,
            error=_(
                "The background worker could not be reached, so the badges were not rendered. "
                "Please restart the job in a moment."
            ),
            finished_at=timezone.now(),
        )
        return False
    return True


# --- Restart -------------------------------------------------------------------------------------------


def _hard_time_limit() -> timedelta:
    from ..tasks import run_print_job

    return timedelta(seconds=run_print_job.time_limit or settings.CELERY_TASK_TIME_LIMIT)


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


def print_job_can_restart(*, job: PrintJob, now=None) -> bool:
    """FAILED jobs; RUNNING jobs whose runner is gone (killed worker: nobody holds the lock, or, where
    locks cannot be seen, running longer than the task's hard time limit); QUEUED jobs waiting longer
    than that limit (their message was lost)."""
    now = now or timezone.now()
    if job.status == PrintJobStatus.FAILED:
        return True
    if job.status == PrintJobStatus.RUNNING:
        alive = runner_alive(job_id=job.pk)
        if alive is not None:
            return not alive
        return job.started_at is not None and job.started_at < now - _hard_time_limit()
    if job.status == PrintJobStatus.QUEUED:
        return job.created_at < now - _hard_time_limit()
    return False


def print_job_restart(*, job: PrintJob, actor: AbstractBaseUser | None) -> PrintJob:
    """Put a failed or stale job back in the queue (progress and attempts reset) and enqueue it after
    commit. If an identical job is active meanwhile, returns that one instead. Raises PrintJobError
    when the job is done or still running."""
    try:
        with transaction.atomic():
            locked = PrintJob.objects.select_for_update().get(pk=job.pk)
            if not print_job_can_restart(job=locked):
                if locked.status == PrintJobStatus.DONE:
                    raise PrintJobError(_("This print job is finished; start a new one to print again."))
                raise PrintJobError(_("This print job is still running; it cannot be restarted now."))
            locked.status = PrintJobStatus.QUEUED
            locked.done = 0
            locked.attempts = 0
            locked.error = ""
            locked.started_at = None
            locked.finished_at = None
            locked.save(update_fields=["status", "done", "attempts", "error", "started_at", "finished_at"])
            enqueue_on_commit(job_id=locked.pk)
    except IntegrityError:
        existing = _active_job(job.dedupe_key)
        if existing is None:
            raise
        return existing
    logger.info("print job restarted", extra={"print_job": job.pk, "actor": getattr(actor, "pk", None)})
    return locked


def print_job_delete(*, job: PrintJob) -> None:
    """Delete a finished or failed job and its PDF (personal data: not kept longer than needed). Its
    badges then count as not yet printed."""
    if job.status in ACTIVE and not print_job_can_restart(job=job):
        raise PrintJobError(_("This print job is still running; it cannot be deleted now."))
    name = job.file.name
    job.delete()
    if name:
        transaction.on_commit(functools.partial(job.file.storage.delete, name), robust=True)


# --- Run -----------------------------------------------------------------------------------------------


def _lock_key(job_id: int) -> int:
    return job_id & 0x7FFFFFFF  # the two-key form of the advisory lock takes 32-bit integers


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


def _claim(job_id: int) -> PrintJob | None:
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
        job.started_at = now
        job.finished_at = None
        job.error = ""
        job.save(update_fields=["status", "attempts", "done", "total", "started_at", "finished_at", "error"])
        return job


def print_job_run(*, job_id: int) -> bool:
    """Render the job's badges into one PDF and finish the job (the body of ``run_print_job``).

    Idempotent: a DONE or FAILED job, or one another runner holds, is left alone (returns False).
    Takes the job's runner lock, claims it (see ``_claim``), renders chunk after chunk while
    committing progress, saves the joined PDF to storage, then marks the job DONE with its file in
    one transaction. Any error marks the job FAILED with a friendly message (returns False)."""
    with _runner_lock(job_id) as granted:
        if not granted:
            logger.info("print job %s is being run by another worker", job_id)
            return False
        job = _claim(job_id)
        if job is None:
            return False
        attempt = job.attempts
        logger.info("print job running", extra={"print_job": job.pk, "attempt": attempt, "badges": job.total})
        try:
            with tempfile.TemporaryDirectory(prefix=f"amf-print-job-{job.pk}-") as workdir:
                joined = _render(job, attempt=attempt, workdir=Path(workdir))
                if joined is None:
                    return False  # restarted meanwhile: the new run owns the job
                return _finish(job, attempt=attempt, path=joined)
        except Exception as error:  # every failure ends as FAILED, with a message staff can act on
            _fail(job, attempt=attempt, error=error)
            return False


def _fail(job: PrintJob, *, attempt: int, error: Exception) -> None:
    if isinstance(error, SoftTimeLimitExceeded):
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


def _progress(job: PrintJob, done: int, *, attempt: int) -> bool:
    """Commit progress (autocommit: the admin sees it at once). False if the job was taken away."""
    return bool(
        PrintJob.objects.filter(pk=job.pk, status=PrintJobStatus.RUNNING, attempts=attempt).update(done=done)
    )


def _chunks(job: PrintJob) -> list[rendering.Chunk]:
    """The job's registrations, in print order, loaded with what their badge shows, in chunks."""
    ids = list(job.items.order_by("position").values_list("registration_id", flat=True))
    by_id = {
        registration.pk: registration
        for registration in Registration.objects.filter(pk__in=ids).select_related("forum", "category")
    }
    for registration in by_id.values():
        if not registration.checkin_token:  # confirmed before tokens existed: the badge needs one
            badges.checkin_token_issue(registration=registration)
    ordered = [by_id[pk] for pk in ids]
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
    progress = functools.partial(_progress, job, attempt=attempt)
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
