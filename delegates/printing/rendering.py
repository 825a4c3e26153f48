"""Rendering of badge print jobs: badges in chunks, in processes forked one per core, joined into one
PDF. The rules of a print job (states, progress, who may do what) are in ``services.py`` and
``runner.py``; this module knows nothing of the database — the rendering processes must not touch it.

- A chunk is a few dozen badges in one WeasyPrint document (``badges.pdf.badges_pdf``): the costs of a
  document are shared by its badges, and the chunks render in parallel. Its file appears complete or
  not at all.
- The rendering processes are forked with ``os.fork`` from the process running the job, after it has
  loaded WeasyPrint and the fonts (``render_warm_up``); they inherit all that, and they die with it.
- ``join_chunks`` joins the chunk PDFs, in order, with pypdf.
"""

import contextlib
import ctypes
import functools
import gc
import math
import os
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections
from pypdf import PdfReader, PdfWriter

from events.enums import BadgeLayout

from ..badges.pdf import badge_warm_up, badges_pdf
from ..models import Registration

# Default of the setting BADGE_PRINT_CHUNK_SIZE (read when a job runs). Measured (bench/README.md):
# 48 renders 1,000 badges faster than 24 (the costs of a document shared by more badges) and than 96
# (the last chunks keep one process busy while the other waits).
DEFAULT_CHUNK_SIZE = 48


def chunk_size(*, layout: str) -> int:
    """Badges per chunk (BADGE_PRINT_CHUNK_SIZE, default 48): a multiple of four, so that every chunk
    of an A4-sheet job fills whole sheets and the joined PDF has no half-empty sheet in the middle."""
    size = max(int(getattr(settings, "BADGE_PRINT_CHUNK_SIZE", DEFAULT_CHUNK_SIZE)), 1)
    return max(4, size - size % 4) if layout == BadgeLayout.A4_SHEET else size


def render_processes() -> int:
    """Processes rendering chunks at once (BADGE_RENDER_PROCESSES, default: one per core)."""
    configured = getattr(settings, "BADGE_RENDER_PROCESSES", None)
    return max(int(configured or os.cpu_count() or 1), 1)


@dataclass(frozen=True)
class Chunk:
    index: int
    registrations: list[Registration]


def chunk_path(workdir: Path, index: int) -> Path:
    return workdir / f"chunk-{index:05d}.pdf"


@contextlib.contextmanager
def _garbage_collected_once() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a chunk renders and collect once after it.

    WeasyPrint makes many short-lived reference cycles; the automatic collections they trigger
    rescan the whole heap (Django, WeasyPrint, the fonts) again and again. Paused, every object the
    chunk made stays in the youngest generation, so one ``collect(0)`` afterwards frees exactly its
    garbage: about 10-15 % less time per badge, and memory stays flat from chunk to chunk."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.collect(0)
        if enabled:
            gc.enable()


def render_chunk(chunk: Chunk, *, layout: str, workdir: Path) -> Path:
    """Render one chunk into ``workdir``. The file appears complete or not at all (written aside,
    then renamed), so whoever sees it may use it."""
    with _garbage_collected_once():
        pdf = badges_pdf(registrations=chunk.registrations, layout=layout)
    path = chunk_path(workdir, chunk.index)
    partial = path.with_suffix(".part")
    partial.write_bytes(pdf)
    partial.replace(path)
    return path


class RenderProcessFailed(Exception):
    """A rendering process failed (``cause``: the name of its error) or died (``cause``: "")."""

    def __init__(self, cause: str, detail: str = ""):
        super().__init__(detail or cause or "a rendering process died")
        self.cause = cause


# Connections inherited from the parent at fork: kept, never used nor closed (closing would end the
# parent's session on the server).
_inherited_connections: list = []


def _no_database(execute, sql, params, many, context):
    raise RuntimeError("badge rendering processes do not use the database; load the data first")


def _forget_parent_connections() -> None:
    """In a forked rendering process: forget the parent's database connections and refuse queries
    (everything a badge needs was loaded by the parent before the fork). This copy of the socket is
    closed, so that the parent's session — and the job's runner lock — ends when the parent dies,
    even while this process finishes a chunk."""
    for conn in connections.all(initialized_only=True):
        inherited = conn.connection
        if inherited is not None:
            _inherited_connections.append(inherited)
            with contextlib.suppress(AttributeError, OSError, ValueError):  # SQLite has no socket
                os.close(inherited.fileno())
        conn.connection = None
        conn.execute_wrappers.append(_no_database)


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel kills this process when its parent dies (a killed worker leaves no renderer
    behind); elsewhere the renderer notices between chunks."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(3)


def _renderer_main(chunks: list[Chunk], *, layout: str, workdir: Path, parent: int, number: int) -> None:
    """Body of a forked rendering process; never returns."""
    code = 0
    try:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1):  # not the worker's handlers
            signal.signal(signum, signal.SIG_DFL)
        _die_with_parent(parent)
        _forget_parent_connections()
        # What was inherited stays shared with the parent: the collector never touches (and so
        # never copies) those pages again.
        gc.freeze()
        for chunk in chunks:
            if os.getppid() != parent:
                code = 3
                break
            render_chunk(chunk, layout=layout, workdir=workdir)
    except BaseException as error:  # reported to the parent through a file, then the process ends
        code = 1
        with contextlib.suppress(OSError):
            (workdir / f"error-{number}.txt").write_text(f"{type(error).__name__}\n{error}"[:2000])
    finally:
        os._exit(code)  # no atexit handlers, no finalizers of the parent's objects


@functools.cache
def render_warm_up() -> None:
    """Load WeasyPrint, the fonts and the stylesheets in this process, once (``badge_warm_up``).
    Called before the rendering processes are forked, so that they inherit all that instead of each
    loading it again; call it when a worker process starts too, so that its first job starts warm."""
    badge_warm_up()


def render_in_processes(
    chunks: list[Chunk], *, processes: int, layout: str, workdir: Path, on_progress: Callable[[int], bool]
) -> bool:
    """Render the chunks into ``workdir`` in ``processes`` forked processes (chunk n in process n mod
    processes), calling ``on_progress(badges done so far)`` every time it looks (twenty times a second,
    also when nothing new appeared, so that the caller can write a heartbeat); it returns False to
    stop (the job was taken away), and so does this.

    Plain ``os.fork``, not multiprocessing: Celery's prefork pool runs tasks in daemonic processes,
    which multiprocessing does not let have children. Forked, not spawned: the processes start in
    milliseconds with Django, WeasyPrint and the fonts loaded, and see this process's settings. Every
    process is killed and reaped before this returns, also on an error or a time limit."""
    render_warm_up()
    parent = os.getpid()
    children: dict[int, int] = {}
    try:
        for number in range(processes):
            pid = os.fork()
            if pid == 0:
                _renderer_main(
                    chunks[number::processes],
                    layout=layout,
                    workdir=workdir,
                    parent=parent,
                    number=number,
                )
            children[pid] = number
        waiting = {chunk.index: len(chunk.registrations) for chunk in chunks}
        done = 0
        while waiting:
            finished = [index for index in waiting if chunk_path(workdir, index).exists()]
            for index in finished:
                done += waiting.pop(index)
            if not on_progress(done):  # also while nothing finished: the caller's heartbeat
                return False
            for pid, number in list(children.items()):
                ended, status = os.waitpid(pid, os.WNOHANG)
                if not ended:
                    continue
                del children[pid]
                if os.waitstatus_to_exitcode(status) != 0:
                    error = workdir / f"error-{number}.txt"
                    cause, _, detail = (error.read_text() if error.exists() else "").partition("\n")
                    raise RenderProcessFailed(cause, detail)
            if waiting and not children and not any(chunk_path(workdir, i).exists() for i in waiting):
                raise RenderProcessFailed("", "the rendering processes ended before every chunk was rendered")
            time.sleep(0.05)
        return True
    finally:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for pid in children:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def expected_pages(*, layout: str, count: int, chunk: int) -> int:
    if layout != BadgeLayout.A4_SHEET:
        return count
    full, rest = divmod(count, chunk)
    return full * (chunk // 4) + math.ceil(rest / 4)


def join_chunks(paths: list[Path], *, output: Path, pages: int, title: str) -> Path:
    """Join the chunk PDFs in this order into ``output``; raises RuntimeError unless the result has
    ``pages`` pages."""
    writer = PdfWriter()
    for path in paths:
        writer.append(PdfReader(path))
    if len(writer.pages) != pages:
        raise RuntimeError(f"joined PDF has {len(writer.pages)} pages, expected {pages}")
    writer.add_metadata({"/Title": title, "/Creator": "AMF Events"})
    with output.open("wb") as handle:
        writer.write(handle)
    return output
