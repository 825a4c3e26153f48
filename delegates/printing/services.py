"""Bulk printing of badges: an organiser selects confirmed registrations, a background task renders
their badges into one PDF in the chosen order (``runner.py``), and the organiser downloads it.

- One job per selection at a time: ``dedupe_key`` names the forum, layout, order and registrations,
  and a partial unique constraint allows one QUEUED or RUNNING job per key. Two organisers starting the
  same job at once get the same job.
- States: QUEUED → RUNNING → DONE or FAILED. A job is DONE only together with its complete file (one
  transaction); until then no file is offered. A failed job keeps a friendly message and can be
  restarted.
- Printed badges are the items of DONE jobs: "not yet printed" is a confirmed registration without one.
- A job whose worker is gone (killed whole: its task stays unacknowledged at the broker for up to an
  hour) is found by beat's ``print_job_sweep`` from its late heartbeat and handed to another worker,
  which runs it again from the start; after ``runner.MAX_ATTEMPTS`` interruptions it fails with a
  message saying so. No staff action is needed.
"""

import functools
import hashlib
import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events.enums import BadgeLayout
from events.models import Forum

from .. import background
from ..badges.printable import describe_unprintable
from ..enums import ACTIVE_PRINT_JOB_STATUSES as ACTIVE
from ..enums import BadgeOrder, PrintJobStatus, RegistrationStatus
from ..models import PrintJob, PrintJobItem, Registration
from .ordering import badge_order_sort
from .runner import runner_alive
from .selectors import badges_that_cannot_print

logger = logging.getLogger(__name__)


class PrintJobError(Exception):
    """A rule stops this action; ``str(error)`` is a friendly, translated message for staff."""


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
    registrations of ``forum`` among them, in ``order``, in ``layout`` (default: the forum's). A badge
    that cannot print as it is (characters no font of the badge has, direction controls, a name of
    invisible characters) is left out: ``job.left_out`` lists them with what is wrong, for the caller
    to say so.

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
    confirmed = list(
        Registration.objects.filter(
            forum=forum, status=RegistrationStatus.CONFIRMED, pk__in=_selected_ids(registrations)
        ).select_related("category")
    )
    if not confirmed:
        raise PrintJobError(
            _("None of the selected registrations is a confirmed registration of this forum.")
        )
    for registration in confirmed:
        registration.forum = forum  # what the badge prints of the forum: no query per badge
    left_out = badges_that_cannot_print(confirmed)
    unprintable = {badge.registration.pk for badge in left_out}
    selected = [registration for registration in confirmed if registration.pk not in unprintable]
    if not selected:
        raise PrintJobError(
            ngettext(
                "The selected badge cannot be printed as it is: %(badges)s.",
                "None of the selected badges can be printed as they are: %(badges)s.",
                len(left_out),
            )
            % {"badges": describe_unprintable(left_out)}
        )
    ordered = badge_order_sort(selected, order=order)
    key = dedupe_key(forum_id=forum.pk, layout=layout, order=order, registration_ids=[r.pk for r in ordered])
    existing = _active_job(key)
    if existing is not None:
        existing.is_new, existing.left_out = False, left_out
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
        existing.is_new, existing.left_out = False, left_out
        return existing
    job.is_new, job.left_out = True, left_out
    logger.info("print job started", extra={"print_job": job.pk, "badges": job.total})
    return job


def enqueue_on_commit(*, job_id: int) -> None:
    """Hand the job to the worker once the transaction commits. With the broker down the job is marked
    FAILED at once with a message saying so, for the organiser to restart it later — not left queued
    forever."""
    background.enqueue_on_commit(
        background.RUN_PRINT_JOB,
        job_id,
        on_broker_down=functools.partial(_broker_down, job_id),
        fallback=f"print job {job_id} marked failed",
    )


def _broker_down(job_id: int) -> None:
    PrintJob.objects.filter(pk=job_id, status=PrintJobStatus.QUEUED).update(
        status=PrintJobStatus.FAILED,
        error=_(
            "The background worker could not be reached, so the badges were not rendered. "
            "Please restart the job in a moment."
        ),
        finished_at=timezone.now(),
    )


# --- Jobs whose worker is gone --------------------------------------------------------------------------


def print_job_sweep(*, stale_after: timedelta | None = None) -> int:
    """Hand RUNNING jobs whose worker is gone to another worker (periodic, from beat): their heartbeat
    is older than ``stale_after`` (default PRINT_JOB_STALE_SECONDS) and, where the database can tell,
    nobody holds their runner lock (a live runner whose heartbeat is merely late is left alone). A job
    handed over so that is still QUEUED a period later (its task was lost too) is enqueued again, and
    so is a job still QUEUED that long after it was started (its task was lost with the worker that had
    taken it before running it).

    Each such job goes back to QUEUED, its progress reset and its attempts kept (the next run counts
    one more and fails the job with a message after ``runner.MAX_ATTEMPTS``), and is enqueued after
    commit; its heartbeat is set to now, so that one sweep hands it over once. Takes each job's row
    lock, skipping jobs locked by someone else. Returns how many jobs were handed over."""
    if stale_after is None:
        stale_after = timedelta(seconds=settings.PRINT_JOB_STALE_SECONDS)
    now = timezone.now()
    before = now - stale_after
    late = Q(status=PrintJobStatus.RUNNING) & (
        Q(heartbeat_at__lt=before) | Q(heartbeat_at__isnull=True, started_at__lt=before)
    ) | Q(status=PrintJobStatus.QUEUED) & (
        Q(heartbeat_at__lt=before)  # handed over, and lost again
        # never started: its task was lost with a worker that had taken it (a duplicate is harmless:
        # the runner leaves a job another run holds, or one that is done, alone)
        | Q(heartbeat_at__isnull=True, created_at__lt=before)
    )
    candidates = list(PrintJob.objects.filter(late).order_by("id").values_list("pk", flat=True)[:100])
    resumed = 0
    for job_id in candidates:
        with transaction.atomic():
            job = PrintJob.objects.select_for_update(skip_locked=True).filter(late, pk=job_id).first()
            if job is None:
                continue
            if runner_alive(job_id=job.pk):
                logger.warning(
                    "print job heartbeat late, but its runner holds it", extra={"print_job": job.pk}
                )
                continue
            PrintJob.objects.filter(pk=job.pk).update(
                status=PrintJobStatus.QUEUED, done=0, heartbeat_at=now, runner=""
            )
            enqueue_on_commit(job_id=job.pk)
        logger.warning(
            "print job abandoned by its worker handed to another",
            extra={"print_job": job.pk, "attempts": job.attempts},
        )
        resumed += 1
    return resumed


# --- Restart -------------------------------------------------------------------------------------------


def _hard_time_limit() -> timedelta:
    return timedelta(seconds=background.RUN_PRINT_JOB_LIMITS[1])


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
