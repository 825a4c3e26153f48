"""The one way delegates hands work to Celery: by the task's explicit name, after the transaction
commits, with a broker that is down handled here once.

Services never import ``delegates.tasks`` (the tasks import the services): they call
``enqueue_on_commit("delegates.render_badge", registration.pk)``. The time limits of the tasks are
constants here, read by the task decorators and by the services that reason about a task's lifetime
(the outbox sweep, a print job's restart).

- After commit: the worker never looks for a row that is not there yet, and a rolled-back
  transaction enqueues nothing (at once when no transaction is open).
- A broker that is down is logged, never raised to the user: publishing gives up within about a
  second (see the broker transport options in settings). The row the task would work on stays as it
  is — an email PENDING for the beat sweep, a badge rendered on download or by a print job — or the
  caller's ``on_broker_down`` says what else to do (a print job is marked FAILED for a restart).
- Eager mode (``task_always_eager``, the unit tests): the task runs in the calling process.
- Held back on purpose (``enqueue_held_back``): a bulk load such as the demo data writes many rows at
  once and does their work itself (or leaves it to the on-demand paths), instead of waking the worker
  with hundreds of tasks before anyone uses the site.
"""

import contextlib
import contextvars
import functools
import logging
from collections.abc import Callable, Iterator

from django.db import transaction

logger = logging.getLogger(__name__)

# Task names: the contract between web and worker processes (a renamed task strands queued messages).
SEND_EMAIL = "delegates.send_outbox_email"
SWEEP_OUTBOX = "delegates.outbox_sweep"
RENDER_BADGE = "delegates.render_badge"
RUN_PRINT_JOB = "delegates.run_print_job"
SWEEP_PRINT_JOBS = "delegates.print_job_sweep"
SEND_APPROVAL_DIGESTS = "delegates.approval_digest_sweep"
DISPATCH_STAFF_EMAIL = "delegates.staff_email_dispatch"

# (soft, hard) time limits in seconds. An email's attempt is the worker's for
# OUTBOX_SENDING_LEASE_SECONDS (60 s by default): the send task's hard limit stays below it, so an
# attempt is over, one way or the other, before the sweep may hand its row to another worker. A print
# job of a few thousand badges takes minutes; its hard limit stays well below Redis's visibility
# timeout (3600 s), so a job still running is never delivered to a second worker.
SEND_EMAIL_LIMITS = (45, 55)
SWEEP_OUTBOX_LIMITS = (120, 150)
RENDER_BADGE_LIMITS = (60, 90)
RUN_PRINT_JOB_LIMITS = (1800, 1860)
SWEEP_PRINT_JOBS_LIMITS = (60, 90)
SEND_APPROVAL_DIGESTS_LIMITS = (120, 150)
DISPATCH_STAFF_EMAIL_LIMITS = (300, 330)


# Why tasks are held back in the current context (``enqueue_held_back``), and how many were.
_held_back: contextvars.ContextVar[list | None] = contextvars.ContextVar("enqueue_held_back", default=None)


@contextlib.contextmanager
def enqueue_held_back(*, why: str) -> Iterator[None]:
    """Within this block nothing is handed to the worker, now or after commit: the rows the tasks would
    work on stay as they are, exactly as when the broker is down but on purpose, so ``on_broker_down``
    is not called. The caller takes over: it sends or skips its emails (``outbox_skip``), runs its print
    jobs itself; badges are rendered on download or by a print job. Logs once how many were held back
    and ``why``."""
    held: list[str] = []
    token = _held_back.set(held)
    try:
        yield
    finally:
        _held_back.reset(token)
        if held:
            logger.info("%d background tasks not enqueued: %s", len(held), why, extra={"tasks": len(held)})


def _celery_app():
    from amf.celery import app  # the project's app, configured from Django settings

    return app


@functools.cache
def _registered_tasks_loaded() -> None:
    """Eager mode runs a task in this process: make sure the apps' task modules are imported."""
    _celery_app().loader.import_default_modules()


def enqueue(
    task_name: str, *args, on_broker_down: Callable[[], None] | None = None, fallback: str = ""
) -> bool:
    """Publish ``task_name`` with ``args`` (ids, never model instances) now. Returns False, after
    logging what happens instead (``fallback``, e.g. "outbox row 7 left for the sweep") and calling
    ``on_broker_down``, when the broker cannot be reached; False too, quietly, inside
    ``enqueue_held_back``."""
    held = _held_back.get()
    if held is not None:
        held.append(task_name)
        return False
    app = _celery_app()
    try:
        if app.conf.task_always_eager:
            _registered_tasks_loaded()
            app.tasks[task_name].apply_async(args=args)
        else:
            app.send_task(task_name, args=args, retry=False)
    except Exception:  # kombu raises several types for an unreachable broker; none must reach the user
        logger.warning(
            "broker unavailable; %s", fallback or f"{task_name} not enqueued", extra={"task": task_name}
        )
        if on_broker_down is not None:
            on_broker_down()
        return False
    return True


def enqueue_on_commit(
    task_name: str, *args, on_broker_down: Callable[[], None] | None = None, fallback: str = ""
) -> None:
    """``enqueue`` once the current transaction commits (at once outside a transaction); nothing inside
    ``enqueue_held_back``."""
    held = _held_back.get()
    if held is not None:
        held.append(task_name)
        return
    transaction.on_commit(
        functools.partial(enqueue, task_name, *args, on_broker_down=on_broker_down, fallback=fallback),
        robust=True,
    )
