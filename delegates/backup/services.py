"""Backup and restore of what the site keeps: the PostgreSQL database and the media files (badges,
print jobs' PDFs, speaker photos).

A backup is one folder ``<BACKUP_DIR>/amf-<UTC time>/`` holding

- ``database.dump`` — ``pg_dump --format=custom`` of the whole database (tables, sequences,
  constraints), restored with ``pg_restore``;
- ``media.tar.gz`` — the files under ``MEDIA_ROOT``, paths relative to it (none when the files live in
  an S3 bucket, which keeps its own versions).

It is written under a hidden name and renamed when complete, so a folder named ``amf-...`` is always a
whole backup; then only the newest ``keep`` are kept. The docker-compose ``backup`` service writes the
same layout with the same tools. The connection settings reach ``pg_dump`` and ``pg_restore`` through
libpq's environment variables (``PGPASSWORD`` never on a command line).
"""

import datetime as dt
import logging
import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

PREFIX = "amf-"
DATABASE_FILE = "database.dump"
MEDIA_FILE = "media.tar.gz"
STAMP = "%Y%m%dT%H%M%SZ"


class BackupError(Exception):
    """The backup or restore could not be made; ``str(error)`` says why, for the operator."""


@dataclass(frozen=True)
class Backup:
    path: Path

    @property
    def database(self) -> Path:
        return self.path / DATABASE_FILE

    @property
    def media(self) -> Path:
        return self.path / MEDIA_FILE


def _libpq_env(*, alias: str = "default", dbname: str | None = None) -> dict[str, str]:
    db = connections[alias].settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError("Backups need PostgreSQL (DATABASE_URL=postgres://...); this database is not.")
    env = {**os.environ, "PGDATABASE": dbname or db["NAME"]}
    for variable, value in (
        ("PGHOST", db.get("HOST")),
        ("PGPORT", db.get("PORT")),
        ("PGUSER", db.get("USER")),
        ("PGPASSWORD", db.get("PASSWORD")),
    ):
        if value:
            env[variable] = str(value)
    return env


def _run(command: list[str], *, env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian package postgresql-client).")
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - fixed argv
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")


def _media_root() -> Path | None:
    """MEDIA_ROOT when the files are kept there (not in an S3 bucket)."""
    if settings.STORAGES["default"]["BACKEND"] != "django.core.files.storage.FileSystemStorage":
        return None
    return Path(settings.MEDIA_ROOT)


def backup_list(*, directory: Path) -> list[Backup]:
    """The complete backups in ``directory``, oldest first."""
    if not directory.is_dir():
        return []
    return [
        Backup(path)
        for path in sorted(directory.iterdir())
        if path.is_dir() and path.name.startswith(PREFIX) and (path / DATABASE_FILE).is_file()
    ]


def backup_create(*, directory: Path, keep: int, now: dt.datetime | None = None) -> Backup:
    """Dump the database and archive the media files into a new backup folder in ``directory``, then
    delete all but the newest ``keep`` backups. Reads only; raises BackupError (leaving no partial
    folder behind) when pg_dump fails."""
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    name = PREFIX + moment.strftime(STAMP)
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / f".{name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(mode=0o700)  # personal data: readable by the site's user only
    try:
        _run(
            ["pg_dump", "--format=custom", "--no-password", f"--file={partial / DATABASE_FILE}"],
            env=_libpq_env(),
        )
        media_root = _media_root()
        if media_root is not None:
            with tarfile.open(partial / MEDIA_FILE, "w:gz") as archive:
                if media_root.is_dir():
                    for entry in sorted(media_root.iterdir()):
                        archive.add(entry, arcname=entry.name)
        final = directory / name
        if final.exists():
            raise BackupError(f"{final} exists already.")
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    backup = Backup(final)
    for old in backup_list(directory=directory)[:-keep] if keep > 0 else []:
        shutil.rmtree(old.path)
        logger.info("backup deleted", extra={"backup": old.path.name})
    logger.info("backup written", extra={"backup": backup.path.name})
    return backup


def backup_restore(*, backup: Backup, dbname: str | None = None, media_root: Path | None = None) -> None:
    """Restore ``backup`` into the database (``dbname``, default the configured one), which should be
    empty — a freshly created database; objects that exist are replaced (``--clean --if-exists``) —
    and extract its media files into ``media_root`` (default ``MEDIA_ROOT``). One transaction for the
    database: it is restored whole or not at all. Raises BackupError."""
    if not backup.database.is_file():
        raise BackupError(f"{backup.path} holds no {DATABASE_FILE}.")
    env = _libpq_env(dbname=dbname)
    _run(
        [
            "pg_restore", "--no-password", "--clean", "--if-exists", "--no-owner", "--no-privileges",
            "--single-transaction", "--exit-on-error", f"--dbname={env['PGDATABASE']}", str(backup.database),
        ],
        env=env,
    )  # fmt: skip
    target = media_root or _media_root()
    if target is not None and backup.media.is_file():
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(backup.media, "r:gz") as archive:
            archive.extractall(target, filter="data")  # no paths outside target, no devices
    logger.info("backup restored", extra={"backup": backup.path.name})
