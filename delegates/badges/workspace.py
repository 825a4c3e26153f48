"""The private folder where badge files are rendered before they are stored: ``BADGE_RENDER_DIR``
(default ``var/render``), mode 0700, never the system's temporary folder. Badge PDFs carry names and
check-in tokens: nobody else on the machine may read them, and none outlives its run.

- One folder per run (``render_workspace``), made inside the private folder with its own lock file.
  The process rendering holds the lock (``flock``) for as long as the folder is in use; the kernel
  releases it when that process dies, however it dies (SIGKILL included).
- Cleaned: the run's folder is removed when the run ends, whether it succeeded or failed; a job run
  again first removes what its earlier runs left (``render_workspace_clean(prefix=...)``); and every
  worker, when it starts, removes every folder no living process holds (``render_workspace_clean()``),
  so a worker killed in the middle of a job leaves nothing behind for long. Folders another worker on
  the same machine is using are left alone: their lock is held.
- A single badge (a delegate's download, the background render) is rendered in memory and stored
  directly: it writes no file here or anywhere else.
"""

import contextlib
import fcntl
import logging
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

LOCK_SUFFIX = ".lock"
# Folders the print jobs of earlier versions left in the system's temporary folder; removed by a worker
# that starts once nothing can still be writing them (older than a print job's longest run).
LEGACY_PREFIX = "amf-print-job-"
LEGACY_MAX_AGE = 2 * 3600


def render_root() -> Path:
    """The private folder (made if missing), mode 0700 whatever it was."""
    root = Path(settings.BADGE_RENDER_DIR)
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    if root.stat().st_mode & 0o077:
        root.chmod(0o700)
    return root


def _lock(path: Path) -> int | None:
    """Open and lock ``path`` without waiting; the descriptor, or None if another process holds it."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.fstat(fd).st_ino == path.stat().st_ino
    except FileNotFoundError:
        return False


@contextlib.contextmanager
def render_workspace(*, prefix: str) -> Iterator[Path]:
    """A new folder of this run inside the private folder, locked by this process (and the rendering
    processes it forks, which inherit the lock), removed with its files when the block ends."""
    root = render_root()
    while True:
        name = f"{prefix}{uuid.uuid4().hex[:12]}"
        lock_path = root / f"{name}{LOCK_SUFFIX}"
        fd = _lock(lock_path)
        # A cleaner may have removed the lock file between its creation and our lock: take another.
        if fd is not None and _same_file(fd, lock_path):
            break
        if fd is not None:
            os.close(fd)
    path = root / name
    try:
        path.mkdir(mode=0o700)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        with contextlib.suppress(FileNotFoundError):
            lock_path.unlink()
        os.close(fd)


def render_workspace_clean(*, prefix: str = "") -> int:
    """Remove the run folders starting with ``prefix`` (all by default) that no living process holds,
    and their lock files; with no prefix, also the folders earlier versions left in the system's
    temporary folder. Returns how many folders were removed."""
    root = render_root()
    removed = 0
    locks = {entry.name[: -len(LOCK_SUFFIX)] for entry in root.glob(f"{prefix}*{LOCK_SUFFIX}")}
    for name in sorted(locks):
        lock_path = root / f"{name}{LOCK_SUFFIX}"
        fd = _lock(lock_path)
        if fd is None:
            continue  # in use
        try:
            if (root / name).exists():
                shutil.rmtree(root / name, ignore_errors=True)
                removed += 1
            lock_path.unlink(missing_ok=True)
        finally:
            os.close(fd)
    for entry in root.iterdir():  # a folder whose lock file is gone: nobody can hold it
        orphan = entry.name not in locks and not (root / f"{entry.name}{LOCK_SUFFIX}").exists()
        if entry.is_dir() and entry.name.startswith(prefix) and orphan:
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
    if not prefix:
        removed += _clean_legacy()
    if removed:
        logger.info("badge render folders left by stopped runs removed", extra={"folders": removed})
    return removed


def _clean_legacy() -> int:
    removed = 0
    cutoff = time.time() - LEGACY_MAX_AGE
    for entry in Path(tempfile.gettempdir()).glob(f"{LEGACY_PREFIX}*"):
        with contextlib.suppress(OSError):
            if entry.is_dir() and entry.stat().st_uid == os.getuid() and entry.stat().st_mtime < cutoff:
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
    return removed
